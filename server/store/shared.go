package store

// What the SQLite and PostgreSQL stores share, as pure functions that the
// SQL of each calls: the operator's interface, the lock policy and its
// reservations, the attempts on mailed codes and registrations, the rate
// limits' arithmetic, the audit log's outcomes and the running of
// migrations.

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"sort"
	"time"
)

// Admin is a Store with the operator's methods that the server itself
// does not call; tools and tests use them.
type Admin interface {
	Store
	// SetSuspended suspends or reinstates an account; a suspension ends
	// every session and challenge and the trust of every device of the
	// account in the same transaction.
	SetSuspended(ctx context.Context, id string, suspended bool) error
	// ClearFailures forgets the failure count and any lock of an address,
	// as a successful sign-in does; the lock count stays.
	ClearFailures(ctx context.Context, email string) error
}

// Fail counts one more failure on l at now: the MaxFailures-th failure in
// a row locks the address for Base, doubled for each lock before it, at
// most Max, and starts the count again.
func (p LockPolicy) Fail(l Lockout, now time.Time) Lockout {
	l.Failures++
	if l.Failures >= p.MaxFailures {
		d := p.Base
		for i := 0; i < l.LockCount && d < p.Max; i++ {
			d *= 2
		}
		l.LockedUntil = now.Add(min(d, p.Max)).UTC()
		l.LockCount++
		l.Failures = 0
	}
	return l
}

// Reserve decides a reservation of one more attempt at now, with l the
// address's lockout and inFlight its live reservations: ErrLocked while it
// is locked, ErrBusy while the failures counted plus the attempts in
// flight reach the limit. sweep: none is in flight, so the address's
// stored reservations are those crashed processes left, and go first.
func (p LockPolicy) Reserve(l Lockout, inFlight int, now time.Time) (sweep bool, err error) {
	if l.Locked(now) {
		return false, ErrLocked
	}
	if l.Failures+inFlight >= p.MaxFailures {
		return false, ErrBusy
	}
	return inFlight == 0, nil
}

// spend decides one attempt on the live codes of an address (their
// attempts left) that missed misses times in the budget's window. It
// answers ErrCodesLocked when the budget is spent, ErrNotFound when no
// code is live, else the index of the code that match(i) accepts (-1 on a
// miss, which counts down every code's attempts in lefts). Every code is
// compared, so that the work does not depend on which matched.
func (b CodeBudget) spend(misses int, lefts []int, match func(i int) bool) (CodeUse, int, error) {
	if b.Spent(misses) {
		return CodeUse{}, -1, ErrCodesLocked
	}
	if len(lefts) == 0 {
		return CodeUse{}, -1, ErrNotFound
	}
	found := -1
	for i := range lefts {
		if match(i) && found < 0 {
			found = i
		}
	}
	if found >= 0 {
		return CodeUse{OK: true}, found, nil
	}
	most := 0
	for i := range lefts {
		lefts[i]--
		most = max(most, lefts[i])
	}
	left := b.Misses - misses - 1
	return CodeUse{AttemptsLeft: min(most, left), Exhausted: left == 0}, -1, nil
}

// Spent reports whether misses spend the budget.
func (b CodeBudget) Spent(misses int) bool { return misses >= b.Misses }

// MatchLong decides one attempt on the live long codes of an address,
// hashes: ErrNotFound when there is none, else whether match accepts one.
// Every code is compared, so that the work does not depend on which
// matched.
func MatchLong(hashes [][]byte, match func(hash []byte) bool) (bool, error) {
	if len(hashes) == 0 {
		return false, ErrNotFound
	}
	ok := false
	for _, h := range hashes {
		ok = match(h) || ok
	}
	return ok, nil
}

// Code is a live mailed code as a store keeps it.
type Code struct {
	Hash         []byte
	AttemptsLeft int
}

// Use decides one attempt on cs, the live codes of an address that it may
// match, which missed misses times in the budget's window: ErrCodesLocked
// when the budget is spent, ErrNotFound when cs is empty; a match
// (use.OK) spends the codes, a miss counts each down and against the
// budget.
func (b CodeBudget) Use(misses int, cs []Code, match func(hash []byte) bool) (CodeUse, error) {
	lefts := make([]int, len(cs))
	for i, c := range cs {
		lefts[i] = c.AttemptsLeft
	}
	use, _, err := b.spend(misses, lefts, func(i int) bool { return match(cs[i].Hash) })
	return use, err
}

