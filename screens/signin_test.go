package screens

import (
	"context"
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"

	"sesame/authapi"
	"sesame/keystore"
	"sesame/server"
	"sesame/server/store"
)

// newSignInFixture is newFixture showing the sign-in form.
func newSignInFixture(t *testing.T, tweak ...func(*server.Config)) *fixture {
	t.Helper()
	f := newFixture(t, tweak...)
	f.waitSignIn()
	return f
}

// waitSignIn waits until the sign-in form is on screen.
func (f *fixture) waitSignIn() {
	f.t.Helper()
	f.waitTop("signin.title")
	f.waitFor("the sign-in form", func() bool { return f.hasButton("signin.submit") })
}

// fillSignIn types email and password into the sign-in form.
func (f *fixture) fillSignIn(email, password string) {
	f.t.Helper()
	f.waitSignIn()
	f.typeIn("field.email_placeholder", email)
	f.typeIn("signin.password", password)
}

// TestSignInForm checks the button follows the validators, and the layout
// in English and Chinese.
func TestSignInForm(t *testing.T) {
	f := newSignInFixture(t)
	f.waitSignIn()
	f.golden("signin/empty.xml")
	if !f.button("signin.submit").Disabled() {
		t.Fatal("Sign in is enabled on an empty form")
	}
	f.typeIn("field.email_placeholder", "not an email")
	f.typeIn("signin.password", "x")
	if !f.button("signin.submit").Disabled() {
		t.Fatal("Sign in is enabled with an invalid email")
	}
	f.entry("field.email_placeholder").SetText("ann@example.org")
	if f.button("signin.submit").Disabled() {
		t.Fatal("Sign in is disabled on a valid form")
	}
	f.entry("signin.password").SetText("")
	if !f.button("signin.submit").Disabled() {
		t.Fatal("Sign in is enabled without a password")
	}

	f.setLanguage("zh_Hans")
	f.shell.Retranslate()
	f.waitSignIn()
	f.golden("signin/empty_zh.xml")
}

// TestSignInLinks follows each link and comes back with Esc.
func TestSignInLinks(t *testing.T) {
	f := newSignInFixture(t)
	f.waitSignIn()
	links := []struct {
		key  string
		want string
	}{
		{"signin.forgot_password", titleOf(newForgotPassword(f.shell, ""))},
		{"signin.create_account", titleOf(newCreateAccount(f.shell, ""))},
		{"signin.cant_sign_in", titleOf(newCantSignIn(f.shell, false))},
	}
	for _, l := range links {
		f.tap(l.key)
		if f.shell.Top() != l.want {
			t.Fatalf("%s shows %q, want %q", l.key, f.shell.Top(), l.want)
		}
		f.esc()
		f.waitSignIn()
	}
}

// TestSignInWrongPassword shows the attempts left and the reset remedy.
func TestSignInWrongPassword(t *testing.T) {
	f := newSignInFixture(t)
	f.register("ann@example.org")
	f.fillSignIn("ann@example.org", "not the password")
	f.tap("signin.submit")
	f.waitText(tr("error.invalid_credentials"))
	if !f.shows(plural("hint.attempts_left", f.srv.Config.Lock.MaxFailures-1)) || !f.shows(tr("remedy.invalid_credentials")) {
		t.Fatalf("no attempts left or fix in:\n%s", f.texts())
	}
	if f.entry("signin.password").Text != "" {
		t.Fatal("the wrong password stays in its field")
	}
	f.golden("signin/wrong_password.xml")
	want := titleOf(newForgotPassword(f.shell, ""))
	f.tap("action.reset_password")
	if f.shell.Top() != want {
		t.Fatalf("Reset password shows %q, want %q", f.shell.Top(), want)
	}
}

// TestSignInLocked locks the account and counts down to the lock's end.
func TestSignInLocked(t *testing.T) {
	f := newSignInFixture(t, func(c *server.Config) { c.Lock.MaxFailures = 2 })
	f.register("bob@example.org")
	f.fillSignIn("bob@example.org", "not the password")
	f.tap("signin.submit")
	f.waitText(tr("error.invalid_credentials"))
	f.typeIn("signin.password", "still not the password")
	f.tap("signin.submit")
	f.waitText(tr("remedy.account_locked"))
	left := lang.LocalizeKey("hint.wait", "", map[string]any{"Left": ""})
	if !f.shows(left) || !f.hasButton("action.reset_password") {
		t.Fatalf("no countdown or reset button in:\n%s", f.texts())
	}
	// The countdown is live: its text changes as the seconds pass.
	before := f.texts()
	f.waitFor("the countdown to move", func() bool { return f.texts() != before })
}

