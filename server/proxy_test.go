package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"testing"

	"sesame/authapi"
	"sesame/server"
)

// proxies are the trusted proxies of originCases: a private net, a
// documentation IPv6 net and loopback.
var proxies = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("2001:db8:ffff::/48"),
	netip.MustParsePrefix("127.0.0.0/8"),
}

// originCases: a TCP peer, header lines ("Name: value", one per line, in
// order) and the client address and host the server must take.
var originCases = []struct {
	name     string
	peer     string
	lines    []string
	ip, host string
}{
	{"no headers", "10.0.0.1:4000", nil, "10.0.0.1", "auth.example.org"},
	{"untrusted peer's XFF ignored", "198.51.100.9:4000", []string{"X-Forwarded-For: 203.0.113.7"}, "198.51.100.9", "auth.example.org"},
	{"untrusted peer's Forwarded ignored", "198.51.100.9:4000", []string{"Forwarded: for=203.0.113.7;host=evil.example"}, "198.51.100.9", "auth.example.org"},
	{"untrusted peer's X-Forwarded-Host ignored", "198.51.100.9:4000", []string{"X-Forwarded-Host: evil.example"}, "198.51.100.9", "auth.example.org"},
	{"XFF one hop", "10.0.0.1:4000", []string{"X-Forwarded-For: 203.0.113.7"}, "203.0.113.7", "auth.example.org"},
	{"XFF spoofed left entry", "10.0.0.1:4000", []string{"X-Forwarded-For: 1.2.3.4, 203.0.113.7"}, "203.0.113.7", "auth.example.org"},
	{"XFF through two proxies", "10.0.0.1:4000", []string{"X-Forwarded-For: 1.2.3.4, 203.0.113.7, 10.0.0.2"}, "203.0.113.7", "auth.example.org"},
	{"XFF every hop trusted", "10.0.0.1:4000", []string{"X-Forwarded-For: 10.0.0.3, 10.0.0.2"}, "10.0.0.3", "auth.example.org"},
	{"XFF lines are one list", "10.0.0.1:4000", []string{"X-Forwarded-For: 1.2.3.4", "X-Forwarded-For: 203.0.113.7, 10.0.0.2"}, "203.0.113.7", "auth.example.org"},
	{"XFF later line is nearer", "10.0.0.1:4000", []string{"X-Forwarded-For: 10.0.0.2", "X-Forwarded-For: 203.0.113.7"}, "203.0.113.7", "auth.example.org"},
	{"XFF IPv6", "[2001:db8:ffff::1]:4000", []string{"X-Forwarded-For: 2001:db8:1::7"}, "2001:db8:1::7", "auth.example.org"},
	{"XFF IPv6 with port", "10.0.0.1:4000", []string{"X-Forwarded-For: [2001:db8:1::7]:5555"}, "2001:db8:1::7", "auth.example.org"},
	{"XFF IPv4 with port", "10.0.0.1:4000", []string{"X-Forwarded-For: 203.0.113.7:5555"}, "203.0.113.7", "auth.example.org"},
	{"XFF IPv4-mapped", "[::ffff:10.0.0.1]:4000", []string{"X-Forwarded-For: ::ffff:203.0.113.7"}, "203.0.113.7", "auth.example.org"},
	{"XFF garbage ends the walk", "10.0.0.1:4000", []string{"X-Forwarded-For: 203.0.113.7, bogus"}, "10.0.0.1", "auth.example.org"},
	{"XFF garbage past a good hop", "10.0.0.1:4000", []string{"X-Forwarded-For: 203.0.113.7, junk, 10.0.0.2"}, "10.0.0.2", "auth.example.org"},
	{"XFF empty entry", "10.0.0.1:4000", []string{"X-Forwarded-For: 203.0.113.7,,"}, "10.0.0.1", "auth.example.org"},
	{"XFF zone", "10.0.0.1:4000", []string{"X-Forwarded-For: fe80::1%eth0"}, "10.0.0.1", "auth.example.org"},
	{"XFF unknown", "10.0.0.1:4000", []string{"X-Forwarded-For: unknown"}, "10.0.0.1", "auth.example.org"},
	{"X-Forwarded-Host from a trusted peer", "10.0.0.1:4000", []string{"X-Forwarded-For: 203.0.113.7", "X-Forwarded-Host: Public.Example"}, "203.0.113.7", "Public.Example"},
	{"X-Forwarded-Host rightmost", "10.0.0.1:4000", []string{"X-Forwarded-Host: evil.example, public.example"}, "10.0.0.1", "public.example"},
	{"Forwarded one hop", "10.0.0.1:4000", []string{"Forwarded: for=203.0.113.7;proto=https;host=public.example"}, "203.0.113.7", "public.example"},
	{"Forwarded names are case-blind", "10.0.0.1:4000", []string{"Forwarded: For=203.0.113.7;HOST=public.example"}, "203.0.113.7", "public.example"},
	{"Forwarded spoofed left element", "10.0.0.1:4000", []string{"Forwarded: for=1.2.3.4;host=evil.example, for=203.0.113.7;host=public.example"}, "203.0.113.7", "public.example"},
	{"Forwarded through two proxies", "10.0.0.1:4000", []string{"Forwarded: for=1.2.3.4, for=203.0.113.7;host=public.example, for=10.0.0.2;host=\"inner:8080\""}, "203.0.113.7", "public.example"},
	{"Forwarded quoted IPv6 with port", "10.0.0.1:4000", []string{`Forwarded: for="[2001:db8:1::7]:4711"`}, "2001:db8:1::7", "auth.example.org"},
	{"Forwarded quoted IPv6", "10.0.0.1:4000", []string{`Forwarded: for="[2001:db8:1::7]"`}, "2001:db8:1::7", "auth.example.org"},
	{"Forwarded quoted IPv4 with port", "10.0.0.1:4000", []string{`Forwarded: for="203.0.113.7:80"`}, "203.0.113.7", "auth.example.org"},
	{"Forwarded bare IPv6 is garbled", "10.0.0.1:4000", []string{`Forwarded: for="2001:db8:1::7"`}, "10.0.0.1", "auth.example.org"},
	{"Forwarded unquoted IPv6 is garbled", "10.0.0.1:4000", []string{`Forwarded: for=[2001:db8:1::7]`}, "10.0.0.1", "auth.example.org"},
	{"Forwarded obfuscated ends the walk", "10.0.0.1:4000", []string{"Forwarded: for=203.0.113.7, for=_hidden, for=10.0.0.2"}, "10.0.0.2", "auth.example.org"},
	{"Forwarded unknown ends the walk", "10.0.0.1:4000", []string{"Forwarded: for=unknown"}, "10.0.0.1", "auth.example.org"},
	{"Forwarded without for ends the walk", "10.0.0.1:4000", []string{"Forwarded: proto=https;host=evil.example"}, "10.0.0.1", "auth.example.org"},
	{"Forwarded duplicate for is garbled", "10.0.0.1:4000", []string{"Forwarded: for=203.0.113.7;for=1.2.3.4"}, "10.0.0.1", "auth.example.org"},
	{"Forwarded lines are one list", "10.0.0.1:4000", []string{"Forwarded: for=1.2.3.4", "Forwarded: for=203.0.113.7"}, "203.0.113.7", "auth.example.org"},
	{"Forwarded unterminated quote stays in its line", "10.0.0.1:4000", []string{`Forwarded: for="1.2.3.4, for=10.0.0.9`, "Forwarded: for=203.0.113.7"}, "203.0.113.7", "auth.example.org"},
	{"Forwarded unterminated quote swallows its line", "10.0.0.1:4000", []string{`Forwarded: for="1.2.3.4, for=203.0.113.7`}, "10.0.0.1", "auth.example.org"},
	{"Forwarded quoted comma", "10.0.0.1:4000", []string{`Forwarded: for=203.0.113.7;host="a,b", for=10.0.0.2`}, "203.0.113.7", "a,b"},
	{"Forwarded garbled element", "10.0.0.1:4000", []string{"Forwarded: for=203.0.113.7 junk"}, "10.0.0.1", "auth.example.org"},
	{"Forwarded ignores X-Forwarded-For", "10.0.0.1:4000", []string{"X-Forwarded-For: 198.51.100.1", "Forwarded: for=203.0.113.7"}, "203.0.113.7", "auth.example.org"},
	{"XFF ignores a Forwarded passed on", "10.0.0.1:4000", []string{"Forwarded: for=1.2.3.4;host=evil.example", "X-Forwarded-For: 203.0.113.7"}, "203.0.113.7", "auth.example.org"},
	{"Forwarded host only from its elements", "10.0.0.1:4000", []string{"Forwarded: for=203.0.113.7", "X-Forwarded-Host: evil.example"}, "203.0.113.7", "auth.example.org"},
	{"Forwarded host of an unread element", "10.0.0.1:4000", []string{"Forwarded: for=1.2.3.4;host=evil.example, for=203.0.113.7"}, "203.0.113.7", "auth.example.org"},
}

