package wallet

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/btcsuite/btcd/btcutil"
)

// Fingerprint is a BIP32 master key fingerprint: the first 4 bytes of
// HASH160 of the master public key. It names a wallet (phrase and
// passphrase) without revealing it; its children's keys carry it as their
// parent fingerprint. The zero Fingerprint means "unknown".
type Fingerprint [4]byte

// ErrFingerprint means a text is not 8 hex digits.
var ErrFingerprint = errors.New("wallet: a fingerprint is 8 hex digits")

// MasterFingerprint returns the fingerprint of a BIP39 seed's master key.
func MasterFingerprint(seed []byte) (Fingerprint, error) {
	m, err := masterKey(seed)
	if err != nil {
		return Fingerprint{}, err
	}
	defer m.Zero()
	pk, err := m.ECPubKey()
	if err != nil {
		return Fingerprint{}, err
	}
	return Fingerprint(btcutil.Hash160(pk.SerializeCompressed())[:4]), nil
}

// String returns the 8 lower-case hex digits, like "73c5da0a".
func (f Fingerprint) String() string { return hex.EncodeToString(f[:]) }

// IsZero reports whether f is unknown.
func (f Fingerprint) IsZero() bool { return f == Fingerprint{} }

// Uint32 returns f as BIP32 serializes it, big-endian.
func (f Fingerprint) Uint32() uint32 { return binary.BigEndian.Uint32(f[:]) }

// ParseFingerprint reads 8 hex digits, in either case, with spaces around
// or between them (as in "73c5 da0a") or a "0x" prefix allowed, as a user
// copies them from paper.
func ParseFingerprint(s string) (Fingerprint, error) {
	s = strings.Join(strings.Fields(s), "")
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	var f Fingerprint
	if len(s) != 2*len(f) {
		return f, fmt.Errorf("reading fingerprint: %w", ErrFingerprint)
	}
	if _, err := hex.Decode(f[:], []byte(s)); err != nil {
		return Fingerprint{}, fmt.Errorf("reading fingerprint: %w", ErrFingerprint)
	}
	return f, nil
}

// MarshalText writes f as String does.
func (f Fingerprint) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

// UnmarshalText reads f as ParseFingerprint does.
func (f *Fingerprint) UnmarshalText(b []byte) error {
	p, err := ParseFingerprint(string(b))
	if err != nil {
		return err
	}
	*f = p
	return nil
}