// TestSignInNotVerified offers the activation code, which mails a new one.
func TestSignInNotVerified(t *testing.T) {
	f := newSignInFixture(t)
	_, other := f.newApp()
	if _, err := other.Register(context.Background(), "cat@example.org", testPassword, testPassword); err != nil {
		t.Fatal(err)
	}
	f.code("cat@example.org", "confirm", 0)
	f.fillSignIn("cat@example.org", testPassword)
	f.tap("signin.submit")
	f.waitText(tr("error.account_not_verified"))
	want := titleOf(newVerifyEmail(f.shell, f.app.PendingRegistration("cat@example.org", ""), false))
	f.tap("action.verify_email")
	f.waitFor("the verification screen", func() bool { return f.shell.Top() == want })
	// The server mails in the background: wait for the new code's mail.
	f.code("cat@example.org", "confirm", 1)
	if n := f.mails("cat@example.org"); n != 2 {
		t.Fatalf("%d mails, want the first code and a new one", n)
	}
}

// TestSignInSuspended names the frozen account.
func TestSignInSuspended(t *testing.T) {
	f := newSignInFixture(t)
	f.register("dan@example.org")
	ctx := context.Background()
	acct, err := f.srv.Store.AccountByEmail(ctx, "dan@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.srv.Store.SetSuspended(ctx, acct.ID, true); err != nil {
		t.Fatal(err)
	}
	f.fillSignIn("dan@example.org", testPassword)
	f.tap("signin.submit")
	f.waitText(tr("error.account_suspended"))
	if !f.shows(tr("remedy.account_suspended")) {
		t.Fatalf("no fix in:\n%s", f.texts())
	}
}

