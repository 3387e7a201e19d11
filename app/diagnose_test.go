package app_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"sesame/app"
	"sesame/authapi"
	"sesame/internal/testcert"
	"sesame/internal/testserver"
	"sesame/keystore"
	"sesame/server"
	"sesame/server/store"
)

// diagVersion is the app version the checks run as; the reference server's
// default minimum and latest versions equal it.
const diagVersion = "0.1.0"

// diagServer starts the reference server over SQLite, development mailbox
// off, with cfg changed by edit, behind wrap (when not nil). It returns the
// handler to serve and the store.
func diagServer(t *testing.T, edit func(*server.Config), wrap func(http.Handler) http.Handler) (http.Handler, store.Store) {
	t.Helper()
	ts := testserver.New(t, func(c *server.Config) {
		c.DevMailbox = false
		if edit != nil {
			edit(c)
		}
	})
	var h http.Handler = ts.Handler
	if wrap != nil {
		h = wrap(ts.Handler)
	}
	return h, ts.Store
}

// diagPlain serves h over loopback HTTP.
func diagPlain(t *testing.T, h http.Handler) string {
	t.Helper()
	return testserver.Serve(t, h).URL
}

// diagTLS serves h over TLS with c.
func diagTLS(t *testing.T, c tls.Certificate, h http.Handler) string {
	t.Helper()
	return testcert.ServeTLS(t, c, h).URL
}

// diagStatus answers /v1/status itself with h, and the rest through the
// wrapped server.
func diagStatus(h http.HandlerFunc) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/v1/status" {
				h(w, r)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// diagCase is one fault the check must name. want lists every step as
// id=verdict[:cause].
type diagCase struct {
	name     string
	start    func(t *testing.T) (server string, hc *http.Client)
	want     string
	blocking bool
	// network: the case needs a network interface up (not loopback).
	network bool
	// trustedCA: the case passes only with the test CA trusted, which
	// Doctor (system roots only) cannot be told.
	trustedCA bool
	check     func(t *testing.T, steps map[app.StepID]app.Step)
}

const (
	allOK      = "network=ok dns=ok tcp=ok tls=skipped:plain_http_loopback portal=ok status=ok version=ok clock=ok keychain=ok latency=ok"
	notReached = "status=skipped:not_run version=skipped:not_run clock=skipped:not_run keychain=ok latency=skipped:not_run"
)

