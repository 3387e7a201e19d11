// Command sesame-authd runs Sesame's reference auth server.
//
//	sesame-authd [flags]                 serve the API
//	sesame-authd maintenance on|off ...  switch maintenance mode of a running server
//	sesame-authd genkey [--out FILE]     make a key for the TOTP secrets
//	sesame-authd admin COMMAND ...       find, show, suspend, unlock, delete, export accounts
//
// Run it with --help for every flag.
package main

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	netmail "net/mail"
	"net/netip"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"

	"sesame/server"
	"sesame/server/mail"
	"sesame/server/passhash"
	"sesame/server/sms"
	"sesame/server/store"
)

func main() {
	// The first signal starts a shutdown; a second one ends its drain.
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	ctx, stop := context.WithCancel(context.Background())
	hurry := make(chan struct{})
	go func() {
		<-sig
		stop()
		<-sig
		close(hurry)
	}()
	if err := runHurried(ctx, hurry, os.Args[1:], os.Stdout, os.Stderr, nil); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "sesame-authd:", err)
			os.Exit(1)
		}
	}
}

// version is this build's version, stamped by scripts/package with
// -ldflags "-X main.version=...".
var version = "devel"

// options are the command line of the server.
type options struct {
	listen, certFile, keyFile, db string
	smtpURL, mailFrom             string
	localMailbox                  bool
	smsGateway, smsToken          string
	smsTimeout                    time.Duration
	smsPerDay, smsPerDayTotal     int
	smsCountries                  string
	minVersion, latestVersion     string
	downloadURL                   string
	argonMemory, argonTime        uint
	argonThreads                  uint
	lockFailures                  int
	lockBase, lockMax             time.Duration
	rateIP, rateAccount, rateMail int
	rateAuth, mailsPerDay         int
	rateRefresh                   int
	sessionMaxAge                 time.Duration
	ticketRetention               time.Duration
	logLevel, logFormat           string
	shutdownWait, drainWait       time.Duration
	metricsListen                 string
	totpKeyFile                   string
	devPlainTOTP                  bool
	trustedProxies, publicURL     string
	forwardedHeader               string
	showVersion                   bool
}

// smsSender is the sender of text messages the options name: the gateway
// of --sms-gateway, the local outbox with --local-mailbox, or none.
func smsSender(o options, st store.Store) (sms.Sender, error) {
	url, token := cmp.Or(o.smsGateway, os.Getenv(smsGatewayEnv)), cmp.Or(o.smsToken, os.Getenv(smsTokenEnv))
	switch {
	case url != "":
		g, err := sms.NewGateway(url, token, o.smsTimeout)
		if err != nil {
			return nil, err
		}
		return g, nil
	case o.localMailbox:
		return sms.NewOutbox(st), nil
	}
	return nil, nil
}

// totpKeyEnv holds the key of the TOTP secrets when --totp-key-file is not
// given.
const totpKeyEnv = "SESAME_TOTP_KEY"

// The environment variables read when --sms-gateway, --sms-token,
// --trusted-proxies, --public-url and --forwarded-header are unset.
const (
	smsGatewayEnv     = "SESAME_SMS_GATEWAY"
	smsTokenEnv       = "SESAME_SMS_TOKEN"
	trustedProxiesEnv = "SESAME_TRUSTED_PROXIES"
	publicURLEnv      = "SESAME_PUBLIC_URL"
	forwardedEnv      = "SESAME_FORWARDED_HEADER"
)

