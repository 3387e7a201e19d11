package server_test

import (
	"bytes"
	"database/sql"
	"encoding/base64"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sesame/authapi"
	"sesame/internal/testserver"
	"sesame/server"
)

// TestTOTPSecretStoredFormat pins version 1 of the stored form with a
// value made outside the server (Python's cryptography AESGCM, key bytes
// 0..31, nonce bytes 0xa0..0xab, the account ID as additional data), and
// checks what a fresh seal looks like and what does not open.
func TestTOTPSecretStoredFormat(t *testing.T) {
	key := make([]byte, server.TOTPKeySize)
	for i := range key {
		key[i] = byte(i)
	}
	const id, plain = "acct-0123", "JBSWY3DPEHPK3PXP"
	const pinned = "v1:oKGio6SlpqeoqaqrrFovehz4Ru8nLdeYNCqYjph-IhYOcFiKP3ehoKd1B4c"
	if got, err := server.OpenTOTP(key, id, pinned); err != nil || got != plain {
		t.Fatalf("the pinned value opens to %q, %v", got, err)
	}

	a, err := server.SealTOTP(key, id, plain)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := server.SealTOTP(key, id, plain)
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(a, "v1:"))
	if !strings.HasPrefix(a, "v1:") || err != nil || len(raw) != 12+len(plain)+16 || strings.Contains(a, plain) {
		t.Fatalf("sealed form %q (%d bytes): %v", a, len(raw), err)
	}
	if a == b {
		t.Fatal("two seals of one secret are equal: the nonce is not random")
	}
	if got, err := server.OpenTOTP(key, id, a); err != nil || got != plain {
		t.Fatalf("a fresh seal opens to %q, %v", got, err)
	}

	flipped := []byte(a)
	flipped[len(flipped)-5] ^= 'A' ^ 'B'
	for name, c := range map[string]struct {
		key       []byte
		id, value string
	}{
		"another key":         {server.NewTOTPKey(), id, a},
		"another account":     {key, "acct-0124", a},
		"a changed character": {key, id, string(flipped)},
		"cut short":           {key, id, a[:20]},
		"not base64":          {key, id, "v1:***"},
		"plain under a key":   {key, id, plain},
		"sealed but no key":   {nil, id, a},
	} {
		got, err := server.OpenTOTP(c.key, c.id, c.value)
		if !errors.Is(err, server.ErrTOTPSecret) || got != "" {
			t.Errorf("%s: %q, %v; want ErrTOTPSecret", name, got, err)
		} else if strings.Contains(err.Error(), plain) || strings.Contains(err.Error(), c.value) {
			t.Errorf("%s: the error quotes the secret: %v", name, err)
		}
	}
	if got, err := server.OpenTOTP(nil, id, plain); err != nil || got != plain {
		t.Fatalf("plain without a key: %q, %v", got, err)
	}
}

// rawDB opens the server's database file with SQL, beside the server.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	if path == "" {
		t.Skip("reads the columns of a SQLite file")
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(15000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// totpColumns reads the stored TOTP secret and pending secret of email.
func totpColumns(t *testing.T, db *sql.DB, email string) (id, secret, pending string) {
	t.Helper()
	err := db.QueryRow(`SELECT id, totp_secret, totp_pending FROM accounts WHERE email = ?`, email).Scan(&id, &secret, &pending)
	if err != nil {
		t.Fatal(err)
	}
	return id, secret, pending
}

// filesHold reports whether any file of the database (the file, its
// write-ahead log) holds s.
func filesHold(t *testing.T, dbPath, s string) bool {
	t.Helper()
	names, err := filepath.Glob(dbPath + "*")
	if err != nil || len(names) == 0 {
		t.Fatalf("no database files: %v", err)
	}
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(s)) {
			return true
		}
	}
	return false
}

