package screens

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"sesame/app"
	"sesame/server"
	"sesame/server/store"
)

// acctWrongCode is a code that differs from code.
func acctWrongCode(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}

// acctForgotToCode opens the reset for email and sends the code.
func acctForgotToCode(f *fixture, email string) {
	f.t.Helper()
	f.shell.Push(newForgotPassword(f.shell, email))
	f.waitTop("forgot.title")
	f.tap("forgot.send")
	f.waitFor("the code step", func() bool { return f.hasButton("mailcode.resend") })
}

// TestForgotFlow resets the password with the mailed code: a wrong code,
// then the right one, a weak and a mismatched password, the done view and
// signing in with the new password.
func TestForgotFlow(t *testing.T) {
	f := newFixture(t)
	const email = "reset@example.org"
	f.register(email)
	root := f.shell.Top()
	before := f.mails(email)

	f.shell.Push(newForgotPassword(f.shell, email))
	if got := f.entry("field.email_placeholder").Text; got != email {
		t.Fatalf("email field %q, want the prefill %q", got, email)
	}
	if !f.shows(tr("forgot.account_only")) {
		t.Fatal("the account-password-only line is missing")
	}
	f.entry("field.email_placeholder").SetText("not an address")
	if !f.button("forgot.send").Disabled() {
		t.Fatal("send is enabled with an invalid address")
	}
	f.entry("field.email_placeholder").SetText(email)
	f.tap("forgot.send")
	f.waitFor("the code step", func() bool { return f.hasButton("mailcode.resend") })
	if f.shell.Top() != tr("forgot.title") || !f.shows(tr("mailcode.spam")) {
		t.Fatalf("code step: top %q, texts %q", f.shell.Top(), f.texts())
	}
	code := f.code(email, "reset", before)

	f.typeCode(acctWrongCode(code))
	f.waitText(tr("error.invalid_code"))
	if !f.shows(plural("hint.attempts_left", 4)) {
		t.Fatalf("no attempts left after a wrong code: %q", f.texts())
	}
	if f.codeEntry().Text != "" {
		t.Fatal("the wrong code stays in the field")
	}

	f.typeCode(code)
	f.waitFor("the new password step", func() bool { return f.hasButton("forgot.change") })
	if f.shows(tr("forgot.two_factor")) {
		t.Fatal("a second factor is asked of an account without two-factor")
	}
	f.typeIn("field.new_password", "password")
	f.typeIn("field.repeat_password", "password")
	if !f.button("forgot.change").Disabled() || !f.shows(reasonText("common_password")) {
		t.Fatalf("weak password: enabled %v, texts %q", !f.button("forgot.change").Disabled(), f.texts())
	}
	const newPassword = "another sturdy phrase 9"
	f.entry("field.new_password").SetText(newPassword)
	f.entry("field.repeat_password").SetText(newPassword + "x")
	if !f.button("forgot.change").Disabled() {
		t.Fatal("change is enabled with a mismatched confirmation")
	}
	f.entry("field.repeat_password").SetText(newPassword)
	f.tap("forgot.change")
	f.waitFor("the done view", func() bool { return f.hasButton("forgot.sign_in") })
	if !f.shows(tr("forgot.done")) || f.shell.back.Visible() {
		t.Fatalf("done view: texts %q, back shown %v", f.texts(), f.shell.back.Visible())
	}
	f.esc()
	if !f.hasButton("forgot.sign_in") {
		t.Fatal("Esc left the done view")
	}
	f.tap("forgot.sign_in")
	if f.shell.Top() != root || f.shell.Top() != tr("signin.title") {
		t.Fatalf("sign in goes to %q, want %q", f.shell.Top(), tr("signin.title"))
	}
	// The address of the reset is carried back, the password is next.
	if got := f.entry("field.email_placeholder").Text; got != email || f.win.Canvas().Focused() != f.entry("signin.password") {
		t.Fatalf("sign-in after the reset: email %q, focus %T", got, f.win.Canvas().Focused())
	}

	_, other := f.newApp()
	ctx := context.Background()
	if _, err := other.SignIn(ctx, email, testPassword, false); app.ErrorCode(err) != "invalid_credentials" {
		t.Fatalf("the old password: %v", err)
	}
	if res, err := other.SignIn(ctx, email, newPassword, false); err != nil || !res.SignedIn() {
		t.Fatalf("the new password: %v", err)
	}
}

