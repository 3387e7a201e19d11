package server_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"sesame/authapi"
	"sesame/server"
	"sesame/server/passhash"
	"sesame/server/store"
)

func TestAccountLifecycle(t *testing.T) {
	e := newEnv(t)
	email, pw := "new@example.org", secret("a long new password 1")

	// Not verified yet: the right password is answered with account_not_verified.
	e.call("POST", "/v1/accounts", authapi.CreateAccountRequest{Email: email, Password: pw}, "").ok(t, 202, nil)
	code, m := e.mailCode(email, "confirm", 0)
	if strings.Contains(m.Text, pw) {
		t.Fatal("the verification mail contains the password")
	}
	e.call("POST", "/v1/sessions", authapi.CreateSessionRequest{Email: email, Password: pw}, "").
		expect(t, 403, authapi.CodeAccountNotVerified)

	// Resend needs the password and is a registration of its own, with a
	// code of its own; the verification ends every registration.
	e.call("POST", "/v1/accounts/verify/resend", authapi.EmailRequest{Email: email}, "").
		expect(t, 400, authapi.CodeInvalidRequest)
	e.call("POST", "/v1/accounts/verify/resend", authapi.CreateAccountRequest{Email: email, Password: pw}, "").ok(t, 202, nil)
	code2, _ := e.mailCode(email, "confirm", 1)
	e.call("POST", "/v1/accounts/verify", authapi.VerifyAccountRequest{Email: email, Code: code2, Password: pw}, "").ok(t, 204, nil)
	for _, c := range []string{code, code2} {
		e.call("POST", "/v1/accounts/verify", authapi.VerifyAccountRequest{Email: email, Code: c, Password: pw}, "").
			expect(t, 410, authapi.CodeCodeExpired)
	}

	// Registering a known address again answers the same and mails a notice.
	e.call("POST", "/v1/accounts", authapi.CreateAccountRequest{Email: email, Password: pw + "x"}, "").ok(t, 202, nil)
	if mails := e.waitMails(email, 3); strings.Contains(mails[0].Text, pw) || codeRE.MatchString(mails[0].Text) {
		t.Fatal("the already-registered notice holds a code or the password")
	}

	tok := e.signIn(email, pw)
	var me authapi.Me
	e.call("GET", "/v1/me", nil, tok.AccessToken).ok(t, 200, &me)
	if me.Email != email || !me.Verified || me.TwoFactorEnabled {
		t.Fatalf("me = %+v", me)
	}
}

func TestRegistrationErrors(t *testing.T) {
	e := newEnv(t)
	e.call("POST", "/v1/accounts", authapi.CreateAccountRequest{Email: "not-an-address", Password: "a long new password 1"}, "").
		expect(t, 422, authapi.CodeInvalidEmail)
	for pw, reason := range map[string]authapi.Reason{
		"short":                  authapi.ReasonTooShort,
		"password1":              authapi.ReasonCommon,
		"iloveyou":               authapi.ReasonCommon,
		"alice.smith is my name": authapi.ReasonContainsMail,
		strings.Repeat("x", 300): authapi.ReasonTooLong,
	} {
		p := e.call("POST", "/v1/accounts", authapi.CreateAccountRequest{Email: "alice.smith@example.org", Password: pw}, "").
			expect(t, 422, authapi.CodeWeakPassword)
		if len(p.Reasons) == 0 || p.Reasons[0] != reason {
			t.Errorf("reasons %v, want %s", p.Reasons, reason)
		}
	}
	// A code's 5 attempts, then it is dead.
	email := "codes@example.org"
	e.call("POST", "/v1/accounts", authapi.CreateAccountRequest{Email: email, Password: "a long new password 1"}, "").ok(t, 202, nil)
	code, _ := e.mailCode(email, "confirm", 0)
	wrong := fmt.Sprintf("%06d", (atoi(code)+1)%1000000)
	for left := 4; left >= 0; left-- {
		p := e.call("POST", "/v1/accounts/verify", authapi.VerifyAccountRequest{Email: email, Code: wrong, Password: "a long new password 1"}, "").
			expect(t, 400, authapi.CodeInvalidCode)
		if *p.AttemptsLeft != left {
			t.Fatalf("attempts_left %d, want %d", *p.AttemptsLeft, left)
		}
	}
	e.call("POST", "/v1/accounts/verify", authapi.VerifyAccountRequest{Email: email, Code: code, Password: "a long new password 1"}, "").
		expect(t, 410, authapi.CodeCodeExpired)
	// An expired code.
	e.call("POST", "/v1/accounts/verify/resend", authapi.CreateAccountRequest{Email: email, Password: "a long new password 1"}, "").ok(t, 202, nil)
	code, _ = e.mailCode(email, "confirm", 1)
	e.clock.Advance(11 * time.Minute)
	e.call("POST", "/v1/accounts/verify", authapi.VerifyAccountRequest{Email: email, Code: code, Password: "a long new password 1"}, "").
		expect(t, 410, authapi.CodeCodeExpired)
}

func atoi(s string) int {
	n := 0
	fmt.Sscanf(s, "%d", &n)
	return n
}

