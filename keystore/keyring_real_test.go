package keystore_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	dbus "github.com/godbus/dbus/v5"

	"sesame/keystore"
)

// Tests against the real Secret Service. They run when SESAME_TEST_KEYRING=1
// (set by scripts/keyring-session, which provides an unlocked throwaway
// keyring) and then fail if the keychain is unusable:
//
//	dbus-run-session -- scripts/keyring-session go test ./keystore/

// realKeychain returns a Keychain with a service name of its own, so a run
// never touches the items of the "Sesame" service.
func realKeychain(t *testing.T) keystore.Keychain {
	t.Helper()
	if !keyringWanted() {
		t.Skip("SESAME_TEST_KEYRING is not 1; run `dbus-run-session -- scripts/keyring-session go test ./keystore/` to test the real Secret Service")
	}
	var id [6]byte
	rand.Read(id[:])
	return keystore.Keychain{Service: "Sesame-test-" + hex.EncodeToString(id[:]), Timeout: 10 * time.Second}
}

func TestRealKeychainCheck(t *testing.T) {
	k := realKeychain(t)
	if err := k.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestRealKeychainRefreshTokens(t *testing.T) {
	k := realKeychain(t)
	ctx := context.Background()
	const srv, other = "https://auth.example.com", "https://other.example.com"
	tokA := randomToken(t, 32)
	tokA2 := randomToken(t, 32)
	tokB := randomToken(t, 1500)
	t.Cleanup(func() {
		for _, a := range []string{"alice@example.com", "bob@example.com"} {
			k.DeleteRefreshToken(ctx, srv, a)
		}
	})

	notFound := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, keystore.ErrNotFound) || errors.Is(err, keystore.ErrKeychainUnavailable) {
			t.Fatalf("%s: %v, want ErrNotFound", what, err)
		}
	}
	token := func(server, account, want string) {
		t.Helper()
		got, err := k.RefreshToken(ctx, server, account)
		if err != nil || got != want {
			t.Fatalf("RefreshToken(%s, %s) = %d bytes, %v", server, account, len(got), err)
		}
	}
	remembered := func(want string) {
		t.Helper()
		got, err := k.RememberedAccount(ctx, srv)
		if err != nil || got != want {
			t.Fatalf("RememberedAccount = %q, %v; want %q", got, err, want)
		}
	}

	_, err := k.RememberedAccount(ctx, srv)
	notFound("RememberedAccount before any save", err)
	_, err = k.RefreshToken(ctx, srv, "alice@example.com")
	notFound("RefreshToken before any save", err)

	if err := k.SaveRefreshToken(ctx, "https://Auth.Example.com/", "Alice@Example.com", tokA); err != nil {
		t.Fatal(err)
	}
	token(srv, "alice@example.com", tokA)
	remembered("Alice@Example.com")
	_, err = k.RefreshToken(ctx, other, "alice@example.com")
	notFound("another server", err)
	lookupOutside(t, k.Service, "refresh-token https://auth.example.com alice@example.com", tokA)
	lookupOutside(t, k.Service, "last-account https://auth.example.com", "Alice@Example.com")

	if err := k.SaveRefreshToken(ctx, srv, "bob@example.com", tokB); err != nil {
		t.Fatal(err)
	}
	remembered("bob@example.com")
	token(srv, "bob@example.com", tokB)
	token(srv, "alice@example.com", tokA)

	if err := k.SaveRefreshToken(ctx, srv, "alice@example.com", tokA2); err != nil {
		t.Fatal(err)
	}
	token(srv, "alice@example.com", tokA2)
	remembered("alice@example.com")

	// Forgetting another account keeps the remembered one.
	if err := k.DeleteRefreshToken(ctx, srv, "bob@example.com"); err != nil {
		t.Fatal(err)
	}
	_, err = k.RefreshToken(ctx, srv, "bob@example.com")
	notFound("deleted token", err)
	remembered("alice@example.com")

	if err := k.DeleteRefreshToken(ctx, srv, "ALICE@example.com"); err != nil {
		t.Fatal(err)
	}
	_, err = k.RefreshToken(ctx, srv, "alice@example.com")
	notFound("deleted token", err)
	_, err = k.RememberedAccount(ctx, srv)
	notFound("RememberedAccount after delete", err)
	if err := k.DeleteRefreshToken(ctx, srv, "alice@example.com"); err != nil {
		t.Fatalf("deleting again: %v", err)
	}
}

