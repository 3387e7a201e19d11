package server_test

import (
	"strings"
	"testing"

	"sesame/authapi"
	"sesame/server"
)

// TestLimitsSharedByServers: two servers on one database, as two replicas
// behind a load balancer, give a client that alternates between them
// exactly the budget of each limit, not one budget per server.
func TestLimitsSharedByServers(t *testing.T) {
	budget := server.Rate{PerMinute: 1, Burst: 4}
	for _, c := range []struct {
		name  string
		tweak func(*server.Config)
		// setup returns the request the client repeats (through a
		// server, answering its status), and its status within the budget.
		setup func(e *env) (request func(via *env) int, status int)
	}{
		{"per address", func(c *server.Config) { c.RateIP = budget }, func(e *env) (func(*env) int, int) {
			return same("POST", "/v1/password-resets", authapi.EmailRequest{Email: "x@example.org"}, ""), 202
		}},
		{"refresh of unknown tokens per address", func(c *server.Config) { c.RateIP = budget }, func(e *env) (func(*env) int, int) {
			return same("POST", "/v1/tokens/refresh", authapi.RefreshRequest{RefreshToken: "not a token"}, ""), 401
		}},
		{"refresh per session, not per address", func(c *server.Config) { c.RateRefresh, c.RateIP = budget, budget }, func(e *env) (func(*env) int, int) {
			email, pw := e.account()
			refresh := e.signIn(email, pw).RefreshToken // takes an address token
			return func(via *env) int {
				a := via.call("POST", "/v1/tokens/refresh", authapi.RefreshRequest{RefreshToken: refresh}, "")
				if a.status == 200 {
					var t authapi.Tokens
					a.ok(e.t, 200, &t)
					refresh = t.RefreshToken
				}
				return a.status
			}, 200
		}},
		{"sign-in per account", func(c *server.Config) { c.RateAccount = budget }, func(e *env) (func(*env) int, int) {
			email, _ := e.account()
			return same("POST", "/v1/sessions", authapi.CreateSessionRequest{Email: email, Password: "wrong password!"}, ""), 401
		}},
		{"codes per account", func(c *server.Config) { c.RateAccount = budget }, func(e *env) (func(*env) int, int) {
			email, _ := e.account()
			wrong := wrongCode(e.startReset(email))
			return same("POST", "/v1/password-resets/verify", authapi.EmailCodeRequest{Email: email, Code: wrong}, ""), 400
		}},
		{"authenticated per account", func(c *server.Config) { c.RateAuth = budget }, func(e *env) (func(*env) int, int) {
			email, pw := e.account()
			return same("GET", "/v1/me", nil, e.signIn(email, pw).AccessToken), 200
		}},
		{"mails per address", func(c *server.Config) { c.RateMail = budget }, func(e *env) (func(*env) int, int) {
			return same("POST", "/v1/password-resets", authapi.EmailRequest{Email: "x@example.org"}, ""), 202
		}},
		{"daily mails per address", func(c *server.Config) { c.MailsPerDay = budget.Burst }, func(e *env) (func(*env) int, int) {
			return same("POST", "/v1/accounts", authapi.CreateAccountRequest{Email: "x@example.org", Password: secret("a long new password 1")}, ""), 202
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, c.tweak)
			request, status := c.setup(e)
			e2 := e.second()
			count := map[int]int{}
			for i := range 2 * budget.Burst {
				via := []*env{e, e2}[i%2]
				count[request(via)]++
			}
			if count[status] != budget.Burst || count[429] != budget.Burst {
				t.Fatalf("answers %v, want %d×%d and %d×429", count, budget.Burst, status, budget.Burst)
			}
		})
	}
}

// same is a request that a client repeats unchanged.
func same(method, path string, body any, token string) func(*env) int {
	return func(via *env) int { return via.call(method, path, body, token).status }
}

// TestIPv6ClientsLimitedByTheirSlash64: behind a trusted proxy, the
// addresses of one IPv6 /64 (which one client is usually given) share a
// bucket, those of another /64 do not; every IPv4 address has its own,
// and an IPv4-mapped IPv6 address is its IPv4 address.
func TestIPv6ClientsLimitedByTheirSlash64(t *testing.T) {
	e := newEnv(t, behindProxy, func(c *server.Config) { c.RateIP = server.Rate{PerMinute: 1, Burst: 2} })
	from := func(addr string) int {
		return e.call("POST", "/v1/password-resets", authapi.EmailRequest{Email: "x@example.org"}, "", "X-Forwarded-For", addr).status
	}
	for i, c := range []struct {
		addr   string
		status int
	}{
		{"2001:db8:1:2::1", 202},
		{"2001:db8:1:2:ffff:ffff:ffff:fffe", 202},
		{"[2001:db8:1:2::abcd]:4000", 429}, // the same /64
		{"2001:db8:1:3::1", 202},           // the next /64
		{"203.0.113.1", 202},
		{"203.0.113.1", 202},
		{"203.0.113.2", 202}, // IPv4 is never grouped
		{"::ffff:203.0.113.1", 429},
	} {
		if got := from(c.addr); got != c.status {
			t.Errorf("request %d from %s: %d, want %d", i+1, c.addr, got, c.status)
		}
	}
}

// TestLimitsWhenTheStoreFails: a limit the store cannot check refuses the
// request (500) for sign-ins, codes, mails and per address; the limit of
// authenticated requests, which bounds load only, lets it through.
func TestLimitsWhenTheStoreFails(t *testing.T) {
	some := server.Rate{PerMinute: 60, Burst: 100}
	e := newEnv(t, func(c *server.Config) { c.RateAccount, c.RateMail, c.RateAuth = some, some, some })
	email, pw := e.account()
	tok := e.signIn(email, pw)
	ip := newEnv(t, func(c *server.Config) { c.RateIP = some })
	for _, x := range []*env{e, ip} {
		if _, err := x.rawDB().Exec(`DROP TABLE rate_limits`); err != nil {
			t.Fatal(err)
		}
	}
	e.call("GET", "/v1/me", nil, tok.AccessToken).ok(t, 200, nil)
	if !strings.Contains(logs.String(), "checking the authenticated requests' rate limit failed") {
		t.Error("the failed check of the authenticated requests' limit was not logged")
	}
	e.call("POST", "/v1/sessions", authapi.CreateSessionRequest{Email: email, Password: pw}, "").expect(t, 500, authapi.CodeInternal)
	e.call("POST", "/v1/password-resets/verify", authapi.EmailCodeRequest{Email: email, Code: "123456"}, "").expect(t, 500, authapi.CodeInternal)
	e.call("POST", "/v1/password-resets", authapi.EmailRequest{Email: email}, "").expect(t, 500, authapi.CodeInternal)
	ip.call("POST", "/v1/tokens/refresh", authapi.RefreshRequest{RefreshToken: "x"}, "").expect(t, 500, authapi.CodeInternal)
}

// TestMailboxSpendsNoBudget: the local mailbox, which the app's Mailbox
// window polls every few seconds, spends none of the address's budget, so
// that the user's own requests to the built-in server are not refused.
func TestMailboxSpendsNoBudget(t *testing.T) {
	e := newEnv(t, func(c *server.Config) { c.RateIP = server.Rate{PerMinute: 1, Burst: 2} })
	for range 5 {
		e.call("GET", "/v1/dev/mailbox?to=x@example.org", nil, "").ok(t, 200, nil)
	}
	e.call("POST", "/v1/password-resets", authapi.EmailRequest{Email: "x@example.org"}, "").ok(t, 202, nil)
}
