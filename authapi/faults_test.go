package authapi_test

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"sesame/authapi"
	"sesame/internal/testcert"
)

var apiOK = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"status":"ok","min_client_version":"0.1.0"}`))
})

// signIn tries a sign-in through c, for faults that must never read as a
// wrong password.
func signIn(c *authapi.Client) error {
	_, err := c.SignIn(context.Background(), authapi.CreateSessionRequest{Email: "a@example.org", Password: "a password here"})
	return err
}

// fault asserts that err is the sentinel want, as typed error T, and no
// API problem.
func fault[T error](t *testing.T, err error, want error) T {
	t.Helper()
	var typed T
	if !errors.Is(err, want) || !errors.As(err, &typed) {
		t.Fatalf("error %v (%T), want %v as %T", err, err, want, typed)
	}
	if _, ok := authapi.ProblemOf(err); ok || errors.Is(err, authapi.ErrInvalidCredentials) {
		t.Fatalf("a transport failure reads as an API problem: %v", err)
	}
	return typed
}

func TestOffline(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	c, err := authapi.NewClient("http://" + addr)
	if err != nil {
		t.Fatal(err)
	}
	e := fault[*authapi.OfflineError](t, signIn(c), authapi.ErrOffline)
	if e.Host != addr {
		t.Fatalf("host %q", e.Host)
	}
	// Signing out clears the tokens even when the server cannot be told.
	c.SetTokens(authapi.Tokens{AccessToken: "a", RefreshToken: "r"})
	fault[*authapi.OfflineError](t, c.SignOut(context.Background()), authapi.ErrOffline)
	if _, ok := c.Tokens(); ok {
		t.Fatal("tokens held after a failed sign-out")
	}
}

func TestDNS(t *testing.T) {
	// No proxy, so that the name is resolved here.
	hc := &http.Client{Transport: &http.Transport{}}
	c, err := authapi.NewClient("https://sesame.invalid", authapi.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	e := fault[*authapi.DNSError](t, signIn(c), authapi.ErrDNS)
	if e.Host != "sesame.invalid" {
		t.Fatalf("host %q", e.Host)
	}
}

func TestTimeout(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	accepted := make(chan net.Conn, 8)
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			accepted <- conn // held open, never answered
		}
	}()
	t.Cleanup(func() {
		for {
			select {
			case conn := <-accepted:
				conn.Close()
			default:
				return
			}
		}
	})
	c, err := authapi.NewClient("http://"+l.Addr().String(), authapi.WithTimeout(200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	fault[*authapi.TimeoutError](t, signIn(c), authapi.ErrTimeout)

	// The caller's own deadline is a timeout too.
	slow, err := authapi.NewClient("http://" + l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err = slow.Status(ctx)
	fault[*authapi.TimeoutError](t, err, authapi.ErrTimeout)

	// A caller that cancels gets context.Canceled unchanged.
	for len(accepted) > 0 {
		(<-accepted).Close()
	}
	ctx, cancel = context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := slow.Status(ctx); done <- err }()
	conn := <-accepted
	accepted <- conn
	cancel()
	if err := <-done; err != context.Canceled {
		t.Fatalf("cancelled call: %v (%T)", err, err)
	}
}

func TestTLSFaults(t *testing.T) {
	now := time.Now()
	ca := testcert.NewCA(t)
	loopback := testcert.Loopback
	cases := []struct {
		name   string
		leaf   tls.Certificate
		hc     *http.Client
		reason authapi.TLSReason
	}{
		{"self-signed", testcert.SelfSigned(t, nil, loopback, now.Add(-time.Hour), now.Add(time.Hour)), nil, authapi.TLSUnknownAuthority},
		{"expired", ca.Leaf(t, nil, loopback, now.Add(-48*time.Hour), now.Add(-24*time.Hour)), ca.Client(), authapi.TLSExpired},
		{"not yet valid", ca.Leaf(t, nil, loopback, now.Add(24*time.Hour), now.Add(48*time.Hour)), ca.Client(), authapi.TLSExpired},
		{"wrong host", ca.Leaf(t, []string{"other.example"}, nil, now.Add(-time.Hour), now.Add(time.Hour)), ca.Client(), authapi.TLSWrongHost},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := testcert.ServeTLS(t, tc.leaf, apiOK)
			c, err := authapi.NewClient(s.URL, authapi.WithHTTPClient(tc.hc))
			if err != nil {
				t.Fatal(err)
			}
			e := fault[*authapi.TLSError](t, signIn(c), authapi.ErrTLS)
			if e.Reason != tc.reason || e.Host != strings.TrimPrefix(s.URL, "https://") {
				t.Fatalf("reason %s host %s, want %s", e.Reason, e.Host, tc.reason)
			}
		})
	}
	// The same client config with a valid leaf succeeds: the cases above
	// fail for their certificate, not for the setup.
	s := testcert.ServeTLS(t, ca.Leaf(t, nil, loopback, now.Add(-time.Hour), now.Add(time.Hour)), apiOK)
	c, err := authapi.NewClient(s.URL, authapi.WithHTTPClient(ca.Client()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Status(context.Background()); err != nil {
		t.Fatalf("status over trusted TLS: %v", err)
	}
}

func TestNotAPI(t *testing.T) {
	portal := func(status int) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(status)
			w.Write([]byte("<html><body>Welcome to the airport Wi-Fi. Sign in to continue.</body></html>"))
		})
	}
	redirect := func(to string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, to, http.StatusFound)
		})
	}
	cases := []struct {
		name     string
		h        http.Handler
		status   int
		location string
	}{
		{"portal 200", portal(http.StatusOK), 200, ""},
		{"portal 401", portal(http.StatusUnauthorized), 401, ""},
		{"portal 511", portal(http.StatusNetworkAuthenticationRequired), 511, ""},
		{"redirect to another host", redirect("http://portal.example/login?mac=secret-value"), 302, "http://portal.example"},
		{"redirect on the same host", redirect("/login"), 302, ""},
		{"JSON of another shape", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusCreated)
			w.Write([]byte(`{"hello":"world"}`))
		}), 201, ""},
		{"problem+json of another API", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", authapi.ProblemContentType)
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"title":"Unauthorized","status":401}`))
		}), 401, ""},
		{"body over the cap", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusCreated)
			w.Write([]byte(`{"access_token":"` + strings.Repeat("a", authapi.MaxAnswerSize) + `","refresh_token":"r"}`))
		}), 201, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := httptest.NewServer(tc.h)
			t.Cleanup(s.Close)
			c, err := authapi.NewClient(s.URL)
			if err != nil {
				t.Fatal(err)
			}
			err = signIn(c)
			e := fault[*authapi.NotAPIError](t, err, authapi.ErrNotAPI)
			if e.Status != tc.status || e.Location != tc.location {
				t.Fatalf("%+v, want status %d location %q", e, tc.status, tc.location)
			}
			if strings.Contains(err.Error(), "secret") || strings.Contains(err.Error(), "?") {
				t.Fatalf("the error shows a query: %v", err)
			}
			if _, ok := c.Tokens(); ok {
				t.Fatal("a non-API answer left tokens behind")
			}
			// An authenticated call is not mistaken for an expired session.
			c.SetTokens(authapi.Tokens{AccessToken: "a", RefreshToken: "r"})
			_, err = c.Me(context.Background())
			fault[*authapi.NotAPIError](t, err, authapi.ErrNotAPI)
		})
	}
}

