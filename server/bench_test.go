package server_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"sesame/authapi"
	"sesame/server"
	"sesame/server/passhash"
	"sesame/server/store"
)

// latencies collects the duration of every operation of a benchmark.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d []time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d...)
	l.mu.Unlock()
}

func (l *latencies) report(b *testing.B) {
	slices.Sort(l.d)
	if len(l.d) == 0 {
		return
	}
	b.ReportMetric(float64(l.d[len(l.d)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(l.d[len(l.d)*99/100].Microseconds())/1000, "p99-ms")
}

// parallel runs op under b.RunParallel with p goroutines per CPU and
// reports the rate and the latency percentiles; it returns the rate.
func parallel(b *testing.B, p int, unit string, op func(worker int)) float64 {
	var lat latencies
	var next sync.Mutex
	worker := 0
	b.SetParallelism(p)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		next.Lock()
		w := worker
		worker++
		next.Unlock()
		var mine []time.Duration
		for pb.Next() {
			t := time.Now()
			op(w)
			mine = append(mine, time.Since(t))
		}
		lat.add(mine)
	})
	rate := float64(b.N) / time.Since(start).Seconds()
	b.StopTimer()
	b.ReportMetric(rate, unit)
	lat.report(b)
	return rate
}

// BenchmarkSignIn measures, in one run, the raw argon2id verification rate
// with the configured parameters on every CPU, and the server's sign-in rate
// over loopback HTTP at full load; sign-in is bound by the hash, so the
// server must reach 90% of the raw rate. The two are measured in turns,
// three times each, and their medians compared, so that a change in the
// machine's load during the run does not decide the result.
func BenchmarkSignIn(b *testing.B) {
	e := newEnv(b)
	params := e.cfg.Hash
	if err := params.Validate(); err != nil {
		b.Fatal(err)
	}
	phc := passhash.Hash("correct horse battery staple", params)
	// One account per client: many users signing in at once. Two clients
	// per CPU keep every hashing slot busy.
	clients := 2 * runtime.GOMAXPROCS(0)
	reqs := make([]authapi.CreateSessionRequest, clients)
	for i := range reqs {
		email, pw := e.account()
		reqs[i] = authapi.CreateSessionRequest{Email: email, Password: pw, DeviceName: "bench"}
	}
	var raw, served []float64
	// b.Run calls its function again while it sizes b.N; the last call's
	// rate is the figure.
	var last float64
	for range 3 {
		b.Run(fmt.Sprintf("argon2id-m=%d-t=%d-p=%d", params.Memory, params.Time, params.Threads), func(b *testing.B) {
			last = parallel(b, 1, "hashes/s", func(int) {
				if ok, err := passhash.Verify("correct horse battery staple", phc); !ok || err != nil {
					b.Error("verification failed")
				}
			})
		})
		raw = append(raw, last)
		b.Run("http", func(b *testing.B) {
			last = parallel(b, 2, "sign-ins/s", func(w int) {
				if a := e.call("POST", "/v1/sessions", reqs[w], ""); a.status != 201 {
					b.Errorf("sign-in: %d %s", a.status, a.body)
				}
			})
		})
		served = append(served, last)
	}
	r, s := median(raw), median(served)
	b.Logf("the server signs in at %.0f%% of the raw hash rate (medians %.1f/s of %.1f/s)", s/r*100, s, r)
	if s < 0.9*r {
		b.Errorf("the server signs in %.1f/s, below 90%% of the raw hash rate %.1f/s", s, r)
	}
}

// median returns the median of v.
func median(v []float64) float64 {
	v = slices.Clone(v)
	slices.Sort(v)
	return v[len(v)/2]
}

