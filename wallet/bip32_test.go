package wallet

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
)

// bip32Vectors is testdata/bip32_vectors.json: BIP32 test vectors 1-5.
type bip32Vectors struct {
	Valid []struct {
		Name   string `json:"name"`
		Seed   string `json:"seed"`
		Chains []struct {
			Path string `json:"path"`
			Xpub string `json:"xpub"`
			Xprv string `json:"xprv"`
		} `json:"chains"`
	} `json:"valid"`
	Invalid []struct {
		Key    string `json:"key"`
		Reason string `json:"reason"`
	} `json:"invalid"`
}

func loadBIP32Vectors(t testing.TB) bip32Vectors {
	t.Helper()
	b, err := os.ReadFile("testdata/bip32_vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v bip32Vectors
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	// The spec has 17 valid chains in 4 vectors and 16 invalid keys.
	n := 0
	for _, vec := range v.Valid {
		n += len(vec.Chains)
	}
	if len(v.Valid) != 4 || n != 17 || len(v.Invalid) != 16 {
		t.Fatalf("vectors file has %d vectors, %d chains, %d invalid keys; want 4, 17, 16", len(v.Valid), n, len(v.Invalid))
	}
	return v
}

// parseTestPath parses the spec's "m/0H/1/2H" notation.
func parseTestPath(t *testing.T, p string) []uint32 {
	t.Helper()
	parts := strings.Split(p, "/")
	if parts[0] != "m" {
		t.Fatalf("path %q does not start with m", p)
	}
	var steps []uint32
	for _, s := range parts[1:] {
		var off uint32
		if strings.HasSuffix(s, "H") {
			s, off = strings.TrimSuffix(s, "H"), hdkeychain.HardenedKeyStart
		}
		n, err := strconv.ParseUint(s, 10, 31)
		if err != nil {
			t.Fatalf("path %q: %v", p, err)
		}
		steps = append(steps, uint32(n)+off)
	}
	return steps
}

func TestBIP32Vectors(t *testing.T) {
	for _, vec := range loadBIP32Vectors(t).Valid {
		seed, err := hex.DecodeString(vec.Seed)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range vec.Chains {
			t.Run(vec.Name+" "+c.Path, func(t *testing.T) {
				m, err := masterKey(seed)
				if err != nil {
					t.Fatal(err)
				}
				defer m.Zero()
				k, err := derivePath(m, parseTestPath(t, c.Path))
				if err != nil {
					t.Fatal(err)
				}
				if got := k.String(); got != c.Xprv {
					t.Errorf("xprv = %s\nwant   %s", got, c.Xprv)
				}
				pub, err := k.Neuter()
				if err != nil {
					t.Fatal(err)
				}
				if got := pub.String(); got != c.Xpub {
					t.Errorf("xpub = %s\nwant   %s", got, c.Xpub)
				}
				// Both serializations parse back to themselves.
				for _, s := range []string{c.Xprv, c.Xpub} {
					p, err := ParseExtendedKey(s)
					if err != nil {
						t.Errorf("ParseExtendedKey(%s): %v", s, err)
						continue
					}
					if p.String() != s {
						t.Errorf("ParseExtendedKey(%s) round trip = %s", s, p.String())
					}
				}
			})
		}
	}
}

// invalidKeyReason maps each reason in BIP32 test vector 5 to the error
// ParseExtendedKey must give, so a key that fails for another reason (a
// copying mistake shows up as a checksum error) fails the test.
var invalidKeyReason = map[string]error{
	"pubkey version / prvkey mismatch":            ErrKeyKind,
	"prvkey version / pubkey mismatch":            ErrKeyKind,
	"invalid pubkey prefix 04":                    ErrKeyData,
	"invalid prvkey prefix 04":                    ErrKeyData,
	"invalid pubkey prefix 01":                    ErrKeyData,
	"invalid prvkey prefix 01":                    ErrKeyData,
	"zero depth with non-zero parent fingerprint": ErrKeyDepth,
	"zero depth with non-zero index":              ErrKeyDepth,
	"unknown extended key version":                ErrKeyVersion,
	"private key 0 not in 1..n-1":                 ErrKeyData,
	"private key n not in 1..n-1":                 ErrKeyData,
	"invalid pubkey 020000000000000000000000000000000000000000000000000000000000000007": ErrKeyData,
	"invalid checksum": ErrKeyChecksum,
}

// libraryAccepts lists the vector 5 reasons hdkeychain.NewKeyFromString
// (btcutil v1.2.0) does not reject; ParseExtendedKey adds these checks.
var libraryAccepts = map[string]bool{
	"pubkey version / prvkey mismatch":            true,
	"prvkey version / pubkey mismatch":            true,
	"zero depth with non-zero parent fingerprint": true,
	"zero depth with non-zero index":              true,
	"unknown extended key version":                true,
}

func TestBIP32InvalidKeys(t *testing.T) {
	for i, c := range loadBIP32Vectors(t).Invalid {
		t.Run(strconv.Itoa(i)+" "+c.Reason, func(t *testing.T) {
			want, ok := invalidKeyReason[c.Reason]
			if !ok {
				t.Fatalf("no expected error for reason %q", c.Reason)
			}
			k, err := ParseExtendedKey(c.Key)
			if err == nil {
				t.Fatalf("ParseExtendedKey accepted %s", k)
			}
			if !errors.Is(err, ErrExtendedKey) || !errors.Is(err, want) {
				t.Errorf("ParseExtendedKey error = %v, want %v", err, want)
			}
			_, libErr := hdkeychain.NewKeyFromString(c.Key)
			if accepted := libErr == nil; accepted != libraryAccepts[c.Reason] {
				t.Errorf("hdkeychain.NewKeyFromString accepted = %v, want %v (update libraryAccepts and the ParseExtendedKey doc)", accepted, libraryAccepts[c.Reason])
			}
		})
	}
}

func TestParseExtendedKeyLength(t *testing.T) {
	for _, s := range []string{"", "xpub", "0OIl", "xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8x"} {
		if _, err := ParseExtendedKey(s); !errors.Is(err, ErrKeyLength) || !errors.Is(err, ErrExtendedKey) {
			t.Errorf("ParseExtendedKey(%q) error = %v, want ErrKeyLength", s, err)
		}
	}
}

func FuzzParseExtendedKey(f *testing.F) {
	v := loadBIP32Vectors(f)
	for _, vec := range v.Valid {
		for _, c := range vec.Chains {
			f.Add(c.Xpub)
			f.Add(c.Xprv)
		}
	}
	for _, c := range v.Invalid {
		f.Add(c.Key)
	}
	sentinels := []error{ErrKeyLength, ErrKeyChecksum, ErrKeyVersion, ErrKeyKind, ErrKeyData, ErrKeyDepth}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParseExtendedKey(s)
		if err != nil {
			if !errors.Is(err, ErrExtendedKey) {
				t.Fatalf("error %v does not wrap ErrExtendedKey", err)
			}
			for _, e := range sentinels {
				if errors.Is(err, e) {
					return
				}
			}
			t.Fatalf("error %v wraps no reason sentinel", err)
		}
		// An accepted key serializes back to the same text.
		if got := k.String(); got != s {
			t.Fatalf("round trip %q -> %q", s, got)
		}
	})
}
