package server_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"sesame/authapi"
	"sesame/internal/testdb"
	"sesame/server"
	"sesame/server/store"
)

// register sends a registration (path is /v1/accounts or its resend) and
// returns the code mailed for it.
func (e *env) register(path, email, pw string) string {
	e.t.Helper()
	n := e.mails(email)
	e.call("POST", path, authapi.CreateAccountRequest{Email: email, Password: pw}, "").ok(e.t, 202, nil)
	code, _ := e.mailCode(email, "confirm", n)
	return code
}

// startReset asks for a reset of a known address and returns its code.
func (e *env) startReset(email string) string {
	e.t.Helper()
	n := e.mails(email)
	e.call("POST", "/v1/password-resets", authapi.EmailRequest{Email: email}, "").ok(e.t, 202, nil)
	code, _ := e.mailCode(email, "reset", n)
	return code
}

// wrongCode is a code that is not code.
func wrongCode(code string) string { return fmt.Sprintf("%06d", (atoi(code)+1)%1000000) }

// rawDB is a connection to the server's database past the store.
func (e *env) rawDB() *sql.DB {
	e.t.Helper()
	driver := "sqlite"
	if e.db.Kind == testdb.Postgres {
		driver = "pgx"
	}
	db, err := sql.Open(driver, e.db.Source)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { db.Close() })
	return db
}

// TestPreRegistrationTakeover: an attacker registers the victim's address
// with his password before or after her, or resends; she verifies with
// the code mailed for her registration. Her password opens the account,
// his never does.
func TestPreRegistrationTakeover(t *testing.T) {
	const accounts, resend = "/v1/accounts", "/v1/accounts/verify/resend"
	for _, order := range []string{"attacker first", "victim first", "attacker resends"} {
		t.Run(order, func(t *testing.T) {
			e := newEnv(t)
			email := "carol@example.org"
			victim, attacker := secret("the victim's password 1"), secret("the attacker's password 2")
			var code string
			switch order {
			case "attacker first":
				e.register(accounts, email, attacker)
				code = e.register(accounts, email, victim)
			case "victim first":
				code = e.register(accounts, email, victim)
				e.register(accounts, email, attacker)
			case "attacker resends":
				code = e.register(accounts, email, victim)
				e.register(resend, email, attacker)
				e.register(resend, email, attacker)
			}
			signIn := func(pw string) answer {
				return e.call("POST", "/v1/sessions", authapi.CreateSessionRequest{Email: email, Password: pw}, "")
			}
			// Before the verification, each registration's password is told
			// the address is not verified; another is wrong, and counted.
			signIn(victim).expect(t, 403, authapi.CodeAccountNotVerified)
			signIn(attacker).expect(t, 403, authapi.CodeAccountNotVerified)
			if p := signIn("some other password").expect(t, 401, authapi.CodeInvalidCredentials); *p.AttemptsLeft != 4 {
				t.Fatalf("attempts_left %d, want 4", *p.AttemptsLeft)
			}
			e.call("POST", "/v1/accounts/verify", authapi.VerifyAccountRequest{Email: email, Code: code, Password: victim}, "").ok(t, 204, nil)
			e.signIn(email, victim)
			signIn(attacker).expect(t, 401, authapi.CodeInvalidCredentials)
			// Registering again, or resending, opens nothing: his password
			// is answered as a registration's of a new address would be.
			for _, path := range []string{accounts, resend} {
				e.call("POST", path, authapi.CreateAccountRequest{Email: email, Password: attacker}, "").ok(t, 202, nil)
				signIn(attacker).expect(t, 403, authapi.CodeAccountNotVerified)
			}
			e.signIn(email, victim)
		})
	}
}

