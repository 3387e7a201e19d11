package app_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"sesame/app"
	"sesame/authapi"
	"sesame/internal/testserver"
	"sesame/keystore"
	"sesame/server"
)

// deviceToken returns the device token the keychain keeps for email, or "".
func (f *fixture) deviceToken(email string) string {
	f.t.Helper()
	t, err := f.kc.DeviceToken(context.Background(), f.url, email)
	if err != nil && !errors.Is(err, keystore.ErrNotFound) {
		f.t.Fatal(err)
	}
	return t
}

// A sign-in's device token is kept in the keychain without "remember me"
// and sent with the next sign-in: when a stranger's wrong passwords lock
// the account, this computer still signs in and the stranger does not.
func TestDeviceTokenOutlivesAStrangersLock(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	const email = "owner@example.org"
	f.register(email, false)
	tok := f.deviceToken(email)
	if tok == "" {
		t.Fatal("the sign-in's device token was not kept")
	}
	if _, err := f.kc.RefreshToken(ctx, f.url, email); !errors.Is(err, keystore.ErrNotFound) {
		t.Fatalf("a refresh token was kept without remember me: %v", err)
	}
	filepath.WalkDir(f.dataDir, func(path string, d fs.DirEntry, err error) error {
		if data, _ := os.ReadFile(path); err == nil && !d.IsDir() && bytes.Contains(data, []byte(tok)) {
			t.Errorf("the device token is written in %s", path)
		}
		return nil
	})
	f.signOut()

	stranger, _ := f.newApp()
	lockOut(t, stranger, email)
	if res, err := f.app.SignIn(ctx, email, password, false); err != nil || !res.SignedIn() {
		t.Fatalf("the owner's device during the stranger's lock: %v", err)
	}
	if got := f.deviceToken(email); got != tok {
		t.Fatal("the device token changed although the one sent was valid")
	}
	if _, err := stranger.SignIn(ctx, authapi.CreateSessionRequest{Email: email, Password: password}); !errors.Is(err, authapi.ErrAccountLocked) {
		t.Fatalf("the right password from an unknown device during the lock: %v", err)
	}
}

// A stranger who knows only the address spends its budget of wrong mailed
// codes: the owner's device, whose token the reset sends, still resets.
func TestResetFromAKnownDeviceOutlivesAStranger(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	const email = "forgetful@example.org"
	f.register(email, false)
	f.signOut()
	stranger, _ := f.newApp()
	spendBudget(t, stranger, email)
	// The owner's code is mailed after the stranger's mails (two codes and
	// a warning of too many wrong ones), which are sent in the background.
	for deadline := time.Now().Add(30 * time.Second); f.mails(email) < 4; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the stranger's mails: %d of 4", f.mails(email))
		}
	}
	n := f.mails(email)
	r, err := f.app.StartPasswordReset(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	code := f.code(email, "reset", n)
	if _, err := stranger.VerifyPasswordReset(ctx, authapi.EmailCodeRequest{Email: email, Code: code}); !errors.Is(err, authapi.ErrCodeExpired) {
		t.Fatalf("the right code from an unknown device past the budget: %v", err)
	}
	if err := r.Verify(ctx, code); err != nil {
		t.Fatalf("the owner's device past the stranger's budget: %v", err)
	}
	if err := r.Complete(ctx, password+"!", password+"!", ""); err != nil {
		t.Fatal(err)
	}
}

