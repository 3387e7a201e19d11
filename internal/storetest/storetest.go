// Package storetest is the behaviour suite of the auth server's stores:
// each store's package runs every behaviour through [Run], so that SQLite
// and PostgreSQL are held to the same tests. Only tests import it.
package storetest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"sesame/authapi"
	"sesame/internal/testdb"
	"sesame/server/store"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// Run runs every behaviour on the kind of store (testdb.SQLite or
// testdb.Postgres), each on an empty database of its own; see
// testdb.Require for PostgreSQL.
func Run(t *testing.T, kind string) {
	testdb.Require(t, kind)
	for _, b := range behaviours {
		t.Run(b.name, func(t *testing.T) { b.test(t, testdb.New(t, kind)) })
	}
}

var behaviours = []struct {
	name string
	test func(*testing.T, testdb.DB)
}{
	{"accounts", testAccounts},
	{"password swaps", testPasswordSwaps},
	{"lockout", testLockout},
	{"attempts in flight", testAttemptsInFlight},
	{"mailed codes", testCodes},
	{"mailed codes in slots", testCodeSlots},
	{"long codes", testLongCodes},
	{"registrations", testRegistrations},
	{"the budget of wrong codes", testCodeBudget},
	{"purge", testPurge},
	{"unverified accounts become registrations", testMigrateRegistrations},
	{"two-factor", testTwoFactor},
	{"TOTP secrets rewritten", testRewriteTOTPSecrets},
	{"a sealed TOTP secret found", testSealedTOTPSecret},
	{"challenges", testChallenges},
	{"sessions", testSessions},
	{"refresh rotation", testRefreshRotation},
	{"devices", testDevices},
	{"device trust revoked", testDeviceTrustRevoked},
	{"suspension ends access", testSuspension},
	{"password reset", testReset},
	{"this wasn't me", testWasntMe},
	{"security notices at most once an interval", testNotices},
	{"activity", testActivity},
	{"outbox", testOutbox},
	{"maintenance", testMaintenance},
	{"ping", testPing},
	{"accounts found", testFindAccounts},
	{"suspension by the operator", testAdminSuspend},
	{"unlock", testAdminUnlock},
	{"account deletion", testAdminDelete},
	{"audit log", testAuditLog},
	{"rate limits", testRateLimits},
	{"reopened", testReopened},
	{"replicas open at once", testOpenAtOnce},
	{"concurrent attempts never exceed the lock", testConcurrentAttempts},
	{"concurrent codes", testConcurrentCodes},
	{"concurrent wrong codes stay within the budget", testConcurrentBudget},
	{"concurrent registrations", testConcurrentRegistrations},
	{"concurrent single-use two-factor", testConcurrentTwoFactor},
	{"concurrent password swaps", testConcurrentSwaps},
	{"sign-in racing a password change", testSignInRacingChange},
	{"concurrent refresh", testConcurrentRefresh},
	{"concurrent reset", testConcurrentReset},
	{"concurrent recovery code replacement", testConcurrentReplaceCodes},
	{"concurrent takes of a rate limit", testConcurrentRateLimit},
	{"concurrent notice claims", testConcurrentNotices},
	{"phones", testPhones},
	{"tickets", testTickets},
	{"closed tickets purged", testTicketPurge},
	{"concurrent tickets stay within the cap", testConcurrentTickets},
}

var ctx = context.Background()

// now is a whole millisecond, the precision both stores keep.
var now = time.Now().UTC().Truncate(time.Millisecond)

var policy = store.LockPolicy{MaxFailures: 3, Base: time.Minute, Max: 4 * time.Minute}

func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: %v, want %v", what, err, want)
	}
}

// newAccount creates the account id with the address id@example.org and
// the password hash "hash-"+id.
func newAccount(t *testing.T, st store.Store, id string) store.Account {
	t.Helper()
	a := store.Account{ID: id, Email: id + "@example.org", PasswordHash: "hash-" + id, Verified: true, CreatedAt: now, Language: "zh-Hans"}
	check(t, st.CreateAccount(ctx, a))
	return a
}

// newSession signs a in as session id, with the access token "a-"+id and
// the refresh token "r-"+id, both valid for an hour.
func newSession(t *testing.T, st store.Store, a store.Account, id string) store.Session {
	t.Helper()
	se := store.Session{ID: id, AccountID: a.ID, DeviceName: "device " + id, IP: "127.0.0.1", CreatedAt: now, LastSeenAt: now}
	check(t, st.CreateSession(ctx, store.NewSession{Session: se, Tokens: tokens(id, now), PasswordHash: a.PasswordHash, Email: a.Email}))
	return se
}

func tokens(id string, at time.Time) store.Tokens {
	return store.Tokens{Access: []byte("a-" + id), AccessExpires: at.Add(time.Hour), Refresh: []byte("r-" + id), RefreshExpires: at.Add(time.Hour)}
}

// race runs f(0) … f(n-1) at once, alternating between the handles, and
// returns how many returned true.
func race(n int, handles []store.Admin, f func(st store.Admin, i int) bool) int {
	var wg sync.WaitGroup
	var won atomic.Int32
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			var st store.Admin
			if len(handles) > 0 {
				st = handles[i%len(handles)]
			}
			if f(st, i) {
				won.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	return int(won.Load())
}

// replicas opens two handles on db, as two server processes do.
func replicas(t *testing.T, db testdb.DB) []store.Admin {
	return []store.Admin{db.Open(t), db.Open(t)}
}

func testAccounts(t *testing.T, db testdb.DB) {
	st := db.Open(t)
	a := newAccount(t, st, "ann")
	wantErr(t, "a second account on the address", st.CreateAccount(ctx, store.Account{ID: "other", Email: a.Email, CreatedAt: now}), store.ErrExists)
	for _, get := range []func() (store.Account, error){
		func() (store.Account, error) { return st.AccountByEmail(ctx, a.Email) },
		func() (store.Account, error) { return st.AccountByID(ctx, a.ID) },
	} {
		got, err := get()
		check(t, err)
		if got != a {
			t.Fatalf("read %+v, want %+v", got, a)
		}
	}
	_, err := st.AccountByEmail(ctx, "nobody@example.org")
	wantErr(t, "an unknown address", err, store.ErrNotFound)
	_, err = st.AccountByID(ctx, "nobody")
	wantErr(t, "an unknown ID", err, store.ErrNotFound)
	check(t, st.SetSuspended(ctx, a.ID, true))
	check(t, st.SetAntiPhishing(ctx, a.ID, "blue heron"))
	got, _ := st.AccountByID(ctx, a.ID)
	if !got.Verified || !got.Suspended || got.AntiPhishing != "blue heron" {
		t.Fatalf("account after the settings: %+v", got)
	}
	check(t, st.SetLanguage(ctx, a.ID, "en"))
	if got, _ := st.AccountByID(ctx, a.ID); got.Language != "en" {
		t.Fatalf("language after SetLanguage en: %q", got.Language)
	}
	wantErr(t, "the language of an unknown account", st.SetLanguage(ctx, "nobody", "en"), store.ErrNotFound)
	check(t, st.CreateAccount(ctx, store.Account{ID: "nolang", Email: "nolang@example.org", CreatedAt: now}))
	if got, _ := st.AccountByID(ctx, "nolang"); got.Language != authapi.DefaultLanguage {
		t.Fatalf("an account made without a language has %q", got.Language)
	}
}

func testPasswordSwaps(t *testing.T, db testdb.DB) {
	st := db.Open(t)
	a := newAccount(t, st, "ann")
	check(t, st.ReplacePasswordHash(ctx, a.ID, a.PasswordHash, "rehashed"))
	wantErr(t, "a rehash over a replaced hash", st.ReplacePasswordHash(ctx, a.ID, a.PasswordHash, "again"), store.ErrNotFound)
	a.PasswordHash = "rehashed"
	newSession(t, st, a, "keep")
	newSession(t, st, a, "other")
	check(t, st.PutChallenge(ctx, []byte("ch"), store.Challenge{AccountID: a.ID, DeviceName: "d", ExpiresAt: now.Add(time.Minute)}))
	wantErr(t, "a change over a stale hash", st.ChangePassword(ctx, a.ID, "stale", "new", "keep", now), store.ErrNotFound)
	if ss, _ := st.Sessions(ctx, a.ID); len(ss) != 2 {
		t.Fatalf("a refused change ended sessions: %d left", len(ss))
	}
	check(t, st.ChangePassword(ctx, a.ID, "rehashed", "changed", "keep", now))
	if ss, _ := st.Sessions(ctx, a.ID); len(ss) != 1 || ss[0].ID != "keep" {
		t.Fatalf("sessions after the change: %+v", ss)
	}
	_, err := st.Challenge(ctx, []byte("ch"), now)
	wantErr(t, "a challenge after the change", err, store.ErrNotFound)
	if got, _ := st.AccountByID(ctx, a.ID); got.PasswordHash != "changed" {
		t.Fatal("the change did not set the hash")
	}
}

func testLockout(t *testing.T, db testdb.DB) {
	st := db.Open(t)
	const email = "x@example.org"
	at := now
	fail := func() store.Lockout {
		t.Helper()
		id, _, err := st.ReserveAttempt(ctx, email, at, time.Minute, policy)
		check(t, err)
		l, err := st.FinishAttempt(ctx, id, email, true, at, policy)
		check(t, err)
		return l
	}
	for i, want := range []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 4 * time.Minute} {
		for f := 1; f < policy.MaxFailures; f++ {
			if l := fail(); l.Failures != f || l.Locked(at) {
				t.Fatalf("lock %d, failure %d: %+v", i, f, l)
			}
		}
		l := fail()
		if l.Failures != 0 || l.LockCount != i+1 || !l.LockedUntil.Equal(at.Add(want)) {
			t.Fatalf("lock %d: %+v, want %v long", i, l, want)
		}
		_, got, err := st.ReserveAttempt(ctx, email, at.Add(want-time.Second), time.Minute, policy)
		wantErr(t, "an attempt while locked", err, store.ErrLocked)
		if !got.LockedUntil.Equal(l.LockedUntil) {
			t.Fatalf("the refusal tells the lock %v, want %v", got.LockedUntil, l.LockedUntil)
		}
		at = at.Add(want)
	}
	id, _, err := st.ReserveAttempt(ctx, email, at, time.Minute, policy)
	check(t, err)
	if l, err := st.FinishAttempt(ctx, id, email, false, at, policy); err != nil || l.Failures != 0 {
		t.Fatalf("a success counted: %+v %v", l, err)
	}
	fail()
	check(t, st.ClearFailures(ctx, email))
	if l, err := st.Lockout(ctx, email); err != nil || l.Failures != 0 || l.LockCount != 4 || !l.LockedUntil.IsZero() {
		t.Fatalf("after clearing: %+v %v", l, err)
	}
	if l, err := st.Lockout(ctx, "unknown@example.org"); err != nil || l != (store.Lockout{}) {
		t.Fatalf("an unknown address: %+v %v", l, err)
	}
}

func testAttemptsInFlight(t *testing.T, db testdb.DB) {
	st := db.Open(t)
	const email = "x@example.org"
	reserve := func(at time.Time) (string, error) {
		id, _, err := st.ReserveAttempt(ctx, email, at, time.Minute, policy)
		return id, err
	}
	first, err := reserve(now)
	check(t, err)
	_, err = st.FinishAttempt(ctx, first, email, true, now, policy)
	check(t, err)
	var ids []string
	for range policy.MaxFailures - 1 {
		id, err := reserve(now)
		check(t, err)
		ids = append(ids, id)
	}
	_, err = reserve(now)
	wantErr(t, "one failure and two attempts in flight", err, store.ErrBusy)
	_, err = st.FinishAttempt(ctx, ids[0], email, false, now, policy)
	check(t, err)
	_, err = reserve(now)
	check(t, err)
	// Reservations a crashed server left expire.
	_, err = reserve(now.Add(time.Minute - time.Millisecond))
	wantErr(t, "before the reservations expire", err, store.ErrBusy)
	_, err = reserve(now.Add(time.Minute))
	check(t, err)
	_, err = reserve(now.Add(time.Minute))
	check(t, err)
	_, err = reserve(now.Add(time.Minute))
	wantErr(t, "with the expired ones gone", err, store.ErrBusy)
}

// budget is a code budget that the tests of single codes never reach.
var budget = store.CodeBudget{Misses: 1000, Window: time.Hour}

// is matches the stored hash code.
func is(code string) func([]byte) bool { return func(b []byte) bool { return string(b) == code } }

// isReg accepts the registration whose stored code hash is code, whatever
// its password hash.
func isReg(code string) func([]byte, string) bool {
	return func(b []byte, _ string) bool { return string(b) == code }
}

func testCodes(t *testing.T, db testdb.DB) {
	st := db.Open(t)
	const email = "x@example.org"
	use := func(purpose string, at time.Time, code string) (store.CodeUse, error) {
		return st.UseCode(ctx, email, purpose, store.AnySlot, email, at, budget, is(code))
	}
	check(t, st.PutCode(ctx, email, store.PurposeVerify, store.AnySlot, []byte("111111"), now.Add(time.Minute), 3))
	check(t, st.PutCode(ctx, email, store.PurposeReset, store.AnySlot, []byte("222222"), now.Add(time.Minute), 3))
	for left := 2; left >= 0; left-- {
		u, err := use(store.PurposeVerify, now, "000000")
		if u.OK || u.AttemptsLeft != left || u.Exhausted || err != nil {
			t.Fatalf("a miss: %+v %v, want %d left", u, err, left)
		}
	}
	_, err := use(store.PurposeVerify, now, "111111")
	wantErr(t, "the code after its last attempt", err, store.ErrNotFound)
	if u, err := use(store.PurposeReset, now, "222222"); !u.OK || err != nil {
		t.Fatalf("the other purpose's code: %+v %v", u, err)
	}
	_, err = use(store.PurposeReset, now, "222222")
	wantErr(t, "a spent code", err, store.ErrNotFound)
	check(t, st.PutCode(ctx, email, store.PurposeVerify, store.AnySlot, []byte("444444"), now.Add(time.Minute), 3))
	_, err = use(store.PurposeVerify, now.Add(time.Minute), "444444")
	wantErr(t, "an expired code", err, store.ErrNotFound)
}

// testCodeSlots: an address keeps its store.KeptCodes newest codes of a
// purpose in each slot, any of which matches, and a match spends them
// all; a device's slot is tried only by that device, and anyone's slot by
// everyone.
func testCodeSlots(t *testing.T, db testdb.DB) {
	st := db.Open(t)
	const email, dev = "x@example.org", "d1"
	put := func(slot, code string, attempts int) {
		t.Helper()
		check(t, st.PutCode(ctx, email, store.PurposeReset, slot, []byte(code), now.Add(time.Minute), attempts))
	}
	use := func(slot, code string) (store.CodeUse, error) {
		return st.UseCode(ctx, email, store.PurposeReset, slot, email, now, store.CodeBudget{Misses: 100, Window: time.Hour}, is(code))
	}
	for _, c := range []string{"111111", "222222", "333333", "444444"} {
		put(store.AnySlot, c, 3)
	}
	if u, err := use(store.AnySlot, "111111"); u.OK || err != nil {
		t.Fatalf("a code beyond the kept ones: %+v %v, want a miss", u, err)
	}
	if u, err := use(store.AnySlot, "222222"); !u.OK || err != nil {
		t.Fatalf("the oldest kept code: %+v %v", u, err)
	}
	_, err := use(store.AnySlot, "444444")
	wantErr(t, "a code after another of the address matched", err, store.ErrNotFound)

	// The device's code outlives anyone's requests and misses; anyone's
	// code matches for the device too.
	put(dev, "555555", 1)
	for _, c := range []string{"666666", "777777", "888888", "999999"} {
		put(store.AnySlot, c, 5)
	}
	for i, slot := range []string{store.AnySlot, "d2"} {
		if u, err := use(slot, "555555"); u.OK || u.AttemptsLeft != 4-i || err != nil {
			t.Fatalf("the device's code tried from slot %q: %+v %v, want a miss", slot, u, err)
		}
	}
	if u, err := use(dev, "555555"); !u.OK || err != nil {
		t.Fatalf("the device's code from the device: %+v %v", u, err)
	}
	put(dev, "555555", 5)
	put(store.AnySlot, "666666", 1)
	if u, err := use(dev, "000000"); u.OK || u.AttemptsLeft != 4 || err != nil {
		t.Fatalf("a miss of the device: %+v %v, want 4 left", u, err)
	}
	_, err = use(store.AnySlot, "666666")
	wantErr(t, "anyone's code after the device's miss spent it", err, store.ErrNotFound)
	if u, err := use(dev, "555555"); !u.OK || err != nil {
		t.Fatalf("the device's code after its miss: %+v %v", u, err)
	}
}

