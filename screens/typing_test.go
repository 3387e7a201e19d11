package screens

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"sesame/app"
)

// warnsTyping types text into the password field of placeholder key and
// reports whether the field warns of w; the field is emptied after.
func (f *fixture) warnsTyping(key, text string, w app.TypingWarning) bool {
	f.t.Helper()
	e := f.entry(key)
	e.SetText("")
	f.win.Canvas().Focus(e)
	test.Type(e, text)
	f.settle("the warning")
	shown := f.shows(tr("typing." + string(w)))
	e.SetText("")
	if f.shows(tr("typing." + string(w))) {
		f.t.Errorf("%s: the warning stays on an empty field", key)
	}
	return shown
}

// TestPasswordTypingWarnings checks that every password field of sign-in,
// registration, reset, password change and wallet password warns beside
// itself of Caps Lock, edge spaces and full-width characters, and the
// wallet password of the account password signed in with.
func TestPasswordTypingWarnings(t *testing.T) {
	f := newSignInFixture(t)
	const email = "typing@example.org"
	f.register(email)
	cases := []struct {
		text string
		w    app.TypingWarning
	}{
		{"A STURDY PASSWORD", app.WarnCapsLock},
		{"pASSWORD", app.WarnCapsLock},
		{"a sturdy password ", app.WarnSpaces},
		{"ａ ｓｔｕｒｄｙ", app.WarnFullWidth},
	}
	checkAll := func(screen string, keys ...string) {
		t.Helper()
		for _, key := range keys {
			for _, c := range cases {
				if !f.warnsTyping(key, c.text, c.w) {
					t.Errorf("%s, %s: %q gives no %s warning:\n%s", screen, key, c.text, c.w, f.texts())
				}
			}
			if f.warnsTyping(key, testPassword, app.WarnCapsLock) || f.warnsTyping(key, testPassword, app.WarnSpaces) {
				t.Errorf("%s, %s: a plain password warns", screen, key)
			}
		}
	}
	checkAll("sign-in", "signin.password")
	f.typeIn("signin.password", "A STURDY PASSWORD")
	f.golden("signin/caps_lock.xml")
	f.entry("signin.password").SetText("")

	f.shell.Push(newCreateAccount(f.shell, ""))
	checkAll("register", "field.new_password", "field.repeat_password")
	f.shell.Push(newForgotNewPassword(f.shell, &app.PasswordReset{Email: email}))
	checkAll("reset", "field.new_password", "field.repeat_password")

	f.shell.Reset(newSignIn(f.shell, nil))
	f.fillSignIn(email, testPassword)
	f.tap("signin.submit")
	f.waitTop("home.title")
	f.shell.Push(newChangePassword(f.shell))
	checkAll("change password", "security.password.current", "field.new_password", "field.repeat_password")

	f.shell.Push(walletPasswordView(f.shell, "wallet", nil, "save", false, nil, nil))
	checkAll("wallet password", "field.new_password", "field.repeat_password")
	f.shell.Push(newRestoreWallet(f.shell))
	f.check("wallet_restore.passphrase_use").SetChecked(true)
	checkAll("restore passphrase", "wallet_restore.passphrase")
	f.shell.Back()
	if !f.warnsTyping("field.new_password", testPassword, app.WarnAccountPassword) {
		t.Errorf("the wallet password does not warn of the account password")
	}
	if f.warnsTyping("field.repeat_password", testPassword, app.WarnAccountPassword) {
		t.Errorf("the repeat warns of the account password twice")
	}
	f.typeIn("field.new_password", testPassword)
	f.golden("wallet_create/password_reused.xml")
	f.setLanguage("zh_Hans")
	f.shell.Push(walletPasswordView(f.shell, "wallet", nil, "save", false, nil, nil))
	f.typeIn("field.new_password", testPassword)
	f.golden("wallet_create/password_reused_zh.xml")
}

// places are the window positions of the fields and buttons on screen.
func (f *fixture) places() []fyne.Position {
	d := fyne.CurrentApp().Driver()
	var out []fyne.Position
	for _, o := range f.objects() {
		switch o.(type) {
		case *entry, *button, *check:
			out = append(out, d.AbsolutePositionForObject(o))
		}
	}
	return out
}

// TestTypingWarningsKeepPlace: the fields and buttons under a password
// field stay where they are as its typing warnings come and go.
func TestTypingWarningsKeepPlace(t *testing.T) {
	f := newSignInFixture(t)
	f.shell.Push(newCreateAccount(f.shell, ""))
	for _, key := range []string{"field.new_password", "field.repeat_password"} {
		for _, text := range []string{"A STURDY PASSWORD", " ａ ｓｔｕｒｄｙ PASSWORD"} {
			e := f.entry(key)
			f.settle("the form")
			before := f.places()
			f.win.Canvas().Focus(e)
			test.Type(e, text)
			f.settle("the warning")
			if after := f.places(); !slices.Equal(before, after) {
				t.Errorf("%s, %q: the fields moved from %v to %v", key, text, before, after)
			}
			e.SetText("")
		}
	}
}

// TestStrengthReasonsKeepPlace: the fields and buttons under a new password
// stay where they are as the policy's reasons come and go, and the first
// reason shows on its line.
func TestStrengthReasonsKeepPlace(t *testing.T) {
	f := newSignInFixture(t)
	f.shell.Push(newCreateAccount(f.shell, ""))
	const email = "reasons@example.org"
	f.typeIn("field.email_placeholder", email)
	e := f.entry("field.new_password")
	f.settle("the form")
	before := f.places()
	for _, c := range []struct {
		text string
		r    app.Reason
	}{
		{"abc", app.ReasonTooShort},
		{"password", app.ReasonCommon},
		{email, app.ReasonContainsMail},
		{testPassword, ""},
	} {
		e.SetText("")
		f.win.Canvas().Focus(e)
		test.Type(e, c.text)
		f.settle("the reason")
		if after := f.places(); !slices.Equal(before, after) {
			t.Errorf("%q: the fields moved from %v to %v", c.text, before, after)
		}
		if c.r != "" && !f.shows(tr("reason."+string(c.r))) {
			t.Errorf("%q: no %s reason:\n%s", c.text, c.r, f.texts())
		}
	}
}
