package localserver_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"sesame/authapi"
	"sesame/internal/localserver"
	"sesame/keystore"
	"sesame/server"
)

// fakeKeychain keeps items in memory, or, when down, is unavailable like a
// session without a Secret Service. The real keychain is tested by
// TestKeyInTheRealKeychain.
type fakeKeychain struct {
	items map[string]string
	down  bool
}

var errNoBus = &keystore.UnavailableError{Reason: keystore.ReasonNoSessionBus, Op: "save", Err: errors.New("no bus in this test")}

func (f *fakeKeychain) SaveSecret(_ context.Context, name, value string) error {
	if f.down {
		return errNoBus
	}
	if f.items == nil {
		f.items = map[string]string{}
	}
	f.items[name] = value
	return nil
}

func (f *fakeKeychain) Secret(_ context.Context, name string) (string, error) {
	if f.down {
		return "", errNoBus
	}
	v, ok := f.items[name]
	if !ok {
		return "", fmt.Errorf("keystore: read: %w", keystore.ErrNotFound)
	}
	return v, nil
}

const password = "a sturdy password 7"

var codeRE = regexp.MustCompile(`\b(\d{6})\b`)

// enrol makes a verified account with two-factor on, through the API of
// the server at s, and returns its email and TOTP secret. The code of the
// current step is spent.
func enrol(t *testing.T, s *localserver.Server, email string) string {
	t.Helper()
	ctx := context.Background()
	c, err := authapi.NewClient(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CreateAccount(ctx, authapi.CreateAccountRequest{Email: email, Password: password}); err != nil {
		t.Fatal(err)
	}
	var code []string
	for deadline := time.Now().Add(5 * time.Second); code == nil && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m, err := c.Mailbox(ctx, email); err == nil && len(m) > 0 {
			code = codeRE.FindStringSubmatch(m[0].Text)
		}
	}
	if code == nil {
		t.Fatal("no verification code")
	}
	if err := c.VerifyAccount(ctx, authapi.VerifyAccountRequest{Email: email, Code: code[1], Password: password}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SignIn(ctx, authapi.CreateSessionRequest{Email: email, Password: password}); err != nil {
		t.Fatal(err)
	}
	setup, err := c.StartTwoFactor(ctx, password)
	if err != nil {
		t.Fatal(err)
	}
	now, _ := totp.GenerateCode(setup.Secret, time.Now())
	if _, err := c.ConfirmTwoFactor(ctx, now); err != nil {
		t.Fatal(err)
	}
	return setup.Secret
}

// signInWithCode signs in to s with the code of the next step, which no
// earlier sign-in spent.
func signInWithCode(t *testing.T, s *localserver.Server, email, secret string) error {
	t.Helper()
	ctx := context.Background()
	c, err := authapi.NewClient(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.SignIn(ctx, authapi.CreateSessionRequest{Email: email, Password: password})
	var p *authapi.Problem
	if !errors.As(err, &p) || p.Code != authapi.CodeTwoFactorRequired {
		t.Fatalf("the password step: %v", err)
	}
	next, _ := totp.GenerateCode(secret, time.Now().Add(30*time.Second))
	_, err = c.SignInTwoFactor(ctx, authapi.TwoFactorSessionRequest{ChallengeID: p.ChallengeID, TOTPCode: next})
	return err
}

// checkSealed fails unless the database in dir holds the TOTP secret of
// email sealed.
func checkSealed(t *testing.T, dir, email, secret string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, localserver.DBName)+"?_pragma=busy_timeout(15000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var stored string
	if err := db.QueryRow(`SELECT totp_secret FROM accounts WHERE email = ?`, email).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(stored, "v1:") || strings.Contains(stored, secret) {
		t.Fatalf("the TOTP secret is stored unsealed (%d characters)", len(stored))
	}
}

// restart closes s and starts the server again on dir with o.
func restart(t *testing.T, s *localserver.Server, o localserver.Options, dir string) *localserver.Server {
	t.Helper()
	addr := strings.TrimPrefix(s.URL, "http://")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := o.Start(context.Background(), dir, addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestKeyFallsBackToAFile(t *testing.T) {
	dir := t.TempDir()
	var stderr bytes.Buffer
	o := localserver.Options{Keychain: &fakeKeychain{down: true}, Stderr: &stderr}
	s, err := o.Start(context.Background(), dir, freeAddr(t))
	if err != nil {
		t.Fatal(err)
	}
	keyPath := filepath.Join(dir, localserver.KeyFileName)
	fi, err := os.Stat(keyPath)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the key file: %v, %v", fi, err)
	}
	key, _ := os.ReadFile(keyPath)
	if _, err := server.ParseTOTPKey(string(key)); err != nil {
		t.Fatal(err)
	}
	said := stderr.String()
	if !strings.Contains(said, "keychain unavailable") || !strings.Contains(said, keyPath) || strings.Contains(said, strings.TrimSpace(string(key))) {
		t.Fatalf("stderr says %q", said)
	}
	if _, err := os.Stat(filepath.Join(dir, localserver.KeyIDName)); err == nil {
		t.Fatal("a key ID was written for a key that is in no keychain")
	}
	sec := enrol(t, s, "file@example.org")
	checkSealed(t, dir, "file@example.org", sec)

	// The next start uses the file, and says nothing more.
	stderr.Reset()
	s = restart(t, s, o, dir)
	if err := signInWithCode(t, s, "file@example.org", sec); err != nil {
		t.Fatalf("the two-factor sign-in after a restart: %v", err)
	}
	if stderr.Len() != 0 {
		t.Fatalf("the second start said %q", stderr.String())
	}

	// Another key in the file, which no keychain lost, stops the start.
	addr := strings.TrimPrefix(s.URL, "http://")
	s.Close()
	if err := os.WriteFile(keyPath, []byte(server.EncodeTOTPKey(server.NewTOTPKey())+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := o.Start(context.Background(), dir, addr); !errors.Is(err, server.ErrTOTPKeyMismatch) {
		t.Fatalf("with another key in the file: %v", err)
	}
}

func TestKeyInAKeychain(t *testing.T) {
	dir := t.TempDir()
	kc := &fakeKeychain{}
	var stderr bytes.Buffer
	o := localserver.Options{Keychain: kc, Stderr: &stderr}
	s, err := o.Start(context.Background(), dir, freeAddr(t))
	if err != nil {
		t.Fatal(err)
	}
	id, err := os.ReadFile(filepath.Join(dir, localserver.KeyIDName))
	if err != nil || len(kc.items) != 1 || kc.items["local-server-totp-key-"+strings.TrimSpace(string(id))] == "" {
		t.Fatalf("the key ID %q (%v) does not name the one item of the keychain", id, err)
	}
	if _, err := os.Stat(filepath.Join(dir, localserver.KeyFileName)); err == nil || stderr.Len() != 0 {
		t.Fatalf("a key file was written, or stderr says %q", stderr.String())
	}
	sec := enrol(t, s, "kc@example.org")
	s = restart(t, s, o, dir)
	if err := signInWithCode(t, s, "kc@example.org", sec); err != nil {
		t.Fatalf("the two-factor sign-in after a restart: %v", err)
	}

	// An unavailable keychain stops the start; one that lost the key gets
	// a new one, and the secrets sealed with the old one fail closed.
	addr := strings.TrimPrefix(s.URL, "http://")
	s.Close()
	kc.down = true
	if _, err := o.Start(context.Background(), dir, addr); !errors.Is(err, keystore.ErrKeychainUnavailable) {
		t.Fatalf("with the keychain down: %v", err)
	}
	kc.down, kc.items = false, nil
	keyLost(t, o, &stderr, dir, addr, "kc@example.org", sec)
}

// keyLost starts the server over dir after the keychain lost its key: the
// start goes on with a new key, says so without any secret, and the code
// of the account enrolled with the old key is refused. So does the next
// start, with the new key.
func keyLost(t *testing.T, o localserver.Options, stderr *bytes.Buffer, dir, addr, email, sec string) {
	t.Helper()
	stderr.Reset()
	s, err := o.Start(context.Background(), dir, addr)
	if err != nil {
		t.Fatalf("with the key gone: %v", err)
	}
	defer s.Close()
	if !strings.Contains(stderr.String(), "missing from the keychain") || strings.Contains(stderr.String(), sec) {
		t.Fatalf("stderr says %q", stderr.String())
	}
	if lost, _ := filepath.Glob(filepath.Join(dir, localserver.KeyIDName+".lost-*")); len(lost) != 1 {
		t.Fatalf("the lost key's ID is not kept: %v", lost)
	}
	if err := signInWithCode(t, s, email, sec); err == nil {
		t.Fatal("a code of a secret sealed with the lost key signed in")
	}
	again := restart(t, s, o, dir)
	if err := signInWithCode(t, again, email, sec); err == nil {
		t.Fatal("after a restart, a code of a secret sealed with the lost key signed in")
	}
}

// TestKeyInTheRealKeychain runs under scripts/keyring-session:
//
//	dbus-run-session -- scripts/keyring-session go test ./internal/localserver/
func TestKeyInTheRealKeychain(t *testing.T) {
	if os.Getenv("SESAME_TEST_KEYRING") != "1" {
		t.Skip("SESAME_TEST_KEYRING is not 1; run under `dbus-run-session -- scripts/keyring-session` to test the real Secret Service")
	}
	var svc [6]byte
	rand.Read(svc[:])
	kc := keystore.Keychain{Service: "Sesame-test-" + hex.EncodeToString(svc[:]), Timeout: 10 * time.Second}
	ctx := context.Background()
	dir := t.TempDir()
	var stderr bytes.Buffer
	o := localserver.Options{Keychain: kc, Stderr: &stderr}
	s, err := o.Start(ctx, dir, freeAddr(t))
	if err != nil {
		t.Fatal(err)
	}
	id, err := os.ReadFile(filepath.Join(dir, localserver.KeyIDName))
	if err != nil {
		t.Fatal(err)
	}
	item := "local-server-totp-key-" + strings.TrimSpace(string(id))
	t.Cleanup(func() { kc.DeleteSecret(ctx, item) })
	text, err := kc.Secret(ctx, item)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := server.ParseTOTPKey(text); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, localserver.KeyFileName)); err == nil || stderr.Len() != 0 {
		t.Fatalf("a key file was written, or stderr says %q", stderr.String())
	}
	sec := enrol(t, s, "real@example.org")
	checkSealed(t, dir, "real@example.org", sec)
	s = restart(t, s, o, dir)
	if err := signInWithCode(t, s, "real@example.org", sec); err != nil {
		t.Fatalf("the two-factor sign-in after a restart: %v", err)
	}
	addr := strings.TrimPrefix(s.URL, "http://")
	s.Close()
	if err := kc.DeleteSecret(ctx, item); err != nil {
		t.Fatal(err)
	}
	keyLost(t, o, &stderr, dir, addr, "real@example.org", sec)
	// The new key's item is the test's to delete too.
	if id, err := os.ReadFile(filepath.Join(dir, localserver.KeyIDName)); err == nil {
		t.Cleanup(func() { kc.DeleteSecret(ctx, "local-server-totp-key-"+strings.TrimSpace(string(id))) })
	}
}
