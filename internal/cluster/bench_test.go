//go:build linux

package cluster_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"sesame/authapi"
	"sesame/internal/cluster"
)

// benchClients is how many clients sign in or refresh at once, each from
// its own address with an account of its own.
const benchClients = 8

// benchCluster is a cluster of the benchmark and its clients.
type benchCluster struct {
	limits  string
	c       *cluster.Cluster
	emails  []string
	hcs     []*http.Client
	refresh []string // each client's current refresh token
}

// BenchmarkCluster measures sign-ins/s and refreshes/s of benchClients
// clients through HAProxy to 1, 2 and 3 replicas on one PostgreSQL
// database, beside one replica reached directly, in three rounds whose
// medians it logs. Two clusters run at once, one without rate limits and
// one checking each at a rate no client reaches (limits=on), and the
// rounds alternate between them, so that the limits' cost shows apart from
// the machine's changing load. The replicas hash with the default argon2id
// costs (OWASP's minimum, the lowest sesame-authd accepts). Run it with
// scripts/postgres-session env CGO_ENABLED=0 go test -v -run '^$' -bench . ./internal/cluster/
func BenchmarkCluster(b *testing.B) {
	var bcs []*benchCluster
	for _, l := range []struct{ limits, rate string }{{"off", "0"}, {"on", "1000000"}} {
		bc := &benchCluster{limits: l.limits, c: cluster.Start(b, cluster.Options{Args: []string{
			"--rate-ip", l.rate, "--rate-account", l.rate, "--rate-mail", l.rate, "--rate-auth", l.rate, "--rate-refresh", l.rate}})}
		for i := range benchClients {
			from := fmt.Sprintf("127.0.4.%d", i+1)
			bc.emails = append(bc.emails, signUp(b, bc.c, from))
			bc.hcs = append(bc.hcs, cluster.HTTPClient(from))
			tok, err := bc.signIn(i, bc.c.URL)
			if err != nil {
				b.Fatal(err)
			}
			bc.refresh = append(bc.refresh, tok.RefreshToken)
		}
		bcs = append(bcs, bc)
	}
	targets := []string{"direct"}
	for n := range bcs[0].c.LB {
		targets = append(targets, fmt.Sprintf("haproxy-%d", n+1))
	}
	rates := map[string][]float64{}
	// b.Run calls its function again while it sizes b.N; the last call's
	// rate is the figure.
	var last float64
	for range 3 {
		for _, bc := range bcs {
			for t, name := range targets {
				url := bc.c.Replicas[0].URL
				if t > 0 {
					url = bc.c.LB[t-1]
				}
				run := func(op, unit string, f func(i int) error) {
					key := fmt.Sprintf("limits=%s/%s/%s", bc.limits, op, name)
					b.Run(key, func(b *testing.B) { last = drive(b, unit, f) })
					rates[key] = append(rates[key], last)
				}
				run("signin", "signins/s", func(i int) error { _, err := bc.signIn(i, url); return err })
				run("refresh", "refreshes/s", func(i int) error { return bc.rotate(i, url) })
			}
		}
	}
	var table strings.Builder
	fmt.Fprintf(&table, "medians of 3 rounds, %d clients:\n| target | sign-ins/s, limits off | on | refreshes/s, limits off | on |\n", benchClients)
	for _, name := range targets {
		fmt.Fprintf(&table, "| %s", name)
		for _, op := range []string{"signin", "refresh"} {
			for _, bc := range bcs {
				fmt.Fprintf(&table, " | %.1f", median(rates[fmt.Sprintf("limits=%s/%s/%s", bc.limits, op, name)]))
			}
		}
		table.WriteString(" |\n")
	}
	b.Log(table.String())
}

// signIn signs client i in at url.
func (bc *benchCluster) signIn(i int, url string) (authapi.Tokens, error) {
	a, err := exchange(bc.hcs[i], "POST", url+"/v1/sessions",
		authapi.CreateSessionRequest{Email: bc.emails[i], Password: password, DeviceName: "bench"}, "")
	return tokens(a, err, http.StatusCreated)
}

// rotate rotates client i's refresh token at url.
func (bc *benchCluster) rotate(i int, url string) error {
	a, err := exchange(bc.hcs[i], "POST", url+"/v1/tokens/refresh", authapi.RefreshRequest{RefreshToken: bc.refresh[i]}, "")
	tok, err := tokens(a, err, http.StatusOK)
	if err == nil {
		bc.refresh[i] = tok.RefreshToken
	}
	return err
}

// tokens reads the tokens of an answer of status want.
func tokens(a answer, err error, want int) (authapi.Tokens, error) {
	var tok authapi.Tokens
	if err != nil {
		return tok, err
	}
	if a.status != want {
		return tok, fmt.Errorf("%s answered %d %s", a.replica, a.status, a.code)
	}
	return tok, json.Unmarshal(a.body, &tok)
}

// drive runs b.N operations, benchClients at once (op(i) for client i),
// after one untimed operation of each, and reports and returns their rate
// as unit.
func drive(b *testing.B, unit string, op func(i int) error) float64 {
	for i := range benchClients {
		if err := op(i); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	var next atomic.Int64
	var wg sync.WaitGroup
	for i := range benchClients {
		wg.Go(func() {
			for next.Add(1) <= int64(b.N) {
				if err := op(i); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	rate := float64(b.N) / b.Elapsed().Seconds()
	b.ReportMetric(rate, unit)
	return rate
}

// median is the median of v.
func median(v []float64) float64 {
	v = slices.Clone(v)
	slices.Sort(v)
	return v[len(v)/2]
}
