package app_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"sesame/app"
	"sesame/authapi"
	"sesame/internal/testserver"
	"sesame/server"
)

// text waits for the newest text message to number beyond after and
// returns its code.
func (f *fixture) text(number string, after int) string {
	f.t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		msgs, err := f.client.Mailbox(context.Background(), number)
		if err != nil {
			f.t.Fatal(err)
		}
		if len(msgs) > after && msgs[0].SMS {
			return codeRE.FindString(msgs[0].Text)
		}
	}
	f.t.Fatalf("no text message to %s", number)
	return ""
}

// TestPhoneAddedAndRemoved: in Chinese, a number typed without +86 is
// Chinese; the code texted to it binds it to the account, shown masked;
// the password removes it.
func TestPhoneAddedAndRemoved(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.register("pat@example.org", false)
	if _, err := f.app.AddPhone(ctx, "138 0013 8000", password); !errors.Is(err, app.ErrPhoneCountry) || app.ErrorCode(err) != "phone_country" {
		t.Fatalf("a number without its country code in English: %v", err)
	}
	f.app.SetLanguage("zh_Hans")
	for in, want := range map[string]error{"010 1234 5678": app.ErrPhoneNotMobile, "138 0013": app.ErrPhoneInvalid} {
		if _, err := f.app.AddPhone(ctx, in, password); !errors.Is(err, want) {
			t.Fatalf("%q: %v, want %v", in, err, want)
		}
	}
	if _, err := f.app.AddPhone(ctx, "138 0013 8000", "not the password"); !errors.Is(err, app.ErrWrongPassword) {
		t.Fatalf("a wrong password: %v", err)
	}
	change, err := f.app.AddPhone(ctx, "138 0013 8000", password)
	if err != nil || change.Phone != "+86 138 0013 8000" {
		t.Fatalf("AddPhone: %+v %v", change, err)
	}
	// A resend texts a new code; the first still works (the server keeps
	// the newest few, so that a resend does not void a code being typed).
	first := f.text("+8613800138000", 0)
	if err := change.Resend(ctx); err != nil {
		t.Fatal(err)
	}
	if second := f.text("+8613800138000", 1); second == "" {
		t.Fatal("no second code")
	}
	if err := change.Verify(ctx, first); err != nil {
		t.Fatalf("the first code after a resend: %v", err)
	}
	if err := change.Resend(ctx); !errors.Is(err, app.ErrStepOrder) {
		t.Fatalf("a resend after the number was added: %v", err)
	}
	if me, err := f.app.Me(ctx); err != nil || me.Phone != "+86 138 **** 8000" {
		t.Fatalf("me: %+v %v", me, err)
	}
	if err := f.app.RemovePhone(ctx, "not the password"); !errors.Is(err, app.ErrWrongPassword) {
		t.Fatalf("removing with a wrong password: %v", err)
	}
	if err := f.app.RemovePhone(ctx, password); err != nil {
		t.Fatal(err)
	}
	if me, err := f.app.Me(ctx); err != nil || me.Phone != "" {
		t.Fatalf("me after removal: %+v %v", me, err)
	}
}

// TestResetBySMS: the reset mail does not arrive; the code sent by SMS
// instead resets the password.
func TestResetBySMS(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.register("sam@example.org", false)
	if _, err := f.app.AddPhone(ctx, "+44 7400 123456", password); err != nil {
		t.Fatal(err)
	}
	if err := f.app.VerifyPhone(ctx, f.text("+447400123456", 0)); err != nil {
		t.Fatal(err)
	}
	f.signOut()
	r, err := f.app.StartPasswordReset(ctx, "sam@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.SendBySMS(ctx); err != nil || !r.BySMS {
		t.Fatalf("SendBySMS: %v", err)
	}
	if err := r.Verify(ctx, f.text("+447400123456", 1)); err != nil || r.TwoFactorRequired {
		t.Fatalf("verify: %v", err)
	}
	if err := r.Complete(ctx, "new sturdy password 8", "new sturdy password 8", ""); err != nil {
		t.Fatal(err)
	}
	if res, err := f.app.SignIn(ctx, "sam@example.org", "new sturdy password 8", false); err != nil || !res.SignedIn() {
		t.Fatalf("sign-in after the reset: %v", err)
	}
}

// A number of a country the server does not text is refused with a code
// of its own, which the screens explain.
func TestPhoneOfACountryNotServed(t *testing.T) {
	t.Parallel()
	f := serveFixture(t, testserver.New(t, func(c *server.Config) { c.SMSCountries = []string{"CN"} }).Handler)
	f.register("far-away@example.org", false)
	_, err := f.app.AddPhone(context.Background(), "+447400123456", password)
	if !errors.Is(err, authapi.ErrPhoneNotServed) || app.ErrorCode(err) != app.Code(authapi.CodePhoneNotServed) {
		t.Fatalf("a number of another country: %v (%s)", err, app.ErrorCode(err))
	}
}
