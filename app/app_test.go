package app_test

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"sesame/app"
	"sesame/authapi"
	"sesame/internal/testserver"
	"sesame/keystore"
	"sesame/recovery"
)

// fixture is the reference server over loopback HTTP with a SQLite file,
// and an App talking to it. The keychain is the test's own, in memory:
// these are tests of the keychain's caller; keystore's own tests use the
// real Secret Service.
type fixture struct {
	t       *testing.T
	url     string
	dataDir string
	client  *authapi.Client
	app     *app.App
	kc      *memKeychain
	// clock is the apps' clock of the backup drills, moved by the tests.
	clock time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	return serveFixture(t, testserver.New(t).Handler)
}

// serveFixture is newFixture over the server handler h, which may wrap a
// reference server of the test's own.
func serveFixture(t *testing.T, h http.Handler) *fixture {
	t.Helper()
	f := &fixture{t: t, url: testserver.Serve(t, h).URL, dataDir: t.TempDir(), kc: newMemKeychain(), clock: time.Now()}
	f.client, f.app = f.newApp()
	return f
}

// newApp is another start of the program on the same computer.
func (f *fixture) newApp() (*authapi.Client, *app.App) {
	f.t.Helper()
	c, err := authapi.NewClient(f.url)
	if err != nil {
		f.t.Fatal(err)
	}
	a, err := app.New(app.Config{Client: c, Keychain: f.kc, DataDir: f.dataDir, DeviceName: "test desktop",
		Now: func() time.Time { return f.clock }})
	if err != nil {
		f.t.Fatal(err)
	}
	return c, a
}

var codeRE = regexp.MustCompile(`\b\d{6}\b`)

// code waits for the newest of the mails to addr beyond the first after
// whose subject has word, and returns its code, if any.
// Notices are sent in the background too: one may come after the code.
func (f *fixture) code(addr, word string, after int) string {
	f.t.Helper()
	return f.mailWith(addr, word, after, func(text string) (string, bool) { return codeRE.FindString(text), true })
}

// mailWith waits for the newest of the mails to addr beyond the first
// after whose subject has word and whose text find takes, and returns
// what find found in it.
func (f *fixture) mailWith(addr, word string, after int, find func(text string) (string, bool)) string {
	f.t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		mails, err := f.client.Mailbox(context.Background(), addr)
		if err != nil {
			f.t.Fatal(err)
		}
		for _, m := range mails[:max(len(mails)-after, 0)] {
			if !strings.Contains(strings.ToLower(m.Subject), word) {
				continue
			}
			if c, ok := find(m.Text); ok {
				return c
			}
		}
	}
	f.t.Fatalf("no %q mail to %s", word, addr)
	return ""
}

func (f *fixture) mails(addr string) int {
	m, err := f.client.Mailbox(context.Background(), addr)
	if err != nil {
		f.t.Fatal(err)
	}
	return len(m)
}

const password = "a sturdy password 7"

// register creates, verifies and signs in an account.
func (f *fixture) register(email string, remember bool) {
	f.t.Helper()
	ctx := context.Background()
	reg, err := f.app.Register(ctx, email, password, password)
	if err != nil {
		f.t.Fatal(err)
	}
	res, err := reg.Verify(ctx, f.code(email, "confirm", 0), remember)
	if err != nil || !res.SignedIn() || res.RememberErr != nil {
		f.t.Fatalf("verify: %+v %v", res, err)
	}
}

// signOut signs the fixture's app out.
func (f *fixture) signOut() {
	f.t.Helper()
	if err := f.app.SignOut(context.Background()); err != nil {
		f.t.Fatal(err)
	}
}

