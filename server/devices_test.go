package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"sesame/authapi"
	"sesame/server"
)

// signInOn signs in with a device token (or none) and returns the answer.
func (e *env) signInOn(email, pw, device, token string) answer {
	e.t.Helper()
	return e.call("POST", "/v1/sessions", authapi.CreateSessionRequest{Email: email, Password: pw, DeviceName: device, DeviceToken: token}, "")
}

// device signs in on a new device and returns its tokens.
func (e *env) device(email, pw, name string) authapi.Tokens {
	e.t.Helper()
	var tok authapi.Tokens
	e.signInOn(email, pw, name, "").ok(e.t, 201, &tok)
	if len(tok.DeviceToken) < 40 {
		e.t.Fatalf("device token %q", tok.DeviceToken)
	}
	secret(tok.AccessToken)
	secret(tok.RefreshToken)
	secret(tok.DeviceToken)
	return tok
}

// lockWith sends wrong passwords until the answer is 423.
func (e *env) lockWith(email, token string) {
	e.t.Helper()
	for left := e.cfg.Lock.MaxFailures - 1; left > 0; left-- {
		p := e.signInOn(email, "wrong password!", "attacker", token).expect(e.t, 401, authapi.CodeInvalidCredentials)
		if *p.AttemptsLeft != left {
			e.t.Fatalf("attempts_left %d, want %d", *p.AttemptsLeft, left)
		}
	}
	e.signInOn(email, "wrong password!", "attacker", token).expect(e.t, 423, authapi.CodeAccountLocked)
}

// TestLockoutIsNoWeapon: an attacker who locks the account with wrong
// passwords from elsewhere does not lock out the owner's known device; a
// device's own failures lock that device only.
func TestLockoutIsNoWeapon(t *testing.T) {
	e := newEnv(t)
	email, pw := e.account()
	laptop, phone := e.device(email, pw, "laptop"), e.device(email, pw, "phone")
	bob, bobPw := e.account()
	bobs := e.device(bob, bobPw, "bob's")

	// The laptop's token with wrong passwords locks the laptop only.
	e.lockWith(email, laptop.DeviceToken)
	e.signInOn(email, pw, "laptop", laptop.DeviceToken).expect(t, 423, authapi.CodeAccountLocked)
	var tok authapi.Tokens
	e.signInOn(email, pw, "phone", phone.DeviceToken).ok(t, 201, &tok)
	if tok.DeviceToken != phone.DeviceToken {
		t.Fatal("a known device's token was not kept")
	}
	e.signInOn(email, pw, "desktop", "").ok(t, 201, nil)

	// The attacker locks the address; the owner's phone still signs in.
	e.lockWith(email, "")
	e.signInOn(email, pw, "phone", phone.DeviceToken).ok(t, 201, nil)
	e.signInOn(email, pw, "unknown", "").expect(t, 423, authapi.CodeAccountLocked)
	e.signInOn(email, pw, "unknown", "not a token").expect(t, 423, authapi.CodeAccountLocked)
	// Another account's token is no token.
	e.signInOn(email, pw, "bob's", bobs.DeviceToken).expect(t, 423, authapi.CodeAccountLocked)
	// The phone's success cleared the address's failures, not its lock.
	e.clock.Advance(e.cfg.Lock.Base + time.Second)
	e.signInOn(email, pw, "desktop", "").ok(t, 201, nil)
}

