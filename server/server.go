// Package server is Sesame's reference auth server as an [http.Handler]: it
// serves every endpoint of the contract in api/openapi.yaml (see [Routes])
// over a [store.Store], sending mail through a [mail.Mailer].
//
// [New] builds it from a [Config]; cmd/sesame-authd runs it as a program and
// the desktop app embeds it on 127.0.0.1 when no server is configured.
package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"net/netip"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"sesame/authapi"
	"sesame/server/mail"
	"sesame/server/passhash"
	"sesame/server/sms"
	"sesame/server/store"
)

// Config is everything the server is built from. Zero fields take the
// defaults of [DefaultConfig].
type Config struct {
	Store  store.Store
	Mailer mail.Mailer
	// SMS sends the texted codes of phone numbers; nil turns phone
	// numbers off (their endpoints answer 404).
	SMS    sms.Sender
	Logger *slog.Logger

	// Hash are the argon2id costs of new password hashes; stored hashes
	// made with weaker costs are rehashed at the next sign-in.
	Hash passhash.Params
	// Lock turns failed sign-ins into locks.
	Lock store.LockPolicy
	// RateIP limits the unauthenticated endpoints per client address,
	// RateAccount sign-in and code attempts per email, RateMail the mails
	// sent per email, RateAuth the authenticated requests per account,
	// RateRefresh the refreshes per session (a refresh token that is
	// unknown, expired or reused counts against RateIP instead). A zero
	// Rate is unlimited.
	RateIP, RateAccount, RateMail, RateAuth, RateRefresh Rate
	// MaxHashes bounds the password hashes computed at once; waiting
	// requests take turns fairly by client address and account (see
	// hashQueue), and one that waits longer than HashWait answers 503
	// overloaded.
	MaxHashes int
	HashWait  time.Duration

	AccessTTL, RefreshTTL time.Duration
	// SessionMaxAge ends a session that old, however often it was
	// refreshed.
	SessionMaxAge time.Duration
	// CodeTTL is how long a mailed code lives; CodeAttempts how many
	// guesses it takes. CodeBudget bounds the wrong codes of an address,
	// verification and reset together, whatever the codes: past it, its
	// codes are refused as expired until the oldest counted miss leaves
	// the window, and the owner is told.
	CodeTTL      time.Duration
	CodeAttempts int
	CodeBudget   store.CodeBudget
	// MailsPerDay caps the code mails (registrations, resets) to one
	// address a day, besides RateMail; 0 takes the default, negative is
	// unlimited.
	MailsPerDay int
	// SMSPerDay caps the text messages to one phone number a day, from
	// every account together; past it nothing more is sent that day. 0
	// takes the default, negative is unlimited.
	SMSPerDay int
	// SMSPerDayTotal caps the text messages the server sends a day, to
	// every number together, against toll fraud (texts pumped to numbers
	// that pay their sender); SMSCountries (ISO 3166 regions, "CN") are
	// the countries it texts, empty for all. A reset code that may not be
	// texted is mailed. SMSPerDayTotal 0 takes the default, negative is
	// unlimited.
	SMSPerDayTotal int
	SMSCountries   []string
	// PhoneSettle is how long a number is the account's before reset
	// codes go to it by SMS; until then they are mailed, and a password
	// change or reset removes it: a thief who adds his number with a
	// stolen password cannot take the account back by SMS after the owner
	// resets or changes her password. 0 takes the default, negative is
	// none.
	PhoneSettle time.Duration
	// TicketsPerDay caps the support requests of one account a day, and
	// MaxOpenTickets the ones not closed; 0 takes the default, a negative
	// TicketsPerDay is unlimited.
	TicketsPerDay, MaxOpenTickets int
	// TicketRetention is how long after its closing a support request
	// keeps its text, report and replies (see store.PurgeTickets): the
	// purge deletes them. 0 takes the default, negative keeps them.
	TicketRetention time.Duration
	// PurgeEvery is how often the store's expired rows are deleted (at
	// start, then every PurgeEvery until Close); negative is never.
	PurgeEvery time.Duration

	// MinClientVersion refuses older clients with 426; Latest and
	// DownloadURL are announced by /v1/status.
	MinClientVersion, LatestClientVersion, DownloadURL string
	// MailFrom is the address (no display name) the mails come from,
	// announced by /v1/status; empty announces none.
	MailFrom string

	// DevMailbox serves GET /v1/dev/mailbox from the local outbox. Set it
	// only when the server listens on loopback only. It answers only a
	// loopback peer on a loopback address, with no forwarding header.
	DevMailbox bool
	// TrustedProxies are the proxies in front of the server. A request
	// from one of them is believed about its client and its host, from the
	// one header that ForwardedHeader names: X-Forwarded-For (with
	// X-Forwarded-Host, the default) or Forwarded (RFC 7239, for= and
	// host=). The other is never read: a proxy passes on what a client
	// sent in the header it does not write. Empty: no header is read.
	TrustedProxies  []netip.Prefix
	ForwardedHeader string
	// PublicURL is the server's URL for its users, kept for the links of
	// mails. When set, a request for any other host answers 421.
	PublicURL string
	// Issuer names the service in authenticator apps.
	Issuer string
	// TOTPKey (TOTPKeySize bytes, see NewTOTPKey) seals every TOTP secret
	// before it goes to the store, with AES-256-GCM bound to the account.
	// New seals the plain secrets a store still holds from before, and
	// fails with ErrTOTPKeyMismatch when the key does not open the secrets
	// the store holds sealed. A copy of the database without the key gives
	// no second factor.
	TOTPKey []byte
	// TOTPKeyReplaced says that TOTPKey replaces a lost key that sealed
	// secrets of the database, as the desktop app's built-in server does
	// when the keychain lost its key: New then only warns when the key
	// does not open them. Their codes are refused and recovery codes still
	// sign in. Never set it for a key that may merely be the wrong one.
	TOTPKeyReplaced bool
	// PlainTOTPSecrets lets New run without a TOTPKey, keeping TOTP
	// secrets plain in the store: for development only. Without either,
	// New refuses.
	PlainTOTPSecrets bool
	// Now is the clock; tests move it.
	Now func() time.Time
}

