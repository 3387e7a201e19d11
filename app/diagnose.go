package app

// The connection check of the "Can't sign in?" screen: [Diagnose] runs its
// steps against the configured server and [Doctor] prints them in a
// terminal.

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
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

// Verdict is the outcome of one step of the connection check.
type Verdict int

// The verdicts, from good to not run.
const (
	VerdictOK Verdict = iota
	VerdictWarning
	VerdictProblem
	VerdictSkipped
)

var verdictNames = [...]string{"ok", "warning", "problem", "skipped"}

func (v Verdict) String() string {
	if v >= 0 && int(v) < len(verdictNames) {
		return verdictNames[v]
	}
	return "Verdict(" + strconv.Itoa(int(v)) + ")"
}

// MarshalText writes the verdict's name, for JSON.
func (v Verdict) MarshalText() ([]byte, error) {
	if v < 0 || int(v) >= len(verdictNames) {
		return nil, fmt.Errorf("app: no such verdict %d", int(v))
	}
	return []byte(v.String()), nil
}

// UnmarshalText reads a verdict's name.
func (v *Verdict) UnmarshalText(b []byte) error {
	i := slices.Index(verdictNames[:], string(b))
	if i < 0 {
		return fmt.Errorf("app: no such verdict %q", b)
	}
	*v = Verdict(i)
	return nil
}

// StepID names a step of the connection check.
type StepID string

// The steps, in the order Diagnose runs them.
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

// StepIDs lists the steps in the order Diagnose runs them.
var StepIDs = []StepID{StepNetwork, StepDNS, StepTCP, StepTLS, StepPortal, StepStatus,
	StepVersion, StepClock, StepKeychain, StepLatency}

// Causes: the stable codes of Step.Cause. The screens translate them
// (see [Step.Keys]); Doctor prints [Step.Text].
const (
	CauseOffline             = "offline"               // no network interface is up, or the route is gone
	CauseNetworkUnknown      = "network_unknown"       // the interfaces could not be read
	CauseInvalidServer       = "invalid_server"        // the server address is not a URL the client takes
	CausePlainHTTP           = "plain_http"            // http:// for a host that is not loopback
	CauseDNSFailed           = "dns_failed"            // the host does not resolve
	CauseTimeout             = "timeout"               // no answer within the step's limit
	CauseConnectionRefused   = "connection_refused"    // nothing listens on the port
	CauseUnreachable         = "unreachable"           // no route to the host
	CauseConnectFailed       = "connect_failed"        // any other connect failure
	CauseTLSUnknownAuthority = "tls_unknown_authority" // signed by an authority this computer does not trust
	CauseTLSExpired          = "tls_expired"           // the certificate has expired
	CauseTLSNotYetValid      = "tls_not_yet_valid"     // the certificate is not valid yet
	CauseTLSWrongHost        = "tls_wrong_host"        // the certificate is for another name
	CauseTLSFailed           = "tls_failed"            // any other handshake failure
	CausePlainHTTPLoopback   = "plain_http_loopback"   // no TLS to check: plain HTTP on this computer
	CauseCaptivePortal       = "captive_portal"        // something else answers: a portal, a proxy
	CauseInsecureRedirect    = "insecure_redirect"     // a redirect from https to plain http
	CauseNetworkFailed       = "network_failed"        // the connection broke before the answer
	CauseDegraded            = "degraded"              // the server works with problems
	CauseMaintenance         = "maintenance"           // the server is in maintenance
	CauseRateLimited         = "rate_limited"          // the server asks to wait
	CauseOverloaded          = "overloaded"            // the server is busy
	CauseServerError         = "server_error"          // the server answered another problem
	CauseStatusUnknown       = "status_unknown"        // a status this app does not know
	CauseClientOutdated      = "client_outdated"       // this app is below the server's minimum
	CauseUpdateAvailable     = "update_available"      // this app is below the latest version
	CauseVersionUnknown      = "version_unknown"       // a version is not MAJOR.MINOR.PATCH
	CauseClockSkew           = "clock_skew"            // the clock is over ClockSkewLimit off
	CauseKeychainNoBus       = "keychain_no_session_bus"
	CauseKeychainNoProvider  = "keychain_no_provider"
	CauseKeychainNoKeyring   = "keychain_no_keyring"
	CauseKeychainLocked      = "keychain_locked"
	CauseKeychainTimeout     = "keychain_timeout"
	CauseKeychainFailed      = "keychain_failed"
	// Windows' Credential Manager: an error, or no logon session.
	CauseCredentialManagerFailed    = "credential_manager_failed"
	CauseCredentialManagerNoSession = "credential_manager_no_session"
	CauseSlow                       = "slow"     // the median round trip is over SlowLatency
	CauseNotRun                     = "not_run"  // skipped: an earlier step failed
	CauseCanceled                   = "canceled" // skipped: the caller stopped the check
)

