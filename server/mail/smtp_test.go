package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"net/textproto"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"

	"sesame/internal/testcert"
)

const (
	testUser = "mailer"
	// testPass holds characters that need escaping in a URL.
	testPass = "s3cr@t/pässwörd"
	testFrom = "Sesame <no-reply@sesame.example>"
)

// urlCases drives TestNewSMTPURL and seeds FuzzNewSMTP.
var urlCases = []struct {
	name     string
	url      string
	from     string
	err      error
	addr     string
	implicit bool
	user     string
}{
	{name: "starttls with credentials", url: "smtp://mailer:secret@mail.example.com:2525", addr: "mail.example.com:2525", user: "mailer"},
	{name: "starttls default port", url: "smtp://mail.example.com", addr: "mail.example.com:587"},
	{name: "implicit tls default port", url: "smtps://mailer:secret@mail.example.com", addr: "mail.example.com:465", implicit: true, user: "mailer"},
	{name: "upper-case scheme, root path", url: "SMTPS://mail.example.com:4650/", addr: "mail.example.com:4650", implicit: true},
	{name: "ipv6 host", url: "smtp://[::1]:2525", addr: "[::1]:2525"},
	{name: "one-character names", url: "smtp://0:0@0", addr: "0:587", user: "0"},
	{name: "escaped password", url: "smtp://mailer:p%40ss%2Fw@mail.example.com", addr: "mail.example.com:587", user: "mailer"},
	{name: "http scheme", url: "http://mail.example.com", err: ErrUnknownScheme},
	{name: "no scheme", url: "mail.example.com:587", err: ErrUnknownScheme},
	{name: "empty", url: "", err: ErrUnknownScheme},
	{name: "no host", url: "smtp://", err: ErrMissingHost},
	{name: "credentials, no host", url: "smtp://mailer:secret@", err: ErrMissingHost},
	{name: "opaque", url: "smtp:mail.example.com", err: ErrMissingHost},
	{name: "colons only", url: "smtp://::", err: ErrInvalidHost},
	{name: "ipv6 with zone", url: "smtp://[fe80::1%25eth0]:25", err: ErrInvalidHost},
	{name: "sub-delimiters in host", url: "smtp://mail!example.com", err: ErrInvalidHost},
	{name: "port zero", url: "smtp://mail.example.com:0", err: ErrInvalidPort},
	{name: "port too big", url: "smtp://mail.example.com:65536", err: ErrInvalidPort},
	{name: "path", url: "smtp://mail.example.com/inbox", err: ErrInvalidURL},
	{name: "query", url: "smtp://mail.example.com?tls=off", err: ErrInvalidURL},
	{name: "fragment", url: "smtp://mail.example.com#x", err: ErrInvalidURL},
	{name: "password without user", url: "smtp://:secret@mail.example.com", err: ErrInvalidURL},
	{name: "unescaped slash in password", url: "smtp://mailer:s3cr/et@mail.example.com", err: ErrInvalidURL},
	{name: "control character", url: "smtp://mail.exa\x7fmple.com", err: ErrInvalidURL},
	{name: "bad sender", url: "smtp://mail.example.com", from: "not an address", err: ErrInvalidFrom},
}

var configErrors = []error{ErrInvalidURL, ErrUnknownScheme, ErrMissingHost, ErrInvalidHost, ErrInvalidPort, ErrInvalidFrom}

func TestNewSMTPURL(t *testing.T) {
	for _, tc := range urlCases {
		t.Run(tc.name, func(t *testing.T) {
			from := tc.from
			if from == "" {
				from = testFrom
			}
			s, err := NewSMTP(tc.url, from)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("NewSMTP(%q) = %v, want %v", tc.url, err, tc.err)
				}
				for _, secret := range []string{"secret", "s3cr"} {
					if strings.Contains(err.Error(), secret) {
						t.Errorf("error %q names the password", err)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("NewSMTP(%q) = %v", tc.url, err)
			}
			if s.addr() != tc.addr || s.implicitTLS != tc.implicit || s.user != tc.user {
				t.Errorf("got addr %s implicit %v user %q, want %s %v %q", s.addr(), s.implicitTLS, s.user, tc.addr, tc.implicit, tc.user)
			}
			if s.tlsConfig.ServerName != s.host || s.tlsConfig.MinVersion < tls.VersionTLS12 {
				t.Errorf("tls config: ServerName %q MinVersion %x", s.tlsConfig.ServerName, s.tlsConfig.MinVersion)
			}
		})
	}
}