// TestTrustedDevice: "trust this computer" skips two-factor on that device
// until a password change elsewhere, a change of two-factor, forgetting the
// device or a reset ends it.
func TestTrustedDevice(t *testing.T) {
	e := newEnv(t)
	email, pw := e.account()
	first := e.device(email, pw, "laptop")
	sec, _ := e.enableTwoFactor(first.AccessToken, pw)

	// trust passes two-factor on the device of token, asking for trust,
	// and returns the tokens.
	trust := func(token string) authapi.Tokens {
		t.Helper()
		p := e.signInOn(email, pw, "laptop", token).expect(t, 401, authapi.CodeTwoFactorRequired)
		var tok authapi.Tokens
		e.call("POST", "/v1/sessions/two-factor", authapi.TwoFactorSessionRequest{
			ChallengeID: secret(p.ChallengeID), TOTPCode: e.totp(sec, 0), TrustDevice: true}, "").ok(t, 201, &tok)
		secret(tok.DeviceToken)
		e.clock.Advance(30 * time.Second) // the next code is of a new step
		return tok
	}
	// skips reports whether a sign-in on the device of token skips
	// two-factor.
	skips := func(token string) bool {
		t.Helper()
		a := e.signInOn(email, pw, "laptop", token)
		if a.status == 201 {
			return true
		}
		a.expect(t, 401, authapi.CodeTwoFactorRequired)
		return false
	}
	laptop := trust(first.DeviceToken)
	if laptop.DeviceToken == "" || !skips(laptop.DeviceToken) {
		t.Fatal("a trusted device is asked for two-factor")
	}
	if skips("") || skips(first.DeviceToken) {
		t.Fatal("an unknown device, or a token the two-factor step replaced, skips two-factor")
	}
	var list authapi.DeviceList
	e.call("GET", "/v1/devices", nil, laptop.AccessToken).ok(t, 200, &list)
	if len(list.Devices) < 1 || !list.Devices[0].Current || list.Devices[0].TrustedUntil == nil ||
		list.Devices[0].TrustedUntil.Sub(e.clock.Now()) < (authapi.TrustDays*24-1)*time.Hour {
		t.Fatalf("devices %+v", list)
	}

	// A password change on another device ends the trust; one on the
	// trusted device keeps it.
	var desk authapi.Tokens
	p := e.signInOn(email, pw, "desktop", "").expect(t, 401, authapi.CodeTwoFactorRequired)
	e.call("POST", "/v1/sessions/two-factor", authapi.TwoFactorSessionRequest{ChallengeID: secret(p.ChallengeID), TOTPCode: e.totp(sec, 0)}, "").
		ok(t, 201, &desk)
	secret(desk.AccessToken)
	e.clock.Advance(30 * time.Second)
	pw2 := secret("a second long password")
	e.call("POST", "/v1/me/password", authapi.ChangePasswordRequest{CurrentPassword: pw, NewPassword: pw2}, desk.AccessToken).ok(t, 204, nil)
	pw = pw2
	if skips(laptop.DeviceToken) {
		t.Fatal("a password change elsewhere kept the trust")
	}
	laptop = trust(laptop.DeviceToken)
	pw3 := secret("a third long password")
	e.call("POST", "/v1/me/password", authapi.ChangePasswordRequest{CurrentPassword: pw, NewPassword: pw3}, laptop.AccessToken).ok(t, 204, nil)
	pw = pw3
	if !skips(laptop.DeviceToken) {
		t.Fatal("a password change on the trusted device ended its trust")
	}

	// Turning two-factor off and on again ends the trust.
	e.call("DELETE", "/v1/me/two-factor", authapi.DisableTwoFactorRequest{Password: pw, TOTPCode: e.totp(sec, 0)}, laptop.AccessToken).ok(t, 204, nil)
	e.call("GET", "/v1/devices", nil, laptop.AccessToken).ok(t, 200, &list)
	for _, d := range list.Devices {
		if d.TrustedUntil != nil {
			t.Fatalf("turning two-factor off kept the trust of %+v", d)
		}
	}
	e.clock.Advance(30 * time.Second)
	sec, _ = e.enableTwoFactor(laptop.AccessToken, pw)
	if skips(laptop.DeviceToken) {
		t.Fatal("trust survived turning two-factor off and on")
	}

	// Forgetting the device ends its token and its trust; another
	// account cannot forget it.
	laptop = trust(laptop.DeviceToken)
	e.call("GET", "/v1/devices", nil, laptop.AccessToken).ok(t, 200, &list)
	id := list.Devices[0].ID
	bob, bobPw := e.account()
	forget := func(token, password string) answer {
		return e.call("DELETE", "/v1/devices/"+id, authapi.PasswordRequest{Password: password}, token)
	}
	forget(e.signIn(bob, bobPw).AccessToken, bobPw).expect(t, 404, authapi.CodeNotFound)
	forget(laptop.AccessToken, pw).ok(t, 204, nil)
	forget(laptop.AccessToken, pw).expect(t, 404, authapi.CodeNotFound)
	if skips(laptop.DeviceToken) {
		t.Fatal("a forgotten device skips two-factor")
	}
	var acts authapi.ActivityList
	e.call("GET", "/v1/me/activity", nil, laptop.AccessToken).ok(t, 200, &acts)
	if !hasResult(acts, authapi.ResultDeviceForgotten) {
		t.Fatalf("activity %+v", acts)
	}

	// A reset forgets every device.
	laptop = trust(laptop.DeviceToken)
	pw = secret("a fourth long password")
	e.reset(email, pw, func(r *authapi.ResetCompleteRequest) { r.TOTPCode = e.totp(sec, 0) })
	e.clock.Advance(30 * time.Second)
	if skips(laptop.DeviceToken) {
		t.Fatal("a device trusted before a reset skips two-factor")
	}
	var after authapi.Tokens
	p = e.signInOn(email, pw, "laptop", laptop.DeviceToken).expect(t, 401, authapi.CodeTwoFactorRequired)
	e.call("POST", "/v1/sessions/two-factor", authapi.TwoFactorSessionRequest{ChallengeID: secret(p.ChallengeID), TOTPCode: e.totp(sec, 0)}, "").
		ok(t, 201, &after)
	e.call("GET", "/v1/devices", nil, after.AccessToken).ok(t, 200, &list)
	// The reset's own device, whose token this sign-in did not send, and
	// the sign-in's.
	if len(list.Devices) != 2 || after.DeviceToken == laptop.DeviceToken {
		t.Fatalf("devices after a reset and a sign-in: %+v", list)
	}
}