// testLongCodes: the long codes live in store.LongSlot, which UseCode
// never tries or counts down; UseLongCode tries them outside any budget, a
// miss writes nothing, and a match spends every code of the purpose.
func testLongCodes(t *testing.T, db testdb.DB) {
	st := db.Open(t)
	const email = "x@example.org"
	b := store.CodeBudget{Misses: 1, Window: time.Hour}
	long := func(at time.Time, code string) (bool, error) {
		return st.UseLongCode(ctx, email, store.PurposeReset, at, is(code))
	}
	_, err := long(now, "L1")
	wantErr(t, "no long code", err, store.ErrNotFound)
	check(t, st.PutCode(ctx, email, store.PurposeReset, store.AnySlot, []byte("111111"), now.Add(time.Minute), 5))
	check(t, st.PutCode(ctx, email, store.PurposeReset, store.LongSlot, []byte("L1"), now.Add(time.Minute), 5))
	check(t, st.PutCode(ctx, email, store.PurposeSupport, store.LongSlot, []byte("S1"), now.Add(time.Minute), 5))

	// Short misses spend the budget, and UseCode never matches a long code.
	if u, err := st.UseCode(ctx, email, store.PurposeReset, store.AnySlot, email, now, b, is("L1")); u.OK || !u.Exhausted || err != nil {
		t.Fatalf("a long code tried as a short one: %+v %v, want the miss that spends the budget", u, err)
	}
	if locked, err := st.CodesLocked(ctx, email, now, b); !locked || err != nil {
		t.Fatalf("CodesLocked after the budget's miss: %v %v", locked, err)
	}
	if locked, err := st.CodesLocked(ctx, email, now.Add(time.Hour), b); locked || err != nil {
		t.Fatalf("CodesLocked a window later: %v %v", locked, err)
	}
	// Long misses are free and many; the long code survives them.
	for range 20 {
		if ok, err := long(now, "L2"); ok || err != nil {
			t.Fatalf("a wrong long code: %v %v", ok, err)
		}
	}
	if ok, err := st.UseLongCode(ctx, email, store.PurposeReset, now, is("S1")); ok || err != nil {
		t.Fatalf("a support long code for a reset: %v %v", ok, err)
	}
	_, err = long(now.Add(time.Minute), "L1")
	wantErr(t, "an expired long code", err, store.ErrNotFound)
	if ok, err := long(now, "L1"); !ok || err != nil {
		t.Fatalf("the long code with the budget spent: %v %v", ok, err)
	}
	// Single use, and it spent the short code too, not the support one.
	_, err = long(now, "L1")
	wantErr(t, "a used long code", err, store.ErrNotFound)
	_, err = st.UseCode(ctx, email, store.PurposeReset, store.AnySlot, "other", now, b, is("111111"))
	wantErr(t, "a short code after the long one", err, store.ErrNotFound)
	if ok, err := st.UseLongCode(ctx, email, store.PurposeSupport, now, is("S1")); !ok || err != nil {
		t.Fatalf("the support long code: %v %v", ok, err)
	}
}

// registration is a registration of email with the password hash pw and
// the stored code hash code, made at.
func registration(email, pw, code string, at time.Time) store.Registration {
	return store.Registration{Email: email, PasswordHash: pw, CodeHash: []byte(code), CodeExpiresAt: at.Add(10 * time.Minute),
		Attempts: 3, CreatedAt: at}
}

func testRegistrations(t *testing.T, db testdb.DB) {
	st := db.Open(t)
	const email = "x@example.org"
	verify := func(at time.Time, code, id string) (store.CodeUse, error) {
		return st.VerifyRegistration(ctx, email, at, budget, func(h []byte, _ string) bool { return is(code)(h) }, id)
	}
	_, err := verify(now, "000000", "acc")
	wantErr(t, "no registration", err, store.ErrNotFound)
	check(t, st.PutRegistration(ctx, registration(email, "old", "999000", now)))
	for i, pw := range []string{"first", "second", ""} {
		check(t, st.PutRegistration(ctx, registration(email, pw, fmt.Sprint(i+1, "00000"), now.Add(time.Duration(i+1)*time.Second))))
	}
	check(t, st.PutRegistration(ctx, registration("y@example.org", "other", "900000", now)))
	// The 4th dropped the oldest; the decoy is no sign-in's.
	rs, err := st.Registrations(ctx, email, now)
	check(t, err)
	if len(rs) != 2 || rs[0].PasswordHash != "second" || rs[1].PasswordHash != "first" || string(rs[0].CodeHash) != "200000" ||
		!rs[1].CreatedAt.Equal(now.Add(time.Second)) || rs[1].Attempts != 3 {
		t.Fatalf("registrations %+v, want second and first", rs)
	}
	// A miss spends one attempt of every live code: 2, then 1 each.
	if u, err := verify(now, "999000", "acc"); u.OK || u.AttemptsLeft != 2 || err != nil {
		t.Fatalf("the dropped registration's code: %+v %v, want a miss", u, err)
	}
	if u, err := verify(now, "999999", "acc"); u.OK || u.AttemptsLeft != 1 || err != nil {
		t.Fatalf("a miss: %+v %v, want 1 left", u, err)
	}
	if _, err := verify(now, "300000", "acc"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the decoy's code: %v, want ErrNotFound", err)
	}
	if u, err := verify(now, "888888", "acc"); u.OK || u.AttemptsLeft != 0 || err != nil {
		t.Fatalf("a miss: %+v %v, want 0 left", u, err)
	}
	_, err = verify(now, "200000", "acc")
	wantErr(t, "a code after its last attempt", err, store.ErrNotFound)
	if rs, _ := st.Registrations(ctx, email, now); len(rs) != 2 {
		t.Fatalf("registrations with spent codes: %d, want them kept for the sign-in", len(rs))
	}
	third := registration(email, "third", "400000", now.Add(4*time.Second))
	third.Language = "zh-Hans"
	check(t, st.PutRegistration(ctx, third))
	check(t, st.PutRegistration(ctx, registration(email, "fourth", "500000", now.Add(5*time.Second))))
	_, err = verify(now.Add(10*time.Minute+5*time.Second), "400000", "acc")
	wantErr(t, "an expired code", err, store.ErrNotFound)
	// match sees each registration's password hash: the right code with
	// another registration's password is a miss.
	if u, err := st.VerifyRegistration(ctx, email, now, budget, func(h []byte, pw string) bool {
		return string(h) == "400000" && pw == "fourth"
	}, "acc"); u.OK || err != nil {
		t.Fatalf("the right code with another password: %+v %v, want a miss", u, err)
	}
	if u, err := verify(now, "400000", "acc"); !u.OK || err != nil {
		t.Fatalf("the right code: %+v %v", u, err)
	}
	a, err := st.AccountByEmail(ctx, email)
	check(t, err)
	if a.ID != "acc" || a.PasswordHash != "third" || !a.Verified || !a.CreatedAt.Equal(now) || a.Language != "zh-Hans" {
		t.Fatalf("account %+v, want acc with the hash third, verified", a)
	}
	if rs, _ := st.Registrations(ctx, email, now); len(rs) != 0 {
		t.Fatalf("registrations left after the verification: %+v", rs)
	}
	_, err = verify(now, "500000", "acc2")
	wantErr(t, "another registration's code after the verification", err, store.ErrNotFound)
	// A registration made in the meantime does not make a second account.
	check(t, st.PutRegistration(ctx, registration(email, "late", "600000", now)))
	_, err = verify(now, "600000", "acc2")
	wantErr(t, "a registration of an address with an account", err, store.ErrExists)
	// Registrations expire after 7 days.
	other, _ := st.Registrations(ctx, "y@example.org", now.Add(store.RegistrationTTL-time.Millisecond))
	gone, _ := st.Registrations(ctx, "y@example.org", now.Add(store.RegistrationTTL))
	if len(other) != 1 || len(gone) != 0 {
		t.Fatalf("registrations before and at their expiry: %d, %d", len(other), len(gone))
	}
	_, err = st.VerifyRegistration(ctx, "y@example.org", now.Add(store.RegistrationTTL), budget, isReg("900000"), "acc3")
	wantErr(t, "an expired registration", err, store.ErrNotFound)
}

func testCodeBudget(t *testing.T, db testdb.DB) {
	st := db.Open(t)
	const email = "x@example.org"
	b := store.CodeBudget{Misses: 4, Window: time.Hour}
	check(t, st.PutCode(ctx, email, store.PurposeReset, store.AnySlot, []byte("111111"), now.Add(2*time.Hour), 5))
	r := registration(email, "pw", "222222", now)
	r.CodeExpiresAt = now.Add(2 * time.Hour)
	check(t, st.PutRegistration(ctx, r))
	// Reset and verification misses count together; the attempts left
	// never exceed the budget's (the codes have 4 and 2 after the first).
	want := []store.CodeUse{{AttemptsLeft: 3}, {AttemptsLeft: 2}, {AttemptsLeft: 1}, {AttemptsLeft: 0, Exhausted: true}}
	for i, w := range want {
		at := now.Add(time.Duration(i) * time.Minute)
		var u store.CodeUse
		var err error
		if i%2 == 0 {
			u, err = st.UseCode(ctx, email, store.PurposeReset, store.AnySlot, email, at, b, is("000000"))
		} else {
			u, err = st.VerifyRegistration(ctx, email, at, b, isReg("000000"), "acc")
		}
		if u != w || err != nil {
			t.Fatalf("miss %d: %+v %v, want %+v", i+1, u, err, w)
		}
	}
	// Past the budget even the right codes are refused, on both, until the
	// first miss leaves the window; another address is not concerned.
	for _, at := range []time.Time{now.Add(3 * time.Minute), now.Add(time.Hour - time.Millisecond)} {
		_, err := st.UseCode(ctx, email, store.PurposeReset, store.AnySlot, email, at, b, is("111111"))
		wantErr(t, "the right reset code past the budget", err, store.ErrCodesLocked)
		_, err = st.VerifyRegistration(ctx, email, at, b, isReg("222222"), "acc")
		wantErr(t, "the right registration code past the budget", err, store.ErrCodesLocked)
	}
	_, err := st.UseCode(ctx, "y@example.org", store.PurposeReset, store.AnySlot, "y@example.org", now, b, is("111111"))
	wantErr(t, "another address", err, store.ErrNotFound)
	// A device's budget is its own: the address's spent budget does not
	// stop it, and its misses count on it alone.
	dev := store.DeviceKeyPrefix + "d1"
	if u, err := st.UseCode(ctx, email, store.PurposeReset, store.AnySlot, dev, now.Add(4*time.Minute), b, is("000000")); u.OK || u.AttemptsLeft != 2 || err != nil {
		t.Fatalf("a device's miss past the address's budget: %+v %v, want a miss", u, err)
	}
	if u, err := st.UseCode(ctx, email, store.PurposeReset, store.AnySlot, dev, now.Add(5*time.Minute), b, is("111111")); !u.OK || err != nil {
		t.Fatalf("a device's right code past the address's budget: %+v %v", u, err)
	}
	check(t, st.PutCode(ctx, email, store.PurposeReset, store.AnySlot, []byte("111111"), now.Add(2*time.Hour), 5))
	// The first miss left the window: one more try.
	if u, err := st.UseCode(ctx, email, store.PurposeReset, store.AnySlot, email, now.Add(time.Hour), b, is("111111")); !u.OK || err != nil {
		t.Fatalf("the right code after the first miss left the window: %+v %v", u, err)
	}
	_, err = st.VerifyRegistration(ctx, email, now.Add(time.Hour), b, isReg("000000"), "acc")
	wantErr(t, "a miss that fills the window again", err, nil)
	_, err = st.VerifyRegistration(ctx, email, now.Add(time.Hour), b, isReg("222222"), "acc")
	wantErr(t, "the right code with the window full again", err, store.ErrCodesLocked)
}