func TestNewSMTPEscapedPassword(t *testing.T) {
	s, err := NewSMTP("smtp://mailer:p%40ss%2Fw@mail.example.com", testFrom)
	if err != nil {
		t.Fatal(err)
	}
	if s.pass != "p@ss/w" {
		t.Errorf("pass = %q, want p@ss/w", s.pass)
	}
}

func FuzzNewSMTP(f *testing.F) {
	for _, tc := range urlCases {
		f.Add(tc.url)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		s, err := NewSMTP(raw, testFrom)
		if err != nil {
			// Bare sentinels: the error can never repeat the URL.
			if !slices.Contains(configErrors, err) {
				t.Fatalf("NewSMTP(%q) = %v, not a bare sentinel", raw, err)
			}
			return
		}
		host, port, err := net.SplitHostPort(s.addr())
		if err != nil || host == "" {
			t.Fatalf("addr %q: %v", s.addr(), err)
		}
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			t.Fatalf("port %q", port)
		}
		// Formatting goes through String, which carries no password.
		str := s.String()
		if got := fmt.Sprintf("%v|%+v|%#v", s, s, s); got != str+"|"+str+"|"+str {
			t.Fatalf("formatting bypasses String: %s", got)
		}
		if u, err := url.Parse(str); err != nil || u.User != nil && func() bool { _, set := u.User.Password(); return set }() {
			t.Fatalf("String() = %q carries a password (%v)", str, err)
		}
	})
}

func TestNewSMTPRefusesInsecureTLS(t *testing.T) {
	_, err := NewSMTP("smtp://mail.example.com", testFrom, WithTLSConfig(&tls.Config{InsecureSkipVerify: true}))
	if !errors.Is(err, ErrInsecureTLS) {
		t.Fatalf("NewSMTP = %v, want ErrInsecureTLS", err)
	}
}

func TestSMTPStringHidesPassword(t *testing.T) {
	s, err := NewSMTP(smtpURL("smtps", "mail.example.com:465", testUser, testPass), testFrom)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.String(), "smtps://mailer@mail.example.com:465"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
	out := fmt.Sprintf("%v %+v %#v %s", s, s, s, s)
	for _, secret := range []string{testPass, url.QueryEscape(testPass), url.PathEscape(testPass)} {
		if strings.Contains(out, secret) {
			t.Errorf("formatted SMTP names the password: %s", out)
		}
	}
}

// testPKI is a self-signed CA and a server certificate it issued for
// 127.0.0.1 and localhost.
type testPKI struct {
	pool   *x509.CertPool
	server *tls.Config
}

func newPKI(t *testing.T) testPKI {
	t.Helper()
	now := time.Now()
	ca := testcert.NewCA(t)
	leaf := ca.Leaf(t, []string{"localhost"}, testcert.Loopback, now.Add(-time.Hour), now.Add(time.Hour))
	return testPKI{
		pool: ca.Pool(),
		server: &tls.Config{
			Certificates: []tls.Certificate{leaf},
			MinVersion:   tls.VersionTLS12,
		},
	}
}

// received is one mail as the test server saw it.
type received struct {
	from     string
	rcpts    []string
	data     []byte
	authUser string
	tls      bool
	tlsState tls.ConnectionState
}

// authTry is one AUTH PLAIN attempt as the test server saw it.
type authTry struct {
	user string
	tls  bool
}

// backend is an SMTP server backend that keeps what it receives and asks
// for AUTH PLAIN before MAIL. A wrong password is echoed in its answer, as
// a careless server might.
type backend struct {
	user, pass string

	mu    sync.Mutex
	auths []authTry
	mails []received
}

func (b *backend) NewSession(c *gosmtp.Conn) (gosmtp.Session, error) {
	return &session{b: b, c: c}, nil
}

func (b *backend) snapshot() ([]authTry, []received) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.auths), slices.Clone(b.mails)
}

