package authapi

import "strings"

// A long code is what the server mails instead of a 6-digit code when the
// address's wrong-code budget is spent or its code mails are capped: 20
// Crockford base32 characters (100 bits), too many to guess, so that its
// tries spend no budget. It is mailed in four groups of five,
// "K7QMW-2ZP9R-…", and typed or pasted in the same code field.
const (
	LongCodeChars = 20
	longCodeGroup = 5
)

// NewLongCode returns a fresh long code in its canonical form (no dashes).
func NewLongCode() string { return newCrockford(LongCodeChars) }

// FormatLongCode groups a canonical long code by five with dashes.
func FormatLongCode(code string) string {
	var groups []string
	for len(code) > longCodeGroup {
		groups, code = append(groups, code[:longCodeGroup]), code[longCodeGroup:]
	}
	return strings.Join(append(groups, code), "-")
}

// MailedCode reads a typed or pasted mailed code: 6 digits (spaces
// around them dropped), or a long code read as recovery codes are (spaces,
// dashes, newlines and case ignored; O is 0, I and L are 1), which it
// returns in canonical form with long set. Anything else is
// ErrInvalidCode.
func MailedCode(input string) (code string, long bool, err error) {
	if c := strings.TrimSpace(input); ValidateCode(c) == nil {
		return c, false, nil
	}
	if c, pos := readCrockford(input); pos == 0 && len(c) == LongCodeChars {
		return c, true, nil
	}
	return "", false, ErrInvalidCode
}