// A stranger who knows only the address asks for its codes until its
// daily cap of code mails is spent: this computer, whose device token the
// requests send, still gets a reset code (by mail, and by SMS for an
// account without a phone) and a support code that work.
func TestCodesFromAKnownDeviceOutliveAStrangersRequests(t *testing.T) {
	t.Parallel()
	const perDay = 20
	f := serveFixture(t, testserver.New(t, func(c *server.Config) { c.MailsPerDay = perDay }).Handler)
	ctx := context.Background()
	const email = "asked-too-often@example.org"
	f.register(email, false) // the first mail of the day
	f.signOut()
	stranger, _ := f.newApp()
	for range perDay {
		if err := stranger.StartPasswordReset(ctx, authapi.EmailRequest{Email: email}); err != nil {
			t.Fatal(err)
		}
	}
	for deadline := time.Now().Add(5 * time.Second); f.mails(email) < perDay; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the stranger's mails: %d of %d", f.mails(email)-1, perDay-1)
		}
	}
	n := f.mails(email)
	r, err := f.app.StartPasswordReset(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	f.code(email, "reset", n)
	n = f.mails(email)
	if err := r.SendBySMS(ctx); err != nil {
		t.Fatal(err)
	}
	code := f.code(email, "reset", n)
	if err := r.Verify(ctx, code); err != nil {
		t.Fatalf("the reset code of this computer past the address's cap: %v", err)
	}
	n = f.mails(email)
	l, err := f.app.StartSupport(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Verify(ctx, f.code(email, "support", n)); err != nil {
		t.Fatalf("the support code of this computer past the address's cap: %v", err)
	}
}

// "Trust this computer" skips two-factor on the next sign-ins; the devices
// list shows it, and forgetting the device asks for two-factor again.
func TestTrustThisComputer(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	const email = "trusting@example.org"
	f.register(email, false)
	en, err := f.app.StartTwoFactor(ctx, password)
	if err != nil {
		t.Fatal(err)
	}
	code, _ := totp.GenerateCode(en.Secret, time.Now().Add(-30*time.Second))
	if _, err := f.app.ConfirmTwoFactor(ctx, code); err != nil {
		t.Fatal(err)
	}
	f.signOut()
	res, err := f.app.SignIn(ctx, email, password, false)
	if err != nil || res.SignedIn() {
		t.Fatalf("password step: %v", err)
	}
	code, _ = totp.GenerateCode(en.Secret, time.Now())
	if res, err = f.app.CompleteTwoFactor(ctx, res.Challenge, code, true); err != nil || !res.SignedIn() {
		t.Fatalf("code step: %v", err)
	}
	f.signOut()
	if res, err = f.app.SignIn(ctx, email, password, false); err != nil || !res.SignedIn() {
		t.Fatalf("a trusted computer was asked for two-factor: %v", err)
	}
	devices, err := f.app.Devices(ctx)
	if err != nil || len(devices) != 1 {
		t.Fatalf("devices: %d, %v", len(devices), err)
	}
	d := devices[0]
	if !d.Current || d.DeviceName != "test desktop" || d.TrustedUntil == nil ||
		d.TrustedUntil.Before(time.Now().Add((app.TrustDays-1)*24*time.Hour)) {
		t.Fatalf("device %+v", d)
	}
	if err := f.app.ForgetDevice(ctx, d.ID, password); err != nil {
		t.Fatal(err)
	}
	f.signOut()
	if res, err = f.app.SignIn(ctx, email, password, false); err != nil || res.SignedIn() {
		t.Fatalf("a forgotten computer was not asked for two-factor: %v", err)
	}
}

// Clearing the local data forgets the device tokens too.
func TestClearLocalDataForgetsDeviceTokens(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const email = "clearing@example.org"
	f.register(email, false)
	if f.deviceToken(email) == "" {
		t.Fatal("no device token kept")
	}
	if err := f.app.ForgetRememberedSignIn(context.Background()); err != nil {
		t.Fatal(err)
	}
	if f.deviceToken(email) != "" {
		t.Fatal("the device token outlived the clearing of the local data")
	}
}

// Turning two-factor on and setting the phrase ask for the password: a
// wrong one is the account's wrong password, with the attempts left and
// the reset as its remedy, and too many lock until a time.
func TestReauthenticationFailures(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.register("reauth@example.org", false)
	if _, err := f.app.StartTwoFactor(ctx, ""); !errors.Is(err, authapi.ErrWeakPassword) {
		t.Fatalf("no password: %v", err)
	}
	_, err := f.app.StartTwoFactor(ctx, "not my password")
	x := app.Explain(err)
	if !errors.Is(err, app.ErrWrongPassword) || x.Code != "wrong_password" || x.Remedy != app.RemedyResetPassword || x.AttemptsLeft == nil {
		t.Fatalf("a wrong password: %v, %+v", err, x)
	}
	for range 10 {
		if err = f.app.SetAntiPhishingPhrase(ctx, "Blue heron", "not my password"); !errors.Is(err, app.ErrWrongPassword) {
			break
		}
	}
	x = app.Explain(err)
	if !errors.Is(err, app.ErrAttemptsLocked) || x.Code != "attempts_locked" || x.Remedy != app.RemedyNone || x.Until.Before(time.Now()) {
		t.Fatalf("too many wrong passwords: %v, %+v", err, x)
	}
}

// A resend is a registration of its own: its code opens the account with
// the registration's password.
func TestResendCarriesThePassword(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	const email = "resend@example.org"
	reg, err := f.app.Register(ctx, email, password, password)
	if err != nil {
		t.Fatal(err)
	}
	f.code(email, "confirm", 0)
	if err := reg.Resend(ctx); err != nil {
		t.Fatal(err)
	}
	res, err := reg.Verify(ctx, f.code(email, "confirm", 1), false)
	if err != nil || !res.SignedIn() {
		t.Fatalf("verify with the resent code: %v", err)
	}
	if err := reg.Resend(ctx); !errors.Is(err, app.ErrStepOrder) {
		t.Fatalf("a resend after the verification: %v", err)
	}
}

// Wrong two-factor codes at a reset's completion count toward the lock,
// which the reset explains as a wait (not as a reason to reset).
func TestResetCompletionLocks(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	const email = "resetlock@example.org"
	f.register(email, false)
	en, err := f.app.StartTwoFactor(ctx, password)
	if err != nil {
		t.Fatal(err)
	}
	code, _ := totp.GenerateCode(en.Secret, time.Now())
	if _, err := f.app.ConfirmTwoFactor(ctx, code); err != nil {
		t.Fatal(err)
	}
	f.signOut()
	r, err := f.app.StartPasswordReset(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Verify(ctx, f.code(email, "reset", f.mails(email)-1)); err != nil || !r.TwoFactorRequired {
		t.Fatalf("verify: %v", err)
	}
	const newPassword = "another sturdy password 8"
	for n := 0; ; n++ {
		err = r.Complete(ctx, newPassword, newPassword, "000000")
		if !errors.Is(err, authapi.ErrInvalidTwoFactorCode) || n == 10 {
			break
		}
	}
	x := app.Explain(err)
	if !errors.Is(err, app.ErrAttemptsLocked) || x.Code != "attempts_locked" || x.Remedy != app.RemedyNone || !x.Until.After(time.Now()) {
		t.Fatalf("wrong codes at the reset: %v, %+v", err, x)
	}
}
