//go:build linux

package cluster_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"sesame/authapi"
	"sesame/internal/cluster"
)

// benchClients is how many clients sign in or refresh at once, each from
// its own address with an account of its own.
const benchClients = 8

// BenchmarkCluster measures, in one run, sign-ins/s and refreshes/s of
// benchClients clients through HAProxy to 1, 2 and 3 replicas on one
// PostgreSQL database, beside one replica reached directly. The replicas
// hash with the default argon2id costs (OWASP's minimum, which is also the
// lowest sesame-authd accepts). With limits=on every rate limit is checked
// at a rate no client reaches, so that its cost shows beside limits=off.
func BenchmarkCluster(b *testing.B) {
	for _, limits := range []string{"off", "on"} {
		rate := "0"
		if limits == "on" {
			rate = "1000000"
		}
		b.Run("limits="+limits, func(b *testing.B) {
			c := cluster.Start(b, cluster.Options{Args: []string{"--rate-ip", rate, "--rate-account", rate,
				"--rate-mail", rate, "--rate-auth", rate}})
			var emails []string
			var hcs []*http.Client
			for i := range benchClients {
				from := fmt.Sprintf("127.0.4.%d", i+1)
				emails = append(emails, signUp(b, c, from))
				hcs = append(hcs, cluster.HTTPClient(from))
			}
			targets := []struct{ name, url string }{{"direct", c.Replicas[0].URL}}
			for n, u := range c.LB {
				targets = append(targets, struct{ name, url string }{fmt.Sprintf("haproxy-%d", n+1), u})
			}
			for _, tg := range targets {
				signIn := func(i int) (authapi.Tokens, error) {
					a, err := exchange(hcs[i], "POST", tg.url+"/v1/sessions",
						authapi.CreateSessionRequest{Email: emails[i], Password: password, DeviceName: "bench"}, "")
					return tokens(a, err, http.StatusCreated)
				}
				b.Run("signin/"+tg.name, func(b *testing.B) {
					drive(b, "signins/s", func(i int) error { _, err := signIn(i); return err })
				})
				b.Run("refresh/"+tg.name, func(b *testing.B) {
					refresh := make([]string, benchClients)
					for i := range refresh {
						tok, err := signIn(i)
						if err != nil {
							b.Fatal(err)
						}
						refresh[i] = tok.RefreshToken
					}
					drive(b, "refreshes/s", func(i int) error {
						tok, err := tokens(exchange(hcs[i], "POST", tg.url+"/v1/tokens/refresh", authapi.RefreshRequest{RefreshToken: refresh[i]}, ""))
						refresh[i] = tok.RefreshToken
						return err
					})
				})
			}
		})
	}
}

// tokens reads the tokens of an answer of status want.
func tokens(a answer, err error, want ...int) (authapi.Tokens, error) {
	var tok authapi.Tokens
	if err != nil {
		return tok, err
	}
	ok := http.StatusOK
	if len(want) > 0 {
		ok = want[0]
	}
	if a.status != ok {
		return tok, fmt.Errorf("%s answered %d %s", a.replica, a.status, a.code)
	}
	return tok, json.Unmarshal(a.body, &tok)
}

// drive runs b.N operations, benchClients at once (op(i) for client i),
// after one untimed operation of each, and reports their rate as unit.
func drive(b *testing.B, unit string, op func(i int) error) {
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
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), unit)
}