// TestTwoFactorGuessesLock: wrong two-factor codes at reset completion, at
// turning two-factor off and at renewing recovery codes count toward the
// lock like a sign-in's, and are in the activity log.
func TestTwoFactorGuessesLock(t *testing.T) {
	e := newEnv(t)
	for _, endpoint := range []string{"reset", "disable", "regenerate"} {
		t.Run(endpoint, func(t *testing.T) {
			email, pw := e.account()
			tok := e.device(email, pw, "laptop")
			sec, _ := e.enableTwoFactor(tok.AccessToken, pw)
			wrong := e.totp(sec, 20)
			var guess func() answer
			switch endpoint {
			case "reset":
				code := e.startReset(email)
				var v authapi.ResetVerifyResponse
				e.call("POST", "/v1/password-resets/verify", authapi.EmailCodeRequest{Email: email, Code: code}, "").ok(t, 200, &v)
				req := authapi.ResetCompleteRequest{ResetToken: secret(v.ResetToken), NewPassword: "a new long password", TOTPCode: wrong}
				guess = func() answer { return e.call("POST", "/v1/password-resets/complete", req, "") }
			case "disable":
				req := authapi.DisableTwoFactorRequest{Password: pw, TOTPCode: wrong}
				guess = func() answer { return e.call("DELETE", "/v1/me/two-factor", req, tok.AccessToken) }
			case "regenerate":
				req := authapi.RegenerateCodesRequest{Password: pw, TOTPCode: wrong}
				guess = func() answer { return e.call("POST", "/v1/me/recovery-codes", req, tok.AccessToken) }
			}
			for left := e.cfg.Lock.MaxFailures - 1; left > 0; left-- {
				p := guess().expect(t, 401, authapi.CodeInvalidTwoFactorCode)
				if p.AttemptsLeft == nil || *p.AttemptsLeft != left || p.Field != "totp_code" {
					t.Fatalf("attempts_left %v field %q, want %d", p.AttemptsLeft, p.Field, left)
				}
			}
			guess().expect(t, 423, authapi.CodeAccountLocked)
			guess().expect(t, 423, authapi.CodeAccountLocked)
			var acts authapi.ActivityList
			e.call("GET", "/v1/me/activity?limit=100", nil, tok.AccessToken).ok(t, 200, &acts)
			n := 0
			for _, ev := range acts.Events {
				if ev.Result == authapi.ResultInvalidTwoFactorCode {
					n++
				}
			}
			if n != e.cfg.Lock.MaxFailures-1 || !hasResult(acts, authapi.ResultLocked) {
				t.Fatalf("%d invalid_two_factor_code entries, locked %v: %+v", n, hasResult(acts, authapi.ResultLocked), acts)
			}
		})
	}
}

