package sms

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"
)

// Configuration errors of [NewGateway]. They never repeat the URL or the
// token.
var (
	// ErrInvalidURL: the gateway URL does not parse as http(s)://host/….
	ErrInvalidURL = errors.New("SMS gateway URL is not valid (want https://host/path)")
	// ErrInsecureURL: the gateway URL is plain http to a host that is not
	// loopback, which would send the token and the codes in the clear.
	ErrInsecureURL = errors.New("SMS gateway URL must be https unless the gateway is on loopback")
)

// Delivery errors of [Gateway.Send].
var (
	// ErrUnreachable: the gateway could not be reached or did not answer
	// in time.
	ErrUnreachable = errors.New("cannot reach the SMS gateway")
	// ErrRefused: the gateway answered with a status other than 2xx; see
	// [RefusedError].
	ErrRefused = errors.New("SMS gateway refused the message")
)

// RefusedError is the status a gateway refused a message with.
type RefusedError struct{ Status int }

func (e *RefusedError) Error() string { return fmt.Sprintf("%v (status %d)", ErrRefused, e.Status) }

// Is makes errors.Is(err, ErrRefused) true.
func (e *RefusedError) Is(target error) bool { return target == ErrRefused }

// DefaultTimeout bounds one delivery when NewGateway is given none.
const DefaultTimeout = 10 * time.Second

// Gateway is a [Sender] that POSTs each message to an HTTP SMS gateway as
// the JSON object {"to": "+8613800138000", "text": "…"}, with the token as
// a bearer token; any 2xx status is a delivery.
type Gateway struct {
	url    string
	token  string
	client *http.Client
}

// NewGateway returns a Gateway that posts to rawURL with token, each
// delivery bounded by timeout (DefaultTimeout when 0).
func NewGateway(rawURL, token string, timeout time.Duration) (*Gateway, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" || u.User != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, ErrInvalidURL
	}
	if u.Scheme == "http" && !loopback(u.Hostname()) {
		return nil, ErrInsecureURL
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	// A redirect is refused, not followed: the token goes to the URL given
	// only.
	noRedirect := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Gateway{url: u.String(), token: token, client: &http.Client{Timeout: timeout, CheckRedirect: noRedirect}}, nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Send posts m to the gateway. Its errors name neither the message, the
// URL nor the token.
func (g *Gateway) Send(ctx context.Context, m Message) error {
	body, err := json.Marshal(struct {
		To   string `json:"to"`
		Text string `json:"text"`
	}{m.To, m.Text})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.url, bytes.NewReader(body))
	if err != nil {
		return ErrInvalidURL
	}
	req.Header.Set("Content-Type", "application/json")
	if g.token != "" {
		req.Header.Set("Authorization", "Bearer "+g.token)
	}
	resp, err := g.client.Do(req)
	if err != nil {
		// A *url.Error repeats the URL; its cause does not.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &RefusedError{Status: resp.StatusCode}
	}
	return nil
}
