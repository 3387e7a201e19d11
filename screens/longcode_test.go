package screens

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"sesame/authapi"
)

var longCodeRE = regexp.MustCompile(`\b[0-9A-Z]{5}(?:-[0-9A-Z]{5}){3}\b`)

// pasteCode empties the code field and pastes text into it.
func (f *fixture) pasteCode(text string) {
	f.t.Helper()
	clip := fyne.CurrentApp().Clipboard()
	clip.SetContent(text)
	e := f.codeEntry()
	e.SetText("")
	f.win.Canvas().Focus(e)
	e.TypedShortcut(&fyne.ShortcutPaste{Clipboard: clip})
	clip.SetContent("")
}

// TestForgotLongCodePasted: a stranger spent the budget of wrong codes of
// an address this computer has no device token of. A 6-digit code is refused with the hint that a new request
// mails a long code; the reset's mail brings one, and the code field takes
// it pasted as a mail reader may copy it (lower case, spaces, a trailing
// newline), whole, and sends it.
func TestForgotLongCodePasted(t *testing.T) {
	f := newFixture(t)
	const email = "pasted@example.org"
	ctx := context.Background()
	// Registered elsewhere: this computer keeps no device token of it.
	if err := f.client.CreateAccount(ctx, authapi.CreateAccountRequest{Email: email, Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	if err := f.client.VerifyAccount(ctx, authapi.VerifyAccountRequest{Email: email, Code: f.code(email, "confirm", 0), Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := f.client.StartPasswordReset(ctx, authapi.EmailRequest{Email: email}); err != nil {
			t.Fatal(err)
		}
		for range 5 {
			f.client.VerifyPasswordReset(ctx, authapi.EmailCodeRequest{Email: email, Code: "000000"})
		}
	}
	acctForgotToCode(f, email)
	f.typeCode("123456")
	f.waitText(tr("error.code_expired"))
	if !f.shows(tr("remedy.code_expired_long")) {
		t.Fatalf("the refusal does not tell of the long code: %q", f.texts())
	}
	code := f.mailWith(email, "reset", 0, func(text string) (string, bool) {
		c := longCodeRE.FindString(text)
		return c, c != ""
	})
	f.pasteCode(strings.ToLower(strings.ReplaceAll(code, "-", " ")) + "\n")
	if got, _, err := authapi.MailedCode(f.codeEntry().Text); err != nil || got != strings.ReplaceAll(code, "-", "") {
		t.Fatalf("the field holds %q after the paste (%v)", f.codeEntry().Text, err)
	}
	f.waitFor("the new password step", func() bool { return f.hasButton("forgot.change") })
}