func testPurge(t *testing.T, db testdb.DB) {
	st := db.Open(t)
	a := newAccount(t, st, "ann")
	// The purge runs at later: what ended by then goes, the rest stays.
	later := now.Add(25 * time.Hour)
	check(t, st.PutCode(ctx, "old@example.org", store.PurposeReset, store.AnySlot, []byte("c"), now.Add(time.Minute), 5))
	check(t, st.PutCode(ctx, "new@example.org", store.PurposeReset, store.AnySlot, []byte("c"), later.Add(time.Minute), 5))
	check(t, st.PutRegistration(ctx, registration("old@example.org", "pw", "c", later.Add(-store.RegistrationTTL))))
	check(t, st.PutRegistration(ctx, registration("new@example.org", "pw", "c", later.Add(time.Millisecond-store.RegistrationTTL))))
	_, err := st.UseCode(ctx, "old@example.org", store.PurposeReset, store.AnySlot, "old@example.org", now, store.CodeBudget{Misses: 10, Window: time.Hour}, is("x"))
	check(t, err)
	_, err = st.UseCode(ctx, "new@example.org", store.PurposeReset, store.AnySlot, "new@example.org", now, store.CodeBudget{Misses: 10, Window: 26 * time.Hour}, is("x"))
	check(t, err)
	check(t, st.PutChallenge(ctx, []byte("old"), store.Challenge{AccountID: a.ID, ExpiresAt: now.Add(time.Minute)}))
	check(t, st.PutChallenge(ctx, []byte("new"), store.Challenge{AccountID: a.ID, ExpiresAt: later.Add(time.Minute)}))
	newSession(t, st, a, "old") // its tokens end an hour after now
	newSession(t, st, a, "live")
	_, err = st.RotateRefresh(ctx, []byte("r-live"), now, tokens("live2", later), store.Limit{}, store.Charge{})
	check(t, err)
	check(t, st.PutResetToken(ctx, []byte("old"), a.ID, now.Add(time.Minute)))
	check(t, st.PutResetToken(ctx, []byte("new"), a.ID, later.Add(time.Minute)))
	_, _, err = st.ReserveAttempt(ctx, "old@example.org", now, time.Minute, policy)
	check(t, err)
	_, _, err = st.ReserveAttempt(ctx, "new@example.org", later, time.Minute, policy)
	check(t, err)
	// A lock that ended over a day before the purge, one that ended less
	// than a day before, and a failure.
	lockAt := map[string]time.Time{"unlocked-long-ago@example.org": now, "unlocked@example.org": now.Add(time.Hour), "failing@example.org": now}
	for email, at := range lockAt {
		id, _, err := st.ReserveAttempt(ctx, email, at, time.Minute, policy)
		check(t, err)
		p := store.LockPolicy{MaxFailures: 1, Base: time.Minute, Max: time.Minute}
		if email == "failing@example.org" {
			p = policy
		}
		_, err = st.FinishAttempt(ctx, id, email, true, at, p)
		check(t, err)
	}

	check(t, st.Purge(ctx, later))

	if _, err := st.UseCode(ctx, "old@example.org", store.PurposeReset, store.AnySlot, "old@example.org", now, budget, is("c")); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("an expired code was not purged: %v", err)
	}
	if u, err := st.UseCode(ctx, "new@example.org", store.PurposeReset, store.AnySlot, "new@example.org", later, budget, is("c")); !u.OK || err != nil {
		t.Fatalf("a live code: %+v %v", u, err)
	}
	if rs, _ := st.Registrations(ctx, "old@example.org", now); len(rs) != 0 {
		t.Fatal("an expired registration was not purged")
	}
	if rs, _ := st.Registrations(ctx, "new@example.org", later); len(rs) != 1 {
		t.Fatal("a live registration was purged")
	}
	// The old miss is purged, the new one still counts (its budget is 1).
	if _, err := st.UseCode(ctx, "old@example.org", store.PurposeReset, store.AnySlot, "old@example.org", now, store.CodeBudget{Misses: 1, Window: time.Hour}, is("c")); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a purged miss still counts: %v", err)
	}
	if _, err := st.UseCode(ctx, "new@example.org", store.PurposeReset, store.AnySlot, "new@example.org", now, store.CodeBudget{Misses: 1, Window: time.Hour}, is("c")); !errors.Is(err, store.ErrCodesLocked) {
		t.Fatalf("a live miss was purged: %v", err)
	}
	if _, err := st.Challenge(ctx, []byte("new"), later); err != nil {
		t.Fatalf("a live challenge: %v", err)
	}
	if n := countRows(t, db, "challenges"); n != 1 {
		t.Fatalf("%d challenges, want the live one", n)
	}
	if ss, _ := st.Sessions(ctx, a.ID); len(ss) != 1 || ss[0].ID != "live" {
		t.Fatalf("sessions %+v, want the live one", ss)
	}
	if n := countRows(t, db, "refresh_tokens"); n != 1 {
		t.Fatalf("%d refresh tokens, want the live one", n)
	}
	if _, err := st.ResetToken(ctx, []byte("new"), later); err != nil || countRows(t, db, "reset_tokens") != 1 {
		t.Fatalf("reset tokens: %v, %d, want the live one", err, countRows(t, db, "reset_tokens"))
	}
	if n := countRows(t, db, "attempts"); n != 1 {
		t.Fatalf("%d attempt reservations, want the live one", n)
	}
	for email, want := range map[string]bool{"unlocked-long-ago@example.org": false, "unlocked@example.org": true, "failing@example.org": true} {
		l, err := st.Lockout(ctx, email)
		check(t, err)
		if kept := l != (store.Lockout{}); kept != want {
			t.Errorf("the lockout of %s kept: %v, want %v", email, kept, want)
		}
	}

	// Devices unseen for DeviceIdle go, unless they are still trusted.
	b := newAccount(t, st, "bob")
	for _, d := range []store.Device{
		{ID: "idle", TokenHash: []byte("t-idle"), DeviceName: "idle", CreatedAt: now, LastSeenAt: now},
		{ID: "trusted", TokenHash: []byte("t-trusted"), DeviceName: "trusted", CreatedAt: now, LastSeenAt: now,
			TrustedUntil: now.Add(store.DeviceIdle + 2*time.Hour)},
		{ID: "seen", TokenHash: []byte("t-seen"), DeviceName: "seen", CreatedAt: now, LastSeenAt: now.Add(2 * time.Hour)},
	} {
		check(t, deviceSession(t, st, b, "s-"+d.ID, d, false, b.Email))
	}
	check(t, st.Purge(ctx, now.Add(store.DeviceIdle+time.Hour)))
	ds, err := st.Devices(ctx, b.ID)
	check(t, err)
	if len(ds) != 2 || ds[0].ID != "seen" || ds[1].ID != "trusted" {
		t.Fatalf("devices after the purge %+v, want seen and trusted", ds)
	}
}
func testTwoFactor(t *testing.T, db testdb.DB) {
	st := db.Open(t)
	a := newAccount(t, st, "ann")
	check(t, st.SetPendingTOTP(ctx, a.ID, "secret1"))
	codes := [][]byte{[]byte("c1"), []byte("c2"), []byte("c3")}
	wantErr(t, "enabling another secret", st.EnableTOTP(ctx, a.ID, "secret2", codes), store.ErrNotFound)
	check(t, st.EnableTOTP(ctx, a.ID, "secret1", codes))
	wantErr(t, "enabling twice", st.EnableTOTP(ctx, a.ID, "secret1", codes), store.ErrNotFound)
	got, _ := st.AccountByID(ctx, a.ID)
	if !got.TOTPEnabled || got.TOTPSecret != "secret1" || got.TOTPPending != "" {
		t.Fatalf("after enabling: %+v", got)
	}
	for _, c := range []struct {
		step int64
		ok   bool
	}{{10, true}, {10, false}, {9, false}, {11, true}} {
		if ok, err := st.UseTOTPStep(ctx, a.ID, c.step); ok != c.ok || err != nil {
			t.Fatalf("step %d: %v %v, want %v", c.step, ok, err, c.ok)
		}
	}
	for _, c := range []struct {
		code string
		ok   bool
	}{{"c2", true}, {"c2", false}, {"nope", false}} {
		if ok, err := st.UseRecoveryCode(ctx, a.ID, []byte(c.code), now); ok != c.ok || err != nil {
			t.Fatalf("recovery code %s: %v %v, want %v", c.code, ok, err, c.ok)
		}
	}
	if n, err := st.RecoveryCodesLeft(ctx, a.ID); n != 2 || err != nil {
		t.Fatalf("%d codes left (%v), want 2", n, err)
	}
	if last, err := st.RecoveryCodeLastUsed(ctx, a.ID); last.Sub(now).Abs() >= time.Millisecond || err != nil {
		t.Fatalf("last used %v (%v), want %v", last, err, now)
	}
	later := now.Add(time.Hour)
	if ok, _ := st.UseRecoveryCode(ctx, a.ID, []byte("c3"), later); !ok {
		t.Fatal("recovery code c3 refused")
	}
	if last, _ := st.RecoveryCodeLastUsed(ctx, a.ID); last.Sub(later).Abs() >= time.Millisecond {
		t.Fatalf("last used %v, want %v", last, later)
	}
	check(t, st.ReplaceRecoveryCodes(ctx, a.ID, [][]byte{[]byte("d1"), []byte("d2"), []byte("d3"), []byte("d4")}))
	if ok, _ := st.UseRecoveryCode(ctx, a.ID, []byte("c1"), now); ok {
		t.Fatal("a replaced recovery code still works")
	}
	if n, _ := st.RecoveryCodesLeft(ctx, a.ID); n != 4 {
		t.Fatalf("%d codes after the replacement, want 4", n)
	}
	if last, err := st.RecoveryCodeLastUsed(ctx, a.ID); !last.IsZero() || err != nil {
		t.Fatalf("last used of a new set %v (%v), want none", last, err)
	}
	check(t, st.DisableTOTP(ctx, a.ID))
	wantErr(t, "disabling an unknown account", st.DisableTOTP(ctx, "nobody"), store.ErrNotFound)
	got, _ = st.AccountByID(ctx, a.ID)
	if n, _ := st.RecoveryCodesLeft(ctx, a.ID); got.TOTPEnabled || got.TOTPSecret != "" || n != 0 {
		t.Fatalf("after disabling: %+v, %d codes", got, n)
	}
}

func testRewriteTOTPSecrets(t *testing.T, db testdb.DB) {
	st := db.Open(t)
	for _, c := range []struct{ id, live, pending string }{
		{"plain", "live1", "pending1"}, {"sealed", "v1:live2", "v1:pending2"}, {"mixed", "v1:live3", "pending3"}, {"none", "", ""},
	} {
		newAccount(t, st, c.id)
		check(t, st.SetPendingTOTP(ctx, c.id, c.live))
		if c.live != "" {
			check(t, st.EnableTOTP(ctx, c.id, c.live, nil))
		}
		check(t, st.SetPendingTOTP(ctx, c.id, c.pending))
	}
	_, err := st.RewriteTOTPSecrets(ctx, "v1:", func(id, v string) (string, error) {
		if id == "mixed" {
			return "", errors.New("no key")
		}
		return "v1:" + v, nil
	})
	if err == nil {
		t.Fatal("an error of f was not returned")
	}
	if a, _ := st.AccountByID(ctx, "plain"); a.TOTPSecret != "live1" {
		t.Fatal("a failed rewrite changed a secret")
	}
	n, err := st.RewriteTOTPSecrets(ctx, "v1:", func(id, v string) (string, error) { return "v1:" + id + ":" + v, nil })
	if n != 3 || err != nil {
		t.Fatalf("rewrote %d (%v), want 3", n, err)
	}
	for id, want := range map[string][2]string{
		"plain": {"v1:plain:live1", "v1:plain:pending1"}, "sealed": {"v1:live2", "v1:pending2"},
		"mixed": {"v1:live3", "v1:mixed:pending3"}, "none": {"", ""},
	} {
		if a, _ := st.AccountByID(ctx, id); a.TOTPSecret != want[0] || a.TOTPPending != want[1] {
			t.Fatalf("%s: %q %q, want %q", id, a.TOTPSecret, a.TOTPPending, want)
		}
	}
	if n, err := st.RewriteTOTPSecrets(ctx, "v1:", nil); n != 0 || err != nil {
		t.Fatalf("a second rewrite: %d %v", n, err)
	}
}

func testSealedTOTPSecret(t *testing.T, db testdb.DB) {
	st := db.Open(t)
	none := func(what string) {
		t.Helper()
		id, v, err := st.SealedTOTPSecret(ctx, "v1:")
		wantErr(t, what, err, store.ErrNotFound)
		if id != "" || v != "" {
			t.Fatalf("%s: %q %q with ErrNotFound", what, id, v)
		}
	}
	none("an empty store")
	newAccount(t, st, "plain")
	none("an account without two-factor")
	check(t, st.SetPendingTOTP(ctx, "plain", "live1"))
	check(t, st.EnableTOTP(ctx, "plain", "live1", nil))
	check(t, st.SetPendingTOTP(ctx, "plain", "pending1"))
	none("plain secrets")

	newAccount(t, st, "pending")
	check(t, st.SetPendingTOTP(ctx, "pending", "v1:pending2"))
	if id, v, err := st.SealedTOTPSecret(ctx, "v1:"); err != nil || id != "pending" || v != "v1:pending2" {
		t.Fatalf("a sealed pending secret: %q %q %v", id, v, err)
	}
	newAccount(t, st, "live")
	check(t, st.SetPendingTOTP(ctx, "live", "v1:live3"))
	check(t, st.EnableTOTP(ctx, "live", "v1:live3", nil))
	check(t, st.DisableTOTP(ctx, "pending"))
	if id, v, err := st.SealedTOTPSecret(ctx, "v1:"); err != nil || id != "live" || v != "v1:live3" {
		t.Fatalf("a sealed live secret: %q %q %v", id, v, err)
	}
	check(t, st.DisableTOTP(ctx, "live"))
	none("two-factor turned off")
}

func testChallenges(t *testing.T, db testdb.DB) {
	st := db.Open(t)
	a := newAccount(t, st, "ann")
	c := store.Challenge{AccountID: a.ID, DeviceName: "laptop", ExpiresAt: now.Add(time.Minute)}
	check(t, st.PutChallenge(ctx, []byte("ch"), c))
	if got, err := st.Challenge(ctx, []byte("ch"), now); err != nil || got != c {
		t.Fatalf("read %+v (%v), want %+v", got, err, c)
	}
	_, err := st.Challenge(ctx, []byte("ch"), c.ExpiresAt)
	wantErr(t, "an expired challenge", err, store.ErrNotFound)
	check(t, st.DeleteChallenge(ctx, []byte("ch")))
	wantErr(t, "deleting twice", st.DeleteChallenge(ctx, []byte("ch")), store.ErrNotFound)
	_, err = st.Challenge(ctx, []byte("ch"), now)
	wantErr(t, "a deleted challenge", err, store.ErrNotFound)
}

func testSessions(t *testing.T, db testdb.DB) {
	st := db.Open(t)
	a := newAccount(t, st, "ann")
	b := newAccount(t, st, "bob")
	// A failure and a reservation, which the sign-in clears and ends.
	id, _, err := st.ReserveAttempt(ctx, a.Email, now, time.Minute, policy)
	check(t, err)
	_, err = st.FinishAttempt(ctx, id, a.Email, true, now, policy)
	check(t, err)
	attempt, _, err := st.ReserveAttempt(ctx, a.Email, now, time.Minute, policy)
	check(t, err)
	se := store.Session{ID: "s1", AccountID: a.ID, DeviceName: "laptop", IP: "192.0.2.1", CreatedAt: now, LastSeenAt: now}
	stale := store.NewSession{Session: se, Tokens: tokens("s1", now), PasswordHash: "stale", Email: a.Email, AttemptID: attempt}
	wantErr(t, "a session for a stale hash", st.CreateSession(ctx, stale), store.ErrNotFound)
	if l, _ := st.Lockout(ctx, a.Email); l.Failures != 1 {
		t.Fatal("a refused session cleared the failures")
	}
	fresh := stale
	fresh.PasswordHash = a.PasswordHash
	check(t, st.CreateSession(ctx, fresh))
	if l, _ := st.Lockout(ctx, a.Email); l.Failures != 0 {
		t.Fatal("the session did not clear the failures")
	}
	for range policy.MaxFailures {
		_, _, err := st.ReserveAttempt(ctx, a.Email, now, time.Minute, policy)
		check(t, err) // the session's reservation is gone
	}
	if ev, _ := st.Activity(ctx, a.ID, 10); len(ev) != 1 || ev[0].Result != authapi.ResultSuccess || ev[0].IP != se.IP || !ev[0].At.Equal(now) {
		t.Fatalf("activity of the sign-in: %+v", ev)
	}
	if got, err := st.SessionByAccess(ctx, []byte("a-s1"), now); err != nil || got != se {
		t.Fatalf("by access token: %+v (%v), want %+v", got, err, se)
	}
	_, err = st.SessionByAccess(ctx, []byte("a-s1"), now.Add(time.Hour))
	wantErr(t, "an expired access token", err, store.ErrNotFound)

	later := se
	later.ID, later.CreatedAt = "s2", now.Add(time.Second)
	check(t, st.CreateSession(ctx, store.NewSession{Session: later, Tokens: tokens("s2", now), PasswordHash: a.PasswordHash, Email: a.Email}))
	newSession(t, st, a, "s3")
	newSession(t, st, b, "b1")
	ss, err := st.Sessions(ctx, a.ID)
	if err != nil || len(ss) != 3 || ss[0].ID != "s2" {
		t.Fatalf("sessions %+v (%v), want three, newest first", ss, err)
	}
	if ss, err := st.Sessions(ctx, "nobody"); len(ss) != 0 || err != nil {
		t.Fatalf("sessions of nobody: %v %v", ss, err)
	}
	wantErr(t, "revoking another account's session", st.RevokeSession(ctx, a.ID, "b1"), store.ErrNotFound)
	check(t, st.RevokeSession(ctx, a.ID, "s3"))
	wantErr(t, "revoking twice", st.RevokeSession(ctx, a.ID, "s3"), store.ErrNotFound)
	if n, err := st.RevokeSessions(ctx, a.ID, "s1"); n != 1 || err != nil {
		t.Fatalf("revoked %d (%v), want 1", n, err)
	}
	if ss, _ := st.Sessions(ctx, a.ID); len(ss) != 1 || ss[0].ID != "s1" {
		t.Fatalf("left %+v", ss)
	}
	if ss, _ := st.Sessions(ctx, b.ID); len(ss) != 1 {
		t.Fatal("another account's session was revoked")
	}
}

// deviceSession signs a in as session id on device dev (made when known
// is false), reserving and ending an attempt on key.
func deviceSession(t *testing.T, st store.Store, a store.Account, id string, dev store.Device, known bool, key string) error {
	t.Helper()
	attempt, _, err := st.ReserveAttempt(ctx, key, now, time.Minute, policy)
	check(t, err)
	se := store.Session{ID: id, AccountID: a.ID, DeviceName: dev.DeviceName, IP: "127.0.0.1", CreatedAt: now, LastSeenAt: now}
	return st.CreateSession(ctx, store.NewSession{Session: se, Tokens: tokens(id, now), PasswordHash: a.PasswordHash,
		Email: a.Email, LockKey: key, AttemptID: attempt, Device: dev, Known: known})
}

