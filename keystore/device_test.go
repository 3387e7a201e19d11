package keystore_test

import (
	"context"
	"errors"
	"testing"

	"sesame/keystore"
)

// Bad arguments are refused before the keychain is reached.
func TestDeviceTokenRefusesBeforeCalling(t *testing.T) {
	k := keystore.Keychain{Service: "Sesame-test"}
	ctx := context.Background()
	if err := k.SaveDeviceToken(ctx, "auth.example.com", "alice@example.com", "t"); !errors.Is(err, keystore.ErrInvalidServer) {
		t.Errorf("bad server: %v", err)
	}
	if _, err := k.DeviceToken(ctx, "https://auth.example.com", "alice smith"); !errors.Is(err, keystore.ErrInvalidAccount) {
		t.Errorf("bad account: %v", err)
	}
	if err := k.SaveDeviceToken(ctx, "https://auth.example.com", "alice@example.com", ""); !errors.Is(err, keystore.ErrEmptyToken) {
		t.Errorf("empty token: %v", err)
	}
}

// Device tokens are kept per server and account, under a service of their
// own; forgetting them leaves the refresh tokens and the phrases.
func TestRealKeychainDeviceTokens(t *testing.T) {
	k := realKeychain(t)
	ctx := context.Background()
	const srv, other, alice, bob = "https://auth.example.com", "https://other.example.com:8443", "alice@example.com", "bob@example.com"
	t.Cleanup(func() {
		k.ForgetDeviceTokens(ctx)
		k.ForgetPhrases(ctx)
		k.DeleteRefreshToken(ctx, srv, alice)
	})
	notFound := func(server, account string) {
		t.Helper()
		if _, err := k.DeviceToken(ctx, server, account); !errors.Is(err, keystore.ErrNotFound) || errors.Is(err, keystore.ErrKeychainUnavailable) {
			t.Fatalf("DeviceToken(%s, %s): %v; want ErrNotFound", server, account, err)
		}
	}
	token := func(server, account, want string) {
		t.Helper()
		if got, err := k.DeviceToken(ctx, server, account); err != nil || got != want {
			t.Fatalf("DeviceToken(%s, %s) = %d bytes, %v", server, account, len(got), err)
		}
	}
	save := func(server, account, tok string) {
		t.Helper()
		if err := k.SaveDeviceToken(ctx, server, account, tok); err != nil {
			t.Fatalf("SaveDeviceToken(%s, %s): %v", server, account, err)
		}
	}

	notFound(srv, alice)
	a1, a2, b, o := randomToken(t, 32), randomToken(t, 32), randomToken(t, 32), randomToken(t, 32)
	save("https://Auth.Example.com/", "Alice@Example.com", a1)
	token(srv, alice, a1)
	lookupOutside(t, k.Service+" devices", "https://auth.example.com alice@example.com", a1)
	notFound(srv, bob)
	notFound(other, alice)
	save(srv, alice, a2)
	token(srv, alice, a2)
	save(srv, bob, b)
	save(other, alice, o)

	refresh := randomToken(t, 32)
	if err := k.SaveRefreshToken(ctx, srv, alice, refresh); err != nil {
		t.Fatal(err)
	}
	if err := k.SavePhrase(ctx, srv, alice, "Blue heron"); err != nil {
		t.Fatal(err)
	}
	if err := k.ForgetDeviceTokens(ctx); err != nil {
		t.Fatal(err)
	}
	notFound(srv, alice)
	notFound(srv, bob)
	notFound(other, alice)
	if got, err := k.RefreshToken(ctx, srv, alice); err != nil || got != refresh {
		t.Fatalf("the refresh token went with the device tokens: %v", err)
	}
	if got, err := k.Phrase(ctx, srv, alice); err != nil || got != "Blue heron" {
		t.Fatalf("the phrase went with the device tokens: %v", err)
	}
	if err := k.ForgetDeviceTokens(ctx); err != nil {
		t.Fatalf("forgetting nothing: %v", err)
	}
}
