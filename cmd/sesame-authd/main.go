// Command sesame-authd runs Sesame's reference auth server.
//
//	sesame-authd [flags]                 serve the API
//	sesame-authd maintenance on|off ...  switch maintenance mode of a running server
//
// Run it with --help for every flag.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"sesame/server"
	"sesame/server/mail"
	"sesame/server/passhash"
	"sesame/server/store"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, nil); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "sesame-authd:", err)
			os.Exit(1)
		}
	}
}

// options are the command line of the server.
type options struct {
	listen, certFile, keyFile, db string
	smtpURL, mailFrom             string
	localMailbox                  bool
	minVersion, latestVersion     string
	downloadURL                   string
	argonMemory, argonTime        uint
	argonThreads                  uint
	lockFailures                  int
	lockBase, lockMax             time.Duration
	rateIP, rateAccount, rateMail int
	logLevel, logFormat           string
	shutdownWait                  time.Duration
}

func flags(o *options, out io.Writer) *flag.FlagSet {
	def := server.DefaultConfig()
	fs := flag.NewFlagSet("sesame-authd", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&o.listen, "listen", "127.0.0.1:8080", "`address` to listen on; the default is loopback only")
	fs.StringVar(&o.certFile, "tls-cert", "", "TLS certificate chain `file` (PEM); with --tls-key, serve HTTPS")
	fs.StringVar(&o.keyFile, "tls-key", "", "TLS private key `file` (PEM)")
	fs.StringVar(&o.db, "db", "sesame-authd.db", "SQLite database `file`, created if missing; several processes may share it")
	fs.StringVar(&o.smtpURL, "smtp", "", "deliver mail through this SMTP `URL`: smtp://user:pass@host:587 (STARTTLS required) or smtps://host:465;\n"+
		"read from $SESAME_SMTP_URL when unset, so the password stays out of the process list")
	fs.StringVar(&o.mailFrom, "mail-from", "Sesame <no-reply@localhost>", "sender `address` of the mails")
	fs.BoolVar(&o.localMailbox, "local-mailbox", false, "keep mails in the database's local outbox instead of sending them;\n"+
		"GET /v1/dev/mailbox shows them, only when listening on loopback")
	fs.StringVar(&o.minVersion, "min-client-version", def.MinClientVersion, "oldest client `version` served; older clients get 426 client_outdated")
	fs.StringVar(&o.latestVersion, "latest-client-version", def.LatestClientVersion, "newest client `version`, announced by /v1/status")
	fs.StringVar(&o.downloadURL, "download-url", def.DownloadURL, "where outdated clients get a new version (`URL`)")
	fs.UintVar(&o.argonMemory, "argon2-memory", uint(def.Hash.Memory), "argon2id memory in `KiB` (at least 19456); stored hashes are upgraded at sign-in when it grows")
	fs.UintVar(&o.argonTime, "argon2-time", uint(def.Hash.Time), "argon2id passes (`n`, at least 2)")
	fs.UintVar(&o.argonThreads, "argon2-threads", uint(def.Hash.Threads), "argon2id lanes (`n`, at least 1)")
	fs.IntVar(&o.lockFailures, "lock-failures", def.Lock.MaxFailures, "consecutive failed password or two-factor attempts (`n`) that lock an account")
	fs.DurationVar(&o.lockBase, "lock-duration", def.Lock.Base, "length of the first lock; each further lock doubles it")
	fs.DurationVar(&o.lockMax, "lock-max", def.Lock.Max, "longest lock, however many locks came before")
	fs.IntVar(&o.rateIP, "rate-ip", def.RateIP.PerMinute, "unauthenticated requests per minute (`n`) from one address; 0 turns the limit off")
	fs.IntVar(&o.rateAccount, "rate-account", def.RateAccount.PerMinute, "sign-in and code attempts per minute (`n`) for one email; 0 turns it off")
	fs.IntVar(&o.rateMail, "rate-mail", def.RateMail.PerMinute, "mails per minute (`n`) to one address (after a burst of 3); 0 turns it off")
	fs.StringVar(&o.logLevel, "log-level", "info", "log `level`: debug, info, warn or error")
	fs.StringVar(&o.logFormat, "log-format", "text", "log `format`: text or json")
	fs.DurationVar(&o.shutdownWait, "shutdown-wait", 30*time.Second, "how long a shutdown waits for requests in flight")
	fs.Usage = func() {
		fmt.Fprint(out, `Usage: sesame-authd [flags]
       sesame-authd maintenance on|off [--db FILE] [--message TEXT] [--until RFC3339]

Sesame's reference auth server: accounts, sign-in with lockout, two-factor,
password resets, sessions and the activity log, over the API of
api/openapi.yaml. Logs go to standard error and never hold a password, code,
token or secret. SIGINT or SIGTERM stops it after the requests in flight.

Maintenance mode is kept in the database: "sesame-authd maintenance on" makes
every running server on that database answer 503 within a second, with no
restart.

Flags:
`)
		fs.PrintDefaults()
	}
	return fs
}