type session struct {
	b    *backend
	c    *gosmtp.Conn
	user string
	cur  received
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		_, isTLS := s.c.TLSConnectionState()
		s.b.mu.Lock()
		s.b.auths = append(s.b.auths, authTry{user: user, tls: isTLS})
		s.b.mu.Unlock()
		if user != s.b.user || pass != s.b.pass {
			return fmt.Errorf("wrong password %q for %s", pass, user)
		}
		s.user = user
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *gosmtp.MailOptions) error {
	if s.user == "" {
		return &gosmtp.SMTPError{Code: 530, EnhancedCode: gosmtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	}
	s.cur = received{from: from, authUser: s.user}
	return nil
}

func (s *session) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	if to == "nobody@example.com" {
		return &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "No such user"}
	}
	s.cur.rcpts = append(s.cur.rcpts, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = data
	s.cur.tlsState, s.cur.tls = s.c.TLSConnectionState()
	s.b.mu.Lock()
	s.b.mails = append(s.b.mails, s.cur)
	s.b.mu.Unlock()
	return nil
}

func (s *session) Reset()        { s.cur = received{} }
func (s *session) Logout() error { return nil }

type serverMode int

const (
	modeSTARTTLS serverMode = iota
	modeImplicitTLS
	// modePlain offers no STARTTLS and AUTH in the clear.
	modePlain
)

// startServer runs an SMTP server on 127.0.0.1 and returns its address.
func startServer(t *testing.T, b *backend, mode serverMode, cfg *tls.Config) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := gosmtp.NewServer(b)
	srv.Domain = "localhost"
	srv.ErrorLog = log.New(io.Discard, "", 0)
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	switch mode {
	case modeSTARTTLS:
		srv.TLSConfig = cfg
	case modeImplicitTLS:
		srv.TLSConfig = cfg
		l = tls.NewListener(l, cfg)
	case modePlain:
		srv.AllowInsecureAuth = true
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(l)
	}()
	t.Cleanup(func() {
		srv.Close()
		l.Close() // Serve may not have registered l with srv yet
		<-done
	})
	return l.Addr().String()
}

func smtpURL(scheme, addr, user, pass string) string {
	return (&url.URL{Scheme: scheme, User: url.UserPassword(user, pass), Host: addr}).String()
}

