package app_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sesame/app"
	"sesame/authapi"
	"sesame/keystore"
)

// knownPhrase is the phrase a new start of the program knows for email.
func (f *fixture) knownPhrase(email string) string {
	f.t.Helper()
	_, a := f.newApp()
	p, err := a.KnownPhrase(context.Background(), email)
	if err != nil {
		f.t.Fatalf("KnownPhrase(%q): %v", email, err)
	}
	return p
}

// setPhraseElsewhere sets the account's phrase from another device, which
// leaves this computer's keychain alone.
func (f *fixture) setPhraseElsewhere(email, phrase string) {
	f.t.Helper()
	ctx := context.Background()
	c, err := authapi.NewClient(f.url)
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := c.SignIn(ctx, authapi.CreateSessionRequest{Email: email, Password: password, DeviceName: "phone"}); err != nil {
		f.t.Fatal(err)
	}
	if err := c.SetAntiPhishingPhrase(ctx, authapi.AntiPhishingRequest{Phrase: phrase, Password: password}); err != nil {
		f.t.Fatal(err)
	}
}

// TestKnownPhrase: in a session signed in with "remember me", setting the
// phrase and reading the account remember it in the keychain for the next
// start; signing out keeps it; clearing the local data forgets it.
func TestKnownPhrase(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	const alice = "alice@example.org"
	f.register(alice, true)
	if p := f.knownPhrase(alice); p != "" {
		t.Fatalf("a phrase %q before any was set", p)
	}
	if err := f.app.SetAntiPhishingPhrase(ctx, "Blue heron at dawn", password); err != nil {
		t.Fatal(err)
	}
	if p, err := f.kc.Phrase(ctx, f.url, alice); err != nil || p != "Blue heron at dawn" {
		t.Fatalf("the keychain holds %q, %v", p, err)
	}
	// The address is checked and normalized as signing in does.
	if p := f.knownPhrase("  Alice@Example.ORG "); p != "Blue heron at dawn" {
		t.Fatalf("known phrase %q", p)
	}
	if _, err := f.app.KnownPhrase(ctx, "alice@"); !errors.Is(err, authapi.ErrInvalidEmail) {
		t.Fatalf("a wrong address: %v", err)
	}
	if p := f.knownPhrase("bob@example.org"); p != "" {
		t.Fatalf("another account's phrase %q", p)
	}

	// Another device changes it: reading the account learns the new one.
	f.setPhraseElsewhere(alice, "青鹭 at dawn")
	if me, err := f.app.Me(ctx); err != nil || me.AntiPhishingPhrase != "青鹭 at dawn" {
		t.Fatalf("me: %+v %v", me, err)
	}
	if p := f.knownPhrase(alice); p != "青鹭 at dawn" {
		t.Fatalf("after Me: %q", p)
	}

	f.signOut()
	if p := f.knownPhrase(alice); p != "青鹭 at dawn" {
		t.Fatalf("after signing out: %q", p)
	}
	if p, _ := f.app.KnownPhrase(ctx, alice); p != "青鹭 at dawn" {
		t.Fatalf("after signing out, the same start: %q", p)
	}

	// Clearing the local data forgets it, in this start and the next.
	if err := f.app.ForgetRememberedSignIn(ctx); err != nil {
		t.Fatal(err)
	}
	if p, err := f.app.KnownPhrase(ctx, alice); p != "" || err != nil {
		t.Fatalf("after clearing, the same start: %q, %v", p, err)
	}
	if p := f.knownPhrase(alice); p != "" {
		t.Fatalf("after clearing: %q", p)
	}
}