// TestForgotResendCooldown keeps resend disabled until its cooldown ended,
// then sends a new code; an expired code offers a new one.
func TestForgotResendCooldown(t *testing.T) {
	f := newFixture(t)
	clock := f.useClock()
	const email = "cool@example.org"
	f.register(email)
	before := f.mails(email)
	acctForgotToCode(f, email)
	first := f.code(email, "reset", before)
	waits := func(left string) bool {
		return f.shows(lang.LocalizeKey("mailcode.resend_in", "", map[string]any{"Left": left}))
	}
	if !f.button("mailcode.resend").Disabled() || !(waits("1:00") || waits("0:59")) {
		t.Fatalf("resend is offered during its cooldown: %q", f.texts())
	}
	resendAt := func() fyne.Position {
		f.settle("the code step")
		b := must(f, "resend", func(b *button) bool { return b.Text == tr("mailcode.resend") })
		return fyne.CurrentApp().Driver().AbsolutePositionForObject(b)
	}
	at := resendAt()
	clock.advance(61 * time.Second)
	f.waitFor("resend enabled", func() bool { return !f.button("mailcode.resend").Disabled() })
	// The countdown's line says so, and the button stays where it was.
	if now := resendAt(); now != at || !f.shows(tr("mailcode.resend_now")) {
		t.Fatalf("resend moved from %v to %v:\n%s", at, now, f.texts())
	}
	f.tap("mailcode.resend")
	f.waitText(tr("mailcode.resent"))
	second := f.code(email, "reset", before+1)

	// The server's clock moves past the code's life.
	f.srv.Clock.Advance(11 * time.Minute)
	f.typeCode(second)
	f.waitText(tr("error.code_expired"))
	if first == second {
		t.Log("both codes are the same by chance")
	}
	f.tap("action.new_code")
	f.waitText(tr("mailcode.resent"))
	third := f.code(email, "reset", before+2)
	f.typeCode(third)
	f.waitFor("the new password step", func() bool { return f.hasButton("forgot.change") })
}

// TestForgotRateLimited shows the server's wait and retries by itself.
func TestForgotRateLimited(t *testing.T) {
	f := newFixture(t, func(c *server.Config) { c.RateMail = server.Rate{PerMinute: 1, Burst: 1} })
	clock := f.useClock()
	const email = "busy@example.org"
	acctForgotToCode(f, email)
	resendAt := func() fyne.Position {
		f.settle("the code step")
		b := must(f, "resend", func(b *button) bool { return b.Text == tr("mailcode.resend") })
		return fyne.CurrentApp().Driver().AbsolutePositionForObject(b)
	}
	at := resendAt()
	clock.advance(61 * time.Second)
	f.waitFor("resend enabled", func() bool { return !f.button("mailcode.resend").Disabled() })
	// The countdown's line says so, and the button stays where it was.
	if now := resendAt(); now != at || !f.shows(tr("mailcode.resend_now")) {
		t.Fatalf("resend moved from %v to %v:\n%s", at, now, f.texts())
	}
	f.tap("mailcode.resend")
	// Back to the real time, so the server's wait counts down.
	clock.advance(-61 * time.Second)
	f.waitText(tr("error.rate_limited"))
	if !f.shows(tr("remedy.rate_limited")) || !f.hasButton("action.retry_now") {
		t.Fatalf("rate limited: %q", f.texts())
	}
}

// TestForgotClientOutdated offers the download when the server refuses
// this version.
func TestForgotClientOutdated(t *testing.T) {
	f := newFixture(t, func(c *server.Config) { c.MinClientVersion = "99.0.0" })
	f.shell.Push(newForgotPassword(f.shell, "old@example.org"))
	f.tap("forgot.send")
	f.waitText(tr("error.client_outdated"))
	f.tap("action.download")
	if len(f.opened) != 1 || f.opened[0] != f.srv.Config.DownloadURL {
		t.Fatalf("opened %v", f.opened)
	}
}

// TestForgotMaintenance shows the operator's message.
func TestForgotMaintenance(t *testing.T) {
	f := newFixture(t)
	until := time.Now().Add(time.Hour)
	f.maintenance(store.Maintenance{On: true, Message: "Moving to a new disk", Until: &until})
	f.shell.Push(newForgotPassword(f.shell, "maint@example.org"))
	f.tap("forgot.send")
	f.waitText(tr("error.maintenance"))
	f.waitText("Moving to a new disk")
	if f.shell.Top() != tr("forgot.title") || f.hasButton("mailcode.resend") {
		t.Fatal("the reset went on during maintenance")
	}
}

// TestForgotTwoFactor asks an account with two-factor on for its second
// factor: a wrong code is refused, a recovery code is taken.
func TestForgotTwoFactor(t *testing.T) {
	f := newFixture(t)
	const email = "twofa@example.org"
	_, codes := f.twoFactorAccount(email)
	before := f.mails(email)
	acctForgotToCode(f, email)
	f.typeCode(f.code(email, "reset", before))
	f.waitFor("the new password step", func() bool { return f.hasButton("forgot.change") })
	if !f.shows(tr("forgot.two_factor")) {
		t.Fatal("no word about the second factor")
	}
	const newPassword = "another sturdy phrase 9"
	f.typeIn("field.new_password", newPassword)
	f.typeIn("field.repeat_password", newPassword)
	if !f.button("forgot.change").Disabled() {
		t.Fatal("change is enabled without the second factor")
	}
	f.typeIn("forgot.second_factor", "12345")
	if !f.button("forgot.change").Disabled() {
		t.Fatal("change is enabled with a 5-digit code")
	}
	f.entry("forgot.second_factor").SetText("000000")
	f.tap("forgot.change")
	f.waitText(tr("error.invalid_two_factor_code"))
	if f.entry("forgot.second_factor").Text != "" {
		t.Fatal("the wrong code stays in the field")
	}
	f.typeIn("forgot.second_factor", strings.ToLower(codes[0]))
	f.tap("forgot.change")
	f.waitFor("the done view", func() bool { return f.hasButton("forgot.sign_in") })
	_, other := f.newApp()
	res, err := other.SignIn(context.Background(), email, newPassword, false)
	if err != nil || res.Challenge == nil {
		t.Fatalf("the new password: %v, challenge %v", err, res.Challenge)
	}
}

