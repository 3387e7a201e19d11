// Package testserver starts the reference auth server for tests: over a
// database of the test's own (a SQLite file, or a PostgreSQL schema when
// $SESAME_TEST_STORE is "postgres"; see internal/testdb), with mail and
// text messages kept in the local outbox, the development mailbox on, no
// rate limits, a fixed key for the TOTP secrets and a clock the test
// moves. Only tests import it.
package testserver

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"sesame/internal/testdb"
	"sesame/server"
	"sesame/server/mail"
	"sesame/server/sms"
	"sesame/server/store"
)

// TOTPKey is the fixed key that seals the TOTP secrets of every test
// server, so that a test can open them and start a second server on the
// same file.
var TOTPKey = []byte("sesame testserver TOTP secrets!!")

// Clock is the server's clock: the real time moved on by Advance.
type Clock struct{ off atomic.Int64 }

// Now is the real time plus every Advance so far.
func (c *Clock) Now() time.Time { return time.Now().Add(time.Duration(c.off.Load())) }

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) { c.off.Add(int64(d)) }

// Server is one reference server of a test.
type Server struct {
	// Handler is the server, to serve as it is or wrapped.
	Handler *server.Server
	// Store is the server's handle on its database DB; DBPath is the
	// database's file when it is SQLite, else empty.
	Store  store.Admin
	DB     testdb.DB
	DBPath string
	// Config is what the server was made with, after the tweaks.
	Config server.Config
	Clock  *Clock
	// URL and Client reach the server over loopback HTTP; Start sets
	// them, New does not.
	URL    string
	Client *http.Client
}

// New makes a server, not yet served, with the test defaults changed by
// each tweak in turn. The server and its store close when the test ends.
func New(t testing.TB, tweak ...func(*server.Config)) *Server {
	t.Helper()
	s := &Server{DB: testdb.New(t, testdb.ServerKind()), Clock: &Clock{}}
	if s.DB.Kind == testdb.SQLite {
		s.DBPath = s.DB.Source
	}
	st, err := s.DB.Connect()
	if err != nil {
		t.Fatal(err)
	}
	cfg := server.DefaultConfig()
	cfg.Store, cfg.Mailer, cfg.SMS, cfg.Now = st, mail.NewOutbox(st), sms.NewOutbox(st), s.Clock.Now
	cfg.RateIP, cfg.RateAccount, cfg.RateMail, cfg.RateAuth, cfg.RateRefresh = server.Rate{}, server.Rate{}, server.Rate{}, server.Rate{}, server.Rate{}
	// A number added in a test gets reset codes at once; the server's
	// TestNewPhoneSettles tests the wait.
	cfg.PhoneSettle = -1
	cfg.MailsPerDay, cfg.SMSPerDay = -1, -1
	cfg.DevMailbox = true
	cfg.TOTPKey = TOTPKey
	for _, f := range tweak {
		f(&cfg)
	}
	srv, err := server.New(cfg)
	if err != nil {
		st.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		srv.Close(context.Background())
		st.Close()
	})
	s.Handler, s.Store, s.Config = srv, st, cfg
	return s
}

// Start makes a server as New does and serves it over loopback HTTP.
func Start(t testing.TB, tweak ...func(*server.Config)) *Server {
	t.Helper()
	s := New(t, tweak...)
	hs := Serve(t, s.Handler)
	s.URL, s.Client = hs.URL, hs.Client()
	return s
}

// StartPublic starts a server as Start does whose Config.PublicURL is its
// own loopback URL, so that its mails' links lead to it.
func StartPublic(t testing.TB, tweak ...func(*server.Config)) *Server {
	t.Helper()
	hs := httptest.NewUnstartedServer(nil)
	url := "http://" + hs.Listener.Addr().String()
	s := New(t, append([]func(*server.Config){func(cfg *server.Config) { cfg.PublicURL = url }}, tweak...)...)
	hs.Config.Handler = s.Handler
	hs.Start()
	t.Cleanup(hs.Close)
	s.URL, s.Client = hs.URL, hs.Client()
	return s
}

// Serve serves h over loopback HTTP until the test ends.
func Serve(t testing.TB, h http.Handler) *httptest.Server {
	t.Helper()
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	return hs
}

// LogBuffer collects log output written from many goroutines.
type LogBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String is everything written so far.
func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Behind starts the reference server as a deployed one (its development
// mailbox off), with its config changed by edit, and returns its handler
// behind wrap (when not nil), to serve as the test needs.
func Behind(t testing.TB, edit func(*server.Config), wrap func(http.Handler) http.Handler) (http.Handler, *Server) {
	t.Helper()
	ts := New(t, func(c *server.Config) {
		c.DevMailbox = false
		if edit != nil {
			edit(c)
		}
	})
	var h http.Handler = ts.Handler
	if wrap != nil {
		h = wrap(ts.Handler)
	}
	return h, ts
}
