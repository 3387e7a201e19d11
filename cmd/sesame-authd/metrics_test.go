package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"sesame/authapi"
	"sesame/internal/testserver"
)

// fetch sends a GET, or a POST of body, as the app does, and returns the
// status, whether the connection closes after it, and the body.
func fetch(t *testing.T, url, body string) (int, bool, string) {
	t.Helper()
	method := "GET"
	if body != "" {
		method = "POST"
	}
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set(authapi.HeaderClientVersion, "1.0.0")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Close, string(b)
}

var metricsURL = regexp.MustCompile(`"msg":"serving metrics","url":"(http://[^"]+)/metrics"`)

// TestMetricsAndDrain runs the program with --metrics-listen: the metrics
// are on their own listener and not on the API's, count requests by route
// pattern, failed sign-ins and locks. A shutdown first drains: /readyz
// answers 503 on both listeners while /healthz answers 200 and the API
// still serves; a second signal ends the drain.
func TestMetricsAndDrain(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hurry := make(chan struct{})
	ready, done := make(chan string, 1), make(chan error, 1)
	var logs testserver.LogBuffer
	go func() {
		done <- runHurried(ctx, hurry, []string{"--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0",
			"--db", filepath.Join(t.TempDir(), "authd.db"), "--local-mailbox", "--dev-plain-totp-secrets",
			"--lock-failures", "2", "--drain-wait", "1h", "--log-format", "json"}, io.Discard, &logs, ready)
	}()
	var api string
	select {
	case addr := <-ready:
		api = "http://" + addr
	case err := <-done:
		t.Fatal(err)
	}
	m := metricsURL.FindStringSubmatch(logs.String())
	if m == nil {
		t.Fatalf("the log names no metrics listener: %s", logs.String())
	}
	mon := m[1]

	if s, _, _ := fetch(t, api+"/metrics", ""); s != 404 {
		t.Fatalf("the API serves /metrics: %d", s)
	}
	if s, _, _ := fetch(t, api+"/v1/sessions/some-session", ""); s != 405 {
		t.Fatalf("GET a session: %d", s)
	}
	wrong := `{"email":"ann@example.org","password":"not her password"}`
	if s, _, _ := fetch(t, api+"/v1/sessions", wrong); s != 401 {
		t.Fatalf("a wrong password: %d", s)
	}
	if s, _, _ := fetch(t, api+"/v1/sessions", wrong); s != 423 {
		t.Fatalf("the wrong password that locks: %d", s)
	}
	s, _, text := fetch(t, mon+"/metrics", "")
	if s != 200 {
		t.Fatalf("metrics: %d", s)
	}
	for _, want := range []string{
		`sesame_http_requests_total{method="other",route="/v1/sessions/{id}",status="405"} 1`,
		`sesame_http_requests_total{method="POST",route="/v1/sessions",status="401"} 1`,
		`sesame_sign_ins_total{outcome="invalid_credentials"} 1`,
		`sesame_sign_ins_total{outcome="account_locked"} 1`,
		`sesame_locks_total{kind="sign_in"} 1`,
		`sesame_http_request_duration_seconds_bucket{method="POST",route="/v1/sessions",le="+Inf"} 2`,
		`go_goroutines `, `process_resident_memory_bytes `,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the metrics lack %s", want)
		}
	}
	if strings.Contains(text, "some-session") {
		t.Error("the metrics hold a raw path")
	}
	for _, base := range []string{api, mon} {
		for _, path := range []string{"/healthz", "/readyz"} {
			if s, _, _ := fetch(t, base+path, ""); s != 200 {
				t.Fatalf("%s%s: %d", base, path, s)
			}
		}
	}

	cancel()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s, _, body := fetch(t, api+"/readyz", "")
		if s == 503 {
			var rd struct{ Ready, Draining bool }
			if err := json.Unmarshal([]byte(body), &rd); err != nil || rd.Ready || !rd.Draining {
				t.Fatalf("readyz while draining: %s", body)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("/readyz did not fail after the signal")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if s, _, _ := fetch(t, mon+"/readyz", ""); s != 503 {
		t.Errorf("the metrics listener's readyz while draining: %d", s)
	}
	for _, base := range []string{api, mon} {
		if s, _, _ := fetch(t, base+"/healthz", ""); s != 200 {
			t.Errorf("%s/healthz while draining: %d", base, s)
		}
	}
	if s, closes, _ := fetch(t, api+"/v1/status", ""); s != 200 || !closes {
		t.Errorf("a request while draining: %d, connection closed after it: %v", s, closes)
	}
	if s, _, _ := fetch(t, mon+"/metrics", ""); s != 200 {
		t.Errorf("metrics while draining: %d", s)
	}

	close(hurry)
	if err := <-done; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if _, err := http.Get(api + "/healthz"); err == nil {
		t.Error("the API still serves after the shutdown")
	}
	if _, err := http.Get(mon + "/metrics"); err == nil {
		t.Error("the metrics listener still serves after the shutdown")
	}
	log := logs.String()
	if d, s := strings.Index(log, `"msg":"draining"`), strings.Index(log, `"msg":"shutting down"`); d < 0 || s < d {
		t.Errorf("the log does not drain before shutting down: %s", log)
	}
}