var diagCases = []diagCase{
	{
		name: "healthy over loopback HTTP",
		start: func(t *testing.T) (string, *http.Client) {
			h, _ := diagServer(t, nil, nil)
			return diagPlain(t, h), nil
		},
		want: allOK,
		check: func(t *testing.T, s map[app.StepID]app.Step) {
			if s[app.StepNetwork].Figure != "loopback" || s[app.StepDNS].Figure != "127.0.0.1" {
				t.Errorf("network %q dns %q", s[app.StepNetwork].Figure, s[app.StepDNS].Figure)
			}
		},
	},
	{
		name: "healthy over TLS",
		start: func(t *testing.T) (string, *http.Client) {
			h, _ := diagServer(t, nil, nil)
			ca, now := testcert.NewCA(t), time.Now()
			return diagTLS(t, ca.Leaf(t, nil, testcert.Loopback, now.Add(-time.Hour), now.Add(time.Hour)), h), ca.Client()
		},
		want:      strings.Replace(allOK, "tls=skipped:plain_http_loopback", "tls=ok", 1),
		trustedCA: true,
		check: func(t *testing.T, s map[app.StepID]app.Step) {
			if f := s[app.StepTLS].Figure; !strings.Contains(f, "TLS 1.3") || !strings.Contains(f, "Sesame test CA") {
				t.Errorf("tls figure %q", f)
			}
		},
	},
	{
		name: "closed port",
		start: func(t *testing.T) (string, *http.Client) {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			l.Close()
			return "http://" + l.Addr().String(), nil
		},
		want:     "network=ok dns=ok tcp=problem:connection_refused tls=skipped:not_run portal=skipped:not_run " + notReached,
		blocking: true,
	},
	{
		name:     "unresolvable name",
		start:    func(t *testing.T) (string, *http.Client) { return "https://sesame.invalid", nil },
		want:     "network=ok dns=problem:dns_failed tcp=skipped:not_run tls=skipped:not_run portal=skipped:not_run " + notReached,
		blocking: true,
		network:  true,
		check: func(t *testing.T, s map[app.StepID]app.Step) {
			if s[app.StepDNS].Detail["host"] != "sesame.invalid" {
				t.Errorf("dns detail %v", s[app.StepDNS].Detail)
			}
		},
	},
	{
		name: "accepts and never answers",
		start: func(t *testing.T) (string, *http.Client) {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			held := make(chan net.Conn, 16)
			go func() {
				for {
					c, err := l.Accept()
					if err != nil {
						return
					}
					held <- c // open, never answered
				}
			}()
			t.Cleanup(func() {
				l.Close()
				for len(held) > 0 {
					(<-held).Close()
				}
			})
			return "http://" + l.Addr().String(), nil
		},
		want:     "network=ok dns=ok tcp=ok tls=skipped:plain_http_loopback portal=problem:timeout " + notReached,
		blocking: true,
	},
	{
		name: "self-signed certificate",
		start: func(t *testing.T) (string, *http.Client) {
			h, _ := diagServer(t, nil, nil)
			now := time.Now()
			return diagTLS(t, testcert.SelfSigned(t, nil, testcert.Loopback, now.Add(-time.Hour), now.Add(time.Hour)), h), nil
		},
		want:     "network=ok dns=ok tcp=ok tls=problem:tls_unknown_authority portal=skipped:not_run " + notReached,
		blocking: true,
		check: func(t *testing.T, s map[app.StepID]app.Step) {
			if got := s[app.StepTLS].Detail["issuer"]; got != "Sesame test leaf (self-signed)" {
				t.Errorf("issuer %q", got)
			}
		},
	},
	{
		name: "expired certificate",
		start: func(t *testing.T) (string, *http.Client) {
			h, _ := diagServer(t, nil, nil)
			ca, now := testcert.NewCA(t), time.Now()
			return diagTLS(t, ca.Leaf(t, nil, testcert.Loopback, now.Add(-48*time.Hour), now.Add(-24*time.Hour)), h), ca.Client()
		},
		want:     "network=ok dns=ok tcp=ok tls=problem:tls_expired portal=skipped:not_run " + notReached,
		blocking: true,
		check: func(t *testing.T, s map[app.StepID]app.Step) {
			want := time.Now().Add(-24 * time.Hour).UTC().Format("2006-01-02")
			if f := s[app.StepTLS].Figure; f != "expired "+want {
				t.Errorf("figure %q, want expired %s", f, want)
			}
		},
	},
	{
		name: "certificate for another host",
		start: func(t *testing.T) (string, *http.Client) {
			h, _ := diagServer(t, nil, nil)
			ca, now := testcert.NewCA(t), time.Now()
			return diagTLS(t, ca.Leaf(t, []string{"other.example"}, nil, now.Add(-time.Hour), now.Add(time.Hour)), h), ca.Client()
		},
		want:     "network=ok dns=ok tcp=ok tls=problem:tls_wrong_host portal=skipped:not_run " + notReached,
		blocking: true,
		check: func(t *testing.T, s map[app.StepID]app.Step) {
			if got := s[app.StepTLS].Detail["names"]; got != "other.example" {
				t.Errorf("names %q", got)
			}
		},
	},
	{
		name: "portal page answered with 200",
		start: func(t *testing.T) (string, *http.Client) {
			return diagPlain(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				w.Write([]byte("<html><body>Welcome to the airport Wi-Fi. Accept the terms to continue.</body></html>"))
			})), nil
		},
		want:     "network=ok dns=ok tcp=ok tls=skipped:plain_http_loopback portal=problem:captive_portal " + notReached,
		blocking: true,
		check: func(t *testing.T, s map[app.StepID]app.Step) {
			d := s[app.StepPortal].Detail
			if d["status"] != "200" || d["content_type"] != "text/html; charset=utf-8" || d["location"] != "" {
				t.Errorf("portal detail %v", d)
			}
		},
	},
	{
		name: "redirect to another host",
		start: func(t *testing.T) (string, *http.Client) {
			return diagPlain(t, http.RedirectHandler("http://portal.example/login?mac=secret-value", http.StatusFound)), nil
		},
		want:     "network=ok dns=ok tcp=ok tls=skipped:plain_http_loopback portal=problem:captive_portal " + notReached,
		blocking: true,
		check: func(t *testing.T, s map[app.StepID]app.Step) {
			p := s[app.StepPortal]
			if p.Detail["status"] != "302" || p.Detail["location"] != "http://portal.example" || strings.Contains(p.Figure, "secret") {
				t.Errorf("portal %+v", p)
			}
		},
	},
	{
		name: "maintenance",
		start: func(t *testing.T) (string, *http.Client) {
			h, st := diagServer(t, nil, nil)
			// Set before the first request, so the server's one-second
			// cache of the switch holds it from the start.
			until := time.Date(2031, 5, 1, 22, 0, 0, 0, time.UTC)
			if err := st.SetMaintenance(context.Background(), store.Maintenance{On: true, Message: "Moving to a new database", Until: &until}); err != nil {
				t.Fatal(err)
			}
			return diagPlain(t, h), nil
		},
		want:     strings.Replace(allOK, "status=ok", "status=problem:maintenance", 1),
		blocking: true,
		check: func(t *testing.T, s map[app.StepID]app.Step) {
			m := s[app.StepStatus]
			if m.Detail["message"] != "Moving to a new database" || m.Detail["until"] != "2031-05-01T22:00:00Z" ||
				m.Figure != "maintenance until 2031-05-01 22:00 UTC" {
				t.Errorf("maintenance %+v", m)
			}
		},
	},
	{
		name: "degraded",
		start: func(t *testing.T) (string, *http.Client) {
			h, _ := diagServer(t, nil, diagStatus(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(`{"status":"degraded","message":"Mail delivery is failing","min_client_version":"0.1.0","latest_client_version":"0.1.0"}`))
			}))
			return diagPlain(t, h), nil
		},
		want: strings.Replace(allOK, "status=ok", "status=warning:degraded", 1),
		check: func(t *testing.T, s map[app.StepID]app.Step) {
			if m := s[app.StepStatus].Detail["message"]; m != "Mail delivery is failing" {
				t.Errorf("message %q", m)
			}
		},
	},
	{
		name: "rate limited with Retry-After",
		start: func(t *testing.T) (string, *http.Client) {
			h, _ := diagServer(t, nil, diagStatus(func(w http.ResponseWriter, r *http.Request) {
				authapi.WriteProblem(w, &authapi.Problem{Status: http.StatusTooManyRequests, Code: authapi.CodeRateLimited,
					Detail: "Too many requests.", RetryAfterSeconds: authapi.Int(30)})
			}))
			return diagPlain(t, h), nil
		},
		want: "network=ok dns=ok tcp=ok tls=skipped:plain_http_loopback portal=ok status=warning:rate_limited " +
			"version=skipped:not_run clock=ok keychain=ok latency=ok",
		check: func(t *testing.T, s map[app.StepID]app.Step) {
			if r := s[app.StepStatus]; r.Detail["retry_after"] != "30" || r.Figure != "rate limited, wait 30s" {
				t.Errorf("rate limited %+v", r)
			}
		},
	},
	{
		name: "below the minimum version",
		start: func(t *testing.T) (string, *http.Client) {
			h, _ := diagServer(t, func(c *server.Config) {
				c.MinClientVersion, c.LatestClientVersion, c.DownloadURL = "9.0.0", "9.1.0", "https://sesame.example/get"
			}, nil)
			return diagPlain(t, h), nil
		},
		want:     strings.Replace(allOK, "version=ok", "version=problem:client_outdated", 1),
		blocking: true,
		check: func(t *testing.T, s map[app.StepID]app.Step) {
			v := s[app.StepVersion].Detail
			if v["min_version"] != "9.0.0" || v["download_url"] != "https://sesame.example/get" {
				t.Errorf("version detail %v", v)
			}
		},
	},
	{
		name: "426 from the status endpoint",
		start: func(t *testing.T) (string, *http.Client) {
			h, _ := diagServer(t, nil, diagStatus(func(w http.ResponseWriter, r *http.Request) {
				authapi.WriteProblem(w, &authapi.Problem{Status: http.StatusUpgradeRequired, Code: authapi.CodeClientOutdated,
					Detail: "Too old.", MinVersion: "2.0.0", DownloadURL: "https://sesame.example/get"})
			}))
			return diagPlain(t, h), nil
		},
		want: "network=ok dns=ok tcp=ok tls=skipped:plain_http_loopback portal=ok status=skipped:client_outdated " +
			"version=problem:client_outdated clock=ok keychain=ok latency=ok",
		blocking: true,
		check: func(t *testing.T, s map[app.StepID]app.Step) {
			if v := s[app.StepVersion].Detail; v["min_version"] != "2.0.0" || v["download_url"] != "https://sesame.example/get" {
				t.Errorf("version detail %v", v)
			}
		},
	},
	{
		name: "update available",
		start: func(t *testing.T) (string, *http.Client) {
			h, _ := diagServer(t, func(c *server.Config) { c.LatestClientVersion = "0.2.0" }, nil)
			return diagPlain(t, h), nil
		},
		want: strings.Replace(allOK, "version=ok", "version=warning:update_available", 1),
	},
	{
		name: "Date two minutes ahead",
		start: func(t *testing.T) (string, *http.Client) {
			h, _ := diagServer(t, nil, func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Date", time.Now().Add(2*time.Minute).UTC().Format(http.TimeFormat))
					next.ServeHTTP(w, r)
				})
			})
			return diagPlain(t, h), nil
		},
		want: strings.Replace(allOK, "clock=ok", "clock=warning:clock_skew", 1),
		check: func(t *testing.T, s map[app.StepID]app.Step) {
			c := s[app.StepClock]
			secs, err := strconv.Atoi(c.Detail["offset_seconds"])
			if err != nil || secs < 118 || secs > 121 || !strings.HasPrefix(c.Figure, "+") {
				t.Errorf("clock %+v", c)
			}
		},
	},
}

