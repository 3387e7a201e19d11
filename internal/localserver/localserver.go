// Package localserver runs the reference auth server inside the desktop app
// when no server is configured ([Start]): on a fixed loopback port, over a
// SQLite file in the user's data folder, with mail kept in the local outbox
// that the app's Mailbox window shows.
package localserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"sesame/authapi"
	"sesame/server"
	"sesame/server/mail"
	"sesame/server/store"
)

// Addr is where the built-in server listens. It is fixed because the
// keychain remembers a sign-in per server address, and `sesame doctor`
// checks this address when no server is configured.
const Addr = "127.0.0.1:47180"

// URL is the base URL of the built-in server.
const URL = "http://" + Addr

// DBName is the database file of the built-in server in the data folder.
const DBName = "local-server.db"

// ErrPortTaken reports that something other than a Sesame server holds
// Addr.
var ErrPortTaken = errors.New("the built-in server's port " + Addr + " is used by another program")

// ErrNotLoopback reports an address for the built-in server that is not
// a loopback IP and port: its mailbox must never be reachable from outside.
var ErrNotLoopback = errors.New("the built-in server listens on loopback only")

// Server is the running built-in server.
type Server struct {
	// URL is its base URL.
	URL string
	// Shared is set when another Sesame on this computer already ran the
	// server over the same database, and this one uses it.
	Shared bool
	store  *store.SQLite
	http   *http.Server
	srv    *server.Server
}

// Start opens the database in dataDir (created 0700) and serves the API on
// addr (Addr in the app). When addr is taken by a Sesame server, that one
// is used: a second window of the app on the same data.
func Start(ctx context.Context, dataDir, addr string) (*Server, error) {
	if host, _, err := net.SplitHostPort(addr); err != nil || !net.ParseIP(host).IsLoopback() {
		return nil, fmt.Errorf("%w: %q", ErrNotLoopback, addr)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the data folder: %w", err)
	}
	st, err := store.OpenSQLite(ctx, filepath.Join(dataDir, DBName))
	if err != nil {
		return nil, fmt.Errorf("opening the built-in server's database: %w", err)
	}
	s := &Server{URL: "http://" + addr, store: st}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if isSesame(ctx, s.URL) {
			s.Shared = true
			return s, nil
		}
		st.Close()
		return nil, fmt.Errorf("%w: %v", ErrPortTaken, err)
	}
	cfg := server.DefaultConfig()
	cfg.Store, cfg.Mailer, cfg.DevMailbox = st, mail.NewOutbox(st), true
	srv, err := server.New(cfg)
	if err != nil {
		ln.Close()
		st.Close()
		return nil, err
	}
	s.srv = srv
	s.http = &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go s.http.Serve(ln)
	return s, nil
}

// isSesame reports whether a Sesame server answers at base.
func isSesame(ctx context.Context, base string) bool {
	c, err := authapi.NewClient(base, authapi.WithTimeout(2*time.Second), authapi.WithRetries(0))
	if err != nil {
		return false
	}
	_, err = c.Status(ctx)
	return err == nil
}

// Mails lists the outbox, newest first: every mail the server "sent".
func (s *Server) Mails(ctx context.Context) ([]authapi.Mail, error) {
	return s.store.Mails(ctx, "")
}

// Close stops serving, waiting up to 5 s for requests in flight, and closes
// the database.
func (s *Server) Close() error {
	var err error
	if s.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err = errors.Join(s.http.Shutdown(ctx), s.srv.Close(ctx))
	}
	return errors.Join(err, s.store.Close())
}