// Verify decides one attempt on rs, the registrations of an address whose
// code is live, that missed misses times in the budget's window:
// ErrCodesLocked when the budget is spent, ErrNotFound when rs is empty,
// else the index of the registration that match accepts, which becomes the
// account, or -1 on a miss, which spends an attempt of every code in rs
// and counts against the budget. A decoy (no password hash) that matches
// answers ErrNotFound: it never becomes an account.
func (b CodeBudget) Verify(misses int, rs []Registration, match func(codeHash []byte, passwordHash string) bool) (CodeUse, int, error) {
	lefts := make([]int, len(rs))
	for i, r := range rs {
		lefts[i] = r.Attempts
	}
	use, i, err := b.spend(misses, lefts, func(i int) bool { return match(rs[i].CodeHash, rs[i].PasswordHash) })
	if err == nil && i >= 0 && rs[i].PasswordHash == "" {
		return CodeUse{}, -1, ErrNotFound
	}
	return use, i, err
}

// Outcome is what an action did, as the audit log says it: suspended
// whether the account was suspended before it, n the sessions ended
// (ActionSuspend, ActionRevokeSessions) or the lockout keys cleared
// (ActionUnlock).
func Outcome(action string, suspended bool, n int) string {
	switch action {
	case ActionSuspend:
		if !suspended {
			return fmt.Sprintf("suspended; %d sessions ended", n)
		}
		return fmt.Sprintf("was suspended already; %d sessions ended", n)
	case ActionUnsuspend:
		if suspended {
			return "reinstated"
		}
		return "was not suspended"
	case ActionUnlock:
		return fmt.Sprintf("%d lockout keys cleared", n)
	case ActionRevokeSessions:
		return fmt.Sprintf("%d sessions ended", n)
	case ActionDelete:
		return "deleted"
	}
	return "exported"
}

// A store keeps a token bucket as one number, the microsecond at which it
// is full again (GCRA's "theoretical arrival time"): at now it holds
// Burst - (full-now)/Interval tokens, Burst once full <= now, so that a
// bucket that has refilled is the same as no row. Taking a token moves
// full to max(full, Now) + Interval, and is allowed while full <= Latest,
// the full time that leaves one token at Now. The stores apply that in one
// statement (INSERT ... ON CONFLICT DO UPDATE ... WHERE full <= Latest),
// which a new bucket passes.

// Take is what a store needs to take a token at one instant: Now,
// Interval (the microseconds one token takes to refill) and Latest, all in
// microseconds.
type Take struct{ Now, Interval, Latest int64 }

// Take is the take of a token of l at now; with no limit, every take
// passes.
func (l Limit) Take(now time.Time) Take {
	n := now.UnixMicro()
	if l.PerSecond <= 0 {
		return Take{Now: n, Latest: math.MaxInt64}
	}
	iv := max(int64(math.Round(1e6/l.PerSecond)), 1)
	return Take{Now: n, Interval: iv, Latest: n + int64(max(l.Burst, 1)-1)*iv}
}

// Wait is how long a bucket full at full waits for a token after t was
// refused.
func (t Take) Wait(full int64) time.Duration {
	return time.Duration(max(full-t.Latest, 0)) * time.Microsecond
}

// LimitKey is how the stores keep a limit's key, which may hold an
// address: its SHA-256 digest.
func LimitKey(key string) []byte {
	d := sha256.Sum256([]byte(key))
	return d[:]
}

// Answered wraps a transaction's f so that its ErrNotFound and ErrReused
// commit and land in *answer: what they wrote stays (a refresh's charge
// even for an unknown token, the revocation of a reused token's session).
func Answered[Tx any](answer *error, f func(Tx) error) func(Tx) error {
	return func(tx Tx) error {
		err := f(tx)
		if *answer = nil; errors.Is(err, ErrNotFound) || errors.Is(err, ErrReused) {
			*answer, err = err, nil
		}
		return err
	}
}

// ChargeJunk is a rotation's outcome err, after a token that named no live
// session (ErrNotFound, ErrReused) took its charge with take: a
// *LimitedError when the bucket had none.
func ChargeJunk(err error, take func() (bool, time.Duration, error)) error {
	if !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrReused) {
		return err
	}
	if ok, wait, terr := take(); terr != nil {
		return terr
	} else if !ok {
		return &LimitedError{Wait: wait}
	}
	return err
}

// Migrate runs, through exec, the migrations/*.sql files of fsys (in name
// order) that a schema at version lacks, and returns the version after
// them. A schema newer than the files is an error.
func Migrate(fsys fs.FS, version int, exec func(sql string) error) (int, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return 0, err
	}
	sort.Strings(names)
	if version > len(names) {
		return 0, fmt.Errorf("database schema %d is newer than this server (%d)", version, len(names))
	}
	for _, name := range names[version:] {
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return 0, err
		}
		if err := exec(string(body)); err != nil {
			return 0, fmt.Errorf("migration %s: %w", name, err)
		}
	}
	return len(names), nil
}
