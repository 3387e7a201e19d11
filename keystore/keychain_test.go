package keystore_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"sesame/keystore"
)

func TestNormalizeServer(t *testing.T) {
	cases := []struct{ in, want string }{
		{"https://auth.example.com", "https://auth.example.com"},
		{"https://Auth.Example.COM/", "https://auth.example.com"},
		{"HTTPS://auth.example.com:443", "https://auth.example.com"},
		{"  https://auth.example.com  ", "https://auth.example.com"},
		{"http://127.0.0.1:8080/", "http://127.0.0.1:8080"},
		{"http://localhost:80", "http://localhost"},
		{"https://auth.example.com:8443/sesame/", "https://auth.example.com:8443/sesame"},
		{"https://[::1]:8443", "https://[::1]:8443"},
		{"https://[::1]:443", "https://[::1]"},
		{"https://auth.example.com/a%20b", "https://auth.example.com/a%20b"},
	}
	for _, c := range cases {
		got, err := keystore.NormalizeServer(c.in)
		if err != nil || got != c.want {
			t.Errorf("NormalizeServer(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, in := range []string{
		"", "auth.example.com", "ftp://auth.example.com", "https://", "https:///path",
		"https://user:secret@auth.example.com", "https://auth.example.com/?x=1",
		"https://auth.example.com/#top", "mailto:alice@example.com", "https://auth example.com",
	} {
		if got, err := keystore.NormalizeServer(in); !errors.Is(err, keystore.ErrInvalidServer) {
			t.Errorf("NormalizeServer(%q) = %q, %v; want ErrInvalidServer", in, got, err)
		}
	}
}

func TestItemKeys(t *testing.T) {
	token, index, err := keystore.ItemKeys("https://Auth.Example.com/", "Alice@Example.com")
	if err != nil {
		t.Fatal(err)
	}
	if token != "refresh-token https://auth.example.com alice@example.com" || index != "last-account https://auth.example.com" {
		t.Fatalf("keys %q, %q", token, index)
	}
	for _, account := range []string{"", "alice @example.com", "alice@example.com\n", "a\x00b", strings.Repeat("a", 321)} {
		if _, _, err := keystore.ItemKeys("https://auth.example.com", account); !errors.Is(err, keystore.ErrInvalidAccount) {
			t.Errorf("account %q: %v, want ErrInvalidAccount", account, err)
		}
	}
}

// Bad arguments and a done context are refused before the keychain is
// reached: these run with or without a Secret Service.
func TestKeychainRefusesBeforeCalling(t *testing.T) {
	k := keystore.Keychain{Service: "Sesame-test"}
	ctx := context.Background()
	const srv, acct = "https://auth.example.com", "alice@example.com"
	if err := k.SaveRefreshToken(ctx, "auth.example.com", acct, "tok"); !errors.Is(err, keystore.ErrInvalidServer) {
		t.Errorf("bad server: %v", err)
	}
	if _, err := k.RefreshToken(ctx, srv, "alice smith"); !errors.Is(err, keystore.ErrInvalidAccount) {
		t.Errorf("bad account: %v", err)
	}
	if _, err := k.RememberedAccount(ctx, "not a url"); !errors.Is(err, keystore.ErrInvalidServer) {
		t.Errorf("bad server: %v", err)
	}
	if err := k.SaveRefreshToken(ctx, srv, acct, ""); !errors.Is(err, keystore.ErrEmptyToken) {
		t.Errorf("empty token: %v", err)
	}

	canceled, cancel := context.WithCancel(ctx)
	cancel()
	err := k.SaveRefreshToken(canceled, srv, acct, "secret-token-value")
	if !errors.Is(err, context.Canceled) || errors.Is(err, keystore.ErrKeychainUnavailable) {
		t.Errorf("canceled: %v", err)
	}
	expired, cancel2 := context.WithDeadline(ctx, time.Now().Add(-time.Second))
	defer cancel2()
	_, err = k.RefreshToken(expired, srv, acct)
	var ue *keystore.UnavailableError
	if !errors.As(err, &ue) || ue.Reason != keystore.ReasonTimedOut || ue.Op != "read" ||
		!errors.Is(err, keystore.ErrKeychainUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("expired: %v", err)
	}
}

func TestUnavailableError(t *testing.T) {
	cause := errors.New("dial unix /run/user/1000/bus: connect: no such file or directory")
	var err error = &keystore.UnavailableError{Reason: keystore.ReasonNoSessionBus, Op: "save", Err: cause}
	err = fmt.Errorf("remember me: %w", err)
	var ue *keystore.UnavailableError
	if !errors.Is(err, keystore.ErrKeychainUnavailable) || !errors.Is(err, cause) || !errors.As(err, &ue) {
		t.Fatal("UnavailableError does not match")
	}
	if errors.Is(err, keystore.ErrNotFound) {
		t.Fatal("UnavailableError matches ErrNotFound")
	}
	want := "remember me: keystore: save: keychain unavailable (no session bus): " + cause.Error()
	if err.Error() != want {
		t.Fatalf("Error() = %q", err)
	}
	names := map[keystore.Reason]string{
		keystore.ReasonOther: "other", keystore.ReasonNoSessionBus: "no session bus",
		keystore.ReasonNoProvider: "no secret service provider", keystore.ReasonNoKeyring: "no default keyring",
		keystore.ReasonLocked: "locked", keystore.ReasonTimedOut: "timed out", keystore.Reason(99): "Reason(99)",
	}
	for r, s := range names {
		if r.String() != s {
			t.Errorf("%d.String() = %q, want %q", int(r), r, s)
		}
	}
}

// Keychain helper processes: godbus keeps one session bus connection per
// process, so each bus under test gets a process of its own.
const (
	keychainOpEnv      = "SESAME_KEYSTORE_KEYCHAIN_OP"
	keychainTimeoutEnv = "SESAME_KEYSTORE_KEYCHAIN_TIMEOUT"
)

// keychainChild runs one keychain call and prints its outcome as
// "ok", "notfound", "unavailable <reason> <op>" or "error <message>".
func keychainChild() int {
	timeout, _ := time.ParseDuration(os.Getenv(keychainTimeoutEnv))
	k := keystore.Keychain{Service: "Sesame-test-child", Timeout: timeout}
	ctx := context.Background()
	var err error
	switch op := os.Getenv(keychainOpEnv); op {
	case "read":
		_, err = k.RefreshToken(ctx, "https://auth.example.com", "alice@example.com")
	case "save":
		err = k.SaveRefreshToken(ctx, "https://auth.example.com", "alice@example.com", "child-secret-token")
	case "check":
		err = k.Check(ctx)
	default:
		err = fmt.Errorf("unknown op %q", op)
	}
	var ue *keystore.UnavailableError
	switch {
	case err == nil:
		fmt.Println("ok")
	case errors.Is(err, keystore.ErrNotFound):
		fmt.Println("notfound")
	case errors.As(err, &ue) && errors.Is(err, keystore.ErrKeychainUnavailable):
		fmt.Printf("unavailable %d %s\n", int(ue.Reason), ue.Op)
		fmt.Fprintln(os.Stderr, err)
		if strings.Contains(err.Error(), "child-secret-token") {
			fmt.Println("error: the token is in the error")
		}
	default:
		fmt.Println("error", err)
	}
	return 0
}

// keyringWanted is true when the test environment promises a Secret
// Service (scripts/keyring-session sets it): tests that need one then fail
// instead of skipping.
func keyringWanted() bool { return os.Getenv("SESAME_TEST_KEYRING") == "1" }

// Items over the Windows Credential Manager's limits are refused on every
// system before the keychain is reached, with sizes and no secret in the
// error; these run with or without a Secret Service.
func TestKeychainTooLarge(t *testing.T) {
	k := keystore.Keychain{Service: "Sesame-test"}
	ctx := context.Background()
	const srv, acct = "https://auth.example.com", "alice@example.com"
	big := strings.Repeat("t", keystore.MaxSecretBytes+1)
	longServer := "https://auth.example.com/" + strings.Repeat("p", keystore.MaxNameChars)
	for _, c := range []struct {
		name string
		save func() error
		what string
		size int
	}{
		{"refresh token", func() error { return k.SaveRefreshToken(ctx, srv, acct, big) }, "secret", len(big)},
		{"device token", func() error { return k.SaveDeviceToken(ctx, srv, acct, big) }, "secret", len(big)},
		{"phrase", func() error { return k.SavePhrase(ctx, srv, acct, big) }, "secret", len(big)},
		{"named secret", func() error { return k.SaveSecret(ctx, "key", big) }, "secret", len(big)},
		{"long server", func() error { return k.SaveRefreshToken(ctx, longServer, acct, "tok") }, "name", 0},
		// A secret is limited in bytes, whatever its characters.
		{"multi-byte", func() error {
			return k.SaveRefreshToken(ctx, srv, acct, strings.Repeat("é", keystore.MaxSecretBytes/2)+"x")
		}, "secret", keystore.MaxSecretBytes + 1},
	} {
		err := c.save()
		var tl *keystore.TooLargeError
		if !errors.Is(err, keystore.ErrTooLarge) || !errors.As(err, &tl) || errors.Is(err, keystore.ErrKeychainUnavailable) {
			t.Errorf("%s: %v, want a TooLargeError", c.name, err)
			continue
		}
		if tl.What != c.what || (c.size != 0 && tl.Size != c.size) || tl.Op != "save" {
			t.Errorf("%s: %+v, want %s of %d", c.name, tl, c.what, c.size)
		}
		if strings.Contains(err.Error(), "ttttt") || strings.Contains(err.Error(), "ppppp") {
			t.Errorf("%s: the error holds the item: %v", c.name, err)
		}
	}
}

// The Credential Manager's errors name their reasons: the table the
// Windows build reads.
func TestDiagnoseCredential(t *testing.T) {
	for _, c := range []struct {
		err  error
		want keystore.Reason
	}{
		{fmt.Errorf("CredWriteW: %w", syscall.Errno(1312)), keystore.ReasonNoLogonSession},
		{syscall.Errno(5), keystore.ReasonOther},
		{errors.New("anything else"), keystore.ReasonOther},
	} {
		if got := keystore.DiagnoseCredential(c.err); got != c.want {
			t.Errorf("%v: %v, want %v", c.err, got, c.want)
		}
	}
	if got := keystore.ReasonNoLogonSession.String(); got != "no logon session" {
		t.Errorf("name %q", got)
	}
}
