package app_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sesame/app"
	"sesame/keystore"
	"sesame/wallet/keyfile"
)

var lightScrypt = keyfile.Scrypt{N: 2, R: 8, P: 1}

// abandonKey0 is the published key of phraseA's first Ethereum account.
const abandonKey0 = "1ab42cc412b618bdea3a599e3c9bae199ebf030895b039e9db1e30dafb12b727"

func TestKeyfileStandardCost(t *testing.T) {
	if app.KeyfileScrypt() != keyfile.StandardScrypt {
		t.Fatalf("exports use %+v, want the standard %+v", app.KeyfileScrypt(), keyfile.StandardScrypt)
	}
}

func TestExportKeyFile(t *testing.T) {
	defer app.SetKeyfileScrypt(lightScrypt)()
	f := newFixture(t)
	addr := f.restore(phraseA, "wallet pw 1")
	data, err := f.app.ExportKeyFile(strings.ToLower(addr), "file pw 123", "file pw 123")
	if err != nil {
		t.Fatal(err)
	}
	k, err := keyfile.Decrypt(data, []byte("file pw 123"))
	if err != nil || hex.EncodeToString(k.Private) != abandonKey0 || k.Address != addr {
		t.Fatalf("exported file: %+v %v", k, err)
	}
	if _, err := f.app.ExportKeyFile(addr, "", ""); !errors.Is(err, keyfile.ErrEmptyPassword) || app.ErrorCode(err) != app.CodeKeyfilePasswordEmpty {
		t.Errorf("an empty key-file password: %v (%s), want the key file's own code", err, app.ErrorCode(err))
	}
	if _, err := f.app.ExportKeyFile(addr, "file pw 123", "file pw 124"); !errors.Is(err, app.ErrPasswordsDiffer) {
		t.Errorf("confirmation differs: %v", err)
	}
	if _, err := f.app.ExportKeyFile("0x0000000000000000000000000000000000000001", "file pw 123", "file pw 123"); !errors.Is(err, app.ErrNoAccount) {
		t.Errorf("another address: %v", err)
	}
	f.app.LockWallet()
	if _, err := f.app.ExportKeyFile(addr, "file pw 123", "file pw 123"); !errors.Is(err, app.ErrWalletLocked) {
		t.Errorf("locked: %v", err)
	}
}

// An imported key is kept in the vault, marked, exported again, and not
// brought back by a restore from the phrase, whose preview says so.
func TestImportKeyFile(t *testing.T) {
	defer app.SetKeyfileScrypt(lightScrypt)()
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.app.ImportKeyFile(ctx, nil, "x", "y"); !errors.Is(err, keyfile.ErrMalformed) || app.ErrorCode(err) != "keyfile_invalid" {
		t.Fatalf("no file: %v", err)
	}
	priv, _ := hex.DecodeString("7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d")
	file, err := keyfile.Encrypt(priv, []byte("geth file pw"), lightScrypt)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.ImportKeyFile(ctx, file, "geth file pw", "wallet pw 1"); !errors.Is(err, app.ErrNoWallet) {
		t.Fatalf("no wallet: %v", err)
	}
	addr0 := f.restore(phraseA, "wallet pw 1")

	if _, err := f.app.ImportKeyFile(ctx, file, "geth file pX", "wallet pw 1"); !errors.Is(err, keyfile.ErrMAC) || app.ErrorCode(err) != "keyfile_wrong_password" {
		t.Fatalf("wrong file password: %v", err)
	}
	if _, err := f.app.ImportKeyFile(ctx, file, "geth file pw", "wallet pX 1"); !errors.Is(err, keystore.ErrWrongPasswordOrCorrupt) {
		t.Fatalf("wrong wallet password: %v", err)
	}
	acc, err := f.app.ImportKeyFile(ctx, file, "geth file pw", "wallet pw 1")
	const wikiAddr = "0x008AeEda4D805471dF9b2A5B0f38A0C3bCBA786b"
	if err != nil || acc.Address != wikiAddr || !acc.Imported || acc.Index != -1 {
		t.Fatalf("import: %+v %v", acc, err)
	}
	if _, err := f.app.ImportKeyFile(ctx, file, "geth file pw", "wallet pw 1"); !errors.Is(err, app.ErrKeyHere) {
		t.Fatalf("imported twice: %v", err)
	}
	own, _ := hex.DecodeString(abandonKey0)
	ownFile, _ := keyfile.Encrypt(own, []byte("geth file pw"), lightScrypt)
	if _, err := f.app.ImportKeyFile(ctx, ownFile, "geth file pw", "wallet pw 1"); !errors.Is(err, app.ErrKeyHere) {
		t.Fatalf("the phrase's own account: %v", err)
	}

	f.app.LockWallet()
	f.wallet(app.WalletLocked, "wallet pw 1", addr0)
	accs, err := f.app.EthereumAccounts()
	if err != nil || len(accs) != app.AddressCount+1 || accs[0].Address != addr0 || accs[0].Imported ||
		accs[app.AddressCount] != (app.EthereumAccount{Address: wikiAddr, Index: -1, Imported: true}) {
		t.Fatalf("accounts after unlocking: %+v %v", accs, err)
	}
	again, err := f.app.ExportKeyFile(wikiAddr, "file pw 123", "file pw 123")
	if err != nil {
		t.Fatal(err)
	}
	if k, err := keyfile.Decrypt(again, []byte("file pw 123")); err != nil || !bytes.Equal(k.Private, priv) {
		t.Fatalf("the imported key exported: %v", err)
	}

	// Nothing secret reaches the data folder in clear.
	secrets := []string{"7a28b5ba57c53603", abandonKey0[:16], "abandon", "geth file pw", "wallet pw 1", "file pw 123"}
	filepath.WalkDir(f.dataDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := os.ReadFile(path)
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) || bytes.Contains(b, priv[:8]) {
				t.Errorf("%s holds %q", path, s)
			}
		}
		return nil
	})

	p, err := f.app.PreviewRestore(mnemonicOf(t, phraseA), "", "")
	if err != nil || len(p.ImportedHere) != 1 || p.ImportedHere[0] != wikiAddr {
		t.Fatalf("restore preview: %+v %v", p, err)
	}
	if _, err := f.app.RestoreWallet(ctx, mnemonicOf(t, phraseA), "", "wallet pw 2", "wallet pw 2", true); err != nil {
		t.Fatal(err)
	}
	if accs, _ := f.app.EthereumAccounts(); len(accs) != app.AddressCount {
		t.Fatalf("the restore brought back an imported key: %+v", accs)
	}
	f.app.LockWallet()
	f.wallet(app.WalletLocked, "wallet pw 2", addr0)
	if accs, _ := f.app.EthereumAccounts(); len(accs) != app.AddressCount {
		t.Fatalf("the restored vault holds an imported key: %+v", accs)
	}
}

// TestKeyFileEmptyPassword: the key file's refusal of an empty password
// has its code, whose texts TestCodes finds in both languages.
func TestKeyFileEmptyPassword(t *testing.T) {
	_, err := keyfile.Encrypt(make([]byte, 32), nil, lightScrypt)
	if got := app.ErrorCode(fmt.Errorf("writing the key file: %w", err)); got != app.CodeKeyfilePasswordEmpty {
		t.Errorf("%v: code %q", err, got)
	}
}