// checkSealed fails unless stored is the sealed form of want for id under
// the test key.
func checkSealed(t *testing.T, what, id, stored, want string) {
	t.Helper()
	if !strings.HasPrefix(stored, "v1:") || strings.Contains(stored, want) {
		t.Fatalf("%s is stored as %d characters that are not sealed", what, len(stored))
	}
	if got, err := server.OpenTOTP(testserver.TOTPKey, id, stored); err != nil || got != want {
		t.Fatalf("%s does not open to the secret: %v", what, err)
	}
}

// startTwoFactor starts turning two-factor on and returns the pending
// secret.
func (e *env) startTwoFactor(access, pw string) string {
	e.t.Helper()
	var setup authapi.TwoFactorSetup
	e.call("POST", "/v1/me/two-factor", authapi.PasswordRequest{Password: pw}, access).ok(e.t, 200, &setup)
	return secret(setup.Secret)
}

func TestTOTPSecretsAreSealedInTheDatabase(t *testing.T) {
	e := newEnv(t)
	db := rawDB(t, e.dbPath)
	email, pw := e.account()
	tok := e.signIn(email, pw)
	sec := e.startTwoFactor(tok.AccessToken, pw)
	id, _, pending := totpColumns(t, db, email)
	checkSealed(t, "the pending secret", id, pending, sec)
	e.call("POST", "/v1/me/two-factor/confirm", authapi.TOTPRequest{TOTPCode: e.totp(sec, 0)}, tok.AccessToken).ok(t, 200, nil)
	_, live, pending := totpColumns(t, db, email)
	checkSealed(t, "the live secret", id, live, sec)
	if pending != "" {
		t.Fatal("the pending secret stayed after confirming")
	}
	if filesHold(t, e.dbPath, sec) {
		t.Fatal("a database file holds the plain TOTP secret")
	}
	e.clock.Advance(90 * time.Second)
	ch := e.challenge(email, pw)
	e.call("POST", "/v1/sessions/two-factor", authapi.TwoFactorSessionRequest{ChallengeID: ch, TOTPCode: e.totp(sec, 0)}, "").ok(t, 201, nil)
}

// restart starts a second server on e's database with cfg changed by
// tweak, logging to log, and returns an env that talks to it.
func (e *env) restart(t *testing.T, log *testserver.LogBuffer, tweak func(*server.Config)) (*env, error) {
	st := e.db.Open(t)
	cfg := e.cfg
	cfg.Store = st
	// Timestamps are dropped: their digits could look like a 6-digit code.
	cfg.Logger = slog.New(slog.NewJSONHandler(log, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}}))
	tweak(&cfg)
	srv, err := server.New(cfg)
	if err != nil {
		return nil, err
	}
	e2 := *e
	e2.url, e2.srv, e2.store, e2.cfg = serve(t, srv), srv, st, cfg
	return &e2, nil
}

func TestPlainTOTPSecretsAreSealedAtStart(t *testing.T) {
	// A server of before the key: secrets are plain.
	e := newEnv(t, func(c *server.Config) { c.TOTPKey, c.PlainTOTPSecrets = nil, true })
	db := rawDB(t, e.dbPath)
	email, pw := e.account()
	sec, _ := e.enableTwoFactor(e.signIn(email, pw).AccessToken, pw)
	other, otherPw := e.account()
	otherTok := e.signIn(other, otherPw)
	pendingSec := e.startTwoFactor(otherTok.AccessToken, otherPw)
	id, live, _ := totpColumns(t, db, email)
	otherID, _, pending := totpColumns(t, db, other)
	if live != sec || pending != pendingSec {
		t.Fatal("the development mode did not keep the secrets plain")
	}

	// The server with a key seals them once, where no file holds them.
	var log testserver.LogBuffer
	e2, err := e.restart(t, &log, func(c *server.Config) { c.TOTPKey, c.PlainTOTPSecrets = testserver.TOTPKey, false })
	if err != nil {
		t.Fatal(err)
	}
	_, live, _ = totpColumns(t, db, email)
	_, _, pending = totpColumns(t, db, other)
	checkSealed(t, "the converted live secret", id, live, sec)
	checkSealed(t, "the converted pending secret", otherID, pending, pendingSec)
	if !strings.Contains(log.String(), `"count":2`) {
		t.Fatalf("the conversion was not logged with its count: %s", log.String())
	}
	for _, s := range []string{sec, pendingSec} {
		if filesHold(t, e.dbPath, s) {
			t.Fatal("a database file still holds a plain TOTP secret after the conversion")
		}
	}
	var again testserver.LogBuffer
	if _, err := e2.restart(t, &again, func(*server.Config) {}); err != nil || strings.Contains(again.String(), "sealed") {
		t.Fatalf("a second start converted again: %v %s", err, again.String())
	}

	// Both still work: the sign-in and the enrolment under way.
	ch := e2.challenge(email, pw)
	e2.call("POST", "/v1/sessions/two-factor", authapi.TwoFactorSessionRequest{ChallengeID: ch, TOTPCode: e2.totp(sec, 0)}, "").ok(t, 201, nil)
	e2.call("POST", "/v1/me/two-factor/confirm", authapi.TOTPRequest{TOTPCode: e2.totp(pendingSec, 0)}, otherTok.AccessToken).ok(t, 200, nil)
}