func header(lines []string) http.Header {
	h := http.Header{}
	for _, l := range lines {
		k, v, _ := strings.Cut(l, ": ")
		h.Add(k, v)
	}
	return h
}

// originField is the header a case's proxies write, by its name.
func originField(name string) string {
	if strings.HasPrefix(name, "Forwarded") || strings.HasPrefix(name, "untrusted peer's Forwarded") {
		return server.HeaderForwarded
	}
	return server.HeaderXForwardedFor
}

func TestResolveOrigin(t *testing.T) {
	for _, c := range originCases {
		ip, host := server.ResolveOrigin(proxies, originField(c.name), c.peer, "auth.example.org", header(c.lines))
		if ip != c.ip || host != c.host {
			t.Errorf("%s: got %s %q, want %s %q", c.name, ip, host, c.ip, c.host)
		}
		// Without trusted proxies the headers are never read.
		if ip, host := server.ResolveOrigin(nil, originField(c.name), c.peer, "auth.example.org", header(c.lines)); host != "auth.example.org" ||
			ip != netip.MustParseAddrPort(c.peer).Addr().Unmap().String() {
			t.Errorf("%s: without trusted proxies got %s %q", c.name, ip, host)
		}
	}
}

// FuzzResolveOrigin: whatever the headers, the client is the peer or one
// of the addresses they hold, and an untrusted peer is the client.
func FuzzResolveOrigin(f *testing.F) {
	for _, c := range originCases {
		f.Add(c.peer, strings.Join(c.lines, "\n"))
	}
	f.Fuzz(func(t *testing.T, peer, lines string) {
		h := header(strings.Split(lines, "\n"))
		for _, field := range []string{server.HeaderXForwardedFor, server.HeaderForwarded} {
			ip, _ := server.ResolveOrigin(proxies, field, peer, "auth.example.org", h)
			p, err := netip.ParseAddrPort(peer)
			if err != nil {
				return
			}
			if !slicesContains(proxies, p.Addr().Unmap()) && ip != p.Addr().Unmap().String() {
				t.Fatalf("untrusted peer %s gave client %s", peer, ip)
			}
			if _, err := netip.ParseAddr(ip); err != nil {
				t.Fatalf("client %q is not an IP address", ip)
			}
		}
	})
}

