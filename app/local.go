package app

import (
	"context"
	"errors"
	"fmt"

	"sesame/authapi"
	"sesame/keystore"
)

// ValidateServer checks a server address the way the client does:
// https://host[:port][/path], or http:// for a server on this computer.
// Its errors have the codes "invalid_server" and "plain_http".
func ValidateServer(address string) error {
	_, err := authapi.NewClient(address)
	return err
}

// DeleteWallet locks the wallet and deletes every wallet vault from this
// computer (each account's and the unowned one), with any temporary file a
// crashed save left beside them. Without its recovery phrase a wallet is
// then lost. No vault is no error.
func (a *App) DeleteWallet() error {
	a.LockWallet()
	all, err := a.vaultsHere()
	if err != nil {
		return fmt.Errorf("deleting the wallet: %w", err)
	}
	for _, p := range append(all, a.unownedVault()) { // its leftovers too
		for _, f := range []string{p, metaPath(p)} {
			if err := keystore.Remove(f); err != nil {
				return fmt.Errorf("deleting the wallet: %w", err)
			}
		}
	}
	return nil
}

// ForgetRememberedSignIn deletes the sign-in remembered in the keychain for
// this server, if any, whether or not it is the one signed in now, and the
// anti-phishing phrases and device tokens kept for every server and
// account (this computer is then a new device to every account, and
// trusted by none).
func (a *App) ForgetRememberedSignIn(ctx context.Context) error {
	a.kc.Lock()
	defer a.kc.Unlock()
	kctx, cancel := a.keychainStep(ctx)
	defer cancel()
	a.phrases, a.devices = nil, nil
	if err := a.cfg.Keychain.ForgetPhrases(kctx); err != nil {
		return fmt.Errorf("forgetting the anti-phishing phrases: %w", err)
	}
	if err := a.cfg.Keychain.ForgetDeviceTokens(kctx); err != nil {
		return fmt.Errorf("forgetting the device tokens: %w", err)
	}
	email, err := a.cfg.Keychain.RememberedAccount(kctx, a.Server())
	if errors.Is(err, keystore.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("forgetting the remembered sign-in: %w", err)
	}
	if err := a.cfg.Keychain.DeleteRefreshToken(kctx, a.Server(), email); err != nil && !errors.Is(err, keystore.ErrNotFound) {
		return fmt.Errorf("forgetting the remembered sign-in: %w", err)
	}
	a.mu.Lock()
	if a.account == email {
		a.remember = false
	}
	a.mu.Unlock()
	return nil
}