// TestAttackersCodeOpensNothing: an attacker's registration of the
// victim's address mails its code to her mailbox, newest. When she types
// that code with her password, it opens nothing (and not with his
// password); her own code does, with hers.
func TestAttackersCodeOpensNothing(t *testing.T) {
	e := newEnv(t)
	email := "dora@example.org"
	victim, attacker := secret("the victim's password 1"), secret("the attacker's password 2")
	own := e.register("/v1/accounts", email, victim)
	theirs := e.register("/v1/accounts", email, attacker)
	verify := func(code, pw string) answer {
		return e.call("POST", "/v1/accounts/verify", authapi.VerifyAccountRequest{Email: email, Code: code, Password: pw}, "")
	}
	if p := verify(theirs, victim).expect(t, 400, authapi.CodeInvalidCode); *p.AttemptsLeft != 4 {
		t.Fatalf("attempts_left %d, want 4", *p.AttemptsLeft)
	}
	e.call("POST", "/v1/sessions", authapi.CreateSessionRequest{Email: email, Password: attacker}, "").
		expect(t, 403, authapi.CodeAccountNotVerified)
	verify(own, attacker).expect(t, 400, authapi.CodeInvalidCode)
	verify(own, victim).ok(t, 204, nil)
	e.signIn(email, victim)
	e.call("POST", "/v1/sessions", authapi.CreateSessionRequest{Email: email, Password: attacker}, "").
		expect(t, 401, authapi.CodeInvalidCredentials)
	// The password is required.
	p := e.call("POST", "/v1/accounts/verify", authapi.EmailCodeRequest{Email: email, Code: own}, "").
		expect(t, 400, authapi.CodeInvalidRequest)
	if p.Field != "password" {
		t.Fatalf("field %q, want password", p.Field)
	}
}

func TestResendNeedsThePassword(t *testing.T) {
	e := newEnv(t)
	p := e.call("POST", "/v1/accounts/verify/resend", authapi.EmailRequest{Email: "a@example.org"}, "").
		expect(t, 400, authapi.CodeInvalidRequest)
	if p.Field != "password" {
		t.Fatalf("field %q, want password", p.Field)
	}
	e.call("POST", "/v1/accounts/verify/resend", authapi.CreateAccountRequest{Email: "a@example.org", Password: "password1"}, "").
		expect(t, 422, authapi.CodeWeakPassword)
}

