package server_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"sesame/authapi"
	"sesame/server"
	"sesame/server/store"
)

var longCodeRE = regexp.MustCompile(`\b[0-9A-Z]{5}(?:-[0-9A-Z]{5}){3}\b`)

// productionRates puts back the per-account and per-address mail limits
// that the test servers lift.
func productionRates(c *server.Config) {
	def := server.DefaultConfig()
	c.RateAccount, c.RateMail = def.RateAccount, def.RateMail
}

// longCodes lists the long codes mailed to email in mails whose subject
// holds subject, newest first, once the background work is done.
func (e *env) longCodes(email, subject string) []string {
	e.t.Helper()
	var out []string
	for _, m := range e.mailbox(email) {
		if c := longCodeRE.FindString(m.Text); c != "" && strings.Contains(strings.ToLower(m.Subject), subject) {
			out = append(out, secret(c))
		}
	}
	return out
}

// spendBudget is the stranger's part: code requests and wrong codes
// until the address's budget of wrong codes is spent.
func (e *env) spendBudget(email, requestPath, verifyPath string) {
	e.t.Helper()
	for range 2 {
		e.call("POST", requestPath, authapi.EmailRequest{Email: email}, "").ok(e.t, 202, nil)
		for range e.cfg.CodeAttempts {
			e.call("POST", verifyPath, authapi.EmailCodeRequest{Email: email, Code: "000000"}, "").expect(e.t, 400, authapi.CodeInvalidCode)
		}
	}
}

// askEveryMinute sends n code requests for email a minute apart, under the
// per-minute mail limit.
func (e *env) askEveryMinute(email, path string, n int) {
	e.t.Helper()
	for range n {
		e.clock.Advance(time.Minute)
		e.call("POST", path, authapi.EmailRequest{Email: email}, "").ok(e.t, 202, nil)
	}
}

// when reads a time column of the raw database: milliseconds on SQLite,
// a timestamp on PostgreSQL.
func (e *env) when(v any) time.Time {
	e.t.Helper()
	switch x := v.(type) {
	case int64:
		return time.UnixMilli(x)
	case time.Time:
		return x
	}
	e.t.Fatalf("a time stored as %T", v)
	return time.Time{}
}

// TestStrangerCannotCloseANewComputersWayBack: a stranger with only the
// address locks its sign-in, spends its budget of wrong codes and every
// long-code mail it may get, and keeps guessing. The owner on a new
// computer (no device token) still resets with the newest long code her
// mailbox holds, pasted in lower case with spaces, and is then signed in
// on a known device that the stranger's new lock does not stop.
func TestStrangerCannotCloseANewComputersWayBack(t *testing.T) {
	e := newEnv(t)
	email, pw := e.account()
	e.lockWith(email, "")
	e.spendBudget(email, "/v1/password-resets", "/v1/password-resets/verify")
	e.askEveryMinute(email, "/v1/password-resets", store.KeptCodes+2)
	if got := e.longCodes(email, "reset"); len(got) != store.KeptCodes {
		t.Fatalf("%d long-code mails, want the cap %d", len(got), store.KeptCodes)
	}
	// Hours later the owner asks on her new computer: the cap is spent
	// and nothing more goes, but the newest long code still works.
	e.clock.Advance(7 * time.Hour)
	e.call("POST", "/v1/password-resets", authapi.EmailRequest{Email: email}, "").ok(t, 202, nil)
	codes := e.longCodes(email, "reset")
	if len(codes) != store.KeptCodes {
		t.Fatalf("%d long-code mails after the owner's request, want %d", len(codes), store.KeptCodes)
	}
	verify := func(code string) answer {
		return e.call("POST", "/v1/password-resets/verify", authapi.EmailCodeRequest{Email: email, Code: code}, "")
	}
	// The stranger goes on guessing: 6-digit codes are refused, long
	// ones miss, and neither spends the owner's long code.
	verify("000000").expect(t, 410, authapi.CodeCodeExpired)
	for range 5 {
		if p := verify(authapi.NewLongCode()).expect(t, 400, authapi.CodeInvalidCode); p.AttemptsLeft != nil {
			t.Fatalf("a long code's miss tells attempts left: %d", *p.AttemptsLeft)
		}
	}
	var v authapi.ResetVerifyResponse
	verify(strings.ToLower(strings.ReplaceAll(codes[0], "-", " "))+"\n").ok(t, 200, &v)
	verify(codes[0]).expect(t, 410, authapi.CodeCodeExpired)
	done := e.call("POST", "/v1/password-resets/complete", authapi.ResetCompleteRequest{ResetToken: secret(v.ResetToken),
		NewPassword: pw + " new", DeviceName: "new laptop"}, "")
	done.ok(t, 204, nil)
	deviceToken := done.header.Get(authapi.DeviceTokenHeader)
	// The reset lifted the lock; the stranger locks the address again,
	// and the owner's new computer signs in all the same, as a known
	// device, keeping its token.
	e.lockWith(email, "")
	var tok authapi.Tokens
	e.signInOn(email, pw+" new", "new laptop", secret(deviceToken)).ok(t, 201, &tok)
	if tok.DeviceToken != deviceToken {
		t.Fatal("the sign-in after the reset did not keep the reset's device token")
	}
	var list authapi.DeviceList
	e.call("GET", "/v1/devices", nil, secret(tok.AccessToken)).ok(t, 200, &list)
	if len(list.Devices) != 1 || list.Devices[0].DeviceName != "new laptop" {
		t.Fatalf("devices %+v, want the new laptop alone", list.Devices)
	}
}

