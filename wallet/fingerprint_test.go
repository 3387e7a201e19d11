package wallet

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"testing"
)

func TestMasterFingerprintAbandon(t *testing.T) {
	f, err := MasterFingerprint(abandonSeed(t))
	if err != nil {
		t.Fatal(err)
	}
	if f.String() != "73c5da0a" {
		t.Errorf("fingerprint = %s, want 73c5da0a", f)
	}
}

// Every depth-1 key of the BIP32 test vectors carries its master's
// fingerprint as its parent fingerprint.
func TestMasterFingerprintBIP32Vectors(t *testing.T) {
	n := 0
	for _, vec := range loadBIP32Vectors(t).Valid {
		seed, err := hex.DecodeString(vec.Seed)
		if err != nil {
			t.Fatal(err)
		}
		f, err := MasterFingerprint(seed)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range vec.Chains {
			k, err := ParseExtendedKey(c.Xpub)
			if err != nil {
				t.Fatal(err)
			}
			if k.Depth() != 1 {
				continue
			}
			n++
			if k.ParentFingerprint() != f.Uint32() {
				t.Errorf("%s %s: master fingerprint %s, child's parent %08x", vec.Name, c.Path, f, k.ParentFingerprint())
			}
		}
	}
	if n != 4 {
		t.Errorf("checked %d depth-1 keys, want 4", n)
	}
}

func TestMasterFingerprintSeedLength(t *testing.T) {
	if _, err := MasterFingerprint(make([]byte, 15)); !errors.Is(err, ErrSeedLength) {
		t.Errorf("error = %v, want ErrSeedLength", err)
	}
}

func TestParseFingerprint(t *testing.T) {
	for _, s := range []string{"73c5da0a", " 73C5DA0A ", "0x73c5da0a", "73c5 da0a", "73 C5 DA 0A"} {
		f, err := ParseFingerprint(s)
		if err != nil || f.String() != "73c5da0a" {
			t.Errorf("ParseFingerprint(%q) = %s, %v", s, f, err)
		}
	}
	for _, s := range []string{"", "73c5da0", "73c5da0a0", "73c5da0g", "73c5-da0a", "0x 73c5da0a0"} {
		if _, err := ParseFingerprint(s); !errors.Is(err, ErrFingerprint) {
			t.Errorf("ParseFingerprint(%q) error = %v, want ErrFingerprint", s, err)
		}
	}
	b, err := json.Marshal(struct{ F Fingerprint }{Fingerprint{0x73, 0xc5, 0xda, 0x0a}})
	if err != nil || string(b) != `{"F":"73c5da0a"}` {
		t.Errorf("json = %s, %v", b, err)
	}
	var back struct{ F Fingerprint }
	if err := json.Unmarshal(b, &back); err != nil || back.F.String() != "73c5da0a" {
		t.Errorf("json back = %s, %v", back.F, err)
	}
}
