package app

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"sesame/keystore"
)

// Where wallets live. Each account of each server has a vault of its own
// in DataDir/wallets, named by keystore.VaultPath. DataDir/wallet.vault is
// the unowned vault: one saved before wallets belonged to accounts, or
// while signed out (a restore from "Forgot password"). An account without
// a vault of its own is shown it, and the account that opens it with its
// password takes it.

// walletsDir is the folder of the accounts' vaults in DataDir.
const walletsDir = "wallets"

func (a *App) unownedVault() string { return filepath.Join(a.cfg.DataDir, "wallet.vault") }

// vaultFiles returns the vault the wallet steps read, found: the signed-in
// account's own, else the unowned one, "" when neither exists; and own,
// where this account's wallet is saved (the unowned vault when signed out).
func (a *App) vaultFiles() (found, own string, err error) {
	own = a.unownedVault()
	if email := a.Account(); email != "" {
		own, err = keystore.VaultPath(filepath.Join(a.cfg.DataDir, walletsDir), a.Server(), email)
		if err != nil {
			return "", "", err
		}
	}
	for _, p := range []string{own, a.unownedVault()} {
		ok, err := keystore.Exists(p)
		if err != nil {
			return "", "", err
		}
		if ok {
			return p, own, nil
		}
	}
	return "", own, nil
}

// claim gives the vault found, just opened with its password, to the
// account whose vault is own: the unowned vault moves there.
func claim(found, own string) error {
	if found == own {
		return nil
	}
	if err := keystore.Move(found, own); err != nil {
		return fmt.Errorf("moving the wallet to the account: %w", err)
	}
	// The metadata follows; lost, it is rebuilt at the next unlock.
	if m, err := readMeta(found); err == nil {
		if err := writeMeta(own, m); err != nil {
			return err
		}
	}
	return keystore.Remove(metaPath(found))
}

// followAccount keeps the unlocked wallet only for the account it belongs
// to, after a sign-in: one opened from the unowned vault goes to the
// account now signed in when that has none of its own; any other wallet
// is locked.
func (a *App) followAccount() {
	a.wallet.mu.Lock()
	file, unlocked := a.wallet.file, a.wallet.seed != nil
	a.wallet.mu.Unlock()
	if !unlocked {
		return
	}
	found, own, err := a.vaultFiles()
	if err == nil && file == found && (file == own || claim(file, own) == nil) {
		a.wallet.mu.Lock()
		a.wallet.file = own
		a.wallet.mu.Unlock()
		return
	}
	a.LockWallet()
}

// vaultsHere lists every vault on this computer: the unowned one and each
// account's.
func (a *App) vaultsHere() ([]string, error) {
	var all []string
	if ok, err := keystore.Exists(a.unownedVault()); err != nil {
		return nil, err
	} else if ok {
		all = append(all, a.unownedVault())
	}
	entries, err := os.ReadDir(filepath.Join(a.cfg.DataDir, walletsDir))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	for _, e := range entries {
		if e.Type().IsRegular() && strings.HasSuffix(e.Name(), ".vault") && !strings.HasPrefix(e.Name(), ".") {
			all = append(all, filepath.Join(a.cfg.DataDir, walletsDir, e.Name()))
		}
	}
	return all, nil
}

// WalletsHere reports whether any account's wallet (or the unowned one) is
// on this computer, for the confirmation of clearing it.
func (a *App) WalletsHere() (bool, error) {
	all, err := a.vaultsHere()
	return len(all) > 0, err
}
