package recovery

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Two-factor recovery codes are 12 Crockford base32 characters (60 bits),
// shown as three groups of four: "K7Q2-9XMD-4TRA".
const (
	recoveryCodeChars = 12
	crockford         = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
)

// NormalizeRecoveryCode returns the canonical form of a typed recovery code:
// full-width characters narrowed, upper case, spaces and dashes dropped, O
// read as 0 and I, L as 1. Otherwise it returns a [*RecoveryCodeError].
func NormalizeRecoveryCode(input string) (string, error) {
	var b strings.Builder
	pos := 0
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
			return "", &RecoveryCodeError{Position: pos}
		}
		b.WriteRune(r)
	}
	if b.Len() != recoveryCodeChars {
		return "", &RecoveryCodeError{Length: b.Len()}
	}
	return b.String(), nil
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