// TestLongCodeAfterTheBudget: past the budget of wrong codes, or past the
// daily cap of code mails, a request without a device token mails a long
// code (reset and support alike), which opens what a code opens; a
// 6-digit code of the address is refused.
func TestLongCodeAfterTheBudget(t *testing.T) {
	e := newEnv(t, func(c *server.Config) { c.MailsPerDay = 3 })
	email, _ := e.account()
	e.spendBudget(email, "/v1/support-requests/code", "/v1/support-requests/verify")
	e.askEveryMinute(email, "/v1/support-requests/code", 1)
	codes := e.longCodes(email, "support")
	if len(codes) != 1 {
		t.Fatalf("%d long support codes, want 1", len(codes))
	}
	e.call("POST", "/v1/support-requests/verify", authapi.EmailCodeRequest{Email: email, Code: "000000"}, "").
		expect(t, 410, authapi.CodeCodeExpired)
	var acc authapi.SupportAccess
	e.call("POST", "/v1/support-requests/verify", authapi.EmailCodeRequest{Email: email, Code: codes[0]}, "").ok(t, 200, &acc)

	// Another address whose 3 code mails a day are spent, budget intact.
	other, _ := e.account()
	e.askEveryMinute(other, "/v1/password-resets", 3)
	codes = e.longCodes(other, "reset")
	if len(codes) != 1 {
		t.Fatalf("%d long reset codes past the mail cap, want 1", len(codes))
	}
	e.call("POST", "/v1/password-resets/verify", authapi.EmailCodeRequest{Email: other, Code: codes[0]}, "").ok(t, 200, nil)
}

