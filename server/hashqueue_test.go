package server

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"sesame/authapi"
)

// testQueue is a queue of slots on a clock that only moves by advance.
func testQueue(slots int) (q *hashQueue, advance func(time.Duration)) {
	at := time.Unix(1_000_000_000, 0)
	var mu sync.Mutex
	q = newHashQueue(slots, func() time.Time { mu.Lock(); defer mu.Unlock(); return at })
	return q, func(d time.Duration) { mu.Lock(); at = at.Add(d); mu.Unlock() }
}

// holdSlots takes every slot of q, which must be free; the returned func
// frees them.
func holdSlots(t testing.TB, q *hashQueue) (free func()) {
	t.Helper()
	var rel []func()
	for range q.slots {
		r, err := q.acquire(context.Background(), 0, []string{"test:hold"})
		if err != nil {
			t.Fatal(err)
		}
		rel = append(rel, r)
	}
	return func() {
		for _, r := range rel {
			r()
		}
	}
}

// waitQueue waits until n requests wait in q.
func waitQueue(t testing.TB, q *hashQueue, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for q.depth() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d requests wait for a hash, want %d", q.depth(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// A waiter of the order tests: name, client address, email.
type queued struct{ name, addr, email string }

var queueOrderCases = []struct {
	name  string
	join  []queued // in arrival order, while every slot is taken
	order string   // the names in grant order
}{
	{"the earliest among equals",
		[]queued{{"P", "p", "p"}, {"Q", "q", "q"}, {"R", "r", "r"}},
		"P Q R"},
	{"a quiet address before flooding ones, which take turns",
		[]queued{{"A1", "a", "a1"}, {"A2", "a", "a2"}, {"A3", "a", "a3"},
			{"B1", "b", "b1"}, {"B2", "b", "b2"}, {"B3", "b", "b3"}, {"L", "l", "l"}},
		"L A1 B1 A2 B2 A3 B3"},
	{"an account asked for from many addresses waits behind another",
		[]queued{{"E1", "x1", "victim"}, {"E2", "x2", "victim"}, {"E3", "x3", "victim"}, {"M", "m", "m"}},
		"M E1 E2 E3"},
	{"a bigger backlog waits longer",
		[]queued{{"A1", "a", "a1"}, {"A2", "a", "a2"}, {"A3", "a", "a3"}, {"B1", "b", "b1"}, {"B2", "b", "b2"}},
		"B1 A1 B2 A2 A3"},
}

// TestHashQueueOrder queues waiters behind a held slot, frees it, and
// records the order of the grants: each granted waiter reports on a
// channel and releases when the test says.
func TestHashQueueOrder(t *testing.T) {
	for _, c := range queueOrderCases {
		t.Run(c.name, func(t *testing.T) {
			q, _ := testQueue(1)
			free := holdSlots(t, q)
			type grant struct {
				name    string
				release func()
			}
			grants := make(chan grant)
			for i, w := range c.join {
				go func() {
					rel, err := q.acquire(context.Background(), time.Hour, []string{"ip:" + w.addr, "email:" + w.email})
					if err != nil {
						grants <- grant{w.name + " failed: " + err.Error(), func() {}}
						return
					}
					grants <- grant{w.name, rel}
				}()
				waitQueue(t, q, i+1)
			}
			free()
			var order []string
			for range c.join {
				g := <-grants
				order = append(order, g.name)
				g.release()
			}
			if got := strings.Join(order, " "); got != c.order {
				t.Fatalf("grant order %q, want %q", got, c.order)
			}
			if q.busy != 0 {
				t.Fatalf("%d slots taken after every release", q.busy)
			}
		})
	}
}

func TestHashQueueOverloaded(t *testing.T) {
	q, _ := testQueue(1)
	free := holdSlots(t, q)
	_, err := q.acquire(context.Background(), time.Millisecond, []string{"ip:a"})
	var p *authapi.Problem
	if !errors.As(err, &p) || p.Status != 503 || p.Code != authapi.CodeOverloaded || p.RetryAfterSeconds == nil {
		t.Fatalf("a wait past its time: %v", err)
	}
	if q.depth() != 0 {
		t.Fatal("the overloaded request still waits")
	}
	free()
	// The slot is free: granted at once, with no time to wait.
	rel, err := q.acquire(context.Background(), 0, []string{"ip:a"})
	if err != nil {
		t.Fatal(err)
	}
	rel()
}

func TestHashQueueCancel(t *testing.T) {
	q, _ := testQueue(1)
	free := holdSlots(t, q)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := q.acquire(ctx, time.Hour, []string{"ip:a"})
		done <- err
	}()
	waitQueue(t, q, 1)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("a canceled wait: %v", err)
	}
	if q.depth() != 0 {
		t.Fatal("the canceled request still waits")
	}
	free()
	if q.busy != 0 {
		t.Fatalf("%d slots taken after every release", q.busy)
	}
}