// Rate is a token bucket: Burst requests at once, refilled PerMinute.
type Rate struct {
	PerMinute int
	Burst     int
}

// DefaultConfig returns the production defaults of the contract.
func DefaultConfig() Config {
	return Config{
		Hash:                passhash.OWASP,
		Lock:                store.LockPolicy{MaxFailures: 5, Base: 15 * time.Minute, Max: 24 * time.Hour},
		RateIP:              Rate{PerMinute: 60, Burst: 30},
		RateAccount:         Rate{PerMinute: 10, Burst: 10},
		RateMail:            Rate{PerMinute: 1, Burst: 3},
		RateAuth:            Rate{PerMinute: 120, Burst: 60},
		RateRefresh:         Rate{PerMinute: 1, Burst: 10},
		MaxHashes:           runtime.GOMAXPROCS(0),
		HashWait:            5 * time.Second,
		AccessTTL:           15 * time.Minute,
		RefreshTTL:          30 * 24 * time.Hour,
		SessionMaxAge:       90 * 24 * time.Hour,
		CodeTTL:             10 * time.Minute,
		CodeAttempts:        5,
		CodeBudget:          store.CodeBudget{Misses: 10, Window: 24 * time.Hour},
		MailsPerDay:         20,
		SMSPerDay:           5,
		SMSPerDayTotal:      1000,
		PhoneSettle:         7 * 24 * time.Hour,
		PurgeEvery:          time.Hour,
		MinClientVersion:    "0.1.0",
		LatestClientVersion: "0.1.0",
		DownloadURL:         "https://sesame.example/download",
		Issuer:              "Sesame",
		Now:                 time.Now,
	}
}

