package app_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"sesame/app"
	"sesame/keystore"
	"sesame/recovery"
)

const (
	phraseA = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
	phraseB = "legal winner thank year wave sausage worth useful legal winner thank yellow"
)

// signIn signs the fixture's app in as email, registered before.
func (f *fixture) signIn(email string) {
	f.t.Helper()
	if res, err := f.app.SignIn(context.Background(), email, password, false); err != nil || !res.SignedIn() {
		f.t.Fatalf("sign in as %s: %+v %v", email, res, err)
	}
}

// restore saves phrase as the wallet under pw, replacing none.
func (f *fixture) restore(phrase, pw string) string {
	f.t.Helper()
	m, err := recovery.Parse(phrase)
	if err != nil {
		f.t.Fatal(err)
	}
	addrs, err := f.app.RestoreWallet(context.Background(), m, "", pw, pw, false)
	if err != nil {
		f.t.Fatal(err)
	}
	return addrs[0].Address
}

// wallet checks the wallet state, and unlocks it with pw to check its
// first address when want is not "".
func (f *fixture) wallet(state app.WalletState, pw, want string) {
	f.t.Helper()
	if s, err := f.app.WalletState(); s != state || err != nil {
		f.t.Fatalf("wallet state %v %v, want %v", s, err, state)
	}
	if want == "" {
		return
	}
	addrs, err := f.app.UnlockWallet(context.Background(), pw)
	if err != nil || addrs[0].Address != want {
		f.t.Fatalf("unlocked %v %v, want %s", addrs, err, want)
	}
}

// Two accounts on one computer each have their own wallet: signed in as
// the second, home does not offer the first's.
func TestWalletPerAccount(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.register("alice@example.org", false)
	f.wallet(app.WalletNone, "", "")
	addrA := f.restore(phraseA, "alice wallet 1")
	f.signOut()

	f.register("bob@example.org", false)
	f.wallet(app.WalletNone, "", "")
	addrB := f.restore(phraseB, "bob wallet 2")
	f.signOut()

	f.signIn("alice@example.org")
	f.wallet(app.WalletLocked, "alice wallet 1", addrA)
	f.signOut()
	f.signIn("bob@example.org")
	f.wallet(app.WalletLocked, "bob wallet 2", addrB)

	// Each account's wallet survives a restart; clearing the computer's
	// data deletes them all.
	f.signOut()
	_, f.app = f.newApp()
	f.signIn("alice@example.org")
	f.wallet(app.WalletLocked, "alice wallet 1", addrA)
	if here, err := f.app.WalletsHere(); !here || err != nil {
		t.Fatalf("wallets here: %v %v", here, err)
	}
	f.signOut()
	if err := f.app.DeleteWallet(); err != nil {
		t.Fatal(err)
	}
	if here, err := f.app.WalletsHere(); here || err != nil {
		t.Fatalf("wallets after deleting: %v %v", here, err)
	}
	f.signIn("bob@example.org")
	f.wallet(app.WalletNone, "", "")
}

// A vault saved before wallets belonged to accounts is offered to an
// account without a wallet, and becomes the wallet of the one that opens
// it; an account with a wallet of its own keeps seeing its own.
func TestUnownedWalletMigrates(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.register("alice@example.org", false)
	addrA := f.restore(phraseA, "alice wallet 1")
	f.signOut()
	f.register("carol@example.org", false)
	f.signOut()
	f.register("bob@example.org", false)
	f.signOut()

	// The vault of an older version: wallet.vault in the data folder,
	// written while signed out as the older version wrote it.
	addrB := f.restore(phraseB, "old wallet 2")
	if _, err := os.Stat(filepath.Join(f.dataDir, "wallet.vault")); err != nil {
		t.Fatalf("no unowned vault: %v", err)
	}
	f.app.LockWallet()

	f.signIn("alice@example.org")
	f.wallet(app.WalletLocked, "alice wallet 1", addrA)
	f.signOut()

	f.signIn("bob@example.org")
	if _, err := f.app.UnlockWallet(context.Background(), "not it"); !errors.Is(err, keystore.ErrWrongPasswordOrCorrupt) {
		t.Fatalf("wrong password: %v", err)
	}
	f.wallet(app.WalletLocked, "old wallet 2", addrB)
	if _, err := os.Stat(filepath.Join(f.dataDir, "wallet.vault")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the unowned vault stayed: %v", err)
	}
	f.signOut()

	f.signIn("carol@example.org")
	f.wallet(app.WalletNone, "", "")
	f.signOut()
	f.signIn("bob@example.org")
	f.wallet(app.WalletLocked, "old wallet 2", addrB)
}

// A wallet restored while signed out (from "Forgot password") goes to the
// account signed in next, still unlocked; it is locked, not shown, when
// that account has a wallet of its own.
func TestWalletRestoredSignedOutFollowsSignIn(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.register("alice@example.org", false)
	addrA := f.restore(phraseA, "alice wallet 1")
	f.signOut()
	f.register("bob@example.org", false)
	f.signOut()

	addrB := f.restore(phraseB, "restored 2")
	f.signIn("bob@example.org")
	if addrs, err := f.app.Addresses(); err != nil || addrs[0].Address != addrB {
		t.Fatalf("bob's wallet after the sign-in: %v %v", addrs, err)
	}
	f.signOut()
	f.signIn("bob@example.org")
	f.wallet(app.WalletLocked, "restored 2", addrB)
	f.signOut()

	f.restore(phraseB, "restored 3")
	f.signIn("alice@example.org")
	if f.app.Unlocked() {
		t.Fatal("alice sees the wallet restored while signed out")
	}
	f.wallet(app.WalletLocked, "alice wallet 1", addrA)
}
