package keystore_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"

	"sesame/keystore"
)

// testdata/vectors.json pins the vault's KDF and AEAD to published vectors.
type vectors struct {
	Argon2id []struct {
		Source, Password, Salt string
		Time                   uint32
		MemoryKiB              uint32 `json:"memory_kib"`
		Threads                uint8
		Key                    string
	}
	XChaCha20Poly1305 []struct {
		Source, Key, Nonce, AAD, Plaintext, Ciphertext, Tag string
	}
}

func loadVectors(t *testing.T) vectors {
	t.Helper()
	b, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v vectors
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Argon2id) == 0 || len(v.XChaCha20Poly1305) == 0 {
		t.Fatal("no vectors")
	}
	return v
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestArgon2idVectors(t *testing.T) {
	for _, v := range loadVectors(t).Argon2id {
		p := keystore.Params{Time: v.Time, MemoryKiB: v.MemoryKiB, Threads: v.Threads}
		got := keystore.DeriveKey([]byte(v.Password), []byte(v.Salt), p)
		if hex.EncodeToString(got) != v.Key {
			t.Errorf("%s %v: %x, want %s", v.Source, p, got, v.Key)
		}
	}
}

func TestXChaCha20Poly1305Vectors(t *testing.T) {
	for _, v := range loadVectors(t).XChaCha20Poly1305 {
		key, nonce, aad := unhex(t, v.Key), unhex(t, v.Nonce), unhex(t, v.AAD)
		want := append(unhex(t, v.Ciphertext), unhex(t, v.Tag)...)
		got, err := keystore.SealAEAD(nil, key, nonce, []byte(v.Plaintext), aad)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%s: seal = %x, %v", v.Source, got, err)
		}
		plain, err := keystore.OpenAEAD(key, nonce, want, aad)
		if err != nil || string(plain) != v.Plaintext {
			t.Fatalf("%s: open = %q, %v", v.Source, plain, err)
		}
		if _, err := keystore.OpenAEAD(key, nonce, want, aad[1:]); err == nil {
			t.Fatalf("%s: opened with other additional data", v.Source)
		}
	}
}