// lockOut fails key's attempts until it is locked.
func lockOut(t *testing.T, st store.Store, key string) {
	t.Helper()
	for range policy.MaxFailures {
		id, _, err := st.ReserveAttempt(ctx, key, now, time.Minute, policy)
		check(t, err)
		_, err = st.FinishAttempt(ctx, id, key, true, now, policy)
		check(t, err)
	}
}

func testDevices(t *testing.T, db testdb.DB) {
	st := db.Open(t)
	a := newAccount(t, st, "ann")
	b := newAccount(t, st, "bob")
	dev := store.Device{ID: "d1", TokenHash: []byte("tok-d1"), DeviceName: "laptop", CreatedAt: now, LastSeenAt: now}
	check(t, deviceSession(t, st, a, "s1", dev, false, a.Email))
	got, err := st.DeviceByToken(ctx, []byte("tok-d1"))
	dev.AccountID = a.ID
	if err != nil || got.ID != dev.ID || got.AccountID != a.ID || got.DeviceName != "laptop" || !got.CreatedAt.Equal(now) ||
		!got.TrustedUntil.IsZero() || got.Trusted(now) {
		t.Fatalf("by token: %+v %v", got, err)
	}
	_, err = st.DeviceByToken(ctx, []byte("unknown"))
	wantErr(t, "an unknown token", err, store.ErrNotFound)
	if se, _ := st.SessionByAccess(ctx, []byte("a-s1"), now); se.DeviceID != "d1" {
		t.Fatalf("the session's device %q", se.DeviceID)
	}

	// The address locked from elsewhere, the device's own key too: a
	// sign-in on the device clears its key, and the address's failure count
	// but not the address's lock.
	key := store.DeviceKeyPrefix + dev.ID
	lockOut(t, st, a.Email)
	id, _, err := st.ReserveAttempt(ctx, a.Email, now, time.Minute, policy)
	wantErr(t, "the address locked", err, store.ErrLocked)
	_, err = st.FinishAttempt(ctx, id, a.Email, true, now, policy)
	check(t, err)
	id, _, err = st.ReserveAttempt(ctx, key, now, time.Minute, policy)
	check(t, err)
	_, err = st.FinishAttempt(ctx, id, key, true, now, policy)
	check(t, err)
	seen, trust := now.Add(time.Hour), now.Add(30*24*time.Hour)
	again := store.Device{ID: "d1", DeviceName: "laptop renamed", LastSeenAt: seen, TrustedUntil: trust}
	check(t, deviceSession(t, st, a, "s2", again, true, key))
	if l, _ := st.Lockout(ctx, key); l.Failures != 0 || l.Locked(now) {
		t.Fatalf("the device's key after its sign-in: %+v", l)
	}
	if l, _ := st.Lockout(ctx, a.Email); l.Failures != 0 || !l.Locked(now) {
		t.Fatalf("the address after a device's sign-in: %+v", l)
	}
	got, _ = st.DeviceByToken(ctx, []byte("tok-d1"))
	if got.DeviceName != "laptop renamed" || !got.LastSeenAt.Equal(seen) || !got.TrustedUntil.Equal(trust) || !got.Trusted(seen) {
		t.Fatalf("the known device after a sign-in: %+v", got)
	}
	// A known sign-in without trust keeps the trust; a new token hash
	// replaces the old one.
	again.TrustedUntil, again.TokenHash = time.Time{}, []byte("tok-d1b")
	check(t, deviceSession(t, st, a, "s3", again, true, key))
	if got, _ = st.DeviceByToken(ctx, []byte("tok-d1b")); got.ID != "d1" || !got.TrustedUntil.Equal(trust) {
		t.Fatalf("trust after a sign-in without it: %+v", got)
	}
	if _, err := st.DeviceByToken(ctx, []byte("tok-d1")); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a replaced token: %v", err)
	}
	again.TokenHash = nil
	wantErr(t, "a known device of another account", deviceSession(t, st, b, "b1", again, true, b.Email), store.ErrNotFound)

	d2 := store.Device{ID: "d2", TokenHash: []byte("tok-d2"), DeviceName: "phone", CreatedAt: now, LastSeenAt: now.Add(2 * time.Hour)}
	check(t, deviceSession(t, st, a, "s4", d2, false, "another key"))
	ds, err := st.Devices(ctx, a.ID)
	if err != nil || len(ds) != 2 || ds[0].ID != "d2" || ds[1].ID != "d1" {
		t.Fatalf("devices %+v (%v), want the last seen first", ds, err)
	}
	if ds, err := st.Devices(ctx, b.ID); len(ds) != 0 || err != nil {
		t.Fatalf("devices of bob: %+v %v", ds, err)
	}

	// A pending two-factor sign-in remembers its device.
	c := store.Challenge{AccountID: a.ID, DeviceName: "laptop", DeviceID: "d1", ExpiresAt: now.Add(time.Minute)}
	check(t, st.PutChallenge(ctx, []byte("ch"), c))
	if got, err := st.Challenge(ctx, []byte("ch"), now); err != nil || got != c {
		t.Fatalf("challenge %+v (%v), want %+v", got, err, c)
	}

	lockOut(t, st, key)
	forget := func(accountID string) error { _, err := st.ForgetDevice(ctx, accountID, "d1"); return err }
	wantErr(t, "forgetting for another account", forget(b.ID), store.ErrNotFound)
	check(t, forget(a.ID))
	wantErr(t, "forgetting twice", forget(a.ID), store.ErrNotFound)
	_, err = st.DeviceByToken(ctx, []byte("tok-d1b"))
	wantErr(t, "a forgotten device's token", err, store.ErrNotFound)
	if l, _ := st.Lockout(ctx, key); l != (store.Lockout{}) {
		t.Fatalf("a forgotten device's lockout stayed: %+v", l)
	}
	se, err := st.SessionByAccess(ctx, []byte("a-s2"), now)
	if err != nil || se.DeviceID != "" {
		t.Fatalf("a forgotten device's session: %+v %v", se, err)
	}
	if got, err := st.Challenge(ctx, []byte("ch"), now); err != nil || got.DeviceID != "" {
		t.Fatalf("a forgotten device's challenge: %+v %v", got, err)
	}
	wantErr(t, "a sign-in on a forgotten device", deviceSession(t, st, a, "s5", again, true, "another key"), store.ErrNotFound)
}

// trusted makes the trusted devices <id>-d1, -d2 and -d3 of account id,
// with the sessions <id>-s1 (on -d1), -s2 and -s3, and the challenge
// <id>-ch.
func trusted(t *testing.T, st store.Store, a store.Account) {
	t.Helper()
	for _, n := range []string{"1", "2", "3"} {
		id := a.ID + "-d" + n
		d := store.Device{ID: id, TokenHash: []byte("tok-" + id), DeviceName: "dev", CreatedAt: now, LastSeenAt: now,
			TrustedUntil: now.Add(time.Hour)}
		check(t, deviceSession(t, st, a, a.ID+"-s"+n, d, false, a.Email))
	}
	check(t, st.PutChallenge(ctx, []byte(a.ID+"-ch"), store.Challenge{AccountID: a.ID, DeviceName: "d", ExpiresAt: now.Add(time.Minute)}))
}

// trustedIDs lists a's trusted devices at now.
func trustedIDs(t *testing.T, st store.Store, a store.Account) []string {
	t.Helper()
	ds, err := st.Devices(ctx, a.ID)
	check(t, err)
	var out []string
	for _, d := range ds {
		if d.Trusted(now) {
			out = append(out, d.ID)
		}
	}
	slices.Sort(out)
	return out
}

func testDeviceTrustRevoked(t *testing.T, db testdb.DB) {
	st := db.Open(t)
	a := newAccount(t, st, "ann")
	bob := newAccount(t, st, "bob")
	trusted(t, st, bob)
	trusted(t, st, a)
	// A password change keeps the changing session's device and its
	// trust, and forgets the others.
	check(t, st.ChangePassword(ctx, a.ID, a.PasswordHash, "changed", "ann-s2", now))
	a.PasswordHash = "changed"
	if got := trustedIDs(t, st, a); !slices.Equal(got, []string{"ann-d2"}) {
		t.Fatalf("trusted after a password change: %v", got)
	}
	if ds, _ := st.Devices(ctx, a.ID); len(ds) != 1 {
		t.Fatalf("devices after a password change: %+v", ds)
	}
	// Turning two-factor on or off ends every trust.
	check(t, st.SetPendingTOTP(ctx, a.ID, "secret"))
	check(t, st.EnableTOTP(ctx, a.ID, "secret", nil))
	if got := trustedIDs(t, st, a); len(got) != 0 {
		t.Fatalf("trusted after two-factor was turned on: %v", got)
	}
	check(t, deviceSession(t, st, a, "s4", store.Device{ID: "ann-d1", TokenHash: []byte("tok-ann-d1"), DeviceName: "dev", CreatedAt: now,
		LastSeenAt: now, TrustedUntil: now.Add(time.Hour)}, false, a.Email))
	check(t, st.DisableTOTP(ctx, a.ID))
	if got := trustedIDs(t, st, a); len(got) != 0 {
		t.Fatalf("trusted after two-factor was turned off: %v", got)
	}
	// A reset forgets every device and lifts their locks.
	lockOut(t, st, store.DeviceKeyPrefix+"ann-d1")
	check(t, st.PutResetToken(ctx, []byte("t1"), a.ID, now.Add(time.Minute)))
	check(t, st.CompleteReset(ctx, []byte("t1"), now, a.ID, a.Email, "reset", now, nil))
	if ds, _ := st.Devices(ctx, a.ID); len(ds) != 0 {
		t.Fatalf("devices after a reset: %+v", ds)
	}
	if l, _ := st.Lockout(ctx, store.DeviceKeyPrefix+"ann-d1"); l != (store.Lockout{}) {
		t.Fatalf("a device's lock after a reset: %+v", l)
	}
	if got := trustedIDs(t, st, bob); len(got) != 3 {
		t.Fatalf("another account's devices lost their trust: %v", got)
	}
}

func testSuspension(t *testing.T, db testdb.DB) {
	st := db.Open(t)
	a := newAccount(t, st, "ann")
	bob := newAccount(t, st, "bob")
	trusted(t, st, a)
	trusted(t, st, bob)
	check(t, st.SetSuspended(ctx, a.ID, true))
	ss, _ := st.Sessions(ctx, a.ID)
	_, errCh := st.Challenge(ctx, []byte("ann-ch"), now)
	if len(ss) != 0 || !errors.Is(errCh, store.ErrNotFound) || len(trustedIDs(t, st, a)) != 0 {
		t.Fatalf("after the suspension: %d sessions, challenge %v, trusted %v", len(ss), errCh, trustedIDs(t, st, a))
	}
	if ds, _ := st.Devices(ctx, a.ID); len(ds) != 3 {
		t.Fatalf("a suspension forgot devices: %+v", ds)
	}
	if ss, _ := st.Sessions(ctx, bob.ID); len(ss) != 3 || len(trustedIDs(t, st, bob)) != 3 {
		t.Fatal("a suspension ended another account's access")
	}
	check(t, st.SetSuspended(ctx, a.ID, false))
	wantErr(t, "suspending nobody", st.SetSuspended(ctx, "nobody", true), store.ErrNotFound)
}

func testRefreshRotation(t *testing.T, db testdb.DB) {
	st := db.Open(t)
	a := newAccount(t, st, "ann")
	newSession(t, st, a, "s1")
	at := now.Add(time.Minute)
	se, err := st.RotateRefresh(ctx, []byte("r-s1"), at, tokens("s1b", at), store.Limit{}, store.Charge{})
	if err != nil || se.ID != "s1" || !se.LastSeenAt.Equal(at) {
		t.Fatalf("rotation: %+v %v", se, err)
	}
	if _, err := st.SessionByAccess(ctx, []byte("a-s1"), at); err == nil {
		t.Fatal("the old access token still works")
	}
	if got, err := st.SessionByAccess(ctx, []byte("a-s1b"), at); err != nil || !got.LastSeenAt.Equal(at) {
		t.Fatalf("the new access token: %+v %v", got, err)
	}
	_, err = st.RotateRefresh(ctx, []byte("r-s1b"), at.Add(time.Hour), tokens("s1c", at), store.Limit{}, store.Charge{})
	wantErr(t, "an expired refresh token", err, store.ErrNotFound)
	_, err = st.RotateRefresh(ctx, []byte("unknown"), at, tokens("x", at), store.Limit{}, store.Charge{})
	wantErr(t, "an unknown refresh token", err, store.ErrNotFound)
	se, err = st.RotateRefresh(ctx, []byte("r-s1"), at, tokens("s1c", at), store.Limit{}, store.Charge{})
	wantErr(t, "a spent refresh token", err, store.ErrReused)
	if se.ID != "s1" {
		t.Fatalf("the reuse names session %q", se.ID)
	}
	if ss, _ := st.Sessions(ctx, a.ID); len(ss) != 0 {
		t.Fatal("a reuse left the session")
	}
	_, err = st.RotateRefresh(ctx, []byte("r-s1b"), at, tokens("s1c", at), store.Limit{}, store.Charge{})
	wantErr(t, "the live token of a revoked session", err, store.ErrNotFound)
}

func testReset(t *testing.T, db testdb.DB) {
	st := db.Open(t)
	a := newAccount(t, st, "ann")
	newSession(t, st, a, "s1")
	check(t, st.PutChallenge(ctx, []byte("ch"), store.Challenge{AccountID: a.ID, DeviceName: "d", ExpiresAt: now.Add(time.Minute)}))
	lockOut(t, st, a.Email)
	lockOut(t, st, store.ResetKeyPrefix+a.Email)
	lockOut(t, st, store.ResetKeyPrefix+"someone.else@example.org")
	check(t, st.PutResetToken(ctx, []byte("t1"), a.ID, now.Add(time.Minute)))
	check(t, st.PutResetToken(ctx, []byte("t2"), a.ID, now.Add(time.Minute)))
	if id, err := st.ResetToken(ctx, []byte("t1"), now); id != a.ID || err != nil {
		t.Fatalf("reset token: %q %v", id, err)
	}
	_, err := st.ResetToken(ctx, []byte("t1"), now.Add(time.Minute))
	wantErr(t, "an expired reset token", err, store.ErrNotFound)
	wantErr(t, "completing with an expired token", st.CompleteReset(ctx, []byte("t1"), now.Add(time.Minute), a.ID, a.Email, "new", now, nil), store.ErrNotFound)
	wantErr(t, "completing for another account", st.CompleteReset(ctx, []byte("t1"), now, "bob", a.Email, "new", now, nil), store.ErrNotFound)
	check(t, st.CompleteReset(ctx, []byte("t1"), now, a.ID, a.Email, "new", now, &store.Device{ID: "dr", TokenHash: []byte("dr-token"), DeviceName: "new laptop", CreatedAt: now, LastSeenAt: now}))
	got, _ := st.AccountByID(ctx, a.ID)
	if got.PasswordHash != "new" || !got.Verified {
		t.Fatalf("after the reset: %+v", got)
	}
	for _, key := range []string{a.Email, store.ResetKeyPrefix + a.Email} {
		if l, _ := st.Lockout(ctx, key); l != (store.Lockout{}) {
			t.Fatalf("the lock of %s stayed: %+v", key, l)
		}
	}
	if l, _ := st.Lockout(ctx, store.ResetKeyPrefix+"someone.else@example.org"); !l.Locked(now) {
		t.Fatal("another address's reset lock was lifted")
	}
	ss, _ := st.Sessions(ctx, a.ID)
	_, errCh := st.Challenge(ctx, []byte("ch"), now)
	_, errT2 := st.ResetToken(ctx, []byte("t2"), now)
	if len(ss) != 0 || errCh == nil || errT2 == nil {
		t.Fatalf("after the reset: %d sessions, challenge %v, other token %v", len(ss), errCh, errT2)
	}
	// The device that reset is the account's one known device, not trusted.
	if d, err := st.DeviceByToken(ctx, []byte("dr-token")); err != nil || d.AccountID != a.ID || d.DeviceName != "new laptop" || d.Trusted(now) {
		t.Fatalf("the resetting device: %+v %v", d, err)
	}
	if ds, _ := st.Devices(ctx, a.ID); len(ds) != 1 {
		t.Fatalf("%d devices after the reset, want the resetting one", len(ds))
	}
	wantErr(t, "completing twice", st.CompleteReset(ctx, []byte("t1"), now, a.ID, a.Email, "newer", now, nil), store.ErrNotFound)
}

