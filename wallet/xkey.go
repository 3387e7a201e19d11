package wallet

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcutil/base58"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
)

// Extended key parse failures. Every error from ParseExtendedKey wraps
// ErrExtendedKey and one of the others.
var (
	// ErrExtendedKey is wrapped by every ParseExtendedKey error.
	ErrExtendedKey = errors.New("wallet: invalid extended key")
	// ErrKeyLength means the text is not base58 of 78 bytes plus checksum.
	ErrKeyLength = errors.New("wallet: extended key has the wrong length")
	// ErrKeyChecksum means the base58 checksum does not match.
	ErrKeyChecksum = errors.New("wallet: extended key checksum mismatch")
	// ErrKeyVersion means the version is none of xpub, xprv, tpub, tprv.
	ErrKeyVersion = errors.New("wallet: unknown extended key version")
	// ErrKeyKind means a public version holds private key data or the reverse.
	ErrKeyKind = errors.New("wallet: extended key version does not match its key data")
	// ErrKeyData means the key bytes are not a valid secp256k1 key.
	ErrKeyData = errors.New("wallet: extended key holds an invalid key")
	// ErrKeyDepth means a depth-0 (master) key has a parent fingerprint or
	// child index other than zero.
	ErrKeyDepth = errors.New("wallet: master extended key has a parent")
)

// BIP32 serialization versions (mainnet and testnet).
var (
	versionXpub = [4]byte{0x04, 0x88, 0xb2, 0x1e}
	versionXprv = [4]byte{0x04, 0x88, 0xad, 0xe4}
	versionTpub = [4]byte{0x04, 0x35, 0x87, 0xcf}
	versionTprv = [4]byte{0x04, 0x35, 0x83, 0x94}
)

// ParseExtendedKey parses a BIP32 xpub, xprv, tpub or tprv.
//
// hdkeychain.NewKeyFromString checks the length, checksum, private scalar
// range and public point; it accepts an unknown version, a version whose
// kind (public or private) differs from the key data, and a depth-0 key
// with a parent fingerprint or child index. ParseExtendedKey rejects those
// too, so every key of BIP32 test vector 5 fails. The caller zeroes a
// private result with Zero.
func ParseExtendedKey(s string) (*hdkeychain.ExtendedKey, error) {
	const payloadLen = 78
	raw := base58.Decode(s)
	defer clear(raw)
	if len(raw) != payloadLen+4 {
		return nil, keyErr(ErrKeyLength)
	}
	payload, check := raw[:payloadLen], raw[payloadLen:]
	if !bytes.Equal(chainhash.DoubleHashB(payload)[:4], check) {
		return nil, keyErr(ErrKeyChecksum)
	}
	version := [4]byte(payload[:4])
	depth := payload[4]
	parentFP := binary.BigEndian.Uint32(payload[5:9])
	childNum := binary.BigEndian.Uint32(payload[9:13])
	keyPrefix := payload[45]

	var private bool
	switch version {
	case versionXprv, versionTprv:
		private = true
	case versionXpub, versionTpub:
	default:
		return nil, keyErr(ErrKeyVersion)
	}
	switch {
	case keyPrefix == 0x02 || keyPrefix == 0x03:
		if private {
			return nil, keyErr(ErrKeyKind)
		}
	case keyPrefix == 0x00:
		if !private {
			return nil, keyErr(ErrKeyKind)
		}
	default:
		return nil, keyErr(ErrKeyData)
	}
	if depth == 0 && (parentFP != 0 || childNum != 0) {
		return nil, keyErr(ErrKeyDepth)
	}
	k, err := hdkeychain.NewKeyFromString(s)
	switch {
	case err == nil:
		return k, nil
	case errors.Is(err, hdkeychain.ErrInvalidKeyLen):
		return nil, keyErr(ErrKeyLength)
	case errors.Is(err, hdkeychain.ErrBadChecksum):
		return nil, keyErr(ErrKeyChecksum)
	default:
		// Private scalar 0 or >= n, or a public key off the curve.
		return nil, keyErr(ErrKeyData)
	}
}

func keyErr(reason error) error {
	return fmt.Errorf("parsing extended key: %w: %w", ErrExtendedKey, reason)
}