func TestSignInErrors(t *testing.T) {
	e := newEnv(t)
	email, pw := e.account()
	p := e.call("POST", "/v1/sessions", authapi.CreateSessionRequest{Email: email, Password: "wrong password!"}, "").
		expect(t, 401, authapi.CodeInvalidCredentials)
	if *p.AttemptsLeft != 4 {
		t.Fatalf("attempts_left %d", *p.AttemptsLeft)
	}
	// A success resets the count.
	e.signIn(email, pw)
	p = e.call("POST", "/v1/sessions", authapi.CreateSessionRequest{Email: email, Password: "wrong password!"}, "").
		expect(t, 401, authapi.CodeInvalidCredentials)
	if *p.AttemptsLeft != 4 {
		t.Fatalf("attempts_left %d after a success, want 4", *p.AttemptsLeft)
	}

	a, err := e.store.AccountByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	e.store.SetSuspended(context.Background(), a.ID, true)
	e.call("POST", "/v1/sessions", authapi.CreateSessionRequest{Email: email, Password: pw}, "").
		expect(t, 403, authapi.CodeAccountSuspended)
}

func TestLockoutDoublesAndResetLiftsIt(t *testing.T) {
	e := newEnv(t)
	email, pw := e.account()
	bad := authapi.CreateSessionRequest{Email: email, Password: "wrong password!"}
	for lock, want := range []time.Duration{15 * time.Minute, 30 * time.Minute, time.Hour} {
		for i := 0; i < 4; i++ {
			e.call("POST", "/v1/sessions", bad, "").expect(t, 401, authapi.CodeInvalidCredentials)
		}
		p := e.call("POST", "/v1/sessions", bad, "").expect(t, 423, authapi.CodeAccountLocked)
		if got := p.LockedUntil.Sub(e.clock.Now()); got < want-2*time.Second || got > want+time.Second {
			t.Fatalf("lock %d lasts %v, want %v", lock+1, got, want)
		}
		// Locked: even the right password is refused.
		e.call("POST", "/v1/sessions", authapi.CreateSessionRequest{Email: email, Password: pw}, "").
			expect(t, 423, authapi.CodeAccountLocked)
		e.clock.Advance(want + time.Second)
	}
	// The doubling stops at 24 hours.
	policy := store.LockPolicy{MaxFailures: 1, Base: 15 * time.Minute, Max: 24 * time.Hour}
	var l store.Lockout
	var err error
	for i := 0; i < 10 && err == nil; i++ {
		e.clock.Advance(25 * time.Hour)
		l, err = e.store.FinishAttempt(context.Background(), "none", "cap@example.org", true, e.clock.Now(), policy)
	}
	if d := l.LockedUntil.Sub(e.clock.Now()); err != nil || d > 24*time.Hour || d < 24*time.Hour-time.Second {
		t.Fatalf("capped lock: %v, %v", l.LockedUntil.Sub(e.clock.Now()), err)
	}

	// Lock again, then a password reset lifts it.
	for i := 0; i < 5; i++ {
		e.call("POST", "/v1/sessions", bad, "")
	}
	e.call("POST", "/v1/sessions", authapi.CreateSessionRequest{Email: email, Password: pw}, "").
		expect(t, 423, authapi.CodeAccountLocked)
	pw2 := secret("another long password 2")
	e.reset(email, pw2, nil)
	e.signIn(email, pw2)
}

// reset runs the whole password reset with an optional second factor.
func (e *env) reset(email, newPassword string, factor func(*authapi.ResetCompleteRequest)) {
	e.t.Helper()
	n := e.mails(email)
	e.call("POST", "/v1/password-resets", authapi.EmailRequest{Email: email}, "").ok(e.t, 202, nil)
	code, _ := e.mailCode(email, "reset", n)
	var v authapi.ResetVerifyResponse
	e.call("POST", "/v1/password-resets/verify", authapi.EmailCodeRequest{Email: email, Code: code}, "").ok(e.t, 200, &v)
	secret(v.ResetToken)
	req := authapi.ResetCompleteRequest{ResetToken: v.ResetToken, NewPassword: newPassword}
	if factor != nil {
		if !v.TwoFactorRequired {
			e.t.Fatal("two_factor_required is false for a two-factor account")
		}
		factor(&req)
	}
	e.call("POST", "/v1/password-resets/complete", req, "").ok(e.t, 204, nil)
}

// TestConcurrentWrongPasswordsLockExactly sends 50 wrong passwords at once,
// half to a second server process sharing the database file.
func TestConcurrentWrongPasswordsLockExactly(t *testing.T) {
	e := newEnv(t)
	email, _ := e.account()
	e2 := e.second()
	const n = 50
	var wg sync.WaitGroup
	statuses := make(chan int, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			via := e
			if i%2 == 1 {
				via = e2
			}
			a := via.call("POST", "/v1/sessions", authapi.CreateSessionRequest{Email: email, Password: "wrong password!"}, "")
			statuses <- a.status
		}()
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for s := range statuses {
		count[s]++
	}
	// At most 5 passwords are checked at once: the others are told to
	// retry (429) or, once the 5th failure locked, that it is locked (423).
	if count[401] != e.cfg.Lock.MaxFailures-1 || count[401]+count[423]+count[429] != n || count[423] < 1 {
		t.Fatalf("answers %v, want %d×401 and the rest 423 or 429", count, e.cfg.Lock.MaxFailures-1)
	}
	l, err := e.store.Lockout(context.Background(), email)
	if err != nil || l.LockCount != 1 {
		t.Fatalf("lock count %d (%v), want 1", l.LockCount, err)
	}
}

