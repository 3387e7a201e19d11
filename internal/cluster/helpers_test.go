//go:build linux

package cluster_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"sesame/authapi"
	"sesame/internal/cluster"
)

func TestMain(m *testing.M) {
	code := m.Run()
	cluster.Cleanup()
	os.Exit(code)
}

// answer is one exchange with a replica or with HAProxy.
type answer struct {
	status  int
	code    authapi.Code
	replica string // who served it, through HAProxy
	body    []byte
}

// call sends one request with hc and reads its answer; hdr are header
// name and value pairs.
func call(t testing.TB, hc *http.Client, method, url string, body any, token string, hdr ...string) answer {
	t.Helper()
	a, err := exchange(hc, method, url, body, token, hdr...)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// exchange is call for goroutines: it returns its error.
func exchange(hc *http.Client, method, url string, body any, token string, hdr ...string) (answer, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return answer{}, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		return answer{}, err
	}
	req.Header.Set(authapi.HeaderClientVersion, authapi.DefaultClientVersion)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", authapi.TokenTypeBearer+" "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Add(hdr[i], hdr[i+1])
	}
	resp, err := hc.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{}, err
	}
	a := answer{status: resp.StatusCode, replica: resp.Header.Get(cluster.ReplicaHeader), body: b}
	var p authapi.Problem
	if resp.StatusCode >= 400 && json.Unmarshal(b, &p) == nil {
		a.code = p.Code
	}
	return a, nil
}

// together sends n requests at once, send(i) the i-th, and returns the
// answers.
func together(t testing.TB, n int, send func(i int) (answer, error)) []answer {
	t.Helper()
	var mu sync.Mutex
	var out []answer
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			a, err := send(i)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				t.Error(err)
				return
			}
			out = append(out, a)
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	return out
}

// burst is together with the i-th request from the loopback address
// 127.0.1.i+1.
func burst(t testing.TB, n int, send func(hc *http.Client) (answer, error)) []answer {
	t.Helper()
	return together(t, n, func(i int) (answer, error) { return send(cluster.HTTPClient(fmt.Sprintf("127.0.1.%d", i+1))) })
}

// statuses counts answers by status.
func statuses(as []answer) map[int]int {
	n := map[int]int{}
	for _, a := range as {
		n[a.status]++
	}
	return n
}

// activity counts the account's activity entries by result.
func activity(t testing.TB, c *cluster.Cluster, email string) map[string]int {
	t.Helper()
	ctx := context.Background()
	a, err := c.Store.AccountByEmail(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	es, err := c.Store.Activity(ctx, a.ID, 1000)
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, e := range es {
		n[e.Result]++
	}
	return n
}

// client is an authapi.Client of base whose connections come from the
// loopback address from.
func client(t testing.TB, base, from string, opts ...authapi.Option) *authapi.Client {
	t.Helper()
	c, err := authapi.NewClient(base, append([]authapi.Option{authapi.WithHTTPClient(cluster.HTTPClient(from))}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var accounts atomic.Int64

// password is the password of every test account.
const password = "a long cluster password 7"

// newEmail is a fresh address.
func newEmail(name string) string {
	return fmt.Sprintf("%s%d@example.org", name, accounts.Add(1))
}

var codeRE = regexp.MustCompile(`\b(\d{6})\b`)

// mailedCode waits for the n-th mail to email in the database's outbox and
// returns its code.
func mailedCode(t testing.TB, c *cluster.Cluster, email string, n int) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ms, err := c.Store.Mails(context.Background(), email)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) >= n {
			m := ms[len(ms)-n] // newest first
			code := codeRE.FindStringSubmatch(m.Text)
			if code == nil {
				t.Fatalf("mail %q has no code", m.Subject)
			}
			return code[1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s got %d mails, want %d", email, len(ms), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// signUp makes a verified account through HAProxy and returns its address.
func signUp(t testing.TB, c *cluster.Cluster, from string) string {
	t.Helper()
	email := newEmail(strings.ReplaceAll(from, ".", "-") + "-")
	api := client(t, c.URL, from)
	ctx := context.Background()
	if err := api.CreateAccount(ctx, authapi.CreateAccountRequest{Email: email, Password: password}); err != nil {
		t.Fatal(err)
	}
	code := mailedCode(t, c, email, 1)
	if err := api.VerifyAccount(ctx, authapi.VerifyAccountRequest{Email: email, Code: code, Password: password}); err != nil {
		t.Fatal(err)
	}
	return email
}

// signIn signs in through HAProxy.
func signIn(t testing.TB, c *cluster.Cluster, from, email string) (*authapi.Client, authapi.Tokens) {
	t.Helper()
	api := client(t, c.URL, from)
	tok, err := api.SignIn(context.Background(), authapi.CreateSessionRequest{Email: email, Password: password, DeviceName: "cluster test"})
	if err != nil {
		t.Fatal(err)
	}
	return api, tok
}

// waitFor polls cond until it holds, failing the test after limit.
func waitFor(t testing.TB, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