// BenchmarkRefresh measures refresh-token rotations per second over
// loopback HTTP (on SQLite, or PostgreSQL with SESAME_TEST_STORE=postgres),
// each client rotating its own session's token; the target is 2,000/s on
// a 2-core machine. It runs without rate limits and with the shared ones
// (see limitsOnAndOff).
func BenchmarkRefresh(b *testing.B) {
	limitsOnAndOff(b, "rotations/s", func(e *env) func(w int) {
		email, pw := e.account()
		tokens := make([]string, 64)
		for i := range tokens {
			tokens[i] = e.signIn(email, pw).RefreshToken
		}
		return func(w int) {
			var t authapi.Tokens
			a := e.call("POST", "/v1/tokens/refresh", authapi.RefreshRequest{RefreshToken: tokens[w]}, "", clientAddr(w)...)
			a.ok(b, 200, &t)
			tokens[w] = t.RefreshToken
		}
	})
}

// BenchmarkSignInLimits measures sign-ins per second over loopback HTTP,
// one account per client, without rate limits and with the shared ones
// (see limitsOnAndOff).
func BenchmarkSignInLimits(b *testing.B) {
	limitsOnAndOff(b, "sign-ins/s", func(e *env) func(w int) {
		reqs := make([]authapi.CreateSessionRequest, 64)
		for i := range reqs {
			email, pw := e.account()
			reqs[i] = authapi.CreateSessionRequest{Email: email, Password: pw, DeviceName: "bench"}
		}
		return func(w int) {
			if a := e.call("POST", "/v1/sessions", reqs[w], "", clientAddr(w)...); a.status != 201 {
				b.Errorf("sign-in: %d %s", a.status, a.body)
			}
		}
	})
}

// clientAddr is the forwarded address of benchmark client w: every client
// behind the (trusted) loopback proxy has a bucket of its own.
func clientAddr(w int) []string {
	return []string{"X-Forwarded-For", fmt.Sprintf("2001:db8:%x::1", w)}
}

// limitsOnAndOff measures op (made by setup on a server of its own) on a
// server without rate limits and on one whose every limit is checked, in
// the shared buckets of its store, but never refuses: in six pairs of
// turns, 8 clients a CPU (each goes first in every other pair). It reports
// what the limits cost as the median of the pairs' ratios of the rates and
// of the CPU time an operation takes (this process's, which serves and
// calls, and on PostgreSQL the database's), which other work on the
// machine moves much less than it moves the rates. The issue allows the
// limits 10%.
func limitsOnAndOff(b *testing.B, unit string, setup func(e *env) func(w int)) {
	huge := server.Rate{PerMinute: 1 << 40, Burst: 1 << 30}
	on := func(c *server.Config) {
		c.RateIP, c.RateAccount, c.RateMail, c.RateAuth, c.RateRefresh = huge, huge, huge, huge, huge
	}
	off := newEnv(b, behindProxy)
	ops := map[string]func(int){"limits-off": setup(off), "limits-on": setup(newEnv(b, behindProxy, on))}
	var costs, cpuCosts, offRates, offCPU []float64
	for i := range 6 {
		rate, cpu := map[string]float64{}, map[string]float64{}
		for _, name := range [][]string{{"limits-off", "limits-on"}, {"limits-on", "limits-off"}}[i%2] {
			b.Run(name, func(b *testing.B) {
				c0 := cpuTime(b, off)
				rate[name] = parallel(b, 8, unit, ops[name])
				cpu[name] = float64(cpuTime(b, off)-c0) / float64(time.Microsecond) / float64(b.N)
				b.ReportMetric(cpu[name], "cpu-µs/op")
			})
		}
		costs = append(costs, (1-rate["limits-on"]/rate["limits-off"])*100)
		cpuCosts = append(cpuCosts, (1-cpu["limits-off"]/cpu["limits-on"])*100)
		offRates, offCPU = append(offRates, rate["limits-off"]), append(offCPU, cpu["limits-off"])
	}
	b.Logf("the shared limits cost %.1f%% of the rate (pairs %.1f) and %.1f%% of the CPU time (pairs %.1f); without them %.0f %s, %.0f CPU µs each",
		median(costs), costs, median(cpuCosts), cpuCosts, median(offRates), unit, median(offCPU))
}