// TestReauthentication: turning two-factor on and changing the phrase need
// the password, and wrong ones count toward the lock, so that a stolen
// access token is no password oracle.
func TestReauthentication(t *testing.T) {
	e := newEnv(t)
	for _, endpoint := range []string{"two-factor", "phrase"} {
		t.Run(endpoint, func(t *testing.T) {
			email, pw := e.account()
			tok := e.device(email, pw, "laptop")
			send := func(password string) answer {
				if endpoint == "phrase" {
					return e.call("PUT", "/v1/me/anti-phishing-phrase", authapi.AntiPhishingRequest{Phrase: "blue heron", Password: password}, tok.AccessToken)
				}
				return e.call("POST", "/v1/me/two-factor", authapi.PasswordRequest{Password: password}, tok.AccessToken)
			}
			if p := send("").expect(t, 400, authapi.CodeInvalidRequest); p.Field != "password" {
				t.Fatalf("field %q", p.Field)
			}
			for left := e.cfg.Lock.MaxFailures - 1; left > 0; left-- {
				p := send("wrong password!").expect(t, 401, authapi.CodeInvalidCredentials)
				if p.AttemptsLeft == nil || *p.AttemptsLeft != left || p.Field != "password" {
					t.Fatalf("attempts_left %v field %q, want %d", p.AttemptsLeft, p.Field, left)
				}
			}
			send("wrong password!").expect(t, 423, authapi.CodeAccountLocked)
			send(pw).expect(t, 423, authapi.CodeAccountLocked)
			e.clock.Advance(e.cfg.Lock.Base + time.Second)
			e.call("POST", "/v1/tokens/refresh", authapi.RefreshRequest{RefreshToken: tok.RefreshToken}, "").ok(t, 200, &tok)
			secret(tok.AccessToken)
			secret(tok.RefreshToken)
			if a := send(pw); a.status != 200 && a.status != 204 {
				t.Fatalf("the right password after the lock: %d %s", a.status, a.body)
			}
		})
	}
}

// TestForgettingDevicesTakesThePassword: a thief of an access token cannot
// strip the owner's other devices of their protection from a lock, nor give
// his session a fresh budget of guesses by forgetting its own device: both
// take the password, and wrong ones count like any.
func TestForgettingDevicesTakesThePassword(t *testing.T) {
	e := newEnv(t)
	email, pw := e.account()
	laptop := e.device(email, pw, "laptop")
	stolen := e.device(email, pw, "phone").AccessToken
	var list authapi.DeviceList
	e.call("GET", "/v1/devices", nil, stolen).ok(t, 200, &list)
	forget := func(id, password string) answer {
		return e.call("DELETE", "/v1/devices/"+id, authapi.PasswordRequest{Password: password}, stolen)
	}
	for _, d := range list.Devices {
		if p := forget(d.ID, "").expect(t, 400, authapi.CodeInvalidRequest); p.Field != "password" {
			t.Fatalf("field %q", p.Field)
		}
	}
	checked := 0
	for _, d := range list.Devices {
		for forget(d.ID, "wrong password!").status == 401 {
			checked++
		}
	}
	if checked != e.cfg.Lock.MaxFailures-1 {
		t.Fatalf("%d wrong passwords answered 401, want %d", checked, e.cfg.Lock.MaxFailures-1)
	}
	for _, d := range list.Devices {
		forget(d.ID, pw).expect(t, 423, authapi.CodeAccountLocked)
	}
	// A stranger's lock from elsewhere still does not stop the laptop.
	e.lockWith(email, "")
	e.signInOn(email, pw, "laptop", laptop.DeviceToken).ok(t, 201, nil)
}