// Causes lists every cause, for the translation tests of the screens.
var Causes = []string{CauseOffline, CauseNetworkUnknown, CauseInvalidServer, CausePlainHTTP,
	CauseDNSFailed, CauseTimeout, CauseConnectionRefused, CauseUnreachable, CauseConnectFailed,
	CauseTLSUnknownAuthority, CauseTLSExpired, CauseTLSNotYetValid, CauseTLSWrongHost, CauseTLSFailed,
	CausePlainHTTPLoopback, CauseCaptivePortal, CauseInsecureRedirect, CauseNetworkFailed,
	CauseDegraded, CauseMaintenance, CauseRateLimited, CauseOverloaded, CauseServerError,
	CauseStatusUnknown, CauseClientOutdated, CauseUpdateAvailable, CauseVersionUnknown,
	CauseClockSkew, CauseKeychainNoBus, CauseKeychainNoProvider, CauseKeychainNoKeyring,
	CauseKeychainLocked, CauseKeychainTimeout, CauseKeychainFailed, CauseCredentialManagerFailed,
	CauseCredentialManagerNoSession, CauseSlow, CauseNotRun,
	CauseCanceled}

// Step is the result of one step of the connection check. Its Figure and
// Detail hold measurements and the server's own words, never a secret.
type Step struct {
	ID      StepID  `json:"id"`
	Verdict Verdict `json:"verdict"`
	// Cause is one of the Cause constants; "" for a step that went well.
	Cause string `json:"cause,omitempty"`
	// Figure is what was measured, for display as is: "127.0.0.1",
	// "42 ms", "+2m0s", "maintenance until 2026-05-01 22:00 UTC".
	Figure string `json:"figure,omitempty"`
	// Detail holds the values a translated fix needs, by key: host,
	// address, issuer, names, not_after, not_before (RFC 3339), status,
	// content_type, location, message, until (RFC 3339), retry_after
	// (seconds), code, version, min_version, latest_version, download_url,
	// offset (a Go duration), offset_seconds, server_time_offset, limit,
	// median_ms.
	Detail map[string]string `json:"detail,omitempty"`
}

// Blocks reports whether the step found a problem that stops signing in.
// A keychain problem does not: signing in works without "remember me".
func (s Step) Blocks() bool {
	return s.Verdict == VerdictProblem && s.ID != StepKeychain && s.ID != StepClock && s.ID != StepLatency
}

// Keys returns the translation keys of the step's title and fix:
// "diag.ok.<id>" for a step that went well, else "diag.cause.<cause>" and
// "diag.fix.<cause>". The texts take the values of Detail as parameters.
func (s Step) Keys() (title, fix string) {
	if s.Cause == "" {
		return "diag.ok." + string(s.ID), ""
	}
	return "diag.cause." + s.Cause, "diag.fix." + s.Cause
}

// Diagnosis is the result of the connection check.
type Diagnosis struct {
	Server     string // the base URL checked
	Started    time.Time
	Steps      []Step // in the order of StepIDs
	AppVersion string
	OS         string // GOOS/GOARCH, the distribution and the kernel when known
}

// Blocking reports whether a step found a problem that stops signing in.
func (d Diagnosis) Blocking() bool {
	return slices.ContainsFunc(d.Steps, Step.Blocks)
}

// Step returns the step id of d.
func (d Diagnosis) Step(id StepID) (Step, bool) {
	i := slices.IndexFunc(d.Steps, func(s Step) bool { return s.ID == id })
	if i < 0 {
		return Step{}, false
	}
	return d.Steps[i], true
}

// Connection check limits.
const (
	// DefaultStepTimeout bounds each step; the whole check is bounded by
	// five times the step limit.
	DefaultStepTimeout = 2 * time.Second
	// SlowLatency is the median round trip past which latency is a warning.
	SlowLatency = time.Second
	// latencySamples is how many GET /v1/status round trips are timed.
	latencySamples = 3
)

