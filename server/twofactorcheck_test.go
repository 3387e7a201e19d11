package server_test

import (
	"testing"
	"time"

	"sesame/authapi"
)

// "Type today's code" checks an authenticator code without signing in.
// It is no oracle for guessing codes with a stolen access token: wrong
// codes count toward the lock as at sign-in, a right code is spent (a
// code seen over a shoulder cannot be replayed), and no session starts.
func TestTwoFactorCheck(t *testing.T) {
	e := newEnv(t)
	email, pw := e.account()
	tok := e.signIn(email, pw)
	check := func(code string) answer {
		return e.call("POST", "/v1/me/two-factor/check", authapi.TOTPRequest{TOTPCode: code}, tok.AccessToken)
	}
	check("123456").expect(t, 409, authapi.CodeTwoFactorNotEnabled)
	sec, _ := e.enableTwoFactor(tok.AccessToken, pw)
	var before authapi.SessionList
	e.call("GET", "/v1/sessions", nil, tok.AccessToken).ok(t, 200, &before)

	check("").expect(t, 400, authapi.CodeInvalidRequest)
	code := e.totp(sec, 0)
	check(code).ok(t, 204, nil)
	p := check(code).expect(t, 401, authapi.CodeInvalidTwoFactorCode)
	if p.AttemptsLeft == nil || *p.AttemptsLeft != 4 {
		t.Fatalf("a replayed code: attempts_left %v", p.AttemptsLeft)
	}
	var after authapi.SessionList
	e.call("GET", "/v1/sessions", nil, tok.AccessToken).ok(t, 200, &after)
	if len(after.Sessions) != len(before.Sessions) {
		t.Fatalf("the check started a session: %d sessions, were %d", len(after.Sessions), len(before.Sessions))
	}

	// Guessing: the fifth wrong code locks, and then even a right code is
	// refused.
	for i := 0; i < 3; i++ {
		check("000000").expect(t, 401, authapi.CodeInvalidTwoFactorCode)
	}
	check("000000").expect(t, 423, authapi.CodeAccountLocked)
	e.clock.Advance(30 * time.Second)
	check(e.totp(sec, 0)).expect(t, 423, authapi.CodeAccountLocked)
}
