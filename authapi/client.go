package authapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Client defaults.
const (
	// DefaultClientVersion is sent as Sesame-Client-Version unless WithVersion says otherwise.
	DefaultClientVersion = "0.1.0"
	// DefaultTimeout bounds a call whose ctx has no earlier deadline.
	DefaultTimeout = 15 * time.Second
	// DefaultRetries is how often an idempotent call is repeated after 429 or 503.
	DefaultRetries = 2
	// MaxAnswerSize is the largest answer body the client reads.
	MaxAnswerSize = 1 << 20
	// MaxRetryWait is the longest wait before a retry; a longer Retry-After
	// ends the call with the server's problem at once.
	MaxRetryWait = 30 * time.Second
)

// Client calls the auth API. It holds the session's tokens, refreshes them
// when an access token is refused, and names every failure by its cause
// (see errors.go). It is safe for concurrent use.
type Client struct {
	base    *url.URL
	hc      *http.Client
	version string
	timeout time.Duration
	retries int

	mu       sync.Mutex
	tok      Tokens
	has      bool
	onTokens func(Tokens)
	flight   *flight
	offset   time.Duration
	measured bool
	language string
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient sends requests through hc (its transport and TLS settings).
// The client still refuses every redirect.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) {
		if hc != nil {
			cp := *hc
			c.hc = &cp
		}
	}
}

// WithVersion sets the Sesame-Client-Version header.
func WithVersion(v string) Option { return func(c *Client) { c.version = v } }

// WithTimeout bounds each call whose ctx has no earlier deadline.
func WithTimeout(d time.Duration) Option {
	return func(c *Client) {
		if d > 0 {
			c.timeout = d
		}
	}
}

// SetAcceptLanguage sets the Accept-Language of every later request: the
// app's UI language ("en", "zh-Hans"), or "" to send none.
func (c *Client) SetAcceptLanguage(tag string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.language = tag
}

// WithRetries sets how often an idempotent call is repeated after 429 or 503.
func WithRetries(n int) Option { return func(c *Client) { c.retries = max(n, 0) } }

// NewClient returns a client of the API at baseURL: https://host[:port][/path],
// or http:// for a loopback host only.
func NewClient(baseURL string, opts ...Option) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return nil, ErrInvalidBaseURL
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopbackHost(u.Hostname()) {
			return nil, ErrPlainHTTP
		}
	default:
		return nil, ErrInvalidBaseURL
	}
	c := &Client{base: u, hc: &http.Client{}, version: DefaultClientVersion, timeout: DefaultTimeout, retries: DefaultRetries}
	for _, o := range opts {
		o(c)
	}
	if _, err := ParseVersion(c.version); err != nil {
		return nil, fmt.Errorf("authapi: client version: %w", err)
	}
	// Fail closed: a transport that skips certificate checks is refused.
	if t, ok := c.hc.Transport.(*http.Transport); ok && t.TLSClientConfig != nil && t.TLSClientConfig.InsecureSkipVerify {
		return nil, ErrInsecureTransport
	}
	// The API never redirects: a redirect is a portal, a proxy or an attack,
	// and do reports it without following it.
	c.hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c, nil
}

func isLoopbackHost(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// BaseURL returns the server address the client calls.
func (c *Client) BaseURL() string { return c.base.String() }

// SetTokens replaces the held tokens.
func (c *Client) SetTokens(t Tokens) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tok, c.has = t, true
}

// Tokens returns the held tokens, and whether there are any.
func (c *Client) Tokens() (Tokens, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tok, c.has
}

// ClearTokens forgets the held tokens.
func (c *Client) ClearTokens() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tok, c.has = Tokens{}, false
}

// OnTokens sets f to be called with the new tokens after every sign-in and
// every rotation, before the call that caused it returns.
func (c *Client) OnTokens(f func(Tokens)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.onTokens = f
}

// ClockOffset returns the server's clock minus this computer's, measured from
// the Date header of the latest answer; ok is false before any answer.
func (c *Client) ClockOffset() (offset time.Duration, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.offset, c.measured
}

// flight is one rotation of a refresh token that concurrent callers share.
type flight struct {
	from    string // the refresh token presented
	done    chan struct{}
	waiters int
	tok     Tokens
	err     error
}

// Refresh rotates the held refresh token. Concurrent callers share one
// request; its outcome does not depend on any one caller's ctx.
func (c *Client) Refresh(ctx context.Context) (Tokens, error) {
	return c.rotate(ctx, "", true)
}