// DiagnoseConfig is what the connection check runs against.
type DiagnoseConfig struct {
	// Server is the auth server's base URL.
	Server string
	// Version is this app's version, sent and compared with the server's.
	Version string
	// HTTPClient, when set, carries the API calls, and its transport's
	// RootCAs (if any) verify the TLS step.
	HTTPClient *http.Client
	// Keychain is checked with a probe item.
	Keychain keystore.Keychain
	// Resolver resolves the host for the DNS and connection steps; nil
	// means net.DefaultResolver.
	Resolver *net.Resolver
	// StepTimeout bounds each step; zero means DefaultStepTimeout.
	StepTimeout time.Duration
}

// Diagnose runs the connection check: network, DNS, TCP, TLS, portal,
// status, version, clock, keychain and latency, in this order, calling
// progress (if not nil) after each, on the caller's goroutine. Each step
// has its own time limit and the whole check at most five of them; a step
// that cannot run after a blocking problem is VerdictSkipped with
// CauseNotRun, and the steps left when ctx ends are VerdictSkipped with
// CauseCanceled.
func Diagnose(ctx context.Context, cfg DiagnoseConfig, progress func(Step)) Diagnosis {
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
	if kc.Timeout <= 0 || kc.Timeout > cfg.StepTimeout {
		kc.Timeout = cfg.StepTimeout
	}
	keychainDone := make(chan error, 1)
	go func() { keychainDone <- kc.Check(ctx) }()
	r.keychain = keychainDone

	steps := []func(context.Context) Step{r.network, r.dns, r.tcp, r.tls, r.portal, r.status,
		r.version, r.clock, r.keychainStep, r.latency}
	for i, id := range StepIDs {
		var s Step
		switch {
		case parent.Err() != nil:
			s = Step{Verdict: VerdictSkipped, Cause: CauseCanceled}
		case ctx.Err() != nil:
			s = Step{Verdict: VerdictSkipped, Cause: CauseTimeout}
		case !r.ready(id):
			s = Step{Verdict: VerdictSkipped, Cause: CauseNotRun}
		default:
			sctx, scancel := context.WithTimeout(ctx, cfg.StepTimeout)
			s = steps[i](sctx)
			scancel()
			if s.Verdict != VerdictSkipped && parent.Err() != nil {
				s = Step{Verdict: VerdictSkipped, Cause: CauseCanceled}
			}
		}
		s.ID = id
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
	cfg       DiagnoseConfig
	badURL    string // a Cause when the server address is refused
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

func newRun(cfg DiagnoseConfig) *run {
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
		r.loopback = isLoopback(r.host)
	}
	if r.badURL != "" {
		// Loopback is still told apart, so the network step says the truth.
		if u, err := url.Parse(strings.TrimSpace(cfg.Server)); err == nil {
			r.loopback = isLoopback(u.Hostname())
		}
	}
	return r
}

// ready reports whether step id can run after the steps before it.
func (r *run) ready(id StepID) bool {
	switch id {
	case StepNetwork, StepKeychain:
		return true
	case StepDNS:
		return !r.blocked || r.badURL != ""
	case StepTCP, StepTLS, StepPortal:
		return !r.blocked
	case StepStatus, StepLatency:
		return r.answered
	case StepVersion:
		return r.st != nil || r.outdated != nil || (r.answered && r.badVer)
	case StepClock:
		return r.hasOffset
	}
	return false
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (r *run) network(ctx context.Context) Step {
	if r.loopback {
		return Step{Verdict: VerdictOK, Figure: "loopback"}
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
	return Step{Verdict: VerdictOK, Figure: strings.Join(up, ", ")}
}

func (r *run) dns(ctx context.Context) Step {
	if r.badURL != "" {
		return Step{Verdict: VerdictProblem, Cause: r.badURL}
	}
	detail := map[string]string{"host": r.host}
	if ip := net.ParseIP(r.host); ip != nil {
		detail["address"] = ip.String()
		return Step{Verdict: VerdictOK, Figure: ip.String(), Detail: detail}
	}
	addrs, err := r.resolver.LookupHost(ctx, r.host)
	if err != nil {
		var de *net.DNSError
		if ctx.Err() != nil || (errors.As(err, &de) && de.IsTimeout) {
			detail["limit"] = r.cfg.StepTimeout.String()
			return Step{Verdict: VerdictProblem, Cause: CauseTimeout, Figure: r.host, Detail: detail}
		}
		return Step{Verdict: VerdictProblem, Cause: CauseDNSFailed, Figure: r.host, Detail: detail}
	}
	detail["address"] = addrs[0]
	fig := addrs[0]
	if len(addrs) > 1 {
		fig += fmt.Sprintf(" (+%d)", len(addrs)-1)
	}
	return Step{Verdict: VerdictOK, Figure: fig, Detail: detail}
}

func (r *run) tcp(ctx context.Context) Step {
	d := net.Dialer{Resolver: r.cfg.Resolver}
	start := time.Now()
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(r.host, r.port))
	took := time.Since(start)
	detail := map[string]string{"host": r.host, "address": net.JoinHostPort(r.host, r.port)}
	if err != nil {
		return Step{Verdict: VerdictProblem, Cause: dialCause(ctx, err), Figure: detail["address"], Detail: detail}
	}
	detail["address"] = conn.RemoteAddr().String()
	conn.Close()
	return Step{Verdict: VerdictOK, Figure: millis(took) + " (" + detail["address"] + ")", Detail: detail}
}

// dialCause names why a connection could not be opened.
func dialCause(ctx context.Context, err error) string {
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
		return Step{Verdict: VerdictSkipped, Cause: CausePlainHTTPLoopback, Figure: "plain HTTP on this computer"}
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
			s.Figure = "no handshake in " + detail["limit"]
		}
		return s
	}
	defer conn.Close()
	state := conn.(*tls.Conn).ConnectionState()
	leaf := state.PeerCertificates[0]
	detail["issuer"] = issuer(leaf)
	detail["not_after"] = leaf.NotAfter.UTC().Format(time.RFC3339)
	return Step{Verdict: VerdictOK, Detail: detail,
		Figure: tls.VersionName(state.Version) + ", issued by " + detail["issuer"] + ", valid until " + day(leaf.NotAfter)}
}

