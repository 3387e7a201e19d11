// Package wallet derives receive addresses from a BIP39 seed.
//
// [Addresses] walks the BIP32 tree with btcd's hdkeychain and encodes each
// leaf for its [Chain]: Ethereum on m/44'/60'/0'/0/i (BIP44) as an EIP-55
// checksummed hex address, Bitcoin on m/84'/0'/0'/0/i (BIP84) as a native
// segwit P2WPKH bech32 address. [Preview] returns the first [PreviewCount]
// addresses of every chain for the restore screen. [EIP55] and
// [ValidateEIP55] encode and check Ethereum addresses; [ParseExtendedKey]
// reads a BIP32 xpub/xprv with every check of BIP32 test vector 5.
// [MasterFingerprint] names a wallet by its master key's [Fingerprint].
//
// Private keys stop at the receive chain's parent key (m/44'/60'/0'/0 or
// m/84'/0'/0'/0): the leaves are derived from its public half, and every
// private extended key is zeroed once its child exists. Go may still hold
// copies the library made internally; zeroing is best effort.
package wallet

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"golang.org/x/crypto/sha3"
)

// Chain is a coin whose addresses the wallet derives.
type Chain int

// The chains, in display order. The zero Chain is invalid.
const (
	Ethereum Chain = iota + 1 // BIP44 m/44'/60'/0'/0/i, EIP-55 address
	Bitcoin                   // BIP84 m/84'/0'/0'/0/i, bech32 P2WPKH address
)

// Chains lists every supported chain in display order.
func Chains() []Chain { return []Chain{Ethereum, Bitcoin} }

// String returns the chain's English name ("Ethereum", "Bitcoin").
func (c Chain) String() string {
	switch c {
	case Ethereum:
		return "Ethereum"
	case Bitcoin:
		return "Bitcoin"
	}
	return "Chain(" + strconv.Itoa(int(c)) + ")"
}

// Symbol returns the chain's ticker ("ETH", "BTC"), or "" for an unknown chain.
func (c Chain) Symbol() string {
	switch c {
	case Ethereum:
		return "ETH"
	case Bitcoin:
		return "BTC"
	}
	return ""
}

// Valid reports whether c is one of [Chains].
func (c Chain) Valid() bool { return c == Ethereum || c == Bitcoin }

// Path returns the derivation path of the receive address at index, like
// "m/84'/0'/0'/0/5". It does not check index; [Addresses] does.
func (c Chain) Path(index int) string {
	p, ok := accountPaths[c]
	if !ok {
		return ""
	}
	return p.text + "/" + strconv.Itoa(index)
}

// accountPath is the hardened purpose'/coin'/account' prefix plus the
// external (receive) chain 0.
type accountPath struct {
	steps []uint32
	text  string
}

const hardened = hdkeychain.HardenedKeyStart

var accountPaths = map[Chain]accountPath{
	Ethereum: {[]uint32{44 + hardened, 60 + hardened, 0 + hardened, 0}, "m/44'/60'/0'/0"},
	Bitcoin:  {[]uint32{84 + hardened, 0 + hardened, 0 + hardened, 0}, "m/84'/0'/0'/0"},
}

// Limits of [Addresses].
const (
	MinSeedLen   = hdkeychain.MinSeedBytes // 16 bytes, BIP32's minimum
	MaxSeedLen   = hdkeychain.MaxSeedBytes // 64 bytes, BIP32's maximum and BIP39's seed size
	MaxIndex     = hardened - 1            // last non-hardened child index, 2^31-1
	MaxCount     = 1000                    // most addresses one call derives
	PreviewCount = 3                       // addresses per chain in [Preview]
)

// Expected failures. Errors returned by this package wrap one of these.
var (
	// ErrSeedLength means the seed is not 16 to 64 bytes long.
	ErrSeedLength = errors.New("wallet: seed length out of range")
	// ErrUnknownChain means the Chain is not one of Chains().
	ErrUnknownChain = errors.New("wallet: unknown chain")
	// ErrIndex means an address index is negative or above MaxIndex.
	ErrIndex = errors.New("wallet: address index out of range")
	// ErrCount means the count is below 1 or above MaxCount.
	ErrCount = errors.New("wallet: address count out of range")
	// ErrUnusableKey means the seed derives an invalid key on the path
	// (BIP32: probability below 2^-127); another index or seed is needed.
	ErrUnusableKey = errors.New("wallet: seed derives an invalid key on this path")
)

// Address is one derived receive address.
type Address struct {
	Chain   Chain
	Index   int    // last path element, 0..MaxIndex
	Path    string // e.g. "m/44'/60'/0'/0/0"
	Address string // "0x" + EIP-55 hex for Ethereum, "bc1q…" for Bitcoin
}