// Resume adopts a remembered refresh token and rotates it.
func (c *Client) Resume(ctx context.Context, refreshToken string) (Tokens, error) {
	if refreshToken == "" {
		return Tokens{}, ErrNoSession
	}
	c.SetTokens(Tokens{RefreshToken: refreshToken})
	return c.rotate(ctx, "", true)
}

// rotate joins or starts the rotation of the held refresh token. Unless
// force is set, refused is the access token the server refused: when the
// held one differs, a rotation already replaced it and nothing is sent.
// The check and the join happen under one lock with the flight's storing of
// its result, so a refresh token is never presented twice (which the server
// would punish by revoking the session).
func (c *Client) rotate(ctx context.Context, refused string, force bool) (Tokens, error) {
	c.mu.Lock()
	if !c.has || c.tok.RefreshToken == "" {
		c.mu.Unlock()
		return Tokens{}, ErrNoSession
	}
	if !force && c.tok.AccessToken != refused {
		t := c.tok
		c.mu.Unlock()
		return t, nil
	}
	f := c.flight
	if f == nil || f.from != c.tok.RefreshToken {
		f = &flight{from: c.tok.RefreshToken, done: make(chan struct{})}
		c.flight = f
		go c.fly(context.WithoutCancel(ctx), f)
	}
	f.waiters++
	c.mu.Unlock()
	select {
	case <-f.done:
		return f.tok, f.err
	case <-ctx.Done():
		return Tokens{}, transportError(ctx, ctx, c.base.Host, ctx.Err())
	}
}

// fly sends one refresh under the client's own timeout and stores its
// outcome, unless the held tokens changed meanwhile (sign-out, new sign-in).
func (c *Client) fly(ctx context.Context, f *flight) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var tok Tokens
	err := c.do(ctx, call{method: http.MethodPost, path: "/v1/tokens/refresh", in: RefreshRequest{RefreshToken: f.from},
		want: http.StatusOK, out: &tok, need: tokenMembers})
	c.mu.Lock()
	if c.flight == f {
		c.flight = nil
	}
	var notify func(Tokens)
	if c.has && c.tok.RefreshToken == f.from {
		p, isProblem := ProblemOf(err)
		switch {
		case err == nil:
			c.tok, notify = tok, c.onTokens
		case isProblem && (p.Code == CodeInvalidRefreshToken || p.Code == CodeRefreshTokenReused):
			c.tok, c.has = Tokens{}, false // the session is gone
		case errors.Is(err, ErrTimeout) || errors.Is(err, ErrNetwork) || errors.As(err, new(*NotAPIError)):
			// The server may have rotated the token without the answer
			// arriving (or with a proxy answering instead, when the
			// server died): presenting it again would look like theft and
			// revoke the session, so it is dropped and the user signs in.
			c.tok, c.has = Tokens{}, false
		}
		f.tok, f.err = tok, err
	} else {
		// Signed out or signed in anew meanwhile: this rotation is not theirs.
		f.tok, f.err = Tokens{}, ErrNoSession
	}
	c.mu.Unlock()
	if notify != nil {
		notify(tok)
	}
	close(f.done)
}

// signedIn holds new tokens and tells OnTokens.
func (c *Client) signedIn(t Tokens) {
	c.mu.Lock()
	c.tok, c.has = t, true
	notify := c.onTokens
	c.mu.Unlock()
	if notify != nil {
		notify(t)
	}
}

// call describes one request and the answer it expects.
type call struct {
	method, path string
	query        url.Values
	in           any      // request body, JSON-encoded; nil for none
	auth         bool     // send the held access token
	retry        bool     // idempotent and carries no password or code: repeat after 429/503
	want         int      // the success status
	out          any      // decodes the success body; nil when it has none
	need         []string // members the success body must hold
	header       http.Header
	answered     *http.Header // receives the success answer's headers
}

var tokenMembers = []string{"access_token", "refresh_token"}