func randomToken(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// credtoolEnv names internal/wintest's credtool.exe, which reads the
// Credential Manager under Wine.
const credtoolEnv = "SESAME_CREDTOOL"

// lookupOutside reads an item the way another program would: with
// libsecret's secret-tool, or on Windows with credtool: the documented
// item names, seen by another client.
func lookupOutside(t *testing.T, service, user, want string) {
	t.Helper()
	var cmd *exec.Cmd
	if runtime.GOOS == "windows" {
		tool := os.Getenv(credtoolEnv)
		if tool == "" {
			t.Fatalf("%s is not set (internal/wintest sets it to its credtool.exe)", credtoolEnv)
		}
		cmd = exec.Command(tool, service, user)
	} else {
		tool, err := exec.LookPath("secret-tool")
		if err != nil {
			t.Fatal("secret-tool is not installed (apt-get install libsecret-tools)")
		}
		cmd = exec.Command(tool, "lookup", "service", service, "username", user)
	}
	out, err := cmd.Output()
	if err != nil || string(out) != want {
		t.Fatalf("%s %q: %d bytes, %v", filepath.Base(cmd.Path), user, len(out), err)
	}
}

const (
	secretsName = "org.freedesktop.secrets"
	secretsPath = "/org/freedesktop/secrets"
	loginPath   = dbus.ObjectPath("/org/freedesktop/secrets/collection/login")
)

// A locked keyring whose unlock prompt cannot be shown: ReasonLocked, and
// no token in the error.
func TestRealKeychainLocked(t *testing.T) {
	k := realKeychain(t)
	if runtime.GOOS == "windows" {
		t.Skip("the Credential Manager has no lock of its own: it opens with the user's logon")
	}
	password := os.Getenv("SESAME_TEST_KEYRING_PASSWORD")
	if password == "" {
		t.Skip("SESAME_TEST_KEYRING_PASSWORD is not set: the keyring could not be unlocked again")
	}
	k.Timeout = 5 * time.Second
	ctx := context.Background()
	const srv, acct = "https://auth.example.com", "carol@example.com"
	tok := randomToken(t, 32)
	if err := k.SaveRefreshToken(ctx, srv, acct, tok); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { k.DeleteRefreshToken(ctx, srv, acct) })

	conn, err := dbus.SessionBus()
	if err != nil {
		t.Fatal(err)
	}
	svc := conn.Object(secretsName, secretsPath)
	var locked []dbus.ObjectPath
	var prompt dbus.ObjectPath
	if err := svc.Call("org.freedesktop.Secret.Service.Lock", 0, []dbus.ObjectPath{loginPath}).Store(&locked, &prompt); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unlockLogin(t, svc, password) })
	if len(locked) != 1 || locked[0] != loginPath || prompt != "/" {
		t.Fatalf("Lock = %v, prompt %v", locked, prompt)
	}

	// With a display the prompt may show and wait: then the call times out.
	wantLocked := func(op string, err error) {
		t.Helper()
		var ue *keystore.UnavailableError
		if !errors.As(err, &ue) || ue.Op != op {
			t.Fatalf("%s on a locked keyring: %v", op, err)
		}
		display := os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != ""
		if ue.Reason != keystore.ReasonLocked && !(display && ue.Reason == keystore.ReasonTimedOut) {
			t.Fatalf("%s on a locked keyring: reason %v (%v)", op, ue.Reason, err)
		}
		if strings.Contains(err.Error(), tok) || strings.Contains(err.Error(), "locked-secret-token") {
			t.Fatalf("the token is in the error: %v", err)
		}
	}
	_, err = k.RefreshToken(ctx, srv, acct)
	wantLocked("read", err)
	wantLocked("save", k.SaveRefreshToken(ctx, srv, acct, "locked-secret-token"))
	wantLocked("check", k.Check(ctx))

	unlockLogin(t, svc, password)
	got, err := k.RefreshToken(ctx, srv, acct)
	if err != nil || got != tok {
		t.Fatalf("after unlocking: %d bytes, %v", len(got), err)
	}
}

// unlockLogin unlocks the login keyring with its password through
// gnome-keyring's prompt-free interface.
func unlockLogin(t *testing.T, svc dbus.BusObject, password string) {
	t.Helper()
	var out dbus.Variant
	var session dbus.ObjectPath
	if err := svc.Call("org.freedesktop.Secret.Service.OpenSession", 0, "plain", dbus.MakeVariant("")).Store(&out, &session); err != nil {
		t.Fatal(err)
	}
	secret := struct {
		Session     dbus.ObjectPath
		Parameters  []byte
		Value       []byte
		ContentType string
	}{session, []byte{}, []byte(password), "text/plain"}
	err := svc.Call("org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface.UnlockWithMasterPassword", 0, loginPath, secret).Err
	if err != nil {
		t.Fatalf("unlocking the login keyring: %v", err)
	}
}

// A token of exactly MaxSecretBytes is kept whole; one byte more is
// refused and leaves the kept token as it was.
func TestRealKeychainSizeLimit(t *testing.T) {
	k := realKeychain(t)
	ctx := context.Background()
	const srv, acct = "https://auth.example.com", "alice@example.com"
	t.Cleanup(func() { k.DeleteRefreshToken(ctx, srv, acct) })
	full := strings.Repeat("a", keystore.MaxSecretBytes)
	if err := k.SaveRefreshToken(ctx, srv, acct, full); err != nil {
		t.Fatal(err)
	}
	if err := k.SaveRefreshToken(ctx, srv, acct, full+"b"); !errors.Is(err, keystore.ErrTooLarge) {
		t.Fatalf("one byte over: %v, want ErrTooLarge", err)
	}
	if got, err := k.RefreshToken(ctx, srv, acct); err != nil || got != full {
		t.Fatalf("after the refused save: %d bytes, %v; want the %d kept", len(got), err, len(full))
	}
}
