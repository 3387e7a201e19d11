package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"slices"
	"testing"
	"time"

	"sesame/server"
)

// TestHashFloodWaitsBehindAUser reproduces a hash flood: while the one
// hashing slot is taken, 20 addresses behind a trusted proxy (10 IPv4, 10
// IPv6 /64s whose every request comes from another address of the /64)
// queue 3 sign-ins each; then a user signs in from her own address. Once
// the slot frees, her sign-in is served first, not after the flood's
// backlog.
func TestHashFloodWaitsBehindAUser(t *testing.T) {
	e := newEnv(t, func(c *server.Config) {
		c.MaxHashes = 1
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	})
	email, pw := e.account()
	// She opened her account a minute ago: its hashes have faded.
	e.clock.Advance(time.Minute)
	free := server.HoldHashes(t, e.srv)
	answered := make(chan string, 61)
	send := func(name, xff, body string) {
		go func() {
			if status := signInFrom(context.Background(), e.hc, e.url, xff, body); status != http.StatusCreated && name == "user" {
				name = fmt.Sprintf("user answered %d", status)
			}
			answered <- name
		}()
	}
	queued := 0
	for a := range 20 {
		for i := range 3 {
			xff := fmt.Sprintf("203.0.113.%d", a+1)
			if a%2 == 1 {
				xff = fmt.Sprintf("2001:db8:%x::%x", a, i+1)
			}
			send("flood", xff, fmt.Sprintf(`{"email":"flood%d-%d@example.net","password":%q}`, a, i, secret("wrong password!")))
			queued++
			server.WaitHashQueue(t, e.srv, queued)
		}
	}
	send("user", "198.51.100.7", fmt.Sprintf(`{"email":%q,"password":%q,"device_name":"laptop"}`, email, pw))
	server.WaitHashQueue(t, e.srv, queued+1)
	// The slot freed goes to her: the one request no longer waiting is
	// hers. (Which answer comes first depends on the database's speed:
	// hers writes a session after its hash, the flood's do not.)
	free() // hands the slot over before it returns
	for _, keys := range server.Waiting(e.srv) {
		if slices.Contains(keys, "email:"+email) {
			t.Fatalf("the flood's request %v was served before the user's", server.Waiting(e.srv))
		}
	}
	for range queued + 1 {
		if name := <-answered; name != "flood" && name != "user" {
			t.Fatal(name)
		}
	}
}
