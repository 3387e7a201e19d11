package screens

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"sesame/app"
	"sesame/server"
)

// securityOther signs email in on another app, as another device.
func securityOther(f *fixture, email, password string) *app.App {
	f.t.Helper()
	_, other := f.newApp()
	if _, err := other.SignIn(context.Background(), email, password, false); err != nil {
		f.t.Fatal(err)
	}
	return other
}

// securityEnded waits until a's session is refused by the server.
func securityEnded(f *fixture, a *app.App) {
	f.t.Helper()
	_, err := a.Me(context.Background())
	if err == nil {
		f.t.Fatal("the signed-out device still reads the account")
	}
	if c := app.ErrorCode(err); c != "invalid_refresh_token" && c != "unauthorized" {
		f.t.Fatalf("the signed-out device fails with %q", c)
	}
	if a.Account() != "" {
		f.t.Fatalf("the signed-out device still has account %q", a.Account())
	}
}

// securityTOTP is the authenticator code of secret on the server's clock,
// a step after the previous call's, since the server takes a step once.
// securityTwoFactorOn turns two-factor on for the signed-in account, then
// shows home again.
func securityTwoFactorOn(f *fixture) *app.Enrolment {
	f.t.Helper()
	ctx := context.Background()
	enr, err := f.app.StartTwoFactor(ctx, testPassword)
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.app.ConfirmTwoFactor(ctx, securityTOTP(f, enr.Secret)); err != nil {
		f.t.Fatal(err)
	}
	f.shell.Reset(newHome(f.shell))
	homeLoaded(f)
	return enr
}

func securityTOTP(f *fixture, secret string) string {
	f.t.Helper()
	f.srv.Clock.Advance(30 * time.Second)
	return totpCode(f.t, secret, f.srv.Clock.Now())
}

// securityButtons counts the visible buttons labelled with key's text.
func securityButtons(f *fixture, key string) int {
	n := 0
	for _, o := range f.objects() {
		if b, ok := asButton(o); ok && b.Text == tr(key) {
			n++
		}
	}
	return n
}

// TestSecuritySessions lists this device and another, signs the other out,
// then signs out all others at once.
func TestSecuritySessions(t *testing.T) {
	const email = "devices@example.com"
	f := homeSignedIn(t, email)
	other := securityOther(f, email, testPassword)
	f.shell.Reset(newHome(f.shell))
	homeLoaded(f)
	f.waitText(plural("home.sessions_count", 2))

	f.tap("home.sessions_manage")
	f.waitTop("security.sessions.title")
	f.waitFor("two sessions", func() bool { return securityButtons(f, "security.sessions.sign_out") == 1 })
	if !f.shows(tr("security.sessions.this_device")) || !f.shows("test desktop") || !f.shows("127.0.0.1") {
		t.Fatalf("the sessions do not show this device, names and addresses:\n%s", f.texts())
	}
	f.tap("security.sessions.sign_out")
	f.waitFor("one session", func() bool {
		return securityButtons(f, "security.sessions.sign_out") == 0 && f.shows(tr("security.sessions.this_device"))
	})
	securityEnded(f, other)

	third := securityOther(f, email, testPassword)
	f.esc()
	homeLoaded(f)
	f.waitText(plural("home.sessions_count", 2))
	f.tap("home.sessions_manage")
	f.waitFor("two sessions", func() bool { return securityButtons(f, "security.sessions.sign_out") == 1 })
	f.tap("security.sessions.sign_out_others")
	f.waitText(tr("security.sessions.others_done"))
	f.waitFor("one session", func() bool { return securityButtons(f, "security.sessions.sign_out") == 0 })
	securityEnded(f, third)
	if f.app.Account() != email {
		t.Fatal("signing out the others signed this device out")
	}
}