// TestHashQueueCancelAtGrant cancels waits as their slot comes: a waiter
// that sees both takes either, and a slot it gives up goes back.
func TestHashQueueCancelAtGrant(t *testing.T) {
	q, _ := testQueue(1)
	for range 100 {
		free := holdSlots(t, q)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() {
			rel, err := q.acquire(ctx, time.Hour, []string{"ip:a"})
			if err == nil {
				rel()
			}
			done <- err
		}()
		waitQueue(t, q, 1)
		cancel()
		free()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Fatal(err)
		}
		if q.busy != 0 || q.depth() != 0 {
			t.Fatalf("%d slots taken, %d waiting after a canceled grant", q.busy, q.depth())
		}
	}
}

// TestHashQueueKeepsItsSlots races grants against timeouts: never more
// than the slots hash at once, every waiter returns and no slot is lost.
func TestHashQueueKeepsItsSlots(t *testing.T) {
	q, _ := testQueue(2)
	var running, most, granted atomic.Int64
	var wg sync.WaitGroup
	for i := range 300 {
		wg.Go(func() {
			rel, err := q.acquire(context.Background(), time.Duration(i%4)*50*time.Microsecond, []string{fmt.Sprint("ip:", i%7)})
			if err != nil {
				return
			}
			granted.Add(1)
			if n := running.Add(1); n > most.Load() {
				most.Store(n)
			}
			runtime.Gosched()
			running.Add(-1)
			rel()
		})
	}
	wg.Wait()
	if most.Load() > 2 || q.busy != 0 || q.depth() != 0 || granted.Load() == 0 {
		t.Fatalf("%d at once (2 slots), %d slots taken and %d waiting at the end, %d granted",
			most.Load(), q.busy, q.depth(), granted.Load())
	}
}

func TestHashQueueUsageFades(t *testing.T) {
	q, advance := testQueue(1)
	for range 4 {
		rel, err := q.acquire(context.Background(), 0, []string{"ip:a"})
		if err != nil {
			t.Fatal(err)
		}
		rel()
	}
	if n := q.usage["ip:a"].asOf(q.now()); n != 8 {
		t.Fatalf("4 hashes charged %v, want 8", n)
	}
	advance(hashHalfLife)
	if n := q.usage["ip:a"].asOf(q.now()); n != 4 {
		t.Fatalf("a half-life later: %v, want 4", n)
	}
	// Faded keys are forgotten once the map has doubled since the last
	// sweep.
	for i := range 1100 {
		q.charge([]string{fmt.Sprint("old:", i)}, q.now())
	}
	advance(20 * hashHalfLife)
	before := len(q.usage)
	fresh := 0
	for len(q.usage) >= before+fresh && fresh <= 2*before {
		q.charge([]string{fmt.Sprint("new:", fresh)}, q.now())
		fresh++
	}
	if len(q.usage) != fresh {
		t.Fatalf("%d keys kept after %d fresh ones, want only those", len(q.usage), fresh)
	}
}

func TestAddrKey(t *testing.T) {
	for _, c := range []struct{ ip, key string }{
		{"192.0.2.7", "ip:192.0.2.7"},
		{"::ffff:192.0.2.7", "ip:192.0.2.7"},
		{"2001:db8:1:2:3:4:5:6", "ip:2001:db8:1:2::/64"},
		{"2001:db8:1:2::9", "ip:2001:db8:1:2::/64"},
		{"2001:db8:1:3::9", "ip:2001:db8:1:3::/64"},
		{"fe80::1%eth0", "ip:fe80::/64"},
		{"not an address", "ip:not an address"},
	} {
		if k := addrKey(c.ip); k != c.key {
			t.Errorf("addrKey(%q) = %q, want %q", c.ip, k, c.key)
		}
	}
	r := httptest.NewRequest("POST", "/v1/sessions", nil)
	r.RemoteAddr = "[2001:db8:1:2::9]:4000"
	if k := hashKeys(r, "a@example.org"); !slices.Equal(k, []string{"ip:2001:db8:1:2::/64", "email:a@example.org"}) {
		t.Errorf("hashKeys %q", k)
	}
}
