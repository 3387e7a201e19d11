package check_test

import (
	"context"
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"sesame/authapi"
	"sesame/check"
	"sesame/internal/testcert"
	"sesame/internal/testserver"
	"sesame/keystore"
	"sesame/server"
	"sesame/server/store"
)

// diagVersion is the app version the checks run as; the reference server's
// default minimum and latest versions equal it.
const diagVersion = "0.1.0"

// diagTLS serves h over TLS with c.
func diagTLS(t *testing.T, c tls.Certificate, h http.Handler) string {
	t.Helper()
	return testcert.ServeTLS(t, c, h).URL
}

// lanIP is an address of this computer on a network interface that is up
// and not loopback, or nil.
func lanIP() net.IP {
	ifs, _ := net.Interfaces()
	for _, ifc := range ifs {
		if ifc.Flags&net.FlagUp == 0 || ifc.Flags&net.FlagLoopback != 0 {
			continue
		}
		addrs, _ := ifc.Addrs()
		for _, a := range addrs {
			if ipn, ok := a.(*net.IPNet); ok && ipn.IP.IsGlobalUnicast() && ipn.IP.To4() != nil {
				return ipn.IP
			}
		}
	}
	return nil
}

// diagLAN serves h over TLS on this computer's network address, where a
// captive portal could answer, with a certificate of a CA the returned
// client trusts. It skips the test when no interface but loopback is up.
func diagLAN(t *testing.T, h http.Handler) (string, *http.Client) {
	t.Helper()
	ip := lanIP()
	if ip == nil {
		t.Skip("no network interface but loopback is up")
	}
	l, err := net.Listen("tcp", net.JoinHostPort(ip.String(), "0"))
	if err != nil {
		t.Skipf("cannot listen on %s: %v", ip, err)
	}
	ca, now := testcert.NewCA(t), time.Now()
	s := httptest.NewUnstartedServer(h)
	s.Listener.Close()
	s.Listener = l
	// The TCP step's connections close before a handshake.
	s.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.TLS = &tls.Config{Certificates: []tls.Certificate{ca.Leaf(t, nil, []net.IP{ip}, now.Add(-time.Hour), now.Add(time.Hour))}}
	s.StartTLS()
	t.Cleanup(s.Close)
	return s.URL, ca.Client()
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

// diagClock serves the reference server with its clock moved by off, its
// Date headers read from that clock.
func diagClock(t *testing.T, off time.Duration) string {
	t.Helper()
	var ts *testserver.Server
	h, ts := testserver.Behind(t, nil, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Date", ts.Clock.Now().UTC().Format(http.TimeFormat))
			next.ServeHTTP(w, r)
		})
	})
	ts.Clock.Advance(off)
	return testserver.Serve(t, h).URL
}

// html answers every request with status and a page.
func html(status int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		io.WriteString(w, "<html><body>Welcome to the airport Wi-Fi. Accept the terms to continue.</body></html>")
	})
}

// diagCase is one fault the check must name. want lists every step as
// id=verdict[:cause].
type diagCase struct {
	name     string
	start    func(t *testing.T) (server string, hc *http.Client)
	want     string
	blocking bool
	// twoFactor: whether the account uses two-factor.
	twoFactor check.TwoFactor
	// network: the case needs a network interface up (not loopback).
	network bool
	check   func(t *testing.T, steps map[check.StepID]check.Step)
}

const (
	allOK      = "network=ok:loopback dns=ok tcp=ok tls=skipped:plain_http_loopback portal=ok status=ok version=ok clock=ok keychain=ok latency=ok"
	allOKTLS   = "network=ok:loopback dns=ok tcp=ok tls=ok portal=ok status=ok version=ok clock=ok keychain=ok latency=ok"
	notReached = "status=skipped:not_run version=skipped:not_run clock=skipped:not_run keychain=ok latency=skipped:not_run"
)

