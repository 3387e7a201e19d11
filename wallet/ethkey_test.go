package wallet

import (
	"encoding/hex"
	"errors"
	"testing"
)

func TestEthereumKey(t *testing.T) {
	seed := abandonSeed(t)
	k, err := EthereumKey(seed, 0)
	if err != nil {
		t.Fatal(err)
	}
	// The published key of the first account of "abandon ×11 about".
	if got := hex.EncodeToString(k); got != "1ab42cc412b618bdea3a599e3c9bae199ebf030895b039e9db1e30dafb12b727" {
		t.Errorf("key 0 = %s", got)
	}
	for _, want := range abandonAddresses {
		if want.Chain != Ethereum {
			continue
		}
		k, err := EthereumKey(seed, want.Index)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := EthereumAddressOfKey(k); err != nil || got != want.Address {
			t.Errorf("address of key %d = %s, %v; want %s", want.Index, got, err, want.Address)
		}
	}
	if _, err := EthereumKey(seed, -1); !errors.Is(err, ErrIndex) {
		t.Errorf("index -1: %v", err)
	}
}

func TestEthereumAddressOfKeyInvalid(t *testing.T) {
	order, _ := hex.DecodeString("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
	for _, k := range [][]byte{nil, make([]byte, 31), make([]byte, 32), order, make([]byte, 33)} {
		if _, err := EthereumAddressOfKey(k); !errors.Is(err, ErrPrivateKey) {
			t.Errorf("key %x: %v, want ErrPrivateKey", k, err)
		}
	}
}