// cpuTime is the CPU time this process has used, and on PostgreSQL the
// backends of e's database too.
func cpuTime(b *testing.B, e *env) time.Duration {
	t, err := processCPU()
	if err != nil {
		b.Fatal(err)
	}
	if e.dbPath != "" {
		return t
	}
	rows, err := e.rawDB().Query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var pid int
		if err := rows.Scan(&pid); err != nil {
			b.Fatal(err)
		}
		// Fields 14 and 15 of /proc/PID/stat, after the command in
		// parentheses, are its user and system time in ticks of 10 ms.
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue // ended meanwhile
		}
		f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+2:]))
		for _, v := range f[11:13] {
			n, _ := strconv.ParseInt(v, 10, 64)
			t += time.Duration(n) * 10 * time.Millisecond
		}
	}
	return t
}

// BenchmarkCodeEndpointsKnownAndUnknown times a reset request and a wrong
// code for an address with an account and one without: the two must cost
// the same (finding 4 of issue 10). Compare the sub-benchmarks' ns/op.
func BenchmarkCodeEndpointsKnownAndUnknown(b *testing.B) {
	e := newEnv(b, func(c *server.Config) {
		c.CodeBudget = store.CodeBudget{Misses: 1 << 30, Window: time.Hour}
		c.CodeAttempts = 1 << 30
	})
	known, _ := e.account()
	for _, c := range []struct{ name, email string }{{"known", known}, {"unknown", "nobody@example.org"}} {
		b.Run("reset/"+c.name, func(b *testing.B) {
			for b.Loop() {
				e.call("POST", "/v1/password-resets", authapi.EmailRequest{Email: c.email}, "").ok(b, 202, nil)
			}
		})
		b.Run("wrong-code/"+c.name, func(b *testing.B) {
			for b.Loop() {
				// "000000" is the known address's code one time in a
				// million: a 200 is let through.
				a := e.call("POST", "/v1/password-resets/verify", authapi.EmailCodeRequest{Email: c.email, Code: "000000"}, "")
				if a.status != 400 && a.status != 200 {
					b.Fatalf("status %d: %s", a.status, a.body)
				}
			}
		})
	}
}

// BenchmarkSignInCost compares wrong-password sign-ins over loopback HTTP
// of a known account whose hash has an older, lower cost, of a known
// account at the configured cost, and of an unknown address: with the
// missing argon2id work run for old hashes, the three take the same time,
// so that raising the cost does not make accounts enumerable by timing.
func BenchmarkSignInCost(b *testing.B) {
	cur := passhash.Params{Memory: passhash.OWASP.Memory, Time: 2 * passhash.OWASP.Time, Threads: 1}
	e := newEnv(b, func(c *server.Config) {
		c.Hash = cur
		c.Lock.MaxFailures = 1 << 30 // wrong passwords without end
	})
	oldEmail, _ := e.account()
	a, err := e.store.AccountByEmail(context.Background(), oldEmail)
	if err != nil {
		b.Fatal(err)
	}
	if err := e.store.ReplacePasswordHash(context.Background(), a.ID, a.PasswordHash, passhash.Hash("old cost", passhash.OWASP)); err != nil {
		b.Fatal(err)
	}
	curEmail, _ := e.account()
	for _, c := range []struct{ name, email string }{
		{"known-old-cost", oldEmail}, {"known-current-cost", curEmail}, {"unknown", "nobody@example.org"},
	} {
		b.Run(c.name, func(b *testing.B) {
			req := authapi.CreateSessionRequest{Email: c.email, Password: "wrong password!"}
			for b.Loop() {
				if a := e.call("POST", "/v1/sessions", req, ""); a.status != 401 {
					b.Fatalf("sign-in: %d %s", a.status, a.body)
				}
			}
		})
	}
}

// Flood sizes of BenchmarkSignInUnderFlood: floodAddrs addresses, each
// with floodConns requests at once.
const floodAddrs, floodConns = 20, 6

