package app_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"sesame/app"
	"sesame/authapi"
)

// The security centre's checks: today's authenticator code, checked
// without signing in, with the clock offset; the recovery codes left and
// when one was last used.
func TestSecurityChecks(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.register("erin@example.org", false)
	if _, err := f.app.CheckAuthenticatorCode(ctx, "123456"); !errors.Is(err, authapi.ErrTwoFactorNotEnabled) {
		t.Fatalf("two-factor off: %v", err)
	}
	en, err := f.app.StartTwoFactor(ctx, password)
	if err != nil {
		t.Fatal(err)
	}
	code, _ := totp.GenerateCode(en.Secret, time.Now().Add(-30*time.Second))
	codes, err := f.app.ConfirmTwoFactor(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := f.app.RecoveryCodes(ctx)
	if err != nil || rc.Left != 10 || !rc.LastUsed.IsZero() {
		t.Fatalf("recovery codes: %+v %v", rc, err)
	}

	if _, err := f.app.CheckAuthenticatorCode(ctx, "12345"); !errors.Is(err, authapi.ErrInvalidCode) {
		t.Fatalf("5 digits: %v", err)
	}
	code, _ = totp.GenerateCode(en.Secret, time.Now())
	cc, err := f.app.CheckAuthenticatorCode(ctx, " "+code+" ")
	if err != nil || !cc.OffsetKnown || cc.ClockOff() {
		t.Fatalf("today's code: %+v %v", cc, err)
	}
	if _, err := f.app.CheckAuthenticatorCode(ctx, code); !errors.Is(err, authapi.ErrInvalidTwoFactorCode) || f.app.Account() == "" {
		t.Fatalf("the same code again: %v, signed in as %q", err, f.app.Account())
	}
	if !(app.CodeCheck{ClockOffset: 2 * time.Minute, OffsetKnown: true}).ClockOff() {
		t.Fatal("2 minutes off is not off")
	}

	f.signOut()
	res, err := f.app.SignIn(ctx, "erin@example.org", password, false)
	if err != nil {
		t.Fatal(err)
	}
	used := time.Now()
	if _, err := f.app.CompleteTwoFactor(ctx, res.Challenge, codes[3], false); err != nil {
		t.Fatal(err)
	}
	rc, err = f.app.RecoveryCodes(ctx)
	if err != nil || rc.Left != 9 || rc.LastUsed.Sub(used).Abs() > 5*time.Second {
		t.Fatalf("after using one: %+v %v", rc, err)
	}
}
