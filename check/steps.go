package check

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"

	"sesame/authapi"
	"sesame/keystore"
)

// The steps, in the order Run runs them.
const (
	StepNetwork  StepID = "network"  // a network interface is up
	StepDNS      StepID = "dns"      // the server's host resolves
	StepTCP      StepID = "tcp"      // a TCP connection opens
	StepTLS      StepID = "tls"      // the certificate verifies
	StepPortal   StepID = "portal"   // the answer comes from the auth API
	StepStatus   StepID = "status"   // the server's own status
	StepVersion  StepID = "version"  // this app against the server's versions
	StepClock    StepID = "clock"    // this computer's clock against the server's
	StepKeychain StepID = "keychain" // the OS keychain keeps items
	StepLatency  StepID = "latency"  // round-trip time of GET /v1/status
)

// The causes.
const (
	CauseNotRun   Cause = "not_run"  // skipped: an earlier step failed
	CauseCanceled Cause = "canceled" // skipped: the caller stopped the check
	CauseTimeout  Cause = "timeout"  // no answer within the step's limit

	CauseLoopback       Cause = "loopback"        // ok: the server is on this computer
	CauseOffline        Cause = "offline"         // no network interface is up, or the route is gone
	CauseNetworkUnknown Cause = "network_unknown" // the interfaces could not be read

	CauseInvalidServer Cause = "invalid_server" // the server address is not a URL the client takes
	CausePlainHTTP     Cause = "plain_http"     // http:// for a host that is not loopback
	CauseDNSFailed     Cause = "dns_failed"     // the host does not resolve

	CauseConnectionRefused Cause = "connection_refused" // nothing listens on the port
	CauseUnreachable       Cause = "unreachable"        // no route to the host
	CauseConnectFailed     Cause = "connect_failed"     // any other connect failure

	CausePlainHTTPLoopback   Cause = "plain_http_loopback"   // skipped: plain HTTP on this computer
	CauseNotTLS              Cause = "not_tls"               // the port answers plain HTTP to https://
	CauseTLSUnknownAuthority Cause = "tls_unknown_authority" // signed by an authority this computer does not trust
	CauseTLSExpired          Cause = "tls_expired"           // the certificate has expired
	CauseTLSNotYetValid      Cause = "tls_not_yet_valid"     // the certificate is not valid yet
	CauseTLSWrongHost        Cause = "tls_wrong_host"        // the certificate is for another name
	CauseTLSFailed           Cause = "tls_failed"            // any other handshake failure

	CauseCaptivePortal    Cause = "captive_portal"    // a page that can be a portal's answers
	CauseWrongServer      Cause = "wrong_server"      // another server answers: address, port or scheme
	CauseInsecureRedirect Cause = "insecure_redirect" // a redirect from https to plain http
	CauseNetworkFailed    Cause = "network_failed"    // the connection broke before the answer

	CauseDegraded       Cause = "degraded"        // the server works with problems
	CauseMaintenance    Cause = "maintenance"     // the server is in maintenance
	CauseRateLimited    Cause = "rate_limited"    // the server asks to wait
	CauseOverloaded     Cause = "overloaded"      // the server is busy
	CauseServerError    Cause = "server_error"    // the server answered another problem
	CauseStatusUnknown  Cause = "status_unknown"  // a status this app does not know
	CauseClientOutdated Cause = "client_outdated" // this app is below the server's minimum

	CauseUpdateAvailable Cause = "update_available" // this app is below the latest version
	CauseVersionUnknown  Cause = "version_unknown"  // a version is not MAJOR.MINOR.PATCH

	CauseClockSkew     Cause = "clock_skew"     // the clock is over ClockSkewLimit off
	CauseClockTimeZone Cause = "clock_timezone" // off by whole hours: a time zone or dual-boot clock

	CauseKeychainNoBus      Cause = "keychain_no_session_bus"
	CauseKeychainNoProvider Cause = "keychain_no_provider"
	CauseKeychainNoKeyring  Cause = "keychain_no_keyring"
	CauseKeychainLocked     Cause = "keychain_locked"
	CauseKeychainTimeout    Cause = "keychain_timeout"
	CauseKeychainFailed     Cause = "keychain_failed"
	// Windows' Credential Manager: an error, or no logon session.
	CauseCredentialManagerFailed    Cause = "credential_manager_failed"
	CauseCredentialManagerNoSession Cause = "credential_manager_no_session"

	CauseSlow Cause = "slow" // the median round trip is over SlowLatency
)