// BenchmarkSignInUnderFlood measures the p99 of legitimate sign-ins, each
// of a user of her own address, on an idle server and while 20 addresses
// (10 IPv4, 10 IPv6 /64s, behind a trusted proxy) flood it with sign-ins
// of unknown addresses, each hashed, at today's hash costs and with no
// rate limit (a flood that passes them). The target: the flood's
// p99 within 3x the idle one (metric p99-ratio). Idle and flood take turns,
// three rounds each, so that a change in the machine's load during the run
// falls on both.
func BenchmarkSignInUnderFlood(b *testing.B) {
	e := newEnv(b, func(c *server.Config) {
		c.Hash = passhash.OWASP
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	})
	users := make([]authapi.CreateSessionRequest, 20)
	for i := range users {
		email, pw := e.account()
		users[i] = authapi.CreateSessionRequest{Email: email, Password: pw, DeviceName: "bench"}
	}
	n := 0
	// measure adds to lat the times of count sign-ins, each of another
	// user from another address; it returns how many failed.
	measure := func(lat *latencies, count int) (failed int) {
		for range count {
			n++
			xff := fmt.Sprintf("198.51.%d.%d", n/250, n%250+1)
			t := time.Now()
			a := e.call("POST", "/v1/sessions", users[n%len(users)], "", "X-Forwarded-For", xff)
			lat.d = append(lat.d, time.Since(t))
			if a.status != 201 {
				failed++
			}
		}
		return failed
	}
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: floodAddrs * floodConns}}
	defer hc.CloseIdleConnections()
	// flood starts the flood and returns once as many of its requests
	// were answered as run at once; stop ends it.
	flood := func() (stop func()) {
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		var answered atomic.Int64
		on := make(chan struct{})
		for a := range floodAddrs {
			for c := range floodConns {
				wg.Go(func() {
					for i := 0; ctx.Err() == nil; i++ {
						xff := fmt.Sprintf("203.0.113.%d", a+1)
						if a%2 == 1 {
							xff = fmt.Sprintf("2001:db8:%x::%x", a, c*1000+i%1000+1)
						}
						body := fmt.Sprintf(`{"email":"flood%d-%d-%d@example.net","password":"wrong password!"}`, a, c, i)
						if signInFrom(ctx, hc, e.url, xff, body) != 0 && answered.Add(1) == floodAddrs*floodConns {
							close(on)
						}
					}
				})
			}
		}
		<-on
		return func() { cancel(); wg.Wait() }
	}
	const rounds = 3
	var idle, flooded latencies
	var idleFailed, floodFailed int
	b.ResetTimer()
	for r := range rounds {
		part := max(1, (b.N+r)/rounds)
		idleFailed += measure(&idle, part)
		stop := flood()
		floodFailed += measure(&flooded, part)
		stop()
	}
	b.StopTimer()
	p99 := func(name string, lat *latencies, failed int) time.Duration {
		slices.Sort(lat.d)
		p50, p99 := lat.d[len(lat.d)/2], lat.d[len(lat.d)*99/100]
		b.ReportMetric(float64(p50.Microseconds())/1000, name+"-p50-ms")
		b.ReportMetric(float64(p99.Microseconds())/1000, name+"-p99-ms")
		b.ReportMetric(float64(failed), name+"-failed")
		return p99
	}
	i, f := p99("idle", &idle, idleFailed), p99("flood", &flooded, floodFailed)
	b.ReportMetric(float64(f)/float64(i), "p99-ratio")
}

// signInFrom sends one sign-in from client address xff through the
// trusted proxy and returns the answer's status, 0 when none came.
func signInFrom(ctx context.Context, hc *http.Client, url, xff, body string) int {
	req, err := http.NewRequestWithContext(ctx, "POST", url+"/v1/sessions", strings.NewReader(body))
	if err != nil {
		return 0
	}
	req.Header.Set(authapi.HeaderClientVersion, clientVersion)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", xff)
	resp, err := hc.Do(req)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}