// TestSuspensionEndsAccess: suspending an account ends its access and
// refresh tokens at once; a session that outlived a suspension answers 403.
func TestSuspensionEndsAccess(t *testing.T) {
	e := newEnv(t)
	email, pw := e.account()
	tok := e.signIn(email, pw)
	a, err := e.store.AccountByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetSuspended(context.Background(), a.ID, true); err != nil {
		t.Fatal(err)
	}
	e.call("GET", "/v1/me", nil, tok.AccessToken).expect(t, 401, authapi.CodeUnauthorized)
	e.call("POST", "/v1/tokens/refresh", authapi.RefreshRequest{RefreshToken: tok.RefreshToken}, "").
		expect(t, 401, authapi.CodeInvalidRefreshToken)
	e.signInOn(email, pw, "laptop", "").expect(t, 403, authapi.CodeAccountSuspended)

	// A session of an account suspended without the store's revocation
	// (an older database's) is refused too.
	if err := e.store.SetSuspended(context.Background(), a.ID, false); err != nil {
		t.Fatal(err)
	}
	tok = e.signIn(email, pw)
	if _, err := rawDB(t, e.dbPath).Exec(`UPDATE accounts SET suspended = 1 WHERE id = ?`, a.ID); err != nil {
		t.Fatal(err)
	}
	e.call("GET", "/v1/me", nil, tok.AccessToken).expect(t, 403, authapi.CodeAccountSuspended)
	e.call("POST", "/v1/tokens/refresh", authapi.RefreshRequest{RefreshToken: tok.RefreshToken}, "").
		expect(t, 403, authapi.CodeAccountSuspended)
}

// TestSessionMaxAge: a session ends SessionMaxAge after its sign-in,
// however often it was refreshed.
func TestSessionMaxAge(t *testing.T) {
	if d := server.DefaultConfig().SessionMaxAge; d != 90*24*time.Hour {
		t.Fatalf("default session lifetime %v", d)
	}
	e := newEnv(t, func(c *server.Config) { c.SessionMaxAge, c.AccessTTL = 20*time.Minute, 15*time.Minute })
	email, pw := e.account()
	old := e.signIn(email, pw)
	e.clock.Advance(10 * time.Minute)
	var next authapi.Tokens
	e.call("POST", "/v1/tokens/refresh", authapi.RefreshRequest{RefreshToken: old.RefreshToken}, "").ok(t, 200, &next)
	secret(next.AccessToken)
	secret(next.RefreshToken)
	e.call("GET", "/v1/me", nil, next.AccessToken).ok(t, 200, nil)
	e.clock.Advance(10 * time.Minute)
	young := e.signIn(email, pw)
	e.call("GET", "/v1/me", nil, next.AccessToken).expect(t, 401, authapi.CodeUnauthorized)
	e.call("POST", "/v1/tokens/refresh", authapi.RefreshRequest{RefreshToken: next.RefreshToken}, "").
		expect(t, 401, authapi.CodeInvalidRefreshToken)
	var list authapi.SessionList
	e.call("GET", "/v1/sessions", nil, young.AccessToken).ok(t, 200, &list)
	if len(list.Sessions) != 1 || list.Sessions[0].ID != young.SessionID {
		t.Fatalf("sessions %+v: the old one was not deleted", list)
	}
}