// TestGuessingLongCodesSpendsOnlyRates: a stranger who guesses long codes
// gets refusals, then the per-address rate limit; no attempt of the
// owner's 6-digit code and nothing of the budget is spent.
func TestGuessingLongCodesSpendsOnlyRates(t *testing.T) {
	e := newEnv(t, productionRates)
	email, _ := e.account()
	code := e.startReset(email)
	verify := func(code string) answer {
		return e.call("POST", "/v1/password-resets/verify", authapi.EmailCodeRequest{Email: email, Code: code}, "")
	}
	limited := false
	for i := 0; i < 100 && !limited; i++ {
		a := verify(authapi.FormatLongCode(authapi.NewLongCode()))
		if limited = a.status == 429; !limited {
			a.expect(t, 410, authapi.CodeCodeExpired) // no long code is live
		}
	}
	if !limited {
		t.Fatal("100 long guesses were never rate limited")
	}
	locked, err := e.store.CodesLocked(context.Background(), email, e.clock.Now(), e.cfg.CodeBudget)
	if err != nil || locked {
		t.Fatalf("the budget after long guesses: locked %v, %v", locked, err)
	}
	e.clock.Advance(time.Minute)
	if p := verify(wrongCode(code)).expect(t, 400, authapi.CodeInvalidCode); *p.AttemptsLeft != e.cfg.CodeAttempts-1 {
		t.Fatalf("the owner's first miss leaves %d attempts, want %d", *p.AttemptsLeft, e.cfg.CodeAttempts-1)
	}
	verify(code).ok(t, 200, nil)
}

// TestLongCodesDoNotTellAddressesApart: an address with an account and
// one without go through the same long-code requests and guesses: the
// answers are the same, and so are the rows the store writes (codes,
// misses, rate limits, relative to the sequence's start).
func TestLongCodesDoNotTellAddressesApart(t *testing.T) {
	e := newEnv(t, productionRates)
	known, _ := e.account()
	e.clock.Advance(24 * time.Hour) // the account's registration mail is a day old
	db := e.rawDB()
	sequence := func(email string) (answers, rows []string) {
		start := e.clock.Now()
		e.spendBudget(email, "/v1/password-resets", "/v1/password-resets/verify")
		e.askEveryMinute(email, "/v1/password-resets", store.KeptCodes+1)
		for range 3 {
			a := e.call("POST", "/v1/password-resets/verify", authapi.EmailCodeRequest{Email: email, Code: authapi.NewLongCode()}, "")
			answers = append(answers, fmt.Sprintf("%d %s", a.status, a.body))
		}
		// The clock runs on between the calls: seconds tell.
		since := func(at time.Time) time.Duration { return at.Sub(start).Round(time.Second) }
		q, err := db.Query(`SELECT slot, attempts_left, expires_at FROM codes WHERE email = $1 ORDER BY id`, email)
		if err != nil {
			t.Fatal(err)
		}
		defer q.Close()
		for q.Next() {
			var slot string
			var left int
			var exp any
			if err := q.Scan(&slot, &left, &exp); err != nil {
				t.Fatal(err)
			}
			rows = append(rows, fmt.Sprint("code ", slot, left, since(e.when(exp))))
		}
		var misses int
		if err := db.QueryRow(`SELECT count(*) FROM code_misses WHERE email = $1`, email).Scan(&misses); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, fmt.Sprint("misses ", misses))
		// A bucket full again may be purged or not: it tells as "full".
		for _, key := range []string{"reset:", "mail:", "mail-day:", "mail-long:"} {
			var full int64
			err := db.QueryRow(`SELECT full_at FROM rate_limits WHERE key = $1`, store.LimitKey(key+email)).Scan(&full)
			state := "full"
			if at := time.UnixMicro(full); err == nil && at.After(e.clock.Now()) {
				state = since(at).String()
			} else if err != nil && !errors.Is(err, sql.ErrNoRows) {
				t.Fatal(err)
			}
			rows = append(rows, key+" "+state)
		}
		return answers, rows
	}
	ka, kr := sequence(known)
	ua, ur := sequence("nobody@example.org")
	if fmt.Sprint(ka) != fmt.Sprint(ua) || !strings.Contains(ka[0], string(authapi.CodeInvalidCode)) {
		t.Fatalf("answers differ or are not misses:\n%q\n%q", ka, ua)
	}
	if fmt.Sprint(kr) != fmt.Sprint(ur) {
		t.Fatalf("the store's rows differ:\n%q\n%q", kr, ur)
	}
	if got := e.longCodes(known, "reset"); len(got) != store.KeptCodes {
		t.Fatalf("%d long codes mailed to the known address, want %d", len(got), store.KeptCodes)
	}
}