// diagParseWant reads id=verdict[:cause] pairs.
func diagParseWant(t *testing.T, want string) map[app.StepID]app.Step {
	t.Helper()
	out := map[app.StepID]app.Step{}
	for _, f := range strings.Fields(want) {
		id, rest, _ := strings.Cut(f, "=")
		v, cause, _ := strings.Cut(rest, ":")
		var verdict app.Verdict
		if err := verdict.UnmarshalText([]byte(v)); err != nil {
			t.Fatal(err)
		}
		out[app.StepID(id)] = app.Step{ID: app.StepID(id), Verdict: verdict, Cause: cause}
	}
	if len(out) != len(app.StepIDs) {
		t.Fatalf("want lists %d steps", len(out))
	}
	return out
}

// diagCompare checks every step's verdict and cause, in order.
func diagCompare(t *testing.T, tc diagCase, got []app.Step) map[app.StepID]app.Step {
	t.Helper()
	want := diagParseWant(t, tc.want)
	if len(got) != len(app.StepIDs) {
		t.Fatalf("%d steps: %+v", len(got), got)
	}
	byID := map[app.StepID]app.Step{}
	for i, s := range got {
		byID[s.ID] = s
		if s.ID != app.StepIDs[i] {
			t.Errorf("step %d is %s, want %s", i, s.ID, app.StepIDs[i])
		}
		if w := want[s.ID]; s.Verdict != w.Verdict || s.Cause != w.Cause {
			t.Errorf("%s: %s:%s (%q), want %s:%s", s.ID, s.Verdict, s.Cause, s.Figure, w.Verdict, w.Cause)
		}
	}
	return byID
}

