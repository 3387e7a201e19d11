package screens

import (
	"context"
	"net"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// label finds the visible label, wrapping or not, whose text is key's.
func (f *fixture) label(key string) fyne.CanvasObject {
	f.t.Helper()
	want := tr(key)
	return must(f, "label "+want, func(o fyne.CanvasObject) bool {
		switch l := o.(type) {
		case *widget.Label:
			return l.Text == want
		case *wrapLabel:
			return l.Text == want
		}
		return false
	})
}

// A refused two-factor code shows its error in sight, not below the
// visible area of the window under the QR code and the key.
func TestEnrolmentErrorInSight(t *testing.T) {
	f := newFixture(t)
	enrolSignIn(f, "sight@example.org")
	f.shell.Push(newEnableTwoFactor(f.shell))
	f.waitTop("enable2fa.title")
	enrolPassword(f)
	secret := enrolKey(f)
	f.typeCode(wrongTOTP(t, secret))
	f.waitText(tr("error.invalid_two_factor_code"))
	for _, key := range []string{"error.invalid_two_factor_code", "remedy.invalid_two_factor_code"} {
		if !f.inSight(f.label(key)) {
			t.Fatalf("%q is out of sight", tr(key))
		}
	}
}

// A field its validator refuses says why under it once the user left it:
// a half-typed address, a repeat that differs from the new password. It
// says nothing while the field is typed in.
func TestFieldProblemInWords(t *testing.T) {
	f := newFixture(t)
	f.shell.Push(newCreateAccount(f.shell, ""))
	f.waitTop("register.title")
	f.typeIn("field.email_placeholder", "alice@")
	if f.shows(tr("field_error.invalid_email")) {
		t.Fatal("the address is marked while it is typed")
	}
	f.typeIn("field.new_password", testPassword)
	if !f.inSight(f.label("field_error.invalid_email")) {
		t.Fatal("no words under a refused address")
	}
	f.typeIn("field.repeat_password", testPassword+"x")
	f.typeIn("field.email_placeholder", "example.org")
	f.typeIn("field.new_password", "")
	if f.shows(tr("field_error.invalid_email")) || !f.shows(tr("error.passwords_differ")) {
		t.Fatalf("after fixing the address and leaving a wrong repeat:\n%s", f.texts())
	}
	// Typing the first password to match the repeat clears the repeat's.
	f.typeIn("field.new_password", "x")
	if f.shows(tr("error.passwords_differ")) {
		t.Fatal("the repeat is still marked after the passwords match")
	}
}

// silentServer accepts connections on loopback and never answers; it is
// closed when the test ends.
func silentServer(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	return "http://" + l.Addr().String()
}

// A request to a server that does not answer says what it waits for and
// offers Cancel, which gives the form back at once.
func TestWaitingSaysWhatAndCancels(t *testing.T) {
	f := newSignInFixture(t)
	o := f.other(Connection{App: f.appAt(silentServer(t), "")})
	o.fillSignIn("hal@example.org", testPassword)
	o.tap("signin.submit")
	want := lang.LocalizeKey("form.waiting", "", map[string]any{"Host": "127.0.0.1"})
	if !o.shows(want) || !o.button("signin.submit").Disabled() {
		t.Fatalf("no %q while waiting:\n%s", want, o.texts())
	}
	o.tap("action.cancel")
	if o.shows(want) || o.hasButton("action.cancel") || o.button("signin.submit").Disabled() {
		t.Fatalf("after Cancel:\n%s", o.texts())
	}
	o.ui.run()
	if o.shell.Top() != tr("signin.title") || o.shows(tr("error.timeout")) {
		t.Fatalf("a cancelled request shows %q:\n%s", o.shell.Top(), o.texts())
	}
}

// A recovery code used before gets the recovery code's message, not the
// advice about authenticator apps and clocks.
func TestReusedRecoveryCode(t *testing.T) {
	f := newSignInFixture(t)
	const email = "reuse@example.org"
	_, codes := f.twoFactorAccount(email)
	other := f.appAt(f.srv.URL, "")
	ctx := context.Background()
	res, err := other.SignIn(ctx, email, testPassword, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.CompleteTwoFactor(ctx, res.Challenge, codes[0], false); err != nil {
		t.Fatal(err)
	}
	f.toChallenge(email)
	f.tap("challenge.use_recovery")
	f.entry("challenge.recovery_placeholder").SetText(codes[0])
	f.tap("challenge.submit")
	f.waitText(tr("error.recovery_code_refused"))
	if !f.shows(tr("remedy.recovery_code_refused")) || f.shows(tr("remedy.invalid_two_factor_code")) ||
		f.entry("challenge.recovery_placeholder").Text != "" {
		t.Fatalf("after a used recovery code:\n%s", f.texts())
	}
}

// A wrong current password in "Change password" says that the password is
// wrong, with no word of an email address the screen does not have.
func TestChangePasswordWrongCurrent(t *testing.T) {
	f := newFixture(t)
	enrolSignIn(f, "change@example.org")
	f.shell.Push(newChangePassword(f.shell))
	f.waitTop("security.password.title")
	f.typeIn("security.password.current", "not the password 1")
	f.typeIn("field.new_password", "another sturdy password 8")
	f.typeIn("field.repeat_password", "another sturdy password 8")
	f.tap("security.password.submit")
	f.waitText(tr("error.wrong_password"))
	if f.shows(tr("remedy.invalid_credentials")) || !f.shows(tr("remedy.wrong_password")) {
		t.Fatalf("after a wrong current password:\n%s", f.texts())
	}
}

// The address typed on sign-in goes to Forgot password through the
// remedy of a wrong password, as it does through the link.
func TestResetRemedyCarriesEmail(t *testing.T) {
	f := newSignInFixture(t)
	const email = "carry@example.org"
	f.register(email)
	f.fillSignIn(email, "not the password 1")
	f.tap("signin.submit")
	f.waitText(tr("error.invalid_credentials"))
	f.tap("action.reset_password")
	f.waitTop("forgot.title")
	if got := f.entry("field.email_placeholder").Text; got != email {
		t.Fatalf("Forgot password got %q, want %q", got, email)
	}
}

// "Sign in with a recovery code" on the lost-device page signs in with the
// password, then asks the recovery code, not the authenticator's.
func TestLostDeviceSignsInWithRecoveryCode(t *testing.T) {
	f := newSignInFixture(t)
	const email = "lost@example.org"
	_, codes := f.twoFactorAccount(email)
	f.shell.Push(newLostTwoFactor(f.shell))
	f.tap("cantsignin.two_factor.action")
	f.waitSignIn()
	if !f.shows(tr("signin.recovery_next")) {
		t.Fatalf("the sign-in does not say what comes next:\n%s", f.texts())
	}
	f.fillSignIn(email, testPassword)
	f.tap("signin.submit")
	f.waitTop("challenge.title")
	rec := f.entry("challenge.recovery_placeholder")
	if f.win.Canvas().Focused() != rec || !f.hasButton("challenge.use_code") {
		t.Fatalf("the challenge asks no recovery code: focus %T\n%s", f.win.Canvas().Focused(), f.texts())
	}
	rec.SetText(codes[1])
	f.tap("challenge.submit")
	f.waitFor("the sign-in", func() bool { return f.app.Account() == email })
}
