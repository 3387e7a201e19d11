package server_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"sesame/authapi"
	"sesame/internal/testserver"
	"sesame/server"
	"sesame/server/mail"
)

// scrape reads the metrics served at url, by series (name and labels, as
// the text format writes them).
func scrape(t testing.TB, url string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("metrics: %d", resp.StatusCode)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	return out
}

// metricsOf serves e's metrics on a listener of their own.
func metricsOf(t testing.TB, e *env) string {
	return testserver.Serve(t, e.srv.Metrics()).URL + "/metrics"
}

// waitMetric waits until series reaches want.
func waitMetric(t testing.TB, url, series string, want float64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := scrape(t, url)[series]
		if got >= want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s is %v, want %v", series, got, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestMetricsCountRequestsByRoute: requests count under their route
// pattern, never their path; sign-in outcomes, locks and the waits for
// a hashing slot count; the API itself serves no metrics.
func TestMetricsCountRequestsByRoute(t *testing.T) {
	e := newEnv(t)
	url := metricsOf(t, e)
	m := scrape(t, url)
	for _, series := range []string{`sesame_locks_total{kind="sign_in"}`, `sesame_mail_deliveries_total{result="failed"}`,
		`sesame_database_errors_total{source="request"}`, `sesame_hash_queue_waiting`, `go_goroutines`, `process_open_fds`} {
		if _, ok := m[series]; !ok {
			t.Errorf("no %s at start", series)
		}
	}

	e.call("DELETE", "/v1/sessions/secret-looking-id", nil, "").expect(t, 401, authapi.CodeUnauthorized)
	e.call("PATCH", "/v1/me", nil, "").expect(t, 405, authapi.CodeMethodNotAllowed)
	e.call("GET", "/v1/no/such/path", nil, "").expect(t, 404, authapi.CodeNotFound)
	email, pw := e.account()
	e.signIn(email, pw)
	bad := authapi.CreateSessionRequest{Email: email, Password: "wrong password!"}
	for i := 1; i < e.cfg.Lock.MaxFailures; i++ {
		e.call("POST", "/v1/sessions", bad, "").expect(t, 401, authapi.CodeInvalidCredentials)
	}
	e.call("POST", "/v1/sessions", bad, "").expect(t, 423, authapi.CodeAccountLocked)
	e.call("POST", "/v1/sessions", bad, "").expect(t, 423, authapi.CodeAccountLocked)
	if a := e.call("GET", "/metrics", nil, ""); a.status != 404 {
		t.Errorf("the API serves /metrics: %d", a.status)
	}

	waitMetric(t, url, `sesame_mail_deliveries_total{result="sent"}`, 1)
	m = scrape(t, url)
	for series, want := range map[string]float64{
		`sesame_http_requests_total{method="DELETE",route="/v1/sessions/{id}",status="401"}`: 1,
		`sesame_http_requests_total{method="other",route="/v1/me",status="405"}`:             1,
		`sesame_http_requests_total{method="other",route="/",status="404"}`:                  2,
		`sesame_http_requests_total{method="POST",route="/v1/sessions",status="201"}`:        1,
		`sesame_http_request_duration_seconds_count{method="POST",route="/v1/sessions"}`:     float64(e.cfg.Lock.MaxFailures + 2),
		`sesame_sign_ins_total{outcome="success"}`:                                           1,
		`sesame_sign_ins_total{outcome="invalid_credentials"}`:                               float64(e.cfg.Lock.MaxFailures - 1),
		`sesame_sign_ins_total{outcome="account_locked"}`:                                    2,
		`sesame_locks_total{kind="sign_in"}`:                                                 1,
		// The sign-up, its verification and each sign-in checked (not
		// the one refused while locked) took a hashing slot.
		`sesame_hash_queue_wait_seconds_count{result="taken"}`: float64(2 + 1 + e.cfg.Lock.MaxFailures),
		`sesame_hash_queue_waiting`:                            0,
		`sesame_database_errors_total{source="request"}`:       0,
	} {
		if got, ok := m[series]; !ok || got != want {
			t.Errorf("%s = %v (%v), want %v", series, got, ok, want)
		}
	}
	for series := range m {
		if strings.Contains(series, "secret-looking-id") || strings.Contains(series, "/v1/no/such") {
			t.Errorf("a raw path in the metrics: %s", series)
		}
	}
}

// TestMetricsOfFailures: a mail that cannot be delivered and a database
// that fails count.
func TestMetricsOfFailures(t *testing.T) {
	smtp, err := mail.NewSMTP("smtp://127.0.0.1:1", "Sesame <no-reply@example.org>", mail.WithDialTimeout(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, func(c *server.Config) { c.Mailer = smtp })
	url := metricsOf(t, e)
	e.call("POST", "/v1/accounts", authapi.CreateAccountRequest{Email: "nomail@example.org", Password: secret("a long new password 1")}, "").
		ok(t, 202, nil)
	waitMetric(t, url, `sesame_mail_deliveries_total{result="failed"}`, 1)

	if err := e.store.Close(); err != nil {
		t.Fatal(err)
	}
	e.call("POST", "/v1/sessions", authapi.CreateSessionRequest{Email: "nomail@example.org", Password: "whatever it is"}, "").
		expect(t, 500, authapi.CodeInternal)
	m := scrape(t, url)
	if got := m[`sesame_database_errors_total{source="request"}`]; got != 1 {
		t.Errorf("database errors of requests: %v, want 1", got)
	}
	if got := m[`sesame_sign_ins_total{outcome="internal_error"}`]; got != 1 {
		t.Errorf("sign-ins that failed: %v, want 1", got)
	}
}

// TestHealthAndReadiness: /healthz answers while the process serves;
// /readyz while the database answers and the server is not draining;
// neither passes the API's checks (version, host, rate limits).
func TestHealthAndReadiness(t *testing.T) {
	e := newEnv(t, func(c *server.Config) {
		c.PublicURL = "https://auth.example.org"
		c.RateIP = server.Rate{PerMinute: 1, Burst: 1}
	})
	url := metricsOf(t, e)
	get := func(path string) (int, map[string]any) {
		t.Helper()
		// No client version, the listener's host, many times: as a
		// load balancer checks.
		var body map[string]any
		var status int
		for range 3 {
			resp, err := http.Get(e.url + path)
			if err != nil {
				t.Fatal(err)
			}
			json.NewDecoder(resp.Body).Decode(&body)
			resp.Body.Close()
			if resp.Header.Get("Content-Type") != "application/json" {
				t.Fatalf("%s answers %s", path, resp.Header.Get("Content-Type"))
			}
			status = resp.StatusCode
		}
		return status, body
	}
	if s, b := get(server.PathHealth); s != 200 || b["status"] != "ok" {
		t.Fatalf("healthz: %d %v", s, b)
	}
	if s, b := get(server.PathReady); s != 200 || b["ready"] != true || b["database"] != "ok" || b["totp_key"] != "loaded" || b["draining"] != false {
		t.Fatalf("readyz: %d %v", s, b)
	}
	if a := e.call("POST", server.PathReady, nil, ""); a.status != 405 || a.header.Get("Allow") != "GET, HEAD" {
		t.Fatalf("POST /readyz: %d %s", a.status, a.header.Get("Allow"))
	}

	e.srv.Drain()
	if s, b := get(server.PathReady); s != 503 || b["ready"] != false || b["database"] != "ok" || b["draining"] != true {
		t.Fatalf("readyz while draining: %d %v", s, b)
	}
	if s, _ := get(server.PathHealth); s != 200 {
		t.Fatalf("healthz while draining: %d", s)
	}

	if err := e.store.Close(); err != nil {
		t.Fatal(err)
	}
	if s, b := get(server.PathReady); s != 503 || b["database"] != "unreachable" {
		t.Fatalf("readyz with the store closed: %d %v", s, b)
	}
	if s, _ := get(server.PathHealth); s != 200 {
		t.Fatalf("healthz with the store closed: %d", s)
	}
	m := scrape(t, url)
	for series, want := range map[string]float64{
		`sesame_database_errors_total{source="ready"}`:                             3,
		`sesame_http_requests_total{method="GET",route="/readyz",status="503"}`:    6,
		`sesame_http_requests_total{method="GET",route="/healthz",status="200"}`:   9,
		`sesame_http_requests_total{method="other",route="/readyz",status="405"}`:  1,
		`sesame_http_request_duration_seconds_count{method="GET",route="/readyz"}`: 9,
	} {
		if got := m[series]; got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
}

// TestReadinessInDevelopmentMode: without a TOTP key the server is ready
// and says its secrets are plain.
func TestReadinessInDevelopmentMode(t *testing.T) {
	e := newEnv(t, func(c *server.Config) { c.TOTPKey, c.PlainTOTPSecrets = nil, true })
	var rd server.Readiness
	e.call("GET", server.PathReady, nil, "").ok(t, 200, &rd)
	if !rd.Ready || rd.TOTPKey != "plain" {
		t.Fatalf("%+v", rd)
	}
}

// TestMetricsOfTheHashQueue: each wait for a hashing slot counts, by its
// result, and no request is left counted as waiting.
func TestMetricsOfTheHashQueue(t *testing.T) {
	// A wait of 1 ns: a request either finds the slot free or answers 503
	// overloaded, at random when both are ready.
	e := newEnv(t, func(c *server.Config) { c.MaxHashes, c.HashWait = 1, time.Nanosecond })
	url := metricsOf(t, e)
	answers := map[int]int{}
	var mu sync.Mutex
	for round := 0; answers[503] == 0 || answers[401] == 0; round++ {
		if round == 50 {
			t.Fatalf("answers %v", answers)
		}
		var wg sync.WaitGroup
		for range 4 {
			email := fmt.Sprintf("nobody%d@example.org", accounts.Add(1)) // no lock
			wg.Go(func() {
				a := e.call("POST", "/v1/sessions", authapi.CreateSessionRequest{Email: email, Password: "some password"}, "")
				mu.Lock()
				defer mu.Unlock()
				answers[a.status]++
			})
		}
		wg.Wait()
	}
	m := scrape(t, url)
	if m[`sesame_hash_queue_wait_seconds_count{result="overloaded"}`] != float64(answers[503]) ||
		m[`sesame_hash_queue_wait_seconds_count{result="taken"}`] != float64(answers[401]) ||
		m[`sesame_sign_ins_total{outcome="overloaded"}`] != float64(answers[503]) || m[`sesame_hash_queue_waiting`] != 0 {
		t.Fatalf("answers %v, metrics %v", answers, m)
	}
}
