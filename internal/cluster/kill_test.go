//go:build linux

package cluster_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"sesame/authapi"
	"sesame/internal/cluster"
	"sesame/server/store"
)

// exchange is one HTTP exchange of a load client, as its transport saw it.
type exchanged struct {
	id         string
	start, end time.Time
	method     string
	path       string
	status     int
	replica    string
	err        error
}

// recorder is a transport that names each request for HAProxy's log and
// remembers its client's last exchange; a load client makes one at a time.
type recorder struct {
	base http.RoundTripper
	name string
	n    atomic.Int64
	mu   sync.Mutex
	last exchanged
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	e := exchanged{start: time.Now(), method: req.Method, path: req.URL.Path, id: fmt.Sprintf("%s-%d", r.name, r.n.Add(1))}
	req = req.Clone(req.Context())
	req.Header.Set(cluster.RequestHeader, e.id)
	resp, err := r.base.RoundTrip(req)
	e.end, e.err = time.Now(), err
	if resp != nil {
		e.status, e.replica = resp.StatusCode, resp.Header.Get(cluster.ReplicaHeader)
	}
	r.mu.Lock()
	r.last = e
	r.mu.Unlock()
	return resp, err
}

func (r *recorder) lastExchange() exchanged {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last
}

// loadSession is a session a load client was given, and the last refresh
// token it was acknowledged, unless a rotation of it failed since.
type loadSession struct {
	email, id, refresh string
	unsure             bool
}

// loadClient is one user of the load: it signs up, signs in, refreshes and
// reads /v1/me through HAProxy in turn, from an address of its own.
type loadClient struct {
	c   *cluster.Cluster
	api *authapi.Client
	rec *recorder

	email    string
	ops      atomic.Int64
	sessions []*loadSession
	current  *loadSession
	signIns  map[string]int // acknowledged sign-ins by account
	signUps  []string       // acknowledged registrations (202)
	verified []string       // acknowledged accounts (204)
	failures []string       // errors, each with its exchange
	lost     []exchanged    // failed exchanges: the ones in flight at the kill are forgiven
}