// anyStep are the causes any step may name.
var anyStep = []Cause{CauseNotRun, CauseCanceled, CauseTimeout}

// Steps describes the steps, in the order Run runs them.
var Steps = []Def{
	{ID: StepNetwork, run: (*run).network, needs: always, Blocks: true,
		Causes: []Cause{CauseLoopback, CauseOffline, CauseNetworkUnknown}, Details: []string{"interfaces"}},
	{ID: StepDNS, run: (*run).dns, needs: func(r *run) bool { return !r.blocked || r.badURL != "" }, Blocks: true,
		Causes: []Cause{CauseInvalidServer, CausePlainHTTP, CauseDNSFailed}, Details: []string{"host", "address", "more", "limit"}},
	{ID: StepTCP, run: (*run).tcp, needs: unblocked, Blocks: true,
		Causes: []Cause{CauseConnectionRefused, CauseUnreachable, CauseConnectFailed}, Details: []string{"host", "address", "connect_ms"}},
	{ID: StepTLS, run: (*run).tls, needs: unblocked, Blocks: true,
		Causes:  []Cause{CausePlainHTTPLoopback, CauseNotTLS, CauseTLSUnknownAuthority, CauseTLSExpired, CauseTLSNotYetValid, CauseTLSWrongHost, CauseTLSFailed, CauseConnectionRefused},
		Details: []string{"host", "tls_version", "issuer", "names", "not_after", "not_before", "limit"}},
	{ID: StepPortal, run: (*run).portal, needs: unblocked, Blocks: true,
		Causes: []Cause{CauseCaptivePortal, CauseWrongServer, CauseInsecureRedirect, CauseNetworkFailed, CauseNotTLS,
			CauseTLSUnknownAuthority, CauseTLSExpired, CauseTLSWrongHost, CauseTLSFailed, CauseDNSFailed, CauseOffline},
		Details: []string{"status", "content_type", "location", "elapsed_ms", "limit"}},
	{ID: StepStatus, run: (*run).status, needs: answered, Blocks: true,
		Causes:  []Cause{CauseDegraded, CauseMaintenance, CauseRateLimited, CauseOverloaded, CauseServerError, CauseStatusUnknown, CauseClientOutdated},
		Details: []string{"code", "status", "server_status", "message", "until", "retry_after"}},
	{ID: StepVersion, run: (*run).version, needs: func(r *run) bool { return r.st != nil || r.outdated != nil || (r.answered && r.badVer) }, Blocks: true,
		Causes: []Cause{CauseClientOutdated, CauseUpdateAvailable, CauseVersionUnknown}, Details: []string{"version", "min_version", "latest_version", "download_url"}},
	{ID: StepClock, run: (*run).clock, needs: func(r *run) bool { return r.hasOffset }, Blocks: true,
		Causes: []Cause{CauseClockSkew, CauseClockTimeZone}, Details: []string{"offset", "offset_seconds", "hours", "server_time_offset", "two_factor"}},
	{ID: StepKeychain, run: (*run).keychainStep, needs: always,
		Causes: []Cause{CauseKeychainNoBus, CauseKeychainNoProvider, CauseKeychainNoKeyring, CauseKeychainLocked, CauseKeychainTimeout, CauseKeychainFailed,
			CauseCredentialManagerFailed, CauseCredentialManagerNoSession},
		Details: []string{"platform"}},
	{ID: StepLatency, run: (*run).latency, needs: answered,
		Causes: []Cause{CauseSlow}, Details: []string{"median_ms", "limit"}},
}

func always(*run) bool      { return true }
func unblocked(r *run) bool { return !r.blocked }
func answered(r *run) bool  { return r.answered }

// ClockSkewLimit is the clock offset past which two-factor codes may fail.
const ClockSkewLimit = 30 * time.Second

// TwoFactor says whether the account checked uses two-factor sign-in.
type TwoFactor int

// Whether the account uses two-factor; unknown counts as on.
const (
	TwoFactorUnknown TwoFactor = iota
	TwoFactorOn
	TwoFactorOff
)

var twoFactorNames = [...]string{"unknown", "on", "off"}