// onLAN is a case of the answer of h on this computer's network address:
// want is the portal step's verdict and cause.
func onLAN(name string, h http.Handler, want string) diagCase {
	return diagCase{
		name:     name,
		start:    func(t *testing.T) (string, *http.Client) { return diagLAN(t, h) },
		want:     "network=ok dns=ok tcp=ok tls=ok portal=" + want + " " + notReached,
		blocking: true,
		network:  true,
	}
}

// onLoopback is onLAN on loopback over plain HTTP.
func onLoopback(name string, h http.Handler, want string) diagCase {
	return diagCase{
		name:     name,
		start:    func(t *testing.T) (string, *http.Client) { return testserver.Serve(t, h).URL, nil },
		want:     "network=ok:loopback dns=ok tcp=ok tls=skipped:plain_http_loopback portal=" + want + " " + notReached,
		blocking: true,
	}
}

var diagCases = []diagCase{
	{
		name: "healthy over loopback HTTP",
		start: func(t *testing.T) (string, *http.Client) {
			h, _ := testserver.Behind(t, nil, nil)
			return testserver.Serve(t, h).URL, nil
		},
		want: allOK,
		check: func(t *testing.T, s map[check.StepID]check.Step) {
			if s[check.StepDNS].Detail["address"] != "127.0.0.1" || s[check.StepTCP].Detail["connect_ms"] == "" {
				t.Errorf("dns %v tcp %v", s[check.StepDNS].Detail, s[check.StepTCP].Detail)
			}
		},
	},
	{
		name: "healthy over TLS",
		start: func(t *testing.T) (string, *http.Client) {
			h, _ := testserver.Behind(t, nil, nil)
			ca, now := testcert.NewCA(t), time.Now()
			return diagTLS(t, ca.Leaf(t, nil, testcert.Loopback, now.Add(-time.Hour), now.Add(time.Hour)), h), ca.Client()
		},
		want: allOKTLS,
		check: func(t *testing.T, s map[check.StepID]check.Step) {
			if d := s[check.StepTLS].Detail; d["tls_version"] != "TLS 1.3" || d["issuer"] != "Sesame test CA" {
				t.Errorf("tls detail %v", d)
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
		want:     "network=ok:loopback dns=ok tcp=problem:connection_refused tls=skipped:not_run portal=skipped:not_run " + notReached,
		blocking: true,
	},
	{
		name:     "unresolvable name",
		start:    func(t *testing.T) (string, *http.Client) { return "https://sesame.invalid", nil },
		want:     "network=ok dns=problem:dns_failed tcp=skipped:not_run tls=skipped:not_run portal=skipped:not_run " + notReached,
		blocking: true,
		network:  true,
		check: func(t *testing.T, s map[check.StepID]check.Step) {
			if s[check.StepDNS].Detail["host"] != "sesame.invalid" {
				t.Errorf("dns detail %v", s[check.StepDNS].Detail)
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
		want:     "network=ok:loopback dns=ok tcp=ok tls=skipped:plain_http_loopback portal=problem:timeout " + notReached,
		blocking: true,
	},
	{
		name: "self-signed certificate",
		start: func(t *testing.T) (string, *http.Client) {
			h, _ := testserver.Behind(t, nil, nil)
			now := time.Now()
			return diagTLS(t, testcert.SelfSigned(t, nil, testcert.Loopback, now.Add(-time.Hour), now.Add(time.Hour)), h), nil
		},
		want:     "network=ok:loopback dns=ok tcp=ok tls=problem:tls_unknown_authority portal=skipped:not_run " + notReached,
		blocking: true,
		check: func(t *testing.T, s map[check.StepID]check.Step) {
			if got := s[check.StepTLS].Detail["issuer"]; got != "Sesame test leaf (self-signed)" {
				t.Errorf("issuer %q", got)
			}
		},
	},
	{
		name: "expired certificate",
		start: func(t *testing.T) (string, *http.Client) {
			h, _ := testserver.Behind(t, nil, nil)
			ca, now := testcert.NewCA(t), time.Now()
			return diagTLS(t, ca.Leaf(t, nil, testcert.Loopback, now.Add(-48*time.Hour), now.Add(-24*time.Hour)), h), ca.Client()
		},
		want:     "network=ok:loopback dns=ok tcp=ok tls=problem:tls_expired portal=skipped:not_run " + notReached,
		blocking: true,
		check: func(t *testing.T, s map[check.StepID]check.Step) {
			want := time.Now().Add(-24 * time.Hour).UTC().Format("2006-01-02")
			if f := s[check.StepTLS].Text(english(t)).Figure; f != "Expired on "+want {
				t.Errorf("figure %q, want expired %s", f, want)
			}
		},
	},
	{
		name: "certificate for another host",
		start: func(t *testing.T) (string, *http.Client) {
			h, _ := testserver.Behind(t, nil, nil)
			ca, now := testcert.NewCA(t), time.Now()
			return diagTLS(t, ca.Leaf(t, []string{"other.example"}, nil, now.Add(-time.Hour), now.Add(time.Hour)), h), ca.Client()
		},
		want:     "network=ok:loopback dns=ok tcp=ok tls=problem:tls_wrong_host portal=skipped:not_run " + notReached,
		blocking: true,
		check: func(t *testing.T, s map[check.StepID]check.Step) {
			if got := s[check.StepTLS].Detail["names"]; got != "other.example" {
				t.Errorf("names %q", got)
			}
		},
	},
	// A captive portal can answer only off this computer, with a page.
	func() diagCase {
		tc := onLAN("portal page answered with 200", html(http.StatusOK), "problem:captive_portal")
		tc.check = func(t *testing.T, s map[check.StepID]check.Step) {
			d := s[check.StepPortal].Detail
			if d["status"] != "200" || d["content_type"] != "text/html; charset=utf-8" || d["location"] != "" {
				t.Errorf("portal detail %v", d)
			}
		}
		return tc
	}(),
	func() diagCase {
		tc := onLAN("redirect to another host", http.RedirectHandler("https://portal.example/login?mac=secret-value", http.StatusFound), "problem:captive_portal")
		tc.check = func(t *testing.T, s map[check.StepID]check.Step) {
			if p := s[check.StepPortal]; p.Detail["status"] != "302" || p.Detail["location"] != "https://portal.example" {
				t.Errorf("portal %+v", p)
			}
		}
		return tc
	}(),
	onLAN("network sign-in required (511)", html(http.StatusNetworkAuthenticationRequired), "problem:captive_portal"),
	// What a wrong address, port, scheme or path gets is not a portal.
	onLAN("a proxy's 502 page", html(http.StatusBadGateway), "problem:wrong_server"),
	onLAN("a proxy's 503 page", html(http.StatusServiceUnavailable), "problem:wrong_server"),
	onLAN("404 on /v1/status", http.NotFoundHandler(), "problem:wrong_server"),
	onLAN("JSON of another API", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"hello":"world"}`)
	}), "problem:wrong_server"),
	onLAN("redirect to another path of the same host", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://"+r.Host+"/app/", http.StatusMovedPermanently)
	}), "problem:wrong_server"),
	onLoopback("a page on loopback", html(http.StatusOK), "problem:wrong_server"),
	onLoopback("redirect to its own https on loopback", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://"+r.Host+r.URL.Path, http.StatusMovedPermanently)
	}), "problem:wrong_server"),
	onLoopback("redirect to another host from loopback", http.RedirectHandler("http://portal.example/login", http.StatusFound), "problem:wrong_server"),
	{
		name: "plain HTTP on an https:// address",
		start: func(t *testing.T) (string, *http.Client) {
			h, _ := testserver.Behind(t, nil, nil)
			return strings.Replace(testserver.Serve(t, h).URL, "http://", "https://", 1), nil
		},
		want:     "network=ok:loopback dns=ok tcp=ok tls=problem:not_tls portal=skipped:not_run " + notReached,
		blocking: true,
	},
	{
		name: "maintenance",
		start: func(t *testing.T) (string, *http.Client) {
			h, ts := testserver.Behind(t, nil, nil)
			// Set before the first request, so the server's one-second
			// cache of the switch holds it from the start.
			until := time.Date(2031, 5, 1, 22, 0, 0, 0, time.UTC)
			if err := ts.Store.SetMaintenance(context.Background(), store.Maintenance{On: true, Message: "Moving to a new database", Until: &until}); err != nil {
				t.Fatal(err)
			}
			return testserver.Serve(t, h).URL, nil
		},
		want:     strings.Replace(allOK, "status=ok", "status=problem:maintenance", 1),
		blocking: true,
		check: func(t *testing.T, s map[check.StepID]check.Step) {
			m := s[check.StepStatus]
			if m.Detail["message"] != "Moving to a new database" || m.Detail["until"] != "2031-05-01T22:00:00Z" {
				t.Errorf("maintenance %+v", m)
			}
		},
	},
	{
		name: "degraded",
		start: func(t *testing.T) (string, *http.Client) {
			h, _ := testserver.Behind(t, nil, diagStatus(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(`{"status":"degraded","message":"Mail delivery is failing","min_client_version":"0.1.0","latest_client_version":"0.1.0"}`))
			}))
			return testserver.Serve(t, h).URL, nil
		},
		want: strings.Replace(allOK, "status=ok", "status=warning:degraded", 1),
		check: func(t *testing.T, s map[check.StepID]check.Step) {
			if m := s[check.StepStatus].Detail["message"]; m != "Mail delivery is failing" {
				t.Errorf("message %q", m)
			}
		},
	},
	{
		name: "rate limited with Retry-After",
		start: func(t *testing.T) (string, *http.Client) {
			h, _ := testserver.Behind(t, nil, diagStatus(func(w http.ResponseWriter, r *http.Request) {
				authapi.WriteProblem(w, &authapi.Problem{Status: http.StatusTooManyRequests, Code: authapi.CodeRateLimited,
					Detail: "Too many requests.", RetryAfterSeconds: authapi.Int(30)})
			}))
			return testserver.Serve(t, h).URL, nil
		},
		want: "network=ok:loopback dns=ok tcp=ok tls=skipped:plain_http_loopback portal=ok status=warning:rate_limited " +
			"version=skipped:not_run clock=ok keychain=ok latency=ok",
		check: func(t *testing.T, s map[check.StepID]check.Step) {
			if r := s[check.StepStatus]; r.Detail["retry_after"] != "30" || !slices.Contains(r.Text(english(t)).Notes, "The server asks to wait 30 s before trying again.") {
				t.Errorf("rate limited %+v", r)
			}
		},
	},
	{
		name: "below the minimum version",
		start: func(t *testing.T) (string, *http.Client) {
			h, _ := testserver.Behind(t, func(c *server.Config) {
				c.MinClientVersion, c.LatestClientVersion, c.DownloadURL = "9.0.0", "9.1.0", "https://sesame.example/get"
			}, nil)
			return testserver.Serve(t, h).URL, nil
		},
		want:     strings.Replace(allOK, "version=ok", "version=problem:client_outdated", 1),
		blocking: true,
		check: func(t *testing.T, s map[check.StepID]check.Step) {
			v := s[check.StepVersion].Detail
			if v["min_version"] != "9.0.0" || v["download_url"] != "https://sesame.example/get" {
				t.Errorf("version detail %v", v)
			}
		},
	},
	{
		name: "426 from the status endpoint",
		start: func(t *testing.T) (string, *http.Client) {
			h, _ := testserver.Behind(t, nil, diagStatus(func(w http.ResponseWriter, r *http.Request) {
				authapi.WriteProblem(w, &authapi.Problem{Status: http.StatusUpgradeRequired, Code: authapi.CodeClientOutdated,
					Detail: "Too old.", MinVersion: "2.0.0", DownloadURL: "https://sesame.example/get"})
			}))
			return testserver.Serve(t, h).URL, nil
		},
		want: "network=ok:loopback dns=ok tcp=ok tls=skipped:plain_http_loopback portal=ok status=skipped:client_outdated " +
			"version=problem:client_outdated clock=ok keychain=ok latency=ok",
		blocking: true,
		check: func(t *testing.T, s map[check.StepID]check.Step) {
			if v := s[check.StepVersion].Detail; v["min_version"] != "2.0.0" || v["download_url"] != "https://sesame.example/get" {
				t.Errorf("version detail %v", v)
			}
		},
	},
	{
		name: "update available",
		start: func(t *testing.T) (string, *http.Client) {
			h, _ := testserver.Behind(t, func(c *server.Config) { c.LatestClientVersion = "0.2.0" }, nil)
			return testserver.Serve(t, h).URL, nil
		},
		want: strings.Replace(allOK, "version=ok", "version=warning:update_available", 1),
	},
	{
		name:  "clock two minutes ahead, two-factor not known",
		start: func(t *testing.T) (string, *http.Client) { return diagClock(t, 2*time.Minute), nil },
		want:  strings.Replace(allOK, "clock=ok", "clock=problem:clock_skew", 1),
		// Two-factor codes would fail: signing in is blocked.
		blocking: true,
		check: func(t *testing.T, s map[check.StepID]check.Step) {
			c := s[check.StepClock]
			secs, err := strconv.Atoi(c.Detail["offset_seconds"])
			if err != nil || secs < 118 || secs > 121 || !strings.HasPrefix(c.Detail["offset"], "+") || c.Detail["two_factor"] != "unknown" {
				t.Errorf("clock %+v", c)
			}
		},
	},
	{
		name:      "clock two minutes behind, two-factor on",
		start:     func(t *testing.T) (string, *http.Client) { return diagClock(t, -2*time.Minute), nil },
		twoFactor: check.TwoFactorOn,
		want:      strings.Replace(allOK, "clock=ok", "clock=problem:clock_skew", 1),
		blocking:  true,
	},
	{
		name:      "clock two minutes ahead, two-factor off",
		start:     func(t *testing.T) (string, *http.Client) { return diagClock(t, 2*time.Minute), nil },
		twoFactor: check.TwoFactorOff,
		want:      strings.Replace(allOK, "clock=ok", "clock=warning:clock_skew", 1),
	},
	{
		name:  "clock 20 s ahead",
		start: func(t *testing.T) (string, *http.Client) { return diagClock(t, 20*time.Second), nil },
		want:  allOK,
	},
	{
		// A dual-boot computer whose Windows keeps local time in the
		// hardware clock, seen from UTC+8: eight hours and a few seconds.
		name:  "clock whole hours off",
		start: func(t *testing.T) (string, *http.Client) { return diagClock(t, -8*time.Hour-40*time.Second), nil },
		want:  strings.Replace(allOK, "clock=ok", "clock=problem:clock_timezone", 1),
		// Two-factor codes would fail: signing in is blocked.
		blocking: true,
		check: func(t *testing.T, s map[check.StepID]check.Step) {
			if h := s[check.StepClock].Detail["hours"]; h != "-8" {
				t.Errorf("hours %q", h)
			}
		},
	},
	{
		name:      "clock three hours and a half off",
		start:     func(t *testing.T) (string, *http.Client) { return diagClock(t, 3*time.Hour+30*time.Minute), nil },
		twoFactor: check.TwoFactorOff,
		want:      strings.Replace(allOK, "clock=ok", "clock=warning:clock_skew", 1),
	},
}

// diagParseWant reads id=verdict[:cause] pairs.
func diagParseWant(t *testing.T, want string) map[check.StepID]check.Step {
	t.Helper()
	out := map[check.StepID]check.Step{}
	for _, f := range strings.Fields(want) {
		id, rest, _ := strings.Cut(f, "=")
		v, cause, _ := strings.Cut(rest, ":")
		var verdict check.Verdict
		if err := verdict.UnmarshalText([]byte(v)); err != nil {
			t.Fatal(err)
		}
		out[check.StepID(id)] = check.Step{ID: check.StepID(id), Verdict: verdict, Cause: check.Cause(cause)}
	}
	if len(out) != len(check.Steps) {
		t.Fatalf("want lists %d steps", len(out))
	}
	return out
}

// diagCompare checks every step's verdict and cause, in order.
func diagCompare(t *testing.T, tc diagCase, got []check.Step) map[check.StepID]check.Step {
	t.Helper()
	want := diagParseWant(t, tc.want)
	if len(got) != len(check.Steps) {
		t.Fatalf("%d steps: %+v", len(got), got)
	}
	byID := map[check.StepID]check.Step{}
	for i, s := range got {
		byID[s.ID] = s
		if s.ID != check.Steps[i].ID {
			t.Errorf("step %d is %s, want %s", i, s.ID, check.Steps[i].ID)
		}
		if w := want[s.ID]; s.Verdict != w.Verdict || s.Cause != w.Cause {
			t.Errorf("%s: %s:%s (%v), want %s:%s", s.ID, s.Verdict, s.Cause, s.Detail, w.Verdict, w.Cause)
		}
	}
	return byID
}

func diagNeedsNetwork(t *testing.T, steps []check.Step) {
	if steps[0].Verdict != check.VerdictOK {
		t.Skipf("no network interface is up (%s); the DNS step cannot run", steps[0].Cause)
	}
}

// english is the check's English texts.
func english(t *testing.T) check.Translate {
	t.Helper()
	tr, err := check.Translations("en")
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestRunFaults(t *testing.T) {
	keystore.MockInit()
	tr := english(t)
	for _, tc := range diagCases {
		t.Run(tc.name, func(t *testing.T) {
			srv, hc := tc.start(t)
			var live []check.Step
			start := time.Now()
			d := check.Run(context.Background(), check.Config{
				Server: srv, Version: diagVersion, HTTPClient: hc, StepTimeout: 500 * time.Millisecond, TwoFactor: tc.twoFactor,
			}, func(s check.Step) { live = append(live, s) })
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
				text := s.Text(tr)
				if text.Title == "" || text.Title == string(s.Cause) || strings.Contains(text.Title+text.Figure+text.Fix, "<no value>") {
					t.Errorf("%s:%s: %+v", s.ID, s.Cause, text)
				}
				if (s.Verdict == check.VerdictProblem || s.Verdict == check.VerdictWarning) && text.Fix == "" {
					t.Errorf("%s:%s has no fix", s.ID, s.Cause)
				}
				if strings.HasPrefix(string(s.Cause), "tls_") && !strings.Contains(text.Fix, "interception on the network") {
					t.Errorf("%s: the fix does not warn of interception: %q", s.Cause, text.Fix)
				}
				if def, _ := check.Lookup(s.ID); s.Verdict == check.VerdictProblem && !def.Blocks {
					t.Errorf("%s: a problem of a step that blocks nothing", s.ID)
				}
			}
			if tc.check != nil {
				tc.check(t, steps)
			}
		})
	}
}

func TestRunBadAddress(t *testing.T) {
	keystore.MockInit()
	for server, cause := range map[string]check.Cause{
		"ftp://auth.sesame.example":  check.CauseInvalidServer,
		"http://auth.sesame.example": check.CausePlainHTTP,
		"":                           check.CauseInvalidServer,
	} {
		d := check.Run(context.Background(), check.Config{Server: server, Version: diagVersion}, nil)
		s, _ := d.Step(check.StepDNS)
		if s.Verdict != check.VerdictProblem || s.Cause != cause || !d.Blocking() {
			t.Errorf("%q: dns %+v", server, s)
		}
		if s, _ := d.Step(check.StepPortal); s.Cause != check.CauseNotRun {
			t.Errorf("%q: portal %+v", server, s)
		}
	}
}

func TestRunCanceled(t *testing.T) {
	keystore.MockInit()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	d := check.Run(ctx, check.Config{Server: "http://127.0.0.1:1", Version: diagVersion}, nil)
	for _, s := range d.Steps {
		if s.Verdict != check.VerdictSkipped || s.Cause != check.CauseCanceled {
			t.Errorf("%s: %s:%s", s.ID, s.Verdict, s.Cause)
		}
	}
	if d.Blocking() {
		t.Error("a stopped check blocks")
	}
}

// TestKeychainFaults names the keychain's failures as warnings that block
// nothing. The locked and no-provider cases use the mock's errors (D-Bus
// error names, as the Secret Service sends them); the missing session bus
// is real, in a child process, because godbus keeps its first connection
// for the life of the process.
func TestKeychainFaults(t *testing.T) {
	if mode := os.Getenv("SESAME_DIAG_CHILD"); mode != "" {
		diagKeychainChild(t, mode)
		return
	}
	h, _ := testserver.Behind(t, nil, nil)
	srv := testserver.Serve(t, h).URL
	t.Cleanup(keystore.MockInit)
	tr := english(t)
	for name, cause := range map[string]check.Cause{
		"org.freedesktop.Secret.Error.IsLocked":     check.CauseKeychainLocked,
		"org.freedesktop.DBus.Error.ServiceUnknown": check.CauseKeychainNoProvider,
	} {
		keystore.MockInitWithError(dbus.Error{Name: name})
		d := check.Run(context.Background(), check.Config{Server: srv, Version: diagVersion}, nil)
		s, _ := d.Step(check.StepKeychain)
		if s.Verdict != check.VerdictWarning || s.Cause != cause || d.Blocking() {
			t.Errorf("%s: %+v, blocking %v", name, s, d.Blocking())
		}
		if fix := s.Text(tr).Fix; !strings.Contains(fix, "Remember me is off") || !strings.Contains(fix, "GNOME") || !strings.Contains(fix, "KDE") {
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
	d := check.Run(context.Background(), check.Config{Server: os.Getenv("SESAME_DIAG_SERVER"), Version: diagVersion}, nil)
	s, _ := d.Step(check.StepKeychain)
	if s.Verdict != check.VerdictWarning || s.Cause != check.CauseKeychainNoBus || d.Blocking() {
		t.Fatalf("Run: %+v, blocking %v", s, d.Blocking())
	}
	t.Log("keychain child: no session bus named")
}

// TestLanguage: the locale's name picks the shipped language.
func TestLanguage(t *testing.T) {
	for locale, want := range map[string]string{
		"zh_CN.UTF-8": "zh-Hans", "zh_CN": "zh-Hans", "zh_Hans": "zh-Hans", "zh-SG": "zh-Hans", "zh": "zh-Hans",
		"en_GB.UTF-8": "en", "C": "en", "": "en", "de_DE@euro": "en", "fr": "en",
	} {
		if got := check.Language(locale); got != want {
			t.Errorf("Language(%q) = %q, want %q", locale, got, want)
		}
	}
}

// On Windows every keychain failure is the Credential Manager's, whose
// fixes speak of it; elsewhere the Secret Service's causes stay.
func TestKeychainCauseOn(t *testing.T) {
	for _, r := range []keystore.Reason{keystore.ReasonOther, keystore.ReasonNoSessionBus, keystore.ReasonNoProvider,
		keystore.ReasonNoKeyring, keystore.ReasonLocked, keystore.ReasonTimedOut, keystore.ReasonNoLogonSession, keystore.Reason(99)} {
		got := check.KeychainCauseOn("windows", &keystore.UnavailableError{Reason: r})
		want := check.CauseCredentialManagerFailed
		if r == keystore.ReasonNoLogonSession {
			want = check.CauseCredentialManagerNoSession
		}
		if got != want {
			t.Errorf("windows, %v: %s, want %s", r, got, want)
		}
	}
	for goos, want := range map[string]check.Cause{"linux": check.CauseKeychainLocked, "freebsd": check.CauseKeychainLocked} {
		if got := check.KeychainCauseOn(goos, &keystore.UnavailableError{Reason: keystore.ReasonLocked}); got != want {
			t.Errorf("%s: %s, want %s", goos, got, want)
		}
	}
	if got := check.KeychainCauseOn("linux", &keystore.UnavailableError{Reason: keystore.ReasonNoLogonSession}); got != check.CauseKeychainFailed {
		t.Errorf("linux, no logon session: %s", got)
	}
}