// TestAuthenticatedRateLimit: an account's authenticated requests are
// rate limited, with Retry-After; another account's are not.
func TestAuthenticatedRateLimit(t *testing.T) {
	if r := server.DefaultConfig().RateAuth; r.PerMinute == 0 || r.Burst == 0 {
		t.Fatalf("authenticated routes unlimited by default: %+v", r)
	}
	e := newEnv(t, func(c *server.Config) { c.RateAuth = server.Rate{PerMinute: 1, Burst: 3} })
	email, pw := e.account()
	bob, bobPw := e.account()
	tok, bobs := e.signIn(email, pw), e.signIn(bob, bobPw)
	for range 3 {
		e.call("GET", "/v1/me", nil, tok.AccessToken).ok(t, 200, nil)
	}
	a := e.call("GET", "/v1/sessions", nil, tok.AccessToken)
	p := a.expect(t, 429, authapi.CodeRateLimited)
	if a.header.Get("Retry-After") == "" || p.RetryAfterSeconds == nil {
		t.Fatalf("429 without Retry-After: %v", a.header)
	}
	e.call("GET", "/v1/me", nil, bobs.AccessToken).ok(t, 200, nil)
	e.clock.Advance(time.Minute)
	e.call("GET", "/v1/me", nil, tok.AccessToken).ok(t, 200, nil)
}

// TestStrangersLockDoesNotStopAReset: a stranger who knows only the address
// locks its sign-in with wrong passwords; its owner, on a device the server
// does not know, still completes a reset with her two-factor code, and the
// reset lifts the lock.
func TestStrangersLockDoesNotStopAReset(t *testing.T) {
	e := newEnv(t)
	email, pw := e.account()
	tok := e.device(email, pw, "laptop")
	sec, _ := e.enableTwoFactor(tok.AccessToken, pw)
	for range e.cfg.Lock.MaxFailures {
		e.call("POST", "/v1/sessions", authapi.CreateSessionRequest{Email: email, Password: "not the password!"}, "")
	}
	e.call("POST", "/v1/sessions", authapi.CreateSessionRequest{Email: email, Password: pw}, "").
		expect(t, 423, authapi.CodeAccountLocked)
	code := e.startReset(email)
	var v authapi.ResetVerifyResponse
	e.call("POST", "/v1/password-resets/verify", authapi.EmailCodeRequest{Email: email, Code: code}, "").ok(t, 200, &v)
	e.clock.Advance(30 * time.Second) // a TOTP step the enrolment did not spend
	newPW := secret("the owner's new password")
	e.call("POST", "/v1/password-resets/complete", authapi.ResetCompleteRequest{
		ResetToken: secret(v.ResetToken), NewPassword: newPW, TOTPCode: e.totp(sec, 0)}, "").ok(t, 204, nil)
	e.call("POST", "/v1/sessions", authapi.CreateSessionRequest{Email: email, Password: newPW}, "").
		expect(t, 401, authapi.CodeTwoFactorRequired)
}

// TestUnknownDeviceTokenGetsANewOne: a token the server does not know (made
// up, of another account, or of a device a reset forgot) signs in as a new
// device, with a new token.
func TestUnknownDeviceTokenGetsANewOne(t *testing.T) {
	e := newEnv(t)
	email, pw := e.account()
	other, otherPW := e.account()
	theirs := e.device(other, otherPW, "phone").DeviceToken
	mine := e.device(email, pw, "laptop").DeviceToken
	var v authapi.ResetVerifyResponse
	e.call("POST", "/v1/password-resets/verify", authapi.EmailCodeRequest{Email: email, Code: e.startReset(email)}, "").ok(t, 200, &v)
	e.call("POST", "/v1/password-resets/complete", authapi.ResetCompleteRequest{ResetToken: secret(v.ResetToken), NewPassword: pw + "!"}, "").
		ok(t, 204, nil)
	for _, sent := range []string{"made-up-token-of-no-device-at-all-000000000", theirs, mine} {
		var tok authapi.Tokens
		e.signInOn(email, pw+"!", "laptop", sent).ok(t, 201, &tok)
		secret(tok.AccessToken)
		secret(tok.RefreshToken)
		if secret(tok.DeviceToken) == sent || len(tok.DeviceToken) < 40 {
			t.Fatalf("an unknown device token was answered with %q", tok.DeviceToken)
		}
	}
}

