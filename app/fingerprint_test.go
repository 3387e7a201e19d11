package app_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sesame/app"
	"sesame/recovery"
	"sesame/wallet"
)

const (
	fingerprintA = "73c5da0a" // phraseA without a passphrase
	fingerprintB = "b8688df1" // phraseB without a passphrase
)

func mnemonicOf(t *testing.T, phrase string) recovery.Mnemonic {
	t.Helper()
	m, err := recovery.Parse(phrase)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// fingerprintHere checks the fingerprint home shows, read without the
// password.
func (f *fixture) fingerprintHere(want string) {
	f.t.Helper()
	fp, err := f.app.WalletFingerprint()
	if err != nil || fp.String() != want {
		f.t.Fatalf("fingerprint here = %s, %v; want %s", fp, err, want)
	}
}

// The fingerprint is kept beside the vault and read while locked, by a
// new run too; a vault without it gets it back at its next unlock.
func TestWalletFingerprintKept(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if fp, err := f.app.WalletFingerprint(); !fp.IsZero() || err != nil {
		t.Fatalf("no wallet: %s %v", fp, err)
	}
	f.restore(phraseA, "wallet pw 1")
	f.app.LockWallet()
	f.fingerprintHere(fingerprintA)
	_, f.app = f.newApp()
	f.fingerprintHere(fingerprintA)

	meta := filepath.Join(f.dataDir, "wallet.meta.json")
	if err := os.Remove(meta); err != nil {
		t.Fatal(err)
	}
	f.fingerprintHere("00000000")
	f.wallet(app.WalletLocked, "wallet pw 1", "0x9858EfFD232B4033E47d90003D41EC34EcaEda94")
	f.fingerprintHere(fingerprintA)

	// Damaged, it is an error, and the next unlock rewrites it.
	if err := os.WriteFile(meta, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.WalletFingerprint(); !errors.Is(err, app.ErrBadWalletMeta) {
		t.Fatalf("damaged metadata: %v", err)
	}
	f.app.LockWallet()
	f.wallet(app.WalletLocked, "wallet pw 1", "0x9858EfFD232B4033E47d90003D41EC34EcaEda94")
	f.fingerprintHere(fingerprintA)

	// The metadata follows the wallet to the account that takes it, and
	// is deleted with it.
	f.register("alice@example.org", false)
	f.fingerprintHere(fingerprintA)
	f.app.LockWallet()
	f.wallet(app.WalletLocked, "wallet pw 1", "0x9858EfFD232B4033E47d90003D41EC34EcaEda94")
	if _, err := os.Stat(meta); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the unowned metadata stayed: %v", err)
	}
	f.fingerprintHere(fingerprintA)
	if err := f.app.DeleteWallet(); err != nil {
		t.Fatal(err)
	}
	f.fingerprintHere("00000000")
	if left, _ := filepath.Glob(filepath.Join(f.dataDir, "wallets", "*")); len(left) != 0 {
		t.Fatalf("left after deleting: %v", left)
	}
}

// A restore over a wallet with another fingerprint says so, with both,
// before anything is overwritten; over the same wallet it is the plain
// confirmation.
func TestRestoreOverAnotherWallet(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	addrA := f.restore(phraseA, "wallet pw 1")
	f.app.LockWallet()

	_, err := f.app.RestoreWallet(ctx, mnemonicOf(t, phraseB), "", "wallet pw 2", "wallet pw 2", false)
	var mm *app.FingerprintMismatchError
	if !errors.As(err, &mm) || mm.Typed || mm.Passphrase || mm.Expected.String() != fingerprintA || mm.Restored.String() != fingerprintB {
		t.Fatalf("restore over another wallet: %#v", err)
	}
	if !errors.Is(err, app.ErrWalletExists) || !errors.Is(err, app.ErrFingerprintMismatch) || app.ErrorCode(err) != "fingerprint_mismatch" {
		t.Fatalf("error %v does not match both sentinels", err)
	}
	if strings.Contains(err.Error(), "legal") || strings.Contains(err.Error(), "abandon") {
		t.Fatalf("the error names the phrase: %v", err)
	}
	f.wallet(app.WalletLocked, "wallet pw 1", addrA)
	f.fingerprintHere(fingerprintA)
	f.app.LockWallet()

	_, err = f.app.RestoreWallet(ctx, mnemonicOf(t, phraseA), "", "wallet pw 2", "wallet pw 2", false)
	if !errors.Is(err, app.ErrWalletExists) || errors.As(err, &mm) {
		t.Fatalf("restore over the same wallet: %v", err)
	}
	_, err = f.app.RestoreWallet(ctx, mnemonicOf(t, phraseA), "extra", "wallet pw 2", "wallet pw 2", false)
	if !errors.As(err, &mm) || !mm.Passphrase || mm.Expected.String() != fingerprintA || mm.Restored.String() == fingerprintA {
		t.Fatalf("restore with a passphrase over the wallet without: %#v", err)
	}

	// A new wallet differs from the one here by nature: the plain
	// confirmation.
	d, _ := f.app.NewWallet(recovery.English, 12)
	var answers []string
	for _, q := range d.Quiz.Questions {
		answers = append(answers, d.Mnemonic.Words[q.Position-1])
	}
	d.Answer(answers)
	if _, err := f.app.SaveNewWallet(ctx, d, "", "wallet pw 2", "wallet pw 2", false); app.ErrorCode(err) != "wallet_exists" || errors.As(err, &mm) {
		t.Fatalf("a new wallet over one here: %v", err)
	}

	// Confirmed, it replaces the wallet and its fingerprint.
	if _, err := f.app.RestoreWallet(ctx, mnemonicOf(t, phraseB), "", "wallet pw 2", "wallet pw 2", true); err != nil {
		t.Fatal(err)
	}
	f.fingerprintHere(fingerprintB)
}

// The preview compares with the fingerprint the user typed and the wallet
// here, and with a passphrase gives the fingerprint without it too.
func TestPreviewRestoreFingerprint(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	m := mnemonicOf(t, phraseA)
	p, err := f.app.PreviewRestore(m, "", "")
	if err != nil || p.Fingerprint.String() != fingerprintA || !p.WithoutPassphrase.IsZero() || p.Exists || !p.Replaces.IsZero() ||
		p.Addresses[0].Address != "0x9858EfFD232B4033E47d90003D41EC34EcaEda94" {
		t.Fatalf("preview: %+v %v", p, err)
	}
	if _, err := f.app.PreviewRestore(m, "", " 73C5DA0A "); err != nil {
		t.Fatalf("typed as written: %v", err)
	}
	var mm *app.FingerprintMismatchError
	p, err = f.app.PreviewRestore(m, "", fingerprintB)
	if !errors.As(err, &mm) || !mm.Typed || mm.Expected.String() != fingerprintB || mm.Restored.String() != fingerprintA ||
		errors.Is(err, app.ErrWalletExists) || p.Fingerprint.String() != fingerprintA {
		t.Fatalf("typed another: %+v %#v", p, err)
	}
	if _, err := f.app.PreviewRestore(m, "", "73c5da0"); !errors.Is(err, wallet.ErrFingerprint) || app.ErrorCode(err) != "fingerprint_invalid" {
		t.Fatalf("typed 7 digits: %v", err)
	}

	f.restore(phraseB, "wallet pw 1")
	p, err = f.app.PreviewRestore(m, "TREZOR", fingerprintA)
	if !errors.As(err, &mm) || !mm.Passphrase || p.WithoutPassphrase.String() != fingerprintA ||
		p.Fingerprint.String() == fingerprintA || !p.Exists || p.Replaces.String() != fingerprintB {
		t.Fatalf("with a passphrase over another wallet: %+v %v", p, err)
	}
}