func TestUnknownAndKnownEmailsAnswerAlike(t *testing.T) {
	e := newEnv(t)
	known, _ := e.account()
	unknown := "nobody@example.org"
	// The two locks start one request apart, so their ends may fall in
	// neighbouring seconds.
	lockEnd := regexp.MustCompile(`"locked_until":"[^"]*"`)
	same := func(a, b answer) {
		t.Helper()
		if a.status != b.status || !bytes.Equal(lockEnd.ReplaceAll(a.body, nil), lockEnd.ReplaceAll(b.body, nil)) {
			t.Fatalf("answers differ:\n%d %s\n%d %s", a.status, a.body, b.status, b.body)
		}
		if a.status == http.StatusLocked {
			if ua, ub := a.problem(t).LockedUntil, b.problem(t).LockedUntil; ua == nil || ub == nil || ub.Sub(*ua).Abs() > 2*time.Second {
				t.Fatalf("the locks end at %v and %v", ua, ub)
			}
		}
		for _, h := range []string{"Content-Type", "Content-Length", "Retry-After", "Cache-Control"} {
			if a.header.Get(h) != b.header.Get(h) {
				t.Fatalf("header %s differs: %q, %q", h, a.header.Get(h), b.header.Get(h))
			}
		}
	}
	signIn := func(email string) answer {
		return e.call("POST", "/v1/sessions", authapi.CreateSessionRequest{Email: email, Password: "wrong password!"}, "")
	}
	for i := 0; i < 6; i++ { // through to the lock
		same(signIn(known), signIn(unknown))
	}
	reset := func(email string) answer {
		return e.call("POST", "/v1/password-resets", authapi.EmailRequest{Email: email}, "")
	}
	same(reset(known), reset(unknown))
	resend := func(email string) answer {
		return e.call("POST", "/v1/accounts/verify/resend", authapi.CreateAccountRequest{Email: email, Password: "a long new password 1"}, "")
	}
	same(resend(known), resend(unknown))
	unverified := "unverified@example.org"
	e.call("POST", "/v1/accounts", authapi.CreateAccountRequest{Email: unverified, Password: "a long new password 1"}, "").ok(t, 202, nil)
	same(resend(unverified), resend(unknown))
	create := func(email string) answer {
		return e.call("POST", "/v1/accounts", authapi.CreateAccountRequest{Email: email, Password: "a long new password 1"}, "")
	}
	same(create(known), create("fresh@example.org"))
}

func TestTwoFactorSignIn(t *testing.T) {
	e := newEnv(t)
	email, pw := e.account()
	tok := e.signIn(email, pw)
	e.call("POST", "/v1/me/two-factor/confirm", authapi.TOTPRequest{TOTPCode: "123456"}, tok.AccessToken).
		expect(t, 409, authapi.CodeTwoFactorNotPending)
	sec, codes := e.enableTwoFactor(tok.AccessToken, pw)
	if len(codes) != 10 {
		t.Fatalf("%d recovery codes", len(codes))
	}
	e.call("POST", "/v1/me/two-factor", authapi.PasswordRequest{Password: pw}, tok.AccessToken).expect(t, 409, authapi.CodeTwoFactorAlreadyEnabled)

	// Wrong code, then the right one.
	ch := e.challenge(email, pw)
	p := e.call("POST", "/v1/sessions/two-factor", authapi.TwoFactorSessionRequest{ChallengeID: ch, TOTPCode: "000000"}, "").
		expect(t, 401, authapi.CodeInvalidTwoFactorCode)
	if *p.AttemptsLeft != 4 {
		t.Fatalf("attempts_left %d", *p.AttemptsLeft)
	}
	var t2 authapi.Tokens
	e.call("POST", "/v1/sessions/two-factor", authapi.TwoFactorSessionRequest{ChallengeID: ch, TOTPCode: e.totp(sec, 0)}, "").
		ok(t, 201, &t2)
	secret(t2.AccessToken)
	secret(t2.RefreshToken)
	// The challenge is spent.
	e.call("POST", "/v1/sessions/two-factor", authapi.TwoFactorSessionRequest{ChallengeID: ch, TOTPCode: e.totp(sec, 1)}, "").
		expect(t, 410, authapi.CodeChallengeExpired)
	// A challenge expires.
	ch = e.challenge(email, pw)
	e.clock.Advance(6 * time.Minute)
	e.call("POST", "/v1/sessions/two-factor", authapi.TwoFactorSessionRequest{ChallengeID: ch, TOTPCode: e.totp(sec, 0)}, "").
		expect(t, 410, authapi.CodeChallengeExpired)

	// A recovery code, typed loosely, works once; /v1/me says when.
	var me authapi.Me
	e.call("GET", "/v1/me", nil, tok.AccessToken).ok(t, 200, &me)
	if me.RecoveryCodeLastUsed != nil {
		t.Fatalf("no code used, last used %v", me.RecoveryCodeLastUsed)
	}
	loose := strings.ToLower(strings.ReplaceAll(codes[0], "-", " "))
	ch = e.challenge(email, pw)
	usedAt := e.clock.Now()
	e.call("POST", "/v1/sessions/two-factor", authapi.TwoFactorSessionRequest{ChallengeID: ch, RecoveryCode: loose}, "").ok(t, 201, nil)
	ch = e.challenge(email, pw)
	e.call("POST", "/v1/sessions/two-factor", authapi.TwoFactorSessionRequest{ChallengeID: ch, RecoveryCode: codes[0]}, "").
		expect(t, 401, authapi.CodeInvalidTwoFactorCode)
	e.call("GET", "/v1/me", nil, tok.AccessToken).ok(t, 200, &me)
	if !me.TwoFactorEnabled || me.RecoveryCodesLeft != 9 || me.RecoveryCodeLastUsed == nil || me.RecoveryCodeLastUsed.Sub(usedAt).Abs() > time.Second {
		t.Fatalf("me = %+v, a code used at %v", me, usedAt)
	}

	// Five wrong codes lock, also for the two-factor step.
	for i := 0; i < 3; i++ {
		e.call("POST", "/v1/sessions/two-factor", authapi.TwoFactorSessionRequest{ChallengeID: ch, TOTPCode: "000000"}, "").
			expect(t, 401, authapi.CodeInvalidTwoFactorCode)
	}
	e.call("POST", "/v1/sessions/two-factor", authapi.TwoFactorSessionRequest{ChallengeID: ch, TOTPCode: "000000"}, "").
		expect(t, 423, authapi.CodeAccountLocked)
	e.call("POST", "/v1/sessions/two-factor", authapi.TwoFactorSessionRequest{ChallengeID: ch, TOTPCode: e.totp(sec, 0)}, "").
		expect(t, 423, authapi.CodeAccountLocked)
}