// Connection check limits.
const (
	// DefaultStepTimeout bounds each step; the whole check is bounded by
	// five times the step limit.
	DefaultStepTimeout = 2 * time.Second
	// SlowLatency is the median round trip past which latency is a warning.
	SlowLatency = time.Second
	// latencySamples is how many GET /v1/status round trips are timed.
	latencySamples = 3
	// zoneSlack is how far from a whole number of hours an offset may be
	// and still be named a time-zone problem.
	zoneSlack = time.Minute
)

// Config is what the connection check runs against.
type Config struct {
	// Server is the auth server's base URL.
	Server string
	// Version is this app's version, sent and compared with the server's.
	Version string
	// HTTPClient, when set, carries the API calls, and its transport's
	// RootCAs (if any) verify the TLS step.
	HTTPClient *http.Client
	// Keychain is checked with a probe item; nil means the OS keychain
	// (keystore.Keychain{}).
	Keychain Keychain
	// Resolver resolves the host for the DNS and connection steps; nil
	// means net.DefaultResolver.
	Resolver *net.Resolver
	// StepTimeout bounds each step; zero means DefaultStepTimeout.
	StepTimeout time.Duration
	// TwoFactor: whether the account uses two-factor sign-in, which a
	// clock off by more than ClockSkewLimit blocks.
	TwoFactor TwoFactor
}

// Keychain is the keychain the check probes.
type Keychain interface {
	// Check writes, reads back and deletes a probe item; its error
	// matches keystore.ErrKeychainUnavailable.
	Check(ctx context.Context) error
}

// Run runs the steps of Steps in order, calling progress (if not nil)
// after each, on the caller's goroutine. Each step has its own time limit
// and the whole check at most five of them; a step whose needs are not
// met is VerdictSkipped with CauseNotRun, and the steps left when ctx ends
// are VerdictSkipped with CauseCanceled.
func Run(ctx context.Context, cfg Config, progress func(Step)) Diagnosis {
	if cfg.StepTimeout <= 0 {
		cfg.StepTimeout = DefaultStepTimeout
	}
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, 5*cfg.StepTimeout)
	defer cancel()
	r := newRun(cfg)
	d := Diagnosis{Server: cfg.Server, Started: time.Now(), AppVersion: cfg.Version, OS: osName()}

	// The keychain is independent of the network: it is checked meanwhile.
	kc := cfg.Keychain
	if kc == nil {
		kc = keystore.Keychain{}
	}
	keychainDone := make(chan error, 1)
	go func() {
		kctx, kcancel := context.WithTimeout(ctx, cfg.StepTimeout)
		defer kcancel()
		keychainDone <- kc.Check(kctx)
	}()
	r.keychain = keychainDone

	for _, def := range Steps {
		var s Step
		switch {
		case parent.Err() != nil:
			s = Step{Verdict: VerdictSkipped, Cause: CauseCanceled}
		case ctx.Err() != nil:
			s = Step{Verdict: VerdictSkipped, Cause: CauseTimeout}
		case !def.needs(r):
			s = Step{Verdict: VerdictSkipped, Cause: CauseNotRun}
		default:
			sctx, scancel := context.WithTimeout(ctx, cfg.StepTimeout)
			s = def.run(r, sctx)
			scancel()
			if s.Verdict != VerdictSkipped && parent.Err() != nil {
				s = Step{Verdict: VerdictSkipped, Cause: CauseCanceled}
			}
		}
		s.ID = def.ID
		if s.Blocks() {
			r.blocked = true
		}
		d.Steps = append(d.Steps, s)
		if progress != nil {
			progress(s)
		}
	}
	return d
}

// run is the state one check carries from step to step.
type run struct {
	cfg       Config
	badURL    Cause // set when the server address is refused
	u         *url.URL
	host      string
	port      string
	loopback  bool
	resolver  *net.Resolver
	client    *authapi.Client
	badVer    bool // cfg.Version is not a version; the client sends its default
	blocked   bool
	keychain  <-chan error
	st        *authapi.StatusResponse
	stErr     error
	stAt      time.Time // when the status answer arrived
	answered  bool      // the auth API answered the status call
	outdated  *authapi.Problem
	offset    time.Duration
	hasOffset bool
}