// tlsFailure classifies a refused handshake, with the figures of the
// certificate that was presented.
func tlsFailure(ctx context.Context, err error, detail map[string]string) Step {
	var (
		unknown  x509.UnknownAuthorityError
		invalid  x509.CertificateInvalidError
		hostname x509.HostnameError
		ne       net.Error
	)
	s := Step{Verdict: VerdictProblem, Detail: detail}
	switch {
	case errors.As(err, &unknown) && unknown.Cert != nil:
		s.Cause, detail["issuer"] = CauseTLSUnknownAuthority, issuer(unknown.Cert)
		s.Figure = "issued by " + detail["issuer"]
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired && invalid.Cert != nil:
		detail["issuer"] = issuer(invalid.Cert)
		if time.Now().Before(invalid.Cert.NotBefore) {
			s.Cause, detail["not_before"] = CauseTLSNotYetValid, invalid.Cert.NotBefore.UTC().Format(time.RFC3339)
			s.Figure = "valid from " + day(invalid.Cert.NotBefore)
		} else {
			s.Cause, detail["not_after"] = CauseTLSExpired, invalid.Cert.NotAfter.UTC().Format(time.RFC3339)
			s.Figure = "expired " + day(invalid.Cert.NotAfter)
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
		s.Cause, detail["names"], detail["issuer"] = CauseTLSWrongHost, strings.Join(names, ", "), issuer(c)
		s.Figure = "certificate for " + detail["names"]
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
	n = clean(n, 80)
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
		return Step{Verdict: VerdictOK, Figure: fmt.Sprintf("HTTP %d in %s", status, millis(r.stAt.Sub(start)))}
	}
	detail := map[string]string{}
	var (
		notAPI   *authapi.NotAPIError
		redirect *authapi.InsecureRedirectError
		tlsErr   *authapi.TLSError
	)
	switch {
	case errors.As(err, &notAPI):
		detail["status"], detail["content_type"] = strconv.Itoa(notAPI.Status), clean(notAPI.ContentType, 100)
		fig := "HTTP " + detail["status"]
		if notAPI.ContentType != "" {
			fig += " " + detail["content_type"]
		}
		if notAPI.Location != "" {
			detail["location"] = notAPI.Location
			fig += ", redirect to " + notAPI.Location
		}
		return Step{Verdict: VerdictProblem, Cause: CauseCaptivePortal, Figure: fig, Detail: detail}
	case errors.As(err, &redirect):
		detail["location"] = redirect.Location
		return Step{Verdict: VerdictProblem, Cause: CauseInsecureRedirect, Figure: "redirect to " + redirect.Location, Detail: detail}
	case errors.Is(err, authapi.ErrTimeout):
		detail["limit"] = r.cfg.StepTimeout.String()
		return Step{Verdict: VerdictProblem, Cause: CauseTimeout, Figure: "no answer in " + r.cfg.StepTimeout.String(), Detail: detail}
	case errors.As(err, &tlsErr):
		return Step{Verdict: VerdictProblem, Cause: tlsCause(tlsErr.Reason)}
	case errors.Is(err, authapi.ErrDNS):
		return Step{Verdict: VerdictProblem, Cause: CauseDNSFailed}
	case errors.Is(err, authapi.ErrOffline):
		return Step{Verdict: VerdictProblem, Cause: CauseOffline}
	case errors.Is(err, context.Canceled):
		return Step{Verdict: VerdictSkipped, Cause: CauseCanceled}
	}
	return Step{Verdict: VerdictProblem, Cause: CauseNetworkFailed}
}

func tlsCause(r authapi.TLSReason) string {
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
		detail := map[string]string{"code": string(p.Code), "status": strconv.Itoa(p.Status)}
		wait := ""
		if d, ok := authapi.RetryAfter(r.stErr); ok {
			detail["retry_after"] = strconv.Itoa(int(d / time.Second))
			wait = "wait " + d.String()
		}
		switch p.Code {
		case authapi.CodeRateLimited:
			return Step{Verdict: VerdictWarning, Cause: CauseRateLimited, Figure: join("rate limited", wait), Detail: detail}
		case authapi.CodeOverloaded:
			return Step{Verdict: VerdictWarning, Cause: CauseOverloaded, Figure: join("overloaded", wait), Detail: detail}
		case authapi.CodeMaintenance:
			return maintenance(p.Message, p.MaintenanceUntil, detail)
		case authapi.CodeClientOutdated:
			return Step{Verdict: VerdictSkipped, Cause: CauseClientOutdated, Figure: "HTTP " + detail["status"], Detail: detail}
		}
		return Step{Verdict: VerdictProblem, Cause: CauseServerError, Figure: "HTTP " + detail["status"] + " " + detail["code"], Detail: detail}
	}
	switch r.st.Status {
	case authapi.StatusOK:
		return Step{Verdict: VerdictOK, Figure: authapi.StatusOK}
	case authapi.StatusDegraded:
		return Step{Verdict: VerdictWarning, Cause: CauseDegraded, Figure: authapi.StatusDegraded,
			Detail: map[string]string{"message": clean(r.st.Message, 300)}}
	case authapi.StatusMaintenance:
		return maintenance(r.st.Message, r.st.MaintenanceUntil, map[string]string{})
	}
	return Step{Verdict: VerdictWarning, Cause: CauseStatusUnknown, Figure: clean(r.st.Status, 40),
		Detail: map[string]string{"message": clean(r.st.Message, 300)}}
}

