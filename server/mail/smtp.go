package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	netmail "net/mail"
	"net/netip"
	"net/textproto"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"
)

// Default ports and timeouts.
const (
	PortSTARTTLS    = 587
	PortImplicitTLS = 465
	// DefaultDialTimeout bounds the TCP connect and, for smtps, the TLS
	// handshake.
	DefaultDialTimeout = 10 * time.Second
	// ioTimeout bounds each later exchange with the server.
	ioTimeout = 30 * time.Second
)

// SMTP is a [Mailer] that delivers through a mail server. It always
// encrypts: smtp:// URLs must upgrade with STARTTLS, smtps:// URLs speak
// TLS from the first byte. Credentials are sent only after TLS is up.
type SMTP struct {
	host        string
	port        int
	implicitTLS bool
	user, pass  string
	from        *netmail.Address
	helo        string
	tlsConfig   *tls.Config
	dialTimeout time.Duration
	secrets     []string
	// sender writes the transaction (MAIL, RCPT, DATA) on a connection
	// this package has opened, secured and authenticated itself.
	sender *gomail.Client
}

// Option tunes an [SMTP].
type Option func(*SMTP)

// WithTLSConfig sets the TLS configuration, for example RootCAs that trust
// a private CA. ServerName defaults to the URL's host, and the minimum
// version is at least TLS 1.2. InsecureSkipVerify is refused by [NewSMTP].
func WithTLSConfig(c *tls.Config) Option {
	return func(s *SMTP) { s.tlsConfig = c.Clone() }
}

// WithDialTimeout bounds the TCP connect and, for smtps, the TLS handshake.
func WithDialTimeout(d time.Duration) Option {
	return func(s *SMTP) { s.dialTimeout = d }
}

// NewSMTP returns an SMTP that delivers through the server at rawURL,
// smtp://[user[:password]@]host[:port] (STARTTLS, port 587 by default) or
// smtps://… (implicit TLS, port 465 by default), as the sender from
// ("Sesame <no-reply@example.com>"). Percent-encode reserved characters
// of the user and password.
func NewSMTP(rawURL, from string, opts ...Option) (*SMTP, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url's own error repeats the URL, password included.
		return nil, ErrInvalidURL
	}
	s := &SMTP{dialTimeout: DefaultDialTimeout}
	switch strings.ToLower(u.Scheme) {
	case "smtp":
		s.port = PortSTARTTLS
	case "smtps":
		s.port, s.implicitTLS = PortImplicitTLS, true
	default:
		return nil, ErrUnknownScheme
	}
	if u.Opaque != "" || u.Hostname() == "" {
		return nil, ErrMissingHost
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return nil, ErrInvalidURL
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, ErrInvalidPort
		}
		s.port = n
	}
	s.host = u.Hostname()
	if !validHost(s.host) {
		return nil, ErrInvalidHost
	}
	if u.User != nil {
		s.user = u.User.Username()
		s.pass, _ = u.User.Password()
		if s.user == "" && s.pass != "" {
			return nil, ErrInvalidURL
		}
	}
	if s.pass != "" {
		s.secrets = []string{s.pass, url.QueryEscape(s.pass), url.PathEscape(s.pass), url.UserPassword("", s.pass).String()[1:]}
	}
	if s.from, err = netmail.ParseAddress(from); err != nil {
		return nil, ErrInvalidFrom
	}
	s.helo = "localhost"
	if h, err := os.Hostname(); err == nil && h != "" && !strings.ContainsAny(h, " \r\n") {
		s.helo = h
	}
	for _, o := range opts {
		o(s)
	}
	if s.tlsConfig == nil {
		s.tlsConfig = &tls.Config{}
	}
	if s.tlsConfig.InsecureSkipVerify {
		return nil, ErrInsecureTLS
	}
	if s.tlsConfig.ServerName == "" {
		s.tlsConfig.ServerName = s.host
	}
	if s.tlsConfig.MinVersion < tls.VersionTLS12 {
		s.tlsConfig.MinVersion = tls.VersionTLS12
	}
	if s.dialTimeout <= 0 {
		s.dialTimeout = DefaultDialTimeout
	}
	s.sender, err = gomail.NewClient(s.host, gomail.WithTimeout(ioTimeout), gomail.WithoutNoop(), gomail.WithoutRset())
	if err != nil {
		return nil, ErrMissingHost
	}
	return s, nil
}

// String names the server and user, never the password.
func (s *SMTP) String() string {
	scheme := "smtp"
	if s.implicitTLS {
		scheme = "smtps"
	}
	u := url.URL{Scheme: scheme, Host: s.addr()}
	if s.user != "" {
		u.User = url.User(s.user)
	}
	return u.String()
}

// GoString is String, so that %#v does not print the password either.
func (s *SMTP) GoString() string { return s.String() }