func newRun(cfg Config) *run {
	r := &run{cfg: cfg, resolver: cfg.Resolver}
	if r.resolver == nil {
		r.resolver = net.DefaultResolver
	}
	version := cfg.Version
	if _, err := authapi.ParseVersion(version); err != nil {
		r.badVer, version = true, authapi.DefaultClientVersion
	}
	c, err := authapi.NewClient(cfg.Server, authapi.WithHTTPClient(cfg.HTTPClient),
		authapi.WithVersion(version), authapi.WithRetries(0), authapi.WithTimeout(cfg.StepTimeout))
	switch {
	case errors.Is(err, authapi.ErrPlainHTTP):
		r.badURL = CausePlainHTTP
	case err != nil:
		r.badURL = CauseInvalidServer
	default:
		r.client = c
		r.u, _ = url.Parse(c.BaseURL())
		r.host, r.port = r.u.Hostname(), r.u.Port()
		if r.port == "" {
			r.port = map[string]string{"https": "443", "http": "80"}[r.u.Scheme]
		}
		r.loopback = IsLoopback(r.host)
	}
	if r.badURL != "" {
		// Loopback is still told apart, so the network step says the truth.
		if u, err := url.Parse(strings.TrimSpace(cfg.Server)); err == nil {
			r.loopback = IsLoopback(u.Hostname())
		}
	}
	return r
}

// IsLoopback reports whether host names this computer.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (r *run) network(ctx context.Context) Step {
	if r.loopback {
		return Step{Verdict: VerdictOK, Cause: CauseLoopback}
	}
	ifs, err := net.Interfaces()
	if err != nil {
		return Step{Verdict: VerdictWarning, Cause: CauseNetworkUnknown}
	}
	var up []string
	for _, ifc := range ifs {
		if ifc.Flags&net.FlagUp == 0 || ifc.Flags&net.FlagLoopback != 0 {
			continue
		}
		addrs, err := ifc.Addrs()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			if ipn, ok := a.(*net.IPNet); ok && ipn.IP.IsGlobalUnicast() {
				up = append(up, ifc.Name)
				break
			}
		}
	}
	if len(up) == 0 {
		return Step{Verdict: VerdictProblem, Cause: CauseOffline}
	}
	return Step{Verdict: VerdictOK, Detail: map[string]string{"interfaces": Clean(strings.Join(up, ", "), 200)}}
}

func (r *run) dns(ctx context.Context) Step {
	if r.badURL != "" {
		return Step{Verdict: VerdictProblem, Cause: r.badURL}
	}
	detail := map[string]string{"host": r.host}
	if ip := net.ParseIP(r.host); ip != nil {
		detail["address"] = ip.String()
		return Step{Verdict: VerdictOK, Detail: detail}
	}
	addrs, err := r.resolver.LookupHost(ctx, r.host)
	if err != nil {
		var de *net.DNSError
		if ctx.Err() != nil || (errors.As(err, &de) && de.IsTimeout) {
			detail["limit"] = r.cfg.StepTimeout.String()
			return Step{Verdict: VerdictProblem, Cause: CauseTimeout, Detail: detail}
		}
		return Step{Verdict: VerdictProblem, Cause: CauseDNSFailed, Detail: detail}
	}
	detail["address"] = addrs[0]
	if len(addrs) > 1 {
		detail["more"] = strconv.Itoa(len(addrs) - 1)
	}
	return Step{Verdict: VerdictOK, Detail: detail}
}

func (r *run) tcp(ctx context.Context) Step {
	d := net.Dialer{Resolver: r.cfg.Resolver}
	start := time.Now()
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(r.host, r.port))
	took := time.Since(start)
	detail := map[string]string{"host": r.host, "address": net.JoinHostPort(r.host, r.port)}
	if err != nil {
		return Step{Verdict: VerdictProblem, Cause: dialCause(ctx, err), Detail: detail}
	}
	detail["address"] = conn.RemoteAddr().String()
	detail["connect_ms"] = strconv.FormatInt(took.Milliseconds(), 10)
	conn.Close()
	return Step{Verdict: VerdictOK, Detail: detail}
}

// dialCause names why a connection could not be opened.
func dialCause(ctx context.Context, err error) Cause {
	var ne net.Error
	switch {
	case ctx.Err() != nil || errors.As(err, &ne) && ne.Timeout():
		return CauseTimeout
	case errors.Is(err, syscall.ECONNREFUSED):
		return CauseConnectionRefused
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETDOWN):
		return CauseUnreachable
	}
	return CauseConnectFailed
}