// TestSecurityActivity lists a failed attempt, and "this wasn't me" signs
// out the other devices and leads to the password change.
func TestSecurityActivity(t *testing.T) {
	const email = "activity@example.com"
	f := homeSignedIn(t, email)
	_, stranger := f.newApp()
	if _, err := stranger.SignIn(context.Background(), email, "not the password", false); app.ErrorCode(err) != "invalid_credentials" {
		t.Fatalf("a wrong password: %v", err)
	}
	other := securityOther(f, email, testPassword)

	f.tap("home.activity_show")
	f.waitTop("security.activity.title")
	f.waitText(tr("security.activity.result.invalid_credentials"))
	if !f.shows(tr("security.activity.result.success")) || !f.shows("test desktop") {
		t.Fatalf("the activity misses the sign-ins:\n%s", f.texts())
	}
	// The failed attempt's device name is only what it claimed.
	if claimed := lang.LocalizeKey("security.activity.claimed", "", map[string]any{"Device": "test desktop"}); !f.shows(claimed) {
		t.Fatalf("the failed attempt's device is not shown as claimed:\n%s", f.texts())
	}
	if strings.Contains(f.texts(), "not the password") {
		t.Fatal("the activity shows a password")
	}

	f.tap("security.activity.not_me")
	f.waitTop("security.not_me.title")
	f.tap("security.sessions.sign_out_others")
	f.waitText(tr("security.sessions.others_done"))
	securityEnded(f, other)
	f.tap("security.not_me.change_password")
	f.waitTop("security.password.title")
}

// TestSecurityAntiPhishing keeps Save disabled for an invalid phrase, sets
// a phrase and shows it on home.
func TestSecurityAntiPhishing(t *testing.T) {
	f := homeSignedIn(t, "phish@example.com")
	f.tap("home.phishing_add")
	f.waitTop("security.phishing.title")
	if !f.button("security.phishing.save").Disabled() {
		t.Fatal("Save is enabled with no phrase")
	}
	f.typeIn("security.phishing.placeholder", "   ")
	if !f.button("security.phishing.save").Disabled() {
		t.Fatal("Save is enabled for a blank phrase")
	}
	f.entry("security.phishing.placeholder").SetText(strings.Repeat("x", 65))
	if !f.button("security.phishing.save").Disabled() {
		t.Fatal("Save is enabled for a phrase too long")
	}
	f.entry("security.phishing.placeholder").SetText("")
	f.typeIn("security.phishing.placeholder", "blue teapot")
	if !f.button("security.phishing.save").Disabled() {
		t.Fatal("Save is enabled without the password")
	}
	f.typeIn("security.account_password", "not my password")
	f.tap("security.phishing.save")
	f.waitText(tr("error.wrong_password"))
	if !f.shows(tr("remedy.wrong_password")) || !f.hasButton("action.reset_password") {
		t.Fatalf("a wrong password is not explained:\n%s", f.texts())
	}
	// The refused password is gone from the field, which has the keyboard.
	if pw := f.entry("security.account_password"); pw.Text != "" || f.win.Canvas().Focused() != pw {
		t.Fatalf("after a wrong password the field holds %d characters, focused %v", len(pw.Text), f.win.Canvas().Focused() == pw)
	}
	f.typeIn("security.account_password", testPassword)
	f.tap("security.phishing.save")
	homeLoaded(f)
	f.waitText(`"blue teapot"`)
	me, err := f.app.Me(context.Background())
	if err != nil || me.AntiPhishingPhrase != "blue teapot" {
		t.Fatalf("Me: %+v, %v", me, err)
	}
	f.tap("home.phishing_change")
	f.waitTop("security.phishing.title")
	if !f.shows(`"blue teapot"`) {
		t.Fatalf("the phrase view does not show the phrase:\n%s", f.texts())
	}
}

// TestSecurityChangePassword keeps the button disabled for a weak or
// unrepeated password, explains a wrong current one, and changes it: the
// other devices are signed out and the new password signs in.
func TestSecurityChangePassword(t *testing.T) {
	const email = "change@example.com"
	const newPassword = "another sturdy password 9"
	f := homeSignedIn(t, email)
	other := securityOther(f, email, testPassword)
	f.tap("home.password_change")
	f.waitTop("security.password.title")
	submit := func() *widget.Button { return f.button("security.password.submit") }

	f.typeIn("security.password.current", "wrong current password")
	f.typeIn("field.new_password", "short")
	f.typeIn("field.repeat_password", "short")
	if !submit().Disabled() || !f.shows(tr("reason.too_short")) {
		t.Fatalf("a weak password: enabled %v\n%s", !submit().Disabled(), f.texts())
	}
	f.entry("field.new_password").SetText(newPassword)
	f.entry("field.repeat_password").SetText(newPassword + "x")
	if !submit().Disabled() {
		t.Fatal("two different passwords enable the button")
	}
	f.entry("field.repeat_password").SetText(newPassword)
	f.tap("security.password.submit")
	f.waitText(tr("error.wrong_password"))
	if !f.hasButton("action.reset_password") {
		t.Fatal("a wrong current password offers no reset")
	}

	f.entry("security.password.current").SetText(testPassword)
	f.tap("security.password.submit")
	f.waitText(tr("security.password.done"))
	securityEnded(f, other)
	securityOther(f, email, newPassword)
	_, old := f.newApp()
	if _, err := old.SignIn(context.Background(), email, testPassword, false); app.ErrorCode(err) != "invalid_credentials" {
		t.Fatalf("the old password: %v", err)
	}
	f.tap("security.done")
	homeLoaded(f)
}