func TestServerNeedsATOTPKeyOrTheDevelopmentMode(t *testing.T) {
	e := newEnv(t)
	var log testserver.LogBuffer
	for name, c := range map[string]struct {
		key   []byte
		plain bool
	}{
		"neither":   {nil, false},
		"both":      {testserver.TOTPKey, true},
		"short key": {testserver.TOTPKey[:16], false},
	} {
		if _, err := e.restart(t, &log, func(cfg *server.Config) { cfg.TOTPKey, cfg.PlainTOTPSecrets = c.key, c.plain }); err == nil {
			t.Errorf("%s: the server started", name)
		}
	}
}

// failsClosed checks that a two-factor sign-in with code, right for the
// secret the account was enrolled with, is refused by e as a server
// failure whose log names ErrTOTPSecret and holds no secret.
func failsClosed(t *testing.T, e *env, log *testserver.LogBuffer, email, pw, code, sec string) {
	t.Helper()
	ch := e.challenge(email, pw)
	e.call("POST", "/v1/sessions/two-factor", authapi.TwoFactorSessionRequest{ChallengeID: ch, TOTPCode: code}, "").
		expect(t, 500, authapi.CodeInternal)
	out := log.String()
	if !strings.Contains(out, server.ErrTOTPSecret.Error()) {
		t.Fatalf("the log does not name ErrTOTPSecret: %s", out)
	}
	for _, s := range []string{sec, code, pw} {
		if strings.Contains(out, s) {
			t.Fatal("the log holds a secret")
		}
	}
}

func TestWrongTOTPKeyStopsTheStart(t *testing.T) {
	e := newEnv(t)
	email, pw := e.account()
	sec, _ := e.enableTwoFactor(e.signIn(email, pw).AccessToken, pw)
	other := server.NewTOTPKey()
	var log testserver.LogBuffer
	for name, tweak := range map[string]func(*server.Config){
		"another key": func(c *server.Config) { c.TOTPKey = other },
		"no key":      func(c *server.Config) { c.TOTPKey, c.PlainTOTPSecrets = nil, true },
	} {
		_, err := e.restart(t, &log, tweak)
		if !errors.Is(err, server.ErrTOTPKeyMismatch) {
			t.Fatalf("%s: %v, want ErrTOTPKeyMismatch", name, err)
		}
		for _, s := range []string{sec, server.EncodeTOTPKey(other), server.EncodeTOTPKey(testserver.TOTPKey), "v1:"} {
			if strings.Contains(err.Error(), s) {
				t.Fatalf("%s: the error quotes a secret or key: %v", name, err)
			}
		}
	}
	// The right key starts, and its codes sign in.
	right, err := e.restart(t, &log, func(*server.Config) {})
	if err != nil {
		t.Fatal(err)
	}
	ch := right.challenge(email, pw)
	right.call("POST", "/v1/sessions/two-factor", authapi.TwoFactorSessionRequest{ChallengeID: ch, TOTPCode: right.totp(sec, 0)}, "").ok(t, 201, nil)
}

