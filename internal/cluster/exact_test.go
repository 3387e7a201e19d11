//go:build linux

package cluster_test

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"sesame/authapi"
	"sesame/internal/cluster"
	"sesame/server"
)

// TestLockoutExactAcrossReplicas: wrong passwords spread over the replicas,
// a burst from many addresses and then one at a time, lock the account at
// exactly the policy's count of failures, and the lock holds on every
// replica.
func TestLockoutExactAcrossReplicas(t *testing.T) {
	// No per-account rate: the lock, not the rate, is under test.
	c := cluster.Start(t, cluster.Options{Args: []string{"--rate-account", "0"}})
	maxFailures := server.DefaultConfig().Lock.MaxFailures
	email := signUp(t, c, "127.0.0.2")
	wrong := authapi.CreateSessionRequest{Email: email, Password: "not the password at all", DeviceName: "cluster test"}

	// Attempts beyond the ones the lock allows in flight answer 429.
	as := burst(t, 3*maxFailures, func(hc *http.Client) (answer, error) { return exchange(hc, "POST", c.URL+"/v1/sessions", wrong, "") })
	counts := statuses(as)
	refused := counts[http.StatusUnauthorized]
	hc := cluster.HTTPClient("127.0.0.2")
	seen := map[string]bool{}
	for _, a := range as {
		seen[a.replica] = true
	}
	for range 3 * maxFailures {
		a := call(t, hc, "POST", c.URL+"/v1/sessions", wrong, "")
		seen[a.replica] = true
		if a.status == http.StatusLocked {
			break
		}
		if a.status != http.StatusUnauthorized {
			t.Fatalf("a wrong password answered %d %s", a.status, a.code)
		}
		refused++
	}
	if len(seen) != len(c.Replicas) {
		t.Errorf("the attempts reached only %v", seen)
	}
	if refused != maxFailures-1 {
		t.Fatalf("%d wrong passwords were refused before the lock (burst: %v), want %d", refused, counts, maxFailures-1)
	}
	if got := activity(t, c, email); got[authapi.ResultInvalidCredentials] != maxFailures-1 || got[authapi.ResultLocked] != 1 {
		t.Fatalf("the activity counts %v, want %d failures and one lock", got, maxFailures-1)
	}
	right := authapi.CreateSessionRequest{Email: email, Password: password, DeviceName: "cluster test"}
	for _, r := range c.Replicas {
		if a := call(t, hc, "POST", r.URL+"/v1/sessions", right, ""); a.status != http.StatusLocked || a.code != authapi.CodeAccountLocked {
			t.Errorf("%s let the right password through the lock: %d %s", r.Name, a.status, a.code)
		}
	}
}

// TestCodeBudgetExactAcrossReplicas: the wrong mailed codes of an address,
// spread over the replicas, spend exactly a code's attempts and exactly the
// address's budget: one miss short of it the right code still works, and
// at it the right code is refused by every replica.
func TestCodeBudgetExactAcrossReplicas(t *testing.T) {
	// No rates: the budget, not the rates, is under test.
	c := cluster.Start(t, cluster.Options{Args: []string{"--rate-account", "0", "--rate-mail", "0"}})
	def := server.DefaultConfig()
	attempts, budget := def.CodeAttempts, def.CodeBudget.Misses
	if budget <= attempts || budget > 2*attempts {
		t.Fatalf("the test needs attempts < budget ≤ 2 × attempts, not %d and %d", attempts, budget)
	}
	email := signUp(t, c, "127.0.0.2")
	hc := cluster.HTTPClient("127.0.0.2")
	mails := 1 // the verification
	reset := func() string {
		t.Helper()
		if a := call(t, hc, "POST", c.URL+"/v1/password-resets", authapi.EmailRequest{Email: email}, ""); a.status != http.StatusAccepted {
			t.Fatalf("reset: %d %s", a.status, a.code)
		}
		mails++
		return mailedCode(t, c, email, mails)
	}
	verify := func(hc *http.Client, base, code string) (answer, error) {
		return exchange(hc, "POST", base+"/v1/password-resets/verify", authapi.EmailCodeRequest{Email: email, Code: code}, "")
	}
	miss := func(code string) {
		t.Helper()
		if a, err := verify(hc, c.URL, wrongCode(code)); err != nil || a.status != http.StatusBadRequest || a.code != authapi.CodeInvalidCode {
			t.Fatalf("a wrong code answered %d %s, %v", a.status, a.code, err)
		}
	}

	// A burst on one code: exactly its attempts are misses, the rest
	// find no live code.
	code := reset()
	counts := statuses(burst(t, 2*attempts, func(hc *http.Client) (answer, error) { return verify(hc, c.URL, wrongCode(code)) }))
	if counts[http.StatusBadRequest] != attempts || counts[http.StatusGone] != attempts {
		t.Fatalf("a burst of %d wrong codes answered %v, want %d misses", 2*attempts, counts, attempts)
	}
	// One miss short of the budget the right code works.
	code = reset()
	for range budget - attempts - 1 {
		miss(code)
	}
	if a := call(t, hc, "POST", c.URL+"/v1/password-resets/verify", authapi.EmailCodeRequest{Email: email, Code: code}, ""); a.status != http.StatusOK {
		t.Fatalf("the right code one miss short of the budget: %d %s", a.status, a.code)
	}
	// The miss that spends it closes every replica to the right code.
	code = reset()
	miss(code)
	for _, r := range c.Replicas {
		if a := call(t, hc, "POST", r.URL+"/v1/password-resets/verify", authapi.EmailCodeRequest{Email: email, Code: code}, ""); a.status != http.StatusGone || a.code != authapi.CodeCodeExpired {
			t.Errorf("%s took the right code past the budget: %d %s", r.Name, a.status, a.code)
		}
	}
	waitFor(t, 10*time.Second, "the owner is told once", func() bool { return activity(t, c, email)[authapi.ResultCodesLocked] == 1 })
}

// wrongCode is a code that is not code.
func wrongCode(code string) string {
	n, _ := strconv.Atoi(code)
	return fmt.Sprintf("%06d", (n+1)%1_000_000)
}
