package screens

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"sesame/app"
	"sesame/authapi"
	"sesame/internal/testserver"
	"sesame/keystore"
	"sesame/server"
	"sesame/server/store"
)

// newSignInFixture is newFixture showing a sign-in screen built on the
// test's goroutine (see quietShell).
func newSignInFixture(t *testing.T, tweak ...func(*server.Config)) *fixture {
	t.Helper()
	test.NewTempApp(t)
	fyne.CurrentApp().Settings().SetTheme(NewTheme())
	if err := SetLanguage("en"); err != nil {
		t.Fatal(err)
	}
	keystore.MockInit()
	f := &fixture{t: t, srv: testserver.Start(t, tweak...), data: t.TempDir()}
	f.client, f.app = f.newApp()
	f.win = test.NewTempWindow(t, nil)
	f.win.Resize(fixtureSize)
	f.shell = f.quietShell(f.app, f.options(), f.win)
	f.waitSignIn()
	return f
}

// quietShell builds a shell for a in win and shows a sign-in screen built
// on the test's goroutine. The test driver runs fyne.Do at once on the
// worker's goroutine, so the end of NewShell's resume attempt would change
// the window while the test reads it; here the attempt resumes a session
// held for another server that answers only when the test ends, and its
// view is replaced before it can call back.
func (f *fixture) quietShell(a *app.App, opts Options, win fyne.Window) *Shell {
	t := f.t
	t.Helper()
	hold, asked := make(chan struct{}), make(chan struct{}, 1)
	hung := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		select {
		case asked <- struct{}{}:
		default:
		}
		<-hold
	}))
	t.Cleanup(hung.Close)
	t.Cleanup(func() { close(hold) })
	if err := (keystore.Keychain{}).SaveRefreshToken(context.Background(), hung.URL, "held@example.org", "held"); err != nil {
		t.Fatal(err)
	}
	c, err := authapi.NewClient(hung.URL)
	if err != nil {
		t.Fatal(err)
	}
	held, err := app.New(app.Config{Client: c, Keychain: keystore.Keychain{}, DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	s := NewShell(held, opts, win)
	// Once the server is asked, the resume no longer reads s.App.
	select {
	case <-asked:
	case <-time.After(10 * time.Second):
		t.Fatal("the resume attempt did not start")
	}
	s.App, s.Opts = a, opts
	s.refreshBadge()
	s.Reset(newSignIn(s, nil))
	return s
}

// golden lays the window out again, as a real canvas does on its next
// frames for objects shown since (Fyne's test canvas does not; twice, as
// wrapped text is as tall as its width makes it), and compares its markup
// with testdata/name.
func (f *fixture) golden(name string) {
	f.t.Helper()
	f.win.Content().Refresh()
	f.win.Content().Refresh()
	test.AssertRendersToMarkup(f.t, name, f.win.Canvas())
}

// titleOf is the title of a view a screen constructor builds; the view is
// closed at once, so nothing it started goes on.
func titleOf(v *view) string {
	if v.cancel != nil {
		v.cancel()
	}
	if v.closed != nil {
		v.closed()
	}
	return v.title
}

// check finds the visible check box labelled with key's text.
func (f *fixture) check(key string) *widget.Check {
	f.t.Helper()
	want := tr(key)
	for _, o := range f.objects() {
		if c, ok := o.(*widget.Check); ok && c.Text == want {
			return c
		}
	}
	f.t.Fatalf("no check box %q on %q", want, f.shell.Top())
	return nil
}

// fakeNow moves the shell's countdown clock ahead of the real time by the
// duration the returned value holds.
func (f *fixture) fakeNow() *atomic.Int64 {
	var ahead atomic.Int64
	f.shell.Opts.Now = func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }
	return &ahead
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

// waitStatus waits until the server's status is want, past the second
// for which the server keeps its maintenance switch.
func (f *fixture) waitStatus(want string) {
	f.t.Helper()
	f.waitFor("server status "+want, func() bool {
		st, err := f.client.Status(context.Background())
		return err == nil && st.Status == want
	})
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

	if err := SetLanguage("zh_Hans"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { SetLanguage("en") })
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
		f.win.Canvas().(test.WindowlessCanvas).OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
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

// TestSignInMaintenance shows the operator's message and signs in by
// itself once the maintenance is over.
func TestSignInMaintenance(t *testing.T) {
	f := newSignInFixture(t)
	f.register("eve@example.org")
	ahead := f.fakeNow()
	ctx := context.Background()
	until := time.Now().Add(10 * time.Minute)
	msg := "Moving to a new data centre"
	if err := f.srv.Store.SetMaintenance(ctx, store.Maintenance{On: true, Message: msg, Until: &until}); err != nil {
		t.Fatal(err)
	}
	f.waitStatus(authapi.StatusMaintenance)
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
	if err := f.srv.Store.SetMaintenance(ctx, store.Maintenance{}); err != nil {
		t.Fatal(err)
	}
	f.waitStatus(authapi.StatusOK)
	ahead.Store(int64(11 * time.Minute))
	f.waitFor("the retry to sign in", func() bool { return f.app.Account() == "eve@example.org" })
}

// TestSignInRateLimited counts down from Retry-After and tries again.
func TestSignInRateLimited(t *testing.T) {
	f := newSignInFixture(t, func(c *server.Config) { c.RateAccount = server.Rate{PerMinute: 1, Burst: 1} })
	// Registering signs in once, which takes the only token.
	f.register("fay@example.org")
	ahead := f.fakeNow()
	f.fillSignIn("fay@example.org", testPassword)
	f.tap("signin.submit")
	f.waitText(tr("error.rate_limited"))
	if !f.shows(tr("remedy.rate_limited")) || !f.hasButton("action.retry_now") {
		t.Fatalf("no fix or retry in:\n%s", f.texts())
	}
	f.srv.Clock.Advance(2 * time.Minute)
	ahead.Store(int64(2 * time.Minute))
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
	if err := SetLanguage("zh_Hans"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { SetLanguage("en") })
	c, err := authapi.NewClient("http://127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(app.Config{Client: c, Keychain: keystore.Keychain{}, DataDir: t.TempDir(), DeviceName: "test desktop"})
	if err != nil {
		t.Fatal(err)
	}
	o := *f
	o.app, o.client = a, nil
	o.win = test.NewTempWindow(t, nil)
	o.win.Resize(fixtureSize)
	o.shell = f.quietShell(a, Options{Version: "1.0.0"}, o.win)
	o.fillSignIn("hal@example.org", testPassword)
	o.tap("signin.submit")
	o.waitText(lang.LocalizeKey("error.offline", "", map[string]any{"Host": "127.0.0.1"}))
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
	f.waitText(lang.LocalizeKey("error.offline", "", map[string]any{"Host": "127.0.0.1"}))
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
