package wallet

import (
	"bytes"
	"crypto/pbkdf2"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
)

// abandonSeed is the BIP39 seed of "abandon ×11 about" with an empty
// passphrase: PBKDF2-HMAC-SHA512(mnemonic, "mnemonic", 2048, 64).
func abandonSeed(t testing.TB) []byte {
	t.Helper()
	const mnemonic = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
	seed, err := pbkdf2.Key(sha512.New, mnemonic, []byte("mnemonic"), 2048, 64)
	if err != nil {
		t.Fatal(err)
	}
	// Published in the BIP39 reference implementations' test data.
	const want = "5eb00bbddcf069084889a8ab9155568165f5c453ccb85e70811aaed6f6da5fc19a5ac40b389cd370d086206dec8aa6c43daea6690f20ad3d8d48b2d2ce9e38e4"
	if got := hex.EncodeToString(seed); got != want {
		t.Fatalf("seed = %s, want %s", got, want)
	}
	return seed
}

// Published addresses of the "abandon … about" mnemonic. Bitcoin: BIP84's
// test vectors. Ethereum: what MetaMask and ethers show for m/44'/60'/0'/0/i.
var abandonAddresses = []Address{
	{Ethereum, 0, "m/44'/60'/0'/0/0", "0x9858EfFD232B4033E47d90003D41EC34EcaEda94"},
	{Ethereum, 1, "m/44'/60'/0'/0/1", "0x6Fac4D18c912343BF86fa7049364Dd4E424Ab9C0"},
	{Ethereum, 2, "m/44'/60'/0'/0/2", "0xb6716976A3ebe8D39aCEB04372f22Ff8e6802D7A"},
	{Ethereum, 3, "m/44'/60'/0'/0/3", "0xF3f50213C1d2e255e4B2bAD430F8A38EEF8D718E"},
	{Ethereum, 4, "m/44'/60'/0'/0/4", "0x51cA8ff9f1C0a99f88E86B8112eA3237F55374cA"},
	{Bitcoin, 0, "m/84'/0'/0'/0/0", "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"},
	{Bitcoin, 1, "m/84'/0'/0'/0/1", "bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g"},
}