// TestForgotResetExpired starts again when the new password comes too late.
func TestForgotResetExpired(t *testing.T) {
	f := newFixture(t)
	const email = "late@example.org"
	f.register(email)
	before := f.mails(email)
	acctForgotToCode(f, email)
	f.typeCode(f.code(email, "reset", before))
	f.waitFor("the new password step", func() bool { return f.hasButton("forgot.change") })
	f.srv.Clock.Advance(16 * time.Minute)
	f.typeIn("field.new_password", "another sturdy phrase 9")
	f.typeIn("field.repeat_password", "another sturdy phrase 9")
	f.tap("forgot.change")
	f.waitText(tr("error.reset_token_expired"))
	f.tap("action.reset_password")
	if !f.hasButton("forgot.send") || f.entry("field.email_placeholder").Text != email {
		t.Fatalf("start again: %q", f.texts())
	}
	f.esc()
	if f.shell.Top() != tr("signin.title") {
		t.Fatalf("Esc from the new start goes to %q", f.shell.Top())
	}
}

// TestForgotNavigation goes back with Esc from each step, and the wallet
// link opens the restore from the recovery phrase.
func TestForgotNavigation(t *testing.T) {
	f := newFixture(t)
	root := f.shell.Top()
	f.shell.Push(newForgotPassword(f.shell, ""))
	f.esc()
	if f.shell.Top() != root {
		t.Fatalf("Esc from the email step goes to %q", f.shell.Top())
	}
	acctForgotToCode(f, "nobody@example.org")
	f.esc()
	if f.shell.Top() != root {
		t.Fatalf("Esc from the code step goes to %q", f.shell.Top())
	}
	f.shell.Push(newForgotPassword(f.shell, ""))
	f.tap("forgot.restore_wallet")
	if f.shell.Top() == tr("forgot.title") || f.shell.Top() == root {
		t.Fatalf("the wallet link goes to %q", f.shell.Top())
	}
	f.esc()
	if f.shell.Top() != tr("forgot.title") {
		t.Fatalf("Esc from the restore goes to %q", f.shell.Top())
	}
}

// TestForgotGolden renders each step in English and the first in Chinese.
func TestForgotGolden(t *testing.T) {
	f := newFixture(t)
	clock := f.useClock()
	const email = "golden@example.org"
	f.register(email)
	f.shell.Push(newForgotPassword(f.shell, email))
	f.golden("forgot/email.xml")

	before := f.mails(email)
	reset, err := f.app.StartPasswordReset(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	clock.freeze(reset.SentAt)
	f.shell.Replace(newForgotCode(f.shell, reset))
	f.golden("forgot/code.xml")

	f.typeCode(acctWrongCode(f.code(email, "reset", before)))
	f.waitText(tr("error.invalid_code"))
	f.golden("forgot/code_wrong.xml")

	if err := reset.Verify(context.Background(), f.code(email, "reset", before)); err != nil {
		t.Fatal(err)
	}
	f.shell.Replace(newForgotNewPassword(f.shell, reset))
	f.typeIn("field.new_password", "password")
	f.golden("forgot/new_password.xml")

	reset.TwoFactorRequired = true
	f.shell.Replace(newForgotNewPassword(f.shell, reset))
	f.golden("forgot/new_password_two_factor.xml")

	f.shell.Reset(newForgotDone(f.shell, email))
	f.golden("forgot/done.xml")

	f.setLanguage("zh_Hans")
	f.shell.Reset(newForgotPassword(f.shell, email))
	f.golden("forgot/email_zh.xml")
	f.shell.Reset(newForgotDone(f.shell, email))
	f.golden("forgot/done_zh.xml")
}

// TestForgotOffline names a server that cannot be reached and offers the
// connection check, never the error's own words.
func TestForgotOffline(t *testing.T) {
	f := newFixture(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	a := f.appAt("http://"+addr, "")
	f.shell.App = a
	f.shell.Push(newForgotPassword(f.shell, "away@example.org"))
	f.tap("forgot.send")
	f.waitFor("a failure", func() bool { return len(f.shell.LastErrors()) > 0 })
	code := f.shell.LastErrors()[0]
	t.Logf("the failure is %s", code)
	want := lang.LocalizeKey("error."+string(code), "", map[string]any{"Host": f.shell.Host()})
	if !f.shows(want) || !f.hasButton("action.connection_check") || f.shows(addr) && !strings.Contains(want, addr) {
		t.Fatalf("offline (%s): %q", code, f.texts())
	}
	f.tap("action.connection_check")
	if f.shell.Top() == tr("forgot.title") {
		t.Fatal("the connection check did not open")
	}
}