// Server is the auth server. It is safe for concurrent use.
type Server struct {
	cfg    Config
	log    *slog.Logger
	mux    *http.ServeMux
	minVer [3]int
	// dummy is the hash verified for unknown accounts, for equal timing.
	// It is made on the first password check of any kind, so that start-up
	// pays nothing and the first check is equally slow for every account.
	dummy    func() string
	hashq    *hashQueue
	ipRate   store.Limit
	acctRate store.Limit
	mailRate store.Limit
	authRate store.Limit
	sessRate store.Limit // refreshes per session
	// dailyMail caps the code mails to an address a day. The limits'
	// buckets are kept in the store (see limit).
	dailyMail store.Limit
	// dailySMS caps the text messages to a phone number a day, totalSMS
	// the server's; smsCountries are the regions it texts, nil for all.
	dailySMS     store.Limit
	totalSMS     store.Limit
	smsCountries map[string]bool
	// codeKey keys the stored hashes of mailed codes; linkKey signs the
	// "this wasn't me" links.
	codeKey []byte
	linkKey []byte
	// supportKey signs support tokens; ticketRate caps an account's new
	// support requests a day.
	supportKey []byte
	ticketRate store.Limit
	mails      sync.WaitGroup
	stop       func() // ends the purge
	purged     sync.WaitGroup
	mailFail   atomic.Int64 // unix seconds of the last failed delivery
	totp       sealer
	public     publicHost
	metrics    *metrics
	health     health

	maint struct {
		sync.Mutex
		at  time.Time
		val store.Maintenance
	}
}