func flags(o *options, out io.Writer) *flag.FlagSet {
	def := server.DefaultConfig()
	fs := flag.NewFlagSet("sesame-authd", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&o.listen, "listen", "127.0.0.1:8080", "`address` to listen on; the default is loopback only")
	fs.StringVar(&o.certFile, "tls-cert", "", "TLS certificate chain `file` (PEM); with --tls-key, serve HTTPS")
	fs.StringVar(&o.keyFile, "tls-key", "", "TLS private key `file` (PEM)")
	fs.StringVar(&o.db, "db", "sesame-authd.db", dbUsage)
	fs.StringVar(&o.smtpURL, "smtp", "", "deliver mail through this SMTP `URL`: smtp://user:pass@host:587 (STARTTLS required) or smtps://host:465;\n"+
		"read from $SESAME_SMTP_URL when unset, so the password stays out of the process list")
	fs.StringVar(&o.mailFrom, "mail-from", "Sesame <no-reply@localhost>", "sender `address` of the mails")
	fs.BoolVar(&o.localMailbox, "local-mailbox", false, "keep mails in the database's local outbox instead of sending them;\n"+
		"GET /v1/dev/mailbox shows them, only when listening on loopback")
	fs.StringVar(&o.smsGateway, "sms-gateway", "", "text the codes of phone numbers through the HTTP SMS gateway at this `URL` (a JSON POST\n"+
		"of {\"to\", \"text\"}; https unless on loopback); read from $"+smsGatewayEnv+" when unset. Without it,\n"+
		"--local-mailbox keeps text messages in the local outbox too, and otherwise phone numbers are off")
	fs.StringVar(&o.smsToken, "sms-token", "", "bearer `token` of the SMS gateway; read from $"+smsTokenEnv+" when unset, so it stays\n"+
		"out of the process list")
	fs.DurationVar(&o.smsTimeout, "sms-timeout", sms.DefaultTimeout, "how long one delivery to the SMS gateway may take")
	fs.IntVar(&o.smsPerDay, "sms-per-day", def.SMSPerDay, "text messages to one phone number a day, from every account together; 0 is unlimited")
	fs.IntVar(&o.smsPerDayTotal, "sms-per-day-total", def.SMSPerDayTotal, "text messages (`n`) the server sends a day to every number together, against toll fraud;\n"+
		"past it reset codes are mailed and sesame_sms_withheld_total{reason=\"total\"} counts; 0 is unlimited")
	fs.StringVar(&o.smsCountries, "sms-countries", "", "the only countries whose numbers the server texts (`CC,...`, ISO 3166 codes such as CN,HK);\n"+
		"empty for all; a number of another cannot be added, and a reset code for one is mailed")
	fs.StringVar(&o.minVersion, "min-client-version", def.MinClientVersion, "oldest client `version` served; older clients get 426 client_outdated")
	fs.StringVar(&o.latestVersion, "latest-client-version", def.LatestClientVersion, "newest client `version`, announced by /v1/status")
	fs.StringVar(&o.downloadURL, "download-url", def.DownloadURL, "where outdated clients get a new version (`URL`)")
	fs.UintVar(&o.argonMemory, "argon2-memory", uint(def.Hash.Memory), "argon2id memory in `KiB` (at least 19456); stored hashes are upgraded at sign-in when it grows")
	fs.UintVar(&o.argonTime, "argon2-time", uint(def.Hash.Time), "argon2id passes (`n`, at least 2)")
	fs.UintVar(&o.argonThreads, "argon2-threads", uint(def.Hash.Threads), "argon2id lanes (`n`, at least 1)")
	fs.IntVar(&o.lockFailures, "lock-failures", def.Lock.MaxFailures, "consecutive failed password or two-factor attempts (`n`) that lock an account")
	fs.DurationVar(&o.lockBase, "lock-duration", def.Lock.Base, "length of the first lock; each further lock doubles it")
	fs.DurationVar(&o.lockMax, "lock-max", def.Lock.Max, "longest lock, however many locks came before")
	fs.IntVar(&o.rateIP, "rate-ip", def.RateIP.PerMinute, "unauthenticated requests per minute (`n`) from one address (IPv6: one /64); 0 turns the limit off")
	fs.IntVar(&o.rateAccount, "rate-account", def.RateAccount.PerMinute, "sign-in and code attempts per minute (`n`) for one email; 0 turns it off")
	fs.IntVar(&o.rateMail, "rate-mail", def.RateMail.PerMinute, "mails per minute (`n`) to one address (after a burst of 3); 0 turns it off")
	fs.IntVar(&o.rateAuth, "rate-auth", def.RateAuth.PerMinute, "authenticated requests per minute (`n`) of one account; 0 turns the limit off")
	fs.IntVar(&o.rateRefresh, "rate-refresh", def.RateRefresh.PerMinute, "refreshes per minute (`n`) of one session (after a burst of 10); 0 turns the limit off")
	fs.IntVar(&o.mailsPerDay, "mails-per-day", def.MailsPerDay, "code mails a day (`n`) to one address, besides --rate-mail; 0 turns the cap off")
	fs.DurationVar(&o.sessionMaxAge, "session-max-age", def.SessionMaxAge, "longest life of a session from its sign-in, however often it is refreshed")
	fs.DurationVar(&o.ticketRetention, "ticket-retention", server.DefaultTicketRetention, "how long after its closing a support request keeps its text, the app's report and\n"+
		"the replies; then they are deleted, and its number and dates stay for the audit log. 0 keeps them")
	fs.StringVar(&o.logLevel, "log-level", "info", "log `level`: debug, info, warn or error")
	fs.StringVar(&o.logFormat, "log-format", "text", "log `format`: text or json")
	fs.DurationVar(&o.shutdownWait, "shutdown-wait", 30*time.Second, "how long a shutdown waits for requests in flight")
	fs.DurationVar(&o.drainWait, "drain-wait", 5*time.Second, "how long a shutdown answers "+server.PathReady+" with 503 while still serving, before it stops\n"+
		"accepting connections, so that load balancers stop sending requests first; 0 stops at once")
	fs.StringVar(&o.metricsListen, "metrics-listen", "", "`address` to serve Prometheus metrics on, at /metrics (with "+server.PathHealth+" and "+server.PathReady+");\n"+
		"off when empty; never the --listen address: keep it away from the public")
	fs.StringVar(&o.totpKeyFile, "totp-key-file", "", "`file` holding the key that seals the TOTP secrets in the database (made by\n"+
		"sesame-authd genkey; mode 0600 or stricter); read from $"+totpKeyEnv+" when unset")
	fs.StringVar(&o.trustedProxies, "trusted-proxies", "", "`CIDR,...` of the proxies in front of the server (a bare address is one host): a request\n"+
		"from one of them is believed about its client's address and its host, read from the right through trusted\n"+
		"hops of the one header --forwarded-header names; without it no such header is read; read from\n"+
		"$"+trustedProxiesEnv+" when unset")
	fs.StringVar(&o.forwardedHeader, "forwarded-header", "", "the `header` the trusted proxies write: X-Forwarded-For (the default, with X-Forwarded-Host)\n"+
		"or Forwarded (RFC 7239, for= and host=); the other is never read, since a proxy passes on what a client\n"+
		"sent in a header it does not write; read from $"+forwardedEnv+" when unset")
	fs.StringVar(&o.publicURL, "public-url", "", "the server's `URL` for its users, e.g. https://auth.example.org: requests for any other host\n"+
		"are refused with 421 (DNS rebinding); kept for the links of mails, which send none yet; read from\n"+
		"$"+publicURLEnv+" when unset")
	fs.BoolVar(&o.showVersion, "version", false, "print the version and exit")
	fs.BoolVar(&o.devPlainTOTP, "dev-plain-totp-secrets", false, "DEVELOPMENT ONLY: start without a TOTP key and keep the TOTP secrets plain\n"+
		"in the database, where any copy of it gives every account's second factor")
	fs.Usage = func() {
		fmt.Fprint(out, `Usage: sesame-authd [flags]
       sesame-authd maintenance on|off [--db FILE|URL] [--message TEXT] [--until RFC3339]
       sesame-authd genkey [--out FILE]
       sesame-authd admin find|show|suspend|unsuspend|unlock|revoke-sessions|delete|export|log ...

Sesame's reference auth server: accounts, sign-in with lockout, two-factor,
password resets, sessions and the activity log, over the API of
api/openapi.yaml. Logs go to standard error and never hold a password, code,
token or secret.

SIGINT or SIGTERM starts a shutdown: GET /readyz answers 503 for --drain-wait
while the server still serves (a second signal ends this drain at once),
then it stops accepting connections and waits up to --shutdown-wait for the
requests in flight. GET /healthz answers 200 while the process serves, and
GET /readyz 200 while the database answers, the TOTP key is loaded and no
shutdown has started: both for load balancers, on --listen (and on
--metrics-listen), outside the version check, the host check and the rate
limits. --metrics-listen serves Prometheus metrics at /metrics.

The database is a SQLite file by default, which the servers of one machine
may share. Servers on several machines share a PostgreSQL database instead:
--db postgres://USER:PASSWORD@HOST:5432/DATABASE?sslmode=verify-full (or
postgresql://; pgx's pool settings such as pool_max_conns=20 are accepted),
better given as $SESAME_DB, or with the password in $PGPASSWORD or
~/.pgpass, to keep it out of the process list. Each server creates or
updates the tables at start, one at a time.

Maintenance mode is kept in the database: "sesame-authd maintenance on" makes
every running server on that database answer 503 within a second, with no
restart.

"sesame-authd admin" finds, shows, suspends, unsuspends, unlocks, signs out,
deletes and exports accounts, on the database of --db or $SESAME_DB; each
change is written to an audit log that "sesame-authd admin log" shows.
"sesame-authd admin --help" tells more.

Behind a load balancer or reverse proxy, --trusted-proxies names it, so that
rate limits and the activity log see each client's address, and --public-url
names the host clients ask for; the proxy must pass on or set the Host (or
X-Forwarded-Host), and append to the forwarding header it uses, which
--forwarded-header names.

Two-factor (TOTP) secrets are sealed in the database with AES-256-GCM under
a key kept apart from it, so that a copy of the database gives no second
factor. "sesame-authd genkey --out FILE" makes a key in a new 0600 file (or
prints it without --out); the server reads it from --totp-key-file FILE or
$SESAME_TOTP_KEY and refuses to start without one, unless
--dev-plain-totp-secrets. The first start with a key seals the plain secrets
of an older database. Every server on one database needs the same key, and
a lost key loses every account's two-factor (recovery codes still work):
keep a copy of it apart from the database's backups.

Flags:
`)
		fs.PrintDefaults()
	}
	return fs
}