// TestSecurityRateLimited explains a 429 with its countdown.
func TestSecurityRateLimited(t *testing.T) {
	f := homeSignedIn(t, "limit@example.com", func(c *server.Config) { c.RateAccount = server.Rate{PerMinute: 1, Burst: 2} })
	f.tap("home.password_change")
	f.typeIn("security.password.current", "wrong current password")
	f.typeIn("field.new_password", "another sturdy password 9")
	f.typeIn("field.repeat_password", "another sturdy password 9")
	for range 2 {
		f.tap("security.password.submit")
		f.waitText(tr("error.wrong_password"))
	}
	f.tap("security.password.submit")
	f.waitText(tr("error.rate_limited"))
	counting := false
	for n := 40; n <= 60; n++ {
		counting = counting || f.shows(plural("hint.retry_in", n))
	}
	if !f.hasButton("action.retry_now") || !counting {
		t.Fatalf("no countdown and retry:\n%s", f.texts())
	}
}

// TestSecuritySessionEnded offers to sign in again when the session was
// signed out from another device.
func TestSecuritySessionEnded(t *testing.T) {
	const email = "ended@example.com"
	f := homeSignedIn(t, email)
	other := securityOther(f, email, testPassword)
	sessions, err := other.Sessions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, se := range sessions {
		if !se.Current {
			if err := other.RevokeSession(context.Background(), se.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	f.shell.Reset(newHome(f.shell))
	f.waitFor("the failure", func() bool { return f.hasButton("action.sign_in_again") })
	if !f.shows(tr("error.invalid_refresh_token")) && !f.shows(tr("error.unauthorized")) {
		t.Fatalf("the ended session is not explained:\n%s", f.texts())
	}
	want := titleOf(newSignIn(f.shell, nil))
	f.tap("action.sign_in_again")
	if f.shell.Top() != want || f.app.Account() != "" {
		t.Fatalf("after Sign in again: %q, account %q", f.shell.Top(), f.app.Account())
	}
}

// TestSecurityTwoFactor shows two-factor on with its codes, makes new
// recovery codes shown once with a copy the clipboard forgets, and turns
// two-factor off with an authenticator code after a wrong one.
func TestSecurityTwoFactor(t *testing.T) {
	f := homeSignedIn(t, "totp@example.com")
	ctx := context.Background()
	enr := securityTwoFactorOn(f)
	f.waitText(plural("home.two_factor_on", 10))
	if f.hasButton("home.two_factor_enable") {
		t.Fatal("home offers to turn on two-factor that is on")
	}

	f.tap("home.new_codes")
	f.waitTop("security.new_codes.title")
	f.typeIn("security.account_password", testPassword)
	if !f.button("security.new_codes.submit").Disabled() {
		t.Fatal("New codes is enabled with no code")
	}
	password, code := f.entry("security.account_password"), f.entry("security.new_codes.code")
	f.typeIn("security.new_codes.code", securityTOTP(f, enr.Secret))
	f.waitTop("security.codes.title")
	if password.Text != "" || code.Text != "" {
		t.Fatal("the password and code stayed in the closed view's fields")
	}
	// The old codes are dead: the new ones cannot be left unsaved.
	f.esc()
	f.shell.Back()
	if f.shell.Top() != tr("security.codes.title") || f.shell.back.Visible() || !f.shell.settings.Disabled() {
		t.Fatalf("the unsaved codes can be left: top %q, back %v, settings enabled %v",
			f.shell.Top(), f.shell.back.Visible(), !f.shell.settings.Disabled())
	}
	test.Tap(f.shell.settings)
	if f.shell.Top() != tr("security.codes.title") {
		t.Fatal("settings opened over the unsaved codes")
	}
	var codes []string
	for _, o := range f.objects() {
		if l, ok := o.(*widget.Label); ok && l.TextStyle.Monospace {
			codes = append(codes, l.Text)
		}
	}
	if len(codes) != 10 {
		t.Fatalf("shows %d recovery codes: %q", len(codes), codes)
	}
	if !f.button("security.codes.done").Disabled() {
		t.Fatal("Done is enabled before the codes are saved")
	}
	clip := fyne.CurrentApp().Clipboard()
	f.tapCopy("recovery_codes.copy")
	if got := clip.Content(); !strings.Contains(got, codes[0]) || !strings.Contains(got, codes[9]) {
		t.Fatalf("the clipboard holds %d characters, not the codes", len(got))
	}
	if len(f.clearings) != 1 || f.clearings[0].d != clipboardLifetime {
		t.Fatalf("clearings %v", f.clearings)
	}
	f.clearings[0].fn()
	if clip.Content() != "" {
		t.Fatal("the clipboard kept the codes")
	}
	test.Tap(f.check("recovery_codes.saved_check"))
	if !f.shell.back.Visible() || f.shell.settings.Disabled() {
		t.Fatal("the saved codes cannot be left")
	}
	f.tap("security.codes.done")
	homeLoaded(f)
	f.waitText(plural("home.two_factor_on", 10))

	f.tap("home.two_factor_disable")
	f.waitTop("security.two_factor_off.title")
	f.typeIn("security.account_password", testPassword)
	f.typeIn("security.two_factor_off.code", "12345")
	if !f.button("security.two_factor_off.submit").Disabled() {
		t.Fatal("Turn off is enabled with a 5-digit code")
	}
	f.entry("security.two_factor_off.code").SetText("000000")
	f.tap("security.two_factor_off.submit")
	f.waitText(tr("error.invalid_two_factor_code"))
	f.typeIn("security.two_factor_off.code", securityTOTP(f, enr.Secret))
	f.tap("security.two_factor_off.submit")
	f.waitText(tr("security.two_factor_off.done"))
	f.tap("security.done")
	homeLoaded(f)
	f.waitText(tr("home.two_factor_off"))
	me, err := f.app.Me(ctx)
	if err != nil || me.TwoFactorEnabled {
		t.Fatalf("Me after turning off: %+v, %v", me, err)
	}
}

// TestSecurityCodeValid accepts an authenticator code or a recovery code,
// as typed, to turn two-factor off: app.ValidateSecondFactor, which the
// screens share.
func TestSecurityCodeValid(t *testing.T) {
	for code, want := range map[string]bool{
		"123456": true, " 123456 ": true, "12345": false, "1234567": false, "": false,
		"ABCD-EFGH-JKMN": true, "abcd efgh jkmn": true, "ABCD-EFGH": false, "not a code": false,
	} {
		if got := app.ValidateSecondFactor(code) == nil; got != want {
			t.Errorf("ValidateSecondFactor(%q) passes %v, want %v", code, got, want)
		}
	}
}

// TestSecurityTwoFactorOffLocked: wrong codes when turning two-factor off
// count toward the account's lock; the lock is explained with its
// countdown, and the refused code is cleared.
func TestSecurityTwoFactorOffLocked(t *testing.T) {
	f := homeSignedIn(t, "lockoff@example.com")
	enr := securityTwoFactorOn(f)
	f.tap("home.two_factor_disable")
	f.waitTop("security.two_factor_off.title")
	f.typeIn("security.account_password", testPassword)
	wrong := wrongTOTP(t, enr.Secret)
	locked := func() bool { return f.shows(trHead("error.attempts_locked")) }
	for n := 0; !locked(); n++ {
		if n == 2*f.srv.Config.Lock.MaxFailures {
			t.Fatalf("no lock after %d wrong codes:\n%s", n, f.texts())
		}
		f.typeIn("security.two_factor_off.code", wrong)
		f.tap("security.two_factor_off.submit")
		f.waitFor("the answer", func() bool { return locked() || f.shows(tr("error.invalid_two_factor_code")) })
	}
	if f.entry("security.two_factor_off.code").Text != "" || !f.shows(tr("remedy.attempts_locked")) ||
		!f.shows(strings.Split(lang.LocalizeKey("hint.wait", "", map[string]any{"Left": "X"}), "X")[0]) {
		t.Fatalf("the lock is not explained with its countdown, or the code stayed:\n%s", f.texts())
	}
}
