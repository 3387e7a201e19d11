package server_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"sesame/authapi"
	"sesame/internal/testdb"
	"sesame/internal/testserver"
	"sesame/server"
	"sesame/server/store"
)

// logs collects the slog output of every server the suite starts; secrets
// collects every password, code, token and TOTP secret the tests used.
// TestMain fails the suite if any secret reached the log.
var (
	logs    testserver.LogBuffer
	secrets sync.Map
)

// secret records v as a value that must never be logged, and returns it.
func secret(v string) string {
	if len(v) >= 6 {
		secrets.Store(v, true)
	}
	return v
}

func TestMain(m *testing.M) {
	code := m.Run()
	out := logs.String()
	// A run of a few tests (-run) may record few secrets or none.
	whole := flag.Lookup("test.run").Value.String() == ""
	if code == 0 && whole && !strings.Contains(out, `"msg":"request"`) {
		fmt.Fprintln(os.Stderr, "the servers logged no request: the log check would prove nothing")
		code = 1
	}
	n := 0
	secrets.Range(func(k, _ any) bool {
		n++
		if strings.Contains(out, k.(string)) {
			fmt.Fprintf(os.Stderr, "a secret of %d characters appears in the server log\n", len(k.(string)))
			code = 1
		}
		return true
	})
	if code == 0 && whole && n < 20 {
		fmt.Fprintf(os.Stderr, "only %d secrets were recorded: the log check would prove little\n", n)
		code = 1
	}
	os.Exit(code)
}

// env is one server over HTTP on loopback with a SQLite file of its own.
type env struct {
	t      testing.TB
	url    string
	dbPath string // the SQLite file, or "" on PostgreSQL
	db     testdb.DB
	srv    *server.Server
	store  store.Admin
	clock  *testserver.Clock
	cfg    server.Config
	hc     *http.Client
}

const clientVersion = "1.0.0"

func newEnv(t testing.TB, tweak ...func(*server.Config)) *env {
	t.Helper()
	return newEnvOn(t, testserver.Start, tweak...)
}

// newEnvOn is newEnv with the server started by start.
func newEnvOn(t testing.TB, start func(testing.TB, ...func(*server.Config)) *testserver.Server, tweak ...func(*server.Config)) *env {
	t.Helper()
	logTo := func(cfg *server.Config) {
		cfg.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{
			Level: slog.LevelDebug,
			// Timestamps are dropped: their digits could look like a 6-digit code.
			ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
				if a.Key == slog.TimeKey {
					return slog.Attr{}
				}
				return a
			},
		}))
	}
	ts := start(t, append([]func(*server.Config){logTo}, tweak...)...)
	return &env{t: t, url: ts.URL, dbPath: ts.DBPath, db: ts.DB, srv: ts.Handler, store: ts.Store, clock: ts.Clock, cfg: ts.Config, hc: ts.Client}
}

// answer is one HTTP answer.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// problem decodes the answer as a problem document, failing if it is not one.
func (a answer) problem(t testing.TB) *authapi.Problem {
	t.Helper()
	p, err := authapi.ParseProblem(a.status, a.header.Get("Content-Type"), a.body)
	if err != nil {
		t.Fatalf("answer %d is not a problem: %v: %s", a.status, err, a.body)
	}
	if p.Detail == "" || p.Title == "" {
		t.Fatalf("problem %s has no title or detail", p.Code)
	}
	return p
}

// expect checks status and problem code and returns the problem.
func (a answer) expect(t testing.TB, status int, code authapi.Code) *authapi.Problem {
	t.Helper()
	if a.status != status {
		t.Fatalf("status %d, want %d: %s", a.status, status, a.body)
	}
	p := a.problem(t)
	if p.Code != code {
		t.Fatalf("code %s, want %s: %s", p.Code, code, a.body)
	}
	return p
}

// ok checks a success status and decodes the body into v (when not nil).
func (a answer) ok(t testing.TB, status int, v any) {
	t.Helper()
	if a.status != status {
		t.Fatalf("status %d, want %d: %s", a.status, status, a.body)
	}
	if v != nil {
		if err := json.Unmarshal(a.body, v); err != nil {
			t.Fatalf("decoding %s: %v", a.body, err)
		}
	}
}

// call sends body (JSON-encoded unless it is a string or []byte) with the
// client version header and the bearer token, if any.
func (e *env) call(method, path string, body any, token string, hdr ...string) answer {
	e.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.url+path, r)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set(authapi.HeaderClientVersion, clientVersion)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "Host" {
			req.Host = hdr[i+1]
			continue
		}
		if hdr[i+1] == "" {
			req.Header.Del(hdr[i])
		} else {
			req.Header.Set(hdr[i], hdr[i+1])
		}
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
	if resp.Header.Get("Date") == "" {
		e.t.Fatalf("%s %s: answer has no Date header", method, path)
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: b}
}