func TestTOTPWindow(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct {
		steps int
		ok    bool
	}{{-1, true}, {-2, false}, {1, true}, {2, false}} {
		email, pw := e.account()
		tok := e.signIn(email, pw)
		sec, _ := e.enableTwoFactor(tok.AccessToken, pw)
		ch := e.challenge(email, pw)
		a := e.call("POST", "/v1/sessions/two-factor", authapi.TwoFactorSessionRequest{ChallengeID: ch, TOTPCode: e.totp(sec, c.steps)}, "")
		if (a.status == 201) != c.ok {
			t.Errorf("a code %d steps away: status %d, want accepted=%v", c.steps, a.status, c.ok)
		}
	}
}

func TestTOTPAndRecoveryCodesAreSingleUseUnderConcurrency(t *testing.T) {
	e := newEnv(t)
	email, pw := e.account()
	tok := e.signIn(email, pw)
	sec, codes := e.enableTwoFactor(tok.AccessToken, pw)
	race := func(req func(ch string) authapi.TwoFactorSessionRequest) {
		t.Helper()
		chs := make([]string, 10)
		for i := range chs {
			chs[i] = e.challenge(email, pw)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		won := 0
		for _, ch := range chs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if e.call("POST", "/v1/sessions/two-factor", req(ch), "").status == 201 {
					mu.Lock()
					won++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if won != 1 {
			t.Fatalf("%d of 10 concurrent submissions succeeded, want 1", won)
		}
		e.store.ClearFailures(context.Background(), email)
	}
	code := e.totp(sec, 0)
	race(func(ch string) authapi.TwoFactorSessionRequest {
		return authapi.TwoFactorSessionRequest{ChallengeID: ch, TOTPCode: code}
	})
	race(func(ch string) authapi.TwoFactorSessionRequest {
		return authapi.TwoFactorSessionRequest{ChallengeID: ch, RecoveryCode: codes[1]}
	})
}

// TestRFC6238 checks the TOTP implementation against RFC 6238 appendix B
// (SHA-1). The 6-digit codes the server uses are the last 6 digits.
func TestRFC6238(t *testing.T) {
	sec := "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" // base32 of "12345678901234567890"
	for _, v := range []struct {
		unix int64
		code string
	}{
		{59, "94287082"}, {1111111109, "07081804"}, {1111111111, "14050471"},
		{1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"},
	} {
		for _, digits := range []otp.Digits{otp.DigitsEight, otp.DigitsSix} {
			got, err := totp.GenerateCodeCustom(sec, time.Unix(v.unix, 0).UTC(),
				totp.ValidateOpts{Period: 30, Digits: digits, Algorithm: otp.AlgorithmSHA1})
			if want := v.code[8-digits.Length():]; err != nil || got != want {
				t.Errorf("T=%d digits=%d: %s (%v), want %s", v.unix, digits.Length(), got, err, want)
			}
		}
		if !server.MatchTOTP(sec, v.code[2:], time.Unix(v.unix, 0)) {
			t.Errorf("the server refuses the RFC 6238 code of T=%d", v.unix)
		}
	}
}

func TestRefreshRotationAndReuse(t *testing.T) {
	e := newEnv(t)
	email, pw := e.account()
	t1 := e.signIn(email, pw)
	var t2 authapi.Tokens
	e.call("POST", "/v1/tokens/refresh", authapi.RefreshRequest{RefreshToken: t1.RefreshToken}, "").ok(t, 200, &t2)
	secret(t2.AccessToken)
	secret(t2.RefreshToken)
	if t2.RefreshToken == t1.RefreshToken || t2.SessionID != t1.SessionID || t2.ExpiresIn != 900 || t2.TokenType != "Bearer" {
		t.Fatalf("rotation: %+v", t2)
	}
	e.call("GET", "/v1/me", nil, t1.AccessToken).expect(t, 401, authapi.CodeUnauthorized)
	e.call("GET", "/v1/me", nil, t2.AccessToken).ok(t, 200, nil)
	// The rotated token again: the session dies.
	e.call("POST", "/v1/tokens/refresh", authapi.RefreshRequest{RefreshToken: t1.RefreshToken}, "").
		expect(t, 401, authapi.CodeRefreshTokenReused)
	e.call("POST", "/v1/tokens/refresh", authapi.RefreshRequest{RefreshToken: t2.RefreshToken}, "").
		expect(t, 401, authapi.CodeInvalidRefreshToken)
	e.call("GET", "/v1/me", nil, t2.AccessToken).expect(t, 401, authapi.CodeUnauthorized)
	e.call("POST", "/v1/tokens/refresh", authapi.RefreshRequest{RefreshToken: "never issued"}, "").
		expect(t, 401, authapi.CodeInvalidRefreshToken)

	// Access tokens expire after 15 minutes; the refresh token outlives them.
	t3 := e.signIn(email, pw)
	e.clock.Advance(16 * time.Minute)
	e.call("GET", "/v1/me", nil, t3.AccessToken).expect(t, 401, authapi.CodeUnauthorized)
	e.call("POST", "/v1/tokens/refresh", authapi.RefreshRequest{RefreshToken: t3.RefreshToken}, "").ok(t, 200, nil)
	var acts authapi.ActivityList
	t4 := e.signIn(email, pw)
	e.call("GET", "/v1/me/activity?limit=100", nil, t4.AccessToken).ok(t, 200, &acts)
	if !hasResult(acts, authapi.ResultRefreshTokenReused) || acts.Events[0].Result != authapi.ResultSuccess {
		t.Fatalf("activity %+v", acts)
	}
}

func hasResult(l authapi.ActivityList, r string) bool {
	for _, e := range l.Events {
		if e.Result == r {
			return true
		}
	}
	return false
}

func TestSessions(t *testing.T) {
	e := newEnv(t)
	email, pw := e.account()
	a, b, c := e.signIn(email, pw), e.signIn(email, pw), e.signIn(email, pw)
	var list authapi.SessionList
	e.call("GET", "/v1/sessions", nil, a.AccessToken).ok(t, 200, &list)
	if len(list.Sessions) != 3 {
		t.Fatalf("%d sessions", len(list.Sessions))
	}
	for _, s := range list.Sessions {
		if s.Current != (s.ID == a.SessionID) || s.IP != "127.0.0.1" || s.DeviceName != "test" {
			t.Fatalf("session %+v", s)
		}
	}
	e.call("DELETE", "/v1/sessions/"+b.SessionID, nil, a.AccessToken).ok(t, 204, nil)
	e.call("DELETE", "/v1/sessions/"+b.SessionID, nil, a.AccessToken).expect(t, 404, authapi.CodeNotFound)
	e.call("GET", "/v1/me", nil, b.AccessToken).expect(t, 401, authapi.CodeUnauthorized)
	d := e.signIn(email, pw)
	e.call("DELETE", "/v1/sessions", nil, a.AccessToken).ok(t, 204, nil)
	for _, tok := range []authapi.Tokens{c, d} {
		e.call("GET", "/v1/me", nil, tok.AccessToken).expect(t, 401, authapi.CodeUnauthorized)
	}
	e.call("GET", "/v1/sessions", nil, a.AccessToken).ok(t, 200, &list)
	if len(list.Sessions) != 1 {
		t.Fatalf("%d sessions left", len(list.Sessions))
	}
	e.call("DELETE", "/v1/sessions/current", nil, a.AccessToken).ok(t, 204, nil)
	e.call("GET", "/v1/sessions", nil, a.AccessToken).expect(t, 401, authapi.CodeUnauthorized)
	e.call("GET", "/v1/sessions", nil, "").expect(t, 401, authapi.CodeUnauthorized)
}

func TestPasswordResetWithTwoFactor(t *testing.T) {
	e := newEnv(t)
	email, pw := e.account()
	tok := e.signIn(email, pw)
	sec, codes := e.enableTwoFactor(tok.AccessToken, pw)
	e.call("PUT", "/v1/me/anti-phishing-phrase", authapi.AntiPhishingRequest{Phrase: "blue heron 42", Password: pw}, tok.AccessToken).ok(t, 204, nil)

	n := e.mails(email)
	e.call("POST", "/v1/password-resets", authapi.EmailRequest{Email: email}, "").ok(t, 202, nil)
	code, m := e.mailCode(email, "reset", n)
	if !strings.Contains(m.Text, "blue heron 42") {
		t.Fatalf("the reset mail does not name the anti-phishing phrase:\n%s", m.Text)
	}
	e.call("POST", "/v1/password-resets/verify", authapi.EmailCodeRequest{Email: email, Code: "000000"}, "").
		expect(t, 400, authapi.CodeInvalidCode)
	var v authapi.ResetVerifyResponse
	e.call("POST", "/v1/password-resets/verify", authapi.EmailCodeRequest{Email: email, Code: code}, "").ok(t, 200, &v)
	secret(v.ResetToken)
	if !v.TwoFactorRequired {
		t.Fatal("two_factor_required is false")
	}
	newPw := secret("a brand new password 3")
	req := authapi.ResetCompleteRequest{ResetToken: v.ResetToken, NewPassword: "password"}
	p := e.call("POST", "/v1/password-resets/complete", req, "").expect(t, 422, authapi.CodeWeakPassword)
	if len(p.Reasons) == 0 {
		t.Fatal("weak_password without reasons")
	}
	req.NewPassword = newPw
	e.call("POST", "/v1/password-resets/complete", req, "").expect(t, 400, authapi.CodeInvalidRequest)
	req.TOTPCode = "000000"
	e.call("POST", "/v1/password-resets/complete", req, "").expect(t, 401, authapi.CodeInvalidTwoFactorCode)
	req.TOTPCode = ""
	req.RecoveryCode = codes[2]
	e.call("POST", "/v1/password-resets/complete", req, "").ok(t, 204, nil)
	// Every session is gone; the token is spent; the new password works.
	e.call("GET", "/v1/me", nil, tok.AccessToken).expect(t, 401, authapi.CodeUnauthorized)
	e.call("POST", "/v1/password-resets/complete", req, "").expect(t, 410, authapi.CodeResetTokenExpired)
	ch := e.challenge(email, newPw)
	e.call("POST", "/v1/sessions/two-factor", authapi.TwoFactorSessionRequest{ChallengeID: ch, TOTPCode: e.totp(sec, 0)}, "").ok(t, 201, nil)

	// A reset token lives 15 minutes.
	e.reset(email, secret("yet another password 4"), func(r *authapi.ResetCompleteRequest) {
		e.clock.Advance(16 * time.Minute)
		r.TOTPCode = e.totp(sec, 0)
		a := e.call("POST", "/v1/password-resets/complete", r, "")
		a.expect(t, 410, authapi.CodeResetTokenExpired)
		// Let the helper's own call succeed with a fresh token.
		var v authapi.ResetVerifyResponse
		n := e.mails(email)
		e.call("POST", "/v1/password-resets", authapi.EmailRequest{Email: email}, "").ok(t, 202, nil)
		code, _ := e.mailCode(email, "reset", n)
		e.call("POST", "/v1/password-resets/verify", authapi.EmailCodeRequest{Email: email, Code: code}, "").ok(t, 200, &v)
		r.ResetToken = secret(v.ResetToken)
		e.clock.Advance(30 * time.Second)
		r.TOTPCode = e.totp(sec, 0)
	})
	e.call("POST", "/v1/password-resets/verify", authapi.EmailCodeRequest{Email: "nobody@example.org", Code: "123456"}, "").
		expect(t, 410, authapi.CodeCodeExpired)
}

func TestAccountSettings(t *testing.T) {
	e := newEnv(t)
	email, pw := e.account()
	tok := e.signIn(email, pw)
	other := e.signIn(email, pw)

	e.call("PUT", "/v1/me/anti-phishing-phrase", authapi.AntiPhishingRequest{Phrase: "", Password: pw}, tok.AccessToken).
		expect(t, 422, authapi.CodeInvalidPhrase)
	e.call("PUT", "/v1/me/anti-phishing-phrase", authapi.AntiPhishingRequest{Phrase: "红色的狐狸", Password: pw}, tok.AccessToken).ok(t, 204, nil)

	newPw := secret("changed password number 5")
	e.call("POST", "/v1/me/password", authapi.ChangePasswordRequest{CurrentPassword: "wrong password!", NewPassword: newPw}, tok.AccessToken).
		expect(t, 401, authapi.CodeInvalidCredentials)
	e.call("POST", "/v1/me/password", authapi.ChangePasswordRequest{CurrentPassword: pw, NewPassword: "12345678"}, tok.AccessToken).
		expect(t, 422, authapi.CodeWeakPassword)
	e.call("POST", "/v1/me/password", authapi.ChangePasswordRequest{CurrentPassword: pw, NewPassword: newPw}, tok.AccessToken).ok(t, 204, nil)
	e.call("GET", "/v1/me", nil, other.AccessToken).expect(t, 401, authapi.CodeUnauthorized)
	e.call("GET", "/v1/me", nil, tok.AccessToken).ok(t, 200, nil)
	// The verification, the second sign-in's new-device notice, the change.
	e.waitMails(email, 3)
	if m := e.waitMail(email, "Your Sesame password was changed"); !strings.Contains(m.Text, "红色的狐狸") || strings.Contains(m.Text, newPw) {
		t.Fatalf("password-changed mail:\n%s", m.Text)
	}

	// Two-factor off needs the password and a code; codes can be renewed.
	e.call("DELETE", "/v1/me/two-factor", authapi.DisableTwoFactorRequest{Password: newPw, TOTPCode: "000000"}, tok.AccessToken).
		expect(t, 409, authapi.CodeTwoFactorNotEnabled)
	sec, old := e.enableTwoFactor(tok.AccessToken, newPw)
	e.call("POST", "/v1/me/recovery-codes", authapi.RegenerateCodesRequest{Password: "wrong password!", TOTPCode: e.totp(sec, 0)}, tok.AccessToken).
		expect(t, 401, authapi.CodeInvalidCredentials)
	e.call("POST", "/v1/me/recovery-codes", authapi.RegenerateCodesRequest{Password: newPw, TOTPCode: "000000"}, tok.AccessToken).
		expect(t, 401, authapi.CodeInvalidTwoFactorCode)
	var fresh authapi.RecoveryCodes
	e.call("POST", "/v1/me/recovery-codes", authapi.RegenerateCodesRequest{Password: newPw, TOTPCode: e.totp(sec, 0)}, tok.AccessToken).ok(t, 200, &fresh)
	for _, c := range fresh.RecoveryCodes {
		secret(c)
	}
	e.call("DELETE", "/v1/me/two-factor", authapi.DisableTwoFactorRequest{Password: newPw, RecoveryCode: old[0]}, tok.AccessToken).
		expect(t, 401, authapi.CodeInvalidTwoFactorCode)
	e.call("DELETE", "/v1/me/two-factor", authapi.DisableTwoFactorRequest{Password: newPw, RecoveryCode: fresh.RecoveryCodes[0]}, tok.AccessToken).ok(t, 204, nil)
	var me authapi.Me
	e.call("GET", "/v1/me", nil, tok.AccessToken).ok(t, 200, &me)
	if me.TwoFactorEnabled || me.AntiPhishingPhrase != "红色的狐狸" {
		t.Fatalf("me = %+v", me)
	}
	var acts authapi.ActivityList
	e.call("GET", "/v1/me/activity?limit=2", nil, tok.AccessToken).ok(t, 200, &acts)
	if len(acts.Events) != 2 || acts.Events[0].Result != authapi.ResultTwoFactorDisabled {
		t.Fatalf("activity %+v", acts)
	}
	e.call("GET", "/v1/me/activity?limit=0", nil, tok.AccessToken).expect(t, 400, authapi.CodeInvalidRequest)
}

func TestRehashWhenParametersGrow(t *testing.T) {
	e := newEnv(t)
	email, pw := e.account()
	stronger := passhash.Params{Memory: passhash.OWASP.Memory + 1024, Time: 3, Threads: 1}
	cfg := e.cfg
	cfg.Hash = stronger
	srv, err := server.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e2 := *e
	e2.url = serve(t, srv)
	e2.signIn(email, pw)
	a, _ := e.store.AccountByEmail(context.Background(), email)
	if passhash.NeedsRehash(a.PasswordHash, stronger) {
		t.Fatalf("the hash was not upgraded: %s", a.PasswordHash[:30])
	}
	e2.signIn(email, pw)
}

func TestMaintenanceAndVersions(t *testing.T) {
	e := newEnv(t, func(c *server.Config) {
		c.MinClientVersion, c.LatestClientVersion, c.MailFrom = "1.0.0", "1.4.0", "no-reply@sesame.example"
	})
	var st authapi.StatusResponse
	e.call("GET", "/v1/status", nil, "").ok(t, 200, &st)
	if st.Status != "ok" || st.MinClientVersion != "1.0.0" || st.LatestClientVersion != "1.4.0" || st.DownloadURL == "" ||
		time.Since(st.ServerTime) > time.Minute || st.MailFrom != "no-reply@sesame.example" {
		t.Fatalf("status %+v", st)
	}
	p := e.call("POST", "/v1/sessions", authapi.CreateSessionRequest{Email: "a@example.org", Password: "whatever1"}, "",
		authapi.HeaderClientVersion, "0.9.9").expect(t, 426, authapi.CodeClientOutdated)
	if p.MinVersion != "1.0.0" || p.DownloadURL == "" {
		t.Fatalf("426 without version or link: %+v", p)
	}
	e.call("GET", "/v1/status", nil, "", authapi.HeaderClientVersion, "0.1.0").ok(t, 200, nil)
	e.call("GET", "/v1/me", nil, "", authapi.HeaderClientVersion, "").expect(t, 400, authapi.CodeMissingClientVersion)
	e.call("GET", "/v1/me", nil, "", authapi.HeaderClientVersion, "latest").expect(t, 400, authapi.CodeMissingClientVersion)

	until := time.Now().Add(30 * time.Minute).UTC().Truncate(time.Second)
	if err := e.store.SetMaintenance(context.Background(), store.Maintenance{On: true, Message: "Upgrading the database", Until: &until}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(server.MaintenanceRead) // the switch is read once a second of the clock
	for _, r := range server.Routes() {
		// The pages for browsers stay open (see TestWasntMeInMaintenance).
		if r.Pattern == "/v1/status" || !strings.HasPrefix(r.Pattern, "/v1/") {
			continue
		}
		a := e.call(r.Method, strings.Replace(r.Pattern, "{id}", "x", 1), nil, "")
		p := a.expect(t, 503, authapi.CodeMaintenance)
		if a.header.Get("Retry-After") == "" || p.RetryAfterSeconds == nil || p.Message != "Upgrading the database" ||
			!p.MaintenanceUntil.Equal(until) {
			t.Fatalf("%s %s: maintenance answer %+v", r.Method, r.Pattern, p)
		}
	}
	e.call("GET", "/v1/status", nil, "").ok(t, 200, &st)
	if st.Status != "maintenance" || st.Message != "Upgrading the database" || !st.MaintenanceUntil.Equal(until) {
		t.Fatalf("status in maintenance %+v", st)
	}
}

func TestRateLimits(t *testing.T) {
	e := newEnv(t, func(c *server.Config) {
		c.RateAccount = server.Rate{PerMinute: 2, Burst: 2}
		c.RateMail = server.Rate{PerMinute: 1, Burst: 1}
	})
	req := authapi.CreateSessionRequest{Email: "rate@example.org", Password: "wrong password!"}
	e.call("POST", "/v1/sessions", req, "").expect(t, 401, authapi.CodeInvalidCredentials)
	e.call("POST", "/v1/sessions", req, "").expect(t, 401, authapi.CodeInvalidCredentials)
	a := e.call("POST", "/v1/sessions", req, "")
	p := a.expect(t, 429, authapi.CodeRateLimited)
	if a.header.Get("Retry-After") != "30" || *p.RetryAfterSeconds != 30 {
		t.Fatalf("Retry-After %q, %d", a.header.Get("Retry-After"), *p.RetryAfterSeconds)
	}
	e.call("POST", "/v1/password-resets", authapi.EmailRequest{Email: "rate@example.org"}, "").ok(t, 202, nil)
	e.call("POST", "/v1/password-resets", authapi.EmailRequest{Email: "rate@example.org"}, "").expect(t, 429, authapi.CodeRateLimited)
	e.clock.Advance(time.Minute)
	e.call("POST", "/v1/password-resets", authapi.EmailRequest{Email: "rate@example.org"}, "").ok(t, 202, nil)

	ip := newEnv(t, func(c *server.Config) { c.RateIP = server.Rate{PerMinute: 1, Burst: 3} })
	for i := 0; i < 3; i++ {
		ip.call("POST", "/v1/password-resets", authapi.EmailRequest{Email: fmt.Sprintf("u%d@example.org", i)}, "").ok(t, 202, nil)
	}
	ip.call("POST", "/v1/accounts/verify/resend", authapi.CreateAccountRequest{Email: "x@example.org", Password: "a long new password 1"}, "").expect(t, 429, authapi.CodeRateLimited)
	ip.call("GET", "/v1/status", nil, "").ok(t, 200, nil)
}

func TestMailboxOnlyWhenEnabled(t *testing.T) {
	e := newEnv(t, func(c *server.Config) { c.DevMailbox = false })
	e.call("GET", "/v1/dev/mailbox?to=a@example.org", nil, "").expect(t, 404, authapi.CodeNotFound)
	on := newEnv(t)
	on.call("GET", "/v1/dev/mailbox", nil, "").expect(t, 400, authapi.CodeInvalidRequest)
}

func TestBadInput(t *testing.T) {
	e := newEnv(t)
	path := "/v1/sessions"
	for _, c := range []struct {
		name   string
		body   any
		hdr    []string
		status int
		code   authapi.Code
	}{
		{"malformed JSON", `{"email": "a@example.org",`, nil, 400, authapi.CodeInvalidRequest},
		{"not an object", `["a"]`, nil, 400, authapi.CodeInvalidRequest},
		{"two values", `{"email":"a@example.org","password":"x1234567"} {}`, nil, 400, authapi.CodeInvalidRequest},
		{"stray brace", `{"email":"a@example.org","password":"x1234567"}}`, nil, 400, authapi.CodeInvalidRequest},
		{"stray bracket", `{"email":"a@example.org","password":"x1234567"}]`, nil, 400, authapi.CodeInvalidRequest},
		{"unknown member", `{"email":"a@example.org","password":"x1234567","admin":true}`, nil, 400, authapi.CodeInvalidRequest},
		{"wrong type", `{"email":42,"password":"x1234567"}`, nil, 400, authapi.CodeInvalidRequest},
		{"empty body", ``, nil, 400, authapi.CodeInvalidRequest},
		{"missing member", `{"email":"a@example.org"}`, nil, 400, authapi.CodeInvalidRequest},
		{"invalid UTF-8", []byte("{\"email\":\"a@example.org\",\"password\":\"\xff\xfe\"}"), nil, 400, authapi.CodeInvalidRequest},
		{"too large", `{"email":"` + strings.Repeat("a", 70<<10) + `"}`, nil, 413, authapi.CodeBodyTooLarge},
		{"oversized email", `{"email":"` + strings.Repeat("a", 300) + `@example.org","password":"x1234567"}`, nil, 422, authapi.CodeInvalidEmail},
		{"oversized device", `{"email":"a@example.org","password":"x1234567","device_name":"` + strings.Repeat("d", 65) + `"}`, nil, 400, authapi.CodeInvalidRequest},
		{"form content type", `email=a`, []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, authapi.CodeUnsupportedMediaType},
		{"no content type", `{}`, []string{"Content-Type", ""}, 415, authapi.CodeUnsupportedMediaType},
		{"no client version", `{}`, []string{authapi.HeaderClientVersion, ""}, 400, authapi.CodeMissingClientVersion},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := e.call("POST", path, c.body, "", c.hdr...)
			p := a.expect(t, c.status, c.code)
			if strings.Contains(p.Detail, "x1234567") || strings.Contains(p.Detail, "aaaa") {
				t.Fatalf("the detail echoes the input: %s", p.Detail)
			}
		})
	}
	if a := e.call("PATCH", "/v1/sessions", `{}`, ""); a.header.Get("Allow") != "DELETE, GET, POST" {
		t.Fatalf("405 Allow: %q", a.header.Get("Allow"))
	} else {
		a.expect(t, 405, authapi.CodeMethodNotAllowed)
	}
	e.call("GET", "/v1/nothing", nil, "").expect(t, 404, authapi.CodeNotFound)
	e.call("POST", "/v1/sessions/two-factor", authapi.TwoFactorSessionRequest{ChallengeID: "x", TOTPCode: "1", RecoveryCode: "2"}, "").
		expect(t, 400, authapi.CodeInvalidRequest)
	e.call("POST", "/v1/sessions/two-factor", authapi.TwoFactorSessionRequest{ChallengeID: "unknown", TOTPCode: "123456"}, "").
		expect(t, 410, authapi.CodeChallengeExpired)
	e.call("GET", "/v1/me", nil, "", "Authorization", "Basic eDp5").expect(t, 401, authapi.CodeUnauthorized)
}

// second is a second server process of the test's database, with the
// same configuration, served on a loopback address of its own.
func (e *env) second() *env {
	e.t.Helper()
	cfg := e.cfg
	cfg.Store = e.db.Open(e.t)
	srv, err := server.New(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { srv.Close(context.Background()) })
	e2 := *e
	e2.url, e2.srv = serve(e.t, srv), srv
	return &e2
}

func serve(t testing.TB, h http.Handler) string {
	t.Helper()
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	return hs.URL
}
