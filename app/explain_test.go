package app_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"sesame/app"
	"sesame/authapi"
	"sesame/check"
	"sesame/keystore"
)

// TestExplainCarriesCodesAndFigures takes real failures of the flows
// against the reference server and checks what the screens are given.
func TestExplainCarriesCodesAndFigures(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.register("erin@example.org", false)
	f.signOut()

	_, err := f.app.SignIn(ctx, "erin@example.org", "not the password", false)
	x := app.Explain(err)
	if x.Code != "invalid_credentials" || x.Remedy != app.RemedyResetPassword || x.AttemptsLeft == nil || *x.AttemptsLeft != 4 {
		t.Fatalf("wrong password: %+v", x)
	}
	for i := 0; i < 4; i++ {
		_, err = f.app.SignIn(ctx, "erin@example.org", "not the password", false)
	}
	x = app.Explain(err)
	if x.Code != "account_locked" || x.Until.Before(time.Now().Add(14*time.Minute)) || x.Remedy != app.RemedyResetPassword {
		t.Fatalf("locked: %+v", x)
	}

	_, err = f.app.Register(ctx, "frank@example.org", "password1", "password1")
	if x = app.Explain(err); x.Code != "weak_password" || len(x.Reasons) == 0 || x.Reasons[0] != authapi.ReasonCommon {
		t.Fatalf("weak password: %+v", x)
	}
	if x = app.Explain(fmt.Errorf("signing in: %w", &authapi.OfflineError{Host: "example.org"})); x.Code != "offline" || x.Remedy != app.RemedyConnectionCheck {
		t.Fatalf("offline: %+v", x)
	}
	if x = app.Explain(fmt.Errorf("unlocking: %w", keystore.ErrWrongPasswordOrCorrupt)); x.Remedy != app.RemedyRestoreWallet {
		t.Fatalf("wallet password: %+v", x)
	}
	if x = app.Explain(errors.New("something no one expected")); x.Code != "other" || x.Remedy != app.RemedyNone {
		t.Fatalf("unknown error: %+v", x)
	}
}

// TestExplainHoldsNoText makes sure no field can carry an error's words.
func TestExplainHoldsNoText(t *testing.T) {
	secret := "hunter2-correct-horse"
	x := app.Explain(fmt.Errorf("failed with %s: %w", secret, authapi.ErrInvalidCredentials))
	if strings.Contains(fmt.Sprintf("%+v", x), secret) {
		t.Fatalf("the explanation holds the error's text: %+v", x)
	}
}

// TestLocalServerSilent: a server on this computer that takes the
// connection and never answers is a local timeout, not a slow network.
func TestLocalServerSilent(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	c, err := authapi.NewClient("http://" + l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err = c.Status(ctx)
	if got := app.Explain(err); got.Code != "local_timeout" || got.Remedy != app.RemedyConnectionCheck {
		t.Fatalf("a silent local server: %+v (%v)", got, err)
	}
}

// TestKeychainCodes: the codes of keychain failures on every system, the
// Credential Manager's too, say so; no other code does, not even the
// built-in server's failure for want of the keychain.
func TestKeychainCodes(t *testing.T) {
	keychain := map[app.Code]bool{app.CodeKeychainNotFound: true, app.CodeKeychainTooLarge: true}
	for _, goos := range []string{"linux", "windows", "darwin"} {
		for r := keystore.Reason(0); r <= keystore.ReasonTimedOut+1; r++ {
			keychain[app.Code(check.KeychainCauseOn(goos, &keystore.UnavailableError{Reason: r, Op: "set"}))] = true
		}
	}
	for _, c := range []app.Code{app.CodeKeychainFailed, app.Code(check.CauseCredentialManagerNoSession), app.Code(check.CauseCredentialManagerFailed)} {
		if !keychain[c] {
			t.Fatalf("%s is no keychain cause of any system", c)
		}
	}
	for _, c := range app.ErrorCodes() {
		if c.Keychain() != keychain[c] {
			t.Errorf("%s.Keychain() = %v", c, c.Keychain())
		}
	}
	if app.CodeLocalServerKeychain.Keychain() || app.CodeWalletWrongPassword.Keychain() {
		t.Error("a code of another failure says it is the keychain's")
	}
}
