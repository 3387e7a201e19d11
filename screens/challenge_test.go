package screens

import (
	"context"
	"net/http"
	"testing"
	"time"

	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"

	"sesame/app"
	"sesame/internal/testserver"
)

// toChallenge signs in with the password through the screen and waits for
// the two-factor step.
func (f *fixture) toChallenge(email string) {
	f.t.Helper()
	f.fillSignIn(email, testPassword)
	f.tap("signin.submit")
	f.waitTop("challenge.title")
	f.waitFor("the code field", func() bool { return f.hasButton("challenge.submit") })
}

// TestChallengeCode refuses a wrong code with the attempts left, then
// signs in with the right one, which is sent as soon as it is typed.
func TestChallengeCode(t *testing.T) {
	f := newSignInFixture(t)
	secret, _ := f.twoFactorAccount("kim@example.org")
	f.toChallenge("kim@example.org")
	if !f.button("challenge.submit").Disabled() {
		t.Fatal("Verify is enabled without a code")
	}

	f.typeCode(wrongTOTP(t, secret))
	f.waitText(tr("error.invalid_two_factor_code"))
	// The wrong code counts toward the lock that wrong passwords lead to,
	// and the hint says so.
	if !f.shows(plural("hint.attempts_left_shared", f.srv.Config.Lock.MaxFailures-1)) {
		t.Fatalf("no attempts left in:\n%s", f.texts())
	}
	if f.codeEntry().Text != "" || f.app.Account() != "" {
		t.Fatal("the wrong code stays in its field, or it signed in")
	}

	// The next step's code: the current one was spent turning two-factor on.
	f.typeCode(totpCode(t, secret, time.Now().Add(30*time.Second)))
	f.waitFor("the sign-in", func() bool { return f.app.Account() == "kim@example.org" })
	home := titleOf(newHome(f.shell))
	f.waitFor("home", func() bool { return f.shell.Top() == home })
}

// TestChallengeTrust ticks "trust this computer": the next sign-in skips
// two-factor, the devices list shows the trust on this computer, and
// stopping it there, after a confirmation, asks for two-factor again.
func TestChallengeTrust(t *testing.T) {
	f := newSignInFixture(t)
	const email = "tia@example.org"
	secret, _ := f.twoFactorAccount(email)
	f.toChallenge(email)
	trust := must(f, "the trust box", func(c *check) bool {
		return c.Text == lang.LocalizeKey("challenge.trust", "", map[string]any{"Days": app.TrustDays})
	})
	if trust.Checked || !f.shows(tr("challenge.trust_note")) {
		t.Fatalf("the trust box is ticked, or has no note:\n%s", f.texts())
	}
	test.Tap(trust)
	f.typeCode(totpCode(t, secret, time.Now().Add(30*time.Second)))
	f.waitFor("the sign-in", func() bool { return f.app.Account() == email })

	ctx := context.Background()
	if err := f.app.SignOut(ctx); err != nil {
		t.Fatal(err)
	}
	if res, err := f.app.SignIn(ctx, email, testPassword, false); err != nil || !res.SignedIn() {
		t.Fatalf("the trusted computer's sign-in: %v, signed in %v", err, res.SignedIn())
	}
	f.shell.Reset(newHome(f.shell))
	homeLoaded(f)
	f.tap("home.sessions_manage")
	f.waitText(tr("security.devices.this_computer"))
	if !f.shows(trHead("security.devices.trusted_until")) {
		t.Fatalf("no trust shown:\n%s", f.texts())
	}
	f.tap("security.devices.forget")
	f.waitText(lang.LocalizeKey("security.devices.confirm", "", map[string]any{"Device": "test desktop"}))
	// Forgetting takes the account's password: the button waits for it.
	if !f.button("security.devices.confirm_button").Disabled() {
		t.Fatal("the device can be forgotten without the password")
	}
	if !f.warnsTyping("security.account_password", "A STURDY PASSWORD", app.WarnCapsLock) {
		t.Errorf("the password to forget a device does not warn of Caps Lock:\n%s", f.texts())
	}
	f.typeIn("security.account_password", testPassword)
	f.tap("security.devices.confirm_button")
	f.waitText(tr("security.devices.forgotten"))

	if err := f.app.SignOut(ctx); err != nil {
		t.Fatal(err)
	}
	if res, err := f.app.SignIn(ctx, email, testPassword, false); err != nil || res.SignedIn() {
		t.Fatalf("a computer no longer trusted was not asked for two-factor: %v", err)
	}
}

