package app_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"

	"sesame/app"
	"sesame/authapi"
)

var longCodeRE = regexp.MustCompile(`\b[0-9A-Z]{5}(?:-[0-9A-Z]{5}){3}\b`)

// lockOut is a stranger's wrong passwords until the sign-in of email is
// locked.
func lockOut(t *testing.T, stranger *authapi.Client, email string) {
	t.Helper()
	var err error
	for range 5 {
		_, err = stranger.SignIn(context.Background(), authapi.CreateSessionRequest{Email: email, Password: "a stranger's guess 1"})
	}
	if !errors.Is(err, authapi.ErrAccountLocked) {
		t.Fatalf("the stranger's fifth guess: %v", err)
	}
}

// spendBudget is a stranger's part: reset requests and wrong codes until
// the budget of wrong codes of email is spent.
func spendBudget(t *testing.T, stranger *authapi.Client, email string) {
	t.Helper()
	ctx := context.Background()
	for range 2 {
		if err := stranger.StartPasswordReset(ctx, authapi.EmailRequest{Email: email}); err != nil {
			t.Fatal(err)
		}
		for range 5 {
			stranger.VerifyPasswordReset(ctx, authapi.EmailCodeRequest{Email: email, Code: "000000"})
		}
	}
}

// A stranger who knows only the address locks its sign-in and spends its
// budget of wrong codes. The owner on a new computer (a keychain with no
// device token) asks for a reset, pastes the long code the mail brings,
// resets, and signs in although the stranger locked the address again.
func TestLongCodeResetOnANewComputer(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	const email = "new-computer@example.org"
	f.register(email, false)
	f.signOut()
	stranger, _ := f.newApp()
	lockOut(t, stranger, email)
	spendBudget(t, stranger, email)

	laptop, err := app.New(app.Config{Client: f.client, Keychain: newMemKeychain(), DataDir: t.TempDir(), DeviceName: "new laptop"})
	if err != nil {
		t.Fatal(err)
	}
	r, err := laptop.StartPasswordReset(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	long := f.mailWith(email, "reset", 0, func(text string) (string, bool) {
		c := longCodeRE.FindString(text)
		return c, c != ""
	})
	pasted := strings.ToLower(strings.ReplaceAll(long, "-", " ")) + "\n"
	if err := r.Verify(ctx, "123456"); !errors.Is(err, authapi.ErrCodeExpired) {
		t.Fatalf("a 6-digit code past the budget: %v", err)
	}
	if err := r.Verify(ctx, pasted); err != nil {
		t.Fatalf("the pasted long code: %v", err)
	}
	if err := r.Complete(ctx, password+"!", password+"!", ""); err != nil {
		t.Fatal(err)
	}
	lockOut(t, stranger, email)
	if res, err := laptop.SignIn(ctx, email, password+"!", false); err != nil || !res.SignedIn() {
		t.Fatalf("the new computer after its reset, the address locked again: %v", err)
	}
}
