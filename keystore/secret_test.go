package keystore_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"sesame/keystore"
)

// Bad names and empty values are refused before the keychain is reached.
func TestSecretRefusesBeforeCalling(t *testing.T) {
	k := keystore.Keychain{Service: "Sesame-test"}
	ctx := context.Background()
	for _, name := range []string{"", "two words", "tab\there", strings.Repeat("n", 321)} {
		if _, err := k.Secret(ctx, name); !errors.Is(err, keystore.ErrInvalidSecret) {
			t.Errorf("Secret(%q): %v", name, err)
		}
		if err := k.DeleteSecret(ctx, name); !errors.Is(err, keystore.ErrInvalidSecret) {
			t.Errorf("DeleteSecret(%q): %v", name, err)
		}
	}
	if err := k.SaveSecret(ctx, "name", ""); !errors.Is(err, keystore.ErrInvalidSecret) {
		t.Errorf("empty value: %v", err)
	}
}

func TestRealKeychainSecrets(t *testing.T) {
	k := realKeychain(t)
	ctx := context.Background()
	const name, other = "totp-key-0123abcd", "totp-key-4567ef01"
	t.Cleanup(func() { k.DeleteSecret(ctx, name) })
	notFound := func(n string) {
		t.Helper()
		if got, err := k.Secret(ctx, n); !errors.Is(err, keystore.ErrNotFound) || errors.Is(err, keystore.ErrKeychainUnavailable) {
			t.Fatalf("Secret(%s) = %d bytes, %v; want ErrNotFound", n, len(got), err)
		}
	}
	secret := func(want string) {
		t.Helper()
		got, err := k.Secret(ctx, name)
		if err != nil || got != want {
			t.Fatalf("Secret = %d bytes, %v", len(got), err)
		}
	}

	notFound(name)
	first, second := randomToken(t, 32), randomToken(t, 32)
	if err := k.SaveSecret(ctx, name, first); err != nil {
		t.Fatal(err)
	}
	secret(first)
	lookupOutside(t, k.Service+" secrets", name, first)
	notFound(other)
	if err := k.SaveSecret(ctx, name, second); err != nil {
		t.Fatal(err)
	}
	secret(second)
	if err := k.DeleteSecret(ctx, name); err != nil {
		t.Fatal(err)
	}
	notFound(name)
	if err := k.DeleteSecret(ctx, name); err != nil {
		t.Fatalf("deleting again: %v", err)
	}
}