// run is the program; ready, when not nil, receives the listening address.
// The end of ctx starts a shutdown.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, ready chan<- string) error {
	return runHurried(ctx, nil, args, stdout, stderr, ready)
}

// runHurried is run, whose shutdown ends its drain early when hurry is
// closed.
func runHurried(ctx context.Context, hurry <-chan struct{}, args []string, stdout, stderr io.Writer, ready chan<- string) error {
	if len(args) > 0 && args[0] == "maintenance" {
		return maintenance(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "admin" {
		return admin(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "genkey" {
		return genkey(args[1:], stdout, stderr)
	}
	var o options
	fs := flags(&o, stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (see --help)", fs.Arg(0))
	}
	if o.showVersion {
		_, err := fmt.Fprintln(stdout, "sesame-authd", version)
		return err
	}
	log, err := logger(o.logLevel, o.logFormat, stderr)
	if err != nil {
		return err
	}
	if (o.certFile == "") != (o.keyFile == "") {
		return errors.New("--tls-cert and --tls-key go together")
	}
	if o.metricsListen != "" && o.metricsListen == o.listen && !strings.HasSuffix(o.listen, ":0") {
		return errors.New("--metrics-listen must differ from --listen: the metrics are not for the API's clients")
	}
	if o.drainWait < 0 || o.shutdownWait < 0 {
		return errors.New("--drain-wait and --shutdown-wait cannot be negative")
	}
	totpKey, err := readTOTPKey(o)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, fs, o.db)
	if err != nil {
		return err
	}
	defer st.Close()

	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return err
	}
	loopback := isLoopback(ln.Addr())
	mailer, mailFrom, err := newMailer(st, o.smtpURL, o.mailFrom, o.localMailbox)
	if err != nil {
		ln.Close()
		return err
	}

	texter, err := smsSender(o, st)
	if err != nil {
		ln.Close()
		return err
	}

	cfg := server.DefaultConfig()
	cfg.Store, cfg.Mailer, cfg.SMS, cfg.Logger, cfg.MailFrom = st, mailer, texter, log, mailFrom
	cfg.SMSPerDay = o.smsPerDay
	if o.smsPerDay == 0 {
		cfg.SMSPerDay = -1
	}
	cfg.SMSPerDayTotal = cmp.Or(o.smsPerDayTotal, -1)
	if o.smsCountries != "" {
		cfg.SMSCountries = strings.Split(o.smsCountries, ",")
	}
	cfg.Hash = passhash.Params{Memory: uint32(o.argonMemory), Time: uint32(o.argonTime), Threads: uint8(min(o.argonThreads, 255))}
	cfg.Lock = store.LockPolicy{MaxFailures: o.lockFailures, Base: o.lockBase, Max: o.lockMax}
	cfg.RateIP.PerMinute, cfg.RateAccount.PerMinute, cfg.RateMail.PerMinute = o.rateIP, o.rateAccount, o.rateMail
	cfg.RateAuth.PerMinute, cfg.RateRefresh.PerMinute, cfg.MailsPerDay, cfg.SessionMaxAge = o.rateAuth, o.rateRefresh, o.mailsPerDay, o.sessionMaxAge
	if o.mailsPerDay == 0 {
		cfg.MailsPerDay = -1
	}
	cfg.TicketRetention = o.ticketRetention
	if o.ticketRetention == 0 {
		cfg.TicketRetention = -1
	}
	cfg.MinClientVersion, cfg.LatestClientVersion, cfg.DownloadURL = o.minVersion, o.latestVersion, o.downloadURL
	cfg.DevMailbox = o.localMailbox && loopback
	cfg.TOTPKey, cfg.PlainTOTPSecrets = totpKey, o.devPlainTOTP
	cfg.PublicURL = cmp.Or(o.publicURL, os.Getenv(publicURLEnv))
	cfg.ForwardedHeader = http.CanonicalHeaderKey(cmp.Or(o.forwardedHeader, os.Getenv(forwardedEnv)))
	if cfg.TrustedProxies, err = parseProxies(cmp.Or(o.trustedProxies, os.Getenv(trustedProxiesEnv))); err != nil {
		ln.Close()
		return err
	}
	if o.sessionMaxAge <= 0 {
		ln.Close()
		return errors.New("--session-max-age must be positive")
	}
	if o.ticketRetention < 0 {
		ln.Close()
		return errors.New("--ticket-retention must not be negative")
	}
	if o.lockFailures < 1 || o.lockBase <= 0 || o.lockMax < o.lockBase {
		ln.Close()
		return errors.New("the lock policy needs --lock-failures ≥ 1 and 0 < --lock-duration ≤ --lock-max")
	}
	srv, err := server.New(cfg)
	if err != nil {
		ln.Close()
		return err
	}

	var h http.Handler = srv
	if o.certFile != "" {
		h = hsts(srv)
	}
	hs := &http.Server{
		Handler:           h,
		TLSConfig:         tlsConfig(),
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
	log.Info("listening", "version", version, "url", scheme+"://"+ln.Addr().String(), "local_mailbox", o.localMailbox, "dev_mailbox_api", cfg.DevMailbox,
		"trusted_proxies", fmt.Sprint(cfg.TrustedProxies), "public_url", cfg.PublicURL)
	if !loopback && scheme == "http" {
		log.Warn("serving plain HTTP beyond loopback: clients will send passwords unencrypted; use --tls-cert and --tls-key")
	}
	errc := make(chan error, 2)
	ms, err := serveMetrics(o.metricsListen, srv, log, errc)
	if err != nil {
		ln.Close()
		return errors.Join(err, srv.Close(context.Background()))
	}
	if ready != nil {
		ready <- ln.Addr().String()
	}
	go func() {
		if scheme == "https" {
			errc <- hs.ServeTLS(ln, o.certFile, o.keyFile)
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		hs.Close()
		if ms != nil {
			ms.Close()
		}
		return err
	case <-ctx.Done():
	}
	// The drain: load balancers see /readyz fail and stop sending, while
	// the requests they still send are served, each on a connection that
	// closes after it.
	srv.Drain()
	hs.SetKeepAlivesEnabled(false)
	log.Info("draining", "wait", o.drainWait.String())
	drained := time.NewTimer(o.drainWait)
	select {
	case <-drained.C:
	case <-hurry:
		drained.Stop()
	}
	log.Info("shutting down", "wait", o.shutdownWait.String())
	sctx, cancel := context.WithTimeout(context.Background(), o.shutdownWait)
	defer cancel()
	err = hs.Shutdown(sctx)
	if ms != nil {
		err = errors.Join(err, ms.Shutdown(sctx))
	}
	err = errors.Join(err, srv.Close(sctx))
	log.Info("stopped")
	return err
}

// serveMetrics serves srv's metrics, /healthz and /readyz at addr, unless
// addr is empty (nil then). A failure to serve goes to errc.
func serveMetrics(addr string, srv *server.Server, log *slog.Logger, errc chan<- error) (*http.Server, error) {
	if addr == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--metrics-listen: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", srv.Metrics())
	mux.Handle(server.PathHealth, srv)
	mux.Handle(server.PathReady, srv)
	hs := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		WriteTimeout:      30 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("serving metrics", "url", "http://"+ln.Addr().String()+"/metrics")
	go func() { errc <- hs.Serve(ln) }()
	return hs, nil
}

// tlsConfig is the server's TLS: version 1.2 or newer, and in 1.2 only
// AEAD suites with forward secrecy (every TLS 1.3 suite is one); no CBC, no
// RSA key exchange.
func tlsConfig() *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		CipherSuites: []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
		},
	}
}

// hsts tells browsers and other HSTS clients to reach this host over HTTPS
// only, for a year.
func hsts(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Strict-Transport-Security", "max-age=31536000")
		h.ServeHTTP(w, r)
	})
}