// TestKnownPhraseAfterSignInAndResume: the phrase set on another device is
// learnt by the first reading of the account after signing in or resuming;
// an account without a phrase forgets a stale one.
func TestKnownPhraseAfterSignInAndResume(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	const carol, dave, erin = "carol@example.org", "dave@example.org", "erin@example.org"
	f.register(dave, false)
	f.signOut()
	f.setPhraseElsewhere(dave, "Dave's kite")
	if _, err := f.app.SignIn(ctx, dave, password, true); err != nil {
		t.Fatal(err)
	}
	if p := f.knownPhrase(dave); p != "" {
		t.Fatalf("known before Me: %q", p)
	}
	if _, err := f.app.Me(ctx); err != nil {
		t.Fatal(err)
	}
	if p := f.knownPhrase(dave); p != "Dave's kite" {
		t.Fatalf("after signing in: %q", p)
	}

	// A phrase kept for an account that has none is forgotten.
	f.signOut()
	f.register(erin, false)
	if err := f.kc.SavePhrase(ctx, f.url, erin, "stale"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.Me(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := f.kc.Phrase(ctx, f.url, erin); !errors.Is(err, keystore.ErrNotFound) {
		t.Fatalf("the stale phrase stayed: %v", err)
	}

	f.signOut()
	f.register(carol, true)
	f.setPhraseElsewhere(carol, "Carol's lighthouse")
	_, resumed := f.newApp()
	if ok, err := resumed.Resume(ctx); !ok || err != nil {
		t.Fatalf("resume: %v %v", ok, err)
	}
	if _, err := resumed.Me(ctx); err != nil {
		t.Fatal(err)
	}
	if p := f.knownPhrase(carol); p != "Carol's lighthouse" {
		t.Fatalf("after resuming: %q", p)
	}
}

// TestKnownPhraseNeedsRememberMe: a session signed in without "remember
// me" keeps no new phrase on this computer, but updates one kept before, so
// that the sign-in screen never shows a stale one.
func TestKnownPhraseNeedsRememberMe(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	const gina, hal = "gina@example.org", "hal@example.org"
	f.register(hal, false)
	if err := f.app.SetAntiPhishingPhrase(ctx, "Hal's harbour", password); err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.Me(ctx); err != nil {
		t.Fatal(err)
	}
	if p, err := f.kc.Phrase(ctx, f.url, hal); !errors.Is(err, keystore.ErrNotFound) {
		t.Fatalf("kept without remember me: %q, %v", p, err)
	}

	f.signOut()
	f.register(gina, false)
	if err := f.kc.SavePhrase(ctx, f.url, gina, "Gina's old phrase"); err != nil {
		t.Fatal(err)
	}
	if err := f.app.SetAntiPhishingPhrase(ctx, "Gina's new phrase", password); err != nil {
		t.Fatal(err)
	}
	if p := f.knownPhrase(gina); p != "Gina's new phrase" {
		t.Fatalf("the phrase kept before was not updated: %q", p)
	}
}

// TestKnownPhraseWithoutKeychain: with no keychain the phrase is neither
// remembered nor written anywhere else, and the flows go on.
func TestKnownPhraseWithoutKeychain(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	const frank, phrase = "frank@example.org", "Frank's secret garden"
	f.register(frank, true)
	f.kc.breakWith(&keystore.UnavailableError{Reason: keystore.ReasonNoProvider, Op: "test"})
	if err := f.app.SetAntiPhishingPhrase(ctx, phrase, password); err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.Me(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.KnownPhrase(ctx, frank); !errors.Is(err, keystore.ErrKeychainUnavailable) || app.ErrorCode(err) == "" {
		t.Fatalf("KnownPhrase without a keychain: %v", err)
	}
	err := filepath.WalkDir(f.dataDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err == nil && strings.Contains(string(b), phrase) {
			t.Errorf("%s holds the phrase", path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// The keychain back, empty: this start kept nothing in memory either.
	f.kc.breakWith(nil)
	if p, err := f.app.KnownPhrase(ctx, frank); p != "" || err != nil {
		t.Fatalf("with the keychain back: %q, %v", p, err)
	}

	// A keychain that timed out is not asked for phrases again in this
	// run, so that it cannot hold up each reading of the account.
	f.kc.breakWith(&keystore.UnavailableError{Reason: keystore.ReasonTimedOut, Op: "test"})
	if _, err := f.app.KnownPhrase(ctx, "gina@example.org"); !errors.Is(err, keystore.ErrKeychainUnavailable) {
		t.Fatalf("a keychain that times out: %v", err)
	}
	f.kc.breakWith(nil)
	if _, err := f.app.KnownPhrase(ctx, "hal@example.org"); !errors.Is(err, keystore.ErrKeychainUnavailable) {
		t.Fatalf("the keychain was asked again after it timed out: %v", err)
	}
}
