//go:build linux

package cluster_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"sesame/authapi"
	"sesame/internal/cluster"
)

// everyReplica sends n requests through HAProxy (n a multiple of the
// replicas) and checks that each answers want, and that round robin took
// them to every replica.
func everyReplica(t *testing.T, c *cluster.Cluster, send func() answer, want int, code authapi.Code) {
	t.Helper()
	seen := map[string]bool{}
	for range len(c.Replicas) {
		a := send()
		if a.status != want || a.code != code {
			t.Fatalf("%s answered %d %s, want %d %s", a.replica, a.status, a.code, want, code)
		}
		seen[a.replica] = true
	}
	if len(seen) != len(c.Replicas) {
		t.Fatalf("round robin reached %v only", seen)
	}
}

// TestRevokedSessionIsDeadOnEveryReplica: a session revoked through one
// replica is refused by every replica, directly and through HAProxy, for
// its access and its refresh token.
func TestRevokedSessionIsDeadOnEveryReplica(t *testing.T) {
	c := cluster.Start(t, cluster.Options{})
	email := signUp(t, c, "127.0.0.2")
	_, a := signIn(t, c, "127.0.0.2", email)
	_, b := signIn(t, c, "127.0.0.3", email)
	hc := cluster.HTTPClient("127.0.0.2")
	for _, r := range c.Replicas {
		if got := call(t, hc, "GET", r.URL+"/v1/me", nil, a.AccessToken); got.status != http.StatusOK {
			t.Fatalf("%s before the revocation: %d %s", r.Name, got.status, got.code)
		}
	}
	if got := call(t, hc, "DELETE", c.Replicas[0].URL+"/v1/sessions/"+a.SessionID, nil, b.AccessToken); got.status != http.StatusNoContent {
		t.Fatalf("revoking through %s: %d %s", c.Replicas[0].Name, got.status, got.code)
	}
	for _, r := range c.Replicas {
		if got := call(t, hc, "GET", r.URL+"/v1/me", nil, a.AccessToken); got.status != http.StatusUnauthorized || got.code != authapi.CodeUnauthorized {
			t.Errorf("%s took the revoked access token: %d %s", r.Name, got.status, got.code)
		}
		got := call(t, hc, "POST", r.URL+"/v1/tokens/refresh", authapi.RefreshRequest{RefreshToken: a.RefreshToken}, "")
		if got.status != http.StatusUnauthorized || got.code != authapi.CodeInvalidRefreshToken {
			t.Errorf("%s took the revoked refresh token: %d %s", r.Name, got.status, got.code)
		}
		if got := call(t, hc, "GET", r.URL+"/v1/me", nil, b.AccessToken); got.status != http.StatusOK {
			t.Errorf("%s refused the session that revoked: %d %s", r.Name, got.status, got.code)
		}
	}
	everyReplica(t, c, func() answer { return call(t, hc, "GET", c.URL+"/v1/me", nil, a.AccessToken) },
		http.StatusUnauthorized, authapi.CodeUnauthorized)
}

// TestMaintenanceReachesEveryReplica: "sesame-authd maintenance on" on the
// database puts every replica in maintenance within its refresh of the
// switch, and "off" takes every one out, with no restart.
func TestMaintenanceReachesEveryReplica(t *testing.T) {
	c := cluster.Start(t, cluster.Options{})
	hc := cluster.HTTPClient("127.0.0.2")
	me := func(base string) answer { return call(t, hc, "GET", base+"/v1/me", nil, "") }
	everyReplica(t, c, func() answer { return me(c.URL) }, http.StatusUnauthorized, authapi.CodeUnauthorized)

	ctx := context.Background()
	start := time.Now()
	if err := c.Maintenance(ctx, true, "--message", "Moving house"); err != nil {
		t.Fatal(err)
	}
	for _, r := range c.Replicas {
		// The servers read the switch at most once a second.
		waitFor(t, 10*time.Second, r.Name+" enters maintenance", func() bool { return me(r.URL).code == authapi.CodeMaintenance })
	}
	t.Logf("every replica in maintenance %v after the switch", time.Since(start).Round(time.Millisecond))
	everyReplica(t, c, func() answer { return me(c.URL) }, http.StatusServiceUnavailable, authapi.CodeMaintenance)
	// The health checks keep every replica in: /v1/status answers in maintenance.
	everyReplica(t, c, func() answer { return call(t, hc, "GET", c.URL+"/v1/status", nil, "") }, http.StatusOK, "")

	if err := c.Maintenance(ctx, false); err != nil {
		t.Fatal(err)
	}
	for _, r := range c.Replicas {
		waitFor(t, 10*time.Second, r.Name+" leaves maintenance", func() bool { return me(r.URL).code == authapi.CodeUnauthorized })
	}
	everyReplica(t, c, func() answer { return me(c.URL) }, http.StatusUnauthorized, authapi.CodeUnauthorized)
}