func testWasntMe(t *testing.T, db testdb.DB) {
	st := db.Open(t)
	a := newAccount(t, st, "ann")
	bob := newAccount(t, st, "bob")
	trusted(t, st, a)
	trusted(t, st, bob)
	for _, acct := range []store.Account{a, bob} {
		check(t, st.PutResetToken(ctx, []byte("reset-"+acct.ID), acct.ID, now.Add(time.Hour)))
		check(t, st.PutCode(ctx, acct.Email, store.PurposeReset, "d1", []byte("c"), now.Add(time.Hour), 5))
		check(t, st.SetPendingPhone(ctx, acct.ID, "+8613800138000"))
		check(t, st.ConfirmPhone(ctx, acct.ID, "+8613800138000", now))
	}
	check(t, st.PutCode(ctx, a.Email, store.PurposeVerify, store.AnySlot, []byte("v"), now.Add(time.Hour), 5))
	exp := now.Add(store.WasntMeTTL)
	check(t, st.PutWasntMeToken(ctx, []byte("t1"), store.WasntMeToken{AccountID: a.ID, ExpiresAt: exp}))
	check(t, st.PutWasntMeToken(ctx, []byte("t2"), store.WasntMeToken{AccountID: a.ID, ExpiresAt: now.Add(time.Minute)}))
	if tok, err := st.WasntMeToken(ctx, []byte("t1")); err != nil || tok != (store.WasntMeToken{AccountID: a.ID, ExpiresAt: exp}) {
		t.Fatalf("a new token: %+v %v", tok, err)
	}
	_, err := st.WasntMeToken(ctx, []byte("nope"))
	wantErr(t, "an unknown token", err, store.ErrNotFound)
	_, err = st.SecureAccount(ctx, []byte("nope"), now, authapi.ActivityEvent{})
	wantErr(t, "spending an unknown token", err, store.ErrNotFound)
	_, err = st.SecureAccount(ctx, []byte("t2"), now.Add(time.Minute), authapi.ActivityEvent{})
	wantErr(t, "spending an expired token", err, store.ErrNotFound)
	if got, _ := st.AccountByID(ctx, a.ID); got.ResetRequired || len(trustedIDs(t, st, a)) != 3 {
		t.Fatalf("a refused token changed the account: %+v", got)
	}

	e := authapi.ActivityEvent{At: now, IP: "192.0.2.1", Result: authapi.ResultAccountSecured}
	id, err := st.SecureAccount(ctx, []byte("t1"), now, e)
	check(t, err)
	if id != a.ID {
		t.Fatalf("secured %q, want %q", id, a.ID)
	}
	got, _ := st.AccountByID(ctx, a.ID)
	ss, _ := st.Sessions(ctx, a.ID)
	_, errCh := st.Challenge(ctx, []byte("ann-ch"), now)
	_, errReset := st.ResetToken(ctx, []byte("reset-ann"), now)
	_, errCode := st.UseCode(ctx, a.Email, store.PurposeReset, "d1", a.Email, now, budget, is("c"))
	if !got.ResetRequired || len(ss) != 0 || !errors.Is(errCh, store.ErrNotFound) || len(trustedIDs(t, st, a)) != 0 ||
		!errors.Is(errReset, store.ErrNotFound) || !errors.Is(errCode, store.ErrNotFound) {
		t.Fatalf("after the link: %+v, %d sessions, challenge %v, trusted %v, reset token %v, reset code %v",
			got, len(ss), errCh, trustedIDs(t, st, a), errReset, errCode)
	}
	if u, err := st.UseCode(ctx, a.Email, store.PurposeVerify, store.AnySlot, a.Email, now, budget, is("v")); !u.OK || err != nil {
		t.Fatalf("the verification code went too: %+v %v", u, err)
	}
	if p, err := st.Phone(ctx, a.ID); err != nil || p.Number != "" || p.Pending != "" {
		t.Fatalf("the phone stayed: %+v %v", p, err)
	}
	if acts, _ := st.Activity(ctx, a.ID, 1); len(acts) != 1 || !acts[0].At.Equal(now) || acts[0].IP != e.IP || acts[0].Result != e.Result {
		t.Fatalf("activity %+v, want %+v", acts, e)
	}
	if tok, _ := st.WasntMeToken(ctx, []byte("t1")); !tok.UsedAt.Equal(now) || !errors.Is(tok.Spendable(now), store.ErrUsed) {
		t.Fatalf("the used token: %+v", tok)
	}
	_, err = st.SecureAccount(ctx, []byte("t1"), now, e)
	wantErr(t, "spending a token twice", err, store.ErrUsed)

	// Another account keeps everything.
	got, _ = st.AccountByID(ctx, bob.ID)
	ss, _ = st.Sessions(ctx, bob.ID)
	_, errReset = st.ResetToken(ctx, []byte("reset-bob"), now)
	if p, _ := st.Phone(ctx, bob.ID); p.Number != "+8613800138000" {
		t.Fatalf("another account's phone went: %+v", p)
	}
	if got.ResetRequired || len(ss) != 3 || len(trustedIDs(t, st, bob)) != 3 || errReset != nil {
		t.Fatalf("another account changed: %+v, %d sessions, reset token %v", got, len(ss), errReset)
	}

	// A sign-in checked before the link starts no session; a reset lifts
	// the requirement.
	wantErr(t, "a session while a reset is required",
		st.CreateSession(ctx, store.NewSession{Session: store.Session{ID: "late", AccountID: a.ID, CreatedAt: now, LastSeenAt: now},
			Tokens: tokens("late", now), PasswordHash: a.PasswordHash, Email: a.Email}), store.ErrNotFound)
	check(t, st.PutResetToken(ctx, []byte("reset-again"), a.ID, now.Add(time.Hour)))
	check(t, st.CompleteReset(ctx, []byte("reset-again"), now, a.ID, a.Email, "new", now, nil))
	if got, _ := st.AccountByID(ctx, a.ID); got.ResetRequired {
		t.Fatal("a reset left the requirement")
	}

	// The purge deletes tokens that expired, used or not.
	check(t, st.PutWasntMeToken(ctx, []byte("t3"), store.WasntMeToken{AccountID: a.ID, ExpiresAt: exp.Add(time.Millisecond)}))
	check(t, st.Purge(ctx, exp))
	for tok, want := range map[string]error{"t1": store.ErrNotFound, "t2": store.ErrNotFound, "t3": nil} {
		_, err := st.WasntMeToken(ctx, []byte(tok))
		wantErr(t, "token "+tok+" after the purge", err, want)
	}
}

func testActivity(t *testing.T, db testdb.DB) {
	st := db.Open(t)
	a := newAccount(t, st, "ann")
	if ev, err := st.Activity(ctx, a.ID, 10); ev == nil || len(ev) != 0 || err != nil {
		t.Fatalf("no activity is %#v (%v), want an empty list", ev, err)
	}
	for i, r := range []string{authapi.ResultInvalidCredentials, authapi.ResultLocked, authapi.ResultSuccess} {
		check(t, st.AddActivity(ctx, a.ID, authapi.ActivityEvent{At: now, IP: fmt.Sprint("192.0.2.", i), DeviceName: "d", Result: r, Claimed: i == 1}))
	}
	ev, err := st.Activity(ctx, a.ID, 2)
	if err != nil || len(ev) != 2 || ev[0].Result != authapi.ResultSuccess || ev[1].IP != "192.0.2.1" || !ev[0].At.Equal(now) ||
		ev[0].Claimed || !ev[1].Claimed {
		t.Fatalf("activity %+v (%v), want the newest two, newest first", ev, err)
	}
}

func testOutbox(t *testing.T, db testdb.DB) {
	st := db.Open(t)
	if m, err := st.Mails(ctx, ""); m == nil || len(m) != 0 || err != nil {
		t.Fatalf("no mail is %#v (%v), want an empty list", m, err)
	}
	for i := range 102 {
		to := "Ann@Example.org"
		if i%2 == 1 {
			to = "bob@example.org"
		}
		check(t, st.AddMail(ctx, authapi.Mail{ID: fmt.Sprint("m", i), To: to, Subject: "s", Text: "t", HTML: fmt.Sprint("<p>", i), SentAt: now}))
	}
	all, err := st.Mails(ctx, "")
	if err != nil || len(all) != 100 || all[0].ID != "m101" {
		t.Fatalf("all mails: %d, first %+v (%v)", len(all), all[0], err)
	}
	ann, err := st.Mails(ctx, "ANN@example.org")
	if err != nil || len(ann) != 51 || ann[0].ID != "m100" || ann[0].To != "ann@example.org" || !ann[0].SentAt.Equal(now) || ann[0].HTML != "<p>100" {
		t.Fatalf("ann's mails: %d, first %+v (%v)", len(ann), ann[0], err)
	}
}

func testMaintenance(t *testing.T, db testdb.DB) {
	st := db.Open(t)
	if m, err := st.Maintenance(ctx); m.On || m.Until != nil || err != nil {
		t.Fatalf("a new database: %+v %v", m, err)
	}
	until := now.Add(time.Hour)
	check(t, st.SetMaintenance(ctx, store.Maintenance{On: true, Message: "moving", Until: &until}))
	other := db.Open(t)
	if m, err := other.Maintenance(ctx); !m.On || m.Message != "moving" || m.Until == nil || !m.Until.Equal(until) || err != nil {
		t.Fatalf("another server reads %+v %v", m, err)
	}
	check(t, st.SetMaintenance(ctx, store.Maintenance{}))
	if m, _ := other.Maintenance(ctx); m.On || m.Until != nil {
		t.Fatalf("after switching off: %+v", m)
	}
}

func testPing(t *testing.T, db testdb.DB) {
	st, err := db.Connect()
	check(t, err)
	check(t, st.Ping(ctx))
	check(t, st.Close())
	if err := st.Ping(ctx); err == nil {
		t.Fatal("a closed store answers a ping")
	}
}

// take takes a token of key at at and checks the answer: want taken, or
// refused with the wait wantWait.
func take(t *testing.T, st store.Store, key string, l store.Limit, at time.Time, want bool, wantWait time.Duration) {
	t.Helper()
	ok, wait, err := st.TakeToken(ctx, key, l, at)
	check(t, err)
	if ok != want || wait != wantWait {
		t.Fatalf("%s at +%s: taken %v, wait %s; want %v, %s", key, at.Sub(now), ok, wait, want, wantWait)
	}
}

func testRateLimits(t *testing.T, db testdb.DB) {
	st := db.Open(t)
	l := store.Limit{PerSecond: 2, Burst: 3}
	// A full bucket gives its burst at once, then one token a refill.
	for range 3 {
		take(t, st, "ip:192.0.2.1", l, now, true, 0)
	}
	take(t, st, "ip:192.0.2.1", l, now, false, 500*time.Millisecond)
	take(t, st, "ip:192.0.2.1", l, now.Add(200*time.Millisecond), false, 300*time.Millisecond)
	take(t, st, "ip:192.0.2.1", l, now.Add(500*time.Millisecond), true, 0)
	take(t, st, "ip:192.0.2.1", l, now.Add(500*time.Millisecond), false, 500*time.Millisecond)
	// Another key has a bucket of its own.
	take(t, st, "ip:192.0.2.2", l, now, true, 0)
	// A refused take takes nothing; a bucket refills up to its burst only.
	later := now.Add(time.Hour)
	for range 3 {
		take(t, st, "ip:192.0.2.1", l, later, true, 0)
	}
	take(t, st, "ip:192.0.2.1", l, later, false, 500*time.Millisecond)
	// A daily cap: 20 a day, the 21st waits a twentieth of a day.
	day := store.Limit{PerSecond: 20.0 / 86400, Burst: 20}
	for range 20 {
		take(t, st, "mail-day:ann@example.org", day, now, true, 0)
	}
	take(t, st, "mail-day:ann@example.org", day, now.Add(time.Minute), false, 72*time.Minute-time.Minute)
	// No rate is no limit, and keeps nothing.
	for range 5 {
		take(t, st, "unlimited", store.Limit{}, now, true, 0)
	}
	// The keys are kept as digests: no address reaches the table.
	rows, err := rawDB(t, db).QueryContext(ctx, `SELECT key FROM rate_limits`)
	check(t, err)
	var keys [][]byte
	for rows.Next() {
		var k []byte
		check(t, rows.Scan(&k))
		keys = append(keys, k)
	}
	check(t, rows.Err())
	rows.Close()
	if len(keys) != 3 || !slices.ContainsFunc(keys, func(k []byte) bool { return string(k) == string(store.LimitKey("mail-day:ann@example.org")) }) {
		t.Fatalf("%d buckets kept, want 3 kept by their digests", len(keys))
	}
	// The purge deletes the buckets that are full again: the addresses'
	// (at later, 1.5 s after it), not the daily cap's.
	check(t, st.Purge(ctx, later.Add(1500*time.Millisecond)))
	if n := countRows(t, db, "rate_limits"); n != 1 {
		t.Fatalf("%d buckets after the purge, want the daily cap's", n)
	}
	// Its next token came a twentieth of a day after the 20 taken.
	take(t, st, "mail-day:ann@example.org", day, now.Add(72*time.Minute), true, 0)
	take(t, st, "mail-day:ann@example.org", day, now.Add(72*time.Minute), false, 72*time.Minute)

	// A rotation takes a token of its session's bucket, not of the
	// address's: refused, it rotates nothing.
	a := newAccount(t, st, "ann")
	newSession(t, st, a, "s1")
	per := store.Limit{PerSecond: 1, Burst: 1}
	c := store.Charge{Key: "ip:198.51.100.7", Limit: store.Limit{PerSecond: 1, Burst: 1}}
	rotate := func(token string, at time.Time, next string) error {
		_, err := st.RotateRefresh(ctx, []byte(token), at, tokens(next, now), per, c)
		return err
	}
	limited := func(what string, err error, wait time.Duration) {
		t.Helper()
		var l *store.LimitedError
		if !errors.As(err, &l) || l.Wait != wait {
			t.Fatalf("%s: %v, want a wait of %s", what, err, wait)
		}
	}
	check(t, rotate("r-s1", now, "s1b"))
	limited("a rotation past its session's limit", rotate("r-s1b", now.Add(100*time.Millisecond), "s1c"), 900*time.Millisecond)
	if err := rotate("r-s1b", now.Add(time.Second), "s1c"); err != nil {
		t.Fatalf("the refused rotation spent the token: %v", err)
	}
	take(t, st, c.Key, c.Limit, now.Add(time.Second), true, 0)
	// A token that names no live session charges the address: refused,
	// it does nothing.
	limited("an unknown token past the address's limit", rotate("unknown", now.Add(1500*time.Millisecond), "x"), 500*time.Millisecond)
	wantErr(t, "an unknown token", rotate("unknown", now.Add(2*time.Second), "x"), store.ErrNotFound)
	take(t, st, c.Key, c.Limit, now.Add(2*time.Second), false, time.Second)
	limited("a reused token past the address's limit", rotate("r-s1", now.Add(2*time.Second), "x"), time.Second)
	if ss, _ := st.Sessions(ctx, a.ID); len(ss) != 1 {
		t.Fatal("a refused reuse ended the session")
	}
	wantErr(t, "a reused token", rotate("r-s1", now.Add(3*time.Second), "x"), store.ErrReused)
	take(t, st, c.Key, c.Limit, now.Add(3*time.Second), false, time.Second)
	if ss, _ := st.Sessions(ctx, a.ID); len(ss) != 0 {
		t.Fatal("a reuse left the session")
	}
}

func testReopened(t *testing.T, db testdb.DB) {
	st := db.Open(t)
	a := newAccount(t, st, "ann")
	check(t, st.Close())
	st = db.Open(t)
	if got, err := st.AccountByID(ctx, a.ID); err != nil || got != a {
		t.Fatalf("after reopening: %+v %v", got, err)
	}
}