func maintenance(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sesame-authd maintenance", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", "sesame-authd.db", dbUsage)
	msg := fs.String("message", "", "message shown to users (`text`)")
	until := fs.String("until", "", "announced end of the maintenance (`RFC3339` time)")
	if len(args) == 0 || (args[0] != "on" && args[0] != "off") {
		return errors.New("usage: sesame-authd maintenance on|off [--db FILE|URL] [--message TEXT] [--until RFC3339]")
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
	st, err := openStore(ctx, fs, *db)
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

// readTOTPKey reads the key of the TOTP secrets from --totp-key-file or
// $SESAME_TOTP_KEY. The file must be private to its owner. Its errors never
// quote the key.
func readTOTPKey(o options) ([]byte, error) {
	env := os.Getenv(totpKeyEnv)
	switch {
	case o.totpKeyFile != "" && env != "":
		return nil, errors.New("give the TOTP key by --totp-key-file or $" + totpKeyEnv + ", not both")
	case o.devPlainTOTP && (o.totpKeyFile != "" || env != ""):
		return nil, errors.New("--dev-plain-totp-secrets and a TOTP key exclude each other")
	case o.devPlainTOTP:
		return nil, nil
	case env != "":
		k, err := server.ParseTOTPKey(env)
		if err != nil {
			return nil, fmt.Errorf("$%s: %w", totpKeyEnv, err)
		}
		return k, nil
	case o.totpKeyFile == "":
		return nil, errors.New("no TOTP key: give --totp-key-file FILE or $" + totpKeyEnv +
			" (make one with: sesame-authd genkey --out FILE), or --dev-plain-totp-secrets for development")
	}
	// One open file for the mode check and the read: the file cannot be
	// swapped between them.
	f, err := os.Open(o.totpKeyFile)
	if err != nil {
		return nil, fmt.Errorf("--totp-key-file: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("--totp-key-file: %w", err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("--totp-key-file %s is open to other users (mode %04o): chmod 600 it", o.totpKeyFile, fi.Mode().Perm())
	}
	b, err := io.ReadAll(io.LimitReader(f, 4096))
	if err != nil {
		return nil, fmt.Errorf("--totp-key-file: %w", err)
	}
	k, err := server.ParseTOTPKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("--totp-key-file %s: %w", o.totpKeyFile, err)
	}
	return k, nil
}

// genkey is `sesame-authd genkey`: a fresh key for the TOTP secrets, in a
// new file of mode 0600 (never over an existing one) or on stdout.
func genkey(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sesame-authd genkey", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "write the key to this new `file` (mode 0600) instead of standard output")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (usage: sesame-authd genkey [--out FILE])", fs.Arg(0))
	}
	line := server.EncodeTOTPKey(server.NewTOTPKey()) + "\n"
	if *out == "" {
		_, err := io.WriteString(stdout, line)
		return err
	}
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("--out: %w (an existing key is never replaced)", err)
	}
	_, err = io.WriteString(f, line)
	if err = errors.Join(err, f.Sync(), f.Close()); err != nil {
		os.Remove(*out)
		return err
	}
	fmt.Fprintf(stderr, "wrote a new TOTP key to %s; start the server with --totp-key-file %s\n", *out, *out)
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

