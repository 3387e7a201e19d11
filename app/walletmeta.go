package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"sesame/keystore"
	"sesame/wallet"
)

// walletMeta is what the app keeps in clear beside a vault, readable
// without the wallet password: nothing secret. Its file is the vault's
// path with ".meta.json" for ".vault".
type walletMeta struct {
	// Fingerprint names the wallet (phrase and passphrase): home shows it
	// while the wallet is locked, and a restore compares against it.
	Fingerprint wallet.Fingerprint `json:"fingerprint"`
	// Imported are the addresses of the keys imported from key files,
	// which a restore from the phrase does not bring back.
	Imported []string `json:"imported,omitempty"`
	// Drill is the backup drills' schedule and record.
	Drill drillState `json:"drill"`
}

// ErrBadWalletMeta: the file beside the vault cannot be read as its
// metadata; the wallet itself is unharmed.
var ErrBadWalletMeta = errors.New("the wallet's details file is damaged")

func metaPath(vault string) string { return strings.TrimSuffix(vault, ".vault") + ".meta.json" }

// readMeta reads the metadata of vault; a missing file gives the zero
// metadata.
func readMeta(vault string) (walletMeta, error) {
	var m walletMeta
	data, err := os.ReadFile(metaPath(vault))
	if errors.Is(err, fs.ErrNotExist) {
		return m, nil
	}
	if err != nil {
		return m, fmt.Errorf("reading the wallet's details: %w", err)
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return walletMeta{}, fmt.Errorf("%w: %v", ErrBadWalletMeta, err)
	}
	return m, nil
}

// writeMeta replaces the metadata of vault atomically.
func writeMeta(vault string, m walletMeta) error {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := keystore.WriteFile(metaPath(vault), append(data, '\n')); err != nil {
		return fmt.Errorf("saving the wallet's details: %w", err)
	}
	return nil
}

// updateMeta applies change to the metadata of vault and saves it.
func updateMeta(vault string, change func(*walletMeta)) error {
	m, err := readMeta(vault)
	if errors.Is(err, ErrBadWalletMeta) {
		m, err = walletMeta{}, nil // rebuilt from what the caller knows
	}
	if err != nil {
		return err
	}
	change(&m)
	return writeMeta(vault, m)
}

// WalletFingerprint returns the fingerprint of the wallet here, read
// without the password; zero when there is no wallet or it is not known
// yet (a vault saved before fingerprints, until its next unlock).
func (a *App) WalletFingerprint() (wallet.Fingerprint, error) {
	found, _, err := a.vaultFiles()
	if err != nil || found == "" {
		return wallet.Fingerprint{}, err
	}
	m, err := readMeta(found)
	return m.Fingerprint, err
}

// UnlockedFingerprint returns the unlocked wallet's fingerprint, from
// memory; false when the wallet is locked.
func (a *App) UnlockedFingerprint() (wallet.Fingerprint, bool) {
	a.wallet.mu.Lock()
	defer a.wallet.mu.Unlock()
	return a.wallet.fingerprint, a.wallet.seed != nil
}
