package keyfile_test

import (
	"bytes"
	"encoding/hex"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/keystore"
	"github.com/ethereum/go-ethereum/crypto"

	"sesame/wallet/keyfile"
)

// go-ethereum's accounts/keystore is a test dependency only: it checks
// that the files go both ways.

var light = keyfile.Scrypt{N: keystore.LightScryptN, R: 8, P: keystore.LightScryptP}

func TestStandardIsGeths(t *testing.T) {
	if keyfile.StandardScrypt.N != keystore.StandardScryptN || keyfile.StandardScrypt.P != keystore.StandardScryptP {
		t.Errorf("StandardScrypt = %+v, geth's n=%d p=%d", keyfile.StandardScrypt, keystore.StandardScryptN, keystore.StandardScryptP)
	}
}

// Sesame's file opens in geth, and geth's key store imports it.
func TestGethReadsOurs(t *testing.T) {
	priv, _ := hex.DecodeString("1ab42cc412b618bdea3a599e3c9bae199ebf030895b039e9db1e30dafb12b727")
	data, err := keyfile.Encrypt(priv, []byte("file password"), light)
	if err != nil {
		t.Fatal(err)
	}
	k, err := keystore.DecryptKey(data, "file password")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(crypto.FromECDSA(k.PrivateKey), priv) || k.Address.Hex() != "0x9858EfFD232B4033E47d90003D41EC34EcaEda94" {
		t.Errorf("geth read key of %s", k.Address.Hex())
	}
	if _, err := keystore.DecryptKey(data, "file passwore"); err != keystore.ErrDecrypt {
		t.Errorf("geth with a wrong password: %v", err)
	}
	ks := keystore.NewKeyStore(t.TempDir(), keystore.LightScryptN, keystore.LightScryptP)
	acc, err := ks.Import(data, "file password", "geth password")
	if err != nil || acc.Address != k.Address {
		t.Fatalf("geth import: %v %v", acc, err)
	}
}

// geth's files open in Sesame: one of EncryptKey, and one its key store
// exports.
func TestWeReadGeths(t *testing.T) {
	pk, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	want := crypto.PubkeyToAddress(pk.PublicKey).Hex()
	data, err := keystore.EncryptKey(&keystore.Key{Address: crypto.PubkeyToAddress(pk.PublicKey), PrivateKey: pk}, "geth password", keystore.LightScryptN, keystore.LightScryptP)
	if err != nil {
		t.Fatal(err)
	}
	k, err := keyfile.Decrypt(data, []byte("geth password"))
	if err != nil || k.Address != want || !bytes.Equal(k.Private, crypto.FromECDSA(pk)) {
		t.Fatalf("ours read geth's: %+v %v, want %s", k, err, want)
	}

	ks := keystore.NewKeyStore(t.TempDir(), keystore.LightScryptN, keystore.LightScryptP)
	acc, err := ks.NewAccount("store password")
	if err != nil {
		t.Fatal(err)
	}
	exported, err := ks.Export(acc, "store password", "export password")
	if err != nil {
		t.Fatal(err)
	}
	k, err = keyfile.Decrypt(exported, []byte("export password"))
	if err != nil || k.Address != acc.Address.Hex() {
		t.Fatalf("ours read geth's export: %+v %v, want %s", k, err, acc.Address.Hex())
	}
}
