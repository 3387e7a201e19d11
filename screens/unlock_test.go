package screens

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"fyne.io/fyne/v2/test"

	"sesame/app"
	"sesame/authapi"
	"sesame/keystore"
)

// unlockPassword is the wallet password of unlockVault.
const unlockPassword = "wallet pw 1"

// The vault of the "abandon … about" phrase under unlockPassword, made
// once: its key derivation is slow on purpose.
var (
	unlockVaultOnce  sync.Once
	unlockVaultBytes []byte
	unlockVaultErr   error
)

// unlockVault puts a locked wallet in the fixture's data folder.
func unlockVault(f *fixture) {
	f.t.Helper()
	unlockVaultOnce.Do(func() {
		dir, err := os.MkdirTemp("", "sesame-vault-")
		if err != nil {
			unlockVaultErr = err
			return
		}
		defer os.RemoveAll(dir)
		c, err := authapi.NewClient("http://127.0.0.1:9")
		if err != nil {
			unlockVaultErr = err
			return
		}
		a, err := app.New(app.Config{Client: c, Keychain: keystore.Keychain{}, DataDir: dir})
		if err != nil {
			unlockVaultErr = err
			return
		}
		m, err := a.ParsePhrase("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about")
		if err != nil {
			unlockVaultErr = err
			return
		}
		if _, err := a.RestoreWallet(context.Background(), m, "", unlockPassword, unlockPassword, false); err != nil {
			unlockVaultErr = err
			return
		}
		unlockVaultBytes, unlockVaultErr = os.ReadFile(filepath.Join(dir, "wallet.vault"))
	})
	if unlockVaultErr != nil {
		f.t.Fatal(unlockVaultErr)
	}
	if err := os.WriteFile(filepath.Join(f.data, "wallet.vault"), unlockVaultBytes, 0o600); err != nil {
		f.t.Fatal(err)
	}
	if st, err := f.app.WalletState(); st != app.WalletLocked || err != nil {
		f.t.Fatalf("wallet state %v %v", st, err)
	}
}

// TestUnlockWallet: the button waits for a password; a wrong one offers the
// restore from the recovery phrase; the right one unlocks and goes back.
func TestUnlockWallet(t *testing.T) {
	f := newFixture(t)
	unlockVault(f)
	root := f.shell.Top()
	f.shell.Push(newUnlockWallet(f.shell))
	f.waitTop("unlock.title")
	if !f.button("unlock.submit").Disabled() {
		t.Fatal("Unlock is enabled with no password")
	}
	if f.win.Canvas().Focused() != f.entry("unlock.password") {
		t.Fatal("the password field has no focus")
	}
	if !f.shows(tr("unlock.why")) || !f.hasButton("unlock.forgot") {
		t.Fatalf("no explanation:\n%s", f.texts())
	}

	f.typeIn("unlock.password", "not it")
	f.tap("unlock.submit")
	f.waitText(tr("error.wallet_wrong_password"))
	if !f.shows(tr("remedy.wallet_wrong_password")) || !f.hasButton("action.restore_wallet") {
		t.Fatalf("no remedy:\n%s", f.texts())
	}
	if st, _ := f.app.WalletState(); st != app.WalletLocked {
		t.Fatalf("state after a wrong password %v", st)
	}
	f.tap("action.restore_wallet")
	f.waitTop("wallet_restore.title")
	f.esc()
	f.waitTop("unlock.title")

	pw := f.entry("unlock.password")
	pw.SetText("")
	f.typeIn("unlock.password", unlockPassword)
	pw.OnSubmitted(pw.Text)
	f.waitFor("the unlock", func() bool { return f.shell.Top() == root })
	if st, _ := f.app.WalletState(); st != app.WalletUnlocked {
		t.Fatalf("state after the unlock %v", st)
	}
	if pw.Text != "" {
		t.Fatal("the password stayed in its field")
	}
}

// TestUnlockWalletForgot: the link opens the restore.
func TestUnlockWalletForgot(t *testing.T) {
	f := newFixture(t)
	f.shell.Push(newUnlockWallet(f.shell))
	f.tap("unlock.forgot")
	f.waitTop("wallet_restore.title")
	test.Tap(f.shell.back)
	f.waitTop("unlock.title")
}

// TestUnlockWalletNone: with no wallet the screen says so.
func TestUnlockWalletNone(t *testing.T) {
	f := newFixture(t)
	f.shell.Push(newUnlockWallet(f.shell))
	f.typeIn("unlock.password", "anything")
	f.tap("unlock.submit")
	f.waitText(tr("error.no_wallet"))
}

// TestUnlockWalletGolden renders the screen in English.
func TestUnlockWalletGolden(t *testing.T) {
	f := newFixture(t)
	f.shell.Push(newUnlockWallet(f.shell))
	f.golden("unlock/empty.xml")
}
