package authapi

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/url"
	"strconv"
	"syscall"
	"time"
)

// Transport failures. Each typed error below matches its sentinel with
// errors.Is, so the UI can branch on the cause without parsing strings.
var (
	// ErrOffline reports that the server cannot be reached: connection
	// refused, network down or unreachable, no route to the host.
	ErrOffline = errors.New("authapi: the server cannot be reached")
	// ErrDNS reports a server name that does not resolve.
	ErrDNS = errors.New("authapi: the server name does not resolve")
	// ErrTimeout reports a call that ran past its deadline.
	ErrTimeout = errors.New("authapi: the server did not answer in time")
	// ErrTLS reports a certificate or TLS handshake that was refused.
	ErrTLS = errors.New("authapi: the server's certificate is not trusted")
	// ErrNotAPI reports an answer that does not come from the auth API: a
	// captive portal, a proxy's page, a redirect, a body of another shape.
	ErrNotAPI = errors.New("authapi: the answer does not come from the auth API")
	// ErrInsecureRedirect reports a redirect from https to plain http.
	ErrInsecureRedirect = errors.New("authapi: the server redirected to plain http")
	// ErrNetwork reports any other failure of the connection.
	ErrNetwork = errors.New("authapi: the connection failed")
	// ErrNoSession reports a call that needs tokens while the client holds none.
	ErrNoSession = errors.New("authapi: no session is held; sign in first")
	// ErrInvalidBaseURL reports a base URL that is not https://host[:port][/path].
	ErrInvalidBaseURL = errors.New("authapi: the server address must be https://host or http://loopback")
	// ErrPlainHTTP reports an http:// base URL whose host is not loopback.
	ErrPlainHTTP = errors.New("authapi: plain http is allowed only for loopback addresses; use https")
	// ErrInsecureTransport: the HTTP client given skips certificate checks.
	ErrInsecureTransport = errors.New("authapi: the HTTP client skips certificate checks")
)

// OfflineError reports that Host could not be reached.
type OfflineError struct {
	Host string
	Err  error // the cause, for diagnostics
}

func (e *OfflineError) Error() string {
	return "authapi: cannot reach " + e.Host + ": connection refused or network unreachable"
}
func (e *OfflineError) Is(target error) bool { return target == ErrOffline }
func (e *OfflineError) Unwrap() error        { return e.Err }

// DNSError reports that Host does not resolve.
type DNSError struct {
	Host string
	Err  error
}

func (e *DNSError) Error() string        { return "authapi: the name " + e.Host + " does not resolve" }
func (e *DNSError) Is(target error) bool { return target == ErrDNS }
func (e *DNSError) Unwrap() error        { return e.Err }

// TimeoutError reports that Host did not answer before the call's deadline.
type TimeoutError struct {
	Host string
	Err  error
}

func (e *TimeoutError) Error() string        { return "authapi: " + e.Host + " did not answer in time" }
func (e *TimeoutError) Is(target error) bool { return target == ErrTimeout }
func (e *TimeoutError) Unwrap() error        { return e.Err }

// TLSReason names why a TLS connection was refused.
type TLSReason string

// TLS failure reasons.
const (
	// TLSUnknownAuthority: the certificate is signed by an authority this
	// computer does not trust (self-signed, or a network intercepting TLS).
	TLSUnknownAuthority TLSReason = "unknown_authority"
	// TLSExpired: the certificate is expired or not yet valid (check the clock).
	TLSExpired TLSReason = "expired"
	// TLSWrongHost: the certificate is for another name.
	TLSWrongHost TLSReason = "wrong_host"
	// TLSOther: any other handshake or certificate failure.
	TLSOther TLSReason = "other"
)

// TLSError reports a refused TLS connection to Host. The client never
// skips verification: every TLSError ends the call.
type TLSError struct {
	Reason TLSReason
	Host   string
	Err    error
}

func (e *TLSError) Error() string {
	return "authapi: TLS connection to " + e.Host + " refused: " + string(e.Reason)
}
func (e *TLSError) Is(target error) bool { return target == ErrTLS }
func (e *TLSError) Unwrap() error        { return e.Err }