// TestSignInResetRequired names the account locked from a "this wasn't
// me" link and offers the reset.
func TestSignInResetRequired(t *testing.T) {
	f := newSignInFixture(t)
	f.register("eve@example.org")
	ctx := context.Background()
	acct, err := f.srv.Store.AccountByEmail(ctx, "eve@example.org")
	if err != nil {
		t.Fatal(err)
	}
	tok := []byte("a link's digest")
	if err := f.srv.Store.PutWasntMeToken(ctx, tok, store.WasntMeToken{AccountID: acct.ID, ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.srv.Store.SecureAccount(ctx, tok, time.Now(), authapi.ActivityEvent{At: time.Now(), Result: authapi.ResultAccountSecured}); err != nil {
		t.Fatal(err)
	}
	f.fillSignIn("eve@example.org", testPassword)
	f.tap("signin.submit")
	f.waitText(tr("error.password_reset_required"))
	if !f.shows(tr("remedy.password_reset_required")) || f.entry("signin.password").Text != "" {
		t.Fatalf("no fix, or the password stays, in:\n%s", f.texts())
	}
	want := titleOf(newForgotPassword(f.shell, ""))
	f.tap("action.reset_password")
	if f.shell.Top() != want {
		t.Fatalf("Reset password shows %q, want %q", f.shell.Top(), want)
	}
}

// TestSignInMaintenance shows the operator's message and signs in by
// itself once the maintenance is over.
func TestSignInMaintenance(t *testing.T) {
	f := newSignInFixture(t)
	f.register("eve@example.org")
	now := f.useClock()
	until := time.Now().Add(10 * time.Minute)
	msg := "Moving to a new data centre"
	f.maintenance(store.Maintenance{On: true, Message: msg, Until: &until})
	f.fillSignIn("eve@example.org", testPassword)
	f.tap("signin.submit")
	f.waitText(tr("error.maintenance"))
	for _, want := range []string{
		lang.LocalizeKey("hint.operator_message", "", map[string]any{"Message": msg}),
		lang.LocalizeKey("hint.maintenance_until", "", map[string]any{"Until": clock(until)}),
	} {
		if !f.shows(want) {
			t.Fatalf("no %q in:\n%s", want, f.texts())
		}
	}
	if !f.hasButton("action.retry_now") || f.app.Account() != "" {
		t.Fatal("no retry button, or signed in during maintenance")
	}
	f.maintenance(store.Maintenance{})
	now.advance(11 * time.Minute)
	f.waitFor("the retry to sign in", func() bool { return f.app.Account() == "eve@example.org" })
}

// TestSignInRateLimited counts down from Retry-After and tries again.
func TestSignInRateLimited(t *testing.T) {
	f := newSignInFixture(t, func(c *server.Config) { c.RateAccount = server.Rate{PerMinute: 1, Burst: 1} })
	// Registering signs in once, which takes the only token.
	f.register("fay@example.org")
	clock := f.useClock()
	f.fillSignIn("fay@example.org", testPassword)
	f.tap("signin.submit")
	f.waitText(tr("error.rate_limited"))
	if !f.shows(tr("remedy.rate_limited")) || !f.hasButton("action.retry_now") {
		t.Fatalf("no fix or retry in:\n%s", f.texts())
	}
	f.srv.Clock.Advance(2 * time.Minute)
	clock.advance(2 * time.Minute)
	f.waitFor("the retry to sign in", func() bool { return f.app.Account() == "fay@example.org" })
}

// TestSignInClientOutdated offers the download.
func TestSignInClientOutdated(t *testing.T) {
	f := newSignInFixture(t, func(c *server.Config) { c.MinClientVersion = "9.0.0" })
	f.fillSignIn("gus@example.org", testPassword)
	f.tap("signin.submit")
	f.waitText(tr("error.client_outdated"))
	if fix := lang.LocalizeKey("remedy.client_outdated", "", map[string]any{"MinVersion": "9.0.0"}); !f.shows(fix) {
		t.Fatalf("no %q in:\n%s", fix, f.texts())
	}
	f.tap("action.download")
	if !slices.Contains(f.opened, f.srv.Config.DownloadURL) {
		t.Fatalf("opened %v, want %s", f.opened, f.srv.Config.DownloadURL)
	}
}

// TestSignInOffline runs the connection check inline and shows where it
// fails, in Chinese.
func TestSignInOffline(t *testing.T) {
	f := newSignInFixture(t)
	f.setLanguage("zh_Hans")
	o := f.other(Connection{App: f.appAt("http://127.0.0.1:1", "")})
	o.fillSignIn("hal@example.org", testPassword)
	o.tap("signin.submit")
	// A server on this computer gets no advice about Wi-Fi.
	o.waitText(lang.LocalizeKey("error.local_unreachable", "", map[string]any{"Host": "127.0.0.1"}))
	if o.shows(tr("remedy.offline")) || !o.shows(tr("remedy.local_unreachable")) {
		t.Fatalf("a refused connection on this computer:\n%s", o.texts())
	}
	o.tap("action.connection_check")
	o.waitText(tr("diag.cause.connection_refused"))
	if !o.shows(tr("diag.fix.connection_refused")) {
		t.Fatalf("no fix in:\n%s", o.texts())
	}
	o.golden("signin/offline_check_zh.xml")
	want := titleOf(newCantSignIn(o.shell, true))
	o.tap("signin.check_full")
	if o.shell.Top() != want {
		t.Fatalf("the full check shows %q, want %q", o.shell.Top(), want)
	}
}

// TestSignInPrior shows the failure of the resume attempt at once.
func TestSignInPrior(t *testing.T) {
	f := newSignInFixture(t)
	f.shell.Reset(newSignIn(f.shell, &authapi.OfflineError{Host: "127.0.0.1"}))
	f.waitText(lang.LocalizeKey("error.local_unreachable", "", map[string]any{"Host": "127.0.0.1"}))
	if !f.hasButton("action.connection_check") {
		t.Fatal("no connection check for an offline resume")
	}
}

// TestSignInRemember signs in, keeps the session in the keychain, and
// prefills the email the next time.
func TestSignInRemember(t *testing.T) {
	f := newSignInFixture(t)
	f.register("ida@example.org")
	home := titleOf(newHome(f.shell))
	f.fillSignIn("ida@example.org", testPassword)
	test.Tap(f.check("signin.remember"))
	f.tap("signin.submit")
	f.waitFor("the sign-in", func() bool { return f.app.Account() == "ida@example.org" })
	f.waitFor("home", func() bool { return f.shell.Top() == home })
	if got := f.app.RememberedAccount(context.Background()); got != "ida@example.org" {
		t.Fatalf("remembered %q", got)
	}

	// Another start that does not resume finds the email filled in.
	_, other := f.newApp()
	f.shell.App = other
	f.shell.Reset(newSignIn(f.shell, nil))
	f.waitFor("the remembered email", func() bool { return f.entry("field.email_placeholder").Text == "ida@example.org" })
	if !f.check("signin.remember").Checked {
		t.Fatal("Remember me is not ticked for a remembered account")
	}
}

// TestSignInKeychainLocked signs in and says that "remember me" could not
// be kept.
func TestSignInKeychainLocked(t *testing.T) {
	f := newSignInFixture(t)
	f.register("jay@example.org")
	keystore.MockInitWithError(&keystore.UnavailableError{Reason: keystore.ReasonLocked, Op: "set"})
	t.Cleanup(keystore.MockInit)
	f.fillSignIn("jay@example.org", testPassword)
	test.Tap(f.check("signin.remember"))
	f.tap("signin.submit")
	f.waitText(tr("signin.keychain_title"))
	if !f.shows(tr("error.keychain_locked")) || f.app.Account() != "jay@example.org" {
		t.Fatalf("signed in as %q; texts:\n%s", f.app.Account(), f.texts())
	}
}
