//go:build linux

package cluster_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"sesame/authapi"
	"sesame/internal/cluster"
	"sesame/server"
)

// TestRateLimitsExactAcrossReplicas: each rate limit lets through exactly
// its burst, however the requests spread over the replicas: per address
// (only HAProxy's own address is trusted, so a client's X-Forwarded-For
// changes nothing, and another address has its own budget), per account
// attempt, per mail, per signed-in account and per refreshed session, and
// refreshes of unknown tokens per address. The limits refill one token a
// minute, which the test does not last. With limits kept in each process,
// as before branch limits, every replica gave the whole burst.
func TestRateLimitsExactAcrossReplicas(t *testing.T) {
	c := cluster.Start(t, cluster.Options{Args: []string{"--rate-ip", "1", "--rate-account", "1", "--rate-mail", "1", "--rate-auth", "1", "--rate-refresh", "1"}})
	def := server.DefaultConfig()
	t.Run("address", func(t *testing.T) {
		// An empty body passes the limit and is refused after it, with 400.
		hc := cluster.HTTPClient("127.0.0.2")
		as := together(t, 2*def.RateIP.Burst, func(int) (answer, error) {
			return exchange(hc, "POST", c.URL+"/v1/password-resets/verify", struct{}{}, "", "X-Forwarded-For", "198.51.100.7")
		})
		if n := passed(t, as, http.StatusBadRequest); n != def.RateIP.Burst {
			t.Errorf("%d requests of one address passed, want %d", n, def.RateIP.Burst)
		}
		if a := call(t, cluster.HTTPClient("127.0.0.3"), "POST", c.URL+"/v1/password-resets/verify", struct{}{}, ""); a.status != http.StatusBadRequest {
			t.Errorf("another address was limited: %d %s", a.status, a.code)
		}
	})
	t.Run("account attempts", func(t *testing.T) {
		req := authapi.EmailCodeRequest{Email: newEmail("attempts"), Code: "123456"}
		as := burst(t, 2*def.RateAccount.Burst, func(hc *http.Client) (answer, error) {
			return exchange(hc, "POST", c.URL+"/v1/password-resets/verify", req, "")
		})
		if n := passed(t, as, http.StatusGone); n != def.RateAccount.Burst {
			t.Errorf("%d code attempts on one address passed, want %d", n, def.RateAccount.Burst)
		}
	})
	t.Run("mails", func(t *testing.T) {
		req := authapi.EmailRequest{Email: newEmail("mails")}
		as := burst(t, 2*def.RateMail.Burst, func(hc *http.Client) (answer, error) {
			return exchange(hc, "POST", c.URL+"/v1/password-resets", req, "")
		})
		if n := passed(t, as, http.StatusAccepted); n != def.RateMail.Burst {
			t.Errorf("%d mails to one address passed, want %d", n, def.RateMail.Burst)
		}
	})
	t.Run("signed in", func(t *testing.T) {
		email := signUp(t, c, "127.0.0.4")
		_, tok := signIn(t, c, "127.0.0.4", email)
		// Many addresses: the account's limit binds, not theirs.
		as := burst(t, 2*def.RateAuth.Burst, func(hc *http.Client) (answer, error) {
			return exchange(hc, "GET", c.URL+"/v1/me", nil, tok.AccessToken)
		})
		if n := passed(t, as, http.StatusOK); n != def.RateAuth.Burst {
			t.Errorf("%d requests of one account passed, want %d", n, def.RateAuth.Burst)
		}
	})
	t.Run("unknown refresh tokens", func(t *testing.T) {
		hc := cluster.HTTPClient("127.0.0.5")
		as := together(t, 2*def.RateIP.Burst, func(int) (answer, error) {
			return exchange(hc, "POST", c.URL+"/v1/tokens/refresh", authapi.RefreshRequest{RefreshToken: "not a token"}, "")
		})
		if n := passed(t, as, http.StatusUnauthorized); n != def.RateIP.Burst {
			t.Errorf("%d unknown refresh tokens of one address were checked, want %d", n, def.RateIP.Burst)
		}
	})
	t.Run("refreshes of a session", func(t *testing.T) {
		email := signUp(t, c, "127.0.0.6")
		_, tok := signIn(t, c, "127.0.0.6", email)
		// One after another, each with the last token, spread over the
		// replicas by HAProxy.
		var as []answer
		for range 2 * def.RateRefresh.Burst {
			a := call(t, cluster.HTTPClient("127.0.0.6"), "POST", c.URL+"/v1/tokens/refresh", authapi.RefreshRequest{RefreshToken: tok.RefreshToken}, "")
			if a.status == http.StatusOK {
				if err := json.Unmarshal(a.body, &tok); err != nil {
					t.Fatal(err)
				}
			}
			as = append(as, a)
		}
		if n := passed(t, as, http.StatusOK); n != def.RateRefresh.Burst {
			t.Errorf("%d refreshes of one session passed, want %d", n, def.RateRefresh.Burst)
		}
	})
}

// passed counts the answers ok and fails the test on any but ok or 429
// rate_limited.
func passed(t *testing.T, as []answer, ok int) int {
	t.Helper()
	n := 0
	for _, a := range as {
		switch {
		case a.status == ok:
			n++
		case a.status != http.StatusTooManyRequests || a.code != authapi.CodeRateLimited:
			t.Fatalf("%s answered %d %s", a.replica, a.status, a.code)
		}
	}
	return n
}