// answer is one HTTP answer, body capped at MaxAnswerSize.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// do carries out r: it sends the request, repeats it after 429/503 when r
// allows, refreshes the tokens once on 401 unauthorized when r is
// authenticated, and decodes the answer into r.out or a typed error.
func (c *Client) do(caller context.Context, r call) error {
	ctx, cancel := context.WithTimeout(caller, c.timeout)
	defer cancel()
	var body []byte
	if r.in != nil {
		var err error
		if body, err = json.Marshal(r.in); err != nil {
			return fmt.Errorf("authapi: encoding the request: %w", err)
		}
	}
	refreshed := false
	for tries := 0; ; {
		access := ""
		if r.auth {
			t, _ := c.Tokens()
			access = t.AccessToken
		}
		ans, err := c.send(ctx, r, body, access)
		if err != nil {
			return transportError(caller, ctx, c.base.Host, err)
		}
		err = decodeAnswer(c.base.Scheme, ans, r.want, r.out, r.need)
		if err == nil {
			if r.answered != nil {
				*r.answered = ans.header
			}
			return nil
		}
		p, isProblem := ProblemOf(err)
		if r.auth && !refreshed && isProblem && p.Code == CodeUnauthorized {
			refreshed = true
			if _, rerr := c.rotate(ctx, access, false); rerr == ErrNoSession {
				return err
			} else if rerr != nil {
				return rerr
			}
			continue
		}
		if !r.retry || tries >= c.retries || (ans.status != http.StatusTooManyRequests && ans.status != http.StatusServiceUnavailable) {
			return err
		}
		wait := backoff(tries, ans.header)
		if d, ok := ctx.Deadline(); wait > MaxRetryWait || (ok && time.Until(d) < wait) {
			return err
		}
		tries++
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return transportError(caller, ctx, c.base.Host, ctx.Err())
		}
	}
}

// send makes one exchange and records the clock offset from its Date.
func (c *Client) send(ctx context.Context, r call, body []byte, access string) (answer, error) {
	u := *c.base
	u.Path = c.base.Path + r.path
	u.RawQuery = r.query.Encode()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), rd)
	if err != nil {
		return answer{}, err
	}
	req.Header.Set(HeaderClientVersion, c.version)
	req.Header.Set("Accept", "application/json, "+ProblemContentType)
	req.Header.Set("User-Agent", "Sesame/"+c.version)
	c.mu.Lock()
	language := c.language
	c.mu.Unlock()
	if language != "" {
		req.Header.Set(HeaderAcceptLanguage, language)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if access != "" {
		req.Header.Set("Authorization", TokenTypeBearer+" "+access)
	}
	for k, v := range r.header {
		req.Header[k] = v
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	if d, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		c.mu.Lock()
		c.offset, c.measured = time.Until(d).Round(time.Second), true
		c.mu.Unlock()
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxAnswerSize+1))
	if err != nil {
		return answer{}, err
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

// decodeAnswer turns an answer into nil (success, body decoded into out),
// a *Problem, a *NotAPIError or an *InsecureRedirectError. scheme is the
// scheme the request was sent over.
func decodeAnswer(scheme string, a answer, want int, out any, need []string) error {
	ct := a.header.Get("Content-Type")
	notAPI := &NotAPIError{Status: a.status, ContentType: ct}
	if len(notAPI.ContentType) > 100 {
		notAPI.ContentType = notAPI.ContentType[:100]
	}
	switch {
	case len(a.body) > MaxAnswerSize:
		return notAPI
	case a.status >= 300 && a.status < 400:
		loc, err := url.Parse(a.header.Get("Location"))
		if err == nil && loc.Host != "" {
			notAPI.Location = loc.Scheme + "://" + loc.Host
			if scheme == "https" && loc.Scheme == "http" {
				return &InsecureRedirectError{Location: notAPI.Location}
			}
		}
		return notAPI
	case a.status == want:
		if out == nil {
			if len(bytes.TrimSpace(a.body)) != 0 {
				return notAPI
			}
			return nil
		}
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			return notAPI
		}
		if decodeStrict(a.body, out, need) != nil {
			return notAPI
		}
		return nil
	case a.status < 300:
		return notAPI
	}
	p, err := ParseProblem(a.status, ct, a.body)
	if err != nil {
		return notAPI
	}
	if p.RetryAfterSeconds == nil {
		if d, ok := retryAfterHeader(a.header); ok {
			p.RetryAfterSeconds = Int(int((d + time.Second - 1) / time.Second))
		}
	}
	return p
}

// decodeStrict decodes one JSON object holding every member of need into out.
func decodeStrict(body []byte, out any, need []string) error {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(body, &members); err != nil {
		return err
	}
	if members == nil {
		return ErrNotAPI
	}
	for _, k := range need {
		if _, ok := members[k]; !ok {
			return ErrNotAPI
		}
	}
	return json.Unmarshal(body, out)
}

// retryAfterHeader reads Retry-After in seconds or as an HTTP date.
func retryAfterHeader(h http.Header) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(min(n, 1<<20)) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0), true
	}
	return 0, false
}

// backoff is the wait before retry number tries+1: exponential from 250 ms
// with jitter, and never shorter than the server's Retry-After.
func backoff(tries int, h http.Header) time.Duration {
	d := 250 * time.Millisecond << min(tries, 6)
	d = d/2 + rand.N(d/2+1)
	if ra, ok := retryAfterHeader(h); ok && ra > d {
		d = ra
	}
	return d
}