// codeRE finds the code of a mail: a long code as mailed, or 6 digits.
var codeRE = regexp.MustCompile(`\b([0-9A-Z]{5}(?:-[0-9A-Z]{5}){3}|\d{6})\b`)

// mailCode waits for a new mail to addr (one beyond the first after)
// whose subject contains subject and returns its code (6 digits, or a long
// code as mailed) and the mail. A notification sent in the background before may be stored after
// it, so the newest mail need not be the one.
func (e *env) mailCode(addr, subject string, after int) (string, authapi.Mail) {
	e.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		var box authapi.Mailbox
		e.call("GET", "/v1/dev/mailbox?to="+addr, nil, "").ok(e.t, 200, &box)
		for _, m := range box.Mails[:max(len(box.Mails)-after, 0)] {
			if !strings.Contains(strings.ToLower(m.Subject), strings.ToLower(subject)) {
				continue
			}
			c := codeRE.FindStringSubmatch(m.Text)
			if c == nil {
				e.t.Fatalf("mail %q has no code", m.Subject)
			}
			return secret(c[1]), m
		}
		time.Sleep(10 * time.Millisecond)
	}
	e.t.Fatalf("no mail %q to %s", subject, addr)
	return "", authapi.Mail{}
}

// mails counts the mails held for addr.
func (e *env) mails(addr string) int {
	var box authapi.Mailbox
	e.call("GET", "/v1/dev/mailbox?to="+addr, nil, "").ok(e.t, 200, &box)
	return len(box.Mails)
}

// waitMails waits until addr has n mails.
func (e *env) waitMails(addr string, n int) []authapi.Mail {
	e.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var box authapi.Mailbox
		e.call("GET", "/v1/dev/mailbox?to="+addr, nil, "").ok(e.t, 200, &box)
		if len(box.Mails) >= n || time.Now().After(deadline) {
			if len(box.Mails) != n {
				e.t.Fatalf("%s has %d mails, want %d", addr, len(box.Mails), n)
			}
			return box.Mails
		}
		time.Sleep(10 * time.Millisecond)
	}
}

var accounts atomic.Int64

// account creates and verifies a fresh account and returns its email and
// password.
func (e *env) account() (string, string) {
	e.t.Helper()
	email := fmt.Sprintf("user%d@example.org", accounts.Add(1))
	pw := secret(fmt.Sprintf("correct horse %d battery", accounts.Load()))
	e.call("POST", "/v1/accounts", authapi.CreateAccountRequest{Email: email, Password: pw}, "").ok(e.t, 202, nil)
	code, _ := e.mailCode(email, "confirm", 0)
	e.call("POST", "/v1/accounts/verify", authapi.VerifyAccountRequest{Email: email, Code: code, Password: pw}, "").ok(e.t, 204, nil)
	return email, pw
}

// signIn signs in without two-factor and returns the tokens.
func (e *env) signIn(email, pw string) authapi.Tokens {
	e.t.Helper()
	var tok authapi.Tokens
	e.call("POST", "/v1/sessions", authapi.CreateSessionRequest{Email: email, Password: pw, DeviceName: "test"}, "").
		ok(e.t, 201, &tok)
	secret(tok.AccessToken)
	secret(tok.RefreshToken)
	return tok
}

// enableTwoFactor turns two-factor on (pw re-authenticates) and returns
// the TOTP secret and the recovery codes. It moves the clock three steps on, so that the codes of
// the steps around the new now are all unused.
func (e *env) enableTwoFactor(access, pw string) (string, []string) {
	e.t.Helper()
	var setup authapi.TwoFactorSetup
	e.call("POST", "/v1/me/two-factor", authapi.PasswordRequest{Password: pw}, access).ok(e.t, 200, &setup)
	secret(setup.Secret)
	var codes authapi.RecoveryCodes
	e.call("POST", "/v1/me/two-factor/confirm", authapi.TOTPRequest{TOTPCode: e.totp(setup.Secret, 0)}, access).
		ok(e.t, 200, &codes)
	for _, c := range codes.RecoveryCodes {
		secret(c)
	}
	e.clock.Advance(90 * time.Second)
	return setup.Secret, codes.RecoveryCodes
}

// totp returns the code of steps steps from the server's now.
func (e *env) totp(sec string, steps int) string {
	e.t.Helper()
	c, err := totp.GenerateCode(sec, e.clock.Now().Add(time.Duration(steps)*30*time.Second))
	if err != nil {
		e.t.Fatal(err)
	}
	return secret(c)
}

// challenge signs in with the password of a two-factor account and returns
// the challenge id.
func (e *env) challenge(email, pw string) string {
	e.t.Helper()
	p := e.call("POST", "/v1/sessions", authapi.CreateSessionRequest{Email: email, Password: pw}, "").
		expect(e.t, 401, authapi.CodeTwoFactorRequired)
	if p.ChallengeExpiresAt == nil || len(p.Methods) != 2 {
		e.t.Fatalf("challenge without expiry or methods: %+v", p)
	}
	return secret(p.ChallengeID)
}