func newTestSMTP(t *testing.T, scheme, addr, pass string, opts ...Option) *SMTP {
	t.Helper()
	s, err := NewSMTP(smtpURL(scheme, addr, testUser, pass), testFrom, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// parsed is a received mail, decoded: body is the text part and html the
// HTML alternative of a multipart/alternative mail.
type parsed struct {
	from, to, subject, rawSubject, contentType, charset, body, html string
	header                                                          netmail.Header
}

func parseMail(t *testing.T, data []byte) parsed {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("reading mail: %v\n%s", err, data)
	}
	var p parsed
	p.header = msg.Header
	from, err := msg.Header.AddressList("From")
	if err != nil || len(from) != 1 {
		t.Fatalf("From %q: %v", msg.Header.Get("From"), err)
	}
	p.from = from[0].String()
	to, err := msg.Header.AddressList("To")
	if err != nil || len(to) != 1 {
		t.Fatalf("To %q: %v", msg.Header.Get("To"), err)
	}
	p.to = to[0].Address
	p.rawSubject = msg.Header.Get("Subject")
	if p.subject, err = new(mime.WordDecoder).DecodeHeader(p.rawSubject); err != nil {
		t.Fatal(err)
	}
	ct, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	if ct != "multipart/alternative" {
		p.contentType, p.charset = ct, params["charset"]
		p.body = decodePart(t, textproto.MIMEHeader(msg.Header), msg.Body)
		return p
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for i := 0; ; i++ {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pct, pparams, err := mime.ParseMediaType(part.Header.Get("Content-Type"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.EqualFold(pparams["charset"], "utf-8") {
			t.Errorf("part %s charset %q", pct, pparams["charset"])
		}
		switch {
		case i == 0 && pct == "text/plain":
			p.contentType, p.charset = pct, pparams["charset"]
			p.body = decodePart(t, part.Header, part)
		case i == 1 && pct == "text/html":
			p.html = decodePart(t, part.Header, part)
		default:
			t.Errorf("part %d is %s; want text/plain, then text/html", i, pct)
		}
	}
	return p
}

// decodePart reads a body in its transfer encoding.
func decodePart(t *testing.T, h textproto.MIMEHeader, r io.Reader) string {
	t.Helper()
	switch enc := strings.ToLower(h.Get("Content-Transfer-Encoding")); enc {
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, r)
	case "", "7bit", "8bit":
	default:
		t.Errorf("unknown transfer encoding %q", enc)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(string(b), "\r\n", "\n")
}

// checkDelivered asserts that the server holds exactly m, sent by the
// test user over TLS.
func checkDelivered(t *testing.T, b *backend, m Message) received {
	t.Helper()
	auths, mails := b.snapshot()
	if len(auths) != 1 || auths[0] != (authTry{user: testUser, tls: true}) {
		t.Errorf("AUTH attempts = %+v, want one by %s over TLS", auths, testUser)
	}
	if len(mails) != 1 {
		t.Fatalf("server holds %d mails, want 1", len(mails))
	}
	got := mails[0]
	if got.authUser != testUser {
		t.Errorf("mail sent as %q, want %q", got.authUser, testUser)
	}
	if !got.tls || !got.tlsState.HandshakeComplete || got.tlsState.Version < tls.VersionTLS12 {
		t.Errorf("mail not sent over TLS 1.2+: tls %v state %+v", got.tls, got.tlsState)
	}
	if got.from != "no-reply@sesame.example" || !slices.Equal(got.rcpts, []string{m.To}) {
		t.Errorf("envelope from %q to %v", got.from, got.rcpts)
	}
	p := parseMail(t, got.data)
	if p.from != `"Sesame" <no-reply@sesame.example>` {
		t.Errorf("From = %s", p.from)
	}
	if p.to != m.To {
		t.Errorf("To = %s, want %s", p.to, m.To)
	}
	if p.subject != m.Subject {
		t.Errorf("Subject = %q, want %q", p.subject, m.Subject)
	}
	if p.contentType != "text/plain" || !strings.EqualFold(p.charset, "utf-8") {
		t.Errorf("Content-Type %s charset %s", p.contentType, p.charset)
	}
	if strings.TrimRight(p.body, "\n") != strings.TrimRight(m.Text, "\n") {
		t.Errorf("body =\n%s\nwant\n%s", p.body, m.Text)
	}
	if strings.TrimRight(p.html, "\n") != strings.TrimRight(m.HTML, "\n") {
		t.Errorf("HTML part =\n%s\nwant\n%s", p.html, m.HTML)
	}
	for _, h := range []string{"Date", "Message-Id", "Mime-Version"} {
		if p.header.Get(h) == "" {
			t.Errorf("header %s missing", h)
		}
	}
	if ua := p.header.Get("User-Agent") + p.header.Get("X-Mailer"); ua != "" {
		t.Errorf("mail names its software: %q", ua)
	}
	return got
}

func TestSMTPSendSTARTTLS(t *testing.T) {
	pki := newPKI(t)
	b := &backend{user: testUser, pass: testPass}
	addr := startServer(t, b, modeSTARTTLS, pki.server)
	s := newTestSMTP(t, "smtp", addr, testPass, WithTLSConfig(&tls.Config{RootCAs: pki.pool}), WithDialTimeout(5*time.Second))

	m := Compose(KindVerify, "alice@example.com", Data{Code: "482913", ValidMinutes: 10, Phrase: "blue ostrich ☂"})
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := checkDelivered(t, b, m)
	body := parseMail(t, got.data).body
	for _, want := range []string{"\n    482913\n", "Your anti-phishing phrase: «blue ostrich ☂»", "It expires in 10 minutes."} {
		if !strings.Contains(body, want) {
			t.Errorf("received body lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(string(got.data), testPass) {
		t.Error("the mail carries the SMTP password")
	}
}

// TestSMTPSendChinese sends a Chinese mail: its subject travels as an
// RFC 2047 encoded word, its two parts as UTF-8 in a 7-bit-safe encoding.
func TestSMTPSendChinese(t *testing.T) {
	pki := newPKI(t)
	b := &backend{user: testUser, pass: testPass}
	addr := startServer(t, b, modeSTARTTLS, pki.server)
	s := newTestSMTP(t, "smtp", addr, testPass, WithTLSConfig(&tls.Config{RootCAs: pki.pool}))

	m := Compose(KindReset, "alice@example.com", Data{Language: "zh-Hans", Code: "482913", ValidMinutes: 10, Phrase: "蓝色鸵鸟"})
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := checkDelivered(t, b, m)
	p := parseMail(t, got.data)
	if p.subject != "重置您的 Sesame 密码" || !strings.HasPrefix(strings.ToUpper(p.rawSubject), "=?UTF-8?") {
		t.Errorf("Subject %q (raw %q)", p.subject, p.rawSubject)
	}
	for _, c := range got.data {
		if c >= 0x80 {
			t.Fatalf("the mail has 8-bit bytes:\n%s", got.data)
		}
	}
	for _, part := range []string{p.body, p.html} {
		for _, want := range []string{"482913", "10 分钟", "您的防钓鱼短语：«蓝色鸵鸟»"} {
			if !strings.Contains(part, want) {
				t.Errorf("part lacks %q:\n%s", want, part)
			}
		}
	}
}

func TestSMTPSendImplicitTLS(t *testing.T) {
	pki := newPKI(t)
	b := &backend{user: testUser, pass: testPass}
	addr := startServer(t, b, modeImplicitTLS, pki.server)
	s := newTestSMTP(t, "smtps", addr, testPass, WithTLSConfig(&tls.Config{RootCAs: pki.pool}))

	m := Compose(KindPasswordChanged, "bob@example.com", Data{Phrase: "tea at five"})
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	checkDelivered(t, b, m)
}

// checkNothingSent asserts that the server saw no AUTH and no mail.
func checkNothingSent(t *testing.T, b *backend) {
	t.Helper()
	if auths, mails := b.snapshot(); len(auths) != 0 || len(mails) != 0 {
		t.Errorf("server saw AUTH %+v and %d mails, want none", auths, len(mails))
	}
}

func TestSMTPRequiresSTARTTLS(t *testing.T) {
	b := &backend{user: testUser, pass: testPass}
	addr := startServer(t, b, modePlain, nil)
	s := newTestSMTP(t, "smtp", addr, testPass)

	err := s.Send(context.Background(), Compose(KindReset, "alice@example.com", Data{Code: "123456", ValidMinutes: 10}))
	if !errors.Is(err, ErrSTARTTLSRequired) {
		t.Fatalf("Send = %v, want ErrSTARTTLSRequired", err)
	}
	checkNothingSent(t, b)
}

func TestSMTPUntrustedCertificate(t *testing.T) {
	pki, other := newPKI(t), newPKI(t)
	for _, tc := range []struct {
		name   string
		scheme string
		mode   serverMode
		opts   []Option
	}{
		{"starttls, another CA", "smtp", modeSTARTTLS, []Option{WithTLSConfig(&tls.Config{RootCAs: other.pool})}},
		{"starttls, system roots", "smtp", modeSTARTTLS, nil},
		{"implicit, another CA", "smtps", modeImplicitTLS, []Option{WithTLSConfig(&tls.Config{RootCAs: other.pool})}},
		{"starttls, certificate for another name", "smtp", modeSTARTTLS, []Option{WithTLSConfig(&tls.Config{RootCAs: pki.pool, ServerName: "mail.example.com"})}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := &backend{user: testUser, pass: testPass}
			addr := startServer(t, b, tc.mode, pki.server)
			s := newTestSMTP(t, tc.scheme, addr, testPass, tc.opts...)
			err := s.Send(context.Background(), Compose(KindVerify, "alice@example.com", Data{Code: "123456", ValidMinutes: 10}))
			if !errors.Is(err, ErrTLS) {
				t.Fatalf("Send = %v, want ErrTLS", err)
			}
			var verr *tls.CertificateVerificationError
			if !errors.As(err, &verr) {
				t.Errorf("Send = %v, want a *tls.CertificateVerificationError inside", err)
			}
			checkNothingSent(t, b)
		})
	}
}

func TestSMTPWrongPasswordIsNotEchoed(t *testing.T) {
	pki := newPKI(t)
	b := &backend{user: testUser, pass: "the right one"}
	addr := startServer(t, b, modeSTARTTLS, pki.server)
	s := newTestSMTP(t, "smtp", addr, testPass, WithTLSConfig(&tls.Config{RootCAs: pki.pool}))

	err := s.Send(context.Background(), Compose(KindVerify, "alice@example.com", Data{Code: "123456", ValidMinutes: 10}))
	if !errors.Is(err, ErrAuth) {
		t.Fatalf("Send = %v, want ErrAuth", err)
	}
	for _, secret := range []string{testPass, url.QueryEscape(testPass), "s3cr"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q names the password", err)
		}
	}
	if auths, mails := b.snapshot(); len(auths) != 1 || !auths[0].tls || len(mails) != 0 {
		t.Errorf("server saw AUTH %+v and %d mails, want one AUTH over TLS and none", auths, len(mails))
	}
}

func TestSMTPRejectedRecipient(t *testing.T) {
	pki := newPKI(t)
	b := &backend{user: testUser, pass: testPass}
	addr := startServer(t, b, modeSTARTTLS, pki.server)
	s := newTestSMTP(t, "smtp", addr, testPass, WithTLSConfig(&tls.Config{RootCAs: pki.pool}))

	err := s.Send(context.Background(), Compose(KindVerify, "nobody@example.com", Data{Code: "123456", ValidMinutes: 10}))
	var rej *RejectedError
	if !errors.As(err, &rej) || !errors.Is(err, ErrRejected) {
		t.Fatalf("Send = %v, want a RejectedError", err)
	}
	if rej.Code != 550 || rej.Enhanced != "5.1.1" || rej.Temporary {
		t.Errorf("RejectedError = %+v, want permanent 550 5.1.1", rej)
	}
	if strings.Contains(err.Error(), "123456") {
		t.Errorf("error %q names the code", err)
	}
	if _, mails := b.snapshot(); len(mails) != 0 {
		t.Errorf("server holds %d mails", len(mails))
	}
}

func TestSMTPInvalidRecipient(t *testing.T) {
	// No server: the address fails before any connection.
	s := newTestSMTP(t, "smtp", "127.0.0.1:1", testPass)
	err := s.Send(context.Background(), Message{To: "not an address", Subject: "x", Text: "x"})
	if !errors.Is(err, ErrInvalidRecipient) {
		t.Fatalf("Send = %v, want ErrInvalidRecipient", err)
	}
}

func TestSMTPCanceledContext(t *testing.T) {
	pki := newPKI(t)
	b := &backend{user: testUser, pass: testPass}
	addr := startServer(t, b, modeSTARTTLS, pki.server)
	s := newTestSMTP(t, "smtp", addr, testPass, WithTLSConfig(&tls.Config{RootCAs: pki.pool}))

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := s.Send(ctx, Compose(KindVerify, "alice@example.com", Data{Code: "123456", ValidMinutes: 10}))
	if !errors.Is(err, context.Canceled) || !errors.Is(err, ErrConnect) {
		t.Fatalf("Send = %v, want ErrConnect and context.Canceled", err)
	}
	checkNothingSent(t, b)
}

// TestFailWithholdsPassword covers the last guard: any error text that
// contains the password, raw or escaped, is dropped whole.
func TestFailWithholdsPassword(t *testing.T) {
	s := newTestSMTP(t, "smtp", "mail.example.com:587", testPass)
	for _, form := range []string{testPass, url.QueryEscape(testPass), url.PathEscape(testPass)} {
		inner := errors.New("server said: " + form)
		err := s.fail(context.Background(), ErrConnect, inner)
		if !errors.Is(err, ErrConnect) || errors.Is(err, inner) || strings.Contains(err.Error(), form) {
			t.Errorf("fail(%q) = %v", form, err)
		}
	}
	inner := errors.New("connection refused")
	if err := s.fail(context.Background(), ErrConnect, inner); !errors.Is(err, inner) {
		t.Errorf("fail dropped a harmless detail: %v", err)
	}
}
