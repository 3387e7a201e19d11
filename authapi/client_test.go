package authapi_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"sesame/authapi"
	"sesame/internal/testserver"
	"sesame/server"
	"sesame/server/store"
)

// env is the real server over loopback HTTP with a SQLite file of its own,
// behind a handler that counts requests, can hold refreshes and can move
// the Date header.
type env struct {
	t     *testing.T
	url   string
	store store.Admin
	clock *testserver.Clock

	hits      sync.Map // "METHOD /path" → *atomic.Int64
	gate      chan struct{}
	gated     atomic.Bool // refreshes wait for gate to close
	lose      atomic.Bool // refreshes are done but answered only after gate closes
	gateway   atomic.Bool // refreshes are done but a proxy answers 502 instead
	dateAhead atomic.Int64

	mu   sync.Mutex
	used map[string]bool // mail ids whose code was taken
}

func newEnv(t *testing.T, tweak ...func(*server.Config)) *env {
	t.Helper()
	ts := testserver.New(t, tweak...)
	e := &env{t: t, store: ts.Store, clock: ts.Clock, gate: make(chan struct{}), used: map[string]bool{}}
	e.url = testserver.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.counter(r.Method + " " + r.URL.Path).Add(1)
		if d := e.dateAhead.Load(); d != 0 {
			w.Header().Set("Date", time.Now().Add(time.Duration(d)).UTC().Format(http.TimeFormat))
		}
		if r.URL.Path == "/v1/tokens/refresh" && e.lose.Load() {
			// The server does the rotation; its answer never arrives.
			ts.Handler.ServeHTTP(httptest.NewRecorder(), r)
			<-e.gate
			return
		}
		if r.URL.Path == "/v1/tokens/refresh" && e.gateway.Load() {
			// The server does the rotation and dies; its proxy answers.
			ts.Handler.ServeHTTP(httptest.NewRecorder(), r)
			http.Error(w, "502 Bad Gateway", http.StatusBadGateway)
			return
		}
		if r.URL.Path == "/v1/tokens/refresh" && e.gated.Load() {
			<-e.gate
		}
		ts.Handler.ServeHTTP(w, r)
	})).URL
	// Held refreshes go on before the HTTP server waits for them to end.
	t.Cleanup(e.release)
	return e
}

func (e *env) counter(key string) *atomic.Int64 {
	v, _ := e.hits.LoadOrStore(key, new(atomic.Int64))
	return v.(*atomic.Int64)
}

// count returns the requests of method and path so far.
func (e *env) count(method, path string) int64 { return e.counter(method + " " + path).Load() }

// hold makes refreshes wait until release.
func (e *env) hold() { e.gated.Store(true) }

func (e *env) release() {
	if e.gated.CompareAndSwap(true, false) {
		close(e.gate)
	}
}