// NotAPIError reports an answer that is not the auth API's: Status and
// ContentType of the answer, and Location (scheme and host only) when it was
// a redirect.
type NotAPIError struct {
	Status      int
	ContentType string
	Location    string
}

func (e *NotAPIError) Error() string {
	s := "authapi: the answer (" + strconv.Itoa(e.Status)
	if e.ContentType != "" {
		s += ", " + e.ContentType
	}
	if e.Location != "" {
		s += ", redirect to " + e.Location
	}
	return s + ") does not come from the auth API"
}
func (e *NotAPIError) Is(target error) bool { return target == ErrNotAPI }

// InsecureRedirectError reports a redirect from https to Location (scheme and
// host only) over plain http. It is never followed.
type InsecureRedirectError struct {
	Location string
}

func (e *InsecureRedirectError) Error() string {
	return "authapi: refused a redirect to plain " + e.Location
}
func (e *InsecureRedirectError) Is(target error) bool { return target == ErrInsecureRedirect }

// NetworkError reports a connection to Host that failed for another cause
// (reset, closed mid-answer, malformed HTTP).
type NetworkError struct {
	Host string
	Err  error
}

func (e *NetworkError) Error() string        { return "authapi: the connection to " + e.Host + " failed" }
func (e *NetworkError) Is(target error) bool { return target == ErrNetwork }
func (e *NetworkError) Unwrap() error        { return e.Err }

// ProblemOf returns the API problem in err's chain.
func ProblemOf(err error) (*Problem, bool) {
	var p *Problem
	ok := errors.As(err, &p)
	return p, ok
}

// RetryAfter returns how long the server asked to wait before trying again,
// from the problem's retry_after_seconds or, failing that, the answer's
// Retry-After header (the client copies the header into the problem).
func RetryAfter(err error) (time.Duration, bool) {
	p, ok := ProblemOf(err)
	if !ok || p.RetryAfterSeconds == nil || *p.RetryAfterSeconds < 0 {
		return 0, false
	}
	return time.Duration(*p.RetryAfterSeconds) * time.Second, true
}

// transportError names the cause of a failed exchange with host. A call
// whose ctx the caller cancelled returns ctx.Err() unchanged; one that ran
// past its deadline (the caller's or the client's) is a TimeoutError.
func transportError(caller, ctx context.Context, host string, err error) error {
	if errors.Is(caller.Err(), context.Canceled) {
		return caller.Err()
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // the URL may carry a query; keep only the cause
	}
	if ctx.Err() != nil {
		return &TimeoutError{Host: host, Err: err}
	}
	var (
		unknown  x509.UnknownAuthorityError
		invalid  x509.CertificateInvalidError
		hostname x509.HostnameError
		verify   *tls.CertificateVerificationError
		record   tls.RecordHeaderError
		alert    tls.AlertError
		dns      *net.DNSError
		op       *net.OpError
		nerr     net.Error
	)
	switch {
	case errors.As(err, &unknown):
		return &TLSError{Reason: TLSUnknownAuthority, Host: host, Err: err}
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		// x509.Expired covers "expired" and "not yet valid".
		return &TLSError{Reason: TLSExpired, Host: host, Err: err}
	case errors.As(err, &hostname):
		return &TLSError{Reason: TLSWrongHost, Host: host, Err: err}
	case errors.As(err, &invalid), errors.As(err, &verify), errors.As(err, &record), errors.As(err, &alert):
		return &TLSError{Reason: TLSOther, Host: host, Err: err}
	case errors.As(err, &dns):
		return &DNSError{Host: host, Err: err}
	case errors.As(err, &nerr) && nerr.Timeout():
		return &TimeoutError{Host: host, Err: err}
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ENETUNREACH),
		errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETDOWN),
		errors.As(err, &op) && op.Op == "dial":
		return &OfflineError{Host: host, Err: err}
	}
	return &NetworkError{Host: host, Err: err}
}