// roots returns the RootCAs of the configured client's transport, or nil
// for the system's.
func (r *run) roots() *x509.CertPool {
	if r.cfg.HTTPClient == nil {
		return nil
	}
	if t, ok := r.cfg.HTTPClient.Transport.(*http.Transport); ok && t.TLSClientConfig != nil {
		return t.TLSClientConfig.RootCAs
	}
	return nil
}

func (r *run) tls(ctx context.Context) Step {
	if r.u.Scheme == "http" {
		// NewClient takes http:// for loopback hosts only.
		return Step{Verdict: VerdictSkipped, Cause: CausePlainHTTPLoopback}
	}
	d := tls.Dialer{
		NetDialer: &net.Dialer{Resolver: r.cfg.Resolver},
		Config:    &tls.Config{ServerName: r.host, RootCAs: r.roots(), MinVersion: tls.VersionTLS12},
	}
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(r.host, r.port))
	detail := map[string]string{"host": r.host}
	if err != nil {
		s := tlsFailure(ctx, err, detail)
		if s.Cause == CauseTimeout {
			detail["limit"] = r.cfg.StepTimeout.String()
		}
		return s
	}
	defer conn.Close()
	state := conn.(*tls.Conn).ConnectionState()
	leaf := state.PeerCertificates[0]
	detail["tls_version"] = tls.VersionName(state.Version)
	detail["issuer"] = issuer(leaf)
	detail["not_after"] = leaf.NotAfter.UTC().Format(time.RFC3339)
	return Step{Verdict: VerdictOK, Detail: detail}
}

// tlsFailure classifies a refused handshake, with the details of the
// certificate that was presented.
func tlsFailure(ctx context.Context, err error, detail map[string]string) Step {
	var (
		unknown  x509.UnknownAuthorityError
		invalid  x509.CertificateInvalidError
		hostname x509.HostnameError
		record   tls.RecordHeaderError
		ne       net.Error
	)
	s := Step{Verdict: VerdictProblem, Detail: detail}
	switch {
	case errors.As(err, &unknown) && unknown.Cert != nil:
		s.Cause, detail["issuer"] = CauseTLSUnknownAuthority, issuer(unknown.Cert)
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired && invalid.Cert != nil:
		detail["issuer"] = issuer(invalid.Cert)
		if time.Now().Before(invalid.Cert.NotBefore) {
			s.Cause, detail["not_before"] = CauseTLSNotYetValid, invalid.Cert.NotBefore.UTC().Format(time.RFC3339)
		} else {
			s.Cause, detail["not_after"] = CauseTLSExpired, invalid.Cert.NotAfter.UTC().Format(time.RFC3339)
		}
	case errors.As(err, &hostname) && hostname.Certificate != nil:
		c := hostname.Certificate
		names := slices.Clone(c.DNSNames)
		for _, ip := range c.IPAddresses {
			names = append(names, ip.String())
		}
		if len(names) == 0 {
			names = []string{c.Subject.CommonName}
		}
		s.Cause, detail["names"], detail["issuer"] = CauseTLSWrongHost, Clean(strings.Join(names, ", "), 200), issuer(c)
	case errors.As(err, &record):
		// The first bytes back are no TLS record: the port speaks plain
		// HTTP (or another protocol).
		s.Cause = CauseNotTLS
	case ctx.Err() != nil || errors.As(err, &ne) && ne.Timeout():
		s.Cause = CauseTimeout
	case errors.Is(err, syscall.ECONNREFUSED):
		s.Cause = CauseConnectionRefused
	default:
		s.Cause = CauseTLSFailed
	}
	return s
}

// issuer names a certificate's issuer, marking a self-signed one.
func issuer(c *x509.Certificate) string {
	n := c.Issuer.CommonName
	if n == "" && len(c.Issuer.Organization) > 0 {
		n = c.Issuer.Organization[0]
	}
	if n == "" {
		n = c.Issuer.String()
	}
	n = Clean(n, 80)
	if c.Issuer.String() == c.Subject.String() {
		n += " (self-signed)"
	}
	return n
}

