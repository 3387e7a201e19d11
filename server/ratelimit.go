package server

import (
	"sync"
	"time"
)

// limiter is a set of token buckets keyed by client address or email,
// kept in this process's memory (issue 11 moves the limits into the
// database, shared by every server).
type limiter struct {
	perSec  float64 // 0 is unlimited
	burst   float64
	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter(r Rate) *limiter { return bucketsOf(float64(r.PerMinute)/60, r.Burst) }

// newDailyLimiter allows n a day: n at once, refilled over a day.
func newDailyLimiter(n int) *limiter { return bucketsOf(float64(n)/86400, n) }

// bucketsOf is a limiter of buckets refilled perSec, holding burst.
func bucketsOf(perSec float64, burst int) *limiter {
	return &limiter{perSec: max(perSec, 0), burst: float64(max(burst, 1)), buckets: map[string]*bucket{}}
}

// allow takes a token for key at now, or says how long until one is free.
func (l *limiter) allow(key string, now time.Time) (bool, time.Duration) {
	if l.perSec <= 0 {
		return true, 0
	}
	perSec, burst := l.perSec, l.burst
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now, burst/perSec)
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: burst, at: now}
		l.buckets[key] = b
	}
	b.tokens = min(burst, b.tokens+now.Sub(b.at).Seconds()*perSec)
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / perSec * float64(time.Second))
}

// sweep drops buckets that have refilled, once a minute.
func (l *limiter) sweep(now time.Time, fullAfter float64) {
	if now.Sub(l.swept) < time.Minute {
		return
	}
	l.swept = now
	for k, b := range l.buckets {
		if now.Sub(b.at).Seconds() > fullAfter {
			delete(l.buckets, k)
		}
	}
}