// run is the program; ready, when not nil, receives the listening address.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, ready chan<- string) error {
	if len(args) > 0 && args[0] == "maintenance" {
		return maintenance(ctx, args[1:], stdout, stderr)
	}
	var o options
	fs := flags(&o, stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (see --help)", fs.Arg(0))
	}
	log, err := logger(o.logLevel, o.logFormat, stderr)
	if err != nil {
		return err
	}
	if (o.certFile == "") != (o.keyFile == "") {
		return errors.New("--tls-cert and --tls-key go together")
	}
	st, err := store.OpenSQLite(ctx, o.db)
	if err != nil {
		return err
	}
	defer st.Close()

	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return err
	}
	loopback := isLoopback(ln.Addr())
	var mailer mail.Mailer
	if o.smtpURL == "" {
		o.smtpURL = os.Getenv("SESAME_SMTP_URL")
	}
	switch {
	case o.localMailbox && o.smtpURL != "":
		ln.Close()
		return errors.New("choose --smtp or --local-mailbox, not both")
	case o.localMailbox:
		mailer = mail.NewOutbox(st)
	case o.smtpURL != "":
		if mailer, err = mail.NewSMTP(o.smtpURL, o.mailFrom); err != nil {
			ln.Close()
			return err
		}
	default:
		ln.Close()
		return errors.New("no mail delivery: give --smtp URL or --local-mailbox")
	}

	cfg := server.DefaultConfig()
	cfg.Store, cfg.Mailer, cfg.Logger = st, mailer, log
	cfg.Hash = passhash.Params{Memory: uint32(o.argonMemory), Time: uint32(o.argonTime), Threads: uint8(min(o.argonThreads, 255))}
	cfg.Lock = store.LockPolicy{MaxFailures: o.lockFailures, Base: o.lockBase, Max: o.lockMax}
	cfg.RateIP.PerMinute, cfg.RateAccount.PerMinute, cfg.RateMail.PerMinute = o.rateIP, o.rateAccount, o.rateMail
	cfg.MinClientVersion, cfg.LatestClientVersion, cfg.DownloadURL = o.minVersion, o.latestVersion, o.downloadURL
	cfg.DevMailbox = o.localMailbox && loopback
	if o.lockFailures < 1 || o.lockBase <= 0 || o.lockMax < o.lockBase {
		ln.Close()
		return errors.New("the lock policy needs --lock-failures ≥ 1 and 0 < --lock-duration ≤ --lock-max")
	}
	srv, err := server.New(cfg)
	if err != nil {
		ln.Close()
		return err
	}

	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	scheme := "http"
	if o.certFile != "" {
		scheme = "https"
	}
	log.Info("listening", "url", scheme+"://"+ln.Addr().String(), "local_mailbox", o.localMailbox, "dev_mailbox_api", cfg.DevMailbox)
	if !loopback && scheme == "http" {
		log.Warn("serving plain HTTP beyond loopback: clients will send passwords unencrypted; use --tls-cert and --tls-key")
	}
	if ready != nil {
		ready <- ln.Addr().String()
	}
	errc := make(chan error, 1)
	go func() {
		if scheme == "https" {
			errc <- hs.ServeTLS(ln, o.certFile, o.keyFile)
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "wait", o.shutdownWait.String())
	sctx, cancel := context.WithTimeout(context.Background(), o.shutdownWait)
	defer cancel()
	err = hs.Shutdown(sctx)
	if cerr := srv.Close(sctx); err == nil {
		err = cerr
	}
	log.Info("stopped")
	return err
}

func maintenance(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sesame-authd maintenance", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", "sesame-authd.db", "SQLite database `file` of the servers")
	msg := fs.String("message", "", "message shown to users (`text`)")
	until := fs.String("until", "", "announced end of the maintenance (`RFC3339` time)")
	if len(args) == 0 || (args[0] != "on" && args[0] != "off") {
		return errors.New("usage: sesame-authd maintenance on|off [--db FILE] [--message TEXT] [--until RFC3339]")
	}
	on := args[0] == "on"
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	m := store.Maintenance{On: on, Message: *msg}
	if *until != "" {
		t, err := time.Parse(time.RFC3339, *until)
		if err != nil {
			return fmt.Errorf("--until must be an RFC 3339 time such as 2026-11-21T22:00:00Z")
		}
		t = t.UTC()
		m.Until = &t
	}
	st, err := store.OpenSQLite(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.SetMaintenance(ctx, m); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "maintenance %s\n", args[0])
	return nil
}

func logger(level, format string, w io.Writer) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: l}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, errors.New("--log-format must be text or json")
}

func isLoopback(a net.Addr) bool {
	t, ok := a.(*net.TCPAddr)
	return ok && t.IP.IsLoopback()
}
