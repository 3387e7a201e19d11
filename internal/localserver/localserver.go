// Package localserver runs the reference auth server inside the desktop app
// when no server is configured ([Start]): on a fixed loopback port, over a
// SQLite file in the user's data folder, with mail kept in the local outbox
// that the app's Mailbox window shows.
//
// The key that seals the server's TOTP secrets is not kept beside the
// database: it lives in the OS keychain, under a name written to
// [KeyIDName] in the data folder. Only when the keychain is unavailable at
// the first start is it kept in the file [KeyFileName] there (mode 0600),
// which Start says on standard error.
package localserver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"sesame/authapi"
	"sesame/keystore"
	"sesame/server"
	"sesame/server/mail"
	"sesame/server/sms"
	"sesame/server/store/sqlite"
)

// Addr is where the built-in server listens. It is fixed because the
// keychain remembers a sign-in per server address, and `sesame doctor`
// checks this address when no server is configured.
const Addr = "127.0.0.1:47180"

// URL is the base URL of the built-in server.
const URL = "http://" + Addr

// DBName is the database file of the built-in server in the data folder.
const DBName = "local-server.db"

// KeyIDName is the file in the data folder that names the keychain item
// holding the key of the database's TOTP secrets. It is not secret.
const KeyIDName = "local-server.key-id"

// KeyFileName is the file in the data folder that holds the key of the
// database's TOTP secrets when the keychain was unavailable at the first
// start.
const KeyFileName = "local-server.totp-key"

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
	store  *sqlite.Store
	http   *http.Server
	srv    *server.Server
}

// Keychain keeps the key of the TOTP secrets: [keystore.Keychain].
type Keychain interface {
	SaveSecret(ctx context.Context, name, value string) error
	Secret(ctx context.Context, name string) (string, error)
}

// Options change how Start runs; the zero value is the app's.
type Options struct {
	// Keychain keeps the key; nil is the OS keychain, keystore.Keychain{}.
	Keychain Keychain
	// Stderr receives what Start says about the key; nil is os.Stderr.
	Stderr io.Writer
}

// Start starts the built-in server with the zero Options.
func Start(ctx context.Context, dataDir, addr string) (*Server, error) {
	return Options{}.Start(ctx, dataDir, addr)
}

// Start opens the database in dataDir (made private by keystore.PrivateDir)
// and serves the API on addr (Addr in the app). When addr is taken by a Sesame server, that one
// is used: a second window of the app on the same data.
func (o Options) Start(ctx context.Context, dataDir, addr string) (*Server, error) {
	if host, _, err := net.SplitHostPort(addr); err != nil || !net.ParseIP(host).IsLoopback() {
		return nil, fmt.Errorf("%w: %q", ErrNotLoopback, addr)
	}
	if err := keystore.PrivateDir(dataDir); err != nil {
		return nil, fmt.Errorf("creating the data folder: %w", err)
	}
	st, err := sqlite.Open(ctx, filepath.Join(dataDir, DBName))
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
	cfg.Store, cfg.Mailer, cfg.SMS, cfg.DevMailbox = st, mail.NewOutbox(st), sms.NewOutbox(st), true
	// Its own URL, so that the notices in the Mailbox carry a working
	// "this wasn't me" link.
	cfg.PublicURL = s.URL
	cfg.TOTPKey, err = o.totpKey(ctx, dataDir)
	cfg.TOTPKeyReplaced = keyLost(dataDir)
	var srv *server.Server
	if err == nil {
		srv, err = server.New(cfg)
	}
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

// totpKey returns the key of the TOTP secrets of the database in dir: from
// the key file, from the keychain item that the key-ID file names, or, at
// the first start or when the keychain lost the item, a new one kept in the
// keychain, or in the key file when the keychain is unavailable.
func (o Options) totpKey(ctx context.Context, dir string) ([]byte, error) {
	kc, stderr := o.Keychain, o.Stderr
	if kc == nil {
		kc = keystore.Keychain{}
	}
	if stderr == nil {
		stderr = os.Stderr
	}
	idPath, keyPath := filepath.Join(dir, KeyIDName), filepath.Join(dir, KeyFileName)
	if b, err := os.ReadFile(keyPath); !errors.Is(err, fs.ErrNotExist) {
		return parseKey(string(b), err, keyPath)
	}
	if b, err := os.ReadFile(idPath); !errors.Is(err, fs.ErrNotExist) {
		if err != nil {
			return nil, fmt.Errorf("reading the built-in server's key ID: %w", err)
		}
		text, err := kc.Secret(ctx, keyItem(strings.TrimSpace(string(b))))
		if !errors.Is(err, keystore.ErrNotFound) {
			return parseKey(text, err, "the keychain")
		}
		// The keychain lost the key (it was reset or the item deleted):
		// the secrets sealed with it can no longer be opened, so those
		// accounts' codes fail closed and their recovery codes still sign
		// in. A new key lets the server start (the kept ID tells it that
		// the key was replaced), and new enrolments work. The old ID is
		// kept beside, in case the item comes back (a keychain restored
		// from a backup).
		lost := fmt.Sprintf("%s.lost-%d", idPath, time.Now().Unix())
		if err := os.Rename(idPath, lost); err != nil {
			return nil, fmt.Errorf("keeping the built-in server's lost key ID: %w", err)
		}
		fmt.Fprintf(stderr, "sesame: the key of the built-in server's two-factor secrets is missing from the keychain (its ID is kept in %s); "+
			"accounts that turned on two-factor before must sign in with a recovery code and turn it on again\n", lost)
	}
	key, id := server.NewTOTPKey(), make([]byte, 16)
	rand.Read(id)
	err := kc.SaveSecret(ctx, keyItem(hex.EncodeToString(id)), server.EncodeTOTPKey(key))
	switch {
	case errors.Is(err, keystore.ErrKeychainUnavailable):
		if err := keystore.WriteFile(keyPath, []byte(server.EncodeTOTPKey(key)+"\n")); err != nil {
			return nil, fmt.Errorf("keeping the built-in server's key: %w", err)
		}
		fmt.Fprintf(stderr, "sesame: %v; the key of the built-in server's two-factor secrets is kept in %s instead\n", err, keyPath)
	case err != nil:
		return nil, fmt.Errorf("keeping the built-in server's key in the keychain: %w", err)
	default:
		if err := keystore.WriteFile(idPath, []byte(hex.EncodeToString(id)+"\n")); err != nil {
			return nil, fmt.Errorf("keeping the built-in server's key ID: %w", err)
		}
	}
	return key, nil
}

// keyLost reports whether dir keeps the ID of a key that the keychain lost
// (see totpKey): secrets of the database may then be sealed with a key that
// is gone, at this start and every later one, and the server must start
// all the same.
func keyLost(dir string) bool {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), KeyIDName+".lost-") {
			return true
		}
	}
	return false
}

// keyItem is the name of the keychain item of a key ID.
func keyItem(id string) string { return "local-server-totp-key-" + id }

// parseKey reads a key kept in where, whose reading failed with err.
func parseKey(text string, err error, where string) ([]byte, error) {
	if err == nil {
		var key []byte
		if key, err = server.ParseTOTPKey(text); err == nil {
			return key, nil
		}
	}
	return nil, fmt.Errorf("reading the built-in server's key from %s: %w", where, err)
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