func slicesContains(ps []netip.Prefix, a netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// behindProxy trusts loopback as the proxy in front of the server.
func behindProxy(cfg *server.Config) {
	cfg.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
}

// TestForwardedClientIsRateLimited: behind a trusted proxy, the
// per-address limit counts each forwarded client apart, and a client that
// forges X-Forwarded-For reaches no fresh budget; without trusted
// proxies, forged headers are not believed.
func TestForwardedClientIsRateLimited(t *testing.T) {
	limited := func(cfg *server.Config) { cfg.RateIP = server.Rate{PerMinute: 1, Burst: 3} }
	status := func(e *env, hdr ...string) int {
		return e.call("POST", "/v1/password-resets", authapi.EmailRequest{Email: "x@example.org"}, "", hdr...).status
	}
	e := newEnv(t, behindProxy, limited)
	for i := range 3 {
		if st := status(e, "X-Forwarded-For", "203.0.113.10"); st != 202 {
			t.Fatalf("request %d: %d", i, st)
		}
	}
	e.call("POST", "/v1/password-resets", authapi.EmailRequest{Email: "x@example.org"}, "", "X-Forwarded-For", "203.0.113.10").
		expect(t, 429, authapi.CodeRateLimited)
	// The spent client forges a left entry: the proxy appends his address.
	if st := status(e, "X-Forwarded-For", "192.0.2.1, 203.0.113.10"); st != 429 {
		t.Errorf("a forged left entry gave a fresh budget: %d", st)
	}
	if st := status(e, "Forwarded", `for="[2001:db8:1::10]:443"`); st != 202 {
		t.Errorf("another client behind the proxy was limited: %d", st)
	}
	if st := status(e, "X-Forwarded-For", "203.0.113.11"); st != 202 {
		t.Errorf("another client behind the proxy was limited: %d", st)
	}

	direct := newEnv(t, limited)
	for i := range 3 {
		status(direct, "X-Forwarded-For", fmt.Sprintf("203.0.113.%d", 20+i))
	}
	if st := status(direct, "X-Forwarded-For", "203.0.113.30"); st != 429 {
		t.Errorf("without trusted proxies a forged X-Forwarded-For gave a fresh budget: %d", st)
	}
}

// TestActivitySeesForwardedClient: the activity log, the sessions and
// the request log name the forwarded client behind a trusted proxy, and
// the TCP peer when the header is forged without one.
func TestActivitySeesForwardedClient(t *testing.T) {
	e := newEnv(t, behindProxy)
	email, pw := e.account()
	e.call("POST", "/v1/sessions", authapi.CreateSessionRequest{Email: email, Password: "wrong " + pw}, "",
		"X-Forwarded-For", "192.0.2.1, 203.0.113.41").expect(t, 401, authapi.CodeInvalidCredentials)
	var tok authapi.Tokens
	e.call("POST", "/v1/sessions", authapi.CreateSessionRequest{Email: email, Password: pw, DeviceName: "test"}, "",
		"X-Forwarded-For", "[2001:db8:1::42]:5000").ok(t, 201, &tok)
	secret(tok.AccessToken)
	secret(tok.RefreshToken)
	var acts authapi.ActivityList
	e.call("GET", "/v1/me/activity", nil, tok.AccessToken).ok(t, 200, &acts)
	var ips []string
	for _, a := range acts.Events {
		ips = append(ips, a.IP)
	}
	if len(ips) < 2 || ips[0] != "2001:db8:1::42" || ips[1] != "203.0.113.41" {
		t.Errorf("activity addresses %v, want the forwarded clients", ips)
	}
	var list authapi.SessionList
	e.call("GET", "/v1/sessions", nil, tok.AccessToken).ok(t, 200, &list)
	if len(list.Sessions) != 1 || list.Sessions[0].IP != "2001:db8:1::42" {
		t.Errorf("sessions %+v, want the forwarded client", list.Sessions)
	}
	if !strings.Contains(logs.String(), `"ip":"203.0.113.41"`) {
		t.Error("the request log does not name the forwarded client")
	}

	direct := newEnv(t)
	email, pw = direct.account()
	tok = direct.signIn(email, pw)
	direct.call("POST", "/v1/sessions", authapi.CreateSessionRequest{Email: email, Password: "wrong " + pw}, "",
		"X-Forwarded-For", "203.0.113.42").expect(t, 401, authapi.CodeInvalidCredentials)
	acts = authapi.ActivityList{}
	direct.call("GET", "/v1/me/activity", nil, tok.AccessToken).ok(t, 200, &acts)
	for _, a := range acts.Events {
		if a.IP != "127.0.0.1" {
			t.Errorf("without trusted proxies the activity names %s", a.IP)
		}
	}
	if strings.Contains(logs.String(), "203.0.113.42") {
		t.Error("without trusted proxies the request log believed a forged X-Forwarded-For")
	}
}

// TestDNSRebinding: with a public URL, a request for another host (as a
// page of a rebound name sends) is refused with 421, /v1/status and
// unknown paths too; the host a trusted proxy forwards counts, a host
// forwarded through no trusted proxy does not.
func TestDNSRebinding(t *testing.T) {
	public := func(cfg *server.Config) { cfg.PublicURL = "https://auth.example.org" }
	e := newEnv(t, public)
	for _, path := range []string{"/v1/status", "/v1/me", "/nowhere"} {
		e.call("GET", path, nil, "", "Host", "rebound.example").expect(t, 421, authapi.CodeMisdirectedRequest)
	}
	e.call("GET", "/v1/status", nil, "", "Host", "auth.example.org:8443").expect(t, 421, authapi.CodeMisdirectedRequest)
	e.call("GET", "/v1/status", nil, "", "Host", "rebound.example", "X-Forwarded-Host", "auth.example.org").
		expect(t, 421, authapi.CodeMisdirectedRequest)
	e.call("GET", "/v1/status", nil, "", "Host", "rebound.example", "Forwarded", "for=203.0.113.1;host=auth.example.org").
		expect(t, 421, authapi.CodeMisdirectedRequest)
	for _, h := range []string{"auth.example.org", "AUTH.example.org", "auth.example.org:443"} {
		e.call("GET", "/v1/status", nil, "", "Host", h).ok(t, 200, nil)
	}

	p := newEnv(t, public, behindProxy)
	p.call("GET", "/v1/status", nil, "", "Host", "10.0.0.5:8080", "X-Forwarded-Host", "auth.example.org").ok(t, 200, nil)
	p.call("GET", "/v1/status", nil, "", "Host", "auth.example.org", "X-Forwarded-Host", "rebound.example").
		expect(t, 421, authapi.CodeMisdirectedRequest)
	// Proxies that write X-Forwarded-For pass on a client's Forwarded,
	// which is not read; proxies that write Forwarded are read there only.
	p.call("GET", "/v1/status", nil, "", "Host", "10.0.0.5:8080", "Forwarded", "for=203.0.113.1;host=auth.example.org").
		expect(t, 421, authapi.CodeMisdirectedRequest)
	fw := newEnv(t, public, behindProxy, func(cfg *server.Config) { cfg.ForwardedHeader = server.HeaderForwarded })
	fw.call("GET", "/v1/status", nil, "", "Host", "10.0.0.5:8080", "Forwarded", "for=203.0.113.1;host=auth.example.org").ok(t, 200, nil)
	fw.call("GET", "/v1/status", nil, "", "Host", "10.0.0.5:8080", "X-Forwarded-Host", "auth.example.org").
		expect(t, 421, authapi.CodeMisdirectedRequest)

	withPort := newEnv(t, func(cfg *server.Config) { cfg.PublicURL = "http://auth.example.org:8080/" })
	withPort.call("GET", "/v1/status", nil, "", "Host", "auth.example.org:8080").ok(t, 200, nil)
	withPort.call("GET", "/v1/status", nil, "", "Host", "auth.example.org").expect(t, 421, authapi.CodeMisdirectedRequest)
}

// TestMailboxRefusesProxiedRequests: a same-host proxy in front of the
// local mailbox must not publish the codes: a request with any forwarding
// header is answered 404 like an unknown path, trusted proxy or not.
func TestMailboxRefusesProxiedRequests(t *testing.T) {
	for _, tweak := range []func(*server.Config){func(*server.Config) {}, behindProxy} {
		e := newEnv(t, tweak)
		e.call("GET", "/v1/dev/mailbox?to=a@example.org", nil, "").ok(t, 200, nil)
		for _, h := range []string{"Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Real-IP"} {
			v := "127.0.0.1"
			if h == "Forwarded" {
				v = "for=127.0.0.1"
			}
			e.call("GET", "/v1/dev/mailbox?to=a@example.org", nil, "", h, v).expect(t, 404, authapi.CodeNotFound)
		}
	}
}

func TestPublicURLMustBeAbsolute(t *testing.T) {
	for _, u := range []string{"auth.example.org", "ftp://auth.example.org", "https://", "https://u:p@auth.example.org",
		"https://auth.example.org/?q=1", "https://auth.example.org/#x", "::"} {
		if err := server.CheckPublicURL(u); err == nil {
			t.Errorf("public URL %q was taken", u)
		}
	}
	for _, u := range []string{"https://auth.example.org", "http://[2001:db8::1]:8080/sesame"} {
		if err := server.CheckPublicURL(u); err != nil {
			t.Errorf("public URL %q: %v", u, err)
		}
	}
}

// TestForwardedHeaderIsOneOfTwo: New takes X-Forwarded-For (the default)
// or Forwarded, and nothing else.
func TestForwardedHeaderIsOneOfTwo(t *testing.T) {
	e := newEnv(t)
	for field, ok := range map[string]bool{"": true, server.HeaderXForwardedFor: true, server.HeaderForwarded: true, "X-Real-IP": false} {
		cfg := e.cfg
		cfg.ForwardedHeader = field
		srv, err := server.New(cfg)
		if (err == nil) != ok {
			t.Errorf("forwarded header %q: %v", field, err)
		}
		if err == nil {
			srv.Close(context.Background())
		}
	}
}