// testOpenAtOnce opens four handles at once on new databases, as servers
// starting together on a new database do: each creates the schema or
// waits for it. SQLite's switch to WAL failed about one such start in 30
// (now retried); its rounds are cheap, so it has more.
func testOpenAtOnce(t *testing.T, db testdb.DB) {
	rounds := map[string]int{testdb.SQLite: 12, testdb.Postgres: 3}[db.Kind]
	for round := range rounds {
		if round > 0 {
			db = testdb.New(t, db.Kind)
		}
		handles := make([]store.Admin, 4)
		errs := make([]error, len(handles))
		race(len(handles), nil, func(_ store.Admin, i int) bool {
			handles[i], errs[i] = db.Connect()
			return true
		})
		for i, st := range handles {
			check(t, errs[i])
			t.Cleanup(func() { st.Close() })
			newAccount(t, st, fmt.Sprint("a", i))
		}
	}
}

func testConcurrentAttempts(t *testing.T, db testdb.DB) {
	hs := replicas(t, db)
	p := store.LockPolicy{MaxFailures: 5, Base: time.Minute, Max: time.Hour}
	const email = "x@example.org"
	// Reservations alone: exactly as many as the lock allows.
	if n := race(20, hs, func(st store.Admin, _ int) bool {
		_, _, err := st.ReserveAttempt(ctx, email, now, time.Minute, p)
		return err == nil
	}); n != p.MaxFailures {
		t.Fatalf("%d of 20 reservations at once were granted, want %d", n, p.MaxFailures)
	}
	// Failed attempts, each retried while busy: exactly MaxFailures are
	// checked before the lock.
	const other = "y@example.org"
	var errs atomic.Value
	n := race(30, hs, func(st store.Admin, _ int) bool {
		for range 10000 {
			id, _, err := st.ReserveAttempt(ctx, other, now, time.Minute, p)
			switch {
			case errors.Is(err, store.ErrBusy):
				time.Sleep(time.Millisecond)
				continue
			case errors.Is(err, store.ErrLocked):
				return false
			case err != nil:
				errs.Store(err)
				return false
			}
			if _, err := st.FinishAttempt(ctx, id, other, true, now, p); err != nil {
				errs.Store(err)
			}
			return true
		}
		errs.Store(errors.New("still busy after 10000 tries"))
		return false
	})
	if err := errs.Load(); err != nil {
		t.Fatal(err)
	}
	l, err := hs[0].Lockout(ctx, other)
	if n != p.MaxFailures || err != nil || l.LockCount != 1 || l.Failures != 0 {
		t.Fatalf("%d attempts were checked, lockout %+v (%v); want %d and one lock", n, l, err, p.MaxFailures)
	}
}

func testConcurrentCodes(t *testing.T, db testdb.DB) {
	hs := replicas(t, db)
	const email = "x@example.org"
	check(t, hs[0].PutCode(ctx, email, store.PurposeVerify, store.AnySlot, []byte("c"), now.Add(time.Minute), 5))
	if n := race(20, hs, func(st store.Admin, _ int) bool {
		u, _ := st.UseCode(ctx, email, store.PurposeVerify, store.AnySlot, email, now, budget, func([]byte) bool { return true })
		return u.OK
	}); n != 1 {
		t.Fatalf("a code matched %d times at once", n)
	}
	check(t, hs[0].PutCode(ctx, email, store.PurposeVerify, store.AnySlot, []byte("c"), now.Add(time.Minute), 5))
	var lefts sync.Map
	if n := race(20, hs, func(st store.Admin, _ int) bool {
		u, err := st.UseCode(ctx, email, store.PurposeVerify, store.AnySlot, email, now, budget, func([]byte) bool { return false })
		if err == nil {
			if _, dup := lefts.LoadOrStore(u.AttemptsLeft, true); dup {
				t.Errorf("two misses both left %d attempts", u.AttemptsLeft)
			}
		}
		return err == nil
	}); n != 5 {
		t.Fatalf("%d misses were counted on a code of 5 attempts", n)
	}
}

// testConcurrentBudget sends 40 wrong codes at once through two handles,
// to reset codes and registrations of one address: exactly the budget's
// misses are counted, one of them exhausting it.
func testConcurrentBudget(t *testing.T, db testdb.DB) {
	hs := replicas(t, db)
	const email = "x@example.org"
	b := store.CodeBudget{Misses: 10, Window: time.Hour}
	check(t, hs[0].PutCode(ctx, email, store.PurposeReset, store.AnySlot, []byte("c"), now.Add(time.Minute), 100))
	r := registration(email, "pw", "c", now)
	r.Attempts = 100
	check(t, hs[0].PutRegistration(ctx, r))
	var exhausted atomic.Int32
	if n := race(40, hs, func(st store.Admin, i int) bool {
		var u store.CodeUse
		var err error
		if i%4 < 2 {
			u, err = st.UseCode(ctx, email, store.PurposeReset, store.AnySlot, email, now, b, is("x"))
		} else {
			u, err = st.VerifyRegistration(ctx, email, now, b, isReg("x"), "acc")
		}
		if u.Exhausted {
			exhausted.Add(1)
		}
		if err != nil && !errors.Is(err, store.ErrCodesLocked) {
			t.Error(err)
		}
		return err == nil
	}); n != b.Misses || exhausted.Load() != 1 {
		t.Fatalf("%d misses counted, %d exhausting the budget; want %d and 1", n, exhausted.Load(), b.Misses)
	}
}

// testConcurrentRegistrations verifies the codes of two registrations of
// one address at once, through two handles: one account is made, with the
// hash of the registration whose code won.
func testConcurrentRegistrations(t *testing.T, db testdb.DB) {
	hs := replicas(t, db)
	const email = "x@example.org"
	for i := range 8 {
		check(t, hs[i%2].PutRegistration(ctx, registration(email, fmt.Sprint("pw", i), fmt.Sprint("c", i), now)))
	}
	if rs, _ := hs[0].Registrations(ctx, email, now); len(rs) != store.MaxRegistrations {
		t.Fatalf("%d registrations kept, want %d", len(rs), store.MaxRegistrations)
	}
	var won sync.Map
	if n := race(20, hs, func(st store.Admin, i int) bool {
		code := fmt.Sprint("c", 5+i%3)
		u, err := st.VerifyRegistration(ctx, email, now, budget, isReg(code), fmt.Sprint("acc", i))
		if u.OK && err == nil {
			won.Store(fmt.Sprint("pw", 5+i%3), true)
		}
		return u.OK && err == nil
	}); n != 1 {
		t.Fatalf("%d verifications won, want 1", n)
	}
	a, err := hs[0].AccountByEmail(ctx, email)
	check(t, err)
	if _, ok := won.Load(a.PasswordHash); !ok {
		t.Fatalf("the account has the hash %q, not the winner's", a.PasswordHash)
	}
}

func testConcurrentTwoFactor(t *testing.T, db testdb.DB) {
	hs := replicas(t, db)
	a := newAccount(t, hs[0], "ann")
	check(t, hs[0].SetPendingTOTP(ctx, a.ID, "s"))
	check(t, hs[0].EnableTOTP(ctx, a.ID, "s", [][]byte{[]byte("c1"), []byte("c2")}))
	if n := race(20, hs, func(st store.Admin, _ int) bool {
		ok, _ := st.UseTOTPStep(ctx, a.ID, 7)
		return ok
	}); n != 1 {
		t.Fatalf("a TOTP step was used %d times at once", n)
	}
	if n := race(20, hs, func(st store.Admin, _ int) bool {
		ok, _ := st.UseRecoveryCode(ctx, a.ID, []byte("c1"), now)
		return ok
	}); n != 1 {
		t.Fatalf("a recovery code was used %d times at once", n)
	}
	if n := race(20, hs, func(st store.Admin, _ int) bool {
		return st.EnableTOTP(ctx, a.ID, "s", [][]byte{[]byte("x")}) == nil
	}); n != 0 {
		t.Fatalf("a live secret was enabled again %d times", n)
	}
}

func testConcurrentSwaps(t *testing.T, db testdb.DB) {
	hs := replicas(t, db)
	a := newAccount(t, hs[0], "ann")
	if n := race(20, hs, func(st store.Admin, i int) bool {
		return st.ChangePassword(ctx, a.ID, a.PasswordHash, fmt.Sprint("changed", i), "", now) == nil
	}); n != 1 {
		t.Fatalf("%d password changes over one hash succeeded", n)
	}
	got, _ := hs[0].AccountByID(ctx, a.ID)
	if n := race(20, hs, func(st store.Admin, i int) bool {
		return st.ReplacePasswordHash(ctx, a.ID, got.PasswordHash, fmt.Sprint("rehashed", i)) == nil
	}); n != 1 {
		t.Fatalf("%d rehashes over one hash succeeded", n)
	}
}

// testSignInRacingChange races sign-ins checked against the old hash with
// the change of that hash: no session may outlive the change.
func testSignInRacingChange(t *testing.T, db testdb.DB) {
	hs := replicas(t, db)
	a := newAccount(t, hs[0], "ann")
	for round := range 5 {
		old := a.PasswordHash
		a.PasswordHash = fmt.Sprint("round", round)
		race(21, hs, func(st store.Admin, i int) bool {
			if i == 10 {
				if err := st.ChangePassword(ctx, a.ID, old, a.PasswordHash, "", now); err != nil {
					t.Error(err)
				}
				return true
			}
			se := store.Session{ID: fmt.Sprint(round, "-", i), AccountID: a.ID, CreatedAt: now, LastSeenAt: now}
			err := st.CreateSession(ctx, store.NewSession{Session: se, Tokens: tokens(se.ID, now), PasswordHash: old, Email: a.Email})
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				t.Error(err)
			}
			return err == nil
		})
		if ss, _ := hs[0].Sessions(ctx, a.ID); len(ss) != 0 {
			t.Fatalf("round %d: %d sessions of the old password outlived its change", round, len(ss))
		}
	}
}

func testConcurrentRefresh(t *testing.T, db testdb.DB) {
	hs := replicas(t, db)
	a := newAccount(t, hs[0], "ann")
	for round := range 5 {
		id := fmt.Sprint("s", round)
		newSession(t, hs[0], a, id)
		if n := race(10, hs, func(st store.Admin, i int) bool {
			_, err := st.RotateRefresh(ctx, []byte("r-"+id), now, tokens(fmt.Sprint(id, "next", i), now), store.Limit{}, store.Charge{})
			if err != nil && !errors.Is(err, store.ErrReused) && !errors.Is(err, store.ErrNotFound) {
				t.Error(err)
			}
			return err == nil
		}); n != 1 {
			t.Fatalf("one refresh token rotated %d times at once", n)
		}
		if ss, _ := hs[0].Sessions(ctx, a.ID); len(ss) != 0 {
			t.Fatal("the reuse did not end the session")
		}
	}
}

func testConcurrentReset(t *testing.T, db testdb.DB) {
	hs := replicas(t, db)
	a := newAccount(t, hs[0], "ann")
	check(t, hs[0].PutResetToken(ctx, []byte("t"), a.ID, now.Add(time.Minute)))
	if n := race(10, hs, func(st store.Admin, i int) bool {
		return st.CompleteReset(ctx, []byte("t"), now, a.ID, a.Email, fmt.Sprint("new", i), now, nil) == nil
	}); n != 1 {
		t.Fatalf("one reset token completed %d resets", n)
	}
	// Resets of one account with different tokens: the first spends the
	// others' tokens, and none fails otherwise (PostgreSQL once deadlocked
	// them on each other's tokens).
	for round := range 5 {
		for i := range 8 {
			check(t, hs[0].PutResetToken(ctx, []byte(fmt.Sprint(round, "t", i)), a.ID, now.Add(time.Minute)))
		}
		if n := race(8, hs, func(st store.Admin, i int) bool {
			err := st.CompleteReset(ctx, []byte(fmt.Sprint(round, "t", i)), now, a.ID, a.Email, fmt.Sprint("other", i), now, nil)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				t.Error(err)
			}
			return err == nil
		}); n != 1 {
			t.Fatalf("round %d: resets with %d tokens of one account completed %d", round, 8, n)
		}
	}
}

func testConcurrentReplaceCodes(t *testing.T, db testdb.DB) {
	hs := replicas(t, db)
	a := newAccount(t, hs[0], "ann")
	race(10, hs, func(st store.Admin, i int) bool {
		set := [][]byte{[]byte(fmt.Sprint(i, "a")), []byte(fmt.Sprint(i, "b")), []byte(fmt.Sprint(i, "c"))}
		if err := st.ReplaceRecoveryCodes(ctx, a.ID, set); err != nil {
			t.Error(err)
		}
		return true
	})
	if n, err := hs[0].RecoveryCodesLeft(ctx, a.ID); n != 3 || err != nil {
		t.Fatalf("%d recovery codes after concurrent replacements of three (%v)", n, err)
	}
	var sets []string
	for i := range 10 {
		if ok, _ := hs[0].UseRecoveryCode(ctx, a.ID, []byte(fmt.Sprint(i, "a")), now); ok {
			sets = append(sets, fmt.Sprint(i))
		}
	}
	if len(sets) != 1 {
		t.Fatalf("the codes left mix the sets %s", strings.Join(sets, ", "))
	}
}

// testMigrateRegistrations makes a database of the schema before
// registrations (from the migration files of that time), with an
// unverified account, a verified one and a stored code, and opens it.
// testConcurrentRateLimit takes 40 tokens at once through two handles of
// a bucket of 10 that refills in an hour: exactly 10 are taken; of 20
// rotations of one session at once, or of 20 unknown tokens from one
// address, under a limit of 5: exactly 5 are done.
func testConcurrentRateLimit(t *testing.T, db testdb.DB) {
	hs := replicas(t, db)
	l := store.Limit{PerSecond: 1.0 / 3600, Burst: 10}
	if n := race(40, hs, func(st store.Admin, _ int) bool {
		ok, wait, err := st.TakeToken(ctx, "signin:x@example.org", l, now)
		if err != nil || (!ok && wait <= 0) {
			t.Errorf("taken %v, wait %s, %v", ok, wait, err)
		}
		return ok
	}); n != l.Burst {
		t.Fatalf("%d of 40 takes at once were granted, want %d", n, l.Burst)
	}
	// 20 rotations of one session's 20 live tokens under a session limit
	// of 5, and 20 unknown tokens charged to one address's bucket of 5.
	a := newAccount(t, hs[0], "ann")
	newSession(t, hs[0], a, "s")
	ins, exp := `INSERT INTO refresh_tokens (hash, session_id, expires_at) VALUES (?, ?, ?)`, any(now.Add(time.Hour).UnixMilli())
	if db.Kind == testdb.Postgres {
		ins, exp = `INSERT INTO refresh_tokens (hash, session_id, expires_at) VALUES ($1, $2, $3)`, now.Add(time.Hour)
	}
	raw := rawDB(t, db)
	for i := range 20 {
		_, err := raw.ExecContext(ctx, ins, []byte(fmt.Sprint("r-s-", i)), "s", exp)
		check(t, err)
	}
	five := store.Limit{PerSecond: 1.0 / 3600, Burst: 5}
	c := store.Charge{Key: "ip:192.0.2.9", Limit: five}
	for _, r := range []struct {
		what   string
		token  string
		ok     error
		charge store.Charge
	}{{"rotations of one session", "r-s-", nil, store.Charge{}}, {"unknown tokens of one address", "unknown-", store.ErrNotFound, c}} {
		if n := race(20, hs, func(st store.Admin, i int) bool {
			_, err := st.RotateRefresh(ctx, []byte(fmt.Sprint(r.token, i)), now, tokens(fmt.Sprint("s", i), now), five, r.charge)
			var limited *store.LimitedError
			if !errors.Is(err, r.ok) && !errors.As(err, &limited) {
				t.Error(err)
			}
			return errors.Is(err, r.ok)
		}); n != five.Burst {
			t.Fatalf("%d of 20 %s at once were done, want %d", n, r.what, five.Burst)
		}
	}
}