func diagNeedsNetwork(t *testing.T, steps []app.Step) {
	if steps[0].Verdict != app.VerdictOK {
		t.Skipf("no network interface is up (%s); the DNS step cannot run", steps[0].Cause)
	}
}

func TestDiagnoseFaults(t *testing.T) {
	keystore.MockInit()
	for _, tc := range diagCases {
		t.Run(tc.name, func(t *testing.T) {
			srv, hc := tc.start(t)
			var live []app.Step
			start := time.Now()
			d := app.Diagnose(context.Background(), app.DiagnoseConfig{
				Server: srv, Version: diagVersion, HTTPClient: hc, StepTimeout: 500 * time.Millisecond,
			}, func(s app.Step) { live = append(live, s) })
			// A safety net only: each step has its own limit.
			if took := time.Since(start); took > 15*time.Second {
				t.Errorf("the check took %s", took)
			}
			if tc.network {
				diagNeedsNetwork(t, d.Steps)
			}
			steps := diagCompare(t, tc, d.Steps)
			if len(live) != len(d.Steps) {
				t.Errorf("progress saw %d steps of %d", len(live), len(d.Steps))
			}
			if d.Blocking() != tc.blocking {
				t.Errorf("blocking %v, want %v", d.Blocking(), tc.blocking)
			}
			if d.Server != srv || d.AppVersion != diagVersion || d.OS == "" || d.Started.IsZero() {
				t.Errorf("diagnosis %q %q %q %v", d.Server, d.AppVersion, d.OS, d.Started)
			}
			for _, s := range d.Steps {
				title, fix := s.Text()
				if title == "" || title == s.Cause {
					t.Errorf("%s:%s has no English title", s.ID, s.Cause)
				}
				if strings.HasPrefix(s.Cause, "tls_") && !strings.Contains(fix, "interception on the network") {
					t.Errorf("%s: the fix does not warn of interception: %q", s.Cause, fix)
				}
			}
			if tc.check != nil {
				tc.check(t, steps)
			}
		})
	}
}