// Addresses derives count receive addresses of chain from a BIP39 seed,
// starting at index start. The seed is not modified or retained.
func Addresses(seed []byte, chain Chain, start, count int) ([]Address, error) {
	p, ok := accountPaths[chain]
	if !ok {
		return nil, fmt.Errorf("deriving addresses for chain %d: %w", int(chain), ErrUnknownChain)
	}
	if count < 1 || count > MaxCount {
		return nil, fmt.Errorf("deriving %d addresses (allowed 1 to %d): %w", count, MaxCount, ErrCount)
	}
	if start < 0 || start > MaxIndex || count-1 > MaxIndex-start {
		return nil, fmt.Errorf("deriving addresses from index %d (allowed 0 to %d): %w", start, MaxIndex, ErrIndex)
	}
	master, err := masterKey(seed)
	if err != nil {
		return nil, err
	}
	defer master.Zero()
	parent, err := derivePath(master, p.steps)
	if err != nil {
		return nil, fmt.Errorf("deriving %s: %w", p.text, err)
	}
	defer parent.Zero()
	// The leaves need public keys only, so derive them from the public half.
	pub, err := parent.Neuter()
	if err != nil {
		return nil, fmt.Errorf("deriving %s: %w", p.text, err)
	}
	out := make([]Address, 0, count)
	for n := range count {
		i := start + n
		child, err := pub.Derive(uint32(i))
		if err != nil {
			return nil, fmt.Errorf("deriving %s: %w", chain.Path(i), mapDeriveErr(err))
		}
		addr, err := encode(chain, child)
		if err != nil {
			return nil, fmt.Errorf("encoding %s: %w", chain.Path(i), err)
		}
		out = append(out, Address{Chain: chain, Index: i, Path: chain.Path(i), Address: addr})
	}
	return out, nil
}

// Preview returns the first PreviewCount addresses of every chain, in
// Chains() order, for the restore screen.
func Preview(seed []byte) ([]Address, error) {
	var out []Address
	for _, c := range Chains() {
		a, err := Addresses(seed, c, 0, PreviewCount)
		if err != nil {
			return nil, err
		}
		out = append(out, a...)
	}
	return out, nil
}

// masterKey returns the BIP32 master key of seed; the caller zeroes it.
func masterKey(seed []byte) (*hdkeychain.ExtendedKey, error) {
	if len(seed) < MinSeedLen || len(seed) > MaxSeedLen {
		return nil, fmt.Errorf("seed is %d bytes (allowed %d to %d): %w", len(seed), MinSeedLen, MaxSeedLen, ErrSeedLength)
	}
	m, err := hdkeychain.NewMaster(seed, &chaincfg.MainNetParams)
	if err != nil {
		return nil, fmt.Errorf("deriving master key: %w", mapDeriveErr(err))
	}
	return m, nil
}

// derivePath derives the descendant of k along steps. It zeroes every
// intermediate key but not k; the caller zeroes the result, which is k
// itself when steps is empty.
func derivePath(k *hdkeychain.ExtendedKey, steps []uint32) (*hdkeychain.ExtendedKey, error) {
	cur := k
	for _, s := range steps {
		next, err := cur.Derive(s)
		if cur != k {
			cur.Zero()
		}
		if err != nil {
			return nil, mapDeriveErr(err)
		}
		cur = next
	}
	return cur, nil
}

// mapDeriveErr turns hdkeychain's "invalid key" errors into ErrUnusableKey.
func mapDeriveErr(err error) error {
	if errors.Is(err, hdkeychain.ErrInvalidChild) || errors.Is(err, hdkeychain.ErrUnusableSeed) {
		return fmt.Errorf("%w (%v)", ErrUnusableKey, err)
	}
	return err
}

// encode renders the public key of k as chain's address.
func encode(chain Chain, k *hdkeychain.ExtendedKey) (string, error) {
	pk, err := k.ECPubKey()
	if err != nil {
		return "", err
	}
	switch chain {
	case Ethereum:
		return EIP55(ethereumAddress(pk.SerializeUncompressed())), nil
	case Bitcoin:
		return bitcoinP2WPKH(pk.SerializeCompressed())
	}
	return "", ErrUnknownChain
}

// ethereumAddress returns the last 20 bytes of Keccak-256 of the
// uncompressed public key without its 0x04 prefix.
func ethereumAddress(uncompressed []byte) [20]byte {
	h := sha3.NewLegacyKeccak256()
	h.Write(uncompressed[1:])
	var sum [32]byte
	h.Sum(sum[:0])
	var a [20]byte
	copy(a[:], sum[12:])
	return a
}

// bitcoinP2WPKH returns the mainnet bech32 P2WPKH address of a compressed
// public key: witness version 0, program HASH160(pubkey).
func bitcoinP2WPKH(compressed []byte) (string, error) {
	a, err := btcutil.NewAddressWitnessPubKeyHash(btcutil.Hash160(compressed), &chaincfg.MainNetParams)
	if err != nil {
		return "", err
	}
	return a.EncodeAddress(), nil
}
