package app_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"sesame/app"
	"sesame/authapi"
)

var longCodeRE = regexp.MustCompile(`\b[0-9A-Z]{5}(?:-[0-9A-Z]{5}){3}\b`)

// longCode waits for a mail to addr whose subject has word and that holds
// a long code, and returns the newest such code.
func (f *fixture) longCode(addr, word string) string {
	f.t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		mails, err := f.client.Mailbox(context.Background(), addr)
		if err != nil {
			f.t.Fatal(err)
		}
		for _, m := range mails {
			if c := longCodeRE.FindString(m.Text); c != "" && strings.Contains(strings.ToLower(m.Subject), word) {
				return c
			}
		}
	}
	f.t.Fatalf("no %q mail with a long code to %s", word, addr)
	return ""
}

// A stranger who knows only the address locks its sign-in and spends its
// budget of wrong codes. The owner on a new computer (a keychain with no
// device token) asks for a reset, pastes the long code the mail brings,
// resets, and signs in although the stranger locked the address again.
func TestLongCodeResetOnANewComputer(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	const email = "new-computer@example.org"
	f.register(email, false)
	f.signOut()
	stranger, _ := f.newApp()
	lock := func() {
		t.Helper()
		var err error
		for range 5 {
			_, err = stranger.SignIn(ctx, authapi.CreateSessionRequest{Email: email, Password: "a stranger's guess 1"})
		}
		if !errors.Is(err, authapi.ErrAccountLocked) {
			t.Fatalf("the stranger's fifth guess: %v", err)
		}
	}
	lock()
	for range 2 {
		if err := stranger.StartPasswordReset(ctx, authapi.EmailRequest{Email: email}); err != nil {
			t.Fatal(err)
		}
		for range 5 {
			stranger.VerifyPasswordReset(ctx, authapi.EmailCodeRequest{Email: email, Code: "000000"})
		}
	}

	laptop, err := app.New(app.Config{Client: f.client, Keychain: newMemKeychain(), DataDir: t.TempDir(), DeviceName: "new laptop"})
	if err != nil {
		t.Fatal(err)
	}
	r, err := laptop.StartPasswordReset(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	pasted := strings.ToLower(strings.ReplaceAll(f.longCode(email, "reset"), "-", " ")) + "\n"
	if err := r.Verify(ctx, "123456"); !errors.Is(err, authapi.ErrCodeExpired) {
		t.Fatalf("a 6-digit code past the budget: %v", err)
	}
	if err := r.Verify(ctx, pasted); err != nil {
		t.Fatalf("the pasted long code: %v", err)
	}
	if err := r.Complete(ctx, password+"!", password+"!", ""); err != nil {
		t.Fatal(err)
	}
	lock()
	if res, err := laptop.SignIn(ctx, email, password+"!", false); err != nil || !res.SignedIn() {
		t.Fatalf("the new computer after its reset, the address locked again: %v", err)
	}
}