func maintenance(message string, until *time.Time, detail map[string]string) Step {
	detail["message"] = clean(message, 300)
	fig := "maintenance"
	if until != nil {
		detail["until"] = until.UTC().Format(time.RFC3339)
		fig += " until " + until.UTC().Format("2006-01-02 15:04 UTC")
	}
	return Step{Verdict: VerdictProblem, Cause: CauseMaintenance, Figure: fig, Detail: detail}
}

func (r *run) version(ctx context.Context) Step {
	detail := map[string]string{"version": clean(r.cfg.Version, 40)}
	if r.badVer {
		return Step{Verdict: VerdictWarning, Cause: CauseVersionUnknown, Figure: detail["version"], Detail: detail}
	}
	app, _ := authapi.ParseVersion(r.cfg.Version)
	if p := r.outdated; p != nil {
		detail["min_version"], detail["download_url"] = clean(p.MinVersion, 40), downloadURL(p.DownloadURL)
		return Step{Verdict: VerdictProblem, Cause: CauseClientOutdated, Detail: detail,
			Figure: r.cfg.Version + ", minimum " + detail["min_version"]}
	}
	detail["min_version"], detail["latest_version"] = clean(r.st.MinClientVersion, 40), clean(r.st.LatestClientVersion, 40)
	detail["download_url"] = downloadURL(r.st.DownloadURL)
	minV, err := authapi.ParseVersion(r.st.MinClientVersion)
	if err != nil {
		return Step{Verdict: VerdictWarning, Cause: CauseVersionUnknown, Figure: r.cfg.Version, Detail: detail}
	}
	fig := r.cfg.Version + ", minimum " + detail["min_version"]
	if authapi.CompareVersions(app, minV) < 0 {
		return Step{Verdict: VerdictProblem, Cause: CauseClientOutdated, Figure: fig, Detail: detail}
	}
	if latest, err := authapi.ParseVersion(r.st.LatestClientVersion); err == nil {
		fig += ", latest " + detail["latest_version"]
		if authapi.CompareVersions(app, latest) < 0 {
			return Step{Verdict: VerdictWarning, Cause: CauseUpdateAvailable, Figure: fig, Detail: detail}
		}
	}
	return Step{Verdict: VerdictOK, Figure: fig, Detail: detail}
}

