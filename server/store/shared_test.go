package store_test

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"sesame/authapi"
	"sesame/server/store"
)

func TestMigrate(t *testing.T) {
	fsys := fstest.MapFS{
		"migrations/0002_b.sql": {Data: []byte("b")},
		"migrations/0001_a.sql": {Data: []byte("a")},
		"migrations/notes.txt":  {Data: []byte("not a migration")},
	}
	var ran []string
	exec := func(sql string) error { ran = append(ran, sql); return nil }
	if v, err := store.Migrate(fsys, 0, exec); v != 2 || err != nil || strings.Join(ran, "") != "ab" {
		t.Fatalf("from 0: version %d, ran %q, %v", v, ran, err)
	}
	ran = nil
	if v, err := store.Migrate(fsys, 1, exec); v != 2 || err != nil || strings.Join(ran, "") != "b" {
		t.Fatalf("from 1: version %d, ran %q, %v", v, ran, err)
	}
	if _, err := store.Migrate(fsys, 3, exec); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("a newer schema: %v", err)
	}
	if _, err := store.Migrate(fsys, 0, func(string) error { return errors.New("syntax") }); err == nil || !strings.Contains(err.Error(), "0001_a.sql") {
		t.Fatalf("a failing migration: %v", err)
	}
}

// TestLimitTake pins the arithmetic the stores share: the refill interval,
// the latest full time that leaves a token, and the wait.
func TestLimitTake(t *testing.T) {
	at := time.UnixMicro(1_000_000_000)
	for _, c := range []struct {
		l                store.Limit
		interval, latest int64
	}{
		{store.Limit{PerSecond: 1, Burst: 30}, 1_000_000, 29 * 1_000_000},
		{store.Limit{PerSecond: 10.0 / 60, Burst: 10}, 6_000_000, 9 * 6_000_000},
		{store.Limit{PerSecond: 20.0 / 86400, Burst: 20}, 4_320_000_000, 19 * 4_320_000_000},
		{store.Limit{PerSecond: 7.0 / 60, Burst: 1}, 8_571_429, 0}, // rounded to the microsecond
		{store.Limit{PerSecond: 1, Burst: 0}, 1_000_000, 0},        // a burst of at least one
		{store.Limit{PerSecond: 1e9, Burst: 2}, 1, 1},              // at least a microsecond
	} {
		tk := c.l.Take(at)
		if tk.Now != at.UnixMicro() || tk.Interval != c.interval || tk.Latest != tk.Now+c.latest {
			t.Errorf("%+v: %+v, want interval %d and latest now+%d", c.l, tk, c.interval, c.latest)
		}
	}
	tk := store.Limit{PerSecond: 2, Burst: 3}.Take(at)
	for full, want := range map[int64]time.Duration{
		tk.Latest + 1:       time.Microsecond,
		tk.Latest + 500_000: 500 * time.Millisecond,
		tk.Latest:           0,
		tk.Now - 1:          0,
	} {
		if got := tk.Wait(full); got != want {
			t.Errorf("full at latest%+d: wait %s, want %s", full-tk.Latest, got, want)
		}
	}
}

var (
	at     = time.Unix(1_800_000_000, 0).UTC()
	policy = store.LockPolicy{MaxFailures: 3, Base: time.Minute, Max: 4 * time.Minute}
	budget = store.CodeBudget{Misses: 5, Window: time.Hour}
)

