package authapi

import (
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Recovery codes are 12 Crockford base32 characters (60 bits), shown as
// three groups of four: "K7Q2-9XMD-4TRA".
const (
	RecoveryCodeChars = 12
	RecoveryCodeCount = 10
	crockford         = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
)

// ErrInvalidRecoveryCode reports input that is not a recovery code's form;
// the error is a [*RecoveryCodeError].
var ErrInvalidRecoveryCode = errors.New("not a recovery code")

// RecoveryCodeError reports why input is not a recovery code.
type RecoveryCodeError struct {
	// Position is the 1-based character position in the input of the first
	// character that cannot be part of a code, or 0.
	Position int
	// Length is the number of code characters found when Position is 0.
	Length int
}

func (e *RecoveryCodeError) Error() string {
	if e.Position > 0 {
		return fmt.Sprintf("character %d cannot be part of a recovery code", e.Position)
	}
	return fmt.Sprintf("a recovery code has %d characters, not %d", RecoveryCodeChars, e.Length)
}

func (e *RecoveryCodeError) Unwrap() error { return ErrInvalidRecoveryCode }

// NewRecoveryCode returns a fresh code in its canonical form (no hyphens).
func NewRecoveryCode() string { return newCrockford(RecoveryCodeChars) }

// newCrockford returns n random Crockford base32 characters.
func newCrockford(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	for i := range b {
		b[i] = crockford[b[i]&31]
	}
	return string(b)
}

// NormalizeRecoveryCode returns the canonical form of a typed recovery code:
// full-width characters narrowed, upper case, spaces and dashes dropped, O
// read as 0 and I, L as 1. Otherwise it returns a [*RecoveryCodeError].
func NormalizeRecoveryCode(input string) (string, error) {
	c, pos := readCrockford(input)
	if pos > 0 {
		return "", &RecoveryCodeError{Position: pos}
	}
	if len(c) != RecoveryCodeChars {
		return "", &RecoveryCodeError{Length: len(c)}
	}
	return c, nil
}

// readCrockford reads typed Crockford base32: full-width characters
// narrowed, upper case, spaces and dashes dropped, O read as 0 and I, L
// as 1. pos is the 1-based position of the first character that cannot be
// part of it, or 0.
func readCrockford(input string) (code string, pos int) {
	var b strings.Builder
	for _, r := range input {
		pos++
		if s := norm.NFKD.String(string(r)); utf8.RuneCountInString(s) == 1 {
			r, _ = utf8.DecodeRuneInString(s) // "Ａ" → "A"
		}
		if unicode.IsSpace(r) || unicode.Is(unicode.Pd, r) {
			continue
		}
		r = unicode.ToUpper(r)
		switch r {
		case 'O':
			r = '0'
		case 'I', 'L':
			r = '1'
		}
		if !strings.ContainsRune(crockford, r) {
			return "", pos
		}
		b.WriteRune(r)
	}
	return b.String(), 0
}

// FormatRecoveryCode returns code normalised and grouped as XXXX-XXXX-XXXX,
// or code unchanged if it is not a recovery code.
func FormatRecoveryCode(code string) string {
	c, err := NormalizeRecoveryCode(code)
	if err != nil {
		return code
	}
	return c[:4] + "-" + c[4:8] + "-" + c[8:]
}
