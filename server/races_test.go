package server_test

import (
	"context"
	"net/http"
	"path/filepath"
	"sync"
	"testing"

	"sesame/authapi"
	"sesame/server"
	"sesame/server/store"
	"sesame/server/store/sqlite"
)

// burst sends the requests at once and counts the answers' statuses.
func burst(e *env, path string, reqs []any) map[int]int {
	var wg sync.WaitGroup
	var mu sync.Mutex
	count := map[int]int{}
	for _, r := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := e.call("POST", path, r, "")
			mu.Lock()
			count[a.status]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	return count
}

// TestLockBoundsCheckedPasswords sends 12 wrong passwords and the right one
// at once: no more passwords than the lock allows may be checked, and the
// right one is refused unless it was among them.
func TestLockBoundsCheckedPasswords(t *testing.T) {
	e := newEnv(t)
	email, pw := e.account()
	reqs := []any{authapi.CreateSessionRequest{Email: email, Password: pw}}
	for i := 0; i < 12; i++ {
		reqs = append(reqs, authapi.CreateSessionRequest{Email: email, Password: "wrong password!"})
	}
	count := burst(e, "/v1/sessions", reqs)
	tok := e.signInOrNot(email, pw)
	var acts authapi.ActivityList
	if tok != "" {
		e.call("GET", "/v1/me/activity?limit=100", nil, tok).ok(t, 200, &acts)
	} else {
		// Locked: read the log from the store.
		a, _ := e.store.AccountByEmail(context.Background(), email)
		ev, err := e.store.Activity(context.Background(), a.ID, 100)
		if err != nil {
			t.Fatal(err)
		}
		acts.Events = ev
	}
	// The activity log records every checked wrong password. A success
	// clears the count, so at most the lock's failures are checked before
	// the first success and after each. (The log's order of a success and
	// the failures around it need not be the order in which the count
	// was cleared, so the bound is on the whole burst.)
	wrong, successes := 0, count[http.StatusCreated]
	for _, ev := range acts.Events {
		if ev.Result == authapi.ResultInvalidCredentials || ev.Result == authapi.ResultLocked {
			wrong++
		}
	}
	if most := e.cfg.Lock.MaxFailures * (1 + successes); wrong > most {
		t.Fatalf("%d wrong passwords were checked (answers %v), more than the %d the lock allows around %d successes", wrong, count, most, successes)
	}
}

// signInOrNot signs in if the account is not locked and returns the access
// token, or "".
func (e *env) signInOrNot(email, pw string) string {
	var tok authapi.Tokens
	a := e.call("POST", "/v1/sessions", authapi.CreateSessionRequest{Email: email, Password: pw}, "")
	if a.status != 201 {
		return ""
	}
	a.ok(e.t, 201, &tok)
	return secret(tok.AccessToken)
}

func TestResetTokenIsSingleUseUnderConcurrency(t *testing.T) {
	e := newEnv(t)
	email, _ := e.account()
	e.call("POST", "/v1/password-resets", authapi.EmailRequest{Email: email}, "").ok(t, 202, nil)
	code, _ := e.mailCode(email, "reset", 1)
	var v authapi.ResetVerifyResponse
	e.call("POST", "/v1/password-resets/verify", authapi.EmailCodeRequest{Email: email, Code: code}, "").ok(t, 200, &v)
	secret(v.ResetToken)
	var reqs []any
	for i := 0; i < 8; i++ {
		reqs = append(reqs, authapi.ResetCompleteRequest{ResetToken: v.ResetToken, NewPassword: secret("racing new password " + string(rune('a'+i)))})
	}
	if count := burst(e, "/v1/password-resets/complete", reqs); count[204] != 1 || count[410] != 7 {
		t.Fatalf("answers %v, want one 200 and seven 410", count)
	}
}

// TestStaleHashesAreRefused covers a sign-in or rehash that checked a
// password a concurrent reset or change has since replaced.
func TestStaleHashesAreRefused(t *testing.T) {
	e := newEnv(t)
	email, _ := e.account()
	ctx := context.Background()
	a, _ := e.store.AccountByEmail(ctx, email)
	if err := e.store.ChangePassword(ctx, a.ID, a.PasswordHash, "$argon2id$new", "", e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	se := store.Session{ID: "s1", AccountID: a.ID, DeviceName: "d", IP: "127.0.0.1"}
	tok := store.Tokens{Access: []byte("a"), Refresh: []byte("r")}
	if err := e.store.CreateSession(ctx, store.NewSession{Session: se, Tokens: tok, PasswordHash: a.PasswordHash, Email: email}); err != store.ErrNotFound {
		t.Fatalf("a session for a replaced password: %v", err)
	}
	if err := e.store.ReplacePasswordHash(ctx, a.ID, a.PasswordHash, "$argon2id$rehash"); err != store.ErrNotFound {
		t.Fatalf("a rehash over a replaced password: %v", err)
	}
	if err := e.store.ChangePassword(ctx, a.ID, a.PasswordHash, "$argon2id$other", "", e.clock.Now()); err != store.ErrNotFound {
		t.Fatalf("a change over a replaced password: %v", err)
	}
	if err := e.store.CreateSession(ctx, store.NewSession{Session: se, Tokens: tok, PasswordHash: "$argon2id$new", Email: email}); err != nil {
		t.Fatal(err)
	}
}

func TestDatabasePathIsTakenLiterally(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "odd #name% 41?x.db")
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if m, _ := filepath.Glob(filepath.Join(dir, "*")); len(m) == 0 || filepath.Base(m[0]) != "odd #name% 41?x.db" {
		t.Fatalf("files made: %v", m)
	}
}

func TestDisabledMailboxIsNotFoundBeforeAnyCheck(t *testing.T) {
	e := newEnv(t, func(c *server.Config) { c.DevMailbox = false })
	e.call("GET", "/v1/dev/mailbox?to=a@example.org", nil, "", authapi.HeaderClientVersion, "").
		expect(t, 404, authapi.CodeNotFound)
}
