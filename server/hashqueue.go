package server

import (
	"context"
	"math"
	"net/http"
	"slices"
	"sync"
	"time"

	"sesame/authapi"
)

// hashHalfLife is how fast a key's usage of the hashing fades.
const hashHalfLife = 10 * time.Second

// hashQueue shares the slots of password hashing fairly between the keys
// of the requests (see hashKeys): a free slot goes to the waiter whose keys
// have used the hashing least lately, the earliest among equals. A key is
// charged one hash when a request of it joins the queue, so that a backlog
// counts before it is served, and one more when the request is granted, so
// that equal backlogs take turns; charges halve every hashHalfLife. An
// address that floods the server thus waits behind every quieter one: a
// user of her own address waits for about one hash in flight.
type hashQueue struct {
	slots int
	now   func() time.Time // the clock of the charges

	mu      sync.Mutex
	busy    int           // slots taken; all of them while anyone waits
	waiting []*hashWaiter // in arrival order
	usage   map[string]usage
	swept   int // len(usage) after the last sweep
}

type hashWaiter struct {
	keys []string
	turn chan struct{} // closed when a slot is handed over
}

// usage is a key's charge as of at.
type usage struct {
	n  float64
	at time.Time
}

func (u usage) asOf(now time.Time) float64 {
	return u.n * math.Exp2(-max(now.Sub(u.at), 0).Seconds()/hashHalfLife.Seconds())
}

func newHashQueue(slots int, now func() time.Time) *hashQueue {
	return &hashQueue{slots: slots, now: now, usage: map[string]usage{}}
}

// hashKeys are the keys under which a request's password hashes queue:
// its client's address group and the account's email.
func hashKeys(r *http.Request, email string) []string {
	return []string{addrKey(clientIP(r)), "email:" + email}
}

// acquire waits for a hashing slot; the returned release must be called.
// A wait over wait answers 503 overloaded.
func (q *hashQueue) acquire(ctx context.Context, wait time.Duration, keys []string) (release func(), err error) {
	w := &hashWaiter{keys: keys, turn: make(chan struct{})}
	q.mu.Lock()
	now := q.now()
	q.charge(keys, now)
	if q.busy < q.slots {
		q.busy++
		q.charge(keys, now)
		q.mu.Unlock()
		return q.release, nil
	}
	q.waiting = append(q.waiting, w)
	q.mu.Unlock()
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-w.turn:
		return q.release, nil
	case <-t.C:
		err = overloaded()
	case <-ctx.Done():
		err = ctx.Err()
	}
	q.mu.Lock()
	i := slices.Index(q.waiting, w)
	if i >= 0 {
		q.waiting = slices.Delete(q.waiting, i, i+1)
	}
	q.mu.Unlock()
	if i < 0 {
		// The slot came meanwhile: pass it on.
		q.release()
	}
	return nil, err
}

// release frees a slot: it goes to the waiter of the least used keys.
func (q *hashQueue) release() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.waiting) == 0 {
		q.busy--
		return
	}
	now := q.now()
	best, least := 0, math.Inf(1)
	for i, w := range q.waiting {
		var n float64
		for _, k := range w.keys {
			n += q.usage[k].asOf(now)
		}
		if n < least {
			best, least = i, n
		}
	}
	w := q.waiting[best]
	q.waiting = slices.Delete(q.waiting, best, best+1)
	q.charge(w.keys, now)
	close(w.turn)
}

// charge adds a hash to each key's usage. Once the map has doubled since
// the last sweep, keys whose usage has faded are forgotten.
func (q *hashQueue) charge(keys []string, now time.Time) {
	for _, k := range keys {
		q.usage[k] = usage{n: q.usage[k].asOf(now) + 1, at: now}
	}
	if len(q.usage) < max(1024, 2*q.swept) {
		return
	}
	for k, u := range q.usage {
		if u.asOf(now) < 0.01 {
			delete(q.usage, k)
		}
	}
	q.swept = len(q.usage)
}

// depth is the number of requests waiting for a slot.
func (q *hashQueue) depth() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.waiting)
}

func overloaded() *authapi.Problem {
	p := problem(http.StatusServiceUnavailable, authapi.CodeOverloaded, "The server is busy; it will retry shortly.")
	p.RetryAfterSeconds = authapi.Int(5)
	return p
}
