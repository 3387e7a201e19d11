package wallet

import (
	"encoding/hex"
	"errors"
	"fmt"

	"golang.org/x/crypto/sha3"
)

// Ethereum address check results. ValidateEIP55 wraps one of these.
var (
	// ErrAddressFormat means the text is not "0x" followed by 40 hex digits.
	ErrAddressFormat = errors.New("wallet: not an Ethereum address")
	// ErrAddressNoChecksum means the hex digits are all lower or all upper
	// case, so EIP-55 cannot catch a typo; the address may still be right.
	ErrAddressNoChecksum = errors.New("wallet: Ethereum address has no EIP-55 checksum")
	// ErrAddressChecksum means the mixed-case checksum does not match: the
	// address has a typo.
	ErrAddressChecksum = errors.New("wallet: Ethereum address checksum mismatch")
)

// EIP55 returns addr as "0x" and 40 hex digits, each letter upper case
// when the matching nibble of Keccak-256(lower-case hex) is 8 or more.
func EIP55(addr [20]byte) string {
	var buf [42]byte
	buf[0], buf[1] = '0', 'x'
	digits := buf[2:]
	hex.Encode(digits, addr[:])
	h := sha3.NewLegacyKeccak256()
	h.Write(digits)
	var sum [32]byte
	h.Sum(sum[:0])
	for i, c := range digits {
		nibble := sum[i/2] >> 4
		if i%2 == 1 {
			nibble = sum[i/2] & 0x0f
		}
		if c >= 'a' && nibble >= 8 {
			digits[i] = c - 'a' + 'A'
		}
	}
	return string(buf[:])
}

// ValidateEIP55 checks that s is an Ethereum address with a correct EIP-55
// checksum. It returns nil, or an error wrapping ErrAddressFormat,
// ErrAddressNoChecksum or ErrAddressChecksum.
func ValidateEIP55(s string) error {
	if len(s) != 42 || s[0] != '0' || s[1] != 'x' {
		return fmt.Errorf("checking address of %d characters: %w", len(s), ErrAddressFormat)
	}
	var a [20]byte
	if _, err := hex.Decode(a[:], []byte(s[2:])); err != nil {
		return fmt.Errorf("checking address: %w", ErrAddressFormat)
	}
	if EIP55(a) == s {
		return nil
	}
	lower, upper := false, false
	for _, c := range s[2:] {
		switch {
		case c >= 'a' && c <= 'f':
			lower = true
		case c >= 'A' && c <= 'F':
			upper = true
		}
	}
	if lower && upper {
		return fmt.Errorf("checking address: %w", ErrAddressChecksum)
	}
	return fmt.Errorf("checking address: %w", ErrAddressNoChecksum)
}