// parseProxies reads --trusted-proxies: CIDR prefixes or bare addresses,
// separated by commas. A prefix of every address is refused: it would
// believe every client's headers.
func parseProxies(s string) ([]netip.Prefix, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil || a.Zone() != "" {
				return nil, fmt.Errorf("--trusted-proxies: %q is not a CIDR prefix such as 10.0.0.0/8 or an address", f)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		if p.Bits() == 0 {
			return nil, fmt.Errorf("--trusted-proxies: %s would trust every address", f)
		}
		p = p.Masked()
		if p.Addr().Is4In6() {
			return nil, fmt.Errorf("--trusted-proxies: write %s as an IPv4 prefix", f)
		}
		out = append(out, p)
	}
	return out, nil
}

func isLoopback(a net.Addr) bool {
	t, ok := a.(*net.TCPAddr)
	return ok && t.IP.IsLoopback()
}

// newMailer is the mail delivery of --smtp (or $SESAME_SMTP_URL) and
// --mail-from, or of --local-mailbox, and the sender's address to announce
// (none for the local mailbox).
func newMailer(st store.Store, smtpURL, from string, local bool) (mail.Mailer, string, error) {
	if smtpURL == "" {
		smtpURL = os.Getenv("SESAME_SMTP_URL")
	}
	switch {
	case local && smtpURL != "":
		return nil, "", errors.New("choose --smtp or --local-mailbox, not both")
	case local:
		return mail.NewOutbox(st), "", nil
	case smtpURL != "":
		mailer, err := mail.NewSMTP(smtpURL, from)
		if err != nil {
			return nil, "", err
		}
		sender, err := senderAddress(from)
		return mailer, sender, err
	}
	return nil, "", errors.New("no mail delivery: give --smtp URL or --local-mailbox")
}

// senderAddress is the address of a --mail-from value, without its display
// name: what /v1/status announces.
func senderAddress(from string) (string, error) {
	a, err := netmail.ParseAddress(from)
	if err != nil {
		return "", fmt.Errorf("--mail-from: %w", err)
	}
	return a.Address, nil
}