func (e *env) client(opts ...authapi.Option) *authapi.Client {
	e.t.Helper()
	c, err := authapi.NewClient(e.url, opts...)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

var codeRE = regexp.MustCompile(`\b(\d{6})\b`)

// code waits for a mail to addr whose subject contains subject and whose
// code was not taken yet, and returns the code.
func (e *env) code(c *authapi.Client, addr, subject string) string {
	e.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		mails, err := c.Mailbox(context.Background(), addr)
		if err != nil {
			e.t.Fatalf("mailbox: %v", err)
		}
		for _, m := range mails {
			e.mu.Lock()
			fresh := !e.used[m.ID] && strings.Contains(m.Subject, subject)
			if fresh {
				e.used[m.ID] = true
			}
			e.mu.Unlock()
			if fresh {
				c := codeRE.FindStringSubmatch(m.Text)
				if c == nil {
					e.t.Fatalf("mail %q has no code", m.Subject)
				}
				return c[1]
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	e.t.Fatalf("no mail %q to %s", subject, addr)
	return ""
}

// totp moves the server's clock one step on and returns the code of the
// new step, so that no code is ever presented twice.
func (e *env) totp(secret string) string {
	e.t.Helper()
	e.clock.Advance(30 * time.Second)
	c, err := totp.GenerateCode(secret, e.clock.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

var accounts atomic.Int64

// account creates and verifies a fresh account through c.
func (e *env) account(c *authapi.Client) (email, password string) {
	e.t.Helper()
	n := accounts.Add(1)
	email, password = fmt.Sprintf("user%d@example.org", n), fmt.Sprintf("correct horse %d battery", n)
	ctx := context.Background()
	if err := c.CreateAccount(ctx, authapi.CreateAccountRequest{Email: email, Password: password}); err != nil {
		e.t.Fatalf("create account: %v", err)
	}
	code := e.code(c, email, "Confirm")
	if err := c.VerifyAccount(ctx, authapi.VerifyAccountRequest{Email: email, Code: code, Password: password}); err != nil {
		e.t.Fatalf("verify account: %v", err)
	}
	return email, password
}

// problem asserts that err is the API problem code and returns it.
func problem(t *testing.T, err error, code authapi.Code) *authapi.Problem {
	t.Helper()
	p, ok := authapi.ProblemOf(err)
	if !ok || p.Code != code {
		t.Fatalf("error %v (%T), want problem %s", err, err, code)
	}
	return p
}

// tokenLog records what OnTokens was given.
type tokenLog struct {
	mu  sync.Mutex
	got []authapi.Tokens
}

func (l *tokenLog) add(t authapi.Tokens) { l.mu.Lock(); l.got = append(l.got, t); l.mu.Unlock() }
func (l *tokenLog) all() []authapi.Tokens {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]authapi.Tokens(nil), l.got...)
}

func TestEveryEndpoint(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := e.client()
	var log tokenLog
	c.OnTokens(log.add)

	st, err := c.Status(ctx)
	if err != nil || st.Status != authapi.StatusOK || st.MinClientVersion != "0.1.0" || st.ServerTime.IsZero() {
		t.Fatalf("status %+v, %v", st, err)
	}
	email, pw := e.account(c)
	if err := c.ResendVerification(ctx, authapi.CreateAccountRequest{Email: email, Password: pw}); err != nil {
		t.Fatalf("resend: %v", err)
	}

	tok, err := c.SignIn(ctx, authapi.CreateSessionRequest{Email: email, Password: pw, DeviceName: "laptop"})
	if err != nil || tok.AccessToken == "" || tok.RefreshToken == "" || tok.SessionID == "" || tok.DeviceToken == "" {
		t.Fatalf("sign in: %v", err)
	}
	if held, ok := c.Tokens(); !ok || held != tok {
		t.Fatal("the client does not hold the tokens of the sign-in")
	}
	if got := log.all(); len(got) != 1 || got[0] != tok {
		t.Fatalf("OnTokens got %d pairs after the sign-in", len(got))
	}
	me, err := c.Me(ctx)
	if err != nil || me.Email != email || !me.Verified || me.TwoFactorEnabled {
		t.Fatalf("me %+v, %v", me, err)
	}
	if err := c.SetLanguage(ctx, "zh-Hans"); err != nil {
		t.Fatalf("set language: %v", err)
	}
	if me, err := c.Me(ctx); err != nil || me.Language != "zh-Hans" {
		t.Fatalf("me after set language: %+v %v", me, err)
	}
	if err := c.SetLanguage(ctx, "en"); err != nil {
		t.Fatalf("set language: %v", err)
	}
	ss, err := c.Sessions(ctx)
	if err != nil || len(ss) != 1 || !ss[0].Current || ss[0].DeviceName != "laptop" || ss[0].ID != tok.SessionID {
		t.Fatalf("sessions %+v, %v", ss, err)
	}
	if err := c.SetAntiPhishingPhrase(ctx, authapi.AntiPhishingRequest{Phrase: "blue heron", Password: pw}); err != nil {
		t.Fatal(err)
	}
	if me, err := c.Me(ctx); err != nil || me.AntiPhishingPhrase != "blue heron" {
		t.Fatalf("phrase not set: %+v, %v", me, err)
	}

	setup, err := c.StartTwoFactor(ctx, pw)
	if err != nil || setup.Secret == "" || !strings.HasPrefix(setup.OTPAuthURI, "otpauth://totp/") {
		t.Fatalf("start two-factor: %+v, %v", setup, err)
	}
	codes, err := c.ConfirmTwoFactor(ctx, e.totp(setup.Secret))
	if err != nil || len(codes) != authapi.RecoveryCodeCount {
		t.Fatalf("confirm two-factor: %d codes, %v", len(codes), err)
	}
	if me, err := c.Me(ctx); err != nil || !me.TwoFactorEnabled || me.RecoveryCodesLeft != authapi.RecoveryCodeCount {
		t.Fatalf("me after two-factor: %+v, %v", me, err)
	}
	fresh, err := c.RegenerateRecoveryCodes(ctx, authapi.RegenerateCodesRequest{Password: pw, TOTPCode: e.totp(setup.Secret)})
	if err != nil || len(fresh) != authapi.RecoveryCodeCount || fresh[0] == codes[0] {
		t.Fatalf("regenerate: %d codes, %v", len(fresh), err)
	}

	// A second device meets the two-factor challenge.
	c2 := e.client()
	_, err = c2.SignIn(ctx, authapi.CreateSessionRequest{Email: email, Password: pw, DeviceName: "phone"})
	if !errors.Is(err, authapi.ErrTwoFactorRequired) {
		t.Fatalf("sign in with two-factor: %v", err)
	}
	p := problem(t, err, authapi.CodeTwoFactorRequired)
	if p.ChallengeID == "" || p.ChallengeExpiresAt == nil || len(p.Methods) != 2 {
		t.Fatalf("challenge %+v", p)
	}
	if _, ok := c2.Tokens(); ok {
		t.Fatal("a challenge left tokens behind")
	}
	tok2, err := c2.SignInTwoFactor(ctx, authapi.TwoFactorSessionRequest{ChallengeID: p.ChallengeID, TOTPCode: e.totp(setup.Secret)})
	if err != nil || tok2.SessionID == "" || tok2.SessionID == tok.SessionID {
		t.Fatalf("two-factor sign-in: %v", err)
	}
	if ss, err := c.Sessions(ctx); err != nil || len(ss) != 2 {
		t.Fatalf("sessions after a second sign-in: %d, %v", len(ss), err)
	}
	ev, err := c.Activity(ctx, 50)
	if err != nil || len(ev) < 3 {
		t.Fatalf("activity: %d events, %v", len(ev), err)
	}
	results := map[string]bool{}
	for _, a := range ev {
		results[a.Result] = true
	}
	if !results[authapi.ResultSuccess] || !results[authapi.ResultTwoFactorEnabled] {
		t.Fatalf("activity results %v", results)
	}
	if ev, err := c.Activity(ctx, 1); err != nil || len(ev) != 1 {
		t.Fatalf("activity limit 1: %d, %v", len(ev), err)
	}

	// Revoking the second device ends its session; its client learns that
	// its refresh token died and forgets it.
	if err := c.RevokeSession(ctx, tok2.SessionID); err != nil {
		t.Fatal(err)
	}
	if _, err := c2.Me(ctx); !errors.Is(err, authapi.ErrInvalidRefreshToken) {
		t.Fatalf("me of a revoked session: %v", err)
	}
	if _, ok := c2.Tokens(); ok {
		t.Fatal("the revoked session's tokens are still held")
	}

	// An explicit refresh rotates the pair.
	before, _ := c.Tokens()
	nt, err := c.Refresh(ctx)
	if err != nil || nt.AccessToken == before.AccessToken || nt.RefreshToken == before.RefreshToken {
		t.Fatalf("refresh: %v", err)
	}
	if got := log.all(); len(got) != 2 || got[1] != nt {
		t.Fatalf("OnTokens got %d pairs after a refresh", len(got))
	}

	// A third device, signed in with a recovery code, is signed out by
	// RevokeOtherSessions.
	c3 := e.client()
	_, err = c3.SignIn(ctx, authapi.CreateSessionRequest{Email: email, Password: pw})
	p = problem(t, err, authapi.CodeTwoFactorRequired)
	if _, err := c3.SignInTwoFactor(ctx, authapi.TwoFactorSessionRequest{ChallengeID: p.ChallengeID, RecoveryCode: fresh[0]}); err != nil {
		t.Fatalf("recovery code sign-in: %v", err)
	}
	if err := c.RevokeOtherSessions(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c3.Sessions(ctx); !errors.Is(err, authapi.ErrInvalidRefreshToken) {
		t.Fatalf("sessions of a revoked device: %v", err)
	}

	if err := c.DisableTwoFactor(ctx, authapi.DisableTwoFactorRequest{Password: pw, TOTPCode: e.totp(setup.Secret)}); err != nil {
		t.Fatal(err)
	}
	newPW := pw + " again"
	if err := c.ChangePassword(ctx, authapi.ChangePasswordRequest{CurrentPassword: pw, NewPassword: newPW}); err != nil {
		t.Fatal(err)
	}

	// A remembered refresh token resumes the session on a new client.
	held, _ := c.Tokens()
	c.ClearTokens()
	c4 := e.client()
	var log4 tokenLog
	c4.OnTokens(log4.add)
	rt, err := c4.Resume(ctx, held.RefreshToken)
	if err != nil || rt.RefreshToken == held.RefreshToken || rt.SessionID != tok.SessionID {
		t.Fatalf("resume: %v", err)
	}
	if got := log4.all(); len(got) != 1 || got[0] != rt {
		t.Fatalf("OnTokens got %d pairs after a resume", len(got))
	}
	if me, err := c4.Me(ctx); err != nil || me.TwoFactorEnabled {
		t.Fatalf("me after resume: %+v, %v", me, err)
	}
	if err := c4.SignOut(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok := c4.Tokens(); ok {
		t.Fatal("tokens held after sign-out")
	}
	if _, err := c4.Me(ctx); !errors.Is(err, authapi.ErrUnauthorized) {
		t.Fatalf("me after sign-out: %v", err)
	}
	if _, err := c4.Refresh(ctx); !errors.Is(err, authapi.ErrNoSession) {
		t.Fatalf("refresh after sign-out: %v", err)
	}

	// Password reset.
	if err := c.StartPasswordReset(ctx, authapi.EmailRequest{Email: email}); err != nil {
		t.Fatal(err)
	}
	v, err := c.VerifyPasswordReset(ctx, authapi.EmailCodeRequest{Email: email, Code: e.code(c, email, "Reset")})
	if err != nil || v.ResetToken == "" || v.TwoFactorRequired {
		t.Fatalf("verify reset: %+v, %v", v, err)
	}
	resetPW := pw + " reset"
	if _, err := c.CompletePasswordReset(ctx, authapi.ResetCompleteRequest{ResetToken: v.ResetToken, NewPassword: resetPW}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SignIn(ctx, authapi.CreateSessionRequest{Email: email, Password: resetPW}); err != nil {
		t.Fatalf("sign in with the reset password: %v", err)
	}
	if off, ok := c.ClockOffset(); !ok || off < -5*time.Second || off > 5*time.Second {
		t.Fatalf("clock offset %v, %v against a server on this clock", off, ok)
	}
}

// A sign-in's device token comes back with the next sign-in of that
// device; "trust this computer" skips two-factor there; the devices list
// shows the trust, and a forgotten device's token stops.
func TestDevices(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := e.client()
	email, pw := e.account(c)
	first, err := c.SignIn(ctx, authapi.CreateSessionRequest{Email: email, Password: pw, DeviceName: "laptop"})
	if err != nil || first.DeviceToken == "" {
		t.Fatalf("sign in: %v", err)
	}
	setup, err := c.StartTwoFactor(ctx, pw)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ConfirmTwoFactor(ctx, e.totp(setup.Secret)); err != nil {
		t.Fatal(err)
	}

	// Two-factor is asked once, then trusted on this device.
	c2 := e.client()
	_, err = c2.SignIn(ctx, authapi.CreateSessionRequest{Email: email, Password: pw, DeviceName: "laptop", DeviceToken: first.DeviceToken})
	p := problem(t, err, authapi.CodeTwoFactorRequired)
	tok, err := c2.SignInTwoFactor(ctx, authapi.TwoFactorSessionRequest{ChallengeID: p.ChallengeID, TOTPCode: e.totp(setup.Secret), TrustDevice: true})
	if err != nil || tok.DeviceToken == "" {
		t.Fatalf("two-factor sign-in with the device token: %v", err)
	}
	// The two-factor step gives the known device a new token (the server
	// keeps only hashes); the device stays one.
	if tok.DeviceToken == first.DeviceToken {
		t.Error("the two-factor sign-in answered the device token sent, not a new one")
	}
	trusted := tok.DeviceToken
	c3 := e.client()
	if tok, err = c3.SignIn(ctx, authapi.CreateSessionRequest{Email: email, Password: pw, DeviceName: "laptop", DeviceToken: trusted}); err != nil {
		t.Fatalf("sign-in of a trusted device: %v", err)
	}
	devices, err := c3.Devices(ctx)
	if err != nil || len(devices) != 1 {
		t.Fatalf("devices: %d, %v", len(devices), err)
	}
	d := devices[0]
	if d.ID == "" || d.DeviceName != "laptop" || !d.Current || d.TrustedUntil == nil ||
		d.TrustedUntil.Sub(e.clock.Now()) > authapi.TrustDays*24*time.Hour || d.TrustedUntil.Before(e.clock.Now()) {
		t.Fatalf("device %+v", d)
	}

	// Forgotten, the device's token neither skips two-factor nor comes back.
	if err := c3.ForgetDevice(ctx, d.ID, pw); err != nil {
		t.Fatal(err)
	}
	_, err = e.client().SignIn(ctx, authapi.CreateSessionRequest{Email: email, Password: pw, DeviceToken: trusted})
	p = problem(t, err, authapi.CodeTwoFactorRequired)
	if tok, err = c3.SignInTwoFactor(ctx, authapi.TwoFactorSessionRequest{ChallengeID: p.ChallengeID, TOTPCode: e.totp(setup.Secret)}); err != nil ||
		tok.DeviceToken == "" || tok.DeviceToken == trusted {
		t.Fatalf("sign-in after forgetting the device: %v", err)
	}
	if err := c3.ForgetDevice(ctx, d.ID, pw); !errors.Is(err, authapi.ErrNotFound) {
		t.Fatalf("forgetting a forgotten device: %v", err)
	}
}

// Turning two-factor on and setting the phrase need the password: a wrong
// one is counted like a sign-in's.
func TestReauthentication(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := e.client()
	email, pw := e.account(c)
	if _, err := c.SignIn(ctx, authapi.CreateSessionRequest{Email: email, Password: pw}); err != nil {
		t.Fatal(err)
	}
	_, err := c.StartTwoFactor(ctx, "not the password")
	p := problem(t, err, authapi.CodeInvalidCredentials)
	if p.Field != "password" || p.AttemptsLeft == nil {
		t.Fatalf("wrong password: %+v", p)
	}
	err = c.SetAntiPhishingPhrase(ctx, authapi.AntiPhishingRequest{Phrase: "blue heron", Password: "not the password"})
	if p2 := problem(t, err, authapi.CodeInvalidCredentials); p2.AttemptsLeft == nil || *p2.AttemptsLeft >= *p.AttemptsLeft {
		t.Fatalf("the second wrong password was not counted: %+v", p2)
	}
	if err := c.SetAntiPhishingPhrase(ctx, authapi.AntiPhishingRequest{Phrase: "blue heron"}); !errors.Is(err, authapi.ErrInvalidRequest) {
		t.Fatalf("no password: %v", err)
	}
}

func TestProblemsCarryFigures(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := e.client()

	err := c.CreateAccount(ctx, authapi.CreateAccountRequest{Email: "weak@example.org", Password: "password"})
	p := problem(t, err, authapi.CodeWeakPassword)
	if !errors.Is(err, authapi.ErrWeakPassword) || len(p.Reasons) == 0 || p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("weak password %+v", p)
	}
	err = c.CreateAccount(ctx, authapi.CreateAccountRequest{Email: "not an address", Password: "correct horse battery"})
	if problem(t, err, authapi.CodeInvalidEmail); !errors.Is(err, authapi.ErrInvalidEmail) {
		t.Fatalf("invalid email: %v", err)
	}
	err = c.VerifyAccount(ctx, authapi.VerifyAccountRequest{Email: "nobody@example.org", Code: "000000", Password: "correct horse battery"})
	if !errors.Is(err, authapi.ErrInvalidCode) && !errors.Is(err, authapi.ErrCodeExpired) {
		t.Fatalf("verify with a wrong code: %v", err)
	}

	email, pw := e.account(c)
	for left := 4; left >= 1; left-- {
		_, err := c.SignIn(ctx, authapi.CreateSessionRequest{Email: email, Password: pw + "x"})
		p := problem(t, err, authapi.CodeInvalidCredentials)
		if !errors.Is(err, authapi.ErrInvalidCredentials) || p.AttemptsLeft == nil || *p.AttemptsLeft != left {
			t.Fatalf("attempts left %v, want %d", p.AttemptsLeft, left)
		}
	}
	_, err = c.SignIn(ctx, authapi.CreateSessionRequest{Email: email, Password: pw + "x"})
	p = problem(t, err, authapi.CodeAccountLocked)
	now := e.clock.Now()
	if !errors.Is(err, authapi.ErrAccountLocked) || p.LockedUntil == nil ||
		p.LockedUntil.Before(now.Add(14*time.Minute)) || p.LockedUntil.After(now.Add(16*time.Minute)) {
		t.Fatalf("lock %+v", p)
	}
	// Locked: even the right password is refused, with the same figures.
	_, err = c.SignIn(ctx, authapi.CreateSessionRequest{Email: email, Password: pw})
	if !errors.Is(err, authapi.ErrAccountLocked) {
		t.Fatalf("right password while locked: %v", err)
	}
	if _, ok := c.Tokens(); ok {
		t.Fatal("a failed sign-in left tokens behind")
	}
}

func TestClientOutdated(t *testing.T) {
	e := newEnv(t, func(cfg *server.Config) {
		cfg.MinClientVersion, cfg.LatestClientVersion = "2.0.0", "2.1.0"
		cfg.DownloadURL = "https://sesame.example/get"
	})
	c := e.client(authapi.WithVersion("1.9.9"))
	st, err := c.Status(context.Background())
	if err != nil || st.MinClientVersion != "2.0.0" || st.LatestClientVersion != "2.1.0" {
		t.Fatalf("status %+v, %v", st, err)
	}
	_, err = c.SignIn(context.Background(), authapi.CreateSessionRequest{Email: "a@example.org", Password: "whatever it is"})
	p := problem(t, err, authapi.CodeClientOutdated)
	if !errors.Is(err, authapi.ErrClientOutdated) || p.MinVersion != "2.0.0" || p.DownloadURL != "https://sesame.example/get" {
		t.Fatalf("outdated %+v", p)
	}
	if _, err := authapi.NewClient(e.url, authapi.WithVersion("latest")); !errors.Is(err, authapi.ErrInvalidVersion) {
		t.Fatalf("a version that is not semver: %v", err)
	}
}

func TestMaintenance(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	until := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	if err := e.store.SetMaintenance(ctx, store.Maintenance{On: true, Message: "Moving to a new home.", Until: &until}); err != nil {
		t.Fatal(err)
	}
	c := e.client()
	st, err := c.Status(ctx)
	if err != nil || st.Status != authapi.StatusMaintenance || st.Message != "Moving to a new home." {
		t.Fatalf("status %+v, %v", st, err)
	}
	// A wait past MaxRetryWait is not slept: the GET is sent once.
	_, err = c.Mailbox(ctx, "a@example.org")
	p := problem(t, err, authapi.CodeMaintenance)
	if p.Message != "Moving to a new home." || p.MaintenanceUntil == nil || !p.MaintenanceUntil.Equal(until) {
		t.Fatalf("maintenance %+v", p)
	}
	if d, ok := authapi.RetryAfter(err); !ok || d < 59*time.Minute || d > 61*time.Minute {
		t.Fatalf("retry after %v, %v", d, ok)
	}
	if n := e.count("GET", "/v1/dev/mailbox"); n != 1 {
		t.Fatalf("%d requests, want 1", n)
	}
}

func TestRetries(t *testing.T) {
	t.Run("503", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		ctx := context.Background()
		// Retry-After is 1 s while the announced end is less than a second away.
		until := time.Now().Add(200 * time.Millisecond)
		if err := e.store.SetMaintenance(ctx, store.Maintenance{On: true, Until: &until}); err != nil {
			t.Fatal(err)
		}
		c := e.client(authapi.WithRetries(1))
		if _, err := c.Mailbox(ctx, "a@example.org"); !errors.Is(err, authapi.ErrMaintenance) {
			t.Fatalf("mailbox in maintenance: %v", err)
		}
		if n := e.count("GET", "/v1/dev/mailbox"); n != 2 {
			t.Fatalf("the GET was sent %d times, want 2", n)
		}
		_, err := c.SignIn(ctx, authapi.CreateSessionRequest{Email: "a@example.org", Password: "a password here"})
		if !errors.Is(err, authapi.ErrMaintenance) {
			t.Fatalf("sign in in maintenance: %v", err)
		}
		if n := e.count("POST", "/v1/sessions"); n != 1 {
			t.Fatalf("the POST with a password was sent %d times, want 1", n)
		}
	})
	t.Run("429", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, func(cfg *server.Config) {
			cfg.RateAuth = server.Rate{PerMinute: 60, Burst: 2}
			cfg.RateIP = server.Rate{PerMinute: 1, Burst: 3} // sign-up, verify, sign-in
		})
		ctx := context.Background()
		c := e.signedIn()
		before := e.count("GET", "/v1/me")
		for range 2 {
			if _, err := c.Me(ctx); err != nil {
				t.Fatal(err)
			}
		}
		// The account's bucket is empty: the server answers 429 with
		// Retry-After 1, the client waits it out and the retry gets the
		// refilled token.
		if _, err := c.Me(ctx); err != nil {
			t.Fatalf("the retried GET failed: %v", err)
		}
		if n := e.count("GET", "/v1/me") - before; n != 4 {
			t.Fatalf("%d GETs, want 4 (2, then 1 refused and 1 retried)", n)
		}
		// The address's bucket, spent by the sign-up and sign-in: a POST
		// with a password is refused and never sent again.
		sent := e.count("POST", "/v1/sessions")
		_, err := c.SignIn(ctx, authapi.CreateSessionRequest{Email: "a@example.org", Password: "a password here"})
		p := problem(t, err, authapi.CodeRateLimited)
		if d, ok := authapi.RetryAfter(err); !ok || d < time.Second || p.RetryAfterSeconds == nil {
			t.Fatalf("retry after %v, %v", d, ok)
		}
		if n := e.count("POST", "/v1/sessions") - sent; n != 1 {
			t.Fatalf("the POST with a password was sent %d times, want 1", n)
		}
	})
}

// TestRefreshSingleFlight: 20 concurrent Refresh calls send one refresh;
// the first caller's cancellation does not end the shared request.
func TestRefreshSingleFlight(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := e.client()
	email, pw := e.account(c)
	old, err := c.SignIn(ctx, authapi.CreateSessionRequest{Email: email, Password: pw})
	if err != nil {
		t.Fatal(err)
	}
	var log tokenLog
	c.OnTokens(log.add)
	e.hold()

	const n = 20
	type result struct {
		tok authapi.Tokens
		err error
	}
	results := make(chan result, n)
	first, cancelFirst := context.WithCancel(ctx)
	go func() { tok, err := c.Refresh(first); results <- result{tok, err} }()
	waitFor(t, func() bool { return authapi.FlightWaiters(c) == 1 })
	for range n - 1 {
		go func() { tok, err := c.Refresh(ctx); results <- result{tok, err} }()
	}
	waitFor(t, func() bool { return authapi.FlightWaiters(c) == n })
	cancelFirst()
	if r := <-results; !errors.Is(r.err, context.Canceled) {
		t.Fatalf("the cancelled caller got %v, want context.Canceled", r.err)
	}
	e.release()
	var got authapi.Tokens
	for range n - 1 {
		r := <-results
		if r.err != nil {
			t.Fatalf("refresh: %v", r.err)
		}
		if got.AccessToken == "" {
			got = r.tok
		}
		if r.tok != got {
			t.Fatal("callers got different tokens")
		}
	}
	if got.RefreshToken == old.RefreshToken || got.AccessToken == old.AccessToken {
		t.Fatal("the tokens were not rotated")
	}
	if k := e.count("POST", "/v1/tokens/refresh"); k != 1 {
		t.Fatalf("%d refresh requests, want 1", k)
	}
	if l := log.all(); len(l) != 1 || l[0] != got {
		t.Fatalf("OnTokens called %d times", len(l))
	}
	if held, _ := c.Tokens(); held != got {
		t.Fatal("the client does not hold the new tokens")
	}
	if _, err := c.Me(ctx); err != nil {
		t.Fatalf("me with the new tokens: %v", err)
	}
}

// TestExpiredAccessSingleFlight: 20 calls meet an expired access token;
// one refresh serves them all, and none presents a rotated token.
func TestExpiredAccessSingleFlight(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := e.client()
	email, pw := e.account(c)
	if _, err := c.SignIn(ctx, authapi.CreateSessionRequest{Email: email, Password: pw}); err != nil {
		t.Fatal(err)
	}
	var log tokenLog
	c.OnTokens(log.add)
	e.clock.Advance(16 * time.Minute) // past the access token's 15 minutes

	const n = 20
	errs := make(chan error, n)
	var start sync.WaitGroup
	start.Add(1)
	for range n {
		go func() {
			start.Wait()
			_, err := c.Me(ctx)
			errs <- err
		}()
	}
	start.Done()
	for range n {
		if err := <-errs; err != nil {
			t.Fatalf("me after the access token expired: %v", err)
		}
	}
	if k := e.count("POST", "/v1/tokens/refresh"); k != 1 {
		t.Fatalf("%d refresh requests, want 1", k)
	}
	if k := e.count("GET", "/v1/me"); k < n+1 || k > 2*n {
		t.Fatalf("%d GET /v1/me, want %d to %d", k, n+1, 2*n)
	}
	held, _ := c.Tokens()
	if l := log.all(); len(l) != 1 || l[0] != held {
		t.Fatalf("OnTokens called %d times", len(l))
	}
	ev, err := c.Activity(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range ev {
		if a.Result == authapi.ResultRefreshTokenReused {
			t.Fatal("a refresh token was presented twice")
		}
	}
}

func TestClockOffset(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	if _, ok := c.ClockOffset(); ok {
		t.Fatal("an offset before any answer")
	}
	e.dateAhead.Store(int64(2 * time.Minute))
	if _, err := c.Status(context.Background()); err != nil {
		t.Fatal(err)
	}
	off, ok := c.ClockOffset()
	if !ok || off < 2*time.Minute-5*time.Second || off > 2*time.Minute+5*time.Second {
		t.Fatalf("offset %v, %v; want about +2m", off, ok)
	}
	// Error answers carry a Date too, and the latest answer wins.
	e.dateAhead.Store(int64(-time.Hour))
	if err := c.VerifyAccount(context.Background(), authapi.VerifyAccountRequest{}); err == nil {
		t.Fatal("an empty verification was accepted")
	}
	if off, _ := c.ClockOffset(); off > -time.Hour+5*time.Second || off < -time.Hour-5*time.Second {
		t.Fatalf("offset %v after an error answer, want about -1h", off)
	}
}

// waitFor polls cond until it holds, failing after 30 s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
	}
}

// signedIn returns a client signed in to a fresh account.
func (e *env) signedIn(opts ...authapi.Option) *authapi.Client {
	e.t.Helper()
	c := e.client(opts...)
	email, pw := e.account(c)
	if _, err := c.SignIn(context.Background(), authapi.CreateSessionRequest{Email: email, Password: pw}); err != nil {
		e.t.Fatal(err)
	}
	return c
}

// TestRefreshWhoseAnswerIsLost: the server rotated the token but the answer
// never came; the client must not present the spent token again.
func TestRefreshWhoseAnswerIsLost(t *testing.T) {
	e := newEnv(t)
	// Signed in with the default timeout (a sign-in hashes, which takes
	// long under the race detector), then the session in a client that
	// waits 500 ms.
	tokens, _ := e.signedIn().Tokens()
	c := e.client(authapi.WithTimeout(500 * time.Millisecond))
	c.SetTokens(tokens)
	ctx := context.Background()
	e.hold()
	e.lose.Store(true)
	if _, err := c.Refresh(ctx); !errors.Is(err, authapi.ErrTimeout) {
		t.Fatalf("refresh: %v", err)
	}
	e.release()
	if _, ok := c.Tokens(); ok {
		t.Fatal("the client kept a refresh token the server may have spent")
	}
	if _, err := c.Refresh(ctx); !errors.Is(err, authapi.ErrNoSession) {
		t.Fatalf("second refresh: %v", err)
	}
	if n := e.count("POST", "/v1/tokens/refresh"); n != 1 {
		t.Fatalf("%d refresh requests reached the server, want 1", n)
	}
}

// TestRefreshAnsweredByAGateway: the server rotated the token and died, and
// the proxy in front of it answered 502; as for a lost answer, the client
// must not present the spent token again, which would revoke the session
// as a theft.
func TestRefreshAnsweredByAGateway(t *testing.T) {
	e := newEnv(t)
	c := e.signedIn()
	ctx := context.Background()
	e.gateway.Store(true)
	var notAPI *authapi.NotAPIError
	if _, err := c.Refresh(ctx); !errors.As(err, &notAPI) || notAPI.Status != http.StatusBadGateway {
		t.Fatalf("refresh: %v", err)
	}
	e.gateway.Store(false)
	if _, ok := c.Tokens(); ok {
		t.Fatal("the client kept a refresh token the server may have spent")
	}
	if _, err := c.Refresh(ctx); !errors.Is(err, authapi.ErrNoSession) {
		t.Fatalf("second refresh: %v", err)
	}
}

// TestRefreshAfterSignOutIsNotAdopted: a rotation that ends after the client
// dropped its tokens returns no tokens.
func TestRefreshAfterSignOutIsNotAdopted(t *testing.T) {
	e := newEnv(t)
	c := e.signedIn()
	ctx := context.Background()
	e.hold()
	done := make(chan error, 1)
	var got authapi.Tokens
	go func() {
		var err error
		got, err = c.Refresh(ctx)
		done <- err
	}()
	waitFor(t, func() bool { return e.count("POST", "/v1/tokens/refresh") == 1 })
	c.ClearTokens()
	e.release()
	if err := <-done; !errors.Is(err, authapi.ErrNoSession) || got.RefreshToken != "" {
		t.Fatalf("refresh after the tokens were dropped: %+v %v", got, err)
	}
	if _, ok := c.Tokens(); ok {
		t.Fatal("the dropped session came back")
	}
}

func TestInsecureTransportRefused(t *testing.T) {
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	if _, err := authapi.NewClient("https://auth.example.org", authapi.WithHTTPClient(hc)); !errors.Is(err, authapi.ErrInsecureTransport) {
		t.Fatalf("NewClient: %v", err)
	}
}

// TestAcceptLanguage: the client's UI language reaches the server, which
// mails a registration in it.
func TestAcceptLanguage(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := e.client()
	c.SetAcceptLanguage("zh-Hans")
	const email = "wang@example.org"
	if err := c.CreateAccount(ctx, authapi.CreateAccountRequest{Email: email, Password: "a long new password 1"}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		mails, err := c.Mailbox(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		if len(mails) == 1 {
			if mails[0].Subject != "确认您的 Sesame 账户" || mails[0].HTML == "" {
				t.Fatalf("mail %q, HTML %d bytes", mails[0].Subject, len(mails[0].HTML))
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d mails", len(mails))
		}
	}
}
