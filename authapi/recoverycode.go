package authapi

import (
	"crypto/rand"
	"errors"
	"strings"
)

// Recovery codes are 12 Crockford base32 characters (60 bits), shown as
// three groups of four: "K7Q2-9XMD-4TRA".
const (
	RecoveryCodeChars = 12
	RecoveryCodeCount = 10
	crockford         = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
)

// ErrInvalidRecoveryCode reports input that is not a recovery code's form.
var ErrInvalidRecoveryCode = errors.New("a recovery code is 12 letters and digits")

// NewRecoveryCode returns a fresh code in its canonical form (no hyphens).
func NewRecoveryCode() string {
	var b [RecoveryCodeChars]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	for i := range b {
		b[i] = crockford[b[i]&31]
	}
	return string(b[:])
}

// NormalizeRecoveryCode returns the canonical form of typed input: upper
// case, spaces and hyphens dropped, O read as 0 and I, L as 1.
func NormalizeRecoveryCode(in string) (string, error) {
	var b strings.Builder
	for _, r := range strings.ToUpper(in) {
		switch {
		case r == ' ' || r == '-':
			continue
		case r == 'O':
			r = '0'
		case r == 'I' || r == 'L':
			r = '1'
		case r == 'U' || !strings.ContainsRune(crockford, r):
			return "", ErrInvalidRecoveryCode
		}
		b.WriteRune(r)
	}
	if b.Len() != RecoveryCodeChars {
		return "", ErrInvalidRecoveryCode
	}
	return b.String(), nil
}

// FormatRecoveryCode groups a canonical code as XXXX-XXXX-XXXX.
func FormatRecoveryCode(c string) string {
	if len(c) != RecoveryCodeChars {
		return c
	}
	return c[:4] + "-" + c[4:8] + "-" + c[8:]
}
