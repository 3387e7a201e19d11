package mail

import (
	"errors"
	"fmt"
)

// Configuration errors of [NewSMTP]. They never repeat the URL, which may
// hold the SMTP password.
var (
	// ErrInvalidURL: the mail URL does not parse, or has a path, query or
	// fragment.
	ErrInvalidURL = errors.New("mail URL is not valid (want smtp://user:password@host:port or smtps://…)")
	// ErrUnknownScheme: the scheme is neither smtp nor smtps.
	ErrUnknownScheme = errors.New("mail URL scheme must be smtp (STARTTLS) or smtps (implicit TLS)")
	// ErrMissingHost: the mail URL names no host.
	ErrMissingHost = errors.New("mail URL names no host")
	// ErrInvalidHost: the host is neither a name nor an IP address.
	ErrInvalidHost = errors.New("mail URL host is not a valid name or IP address")
	// ErrInvalidPort: the port is not in 1–65535.
	ErrInvalidPort = errors.New("mail URL port must be in 1-65535")
	// ErrInvalidFrom: the sender address does not parse.
	ErrInvalidFrom = errors.New("mail sender address is not valid")
	// ErrInsecureTLS: the TLS configuration skips certificate verification.
	ErrInsecureTLS = errors.New("mail TLS configuration must verify certificates (InsecureSkipVerify is not allowed)")
)

// Delivery errors of [SMTP.Send].
var (
	// ErrInvalidRecipient: the message's To does not parse as an address.
	ErrInvalidRecipient = errors.New("mail recipient address is not valid")
	// ErrConnect: the mail server could not be reached or did not greet.
	ErrConnect = errors.New("cannot connect to the mail server")
	// ErrSTARTTLSRequired: the mail server does not offer STARTTLS, so
	// nothing was sent, credentials included.
	ErrSTARTTLSRequired = errors.New("mail server does not offer STARTTLS")
	// ErrTLS: the TLS handshake failed, for example on a certificate the
	// client does not trust.
	ErrTLS = errors.New("TLS with the mail server failed")
	// ErrAuthUnsupported: the mail server offers neither AUTH PLAIN nor
	// AUTH LOGIN.
	ErrAuthUnsupported = errors.New("mail server offers no supported AUTH mechanism (PLAIN, LOGIN)")
	// ErrAuth: the mail server refused the credentials.
	ErrAuth = errors.New("mail server refused the credentials")
	// ErrRejected: the mail server refused the message; see [RejectedError].
	ErrRejected = errors.New("mail server refused the message")
)

// RejectedError tells which step of the transaction the mail server
// refused, and whether a later retry may succeed.
type RejectedError struct {
	// Step is the refused step, such as "SMTP RCPT TO failed".
	Step string
	// Code is the server's reply code (0 when the failure was local).
	Code int
	// Enhanced is the RFC 3463 status code, when the server sends one.
	Enhanced string
	// Temporary reports a 4xx reply.
	Temporary bool
}

func (e *RejectedError) Error() string {
	s := fmt.Sprintf("%v: %s", ErrRejected, e.Step)
	if e.Code != 0 {
		s += fmt.Sprintf(" (reply %d", e.Code)
		if e.Enhanced != "" {
			s += " " + e.Enhanced
		}
		s += ")"
	}
	if e.Temporary {
		s += ", temporary"
	}
	return s
}

// Is makes errors.Is(err, ErrRejected) true.
func (e *RejectedError) Is(target error) bool { return target == ErrRejected }