// validHost accepts an IP address or a name of letters, digits, '-', '_'
// and '.'.
func validHost(h string) bool {
	if strings.Contains(h, ":") {
		a, err := netip.ParseAddr(h)
		return err == nil && a.Is6() && a.Zone() == ""
	}
	for _, r := range h {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return h != "" && !strings.HasPrefix(h, ".") && !strings.Contains(h, "..")
}

func (s *SMTP) addr() string { return net.JoinHostPort(s.host, strconv.Itoa(s.port)) }

// Send delivers m: connect, secure with TLS, authenticate, send. It fails
// closed: without STARTTLS or with an untrusted certificate nothing is sent.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	msg.FromMailAddress(s.from)
	if err := msg.To(m.To); err != nil {
		return ErrInvalidRecipient
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	msg.SetMessageID()
	// go-mail writes UTF-8 parts quoted-printable and encodes a non-ASCII
	// subject as an RFC 2047 encoded word.
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}

	conn, err := s.dial(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if err := conn.SetDeadline(time.Now().Add(ioTimeout)); err != nil {
		return s.fail(ctx, ErrConnect, err)
	}

	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		return s.fail(ctx, ErrConnect, err)
	}
	if err := c.Hello(s.helo); err != nil {
		return s.fail(ctx, ErrConnect, err)
	}
	if !s.implicitTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return ErrSTARTTLSRequired
		}
		if err := c.StartTLS(s.tlsConfig); err != nil {
			return s.fail(ctx, ErrTLS, err)
		}
	}
	if st, ok := c.TLSConnectionState(); !ok || !st.HandshakeComplete {
		return ErrTLS
	}
	if s.user != "" {
		if err := s.auth(ctx, c); err != nil {
			return err
		}
	}
	if err := s.sender.SendWithSMTPClient(c, msg); err != nil && !msg.IsDelivered() {
		return s.rejected(ctx, err)
	}
	_ = c.Quit() // the server has taken the message
	return nil
}

// dial connects and, for smtps, completes the TLS handshake.
func (s *SMTP) dial(ctx context.Context) (net.Conn, error) {
	dctx, cancel := context.WithTimeout(ctx, s.dialTimeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(dctx, "tcp", s.addr())
	if err != nil {
		return nil, s.fail(ctx, ErrConnect, err)
	}
	if !s.implicitTLS {
		return conn, nil
	}
	tc := tls.Client(conn, s.tlsConfig)
	if err := tc.HandshakeContext(dctx); err != nil {
		conn.Close()
		return nil, s.fail(ctx, ErrTLS, err)
	}
	return tc, nil
}

// auth logs in with PLAIN, or LOGIN when the server lacks PLAIN.
func (s *SMTP) auth(ctx context.Context, c *smtp.Client) error {
	ok, mechs := c.Extension("AUTH")
	offered := strings.Fields(strings.ToUpper(mechs))
	var a smtp.Auth
	switch {
	case ok && slices.Contains(offered, "PLAIN"):
		a = smtp.PlainAuth("", s.user, s.pass, s.host, false)
	case ok && slices.Contains(offered, "LOGIN"):
		a = smtp.LoginAuth(s.user, s.pass, s.host, false)
	default:
		return ErrAuthUnsupported
	}
	err := c.Auth(a)
	if err == nil {
		return nil
	}
	// The server's words are left out: a hostile or careless server may
	// echo the credentials back.
	var te *textproto.Error
	var ne net.Error
	switch {
	case errors.As(err, &te):
		return fmt.Errorf("%w (reply %d)", ErrAuth, te.Code)
	case errors.As(err, &ne), errors.Is(err, io.EOF), ctx.Err() != nil:
		return s.fail(ctx, ErrConnect, err)
	}
	return ErrAuth
}

// rejected turns go-mail's SendError into a RejectedError, which carries
// no reference to the message and its code.
func (s *SMTP) rejected(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return s.fail(ctx, ErrConnect, err)
	}
	var se *gomail.SendError
	if !errors.As(err, &se) {
		return s.fail(ctx, ErrRejected, err)
	}
	return &RejectedError{
		Step:      se.Reason.String(),
		Code:      se.ErrorCode(),
		Enhanced:  se.EnhancedStatusCode(),
		Temporary: se.IsTemp(),
	}
}

// fail wraps err under sentinel. When ctx has ended, the context's cause
// replaces err; details that contain the password are withheld.
func (s *SMTP) fail(ctx context.Context, sentinel, err error) error {
	if cause := context.Cause(ctx); cause != nil {
		return fmt.Errorf("%w: %w", sentinel, cause)
	}
	msg := err.Error()
	for _, secret := range s.secrets {
		if strings.Contains(msg, secret) {
			return fmt.Errorf("%w (details withheld: they contain the SMTP password)", sentinel)
		}
	}
	return fmt.Errorf("%w: %w", sentinel, err)
}