// TestChallengeRecoveryCode signs in with a recovery code instead.
func TestChallengeRecoveryCode(t *testing.T) {
	f := newSignInFixture(t)
	_, codes := f.twoFactorAccount("lea@example.org")
	f.toChallenge("lea@example.org")
	f.tap("challenge.use_recovery")
	if !f.shows(tr("challenge.recovery_intro")) || !f.hasButton("challenge.use_code") {
		t.Fatalf("no recovery code form in:\n%s", f.texts())
	}
	f.typeIn("challenge.recovery_placeholder", "ABCD-EFGH")
	if !f.button("challenge.submit").Disabled() {
		t.Fatal("Verify is enabled with half a recovery code")
	}
	f.entry("challenge.recovery_placeholder").SetText(codes[3])
	f.tap("challenge.submit")
	f.waitFor("the sign-in", func() bool { return f.app.Account() == "lea@example.org" })
}

// TestChallengeToggle goes to the recovery code and back.
func TestChallengeToggle(t *testing.T) {
	f := newSignInFixture(t)
	f.twoFactorAccount("max@example.org")
	f.toChallenge("max@example.org")
	f.tap("challenge.use_recovery")
	f.tap("challenge.use_code")
	if !f.shows(tr("challenge.intro")) || f.codeEntry() == nil || f.hasButton("challenge.use_code") {
		t.Fatalf("not back to the code in:\n%s", f.texts())
	}
	// Esc leaves the challenge for the sign-in form, whose password was
	// cleared.
	f.esc()
	f.waitSignIn()
	if f.entry("signin.password").Text != "" {
		t.Fatal("the password stays in the sign-in form")
	}
}

// TestChallengeExpired offers to sign in again.
func TestChallengeExpired(t *testing.T) {
	f := newSignInFixture(t)
	secret, _ := f.twoFactorAccount("ned@example.org")
	f.toChallenge("ned@example.org")
	f.srv.Clock.Advance(10 * time.Minute)
	f.typeCode(totpCode(t, secret, time.Now().Add(10*time.Minute)))
	f.waitText(tr("error.challenge_expired"))
	f.tap("action.sign_in_again")
	f.waitSignIn()
	if len(f.shell.stack) != 1 {
		t.Fatalf("%d views on the stack after signing in again", len(f.shell.stack))
	}
}

// TestChallengeClockSkew warns with the measured offset when the server's
// Date is two minutes ahead, in English and in Chinese.
func TestChallengeClockSkew(t *testing.T) {
	f := newSignInFixture(t)
	f.twoFactorAccount("ola@example.org")
	ahead := testserver.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", time.Now().Add(2*time.Minute).UTC().Format(http.TimeFormat))
		f.srv.Handler.ServeHTTP(w, r)
	}))
	a := f.appAt(ahead.URL, "")
	c := a.Client()
	f.shell.App = a
	f.toChallenge("ola@example.org")
	offset, _ := c.ClockOffset()
	if offset < 110*time.Second || offset > 130*time.Second {
		t.Fatalf("measured offset %v", offset)
	}
	want := lang.LocalizeKey("challenge.clock_behind", "", map[string]any{"Offset": offsetText(offset)})
	if !f.shows(want) || !f.shows(tr("remedy.clock_skew")) {
		t.Fatalf("no %q and its fix in:\n%s", want, f.texts())
	}

	f.setLanguage("zh_Hans")
	res, err := a.SignIn(context.Background(), "ola@example.org", testPassword, false)
	if err != nil || res.Challenge == nil {
		t.Fatalf("sign-in: %v, challenge %v", err, res.Challenge)
	}
	f.shell.Push(newTwoFactorChallenge(f.shell, res.Challenge))
	want = lang.LocalizeKey("challenge.clock_behind", "", map[string]any{"Offset": offsetText(res.Challenge.ClockOffset)})
	if !f.shows(want) || !f.shows(tr("remedy.clock_skew")) {
		t.Fatalf("no %q and its fix in:\n%s", want, f.texts())
	}
}

// TestChallengeLayout is the layout of the challenge in English and in
// Chinese.
func TestChallengeLayout(t *testing.T) {
	f := newSignInFixture(t)
	f.twoFactorAccount("pia@example.org")
	res, err := f.app.SignIn(context.Background(), "pia@example.org", testPassword, false)
	if err != nil || res.Challenge == nil {
		t.Fatalf("sign-in: %v, challenge %v", err, res.Challenge)
	}
	f.shell.Push(newTwoFactorChallenge(f.shell, res.Challenge))
	f.golden("challenge/code.xml")

	f.setLanguage("zh_Hans")
	f.shell.Replace(newTwoFactorChallenge(f.shell, res.Challenge))
	f.golden("challenge/code_zh.xml")
}

// TestOffsetText writes offsets in hours, minutes and seconds.
func TestOffsetText(t *testing.T) {
	if err := SetLanguage("en"); err != nil {
		t.Fatal(err)
	}
	for d, want := range map[time.Duration]string{
		42 * time.Second:                  "42 s",
		2*time.Minute + 5*time.Second:     "2 min 5 s",
		time.Hour + 2*time.Minute + 500e6: "1 h 2 min 1 s",
	} {
		if got := offsetText(d); got != want {
			t.Errorf("offsetText(%v) = %q, want %q", d, got, want)
		}
	}
}