// testMigrateRegistrations reads the migrations of the store's package,
// the folder its test runs in.
func testMigrateRegistrations(t *testing.T, db testdb.DB) {
	raw := rawDB(t, db)
	files, version := []string{"migrations/0001_init.sql", "migrations/0002_attempts.sql"}, `PRAGMA user_version = 2`
	if db.Kind == testdb.Postgres {
		files = []string{"migrations/0001_init.sql"}
		version = `CREATE TABLE schema_version (version integer NOT NULL); INSERT INTO schema_version VALUES (1)`
	}
	for _, f := range files {
		body, err := os.ReadFile(f)
		check(t, err)
		_, err = raw.ExecContext(ctx, string(body))
		check(t, err)
	}
	_, err := raw.ExecContext(ctx, version)
	check(t, err)
	// Times are milliseconds in SQLite and timestamps in PostgreSQL.
	at := func(t time.Time) any { return t.UnixMilli() }
	q := func(s string) string {
		return strings.NewReplacer("$1", "?", "$2", "?", "$3", "?", "$4", "?", "$5", "?").Replace(s)
	}
	if db.Kind == testdb.Postgres {
		at = func(t time.Time) any { return t }
		q = func(s string) string { return s }
	}
	for _, a := range []struct {
		id, email string
		verified  bool
	}{{"new", "new@example.org", false}, {"old", "old@example.org", true}} {
		_, err := raw.ExecContext(ctx, q(`INSERT INTO accounts (id, email, password_hash, verified, created_at) VALUES ($1, $2, $3, $4, $5)`),
			a.id, a.email, "hash-"+a.id, a.verified, at(now))
		check(t, err)
	}
	_, err = raw.ExecContext(ctx, q(`INSERT INTO codes (email, purpose, code_hash, expires_at, attempts_left) VALUES ($1, $2, $3, $4, $5)`),
		"old@example.org", store.PurposeReset, []byte("c"), at(now.Add(time.Hour)), 5)
	check(t, err)
	verified := store.Account{ID: "old", Email: "old@example.org"}
	st := db.Open(t)
	rs, err := st.Registrations(ctx, "new@example.org", now.Add(store.RegistrationTTL-time.Millisecond))
	check(t, err)
	if len(rs) != 1 || rs[0].PasswordHash != "hash-new" || !rs[0].CreatedAt.Equal(now) {
		t.Fatalf("registrations %+v, want the unverified account's", rs)
	}
	if rs, _ := st.Registrations(ctx, "new@example.org", now.Add(store.RegistrationTTL)); len(rs) != 0 {
		t.Fatal("the registration outlives its account's creation by more than 7 days")
	}
	_, err = st.VerifyRegistration(ctx, "new@example.org", now, budget, func([]byte, string) bool { return true }, "x")
	wantErr(t, "the migrated registration's code", err, store.ErrNotFound)
	_, err = st.AccountByEmail(ctx, "new@example.org")
	wantErr(t, "the unverified account", err, store.ErrNotFound)
	if _, err := st.AccountByEmail(ctx, verified.Email); err != nil {
		t.Fatalf("the verified account: %v", err)
	}
	_, err = st.UseCode(ctx, verified.Email, store.PurposeReset, store.AnySlot, verified.Email, now, budget, is("c"))
	wantErr(t, "a code stored before", err, store.ErrNotFound)
}

// countRows counts the rows of a table of db, read past the store.
func countRows(t *testing.T, db testdb.DB, table string) int {
	t.Helper()
	var n int
	check(t, rawDB(t, db).QueryRowContext(ctx, `SELECT count(*) FROM `+table).Scan(&n))
	return n
}

// rawDB is a connection to db past the store, closed when the test ends.
func rawDB(t *testing.T, db testdb.DB) *sql.DB {
	t.Helper()
	driver := "sqlite"
	if db.Kind == testdb.Postgres {
		driver = "pgx"
	}
	conn, err := sql.Open(driver, db.Source)
	check(t, err)
	t.Cleanup(func() { conn.Close() })
	return conn
}

func testFindAccounts(t *testing.T, db testdb.DB) {
	st := db.Open(t)
	for i, id := range []string{"ann", "anna", "bob", "joanne"} {
		a := store.Account{ID: id, Email: id + "@example.org", PasswordHash: "h", Verified: true, CreatedAt: now.Add(time.Duration(i) * time.Minute)}
		check(t, st.CreateAccount(ctx, a))
	}
	ids := func(text string, limit int) []string {
		as, err := st.FindAccounts(ctx, text, limit)
		check(t, err)
		var out []string
		for _, a := range as {
			out = append(out, a.ID)
		}
		return out
	}
	if got := ids("ann", 10); !slices.Equal(got, []string{"joanne", "anna", "ann"}) {
		t.Fatalf("ann: %v, want the newest first", got)
	}
	if got := ids("ann", 2); !slices.Equal(got, []string{"joanne", "anna"}) {
		t.Fatalf("ann, 2: %v", got)
	}
	// Like's wildcards are plain characters.
	if got := ids("%", 10); len(got) != 0 {
		t.Fatalf("%%: %v", got)
	}
	if got := ids("", 10); len(got) != 4 {
		t.Fatalf("everyone: %v", got)
	}
}

// admin does action to a as the operator root at now.
func admin(t *testing.T, st store.Store, action string, a store.Account) store.AuditEntry {
	t.Helper()
	e, err := st.Administer(ctx, store.AuditEntry{At: now, Operator: "root", Action: action, AccountID: a.ID, Reason: "ticket 7"})
	check(t, err)
	if e.Email != a.Email && action != store.ActionDelete || e.Seq == 0 || !e.At.Equal(now) || e.Operator != "root" || e.Reason != "ticket 7" {
		t.Fatalf("%s wrote %+v", action, e)
	}
	return e
}

func testAdminSuspend(t *testing.T, db testdb.DB) {
	st := db.Open(t)
	a := newAccount(t, st, "ann")
	bob := newAccount(t, st, "bob")
	trusted(t, st, a)
	trusted(t, st, bob)
	if e := admin(t, st, store.ActionSuspend, a); e.Outcome != "suspended; 3 sessions ended" {
		t.Fatalf("outcome %q", e.Outcome)
	}
	got, _ := st.AccountByID(ctx, a.ID)
	ss, _ := st.Sessions(ctx, a.ID)
	_, errCh := st.Challenge(ctx, []byte("ann-ch"), now)
	if !got.Suspended || len(ss) != 0 || !errors.Is(errCh, store.ErrNotFound) || len(trustedIDs(t, st, a)) != 0 {
		t.Fatalf("after the suspension: %+v, %d sessions, challenge %v, trusted %v", got, len(ss), errCh, trustedIDs(t, st, a))
	}
	if _, err := st.RotateRefresh(ctx, []byte("r-ann-s1"), now, tokens("x", now), store.Limit{}, store.Charge{}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a refresh token of the suspended account: %v", err)
	}
	if ss, _ := st.Sessions(ctx, bob.ID); len(ss) != 3 || len(trustedIDs(t, st, bob)) != 3 {
		t.Fatal("a suspension ended another account's access")
	}
	// A sign-in whose password was checked before the suspension starts
	// no session after it.
	se := store.Session{ID: "late", AccountID: a.ID, DeviceName: "d", IP: "127.0.0.1", CreatedAt: now, LastSeenAt: now}
	err := st.CreateSession(ctx, store.NewSession{Session: se, Tokens: tokens("late", now), PasswordHash: a.PasswordHash, Email: a.Email})
	wantErr(t, "a session of the suspended account", err, store.ErrNotFound)
	if e := admin(t, st, store.ActionSuspend, a); e.Outcome != "was suspended already; 0 sessions ended" {
		t.Fatalf("suspending again: %q", e.Outcome)
	}
	if e := admin(t, st, store.ActionUnsuspend, a); e.Outcome != "reinstated" {
		t.Fatalf("unsuspending: %q", e.Outcome)
	}
	if got, _ := st.AccountByID(ctx, a.ID); got.Suspended {
		t.Fatal("still suspended")
	}
	if e := admin(t, st, store.ActionUnsuspend, a); e.Outcome != "was not suspended" {
		t.Fatalf("unsuspending again: %q", e.Outcome)
	}
	if e := admin(t, st, store.ActionRevokeSessions, bob); e.Outcome != "3 sessions ended" {
		t.Fatalf("revoking: %q", e.Outcome)
	}
	ss, _ = st.Sessions(ctx, bob.ID)
	_, errCh = st.Challenge(ctx, []byte("bob-ch"), now)
	if got, _ := st.AccountByID(ctx, bob.ID); len(ss) != 0 || errCh == nil || got.Suspended || len(trustedIDs(t, st, bob)) != 3 {
		t.Fatalf("after revoking: %d sessions, challenge %v, %+v", len(ss), errCh, got)
	}
	before, _ := st.AuditLog(ctx, "", 100)
	_, err = st.Administer(ctx, store.AuditEntry{At: now, Operator: "root", Action: store.ActionSuspend, AccountID: "nobody"})
	wantErr(t, "suspending nobody", err, store.ErrNotFound)
	_, err = st.Administer(ctx, store.AuditEntry{At: now, Operator: "root", Action: "promote", AccountID: a.ID})
	wantErr(t, "an unknown action", err, store.ErrUnknownAction)
	if after, _ := st.AuditLog(ctx, "", 100); len(after) != len(before) {
		t.Fatal("a refused action was written to the audit log")
	}
}

func testAdminUnlock(t *testing.T, db testdb.DB) {
	st := db.Open(t)
	a := newAccount(t, st, "ann")
	trusted(t, st, a)
	b := store.CodeBudget{Misses: 1, Window: time.Hour}
	keys := []string{a.Email, store.ResetKeyPrefix + a.Email, store.DeviceKeyPrefix + "ann-d1"}
	check(t, st.PutCode(ctx, a.Email, store.PurposeReset, store.AnySlot, []byte("111111"), now.Add(time.Hour), 5))
	for _, key := range append(keys, "bob@example.org") {
		lockOut(t, st, key)
		u, err := st.UseCode(ctx, a.Email, store.PurposeReset, store.AnySlot, key, now, b, is("x"))
		if err != nil || !u.Exhausted {
			t.Fatalf("a wrong code on %s: %+v %v", key, u, err)
		}
	}
	if e := admin(t, st, store.ActionUnlock, a); e.Outcome != "3 lockout keys cleared" {
		t.Fatalf("outcome %q", e.Outcome)
	}
	for _, key := range keys {
		if l, _ := st.Lockout(ctx, key); l.Locked(now) || l.Failures != 0 || l.LockCount != 1 {
			t.Fatalf("%s after the unlock: %+v, want no lock and the lock count kept", key, l)
		}
	}
	if l, _ := st.Lockout(ctx, "bob@example.org"); !l.Locked(now) {
		t.Fatal("another address was unlocked")
	}
	if u, err := st.UseCode(ctx, a.Email, store.PurposeReset, store.AnySlot, a.Email, now, b, is("111111")); err != nil || !u.OK {
		t.Fatalf("the code after the unlock: %+v %v, want its budget back", u, err)
	}
	if _, err := st.UseCode(ctx, a.Email, store.PurposeReset, store.AnySlot, "bob@example.org", now, b, is("x")); !errors.Is(err, store.ErrCodesLocked) {
		t.Fatalf("another key's budget: %v", err)
	}
}

func testAdminDelete(t *testing.T, db testdb.DB) {
	st := db.Open(t)
	a := newAccount(t, st, "ann")
	bob := newAccount(t, st, "bob")
	for _, x := range []store.Account{a, bob} {
		trusted(t, st, x)
		lockOut(t, st, x.Email)
		lockOut(t, st, store.ResetKeyPrefix+x.Email)
		lockOut(t, st, store.DeviceKeyPrefix+x.ID+"-d1")
		_, _, err := st.ReserveAttempt(ctx, store.DeviceKeyPrefix+x.ID+"-d2", now, time.Minute, policy)
		check(t, err)
		check(t, st.ReplaceRecoveryCodes(ctx, x.ID, [][]byte{[]byte("rc-" + x.ID)}))
		check(t, st.PutResetToken(ctx, []byte("rt-"+x.ID), x.ID, now.Add(time.Hour)))
		check(t, st.AddActivity(ctx, x.ID, authapi.ActivityEvent{At: now, IP: "192.0.2.1", DeviceName: "d", Result: authapi.ResultSuccess}))
		check(t, st.PutCode(ctx, x.Email, store.PurposeReset, store.AnySlot, []byte("c"), now.Add(time.Hour), 5))
		_, err = st.UseCode(ctx, x.Email, store.PurposeReset, store.AnySlot, x.Email, now, store.CodeBudget{Misses: 5, Window: time.Hour}, is("x"))
		check(t, err)
		check(t, st.PutRegistration(ctx, registration(x.Email, "pw", "222222", now)))
		check(t, st.AddMail(ctx, authapi.Mail{ID: "m-" + x.ID, To: x.Email, Subject: "s", Text: "t", SentAt: now}))
		check(t, st.SetPendingTOTP(ctx, x.ID, "secret-"+x.ID))
		check(t, st.SetPendingPhone(ctx, x.ID, "+8613800138000"))
		_, err = st.ClaimNotice(ctx, x.ID, "new_device", now)
		check(t, err)
		newTicket(t, st, x, "T-"+x.ID)
		_, err = st.AnswerTicket(ctx, "T-"+x.ID, "a reply", store.AuditEntry{At: now, Operator: "root", Action: store.ActionTicketReply})
		check(t, err)
		admin(t, st, store.ActionUnlock, x)
	}
	if hits := db.Mentions(t, a.ID, a.Email); len(hits) < 10 {
		t.Fatalf("the account is in too few tables to test its deletion: %v", hits)
	}
	e := admin(t, st, store.ActionDelete, a)
	if e.Email != "" || e.AccountID != a.ID || e.Outcome != "deleted" {
		t.Fatalf("the deletion's entry: %+v", e)
	}
	// Only the audit log keeps the id, and nothing the address.
	if hits := db.Mentions(t, a.ID, a.Email); !slices.Equal(hits, []string{"audit_log: " + a.ID}) {
		t.Fatalf("after the deletion: %v", hits)
	}
	if _, err := st.AccountByID(ctx, a.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the account: %v", err)
	}
	if hits := db.Mentions(t, bob.ID, bob.Email); len(hits) < 10 {
		t.Fatalf("another account's rows went: %v", hits)
	}
	if ss, _ := st.Sessions(ctx, bob.ID); len(ss) != 3 {
		t.Fatal("another account's sessions went")
	}
	_, err := st.Administer(ctx, store.AuditEntry{At: now, Operator: "root", Action: store.ActionDelete, AccountID: a.ID})
	wantErr(t, "deleting twice", err, store.ErrNotFound)
}

func testAuditLog(t *testing.T, db testdb.DB) {
	st := db.Open(t)
	a := newAccount(t, st, "ann")
	bob := newAccount(t, st, "bob")
	admin(t, st, store.ActionSuspend, a)
	admin(t, st, store.ActionExport, bob)
	last := admin(t, st, store.ActionUnsuspend, a)
	all, err := st.AuditLog(ctx, "", 10)
	check(t, err)
	if len(all) != 3 || all[0] != last || all[1].Action != store.ActionExport || all[1].Outcome != "exported" || all[2].Action != store.ActionSuspend {
		t.Fatalf("the log %+v, want three entries, the newest first", all)
	}
	for _, key := range []string{a.ID, a.Email} {
		if got, _ := st.AuditLog(ctx, key, 10); len(got) != 2 || got[0].AccountID != a.ID || got[1].AccountID != a.ID {
			t.Fatalf("by %s: %+v", key, got)
		}
	}
	if got, _ := st.AuditLog(ctx, a.ID, 1); len(got) != 1 || got[0] != last {
		t.Fatalf("limited: %+v", got)
	}
	// The deletion erases the address from the account's entries, which
	// stay under its id.
	admin(t, st, store.ActionDelete, a)
	got, _ := st.AuditLog(ctx, a.ID, 10)
	if len(got) != 3 || got[0].Action != store.ActionDelete {
		t.Fatalf("after the deletion: %+v", got)
	}
	for _, e := range got {
		if e.Email != "" {
			t.Fatalf("an entry kept the address: %+v", e)
		}
	}
	if got, _ := st.AuditLog(ctx, a.Email, 10); len(got) != 0 {
		t.Fatalf("found by the deleted address: %+v", got)
	}
	if got, _ := st.AuditLog(ctx, bob.Email, 10); len(got) != 1 || got[0].Email != bob.Email {
		t.Fatalf("another account's entry: %+v", got)
	}
}