// diagDoctorOutput pins the schema of `sesame doctor --json`.
type diagDoctorOutput struct {
	Server     string    `json:"server"`
	AppVersion string    `json:"app_version"`
	OS         string    `json:"os"`
	Started    time.Time `json:"started"`
	Blocking   bool      `json:"blocking"`
	Steps      []struct {
		ID      string            `json:"id"`
		Verdict string            `json:"verdict"`
		Cause   string            `json:"cause"`
		Figure  string            `json:"figure"`
		Detail  map[string]string `json:"detail"`
		Title   string            `json:"title"`
		Fix     string            `json:"fix"`
	} `json:"steps"`
}

// diagDoctor runs `sesame doctor` with args and returns its exit status
// and output.
func diagDoctor(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = app.Doctor(context.Background(), args, &out, &errb, diagVersion, "")
	return code, out.String(), errb.String()
}

func TestDoctorJSONFaults(t *testing.T) {
	keystore.MockInit()
	for _, tc := range diagCases {
		t.Run(tc.name, func(t *testing.T) {
			// Doctor verifies TLS with the system's roots only: the expired
			// and wrong-host certificates are still named so, because the
			// validity dates and the name are checked before the chain.
			if tc.trustedCA {
				t.Skip("Doctor trusts the system's roots only")
			}
			srv, _ := tc.start(t)
			code, stdout, stderr := diagDoctor(t, "--server", srv, "--json")
			var out diagDoctorOutput
			if err := json.Unmarshal([]byte(stdout), &out); err != nil {
				t.Fatalf("%v: %q (stderr %q)", err, stdout, stderr)
			}
			var steps []app.Step
			for _, s := range out.Steps {
				var v app.Verdict
				if err := v.UnmarshalText([]byte(s.Verdict)); err != nil {
					t.Fatal(err)
				}
				steps = append(steps, app.Step{ID: app.StepID(s.ID), Verdict: v, Cause: s.Cause, Figure: s.Figure, Detail: s.Detail})
				if s.Title == "" || (s.Verdict == "problem" && s.Fix == "") {
					t.Errorf("%s: title %q fix %q", s.ID, s.Title, s.Fix)
				}
			}
			if tc.network && len(steps) > 0 {
				diagNeedsNetwork(t, steps)
			}
			byID := diagCompare(t, tc, steps)
			wantCode := 0
			if tc.blocking {
				wantCode = 1
			}
			if code != wantCode || out.Blocking != tc.blocking {
				t.Errorf("exit status %d blocking %v, want %d %v", code, out.Blocking, wantCode, tc.blocking)
			}
			if out.AppVersion != diagVersion || out.OS == "" || out.Started.IsZero() || !strings.HasPrefix(srv, out.Server) {
				t.Errorf("header %+v", out)
			}
			if tc.check != nil {
				tc.check(t, byID)
			}
		})
	}
}