// TestStrangerCannotCloseAKnownDevicesWayBack: a stranger who knows only
// the address locks its sign-in and spends its budget of wrong mailed codes.
// A device the server does not know then needs a long code
// (TestLongCodeAfterTheBudget), but the owner's known device, with its
// token, still gets a 6-digit code and verifies it and resets; another
// account's token does not.
func TestStrangerCannotCloseAKnownDevicesWayBack(t *testing.T) {
	e := newEnv(t)
	email, pw := e.account()
	mine := e.device(email, pw, "laptop").DeviceToken
	other, otherPW := e.account()
	theirs := e.device(other, otherPW, "phone").DeviceToken
	e.lockWith(email, "")
	for range 2 {
		e.call("POST", "/v1/password-resets", authapi.EmailRequest{Email: email}, "").ok(t, 202, nil)
		for range 5 {
			e.call("POST", "/v1/password-resets/verify", authapi.EmailCodeRequest{Email: email, Code: "000000"}, "").
				expect(t, 400, authapi.CodeInvalidCode)
		}
	}
	n := e.mails(email)
	e.call("POST", "/v1/password-resets", authapi.EmailRequest{Email: email, DeviceToken: mine}, "").ok(t, 202, nil)
	code, _ := e.mailCode(email, "reset", n)
	verify := func(token string) answer {
		return e.call("POST", "/v1/password-resets/verify", authapi.EmailCodeRequest{Email: email, Code: code, DeviceToken: token}, "")
	}
	verify("").expect(t, 410, authapi.CodeCodeExpired)
	verify(theirs).expect(t, 410, authapi.CodeCodeExpired)
	var v authapi.ResetVerifyResponse
	verify(mine).ok(t, 200, &v)
	e.call("POST", "/v1/password-resets/complete", authapi.ResetCompleteRequest{ResetToken: secret(v.ResetToken), NewPassword: pw + "!", DeviceToken: mine}, "").
		ok(t, 204, nil)
	e.signInOn(email, pw+"!", "laptop", "").ok(t, 201, nil)
}

// TestClaimedDeviceNames: a failed sign-in's device name is recorded as
// claimed; a wrong password typed in a signed-in session is its device's,
// and so is a forgotten device's name in the entry that forgets it.
func TestClaimedDeviceNames(t *testing.T) {
	e := newEnv(t)
	email, pw := e.account()
	e.signInOn(email, "wrong password!", "Evil PC", "").expect(t, 401, authapi.CodeInvalidCredentials)
	laptop := e.device(email, pw, "laptop")
	phone := e.device(email, pw, "phone")
	e.call("PUT", "/v1/me/anti-phishing-phrase", authapi.AntiPhishingRequest{Phrase: "x y z", Password: "wrong password!"}, laptop.AccessToken).
		expect(t, 401, authapi.CodeInvalidCredentials)
	var list authapi.DeviceList
	e.call("GET", "/v1/devices", nil, laptop.AccessToken).ok(t, 200, &list)
	for _, d := range list.Devices {
		if d.DeviceName == "phone" {
			e.call("DELETE", "/v1/devices/"+d.ID, authapi.PasswordRequest{Password: pw}, laptop.AccessToken).ok(t, 204, nil)
		}
	}
	var acts authapi.ActivityList
	e.call("GET", "/v1/me/activity", nil, secret(phone.AccessToken)).ok(t, 200, &acts)
	var got []string
	for _, ev := range acts.Events {
		got = append(got, fmt.Sprintf("%s %s %v", ev.Result, ev.DeviceName, ev.Claimed))
	}
	want := []string{"device_forgotten phone false", "invalid_credentials laptop false", "success phone false",
		"success laptop false", "invalid_credentials Evil PC true"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("activity:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