func TestReplacedTOTPKeyFailsClosed(t *testing.T) {
	e := newEnv(t)
	email, pw := e.account()
	sec, codes := e.enableTwoFactor(e.signIn(email, pw).AccessToken, pw)
	var log testserver.LogBuffer
	wrong, err := e.restart(t, &log, func(c *server.Config) { c.TOTPKey, c.TOTPKeyReplaced = server.NewTOTPKey(), true })
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), `"level":"WARN","msg":"the TOTP key replaces a lost one`) {
		t.Fatalf("the start with a replaced key logs no warning: %s", log.String())
	}
	failsClosed(t, wrong, &log, email, pw, wrong.totp(sec, 0), sec)
	// No failure was counted against the account, and a recovery code,
	// which needs no key, still signs in.
	p := wrong.call("POST", "/v1/sessions", authapi.CreateSessionRequest{Email: email, Password: "wrong password!"}, "").
		expect(t, 401, authapi.CodeInvalidCredentials)
	if *p.AttemptsLeft != 4 {
		t.Fatalf("attempts_left %d after a key failure and a wrong password, want 4", *p.AttemptsLeft)
	}
	ch := wrong.challenge(email, pw)
	wrong.call("POST", "/v1/sessions/two-factor", authapi.TwoFactorSessionRequest{ChallengeID: ch, RecoveryCode: codes[0]}, "").ok(t, 201, nil)
	// The stored value is unharmed: the right key still opens it.
	ch = e.challenge(email, pw)
	e.call("POST", "/v1/sessions/two-factor", authapi.TwoFactorSessionRequest{ChallengeID: ch, TOTPCode: e.totp(sec, 0)}, "").ok(t, 201, nil)
}

func TestTamperedTOTPSecretFailsClosed(t *testing.T) {
	e := newEnv(t)
	db := rawDB(t, e.dbPath)
	var log testserver.LogBuffer
	e2, err := e.restart(t, &log, func(*server.Config) {})
	if err != nil {
		t.Fatal(err)
	}
	alice, alicePw := e.account()
	aliceSec, _ := e.enableTwoFactor(e.signIn(alice, alicePw).AccessToken, alicePw)
	bob, bobPw := e.account()
	bobSec, _ := e.enableTwoFactor(e.signIn(bob, bobPw).AccessToken, bobPw)
	aliceID, aliceStored, _ := totpColumns(t, db, alice)
	_, bobStored, _ := totpColumns(t, db, bob)
	set := func(v string) {
		t.Helper()
		if _, err := db.Exec(`UPDATE accounts SET totp_secret = ? WHERE id = ?`, v, aliceID); err != nil {
			t.Fatal(err)
		}
	}

	// Bob's sealed secret moved to Alice: Bob's code does not open her account.
	set(bobStored)
	failsClosed(t, e2, &log, alice, alicePw, e2.totp(bobSec, 0), bobSec)
	// One character of Alice's own value changed.
	b := []byte(aliceStored)
	b[10] ^= 'A' ^ 'B'
	set(string(b))
	failsClosed(t, e2, &log, alice, alicePw, e2.totp(aliceSec, 0), aliceSec)
	// A plain secret the intruder chose is not accepted either.
	set(bobSec)
	failsClosed(t, e2, &log, alice, alicePw, e2.totp(bobSec, 0), bobSec)
	// Put back, it signs in.
	set(aliceStored)
	ch := e2.challenge(alice, alicePw)
	e2.call("POST", "/v1/sessions/two-factor", authapi.TwoFactorSessionRequest{ChallengeID: ch, TOTPCode: e2.totp(aliceSec, 0)}, "").ok(t, 201, nil)
}