func TestDoctorText(t *testing.T) {
	keystore.MockInit()
	h, _ := diagServer(t, nil, nil)
	healthy := diagPlain(t, h)
	code, out, _ := diagDoctor(t, "--server", healthy)
	if code != 0 || !strings.Contains(out, "✓ Network        The server is on this computer") ||
		!strings.Contains(out, "- Certificate    Plain HTTP on this computer") || !strings.Contains(out, "Nothing blocks signing in.") {
		t.Errorf("healthy: %d\n%s", code, out)
	}
	if n := strings.Count(out, "\n"); n != 1+len(app.StepIDs)+1 {
		t.Errorf("%d lines:\n%s", n, out)
	}

	portal := diagPlain(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html>Sign in to the Wi-Fi</html>"))
	}))
	code, out, _ = diagDoctor(t, "--server", portal)
	if code != 1 || !strings.Contains(out, "✗ Answer         Something else answers instead of the server (HTTP 200 text/html)") ||
		!strings.Contains(out, "\n    This network may want you to sign in first") || !strings.Contains(out, "Signing in is blocked") {
		t.Errorf("portal: %d\n%s", code, out)
	}

	// The server comes from $SESAME_SERVER, else from main's default.
	t.Setenv("SESAME_SERVER", portal)
	if code, out, _ := diagDoctor(t, "--json"); code != 1 || !strings.Contains(out, app.CauseCaptivePortal) {
		t.Errorf("from $SESAME_SERVER: %d %s", code, out)
	}
	t.Setenv("SESAME_SERVER", "")
	var buf bytes.Buffer
	if code := app.Doctor(context.Background(), []string{"--json"}, &buf, io.Discard, diagVersion, healthy); code != 0 {
		t.Errorf("default server: %d %s", code, buf.String())
	}
}

func TestDoctorUsage(t *testing.T) {
	t.Setenv("SESAME_SERVER", "")
	cases := []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"--bogus"}, 2, "flag provided but not defined"},
		{[]string{"--server", "https://auth.sesame.example", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"--server", "ftp://auth.sesame.example"}, 2, "server address must be"},
		{[]string{"--server", "http://auth.sesame.example"}, 2, "plain http"},
		{[]string{}, 2, "no server"},
		{[]string{"--help"}, 0, "usage: sesame doctor"},
	}
	for _, tc := range cases {
		code, out, errs := diagDoctor(t, tc.args...)
		if code != tc.code || !strings.Contains(errs, tc.err) || out != "" {
			t.Errorf("%q: %d %q %q", tc.args, code, out, errs)
		}
	}
}

func TestDiagnoseBadAddress(t *testing.T) {
	keystore.MockInit()
	for server, cause := range map[string]string{
		"ftp://auth.sesame.example":  app.CauseInvalidServer,
		"http://auth.sesame.example": app.CausePlainHTTP,
		"":                           app.CauseInvalidServer,
	} {
		d := app.Diagnose(context.Background(), app.DiagnoseConfig{Server: server, Version: diagVersion}, nil)
		s, _ := d.Step(app.StepDNS)
		if s.Verdict != app.VerdictProblem || s.Cause != cause || !d.Blocking() {
			t.Errorf("%q: dns %+v", server, s)
		}
		if s, _ := d.Step(app.StepPortal); s.Cause != app.CauseNotRun {
			t.Errorf("%q: portal %+v", server, s)
		}
	}
}