func (r *run) portal(ctx context.Context) Step {
	start := time.Now()
	st, err := r.client.Status(ctx)
	r.stAt = time.Now()
	r.st, r.stErr = st, err
	if p, ok := authapi.ProblemOf(err); err == nil || ok {
		r.answered = true
		// The Date of the API's answer; a portal's Date says nothing.
		r.offset, r.hasOffset = r.client.ClockOffset()
		if !r.hasOffset && st != nil && !st.ServerTime.IsZero() {
			r.offset, r.hasOffset = st.ServerTime.Sub(r.stAt).Round(time.Second), true
		}
		if ok && p.Code == authapi.CodeClientOutdated {
			r.outdated = p
		}
		status := http.StatusOK
		if ok {
			status = p.Status
		}
		return Step{Verdict: VerdictOK, Detail: map[string]string{
			"status": strconv.Itoa(status), "elapsed_ms": strconv.FormatInt(r.stAt.Sub(start).Milliseconds(), 10)}}
	}
	detail := map[string]string{}
	var (
		notAPI   *authapi.NotAPIError
		redirect *authapi.InsecureRedirectError
		tlsErr   *authapi.TLSError
	)
	switch {
	case errors.As(err, &notAPI):
		detail["status"], detail["content_type"] = strconv.Itoa(notAPI.Status), Clean(notAPI.ContentType, 100)
		if notAPI.Location != "" {
			detail["location"] = Clean(notAPI.Location, 300)
		}
		return Step{Verdict: VerdictProblem, Cause: r.notAPICause(notAPI), Detail: detail}
	case errors.As(err, &redirect):
		detail["location"] = Clean(redirect.Location, 300)
		return Step{Verdict: VerdictProblem, Cause: CauseInsecureRedirect, Detail: detail}
	case errors.Is(err, authapi.ErrTimeout):
		detail["limit"] = r.cfg.StepTimeout.String()
		return Step{Verdict: VerdictProblem, Cause: CauseTimeout, Detail: detail}
	case errors.As(err, &tlsErr):
		var record tls.RecordHeaderError
		if errors.As(err, &record) {
			return Step{Verdict: VerdictProblem, Cause: CauseNotTLS}
		}
		return Step{Verdict: VerdictProblem, Cause: TLSCause(tlsErr.Reason)}
	case errors.Is(err, authapi.ErrDNS):
		return Step{Verdict: VerdictProblem, Cause: CauseDNSFailed}
	case errors.Is(err, authapi.ErrOffline):
		return Step{Verdict: VerdictProblem, Cause: CauseOffline}
	case errors.Is(err, context.Canceled):
		return Step{Verdict: VerdictSkipped, Cause: CauseCanceled}
	}
	return Step{Verdict: VerdictProblem, Cause: CauseNetworkFailed}
}

// notAPICause names what answered in the auth API's place. A captive
// portal is named only where one can answer: not on this computer, and
// not for what a server or its proxy sends when the address, the port or
// the scheme is wrong (a 404 for another base path, a proxy's 502, 503 or
// 504, another API's JSON, a redirect to another scheme or path of the
// same host).
func (r *run) notAPICause(e *authapi.NotAPIError) Cause {
	mt, _, _ := mime.ParseMediaType(e.ContentType)
	sameHost := false
	if u, err := url.Parse(e.Location); err == nil && e.Location != "" {
		sameHost = strings.EqualFold(u.Hostname(), r.host)
	}
	switch {
	case r.loopback, sameHost,
		e.Status == http.StatusNotFound,
		e.Status == http.StatusBadGateway, e.Status == http.StatusServiceUnavailable, e.Status == http.StatusGatewayTimeout,
		mt == "application/json" || strings.HasSuffix(mt, "+json"):
		return CauseWrongServer
	}
	return CauseCaptivePortal
}

// TLSCause names the cause of a refused TLS connection.
func TLSCause(r authapi.TLSReason) Cause {
	switch r {
	case authapi.TLSUnknownAuthority:
		return CauseTLSUnknownAuthority
	case authapi.TLSExpired:
		return CauseTLSExpired
	case authapi.TLSWrongHost:
		return CauseTLSWrongHost
	}
	return CauseTLSFailed
}