func TestInsecureRedirect(t *testing.T) {
	plain := httptest.NewServer(apiOK)
	t.Cleanup(plain.Close)
	var hits atomic.Int64
	secure := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Redirect(w, r, plain.URL+r.URL.Path, http.StatusMovedPermanently)
	}))
	t.Cleanup(secure.Close)
	// secure.Client trusts the test server's certificate through RootCAs.
	c, err := authapi.NewClient(secure.URL, authapi.WithHTTPClient(secure.Client()))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Status(context.Background())
	e := fault[*authapi.InsecureRedirectError](t, err, authapi.ErrInsecureRedirect)
	if e.Location != plain.URL || hits.Load() != 1 {
		t.Fatalf("location %q, %d hits", e.Location, hits.Load())
	}
}

func TestNewClient(t *testing.T) {
	cases := []struct {
		url  string
		base string
		err  error
	}{
		{"https://auth.sesame.example/", "https://auth.sesame.example", nil},
		{"https://auth.sesame.example:8443/sesame", "https://auth.sesame.example:8443/sesame", nil},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080", nil},
		{"http://localhost:8080", "http://localhost:8080", nil},
		{"http://[::1]:8080", "http://[::1]:8080", nil},
		{"http://auth.sesame.example", "", authapi.ErrPlainHTTP},
		{"http://192.168.1.10", "", authapi.ErrPlainHTTP},
		{"ftp://auth.sesame.example", "", authapi.ErrInvalidBaseURL},
		{"auth.sesame.example", "", authapi.ErrInvalidBaseURL},
		{"https://user:pw@auth.sesame.example", "", authapi.ErrInvalidBaseURL},
		{"https://auth.sesame.example/?x=1", "", authapi.ErrInvalidBaseURL},
		{"", "", authapi.ErrInvalidBaseURL},
	}
	for _, tc := range cases {
		c, err := authapi.NewClient(tc.url)
		if !errors.Is(err, tc.err) || (err == nil && c.BaseURL() != tc.base) {
			t.Errorf("NewClient(%q) = %v; want %q, %v", tc.url, err, tc.base, tc.err)
		}
	}
}
