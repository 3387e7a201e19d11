package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"sesame/authapi"
	"sesame/keystore"
	"sesame/recovery"
	"sesame/wallet"
	"sesame/wallet/keyfile"
)

// Key file failures.
var (
	// ErrKeyHere: the key file's account is already in the wallet.
	ErrKeyHere = errors.New("this account is already in the wallet")
	// ErrNoAccount: no account of the wallet has the address.
	ErrNoAccount = errors.New("no account of the wallet has this address")
)

// keyfileScrypt is the scrypt cost of exported key files; tests lower it
// (export_test.go).
var keyfileScrypt = keyfile.StandardScrypt

// importedKey is a key imported from a key file, kept in the vault.
type importedKey struct {
	Address string `json:"address"` // EIP-55
	Key     []byte `json:"key"`
}

func clearKeys(keys []importedKey) {
	for _, k := range keys {
		clear(k.Key)
	}
}

// copyImported returns a copy of the payload's imported keys that
// outlives its clear.
func (p *vaultPayload) copyImported() []importedKey {
	out := make([]importedKey, len(p.Imported))
	for i, k := range p.Imported {
		out[i] = importedKey{Address: k.Address, Key: slices.Clone(k.Key)}
	}
	return out
}

// EthereumAccount is an Ethereum account of the wallet that a key file
// can carry.
type EthereumAccount struct {
	Address string // EIP-55
	// Index is the account's place on the phrase's path, m/44'/60'/0'/0/i;
	// -1 for an imported key.
	Index int
	// Imported marks a key imported from a key file: the recovery phrase
	// does not restore it.
	Imported bool
}

// EthereumAccounts lists the unlocked wallet's first Ethereum accounts,
// then its imported keys.
func (a *App) EthereumAccounts() ([]EthereumAccount, error) {
	a.wallet.mu.Lock()
	defer a.wallet.mu.Unlock()
	if a.wallet.seed == nil {
		return nil, ErrWalletLocked
	}
	var out []EthereumAccount
	for _, ad := range a.wallet.addresses {
		if ad.Chain == wallet.Ethereum {
			out = append(out, EthereumAccount{Address: ad.Address, Index: ad.Index})
		}
	}
	for _, k := range a.wallet.imported {
		out = append(out, EthereumAccount{Address: k.Address, Index: -1, Imported: true})
	}
	return out, nil
}

// ExportKeyFile writes the unlocked wallet's Ethereum account address as
// a Web3 Secret Storage file under its own password (policy of
// CheckWalletPassword), at geth's standard scrypt cost: key derivation,
// call it off the UI thread. The file is the caller's to save.
func (a *App) ExportKeyFile(address, password, confirm string) ([]byte, error) {
	if password == "" {
		return nil, keyfile.ErrEmptyPassword
	}
	if err := authapi.CheckPassword(password, ""); err != nil {
		return nil, err
	}
	if !same(password, confirm) {
		return nil, ErrPasswordsDiffer
	}
	priv, err := a.accountKey(address)
	if err != nil {
		return nil, err
	}
	defer clear(priv)
	pw := []byte(password)
	defer clear(pw)
	data, err := keyfile.Encrypt(priv, pw, keyfileScrypt)
	if err != nil {
		return nil, fmt.Errorf("writing the key file: %w", err)
	}
	return data, nil
}

// accountKey returns the private key of the unlocked wallet's Ethereum
// account address; the caller zeroes it.
func (a *App) accountKey(address string) ([]byte, error) {
	a.wallet.mu.Lock()
	defer a.wallet.mu.Unlock()
	if a.wallet.seed == nil {
		return nil, ErrWalletLocked
	}
	for _, ad := range a.wallet.addresses {
		if ad.Chain == wallet.Ethereum && strings.EqualFold(ad.Address, address) {
			return wallet.EthereumKey(a.wallet.seed, ad.Index)
		}
	}
	for _, k := range a.wallet.imported {
		if strings.EqualFold(k.Address, address) {
			return slices.Clone(k.Key), nil
		}
	}
	return nil, ErrNoAccount
}

// ImportKeyFile adds the key of a Web3 Secret Storage file, opened with
// filePassword, to the wallet, which walletPassword opens: the vault is
// saved again with it, and the key is marked imported (the recovery
// phrase does not restore it). It is key derivation: call it off the UI
// thread. A wrong file password gives keyfile.ErrMAC, a wrong wallet
// password keystore.ErrWrongPasswordOrCorrupt.
func (a *App) ImportKeyFile(ctx context.Context, data []byte, filePassword, walletPassword string) (EthereumAccount, error) {
	fpw := []byte(filePassword)
	defer clear(fpw)
	k, err := keyfile.Decrypt(data, fpw)
	if err != nil {
		return EthereumAccount{}, fmt.Errorf("reading the key file: %w", err)
	}
	defer clear(k.Private)
	if err := ctx.Err(); err != nil {
		return EthereumAccount{}, err
	}
	found, own, err := a.vaultFiles()
	if err != nil {
		return EthereumAccount{}, err
	}
	if found == "" {
		return EthereumAccount{}, ErrNoWallet
	}
	p, err := openPayload(found, walletPassword)
	if err != nil {
		return EthereumAccount{}, fmt.Errorf("importing the key: %w", err)
	}
	defer p.clear()
	m, err := p.mnemonic()
	if err != nil {
		return EthereumAccount{}, fmt.Errorf("importing the key: %w", err)
	}
	seed := recovery.Seed(m, p.Passphrase)
	defer clear(seed)
	derived, err := wallet.Addresses(seed, wallet.Ethereum, 0, AddressCount)
	if err != nil {
		return EthereumAccount{}, err
	}
	for _, d := range derived {
		if d.Address == k.Address {
			return EthereumAccount{}, ErrKeyHere
		}
	}
	for _, i := range p.Imported {
		if i.Address == k.Address {
			return EthereumAccount{}, ErrKeyHere
		}
	}
	p.Imported = append(p.Imported, importedKey{Address: k.Address, Key: slices.Clone(k.Private)})
	payload, err := json.Marshal(p)
	if err != nil {
		return EthereumAccount{}, err
	}
	defer clear(payload)
	pw := []byte(walletPassword)
	defer clear(pw)
	if err := keystore.Save(found, pw, payload); err != nil {
		return EthereumAccount{}, fmt.Errorf("saving the wallet: %w", err)
	}
	if err := claim(found, own); err != nil {
		return EthereumAccount{}, err
	}
	if err := updateMeta(own, func(m *walletMeta) { m.Imported = append(m.Imported, k.Address) }); err != nil {
		return EthereumAccount{}, err
	}
	a.wallet.mu.Lock()
	if a.wallet.seed != nil {
		clearKeys(a.wallet.imported)
		a.wallet.imported = p.copyImported()
		a.wallet.file = own
	}
	a.wallet.mu.Unlock()
	return EthereumAccount{Address: k.Address, Index: -1, Imported: true}, nil
}

// KeyFileAddress reads the address a key file names, without its
// password: "" when it names none. Its error is keyfile's.
func KeyFileAddress(data []byte) (string, error) {
	info, err := keyfile.Parse(data)
	if err != nil {
		return "", fmt.Errorf("reading the key file: %w", err)
	}
	return info.Address, nil
}