func (r *run) status(ctx context.Context) Step {
	if p, ok := authapi.ProblemOf(r.stErr); ok {
		detail := map[string]string{"code": Clean(string(p.Code), 60), "status": strconv.Itoa(p.Status)}
		if d, ok := authapi.RetryAfter(r.stErr); ok {
			detail["retry_after"] = strconv.Itoa(int(d / time.Second))
		}
		switch p.Code {
		case authapi.CodeRateLimited:
			return Step{Verdict: VerdictWarning, Cause: CauseRateLimited, Detail: detail}
		case authapi.CodeOverloaded:
			return Step{Verdict: VerdictWarning, Cause: CauseOverloaded, Detail: detail}
		case authapi.CodeMaintenance:
			return maintenance(p.Message, p.MaintenanceUntil, detail)
		case authapi.CodeClientOutdated:
			return Step{Verdict: VerdictSkipped, Cause: CauseClientOutdated, Detail: detail}
		}
		return Step{Verdict: VerdictProblem, Cause: CauseServerError, Detail: detail}
	}
	switch r.st.Status {
	case authapi.StatusOK:
		return Step{Verdict: VerdictOK}
	case authapi.StatusDegraded:
		return Step{Verdict: VerdictWarning, Cause: CauseDegraded, Detail: map[string]string{"message": Clean(r.st.Message, 300)}}
	case authapi.StatusMaintenance:
		return maintenance(r.st.Message, r.st.MaintenanceUntil, map[string]string{})
	}
	return Step{Verdict: VerdictWarning, Cause: CauseStatusUnknown,
		Detail: map[string]string{"server_status": Clean(r.st.Status, 40), "message": Clean(r.st.Message, 300)}}
}

func maintenance(message string, until *time.Time, detail map[string]string) Step {
	detail["message"] = Clean(message, 300)
	if until != nil {
		detail["until"] = until.UTC().Format(time.RFC3339)
	}
	return Step{Verdict: VerdictProblem, Cause: CauseMaintenance, Detail: detail}
}

func (r *run) version(ctx context.Context) Step {
	detail := map[string]string{"version": Clean(r.cfg.Version, 40)}
	if r.badVer {
		return Step{Verdict: VerdictWarning, Cause: CauseVersionUnknown, Detail: detail}
	}
	app, _ := authapi.ParseVersion(r.cfg.Version)
	if p := r.outdated; p != nil {
		detail["min_version"], detail["download_url"] = Clean(p.MinVersion, 40), downloadURL(p.DownloadURL)
		return Step{Verdict: VerdictProblem, Cause: CauseClientOutdated, Detail: detail}
	}
	detail["min_version"], detail["latest_version"] = Clean(r.st.MinClientVersion, 40), Clean(r.st.LatestClientVersion, 40)
	detail["download_url"] = downloadURL(r.st.DownloadURL)
	minV, err := authapi.ParseVersion(r.st.MinClientVersion)
	if err != nil {
		return Step{Verdict: VerdictWarning, Cause: CauseVersionUnknown, Detail: detail}
	}
	if authapi.CompareVersions(app, minV) < 0 {
		return Step{Verdict: VerdictProblem, Cause: CauseClientOutdated, Detail: detail}
	}
	if latest, err := authapi.ParseVersion(r.st.LatestClientVersion); err == nil {
		if authapi.CompareVersions(app, latest) < 0 {
			return Step{Verdict: VerdictWarning, Cause: CauseUpdateAvailable, Detail: detail}
		}
	} else {
		delete(detail, "latest_version")
	}
	return Step{Verdict: VerdictOK, Detail: detail}
}

// downloadURL keeps an http(s) link without user info, or "".
func downloadURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || len(s) > 300 {
		return ""
	}
	return u.String()
}

// clock compares this computer's clock with the server's. An offset past
// ClockSkewLimit blocks when two-factor codes would fail (the account
// uses two-factor, or it is not known), else it is a warning; an offset
// of whole hours is named as a time-zone or dual-boot clock.
func (r *run) clock(ctx context.Context) Step {
	detail := map[string]string{"offset": signed(r.offset), "offset_seconds": strconv.Itoa(int(r.offset / time.Second)),
		"two_factor": twoFactorNames[r.cfg.TwoFactor]}
	if r.st != nil && !r.st.ServerTime.IsZero() {
		// The time the server puts in its answer, a cross-check of Date.
		detail["server_time_offset"] = signed(r.st.ServerTime.Sub(r.stAt).Round(time.Second))
	}
	if r.offset <= ClockSkewLimit && r.offset >= -ClockSkewLimit {
		return Step{Verdict: VerdictOK, Detail: detail}
	}
	s := Step{Verdict: VerdictProblem, Cause: CauseClockSkew, Detail: detail}
	if r.cfg.TwoFactor == TwoFactorOff {
		s.Verdict = VerdictWarning
	}
	if h := r.offset.Round(time.Hour); h != 0 && (r.offset-h).Abs() <= zoneSlack {
		s.Cause, detail["hours"] = CauseClockTimeZone, fmt.Sprintf("%+d", int(h/time.Hour))
	}
	return s
}