// TestLockPolicyFail pins the count of failures into locks: the third in
// a row locks for Base, each further lock doubles it, up to Max.
func TestLockPolicyFail(t *testing.T) {
	for _, c := range []struct {
		name     string
		in, want store.Lockout
	}{
		{"a first failure", store.Lockout{}, store.Lockout{Failures: 1}},
		{"short of the limit", store.Lockout{Failures: 1, LockCount: 2}, store.Lockout{Failures: 2, LockCount: 2}},
		{"the first lock", store.Lockout{Failures: 2}, store.Lockout{LockCount: 1, LockedUntil: at.Add(time.Minute)}},
		{"the second lock doubles", store.Lockout{Failures: 2, LockCount: 1}, store.Lockout{LockCount: 2, LockedUntil: at.Add(2 * time.Minute)}},
		{"the third doubles again", store.Lockout{Failures: 2, LockCount: 2}, store.Lockout{LockCount: 3, LockedUntil: at.Add(4 * time.Minute)}},
		{"at most Max", store.Lockout{Failures: 2, LockCount: 40}, store.Lockout{LockCount: 41, LockedUntil: at.Add(4 * time.Minute)}},
	} {
		if got := policy.Fail(c.in, at); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

// TestLockPolicyReserve pins when an attempt may be reserved, and when the
// reservations a crashed process left are swept.
func TestLockPolicyReserve(t *testing.T) {
	for _, c := range []struct {
		name      string
		l         store.Lockout
		inFlight  int
		wantSweep bool
		want      error
	}{
		{"nothing in flight sweeps", store.Lockout{}, 0, true, nil},
		{"attempts in flight stay", store.Lockout{}, 2, false, nil},
		{"failures and attempts reach the limit", store.Lockout{Failures: 1}, 2, false, store.ErrBusy},
		{"failures alone reach it", store.Lockout{Failures: 3}, 0, false, store.ErrBusy},
		{"locked", store.Lockout{LockedUntil: at.Add(time.Second)}, 0, false, store.ErrLocked},
		{"a lock that ended", store.Lockout{LockCount: 1, LockedUntil: at}, 0, true, nil},
	} {
		sweep, err := policy.Reserve(c.l, c.inFlight, at)
		if sweep != c.wantSweep || !errors.Is(err, c.want) || (err == nil) != (c.want == nil) {
			t.Errorf("%s: sweep %v, %v; want %v, %v", c.name, sweep, err, c.wantSweep, c.want)
		}
	}
}

// TestCodeBudgetUse pins one attempt on the live codes of an address.
func TestCodeBudgetUse(t *testing.T) {
	live := []store.Code{{Hash: []byte("new"), AttemptsLeft: 2}, {Hash: []byte("old"), AttemptsLeft: 3}}
	for _, c := range []struct {
		name    string
		misses  int
		codes   []store.Code
		typed   string
		want    store.CodeUse
		wantErr error
	}{
		{"the newest matches", 0, live, "new", store.CodeUse{OK: true}, nil},
		{"an older one matches", 0, live, "old", store.CodeUse{OK: true}, nil},
		{"a miss leaves the most any code has left", 0, live, "wrong", store.CodeUse{AttemptsLeft: 2}, nil},
		{"a miss within the budget's last", 3, live, "wrong", store.CodeUse{AttemptsLeft: 1}, nil},
		{"the miss that spends the budget", 4, live, "wrong", store.CodeUse{Exhausted: true}, nil},
		{"the budget spent, even for the right code", 5, live, "new", store.CodeUse{}, store.ErrCodesLocked},
		{"no live code", 0, nil, "new", store.CodeUse{}, store.ErrNotFound},
	} {
		compared := 0
		use, err := budget.Use(c.misses, c.codes, func(h []byte) bool { compared++; return string(h) == c.typed })
		if use != c.want || !errors.Is(err, c.wantErr) || (err == nil) != (c.wantErr == nil) {
			t.Errorf("%s: %+v, %v; want %+v, %v", c.name, use, err, c.want, c.wantErr)
		}
		if err == nil && compared != len(c.codes) {
			t.Errorf("%s: %d codes compared, want all %d", c.name, compared, len(c.codes))
		}
	}
}

// TestCodeBudgetVerify pins one attempt on the live codes of an address's
// registrations: every code is compared, a decoy never becomes an account.
func TestCodeBudgetVerify(t *testing.T) {
	rs := []store.Registration{
		{PasswordHash: "pw-new", CodeHash: []byte("c1"), Attempts: 1},
		{PasswordHash: "", CodeHash: []byte("decoy"), Attempts: 5},
		{PasswordHash: "pw-old", CodeHash: []byte("c2"), Attempts: 4},
	}
	for _, c := range []struct {
		name    string
		misses  int
		rs      []store.Registration
		typed   string
		want    store.CodeUse
		wantI   int
		wantErr error
	}{
		{"the newest matches", 0, rs, "c1", store.CodeUse{OK: true}, 0, nil},
		{"an older one matches", 0, rs, "c2", store.CodeUse{OK: true}, 2, nil},
		{"a decoy matches", 0, rs, "decoy", store.CodeUse{}, -1, store.ErrNotFound},
		{"a miss leaves the most any code has left", 0, rs, "x", store.CodeUse{AttemptsLeft: 4}, -1, nil},
		{"at most the budget's misses left", 3, rs, "x", store.CodeUse{AttemptsLeft: 1}, -1, nil},
		{"the budget spent", 5, rs, "c1", store.CodeUse{}, -1, store.ErrCodesLocked},
		{"no live code", 0, nil, "c1", store.CodeUse{}, -1, store.ErrNotFound},
	} {
		compared := 0
		use, i, err := budget.Verify(c.misses, c.rs, func(h []byte, _ string) bool { compared++; return string(h) == c.typed })
		if use != c.want || i != c.wantI || !errors.Is(err, c.wantErr) || (err == nil) != (c.wantErr == nil) {
			t.Errorf("%s: %+v, %d, %v; want %+v, %d, %v", c.name, use, i, err, c.want, c.wantI, c.wantErr)
		}
		if c.misses < budget.Misses && compared != len(c.rs) {
			t.Errorf("%s: %d codes compared, want every one of %d", c.name, compared, len(c.rs))
		}
	}
	if rs[0].Attempts != 1 {
		t.Error("Verify changed the caller's registrations")
	}
}

// TestOutcome pins what the audit log says of each action.
func TestOutcome(t *testing.T) {
	for _, c := range []struct {
		action    string
		suspended bool
		n         int
		want      string
	}{
		{store.ActionSuspend, false, 2, "suspended; 2 sessions ended"},
		{store.ActionSuspend, true, 0, "was suspended already; 0 sessions ended"},
		{store.ActionUnsuspend, true, 0, "reinstated"},
		{store.ActionUnsuspend, false, 0, "was not suspended"},
		{store.ActionUnlock, false, 3, "3 lockout keys cleared"},
		{store.ActionRevokeSessions, false, 1, "1 sessions ended"},
		{store.ActionDelete, false, 0, "deleted"},
		{store.ActionExport, false, 0, "exported"},
	} {
		if got := store.Outcome(c.action, c.suspended, c.n); got != c.want {
			t.Errorf("%s (suspended %v, %d): %q, want %q", c.action, c.suspended, c.n, got, c.want)
		}
	}
}

// TestTicketAnswer pins what a staff action does to a ticket.
func TestTicketAnswer(t *testing.T) {
	for _, c := range []struct {
		name, text              string
		e                       store.AuditEntry
		status, reason, outcome string
		wantErr                 error
	}{
		{"a reply", "hello", store.AuditEntry{Action: store.ActionTicketReply, Reason: " asked "}, authapi.TicketAnswered, "ticket T-1; asked", "replied", nil},
		{"a last reply", "bye", store.AuditEntry{Action: store.ActionTicketClose}, authapi.TicketClosed, "ticket T-1", "replied and closed", nil},
		{"a close", "", store.AuditEntry{Action: store.ActionTicketClose}, authapi.TicketClosed, "ticket T-1", "closed", nil},
		{"a reply with no text", "", store.AuditEntry{Action: store.ActionTicketReply}, "", "", "", store.ErrUnknownAction},
		{"another action", "x", store.AuditEntry{Action: store.ActionSuspend}, "", "", "", store.ErrUnknownAction},
	} {
		status, reason, outcome, err := store.TicketAnswer("T-1", c.text, c.e)
		if status != c.status || reason != c.reason || outcome != c.outcome || !errors.Is(err, c.wantErr) || (err == nil) != (c.wantErr == nil) {
			t.Errorf("%s: %q %q %q %v, want %q %q %q %v", c.name, status, reason, outcome, err, c.status, c.reason, c.outcome, c.wantErr)
		}
	}
}

// TestRefreshTokenSpendable pins when a refresh token may be spent: a
// reuse is named before an expiry.
func TestRefreshTokenSpendable(t *testing.T) {
	for _, c := range []struct {
		name string
		rt   store.RefreshToken
		want error
	}{
		{"live", store.RefreshToken{ExpiresAt: at.Add(time.Millisecond)}, nil},
		{"expired", store.RefreshToken{ExpiresAt: at}, store.ErrNotFound},
		{"spent", store.RefreshToken{ExpiresAt: at.Add(time.Hour), Used: true}, store.ErrReused},
		{"spent and expired", store.RefreshToken{ExpiresAt: at, Used: true}, store.ErrReused},
	} {
		if err := c.rt.Spendable(at); !errors.Is(err, c.want) || (err == nil) != (c.want == nil) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
}