func TestAddressesPublished(t *testing.T) {
	seed := abandonSeed(t)
	orig := bytes.Clone(seed)
	for _, want := range abandonAddresses {
		// One at a time, so start is exercised.
		got, err := Addresses(seed, want.Chain, want.Index, 1)
		if err != nil {
			t.Fatalf("%s %d: %v", want.Chain, want.Index, err)
		}
		if len(got) != 1 || got[0] != want {
			t.Errorf("Addresses(%s, %d, 1) = %+v, want %+v", want.Chain, want.Index, got, want)
		}
	}
	// And as one run per chain.
	eth, err := Addresses(seed, Ethereum, 0, 5)
	if err != nil {
		t.Fatal(err)
	}
	btc, err := Addresses(seed, Bitcoin, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	all := append(eth, btc...)
	for i := range abandonAddresses {
		if all[i] != abandonAddresses[i] {
			t.Errorf("run[%d] = %+v, want %+v", i, all[i], abandonAddresses[i])
		}
	}
	if !bytes.Equal(seed, orig) {
		t.Error("Addresses modified the seed")
	}
}

// BIP84's own test vectors for the same mnemonic, checked through the
// package's derivation with SLIP-132 zprv version bytes.
func TestBIP84Vectors(t *testing.T) {
	const (
		rootZprv    = "zprvAWgYBBk7JR8Gjrh4UJQ2uJdG1r3WNRRfURiABBE3RvMXYSrRJL62XuezvGdPvG6GFBZduosCc1YP5wixPox7zhZLfiUm8aunE96BBa4Kei5"
		accountZprv = "zprvAdG4iTXWBoARxkkzNpNh8r6Qag3irQB8PzEMkAFeTRXxHpbF9z4QgEvBRmfvqWvGp42t42nvgGpNgYSJA9iefm1yYNZKEm7z6qUWCroSQnE"
	)
	zprv := []byte{0x04, 0xb2, 0x43, 0x0c}
	h := uint32(hdkeychain.HardenedKeyStart)
	m, err := masterKey(abandonSeed(t))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Zero()
	zm, err := m.CloneWithVersion(zprv)
	if err != nil {
		t.Fatal(err)
	}
	if got := zm.String(); got != rootZprv {
		t.Errorf("rootnode = %s, want %s", got, rootZprv)
	}
	acct, err := derivePath(m, []uint32{84 + h, 0 + h, 0 + h})
	if err != nil {
		t.Fatal(err)
	}
	za, err := acct.CloneWithVersion(zprv)
	if err != nil {
		t.Fatal(err)
	}
	if got := za.String(); got != accountZprv {
		t.Errorf("account xpriv = %s, want %s", got, accountZprv)
	}
	for _, c := range []struct {
		change, index uint32
		pubkey, addr  string
	}{
		{0, 0, "0330d54fd0dd420a6e5f8d3624f5f3482cae350f79d5f0753bf5beef9c2d91af3c", "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"},
		{0, 1, "03e775fd51f0dfb8cd865d9ff1cca2a158cf651fe997fdc9fee9c1d3b5e995ea77", "bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g"},
		{1, 0, "03025324888e429ab8e3dbaf1f7802648b9cd01e9b418485c5fa4c1b9b5700e1a6", "bc1q8c6fshw2dlwun7ekn9qwf37cu2rn755upcp6el"},
	} {
		k, err := derivePath(acct, []uint32{c.change, c.index})
		if err != nil {
			t.Fatal(err)
		}
		pk, err := k.ECPubKey()
		if err != nil {
			t.Fatal(err)
		}
		if got := hex.EncodeToString(pk.SerializeCompressed()); got != c.pubkey {
			t.Errorf("%d/%d pubkey = %s, want %s", c.change, c.index, got, c.pubkey)
		}
		addr, err := encode(Bitcoin, k)
		if err != nil {
			t.Fatal(err)
		}
		if addr != c.addr {
			t.Errorf("%d/%d address = %s, want %s", c.change, c.index, addr, c.addr)
		}
	}
}

func TestPreview(t *testing.T) {
	got, err := Preview(abandonSeed(t))
	if err != nil {
		t.Fatal(err)
	}
	var want []Address
	for _, a := range abandonAddresses {
		if a.Index < PreviewCount {
			want = append(want, a)
		}
	}
	// abandonAddresses has only two Bitcoin entries; index 2 is checked by shape.
	if len(got) != 2*PreviewCount {
		t.Fatalf("Preview returned %d addresses, want %d", len(got), 2*PreviewCount)
	}
	for i, w := range want {
		if got[i] != w {
			t.Errorf("Preview[%d] = %+v, want %+v", i, got[i], w)
		}
	}
	last := got[len(got)-1]
	if last.Chain != Bitcoin || last.Index != 2 || last.Path != "m/84'/0'/0'/0/2" || !strings.HasPrefix(last.Address, "bc1q") {
		t.Errorf("Preview last = %+v", last)
	}
	if _, err := Preview(make([]byte, 8)); !errors.Is(err, ErrSeedLength) {
		t.Errorf("Preview(short seed) error = %v, want ErrSeedLength", err)
	}
}

func TestChain(t *testing.T) {
	for _, c := range []struct {
		chain        Chain
		name, symbol string
		valid        bool
		path         string
	}{
		{Ethereum, "Ethereum", "ETH", true, "m/44'/60'/0'/0/7"},
		{Bitcoin, "Bitcoin", "BTC", true, "m/84'/0'/0'/0/7"},
		{0, "Chain(0)", "", false, ""},
		{3, "Chain(3)", "", false, ""},
	} {
		if c.chain.String() != c.name || c.chain.Symbol() != c.symbol || c.chain.Valid() != c.valid || c.chain.Path(7) != c.path {
			t.Errorf("Chain %d = %q %q %v %q, want %q %q %v %q", int(c.chain),
				c.chain.String(), c.chain.Symbol(), c.chain.Valid(), c.chain.Path(7), c.name, c.symbol, c.valid, c.path)
		}
	}
	if got := Chains(); len(got) != 2 || got[0] != Ethereum || got[1] != Bitcoin {
		t.Errorf("Chains() = %v", got)
	}
}

// addressCases drives TestAddressesCases and seeds FuzzAddresses.
var addressCases = []struct {
	name         string
	seedLen      int // bytes of the abandon seed; more than 64 repeats it
	chain        Chain
	start, count int
	want         error
}{
	{"empty seed", 0, Ethereum, 0, 1, ErrSeedLength},
	{"15-byte seed", 15, Bitcoin, 0, 1, ErrSeedLength},
	{"65-byte seed", 65, Ethereum, 0, 1, ErrSeedLength},
	{"16-byte seed", 16, Bitcoin, 0, 1, nil},
	{"32-byte seed", 32, Ethereum, 0, 1, nil},
	{"zero chain", 64, 0, 0, 1, ErrUnknownChain},
	{"chain 3", 64, 3, 0, 1, ErrUnknownChain},
	{"negative chain", 64, -1, 0, 1, ErrUnknownChain},
	{"negative start", 64, Ethereum, -1, 1, ErrIndex},
	{"min int start", 64, Bitcoin, math.MinInt, 1, ErrIndex},
	{"hardened start", 64, Ethereum, MaxIndex + 1, 1, ErrIndex},
	{"max int start", 64, Bitcoin, math.MaxInt, 1, ErrIndex},
	{"run crosses hardened boundary", 64, Bitcoin, MaxIndex, 2, ErrIndex},
	{"last non-hardened index", 64, Ethereum, MaxIndex, 1, nil},
	{"run ending at last index", 64, Bitcoin, MaxIndex - 2, 3, nil},
	{"zero count", 64, Ethereum, 0, 0, ErrCount},
	{"negative count", 64, Bitcoin, 0, -1, ErrCount},
	{"count above max", 64, Ethereum, 0, MaxCount + 1, ErrCount},
	{"max int count", 64, Ethereum, 1, math.MaxInt, ErrCount},
}

func caseSeed(t testing.TB, n int) []byte {
	base := abandonSeed(t)
	out := make([]byte, 0, n)
	for len(out) < n {
		out = append(out, base[:min(n-len(out), len(base))]...)
	}
	return out
}

func TestAddressesCases(t *testing.T) {
	for _, c := range addressCases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Addresses(caseSeed(t, c.seedLen), c.chain, c.start, c.count)
			if c.want != nil {
				if !errors.Is(err, c.want) || got != nil {
					t.Fatalf("Addresses = %v, %v; want error %v", got, err, c.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkAddresses(t, got, c.chain, c.start, c.count)
		})
	}
}

// checkAddresses checks the shape of a successful Addresses result.
func checkAddresses(t *testing.T, got []Address, chain Chain, start, count int) {
	t.Helper()
	if len(got) != count {
		t.Fatalf("got %d addresses, want %d", len(got), count)
	}
	seen := map[string]bool{}
	for n, a := range got {
		if a.Chain != chain || a.Index != start+n || a.Path != chain.Path(start+n) || seen[a.Address] {
			t.Fatalf("address %d = %+v", n, a)
		}
		seen[a.Address] = true
		switch chain {
		case Ethereum:
			if err := ValidateEIP55(a.Address); err != nil {
				t.Fatalf("address %d %s: %v", n, a.Address, err)
			}
		case Bitcoin:
			if len(a.Address) != 42 || !strings.HasPrefix(a.Address, "bc1q") {
				t.Fatalf("address %d = %s, want bc1q… of 42 characters", n, a.Address)
			}
		}
	}
}

func FuzzAddresses(f *testing.F) {
	seed := abandonSeed(f)
	for _, c := range addressCases {
		f.Add(caseSeed(f, c.seedLen), int(c.chain), c.start, c.count)
	}
	f.Add(seed, int(Ethereum), 0, MaxCount)
	sentinels := []error{ErrSeedLength, ErrUnknownChain, ErrIndex, ErrCount, ErrUnusableKey}
	f.Fuzz(func(t *testing.T, seed []byte, chain, start, count int) {
		got, err := Addresses(seed, Chain(chain), start, count)
		if err != nil {
			for _, e := range sentinels {
				if errors.Is(err, e) {
					return
				}
			}
			t.Fatalf("error %v wraps no sentinel", err)
		}
		checkAddresses(t, got, Chain(chain), start, count)
	})
}