// downloadURL keeps an http(s) link without user info, or "".
func downloadURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || len(s) > 300 {
		return ""
	}
	return u.String()
}

func (r *run) clock(ctx context.Context) Step {
	detail := map[string]string{"offset": signed(r.offset), "offset_seconds": strconv.Itoa(int(r.offset / time.Second))}
	if r.st != nil && !r.st.ServerTime.IsZero() {
		// The time the server puts in its answer, a cross-check of Date.
		detail["server_time_offset"] = signed(r.st.ServerTime.Sub(r.stAt).Round(time.Second))
	}
	if r.offset > ClockSkewLimit || r.offset < -ClockSkewLimit {
		return Step{Verdict: VerdictWarning, Cause: CauseClockSkew, Figure: detail["offset"], Detail: detail}
	}
	return Step{Verdict: VerdictOK, Figure: detail["offset"], Detail: detail}
}

// signed writes d with its sign: "+2m0s", "-45s", "+0s".
func signed(d time.Duration) string {
	if d < 0 {
		return d.String()
	}
	return "+" + d.String()
}

func (r *run) keychainStep(ctx context.Context) Step {
	var err error
	select {
	case err = <-r.keychain:
	case <-ctx.Done():
		return Step{Verdict: VerdictProblem, Cause: keychainCause(keystore.ReasonTimedOut)}
	}
	var ue *keystore.UnavailableError
	switch {
	case err == nil:
		return Step{Verdict: VerdictOK, Figure: "available"}
	case errors.As(err, &ue):
		return Step{Verdict: VerdictProblem, Cause: keychainCause(ue.Reason), Figure: ue.Reason.String()}
	case errors.Is(err, context.Canceled):
		return Step{Verdict: VerdictSkipped, Cause: CauseCanceled}
	}
	return Step{Verdict: VerdictProblem, Cause: CauseKeychainFailed}
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
		return Step{Verdict: VerdictWarning, Cause: CauseTimeout, Figure: "no answer in " + r.cfg.StepTimeout.String(),
			Detail: map[string]string{"limit": r.cfg.StepTimeout.String()}}
	}
	slices.Sort(samples)
	med := samples[len(samples)/2]
	detail := map[string]string{"median_ms": strconv.FormatInt(med.Milliseconds(), 10)}
	if med > SlowLatency {
		return Step{Verdict: VerdictWarning, Cause: CauseSlow, Figure: millis(med), Detail: detail}
	}
	return Step{Verdict: VerdictOK, Figure: millis(med), Detail: detail}
}

func millis(d time.Duration) string {
	if d < time.Millisecond {
		return "<1 ms"
	}
	return strconv.FormatInt(d.Milliseconds(), 10) + " ms"
}

func day(t time.Time) string { return t.UTC().Format("2006-01-02") }

func join(a, b string) string {
	if b == "" {
		return a
	}
	return a + ", " + b
}

// clean keeps the printable characters of s, up to n bytes.
func clean(s string, n int) string {
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
				if v = clean(strings.Trim(v, `'"`), 80); v != "" {
					parts = append(parts, v)
				}
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		if v := clean(string(b), 60); v != "" {
			parts = append(parts, "kernel "+v)
		}
	}
	return strings.Join(parts, ", ")
}
