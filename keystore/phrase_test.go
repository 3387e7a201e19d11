package keystore_test

import (
	"context"
	"errors"
	"testing"

	"sesame/keystore"
)

// Bad arguments are refused before the keychain is reached.
func TestPhraseRefusesBeforeCalling(t *testing.T) {
	k := keystore.Keychain{Service: "Sesame-test"}
	ctx := context.Background()
	if err := k.SavePhrase(ctx, "auth.example.com", "alice@example.com", "Blue heron"); !errors.Is(err, keystore.ErrInvalidServer) {
		t.Errorf("bad server: %v", err)
	}
	if _, err := k.Phrase(ctx, "https://auth.example.com", "alice smith"); !errors.Is(err, keystore.ErrInvalidAccount) {
		t.Errorf("bad account: %v", err)
	}
	if err := k.SavePhrase(ctx, "https://auth.example.com", "", ""); !errors.Is(err, keystore.ErrInvalidAccount) {
		t.Errorf("empty account: %v", err)
	}
}

func TestRealKeychainPhrases(t *testing.T) {
	k := realKeychain(t)
	ctx := context.Background()
	const srv, other, alice, bob = "https://auth.example.com", "https://other.example.com:8443", "alice@example.com", "bob@example.com"
	t.Cleanup(func() {
		k.ForgetPhrases(ctx)
		k.DeleteRefreshToken(ctx, srv, alice)
	})
	phrase := func(server, account, want string) {
		t.Helper()
		got, err := k.Phrase(ctx, server, account)
		if err != nil || got != want {
			t.Fatalf("Phrase(%s, %s) = %q, %v; want %q", server, account, got, err, want)
		}
	}
	notFound := func(server, account string) {
		t.Helper()
		if got, err := k.Phrase(ctx, server, account); !errors.Is(err, keystore.ErrNotFound) || errors.Is(err, keystore.ErrKeychainUnavailable) {
			t.Fatalf("Phrase(%s, %s) = %q, %v; want ErrNotFound", server, account, got, err)
		}
	}
	save := func(server, account, p string) {
		t.Helper()
		if err := k.SavePhrase(ctx, server, account, p); err != nil {
			t.Fatalf("SavePhrase(%s, %s): %v", server, account, err)
		}
	}

	notFound(srv, alice)
	save("https://Auth.Example.com/", "Alice@Example.com", "Blue heron at dawn")
	phrase(srv, alice, "Blue heron at dawn")
	lookupOutside(t, k.Service+" anti-phishing", "https://auth.example.com alice@example.com", "Blue heron at dawn")
	notFound(other, alice)
	notFound(srv, bob)

	save(srv, alice, "青鹭 at dawn")
	phrase(srv, alice, "青鹭 at dawn")
	save(srv, bob, "Bob's phrase")
	save(other, alice, "Alice elsewhere")

	// An empty phrase forgets one account's phrase, twice without error.
	save(srv, bob, "")
	notFound(srv, bob)
	save(srv, bob, "")
	phrase(srv, alice, "青鹭 at dawn")

	// Forgetting the phrases leaves the refresh tokens, and those of
	// another service name.
	tok := randomToken(t, 32)
	if err := k.SaveRefreshToken(ctx, srv, alice, tok); err != nil {
		t.Fatal(err)
	}
	k2 := realKeychain(t)
	if err := k2.SavePhrase(ctx, srv, alice, "another service"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { k2.ForgetPhrases(ctx) })
	if err := k.ForgetPhrases(ctx); err != nil {
		t.Fatal(err)
	}
	notFound(srv, alice)
	notFound(other, alice)
	if got, err := k.RefreshToken(ctx, srv, alice); err != nil || got != tok {
		t.Fatalf("the refresh token went with the phrases: %v", err)
	}
	if got, err := k2.Phrase(ctx, srv, alice); err != nil || got != "another service" {
		t.Fatalf("another service's phrase: %q, %v", got, err)
	}
	if err := k.ForgetPhrases(ctx); err != nil {
		t.Fatalf("forgetting nothing: %v", err)
	}
}