func newLoadClient(t *testing.T, c *cluster.Cluster, from, email string) *loadClient {
	hc := cluster.HTTPClient(from)
	rec := &recorder{base: hc.Transport, name: from}
	hc.Transport = rec
	api, err := authapi.NewClient(c.URL, authapi.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	return &loadClient{c: c, api: api, rec: rec, email: email, signIns: map[string]int{}}
}

// run does operations until ctx ends.
func (l *loadClient) run(ctx context.Context) {
	for i := 0; ctx.Err() == nil; i++ {
		var err error
		switch {
		case l.current == nil || i%6 == 0:
			err = l.signIn()
		case i%6 == 1 || i%6 == 4:
			err = l.refresh()
		case i%12 == 5:
			err = l.signUp(ctx)
		default:
			_, err = l.api.Me(context.Background())
		}
		if err != nil {
			// Whatever failed, the client starts a new session: a failed
			// rotation may have been carried out, and its token is spent.
			if l.current != nil {
				l.current.unsure = true
				l.current = nil
			}
			l.api.ClearTokens()
			ex := l.rec.lastExchange()
			l.lost = append(l.lost, ex)
			l.failures = append(l.failures, fmt.Sprintf("%v (last exchange %s: %s %s → %d at %s, %v)",
				err, ex.id, ex.method, ex.path, ex.status, ex.start.Format("15:04:05.000000"), ex.err))
		}
		l.ops.Add(1)
	}
}

func (l *loadClient) signIn() error {
	tok, err := l.api.SignIn(context.Background(), authapi.CreateSessionRequest{Email: l.email, Password: password, DeviceName: "load"})
	if err != nil {
		return err
	}
	l.current = &loadSession{email: l.email, id: tok.SessionID, refresh: tok.RefreshToken}
	l.sessions = append(l.sessions, l.current)
	l.signIns[l.email]++
	return nil
}

func (l *loadClient) refresh() error {
	tok, err := l.api.Refresh(context.Background())
	if err != nil {
		return err
	}
	l.current.refresh = tok.RefreshToken
	return nil
}

// signUp registers and verifies a new account, with the code from the
// database's outbox. A code mail lost with the replica that was sending it
// leaves the registration unverified.
func (l *loadClient) signUp(ctx context.Context) error {
	email := newEmail("load")
	if err := l.api.CreateAccount(context.Background(), authapi.CreateAccountRequest{Email: email, Password: password}); err != nil {
		return err
	}
	l.signUps = append(l.signUps, email)
	var code string
	for deadline := time.Now().Add(2 * time.Second); code == "" && time.Now().Before(deadline) && ctx.Err() == nil; {
		ms, err := l.c.Store.Mails(context.Background(), email)
		if err != nil {
			return err
		}
		if len(ms) > 0 {
			code = codeRE.FindString(ms[0].Text)
		} else {
			time.Sleep(10 * time.Millisecond)
		}
	}
	if code == "" {
		return nil
	}
	if err := l.api.VerifyAccount(context.Background(), authapi.VerifyAccountRequest{Email: email, Code: code, Password: password}); err != nil {
		return err
	}
	l.verified = append(l.verified, email)
	return nil
}

// noRates turns off the rate limits, which a load from few addresses
// would meet.
var noRates = []string{"--rate-ip", "0", "--rate-account", "0", "--rate-mail", "0", "--rate-auth", "0", "--rate-refresh", "0", "--mails-per-day", "0"}

// underLoad runs loadClients clients through HAProxy, calls disrupt once
// each did a few operations, lets each do more after it, and returns them
// with the times just before and after disrupt.
func underLoad(t *testing.T, c *cluster.Cluster, disrupt func()) (ls []*loadClient, from, to time.Time) {
	t.Helper()
	const loadClients = 6
	for i := range loadClients {
		addr := fmt.Sprintf("127.0.3.%d", i+1)
		ls = append(ls, newLoadClient(t, c, addr, signUp(t, c, addr)))
	}
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, l := range ls {
		wg.Go(func() { l.run(ctx) })
	}
	defer func() { stop(); wg.Wait() }()
	busy := func(n int64) func() bool {
		return func() bool {
			for _, l := range ls {
				if l.ops.Load() < n {
					return false
				}
			}
			return true
		}
	}
	waitFor(t, time.Minute, "the load starts", busy(8))
	from = time.Now()
	disrupt()
	to = time.Now()
	var before, all int64
	for _, l := range ls {
		before = max(before, l.ops.Load())
	}
	waitFor(t, time.Minute, "the load goes on", busy(before+16))
	stop()
	wg.Wait()
	for _, l := range ls {
		all += l.ops.Load()
	}
	t.Logf("%d operations by %d clients", all, loadClients)
	return ls, from, to
}

// checkAcknowledged checks that every write the load clients were
// acknowledged is in the database: accounts, registrations, sessions,
// sign-ins in the activity, and the last refresh token of each session
// whose rotations all answered.
func checkAcknowledged(t *testing.T, c *cluster.Cluster, ls []*loadClient) {
	t.Helper()
	ctx := context.Background()
	hc := cluster.HTTPClient("127.0.0.2")
	for _, l := range ls {
		for _, email := range l.verified {
			if a, err := c.Store.AccountByEmail(ctx, email); err != nil || !a.Verified {
				t.Errorf("the acknowledged account %s is lost: %v", email, err)
			}
		}
		for _, email := range l.signUps {
			_, aerr := c.Store.AccountByEmail(ctx, email)
			rs, rerr := c.Store.Registrations(ctx, email, time.Now())
			if errors.Is(aerr, store.ErrNotFound) && (rerr != nil || len(rs) == 0) {
				t.Errorf("the acknowledged registration of %s is lost: %v", email, rerr)
			}
		}
		for email, n := range l.signIns {
			a, err := c.Store.AccountByEmail(ctx, email)
			if err != nil {
				t.Fatal(err)
			}
			ss, err := c.Store.Sessions(ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range l.sessions {
				if s.email == email && !slices.ContainsFunc(ss, func(x store.Session) bool { return x.ID == s.id }) {
					t.Errorf("the acknowledged session %s is lost", s.id)
				}
			}
			if got := activity(t, c, email)[authapi.ResultSuccess]; got < n {
				t.Errorf("%s has %d sign-ins in its activity, %d acknowledged", email, got, n)
			}
		}
		for _, s := range l.sessions {
			if s.unsure {
				continue
			}
			if a := call(t, hc, "POST", c.URL+"/v1/tokens/refresh", authapi.RefreshRequest{RefreshToken: s.refresh}, ""); a.status != http.StatusOK {
				t.Errorf("the acknowledged refresh token of session %s is refused: %d %s", s.id, a.status, a.code)
			}
		}
	}
}

// TestReplicaKilledUnderLoad: one replica killed with SIGKILL while
// clients sign up, sign in, refresh and read /v1/me through HAProxy loses
// no acknowledged account, registration, session, rotation or activity
// entry, and the clients see no error but for requests that HAProxy had
// sent, or was sending, to the killed replica.
func TestReplicaKilledUnderLoad(t *testing.T) {
	c := cluster.Start(t, cluster.Options{Args: noRates})
	victim := c.Replicas[1]
	ls, killing, killed := underLoad(t, c, victim.Kill)
	forgiven := 0
	routes := c.Routes()
	for _, l := range ls {
		for i, ex := range l.lost {
			// Routed to the victim and not over before the kill began:
			// in flight at the kill, or sent after it, before HAProxy saw
			// the death, over a kept-alive server connection the kernel
			// had closed (HAProxy answers 502 SH and, rightly, does not
			// resend a POST). Or in flight at the kill, unanswered and
			// unlogged: HAProxy closes a client's keep-alive connection
			// that way when its request's server connection fails, so
			// that the client retries (which a client does not do for a
			// POST).
			r, logged := routes[ex.id]
			inFlight := ex.start.Before(killed) && ex.end.After(killing)
			if r.Replica == victim.Name && ex.end.After(killing) || inFlight && !logged && ex.err != nil {
				forgiven++
				continue
			}
			t.Errorf("a client saw an error beyond the requests in flight on %s (killed at %s): %s, routed %+v",
				victim.Name, killed.Format("15:04:05.000000"), l.failures[i], routes[ex.id])
		}
	}
	t.Logf("%d requests failed on %s, in flight at its death or sent before HAProxy saw it", forgiven, victim.Name)
	checkAcknowledged(t, c, ls)
}