func testNotices(t *testing.T, db testdb.DB) {
	st := db.Open(t)
	a, bob := newAccount(t, st, "ann"), newAccount(t, st, "bob")
	claim := func(id, kind string, at time.Time, want bool) {
		t.Helper()
		got, err := st.ClaimNotice(ctx, id, kind, at)
		check(t, err)
		if got != want {
			t.Fatalf("ClaimNotice(%s, %s, %v) = %v, want %v", id, kind, at.Sub(now), got, want)
		}
	}
	claim(a.ID, "locked", now, true)
	claim(a.ID, "locked", now.Add(store.NoticeEvery-time.Millisecond), false)
	claim(a.ID, "new_device", now, true)
	claim(bob.ID, "locked", now, true)
	// A refused claim does not move the interval.
	claim(a.ID, "locked", now.Add(store.NoticeEvery), true)
	claim(a.ID, "locked", now.Add(2*store.NoticeEvery-time.Millisecond), false)
	// Purge forgets the claims older than the interval only.
	check(t, st.Purge(ctx, now.Add(store.NoticeEvery+time.Minute)))
	claim(a.ID, "new_device", now.Add(store.NoticeEvery+time.Minute), true)
	claim(a.ID, "locked", now.Add(store.NoticeEvery+time.Minute), false)
}

func testConcurrentNotices(t *testing.T, db testdb.DB) {
	hs := replicas(t, db)
	a := newAccount(t, hs[0], "ann")
	for round, at := range []time.Time{now, now.Add(store.NoticeEvery)} {
		if n := race(20, hs, func(st store.Admin, _ int) bool {
			ok, err := st.ClaimNotice(ctx, a.ID, "locked", at)
			return err == nil && ok
		}); n != 1 {
			t.Fatalf("round %d: %d of concurrent claims won", round, n)
		}
	}
}

func testPhones(t *testing.T, db testdb.DB) {
	st := db.Open(t)
	a, bob := newAccount(t, st, "ann"), newAccount(t, st, "bob")
	if p, err := st.Phone(ctx, a.ID); p != (store.Phone{}) || err != nil {
		t.Fatalf("no phone is %+v (%v)", p, err)
	}
	wantErr(t, "confirming with nothing pending", st.ConfirmPhone(ctx, a.ID, "+8613800138000", now), store.ErrNotFound)
	wantErr(t, "removing nothing", st.RemovePhone(ctx, a.ID), store.ErrNotFound)
	check(t, st.SetPendingPhone(ctx, a.ID, "+8613800138000"))
	check(t, st.SetPendingPhone(ctx, a.ID, "+8613912345678"))
	// The same number may be bound to another account: nothing tells.
	check(t, st.SetPendingPhone(ctx, bob.ID, "+8613912345678"))
	if p, err := st.Phone(ctx, a.ID); p != (store.Phone{Pending: "+8613912345678"}) || err != nil {
		t.Fatalf("pending: %+v (%v)", p, err)
	}
	wantErr(t, "confirming a number replaced", st.ConfirmPhone(ctx, a.ID, "+8613800138000", now), store.ErrNotFound)
	check(t, st.ConfirmPhone(ctx, a.ID, "+8613912345678", now))
	wantErr(t, "confirming twice", st.ConfirmPhone(ctx, a.ID, "+8613912345678", now), store.ErrNotFound)
	want := store.Phone{Number: "+8613912345678", VerifiedAt: now}
	if p, err := st.Phone(ctx, a.ID); p != want || err != nil {
		t.Fatalf("verified: %+v (%v), want %+v", p, err, want)
	}
	// A new number waits for its code while the verified one stays.
	check(t, st.SetPendingPhone(ctx, a.ID, "+8613800138000"))
	want.Pending = "+8613800138000"
	if p, err := st.Phone(ctx, a.ID); p != want || err != nil {
		t.Fatalf("replacing: %+v (%v), want %+v", p, err, want)
	}
	check(t, st.RemovePhone(ctx, a.ID))
	if p, err := st.Phone(ctx, a.ID); p != (store.Phone{}) || err != nil {
		t.Fatalf("removed: %+v (%v)", p, err)
	}
	if p, err := st.Phone(ctx, bob.ID); p.Pending != "+8613912345678" || err != nil {
		t.Fatalf("bob's: %+v (%v)", p, err)
	}
	// A password change or a reset removes a number verified after
	// settledBy, and keeps one verified by then.
	for _, change := range []func(settledBy time.Time) error{
		func(settledBy time.Time) error {
			return st.ChangePassword(ctx, a.ID, a.PasswordHash, a.PasswordHash, "", settledBy)
		},
		func(settledBy time.Time) error {
			check(t, st.PutResetToken(ctx, []byte("phone-reset"), a.ID, now.Add(time.Minute)))
			return st.CompleteReset(ctx, []byte("phone-reset"), now, a.ID, a.Email, a.PasswordHash, settledBy, nil)
		},
	} {
		check(t, st.SetPendingPhone(ctx, a.ID, "+8613912345678"))
		check(t, st.ConfirmPhone(ctx, a.ID, "+8613912345678", now))
		check(t, change(now))
		if p, _ := st.Phone(ctx, a.ID); p.Number != "+8613912345678" {
			t.Fatalf("a settled number went: %+v", p)
		}
		check(t, change(now.Add(-time.Minute)))
		if p, _ := st.Phone(ctx, a.ID); p != (store.Phone{}) {
			t.Fatalf("a number that has not settled stayed: %+v", p)
		}
	}
	// The outbox keeps text messages apart from mails.
	check(t, st.AddMail(ctx, authapi.Mail{ID: "sms", To: "+8613912345678", Text: "123456", SentAt: now, SMS: true}))
	check(t, st.AddMail(ctx, authapi.Mail{ID: "mail", To: "+8613912345678", Subject: "s", Text: "t", SentAt: now}))
	if m, err := st.Mails(ctx, "+8613912345678"); err != nil || len(m) != 2 || m[0].SMS || !m[1].SMS {
		t.Fatalf("the outbox: %+v (%v)", m, err)
	}
}

// newTicket files the open ticket number of a.
func newTicket(t *testing.T, st store.Store, a store.Account, number string) store.Ticket {
	t.Helper()
	tk := store.Ticket{Number: number, AccountID: a.ID, Email: a.Email, Language: a.Language, Topic: authapi.TopicLocked,
		Description: "locked out of " + number, Report: "report", StaffPhrase: "alpha beta gamma", Status: authapi.TicketOpen,
		CreatedAt: now, UpdatedAt: now}
	check(t, st.CreateTicket(ctx, tk, 3))
	tk.Replies = []store.TicketReply{}
	return tk
}

func testTickets(t *testing.T, db testdb.DB) {
	st := db.Open(t)
	a, b := newAccount(t, st, "ann"), newAccount(t, st, "bob")
	first := newTicket(t, st, a, "T-1")
	wantErr(t, "a number taken", st.CreateTicket(ctx, first, 3), store.ErrExists)
	now := now.Add(time.Minute) // the second ticket is newer
	second := first
	second.Number, second.CreatedAt, second.UpdatedAt, second.SignedIn = "T-2", now, now, true
	check(t, st.CreateTicket(ctx, second, 3))
	third := second
	third.Number = "T-3"
	wantErr(t, "past the cap", st.CreateTicket(ctx, third, 2), store.ErrTicketLimit)
	newTicket(t, st, b, "T-B")

	list, err := st.Tickets(ctx, a.ID)
	check(t, err)
	if len(list) != 2 || list[0].Number != "T-2" || !list[0].SignedIn || list[1].Number != "T-1" || list[1].SignedIn {
		t.Fatalf("the account's tickets: %+v", list)
	}
	if got, _ := st.Ticket(ctx, "T-1"); fmt.Sprint(got) != fmt.Sprint(first) {
		t.Fatalf("ticket %+v, want %+v", got, first)
	}
	_, err = st.Ticket(ctx, "T-none")
	wantErr(t, "an unknown ticket", err, store.ErrNotFound)

	// A reply answers it and is in the audit log, with the ticket's number.
	later := now.Add(time.Minute)
	e, err := st.AnswerTicket(ctx, "T-1", "try again now", store.AuditEntry{At: later, Operator: "root", Action: store.ActionTicketReply, Reason: "unlocked"})
	check(t, err)
	if e.Seq == 0 || e.AccountID != a.ID || e.Email != a.Email || e.Reason != "ticket T-1; unlocked" || e.Outcome != "replied" || !e.At.Equal(later) {
		t.Fatalf("the reply's entry: %+v", e)
	}
	got, err := st.Ticket(ctx, "T-1")
	check(t, err)
	if got.Status != authapi.TicketAnswered || !got.UpdatedAt.Equal(later) || len(got.Replies) != 1 ||
		got.Replies[0].Text != "try again now" || got.Replies[0].Operator != "root" || !got.Replies[0].At.Equal(later) {
		t.Fatalf("the answered ticket: %+v", got)
	}
	// Answered is still open: the cap counts it.
	wantErr(t, "an answered ticket counts", st.CreateTicket(ctx, third, 2), store.ErrTicketLimit)
	e, err = st.AnswerTicket(ctx, "T-1", "", store.AuditEntry{At: later, Operator: "root", Action: store.ActionTicketClose})
	check(t, err)
	if e.Outcome != "closed" || e.Reason != "ticket T-1" {
		t.Fatalf("the closing's entry: %+v", e)
	}
	check(t, st.CreateTicket(ctx, third, 2))

	_, err = st.AnswerTicket(ctx, "T-none", "hello", store.AuditEntry{At: later, Operator: "root", Action: store.ActionTicketReply})
	wantErr(t, "a reply to no ticket", err, store.ErrNotFound)
	_, err = st.AnswerTicket(ctx, "T-2", "", store.AuditEntry{At: later, Operator: "root", Action: store.ActionTicketReply})
	wantErr(t, "an empty reply", err, store.ErrUnknownAction)
	_, err = st.AnswerTicket(ctx, "T-2", "x", store.AuditEntry{At: later, Operator: "root", Action: store.ActionUnlock})
	wantErr(t, "an account's action", err, store.ErrUnknownAction)
	if log, _ := st.AuditLog(ctx, a.Email, 10); len(log) != 2 {
		t.Fatalf("the audit log: %+v", log)
	}

	open, err := st.FindTickets(ctx, authapi.TicketOpen, 10)
	check(t, err)
	if len(open) != 3 || open[0].Number != "T-B" || open[0].Replies != nil {
		t.Fatalf("the open tickets: %+v", open)
	}
	all, err := st.FindTickets(ctx, "", 10)
	check(t, err)
	if len(all) != 4 || all[len(all)-1].Number != "T-1" {
		t.Fatalf("every ticket, the least recently updated first: %+v", all)
	}
	if some, _ := st.FindTickets(ctx, "", 1); len(some) != 1 {
		t.Fatalf("limit 1: %+v", some)
	}
}

// testTicketPurge: PurgeTickets empties the tickets closed before its
// time, once, and keeps their number, account, status and dates; an open
// or answered ticket, however old, and one closed later keep everything.
func testTicketPurge(t *testing.T, db testdb.DB) {
	st := db.Open(t)
	a := newAccount(t, st, "ann")
	day := 24 * time.Hour
	old := now.Add(-100 * day)
	file := func(number string, at time.Time, action, text string) {
		t.Helper()
		tk := store.Ticket{Number: number, AccountID: a.ID, Email: a.Email, Language: a.Language, Topic: authapi.TopicLocked,
			Description: "locked out of " + number, Report: "report", StaffPhrase: "alpha beta gamma", Status: authapi.TicketOpen,
			CreatedAt: old, UpdatedAt: old}
		check(t, st.CreateTicket(ctx, tk, 10))
		if action != "" {
			_, err := st.AnswerTicket(ctx, number, text, store.AuditEntry{At: at, Operator: "root", Action: action})
			check(t, err)
		}
	}
	file("T-open", old, "", "")
	file("T-answered", old, store.ActionTicketReply, "try again")
	file("T-old", old, store.ActionTicketClose, "unlocked, bye")
	file("T-recent", now.Add(-10*day), store.ActionTicketClose, "bye")
	before, err := st.Ticket(ctx, "T-old")
	check(t, err)

	n, err := st.PurgeTickets(ctx, now.Add(-90*day), now)
	check(t, err)
	if n != 1 {
		t.Fatalf("%d tickets purged, want 1", n)
	}
	got, err := st.Ticket(ctx, "T-old")
	check(t, err)
	want := before
	want.Email, want.Description, want.Report, want.StaffPhrase, want.PurgedAt, want.Replies = "", "", "", "", now, []store.TicketReply{}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("the purged ticket: %+v, want %+v", got, want)
	}
	for _, number := range []string{"T-open", "T-answered", "T-recent"} {
		if tk, err := st.Ticket(ctx, number); err != nil || tk.Description == "" || tk.Report == "" || tk.StaffPhrase == "" ||
			tk.Email == "" || !tk.PurgedAt.IsZero() || tk.Status != authapi.TicketOpen && len(tk.Replies) != 1 {
			t.Fatalf("%s was purged: %+v (%v)", number, tk, err)
		}
	}
	if n, err := st.PurgeTickets(ctx, now.Add(-90*day), now.Add(time.Hour)); err != nil || n != 0 {
		t.Fatalf("purged again: %d %v", n, err)
	}
	if tk, _ := st.Ticket(ctx, "T-old"); !tk.PurgedAt.Equal(now) {
		t.Fatalf("the purge date moved: %v", tk.PurgedAt)
	}

	// The owner's list leaves it out; the operator's keeps it.
	mine, err := st.Tickets(ctx, a.ID)
	check(t, err)
	if len(mine) != 3 || slices.ContainsFunc(mine, func(tk store.Ticket) bool { return tk.Number == "T-old" }) {
		t.Fatalf("the owner's tickets: %+v", mine)
	}
	closed, err := st.FindTickets(ctx, authapi.TicketClosed, 10)
	check(t, err)
	if len(closed) != 2 || closed[0].Number != "T-old" || !closed[0].PurgedAt.Equal(now) || !closed[1].PurgedAt.IsZero() {
		t.Fatalf("the closed tickets: %+v", closed)
	}

	// It takes no more replies, and nothing is written.
	logged, err := st.AuditLog(ctx, a.Email, 10)
	check(t, err)
	_, err = st.AnswerTicket(ctx, "T-old", "hello again", store.AuditEntry{At: now, Operator: "root", Action: store.ActionTicketReply})
	wantErr(t, "a reply to a purged ticket", err, store.ErrTicketPurged)
	if after, _ := st.AuditLog(ctx, a.Email, 10); len(after) != len(logged) {
		t.Fatalf("the refused reply is in the audit log: %+v", after)
	}
	if tk, _ := st.Ticket(ctx, "T-old"); tk.Status != authapi.TicketClosed || len(tk.Replies) != 0 {
		t.Fatalf("the refused reply changed it: %+v", tk)
	}
}

func testConcurrentTickets(t *testing.T, db testdb.DB) {
	st := db.Open(t)
	a := newAccount(t, st, "ann")
	var wg sync.WaitGroup
	var made atomic.Int64
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tk := store.Ticket{Number: fmt.Sprint("T-", i), AccountID: a.ID, Email: a.Email, Language: "en", Topic: "other",
				Status: authapi.TicketOpen, CreatedAt: now, UpdatedAt: now}
			if err := st.CreateTicket(ctx, tk, 3); err == nil {
				made.Add(1)
			} else if !errors.Is(err, store.ErrTicketLimit) {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if made.Load() != 3 {
		t.Fatalf("%d tickets made, the cap is 3", made.Load())
	}
}
