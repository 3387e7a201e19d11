package server_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"sesame/authapi"
	"sesame/internal/testserver"
	"sesame/server"
	"sesame/server/store"
)

// link makes a "this wasn't me" link to the account of email.
func (e *env) link(email, lang string) string {
	e.t.Helper()
	a, err := e.store.AccountByEmail(context.Background(), email)
	if err != nil {
		e.t.Fatal(err)
	}
	l, err := e.srv.WasntMeLink(context.Background(), a.ID, lang)
	if err != nil {
		e.t.Fatal(err)
	}
	if !strings.HasPrefix(l, e.url+server.PathWasntMe+"?t=") {
		e.t.Fatalf("link %q is not under %s", l, e.url)
	}
	return l
}

// token is the token of a link.
func token(t *testing.T, link string) string {
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return secret(u.Query().Get("t"))
}

// page opens link (GET) or sends its token as the form a browser posts
// (POST), with no client version header, and checks the headers of a page.
func (e *env) page(method, link string) answer {
	e.t.Helper()
	var req *http.Request
	var err error
	if method == "GET" {
		req, err = http.NewRequest("GET", link, nil)
	} else {
		u, _ := url.Parse(link)
		form := url.Values{"t": {u.Query().Get("t")}}.Encode()
		req, err = http.NewRequest("POST", e.url+server.PathWasntMe, strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if err != nil {
		e.t.Fatal(err)
	}
	resp, err := e.hc.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	for h, want := range map[string]string{
		"Content-Type":            "text/html; charset=utf-8",
		"X-Frame-Options":         "DENY",
		"Referrer-Policy":         "no-referrer",
		"Cache-Control":           "no-store",
		"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
	} {
		if got := resp.Header.Get(h); got != want {
			e.t.Fatalf("%s %s: %s %q, want %q", method, server.PathWasntMe, h, got, want)
		}
	}
	if strings.Contains(strings.ToLower(string(b)), "<script") {
		e.t.Fatal("a page has a script")
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: b}
}

// shows checks the status and that the page holds every text.
func (a answer) shows(t *testing.T, status int, texts ...string) {
	t.Helper()
	if a.status != status {
		t.Fatalf("status %d, want %d: %s", a.status, status, a.body)
	}
	for _, s := range texts {
		if !strings.Contains(string(a.body), s) {
			t.Fatalf("the page lacks %q: %s", s, a.body)
		}
	}
}

// forge changes a character of a link's MAC.
func forge(link string) string {
	i := len(link) - 5
	c := "A"
	if link[i] == 'A' {
		c = "B"
	}
	return link[:i] + c + link[i+1:]
}

// TestWasntMe: opening the link changes nothing; posting it signs out
// every session, ends the pending two-factor sign-in and reset and every
// device's trust, and requires a reset, which lifts the requirement. A
// forged, used, expired or another account's link does nothing to the
// account.
func TestWasntMe(t *testing.T) {
	e := newEnvOn(t, testserver.StartPublic)
	ctx := context.Background()
	email, pw := e.account()
	tok := e.signIn(email, pw)
	sec, _ := e.enableTwoFactor(tok.AccessToken, pw)
	// A trusted device, then a sign-in pending its second factor.
	var trusted authapi.Tokens
	ch := e.challenge(email, pw)
	e.call("POST", "/v1/sessions/two-factor", authapi.TwoFactorSessionRequest{ChallengeID: ch, TOTPCode: e.totp(sec, 0), TrustDevice: true}, "").
		ok(t, 201, &trusted)
	secret(trusted.DeviceToken)
	pending := e.challenge(email, pw)
	// A reset started and verified.
	e.call("POST", "/v1/password-resets", authapi.EmailRequest{Email: email}, "").ok(t, 202, nil)
	code, _ := e.mailCode(email, "reset", 0)
	var v authapi.ResetVerifyResponse
	e.call("POST", "/v1/password-resets/verify", authapi.EmailCodeRequest{Email: email, Code: code}, "").ok(t, 200, &v)
	secret(v.ResetToken)
	// Another account.
	other, otherPW := e.account()
	otherTok := e.signIn(other, otherPW)

	link := e.link(email, "en")
	// Mail scanners open links: GET changes nothing, however often.
	for range 3 {
		e.page("GET", link).shows(t, 200, `<html lang="en">`, `name="t" value="`+token(t, link)+`"`, `method="post"`, "Sign everyone out")
	}
	e.call("GET", "/v1/me", nil, tok.AccessToken).ok(t, 200, nil)

	// Forged links and another account's link leave the account alone.
	e.page("GET", forge(link)).shows(t, 400, "This link is not valid")
	e.page("POST", forge(link)).shows(t, 400, "This link is not valid")
	e.page("POST", e.url+server.PathWasntMe).shows(t, 400, "This link is not valid")
	e.page("POST", e.link(other, "en")).shows(t, 200, "Everyone is signed out")
	e.call("GET", "/v1/me", nil, otherTok.AccessToken).expect(t, 401, authapi.CodeUnauthorized)
	e.call("GET", "/v1/me", nil, tok.AccessToken).ok(t, 200, nil)

	e.page("POST", link).shows(t, 200, "Everyone is signed out", "Forgot password?", "two-factor")
	for _, access := range []string{tok.AccessToken, trusted.AccessToken} {
		e.call("GET", "/v1/me", nil, access).expect(t, 401, authapi.CodeUnauthorized)
	}
	e.call("POST", "/v1/tokens/refresh", authapi.RefreshRequest{RefreshToken: trusted.RefreshToken}, "").
		expect(t, 401, authapi.CodeInvalidRefreshToken)
	e.call("POST", "/v1/sessions/two-factor", authapi.TwoFactorSessionRequest{ChallengeID: pending, TOTPCode: e.totp(sec, 1)}, "").
		expect(t, 410, authapi.CodeChallengeExpired)
	e.call("POST", "/v1/password-resets/complete", authapi.ResetCompleteRequest{ResetToken: v.ResetToken,
		NewPassword: secret("a new long password 1"), TOTPCode: e.totp(sec, 1)}, "").expect(t, 410, authapi.CodeResetTokenExpired)
	// The right password, even from the trusted device, is refused until
	// a reset; a wrong one is only wrong.
	e.call("POST", "/v1/sessions", authapi.CreateSessionRequest{Email: email, Password: pw, DeviceToken: trusted.DeviceToken}, "").
		expect(t, 403, authapi.CodePasswordResetRequired)
	e.call("POST", "/v1/sessions", authapi.CreateSessionRequest{Email: email, Password: "not the password"}, "").
		expect(t, 401, authapi.CodeInvalidCredentials)
	a, _ := e.store.AccountByEmail(ctx, email)
	acts, _ := e.store.Activity(ctx, a.ID, 100)
	if !hasResult(authapi.ActivityList{Events: acts}, authapi.ResultAccountSecured) {
		t.Fatalf("no %s in the activity: %+v", authapi.ResultAccountSecured, acts)
	}
	ds, _ := e.store.Devices(ctx, a.ID)
	for _, d := range ds {
		if d.Trusted(e.clock.Now()) {
			t.Fatalf("device %s is still trusted", d.DeviceName)
		}
	}

	// A link works once.
	e.page("POST", link).shows(t, 410, "This link was already used")
	e.page("GET", link).shows(t, 410, "This link was already used")

	// A reset lifts the requirement.
	pw2 := secret("another long password 2")
	e.clock.Advance(30 * time.Second) // the next TOTP step
	e.reset(email, pw2, func(r *authapi.ResetCompleteRequest) { r.TOTPCode = e.totp(sec, 0) })
	e.call("POST", "/v1/sessions", authapi.CreateSessionRequest{Email: email, Password: pw2}, "").
		expect(t, 401, authapi.CodeTwoFactorRequired)
}

// TestWasntMeExpires: after 7 days the link shows that it expired and
// does nothing.
func TestWasntMeExpires(t *testing.T) {
	e := newEnvOn(t, testserver.StartPublic)
	email, pw := e.account()
	link := e.link(email, "zh-Hans")
	e.clock.Advance(store.WasntMeTTL)
	e.page("GET", link).shows(t, 410, `<html lang="zh-Hans">`, "此链接已过期", "忘记密码？")
	e.page("POST", link).shows(t, 410, "此链接已过期")
	e.signIn(email, pw)
}

// TestWasntMeLanguages: the page speaks the language the link names, a
// forged link's too; a language without pages falls back to English.
func TestWasntMeLanguages(t *testing.T) {
	e := newEnvOn(t, testserver.StartPublic)
	email, _ := e.account()
	zh := e.link(email, "zh-Hans")
	e.page("GET", zh).shows(t, 200, `<html lang="zh-Hans">`, "退出所有设备并锁定我的账户")
	e.page("GET", forge(zh)).shows(t, 400, `<html lang="zh-Hans">`, "此链接无效")
	e.page("GET", e.link(email, "fr")).shows(t, 200, `<html lang="en">`)
	e.page("POST", zh).shows(t, 200, "所有设备均已退出登录")
	e.page("POST", zh).shows(t, 410, "此链接已被使用")
	if got := server.PageLanguages(); strings.Join(got, " ") != "en zh-Hans" {
		t.Fatalf("page languages %v", got)
	}
}

// TestWasntMeNeedsPublicURL: without a public URL there is no address to
// link to, and no link.
func TestWasntMeNeedsPublicURL(t *testing.T) {
	e := newEnv(t)
	email, _ := e.account()
	a, _ := e.store.AccountByEmail(context.Background(), email)
	if l, err := e.srv.WasntMeLink(context.Background(), a.ID, "en"); l != "" || err != nil {
		t.Fatalf("link %q, %v", l, err)
	}
	e.page("GET", e.url+server.PathWasntMe+"?t=x").shows(t, 400, "This link is not valid")
}

// TestWasntMeInMaintenance: the link still works in maintenance, so that
// an owner can always sign an intruder out.
func TestWasntMeInMaintenance(t *testing.T) {
	e := newEnvOn(t, testserver.StartPublic)
	email, pw := e.account()
	tok := e.signIn(email, pw)
	link := e.link(email, "en")
	if err := e.store.SetMaintenance(context.Background(), store.Maintenance{On: true}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(server.MaintenanceRead) // the switch is read once a second of the clock
	e.call("GET", "/v1/me", nil, tok.AccessToken).expect(t, http.StatusServiceUnavailable, authapi.CodeMaintenance)
	e.page("GET", link).shows(t, 200, "Sign everyone out")
	e.page("POST", link).shows(t, 200, "Everyone is signed out")
}
