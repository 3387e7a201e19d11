package wallet

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

// The EIP-55 specification's test addresses: all caps, all lower, normal.
var eip55Vectors = []string{
	"0x52908400098527886E0F7030069857D2E4169EE7",
	"0x8617E340B3D01FA5F11F306F4090FD50E238070D",
	"0xde709f2102306220921060314715629080e2fb77",
	"0x27b1fdb04752bbc536007a920d24acb045561c26",
	"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
	"0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
	"0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
	"0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
}

func TestEIP55Vectors(t *testing.T) {
	for _, want := range eip55Vectors {
		var a [20]byte
		if _, err := hex.Decode(a[:], []byte(strings.ToLower(want[2:]))); err != nil {
			t.Fatal(err)
		}
		if got := EIP55(a); got != want {
			t.Errorf("EIP55(%x) = %s, want %s", a, got, want)
		}
		if err := ValidateEIP55(want); err != nil {
			t.Errorf("ValidateEIP55(%s) = %v", want, err)
		}
	}
}

// eip55Cases drives TestValidateEIP55 and seeds FuzzValidateEIP55.
var eip55Cases = []struct {
	in   string
	want error
}{
	{"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", nil},
	{"0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", ErrAddressNoChecksum},
	{"0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED", ErrAddressNoChecksum},
	{"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", ErrAddressChecksum}, // last letter's case flipped
	{"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe0", ErrAddressChecksum}, // typo in a digit
	{"0x0000000000000000000000000000000000000000", nil},
	{"", ErrAddressFormat},
	{"0x", ErrAddressFormat},
	{"5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", ErrAddressFormat},
	{"0X5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", ErrAddressFormat},
	{"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe", ErrAddressFormat},
	{"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAedd", ErrAddressFormat},
	{"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg", ErrAddressFormat},
	{" 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe", ErrAddressFormat},
}

func TestValidateEIP55(t *testing.T) {
	for _, c := range eip55Cases {
		if err := ValidateEIP55(c.in); !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
			t.Errorf("ValidateEIP55(%q) = %v, want %v", c.in, err, c.want)
		}
	}
}

func FuzzValidateEIP55(f *testing.F) {
	for _, c := range eip55Cases {
		f.Add(c.in)
	}
	for _, v := range eip55Vectors {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := ValidateEIP55(s)
		switch {
		case err == nil:
			// Valid means it is exactly the checksummed form of its bytes.
			var a [20]byte
			if _, derr := hex.Decode(a[:], []byte(s[2:])); derr != nil || EIP55(a) != s {
				t.Fatalf("ValidateEIP55 accepted %q", s)
			}
		case errors.Is(err, ErrAddressFormat), errors.Is(err, ErrAddressNoChecksum), errors.Is(err, ErrAddressChecksum):
		default:
			t.Fatalf("ValidateEIP55(%q) = %v wraps no sentinel", s, err)
		}
	})
}