// New builds a server from cfg. With a TOTP key it first seals the plain
// TOTP secrets of the store, in one transaction of at most a minute; then
// it checks that the key opens a sealed secret of the store.
func New(cfg Config) (*Server, error) {
	def := DefaultConfig()
	if cfg.Store == nil || cfg.Mailer == nil {
		return nil, errors.New("server: a store and a mailer are required")
	}
	switch {
	case len(cfg.TOTPKey) == 0 && !cfg.PlainTOTPSecrets:
		return nil, errors.New("server: a TOTP key is required (Config.TOTPKey), or PlainTOTPSecrets for development")
	case len(cfg.TOTPKey) > 0 && cfg.PlainTOTPSecrets:
		return nil, errors.New("server: a TOTP key and PlainTOTPSecrets exclude each other")
	}
	sl, err := newSealer(cfg.TOTPKey)
	if err != nil {
		return nil, err
	}
	fill(&cfg.Hash, def.Hash)
	fill(&cfg.Lock, def.Lock)
	fill(&cfg.MaxHashes, def.MaxHashes)
	fill(&cfg.HashWait, def.HashWait)
	fill(&cfg.AccessTTL, def.AccessTTL)
	fill(&cfg.RefreshTTL, def.RefreshTTL)
	fill(&cfg.SessionMaxAge, def.SessionMaxAge)
	fill(&cfg.CodeTTL, def.CodeTTL)
	fill(&cfg.CodeAttempts, def.CodeAttempts)
	fill(&cfg.CodeBudget, def.CodeBudget)
	fill(&cfg.MailsPerDay, def.MailsPerDay)
	fill(&cfg.SMSPerDay, def.SMSPerDay)
	fill(&cfg.SMSPerDayTotal, def.SMSPerDayTotal)
	fill(&cfg.PhoneSettle, def.PhoneSettle)
	fill(&cfg.PurgeEvery, def.PurgeEvery)
	supportDefaults(&cfg)
	fill(&cfg.MinClientVersion, def.MinClientVersion)
	fill(&cfg.LatestClientVersion, def.LatestClientVersion)
	fill(&cfg.DownloadURL, def.DownloadURL)
	fill(&cfg.Issuer, def.Issuer)
	if cfg.Now == nil {
		cfg.Now = def.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if err := cfg.Hash.Validate(); err != nil {
		return nil, err
	}
	countries, err := smsCountriesOf(cfg.SMSCountries)
	if err != nil {
		return nil, err
	}
	minVer, err := authapi.ParseVersion(cfg.MinClientVersion)
	if err != nil {
		return nil, errors.New("server: the minimum client version must be MAJOR.MINOR.PATCH")
	}
	if _, err := authapi.ParseVersion(cfg.LatestClientVersion); err != nil {
		return nil, errors.New("server: the latest client version must be MAJOR.MINOR.PATCH")
	}
	codeKey, err := deriveKey(cfg.TOTPKey, codeKeyInfo)
	if err != nil {
		return nil, err
	}
	linkKey, err := deriveKey(cfg.TOTPKey, linkKeyInfo)
	if err != nil {
		return nil, err
	}
	supportKey, err := supportKeyOf(cfg.TOTPKey)
	if err != nil {
		return nil, err
	}
	var public publicHost
	switch cfg.ForwardedHeader {
	case "":
		cfg.ForwardedHeader = HeaderXForwardedFor
	case HeaderXForwardedFor, HeaderForwarded:
	default:
		return nil, errors.New("server: the forwarded header must be " + HeaderXForwardedFor + " or " + HeaderForwarded)
	}
	if cfg.PublicURL != "" {
		if public, err = parsePublicURL(cfg.PublicURL); err != nil {
			return nil, err
		}
	}
	s := &Server{
		cfg:          cfg,
		log:          cfg.Logger,
		minVer:       minVer,
		dummy:        sync.OnceValue(func() string { return passhash.Hash(randomToken(), cfg.Hash) }),
		hashq:        newHashQueue(cfg.MaxHashes, cfg.Now),
		ipRate:       limitOf(cfg.RateIP),
		acctRate:     limitOf(cfg.RateAccount),
		mailRate:     limitOf(cfg.RateMail),
		authRate:     limitOf(cfg.RateAuth),
		sessRate:     limitOf(cfg.RateRefresh),
		dailyMail:    dailyLimit(cfg.MailsPerDay),
		dailySMS:     dailyLimit(cfg.SMSPerDay),
		totalSMS:     dailyLimit(cfg.SMSPerDayTotal),
		smsCountries: countries,
		codeKey:      codeKey,
		linkKey:      linkKey,
		supportKey:   supportKey,
		ticketRate:   dailyLimit(cfg.TicketsPerDay),
		totp:         sl,
		public:       public,
		metrics:      newMetrics(),
	}
	if cfg.PlainTOTPSecrets {
		s.log.Warn("TOTP secrets are kept plain in the database and mailed codes are hashed under a fixed development key: for development only")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.sealPlainSecrets(ctx); err != nil {
		return nil, err
	}
	if err := s.checkTOTPKey(ctx); err != nil {
		return nil, err
	}
	s.mux = http.NewServeMux()
	byPath := map[string]map[string]route{}
	var order []string
	for _, rt := range s.table() {
		if byPath[rt.Pattern] == nil {
			byPath[rt.Pattern] = map[string]route{}
			order = append(order, rt.Pattern)
		}
		byPath[rt.Pattern][rt.Method] = rt
	}
	for _, p := range order {
		s.mux.Handle(p, s.dispatch(byPath[p]))
	}
	s.mux.Handle("/", s.wrap(route{Route: Route{Pattern: "/"}, h: func(w http.ResponseWriter, r *http.Request) error {
		return problem(http.StatusNotFound, authapi.CodeNotFound, "There is no such endpoint.")
	}}))
	s.serveHealth()
	s.startPurge()
	return s, nil
}

// startPurge deletes the store's expired rows now and then every
// PurgeEvery, in a goroutine that Close stops.
func (s *Server) startPurge() {
	ctx, cancel := context.WithCancel(context.Background())
	s.stop = cancel
	if s.cfg.PurgeEvery < 0 {
		return
	}
	s.purged.Add(1)
	go func() {
		defer s.purged.Done()
		t := time.NewTicker(s.cfg.PurgeEvery)
		defer t.Stop()
		for {
			if err := s.purge(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("purging expired rows failed", "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

// purge deletes the store's expired rows and the text of the tickets
// closed for TicketRetention.
func (s *Server) purge(ctx context.Context) error {
	now := s.cfg.Now()
	if err := s.cfg.Store.Purge(ctx, now); err != nil || s.cfg.TicketRetention < 0 {
		return err
	}
	n, err := s.cfg.Store.PurgeTickets(ctx, now.Add(-s.cfg.TicketRetention), now)
	if n > 0 {
		s.log.Info("purged the text of closed support requests", "count", n, "retention", s.cfg.TicketRetention)
	}
	return err
}

func fill[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}

// Close stops the purge and waits for it and for mails still being
// delivered, up to ctx's end.
func (s *Server) Close(ctx context.Context) error {
	s.stop()
	done := make(chan struct{})
	go func() { s.purged.Wait(); s.mails.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// handler serves one endpoint; a returned *authapi.Problem is sent as is,
// any other error as a 500 whose cause is logged.
type handler func(w http.ResponseWriter, r *http.Request) error

type route struct {
	Route
	h handler
}

// dispatch picks the route of the request's method among those of a path.
func (s *Server) dispatch(methods map[string]route) http.Handler {
	wrapped := map[string]http.Handler{}
	var any route
	var allow []string
	for m, rt := range methods {
		wrapped[m] = s.wrap(rt)
		any = rt
		allow = append(allow, m)
	}
	slices.Sort(allow)
	notAllowed := s.wrap(route{Route: Route{Pattern: any.Pattern}, h: func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		return problem(http.StatusMethodNotAllowed, authapi.CodeMethodNotAllowed, "This endpoint does not answer "+r.Method+".")
	}})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h, ok := wrapped[r.Method]; ok {
			h.ServeHTTP(w, r)
			return
		}
		notAllowed.ServeHTTP(w, r)
	})
}

// statusWriter remembers the status for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// wrap adds what every endpoint shares: panic recovery, the request log
// (method, pattern, status, time; never a body, a query or a header value),
// the metrics, the host, maintenance, the client version, the per-address
// rate limit and bearer authentication.
func (s *Server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		start := time.Now()
		r = s.withOrigin(r)
		w := &statusWriter{ResponseWriter: rw}
		var code authapi.Code // of the problem answered
		defer func() {
			if v := recover(); v != nil {
				s.log.Error("handler panicked", "method", r.Method, "route", rt.Pattern)
				if w.status == 0 {
					code = authapi.CodeInternal
					authapi.WriteProblem(w, internal())
				}
			}
			s.log.Info("request", "method", r.Method, "route", rt.Pattern, "status", w.status,
				"ms", time.Since(start).Milliseconds(), "ip", clientIP(r))
			s.metrics.request(rt.Route, w.status, code, time.Since(start))
		}()
		err := s.gate(rt, r)
		if err == nil {
			err = rt.h(w, r)
		}
		if err != nil {
			var p *authapi.Problem
			if !errors.As(err, &p) {
				s.log.Error("request failed", "method", r.Method, "route", rt.Pattern, "err", err)
				s.metrics.failed(r, err)
				p = internal()
			}
			code = p.Code
			authapi.WriteProblem(w, p)
		}
	})
}

// gate runs the checks that come before any endpoint's own work.
func (s *Server) gate(rt route, r *http.Request) error {
	if err := s.checkHost(r); err != nil {
		return err
	}
	switch {
	case rt.Pattern == "/v1/status":
		return nil
	case rt.Pattern == "/v1/dev/mailbox" && (!s.cfg.DevMailbox || !localOnly(r)):
		return problem(http.StatusNotFound, authapi.CodeNotFound, "There is no such endpoint.")
	case !strings.HasPrefix(rt.Pattern, "/v1/") && rt.Method != "":
		// A page for browsers: no client version, and no maintenance, so
		// that an owner can always sign an intruder out.
		return s.limit(r.Context(), s.ipRate, addrKey(clientIP(r)))
	}
	if err := s.maintenance(r.Context()); err != nil || rt.Method == "" {
		return err
	}
	if err := s.checkVersion(r); err != nil {
		return err
	}
	// A refresh is limited in its own transaction: per session, or per
	// address for a token that names none. The local outbox, for this
	// computer only, spends no budget of the address: the Mailbox window
	// polls it, and would spend the user's own on the built-in server.
	if !rt.Auth && rt.Pattern != "/v1/tokens/refresh" && rt.Pattern != "/v1/dev/mailbox" {
		return s.limit(r.Context(), s.ipRate, addrKey(clientIP(r)))
	}
	return nil
}

func (s *Server) checkVersion(r *http.Request) error {
	v := r.Header.Get(authapi.HeaderClientVersion)
	if v == "" {
		return problemField(http.StatusBadRequest, authapi.CodeMissingClientVersion, authapi.HeaderClientVersion,
			"Every request must carry the "+authapi.HeaderClientVersion+" header.")
	}
	ver, err := authapi.ParseVersion(v)
	if err != nil {
		return problemField(http.StatusBadRequest, authapi.CodeMissingClientVersion, authapi.HeaderClientVersion,
			"The "+authapi.HeaderClientVersion+" header must be a version such as 1.2.3.")
	}
	if authapi.CompareVersions(ver, s.minVer) < 0 {
		p := problem(http.StatusUpgradeRequired, authapi.CodeClientOutdated,
			"This version of the app is too old for the server; version "+s.cfg.MinClientVersion+" or newer is needed.")
		p.MinVersion, p.DownloadURL = s.cfg.MinClientVersion, s.cfg.DownloadURL
		return p
	}
	return nil
}

// maintenance answers 503 while the switch in the store is on. The switch
// is read at most once a second of the server's clock.
func (s *Server) maintenance(ctx context.Context) error {
	m, err := s.maintenanceState(ctx)
	if err != nil || !m.On {
		return err
	}
	wait := 300
	if m.Until != nil {
		if d := int(m.Until.Sub(s.cfg.Now()).Seconds()) + 1; d > 0 {
			wait = d
		}
	}
	p := problem(http.StatusServiceUnavailable, authapi.CodeMaintenance, "The server is in maintenance.")
	p.RetryAfterSeconds, p.MaintenanceUntil, p.Message = authapi.Int(wait), m.Until, m.Message
	return p
}

// maintenanceRead is how long a reading of the maintenance switch stands.
const maintenanceRead = time.Second

func (s *Server) maintenanceState(ctx context.Context) (store.Maintenance, error) {
	s.maint.Lock()
	defer s.maint.Unlock()
	now := s.cfg.Now()
	if now.Sub(s.maint.at) < maintenanceRead {
		return s.maint.val, nil
	}
	m, err := s.cfg.Store.Maintenance(ctx)
	if err != nil {
		if !s.maint.at.IsZero() {
			// The last known state stands in while the store fails.
			s.log.Error("reading the maintenance switch failed", "err", err)
			return s.maint.val, nil
		}
		return m, err
	}
	s.maint.at, s.maint.val = now, m
	return m, nil
}

// limit takes a token of key's bucket under l or answers 429 with the
// wait. A limit that cannot be checked refuses: the store's error is
// returned (500), so that a failing database opens no way around the
// limits on guessing and mail (see authed for the one exception).
func (s *Server) limit(ctx context.Context, l store.Limit, key string) error {
	ok, wait, err := s.cfg.Store.TakeToken(ctx, key, l, s.cfg.Now())
	if err != nil || ok {
		return err
	}
	return rateLimited(wait)
}

// rateLimited is the answer to a request whose limit has a token again
// after wait: 429.
func rateLimited(wait time.Duration) error {
	secs := max(1, int(math.Ceil(wait.Seconds())))
	p := problem(http.StatusTooManyRequests, authapi.CodeRateLimited, "Too many attempts; wait before trying again.")
	p.RetryAfterSeconds = authapi.Int(secs)
	return p
}

// limitMail applies the per-minute and daily caps of code mails to an
// address: 429 past either.
func (s *Server) limitMail(ctx context.Context, email string) error {
	if err := s.limit(ctx, s.mailRate, mailKey(email)); err != nil {
		return err
	}
	return s.limit(ctx, s.dailyMail, dailyMailKey(email))
}

// verifyPassword checks password against the account's hash, or against a
// dummy hash when there is no account, so both take the same time. It
// queues under keys (see hashKeys).
func (s *Server) verifyPassword(ctx context.Context, keys []string, a *store.Account, password string) (bool, error) {
	release, err := s.meteredHashTurn(ctx, keys)
	if err != nil {
		return false, err
	}
	defer release()
	phc := s.dummy()
	if a != nil {
		phc = a.PasswordHash
	}
	ok, err := passhash.VerifyAt(authapi.NormalizePassword(password), phc, s.cfg.Hash)
	return ok && a != nil, err
}

// hashPassword hashes a new password under the configured costs, queued
// under keys.
func (s *Server) hashPassword(ctx context.Context, keys []string, password string) (string, error) {
	release, err := s.meteredHashTurn(ctx, keys)
	if err != nil {
		return "", err
	}
	defer release()
	return passhash.Hash(authapi.NormalizePassword(password), s.cfg.Hash), nil
}

// background runs work that an answer must not wait for, or reveal by its
// timing (whether an account exists), under a time limit of its own.
func (s *Server) background(work func(ctx context.Context) error) {
	s.mails.Add(1)
	go func() {
		defer s.mails.Done()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := work(ctx); err != nil {
			s.log.Error("background work failed", "err", err)
		}
	}()
}

// sendMail delivers m in the background, so that answers do not wait for
// (or reveal by their timing) a delivery.
func (s *Server) sendMail(m mail.Message) {
	s.mails.Add(1)
	go func() {
		defer s.mails.Done()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := s.cfg.Mailer.Send(ctx, m); err != nil {
			s.mailFail.Store(time.Now().Unix())
			s.metrics.mails.WithLabelValues(mailFailed).Inc()
			s.log.Warn("mail delivery failed", "subject", m.Subject, "err", err)
			return
		}
		s.metrics.mails.WithLabelValues(mailSent).Inc()
	}()
}

// activity records an event of the account. A failure of a request that
// is not signed in records its device name as claimed.
func (s *Server) activity(ctx context.Context, accountID string, r *http.Request, device, result string) {
	failed := result == authapi.ResultInvalidCredentials || result == authapi.ResultInvalidTwoFactorCode || result == authapi.ResultLocked
	err := s.cfg.Store.AddActivity(ctx, accountID, authapi.ActivityEvent{
		At: s.cfg.Now().UTC(), IP: clientIP(r), DeviceName: device, Result: result,
		Claimed: failed && r.Context().Value(signedIn{}) == nil,
	})
	if err != nil {
		s.log.Error("recording activity failed", "result", result, "err", err)
	}
}

func problem(status int, code authapi.Code, detail string) *authapi.Problem {
	return &authapi.Problem{Status: status, Code: code, Title: http.StatusText(status), Detail: detail}
}

func problemField(status int, code authapi.Code, field, detail string) *authapi.Problem {
	p := problem(status, code, detail)
	p.Field = field
	return p
}

func internal() *authapi.Problem {
	return problem(http.StatusInternalServerError, authapi.CodeInternal, "The server failed; try again later.")
}

// randomToken returns 32 random bytes, base64url: tokens, ids, secrets.
func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// digest is how tokens and challenge ids are stored.
func digest(parts ...string) []byte {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return h.Sum(nil)
}
