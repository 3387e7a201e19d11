package wallet

import (
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
)

// ErrPrivateKey means bytes are not a secp256k1 private key: not 32 bytes,
// zero, or not below the group order.
var ErrPrivateKey = errors.New("wallet: invalid private key")

// EthereumKey returns the private key of the Ethereum account at index
// (m/44'/60'/0'/0/index), for a key file export. The caller zeroes it.
func EthereumKey(seed []byte, index int) ([]byte, error) {
	if index < 0 || index > MaxIndex {
		return nil, fmt.Errorf("deriving the key at index %d (allowed 0 to %d): %w", index, MaxIndex, ErrIndex)
	}
	master, err := masterKey(seed)
	if err != nil {
		return nil, err
	}
	defer master.Zero()
	steps := append(append([]uint32(nil), accountPaths[Ethereum].steps...), uint32(index))
	leaf, err := derivePath(master, steps)
	if err != nil {
		return nil, fmt.Errorf("deriving %s: %w", Ethereum.Path(index), err)
	}
	defer leaf.Zero()
	k, err := leaf.ECPrivKey()
	if err != nil {
		return nil, fmt.Errorf("deriving %s: %w", Ethereum.Path(index), err)
	}
	defer k.Zero()
	b := k.Key.Bytes()
	defer clear(b[:])
	return append([]byte(nil), b[:]...), nil
}

// EthereumAddressOfKey returns the EIP-55 address of a 32-byte private
// key, or ErrPrivateKey.
func EthereumAddressOfKey(priv []byte) (string, error) {
	if len(priv) != 32 {
		return "", ErrPrivateKey
	}
	var s btcec.ModNScalar
	if overflow := s.SetByteSlice(priv); overflow || s.IsZero() {
		s.Zero()
		return "", ErrPrivateKey
	}
	k := btcec.PrivKeyFromScalar(&s)
	defer k.Zero()
	s.Zero()
	return EIP55(ethereumAddress(k.PubKey().SerializeUncompressed())), nil
}