func TestDiagnoseCanceled(t *testing.T) {
	keystore.MockInit()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	d := app.Diagnose(ctx, app.DiagnoseConfig{Server: "http://127.0.0.1:1", Version: diagVersion}, nil)
	for _, s := range d.Steps {
		if s.Verdict != app.VerdictSkipped || s.Cause != app.CauseCanceled {
			t.Errorf("%s: %s:%s", s.ID, s.Verdict, s.Cause)
		}
	}
	if d.Blocking() {
		t.Error("a stopped check blocks")
	}
}

// TestKeychainFaults names the keychain's failures and checks that none
// blocks signing in. The locked and no-provider cases use the mock's
// errors (D-Bus error names, as the Secret Service sends them); the
// missing session bus is real, in a child process, because godbus keeps
// its first connection for the life of the process.
func TestKeychainFaults(t *testing.T) {
	if mode := os.Getenv("SESAME_DIAG_CHILD"); mode != "" {
		diagKeychainChild(t, mode)
		return
	}
	h, _ := diagServer(t, nil, nil)
	srv := diagPlain(t, h)
	t.Cleanup(keystore.MockInit)
	for name, cause := range map[string]string{
		"org.freedesktop.Secret.Error.IsLocked":     app.CauseKeychainLocked,
		"org.freedesktop.DBus.Error.ServiceUnknown": app.CauseKeychainNoProvider,
	} {
		keystore.MockInitWithError(dbus.Error{Name: name})
		d := app.Diagnose(context.Background(), app.DiagnoseConfig{Server: srv, Version: diagVersion}, nil)
		s, _ := d.Step(app.StepKeychain)
		if s.Verdict != app.VerdictProblem || s.Cause != cause || d.Blocking() {
			t.Errorf("%s: %+v, blocking %v", name, s, d.Blocking())
		}
		if _, fix := s.Text(); !strings.Contains(fix, `"remember me" is off`) || !strings.Contains(fix, "GNOME") || !strings.Contains(fix, "KDE") {
			t.Errorf("%s: fix %q", name, fix)
		}
	}

	cmd := exec.Command(os.Args[0], "-test.run=^TestKeychainFaults$", "-test.v")
	cmd.Env = append(os.Environ(), "SESAME_DIAG_CHILD=nobus", "SESAME_DIAG_SERVER="+srv,
		"DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "keychain child: no session bus named") {
		t.Fatalf("child: %v\n%s", err, out)
	}
}

func diagKeychainChild(t *testing.T, mode string) {
	if mode != "nobus" {
		t.Fatalf("child mode %q", mode)
	}
	srv := os.Getenv("SESAME_DIAG_SERVER")
	d := app.Diagnose(context.Background(), app.DiagnoseConfig{Server: srv, Version: diagVersion}, nil)
	s, _ := d.Step(app.StepKeychain)
	if s.Verdict != app.VerdictProblem || s.Cause != app.CauseKeychainNoBus || d.Blocking() {
		t.Fatalf("Diagnose: %+v, blocking %v", s, d.Blocking())
	}
	code, stdout, stderr := diagDoctor(t, "--server", srv, "--json")
	var out diagDoctorOutput
	if err := json.Unmarshal([]byte(stdout), &out); err != nil || code != 0 {
		t.Fatalf("Doctor: %d %v %q", code, err, stderr)
	}
	for _, s := range out.Steps {
		if s.ID == string(app.StepKeychain) && (s.Verdict != "problem" || s.Cause != app.CauseKeychainNoBus) {
			t.Fatalf("Doctor keychain %+v", s)
		}
	}
	t.Log("keychain child: no session bus named")
}