// TestWrongCodeBudget: resets and registrations do not refill an address's
// budget of 10 wrong codes a day; past it the right code is refused as
// expired, and the owner is told once, until the first miss is a day old.
func TestWrongCodeBudget(t *testing.T) {
	e := newEnv(t)
	email, pw := e.account()
	ctx := context.Background()
	a, _ := e.store.AccountByEmail(ctx, email)
	if err := e.store.SetAntiPhishing(ctx, a.ID, "blue heron"); err != nil {
		t.Fatal(err)
	}
	verifyReset := func(code string) answer {
		return e.call("POST", "/v1/password-resets/verify", authapi.EmailCodeRequest{Email: email, Code: code}, "")
	}
	misses := 0
	for round := 0; round < 2; round++ {
		wrong := wrongCode(e.startReset(email))
		for i := 0; i < 5; i++ {
			misses++
			p := verifyReset(wrong).expect(t, 400, authapi.CodeInvalidCode)
			if want := min(4-i, 10-misses); *p.AttemptsLeft != want {
				t.Fatalf("miss %d: attempts_left %d, want %d", misses, *p.AttemptsLeft, want)
			}
		}
	}
	// Past it a request mails a long code (TestLongCodeAfterTheBudget), and
	// any 6-digit code is refused.
	if long := e.startReset(email); len(long) == authapi.CodeLen {
		t.Fatalf("past the budget the mail holds %d characters, want a long code", len(long))
	}
	verifyReset("123456").expect(t, 410, authapi.CodeCodeExpired)
	e.clock.Advance(23 * time.Hour)
	verifyReset("123456").expect(t, 410, authapi.CodeCodeExpired)
	// The owner got one mail, with the phrase, and an activity entry.
	deadline := time.Now().Add(30 * time.Second)
	var locked []authapi.Mail
	for len(locked) == 0 && time.Now().Before(deadline) {
		var box authapi.Mailbox
		e.call("GET", "/v1/dev/mailbox?to="+email, nil, "").ok(t, 200, &box)
		for _, m := range box.Mails {
			if strings.Contains(m.Subject, "Too many wrong codes") {
				locked = append(locked, m)
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	if len(locked) != 1 || !strings.HasPrefix(locked[0].Text, "Your anti-phishing phrase: «blue heron»") {
		t.Fatalf("codes-locked mails %+v, want one with the phrase", locked)
	}
	tok := e.signIn(email, pw)
	var act authapi.ActivityList
	e.call("GET", "/v1/me/activity", nil, tok.AccessToken).ok(t, 200, &act)
	n := 0
	for _, ev := range act.Events {
		if ev.Result == authapi.ResultCodesLocked {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d codes_locked entries, want 1: %+v", n, act.Events)
	}
	// A day after the first miss, one more code is taken.
	e.clock.Advance(time.Hour)
	var v authapi.ResetVerifyResponse
	verifyReset(e.startReset(email)).ok(t, 200, &v)

	// Registrations and resends of a new address share one budget too.
	fresh, fpw := "fresh@example.org", "a long new password 1"
	for _, path := range []string{"/v1/accounts", "/v1/accounts/verify/resend"} {
		wrong := wrongCode(e.register(path, fresh, fpw))
		for i := 0; i < 5; i++ {
			e.call("POST", "/v1/accounts/verify", authapi.VerifyAccountRequest{Email: fresh, Code: wrong, Password: fpw}, "").
				expect(t, 400, authapi.CodeInvalidCode)
		}
	}
	code := e.register("/v1/accounts/verify/resend", fresh, fpw)
	e.call("POST", "/v1/accounts/verify", authapi.VerifyAccountRequest{Email: fresh, Code: code, Password: fpw}, "").
		expect(t, 410, authapi.CodeCodeExpired)
}

// TestWrongCodeBudgetUnderConcurrency sends 40 wrong codes at once, half
// to a second server process on the same database, to codes that take 100
// attempts: exactly 10 are answered invalid_code, the rest code_expired.
func TestWrongCodeBudgetUnderConcurrency(t *testing.T) {
	e := newEnv(t, func(c *server.Config) { c.CodeAttempts = 100 })
	email, _ := e.account()
	e2 := e.second()
	code := e.startReset(email)
	wrong := wrongCode(code)
	const n = 40
	var wg sync.WaitGroup
	var mu sync.Mutex
	count := map[int]int{}
	for i := 0; i < n; i++ {
		wg.Go(func() {
			via := e
			if i%2 == 1 {
				via = e2
			}
			a := via.call("POST", "/v1/password-resets/verify", authapi.EmailCodeRequest{Email: email, Code: wrong}, "")
			mu.Lock()
			count[a.status]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if count[400] != 10 || count[410] != n-10 {
		t.Fatalf("answers %v, want 10×400 and %d×410", count, n-10)
	}
	e.call("POST", "/v1/password-resets/verify", authapi.EmailCodeRequest{Email: email, Code: code}, "").
		expect(t, 410, authapi.CodeCodeExpired)
}

// TestCodeAnswersDoNotTellAddressesApart compares the full answers of the
// code endpoints for an address with an account and one without: a reset,
// 7 wrong codes, another reset, 7 more; a registration, 7 wrong codes,
// another registration, 7 more.
func TestCodeAnswersDoNotTellAddressesApart(t *testing.T) {
	e := newEnv(t)
	known, _ := e.account()
	sequence := func(email, verifyPath string, start func() string) []string {
		var out []string
		for round := 0; round < 2; round++ {
			wrong := wrongCode(start())
			for i := 0; i < 7; i++ {
				var body any = authapi.EmailCodeRequest{Email: email, Code: wrong}
				if verifyPath == "/v1/accounts/verify" {
					body = authapi.VerifyAccountRequest{Email: email, Code: wrong, Password: "a long new password 1"}
				}
				a := e.call("POST", verifyPath, body, "")
				out = append(out, fmt.Sprintf("%d %s", a.status, a.body))
			}
		}
		return out
	}
	same := func(what string, a, b []string) {
		t.Helper()
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("%s, answer %d differs:\n%s\n%s", what, i+1, a[i], b[i])
			}
		}
		if !strings.Contains(a[len(a)-1], "code_expired") || !strings.Contains(a[0], `"attempts_left":4`) {
			t.Fatalf("%s: unexpected sequence %q", what, a)
		}
	}
	unknown := "nobody@example.org"
	resetKnown := sequence(known, "/v1/password-resets/verify", func() string { return e.startReset(known) })
	resetUnknown := sequence(unknown, "/v1/password-resets/verify", func() string {
		e.call("POST", "/v1/password-resets", authapi.EmailRequest{Email: unknown}, "").ok(t, 202, nil)
		return "000000"
	})
	same("reset", resetKnown, resetUnknown)

	// Another account: the first spent its budget of wrong codes.
	known, _ = e.account()
	pw := "a long new password 1"
	fresh := "fresh@example.org"
	regKnown := sequence(known, "/v1/accounts/verify", func() string {
		e.call("POST", "/v1/accounts", authapi.CreateAccountRequest{Email: known, Password: pw}, "").ok(t, 202, nil)
		return "000000"
	})
	regFresh := sequence(fresh, "/v1/accounts/verify", func() string { return e.register("/v1/accounts", fresh, pw) })
	same("registration", regKnown, regFresh)
	// The decoy registration's password is answered as a new address's
	// registration's is, and never signs in.
	for _, email := range []string{known, fresh} {
		e.call("POST", "/v1/sessions", authapi.CreateSessionRequest{Email: email, Password: pw}, "").
			expect(t, 403, authapi.CodeAccountNotVerified)
	}
}

// TestSignInDoesNotTellRegisteredAddressesApart: a stranger registers an
// address with an account and one without, with his password, then signs
// in to each with it and with another: the answers are the same.
func TestSignInDoesNotTellRegisteredAddressesApart(t *testing.T) {
	e := newEnv(t)
	known, _ := e.account()
	fresh := "fresh@example.org"
	pw := secret("the stranger's password 1")
	answers := func(email string) []string {
		e.call("POST", "/v1/accounts", authapi.CreateAccountRequest{Email: email, Password: pw}, "").ok(t, 202, nil)
		var out []string
		for _, p := range []string{pw, "another password!", pw} {
			a := e.call("POST", "/v1/sessions", authapi.CreateSessionRequest{Email: email, Password: p}, "")
			out = append(out, fmt.Sprintf("%d %s", a.status, a.body))
		}
		return out
	}
	k, f := answers(known), answers(fresh)
	if strings.Join(k, "\n") != strings.Join(f, "\n") {
		t.Fatalf("the answers differ:\n%q\n%q", k, f)
	}
	if !strings.HasPrefix(k[0], "403") || !strings.HasPrefix(k[1], "401") {
		t.Fatalf("unexpected answers %q", k)
	}
}

// TestStoredCodesAreKeyed: a copy of the database does not give the mailed
// codes: no stored hash is an unkeyed hash of any 6-digit code.
func TestStoredCodesAreKeyed(t *testing.T) {
	e := newEnv(t)
	email, _ := e.account()
	e.startReset(email)
	fresh := "fresh@example.org"
	e.register("/v1/accounts", fresh, "a long new password 1")
	db := e.rawDB()
	unkeyed := func(parts ...string) [32]byte {
		var b []byte
		for _, p := range parts {
			b = append(append(b, p...), 0)
		}
		return sha256.Sum256(b)
	}
	for _, c := range []struct{ table, purpose, email string }{
		{"codes", store.PurposeReset, email},
		{"registrations", store.PurposeVerify, fresh},
	} {
		var stored []byte
		if err := db.QueryRow(`SELECT code_hash FROM ` + c.table + ` WHERE email = '` + c.email + `'`).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		for n := range 1_000_000 {
			code := fmt.Sprintf("%06d", n)
			for _, h := range [][32]byte{sha256.Sum256([]byte(code)), unkeyed(c.purpose, c.email, code)} {
				if string(h[:]) == string(stored) {
					t.Fatalf("the stored hash in %s is the unkeyed hash of a code", c.table)
				}
			}
		}
	}
}

// TestDailyMailCap: past the daily cap of code mails to an address, a
// registration is refused like the per-minute limit, and a reset is
// answered as always but mails a long code instead; a day later they mail
// 6 digits again.
func TestDailyMailCap(t *testing.T) {
	e := newEnv(t, func(c *server.Config) { c.MailsPerDay = 3 })
	email, _ := e.account() // one mail of the cap
	e.startReset(email)
	e.startReset(email)
	e.call("POST", "/v1/password-resets", authapi.EmailRequest{Email: email}, "").ok(t, 202, nil)
	e.call("POST", "/v1/accounts", authapi.CreateAccountRequest{Email: email, Password: "a long new password 1"}, "").
		expect(t, 429, authapi.CodeRateLimited)
	e.clock.Advance(24 * time.Hour)
	if code := e.startReset(email); len(code) != authapi.CodeLen {
		t.Fatalf("a day later the reset mails %q, want 6 digits", code)
	}
	// The account's registration, two resets, a long code, a reset.
	e.waitMails(email, 5)
}

// TestPurgeAtStartAndClose: a server purges the expired rows of its store
// when it starts, and Close stops its purge.
func TestPurgeAtStartAndClose(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := e.store.PutCode(ctx, "old@example.org", store.PurposeReset, store.AnySlot, []byte("x"), e.clock.Now().Add(-time.Minute), 5); err != nil {
		t.Fatal(err)
	}
	db := e.rawDB()
	count := func() int {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM codes`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	cfg2 := e.cfg
	cfg2.Store = e.db.Open(t)
	srv2, err := server.New(cfg2)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for count() != 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if count() != 0 {
		t.Fatal("the expired code is still stored")
	}
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := srv2.Close(cctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
}