// signed writes d with its sign: "+2m0s", "-45s", "+0s".
func signed(d time.Duration) string {
	if d < 0 {
		return d.String()
	}
	return "+" + d.String()
}

// KeychainCause names a keychain failure of this system.
func KeychainCause(err error) Cause { return KeychainCauseOn(runtime.GOOS, err) }

// KeychainCauseOn names a keychain failure on the system goos; a reason
// the system's table lacks is its ReasonOther's.
func KeychainCauseOn(goos string, err error) Cause {
	table, ok := keychainCauses[goos]
	if !ok {
		table = keychainCauses[""]
	}
	var ue *keystore.UnavailableError
	if errors.As(err, &ue) {
		if c, ok := table[ue.Reason]; ok {
			return c
		}
	}
	return table[keystore.ReasonOther]
}

// keychainCauses names the keychain's reasons on each system ("" for the
// Secret Service of Linux and the BSDs); Windows' Credential Manager has
// causes of its own, whose fixes speak of it.
var keychainCauses = map[string]map[keystore.Reason]Cause{
	"": {
		keystore.ReasonOther:        CauseKeychainFailed,
		keystore.ReasonNoSessionBus: CauseKeychainNoBus,
		keystore.ReasonNoProvider:   CauseKeychainNoProvider,
		keystore.ReasonNoKeyring:    CauseKeychainNoKeyring,
		keystore.ReasonLocked:       CauseKeychainLocked,
		keystore.ReasonTimedOut:     CauseKeychainTimeout,
	},
	"windows": {
		keystore.ReasonOther:          CauseCredentialManagerFailed,
		keystore.ReasonNoLogonSession: CauseCredentialManagerNoSession,
	},
}

// keychainStep reports the keychain's failures as warnings: only
// "remember me" needs it. Detail "platform" selects the fix's text.
func (r *run) keychainStep(ctx context.Context) Step {
	var err error
	select {
	case err = <-r.keychain:
	case <-ctx.Done():
		err = &keystore.UnavailableError{Reason: keystore.ReasonTimedOut}
	}
	switch {
	case err == nil:
		return Step{Verdict: VerdictOK}
	case errors.Is(err, context.Canceled):
		return Step{Verdict: VerdictSkipped, Cause: CauseCanceled}
	}
	return Step{Verdict: VerdictWarning, Cause: KeychainCause(err), Detail: map[string]string{"platform": runtime.GOOS}}
}

func (r *run) latency(ctx context.Context) Step {
	var samples []time.Duration
	for range latencySamples {
		start := time.Now()
		_, err := r.client.Status(ctx)
		if _, ok := authapi.ProblemOf(err); err != nil && !ok {
			break
		}
		samples = append(samples, time.Since(start))
	}
	if len(samples) == 0 {
		return Step{Verdict: VerdictWarning, Cause: CauseTimeout, Detail: map[string]string{"limit": r.cfg.StepTimeout.String()}}
	}
	slices.Sort(samples)
	med := samples[len(samples)/2]
	detail := map[string]string{"median_ms": strconv.FormatInt(med.Milliseconds(), 10)}
	if med > SlowLatency {
		return Step{Verdict: VerdictWarning, Cause: CauseSlow, Detail: detail}
	}
	return Step{Verdict: VerdictOK, Detail: detail}
}

// Clean keeps the printable characters of s, up to n bytes.
func Clean(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}
		if unicode.IsSpace(r) {
			return ' '
		}
		return -1
	}, s)
	s = strings.TrimSpace(s)
	if len(s) > n {
		s = strings.ToValidUTF8(s[:n], "")
	}
	return s
}

// osName names the system: GOOS/GOARCH, the distribution from
// /etc/os-release and the kernel release, when readable.
func osName() string {
	parts := []string{runtime.GOOS + "/" + runtime.GOARCH}
	if b, err := os.ReadFile("/etc/os-release"); err == nil {
		for line := range strings.Lines(string(b)) {
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), "PRETTY_NAME="); ok {
				if u, err := strconv.Unquote(v); err == nil {
					v = u
				}
				if v = Clean(strings.Trim(v, `'"`), 80); v != "" {
					parts = append(parts, v)
				}
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		if v := Clean(string(b), 60); v != "" {
			parts = append(parts, "kernel "+v)
		}
	}
	return strings.Join(parts, ", ")
}