func TestRegisterRememberResumeSignOut(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.app.Register(ctx, "bad address", password, password); !errors.Is(err, authapi.ErrInvalidEmail) {
		t.Fatalf("bad address: %v", err)
	}
	if _, err := f.app.Register(ctx, "a@example.org", password, password+"x"); !errors.Is(err, app.ErrPasswordsDiffer) {
		t.Fatalf("differing passwords: %v", err)
	}
	var weak *authapi.WeakPasswordError
	if _, err := f.app.Register(ctx, "a@example.org", "password1", "password1"); !errors.As(err, &weak) {
		t.Fatalf("weak password: %v", err)
	}

	f.register("alice@example.org", true)
	if f.app.Account() != "alice@example.org" {
		t.Fatalf("account %q", f.app.Account())
	}
	tok, err := f.kc.RefreshToken(ctx, f.url, "alice@example.org")
	if held, _ := f.client.Tokens(); err != nil || tok != held.RefreshToken {
		t.Fatalf("the keychain holds no current refresh token: %v", err)
	}
	// A rotation keeps the keychain current.
	if _, err := f.client.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if tok2, _ := f.kc.RefreshToken(ctx, f.url, "alice@example.org"); tok2 == tok {
		t.Fatal("the keychain kept the rotated-out token")
	}

	// The next start resumes without the password.
	_, again := f.newApp()
	if ok, err := again.Resume(ctx); !ok || err != nil {
		t.Fatalf("resume: %v %v", ok, err)
	}
	if me, err := again.Me(ctx); err != nil || me.Email != "alice@example.org" {
		t.Fatalf("me after resume: %+v %v", me, err)
	}
	if err := again.SignOut(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := f.kc.RefreshToken(ctx, f.url, "alice@example.org"); !errors.Is(err, keystore.ErrNotFound) {
		t.Fatalf("the token outlived the sign-out: %v", err)
	}
	_, third := f.newApp()
	if ok, err := third.Resume(ctx); ok || err != nil {
		t.Fatalf("resume after sign-out: %v %v", ok, err)
	}
}

func TestSignInErrorsAreTyped(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.register("bob@example.org", false)
	f.signOut()
	_, err := f.app.SignIn(ctx, "bob@example.org", "not the password", false)
	var p *authapi.Problem
	if !errors.Is(err, authapi.ErrInvalidCredentials) || !errors.As(err, &p) || p.AttemptsLeft == nil || *p.AttemptsLeft != 4 {
		t.Fatalf("wrong password: %v", err)
	}
	for i := 0; i < 4; i++ {
		_, err = f.app.SignIn(ctx, "bob@example.org", "not the password", false)
	}
	if !errors.Is(err, authapi.ErrAccountLocked) || !errors.As(err, &p) || p.LockedUntil == nil {
		t.Fatalf("locked: %v", err)
	}
	// A reset lifts the lock.
	r, err := f.app.StartPasswordReset(ctx, "bob@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Complete(ctx, "x", "x", ""); !errors.Is(err, app.ErrStepOrder) {
		t.Fatalf("complete before verify: %v", err)
	}
	if err := r.Verify(ctx, f.code("bob@example.org", "reset", 1)); err != nil || r.TwoFactorRequired {
		t.Fatalf("verify: %v", err)
	}
	if err := r.Complete(ctx, "new sturdy password 8", "new sturdy password 8", ""); err != nil {
		t.Fatal(err)
	}
	if res, err := f.app.SignIn(ctx, "bob@example.org", "new sturdy password 8", false); err != nil || !res.SignedIn() {
		t.Fatalf("sign-in after reset: %v", err)
	}
}

func TestRememberWithoutKeychain(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.register("carol@example.org", false)
	f.signOut()
	f.kc.breakWith(&keystore.UnavailableError{Reason: keystore.ReasonNoProvider, Op: "save"})
	res, err := f.app.SignIn(ctx, "carol@example.org", password, true)
	if err != nil || !res.SignedIn() {
		t.Fatalf("sign-in: %v", err)
	}
	if !errors.Is(res.RememberErr, keystore.ErrKeychainUnavailable) {
		t.Fatalf("RememberErr = %v", res.RememberErr)
	}
	if _, err := f.app.Me(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestTwoFactorEnrolAndSignIn(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.register("dave@example.org", false)
	en, err := f.app.StartTwoFactor(ctx, password)
	if err != nil {
		t.Fatal(err)
	}
	if img, err := png.Decode(bytes.NewReader(en.QR)); err != nil || img.Bounds().Dx() < 200 {
		t.Fatalf("QR code: %v", err)
	}
	if strings.ReplaceAll(en.GroupedSecret, " ", "") != en.Secret || en.GroupedSecret[4] != ' ' {
		t.Fatalf("grouped secret %q", en.GroupedSecret)
	}
	if _, err := f.app.ConfirmTwoFactor(ctx, "12345"); !errors.Is(err, authapi.ErrInvalidCode) {
		t.Fatalf("short code: %v", err)
	}
	code, _ := totp.GenerateCode(en.Secret, time.Now().Add(-30*time.Second))
	codes, err := f.app.ConfirmTwoFactor(ctx, code)
	if err != nil || len(codes) != 10 {
		t.Fatalf("confirm: %v %d", err, len(codes))
	}
	f.signOut()

	res, err := f.app.SignIn(ctx, "dave@example.org", password, false)
	if err != nil || res.SignedIn() || res.Challenge.ClockSkewed() {
		t.Fatalf("password step: %+v %v", res, err)
	}
	if _, err := f.app.CompleteTwoFactor(ctx, res.Challenge, "000000", false); !errors.Is(err, authapi.ErrInvalidTwoFactorCode) {
		t.Fatalf("wrong code: %v", err)
	}
	code, _ = totp.GenerateCode(en.Secret, time.Now())
	if res, err = f.app.CompleteTwoFactor(ctx, res.Challenge, code, false); err != nil || !res.SignedIn() {
		t.Fatalf("code step: %v", err)
	}
	// Signing in again needs signing out first.
	if _, err := f.app.SignIn(ctx, "dave@example.org", password, false); !errors.Is(err, app.ErrSignedIn) {
		t.Fatalf("second sign-in: %v", err)
	}
	f.signOut()
	// A recovery code typed in lower case with spaces.
	res, _ = f.app.SignIn(ctx, "dave@example.org", password, false)
	if res, err = f.app.CompleteTwoFactor(ctx, res.Challenge, strings.ToLower(strings.ReplaceAll(codes[0], "-", " ")), false); err != nil || !res.SignedIn() {
		t.Fatalf("recovery code: %v", err)
	}
	me, err := f.app.Me(ctx)
	if err != nil || !me.TwoFactorEnabled || me.RecoveryCodesLeft != 9 {
		t.Fatalf("me: %+v %v", me, err)
	}

	// The reset of a two-factor account asks for a code.
	r, err := f.app.StartPasswordReset(ctx, "dave@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Verify(ctx, f.code("dave@example.org", "reset", f.mails("dave@example.org")-1)); err != nil || !r.TwoFactorRequired {
		t.Fatalf("verify: %v %v", err, r.TwoFactorRequired)
	}
	if err := r.Complete(ctx, "new sturdy password 8", "new sturdy password 8", codes[1]); err != nil {
		t.Fatal(err)
	}
	// Every session was signed out by the reset: the app forgets it.
	if _, err := f.app.Me(ctx); !errors.Is(err, authapi.ErrUnauthorized) && !errors.Is(err, authapi.ErrInvalidRefreshToken) {
		t.Fatalf("me after reset: %v", err)
	}
	if f.app.Account() != "" {
		t.Fatalf("the app still names %q after the server ended the session", f.app.Account())
	}
}

func TestWalletCreateQuizUnlock(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	if s, err := f.app.WalletState(); s != app.WalletNone || err != nil {
		t.Fatalf("state %v %v", s, err)
	}
	d, err := f.app.NewWallet(recovery.English, 12)
	if err != nil || len(d.Mnemonic.Words) != 12 || len(d.Quiz.Questions) != 3 {
		t.Fatalf("draft: %v", err)
	}
	if _, err := f.app.SaveNewWallet(ctx, d, "", "wallet pw 1", "wallet pw 1", false); !errors.Is(err, app.ErrQuizNotPassed) {
		t.Fatalf("save before the quiz: %v", err)
	}
	var right, wrong []string
	for _, q := range d.Quiz.Questions {
		w := d.Mnemonic.Words[q.Position-1]
		right = append(right, w)
		for _, c := range q.Choices {
			if c != w {
				wrong = append(wrong, c)
				break
			}
		}
	}
	if err := d.Answer(wrong); !errors.Is(err, recovery.ErrQuizWrong) {
		t.Fatalf("wrong answers: %v", err)
	}
	if err := d.Answer(right); err != nil {
		t.Fatal(err)
	}
	addrs, err := f.app.SaveNewWallet(ctx, d, "", "wallet pw 1", "wallet pw 1", false)
	if err != nil || len(addrs) != 2*app.AddressCount {
		t.Fatalf("save: %v", err)
	}
	f.app.LockWallet()
	if s, _ := f.app.WalletState(); s != app.WalletLocked {
		t.Fatalf("state after lock %v", s)
	}
	if _, err := f.app.UnlockWallet(ctx, "not it"); !errors.Is(err, keystore.ErrWrongPasswordOrCorrupt) {
		t.Fatalf("wrong wallet password: %v", err)
	}
	if err := f.app.ChangeWalletPassword(ctx, "wallet pw 1", "wallet pw 2", "wallet pw 2"); err != nil {
		t.Fatal(err)
	}
	again, err := f.app.UnlockWallet(ctx, "wallet pw 2")
	if err != nil || again[0] != addrs[0] || !f.app.BackupVerified() {
		t.Fatalf("unlock: %v", err)
	}
}

func TestWalletRestore(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	d, _ := f.app.NewWallet(recovery.English, 12)
	var answers []string
	for _, q := range d.Quiz.Questions {
		answers = append(answers, d.Mnemonic.Words[q.Position-1])
	}
	d.Answer(answers)
	if _, err := f.app.SaveNewWallet(ctx, d, "", "wallet pw 1", "wallet pw 1", false); err != nil {
		t.Fatal(err)
	}

	var unknown *recovery.UnknownWordError
	if _, err := f.app.ParsePhrase("abandon abandon abandon abandon abandon abandon abandonn abandon abandon abandon abandon about"); !errors.As(err, &unknown) || unknown.Position != 7 {
		t.Fatalf("typo: %v", err)
	}
	m, err := f.app.ParsePhrase("  Abandon abandon abandon abandon abandon abandon\tabandon abandon abandon abandon abandon ABOUT ")
	if err != nil {
		t.Fatal(err)
	}
	preview, err := f.app.PreviewAddresses(m, "")
	if err != nil || preview[0].Address != "0x9858EfFD232B4033E47d90003D41EC34EcaEda94" ||
		preview[app.AddressCount].Address != "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu" {
		t.Fatalf("preview %+v %v", preview, err)
	}
	if _, err := f.app.RestoreWallet(ctx, m, "", "wallet pw 3", "wallet pw 3", false); !errors.Is(err, app.ErrWalletExists) {
		t.Fatalf("restore over a wallet without consent: %v", err)
	}
	if _, err := f.app.RestoreWallet(ctx, m, "", "wallet pw 3", "wallet pw 3", true); err != nil {
		t.Fatal(err)
	}
	f.app.LockWallet()
	addrs, err := f.app.UnlockWallet(ctx, "wallet pw 3")
	if err != nil || addrs[0].Address != preview[0].Address {
		t.Fatalf("unlock the restored wallet: %v", err)
	}
}

// TestClockSkew: the offset the screens warn of is the server's latest
// answer's, and it counts only past ClockSkewLimit.
func TestClockSkew(t *testing.T) {
	t.Parallel()
	ts := testserver.New(t)
	f := serveFixture(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", ts.Clock.Now().UTC().Format(http.TimeFormat))
		ts.Handler.ServeHTTP(w, r)
	}))
	if off, skewed := f.app.ClockSkew(); off != 0 || skewed {
		t.Fatalf("before any answer: %v, %v", off, skewed)
	}
	for _, c := range []struct {
		advance time.Duration
		skewed  bool
	}{{0, false}, {2 * time.Minute, true}, {-2*time.Minute - app.ClockSkewLimit/2, false}} {
		ts.Clock.Advance(c.advance)
		if _, err := f.client.Status(context.Background()); err != nil {
			t.Fatal(err)
		}
		if off, skewed := f.app.ClockSkew(); skewed != c.skewed {
			t.Errorf("server clock moved by %v: offset %v, skewed %v", c.advance, off, skewed)
		}
	}
}
