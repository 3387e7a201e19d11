package authapi

import (
	"bufio"
	"bytes"
	_ "embed"
	"errors"
	"net/mail"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Password rules of the contract. The client's meter recommends
// RecommendedPasswordLen; the server refuses below MinPasswordLen.
const (
	MinPasswordLen         = 8
	RecommendedPasswordLen = 12
	MaxPasswordLen         = 256
	MaxEmailLen            = 254
	MaxDeviceNameLen       = 64
	MaxPhraseLen           = 64
	CodeLen                = 6
)

// Reason names why a password is refused; the client translates it.
type Reason string

// Password refusal reasons.
const (
	ReasonTooShort     Reason = "too_short"
	ReasonTooLong      Reason = "too_long"
	ReasonCommon       Reason = "common_password"
	ReasonContainsMail Reason = "contains_email"
	ReasonControlChars Reason = "control_characters"
)

// Validation errors; each wraps into a FieldError naming the member.
var (
	ErrInvalidEmail  = errors.New("not a valid email address")
	ErrInvalidCode   = errors.New("must be 6 digits")
	ErrInvalidDevice = errors.New("device name must be 1 to 64 printable characters")
	ErrInvalidPhrase = errors.New("phrase must be 1 to 64 printable characters")
	ErrWeakPassword  = errors.New("password does not meet the policy")
)

// WeakPasswordError lists why a password was refused.
type WeakPasswordError struct{ Reasons []Reason }

func (e *WeakPasswordError) Error() string {
	r := make([]string, len(e.Reasons))
	for i, x := range e.Reasons {
		r[i] = string(x)
	}
	return "weak password: " + strings.Join(r, ", ")
}

func (e *WeakPasswordError) Unwrap() error { return ErrWeakPassword }

//go:embed common-passwords.txt
var commonList []byte

var (
	commonOnce sync.Once
	commonSet  map[string]struct{}
)

// IsCommonPassword reports whether p, case-folded, is one of the 30,000 most
// common passwords of the shipped list (zxcvbn's list, from leaked sets).
func IsCommonPassword(p string) bool {
	commonOnce.Do(func() {
		commonSet = make(map[string]struct{}, 30000)
		sc := bufio.NewScanner(bytes.NewReader(commonList))
		for sc.Scan() {
			if w := strings.TrimSpace(sc.Text()); w != "" {
				commonSet[w] = struct{}{}
			}
		}
	})
	_, ok := commonSet[strings.ToLower(p)]
	return ok
}

// NormalizePassword returns the NFKC form of p, the form that is hashed.
func NormalizePassword(p string) string { return norm.NFKC.String(p) }

// CheckPassword applies the password policy to p for the account email. It
// returns nil or a *WeakPasswordError. Screens, the app and the server all
// call it.
func CheckPassword(p, email string) error {
	if !utf8.ValidString(p) {
		return &WeakPasswordError{Reasons: []Reason{ReasonControlChars}}
	}
	p = NormalizePassword(p)
	var reasons []Reason
	n := utf8.RuneCountInString(p)
	switch {
	case n < MinPasswordLen:
		reasons = append(reasons, ReasonTooShort)
	case n > MaxPasswordLen:
		reasons = append(reasons, ReasonTooLong)
	}
	if strings.ContainsFunc(p, unicode.IsControl) {
		reasons = append(reasons, ReasonControlChars)
	}
	if IsCommonPassword(p) {
		reasons = append(reasons, ReasonCommon)
	}
	if local, _, ok := strings.Cut(NormalizeEmail(email), "@"); ok && len(local) >= 4 &&
		strings.Contains(strings.ToLower(p), local) {
		reasons = append(reasons, ReasonContainsMail)
	}
	if reasons != nil {
		return &WeakPasswordError{Reasons: reasons}
	}
	return nil
}

// Strength scores p from 0 (refused) to 4 for the client's meter: 1 meets the
// minimum, 2 reaches the recommended length, 3 and 4 add length and variety.
func Strength(p, email string) int {
	if CheckPassword(p, email) != nil {
		return 0
	}
	n := utf8.RuneCountInString(NormalizePassword(p))
	classes := 0
	for _, f := range []func(rune) bool{unicode.IsLower, unicode.IsUpper, unicode.IsDigit, isSymbol} {
		if strings.ContainsFunc(p, f) {
			classes++
		}
	}
	switch {
	case n >= 16 && classes >= 3, n >= 20:
		return 4
	case n >= RecommendedPasswordLen && classes >= 2, n >= 16:
		return 3
	case n >= RecommendedPasswordLen:
		return 2
	}
	return 1
}

func isSymbol(r rune) bool {
	return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsSpace(r)
}

// NormalizeEmail trims and lower-cases an address; accounts are keyed by it.
func NormalizeEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

// ValidateEmail checks that e is one plain address (no display name) with
// no invisible characters: an address that looks like another must not
// name another account.
func ValidateEmail(e string) error {
	e = NormalizeEmail(e)
	if e == "" || len(e) > MaxEmailLen || !utf8.ValidString(e) || strings.ContainsFunc(e, invisible) {
		return ErrInvalidEmail
	}
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || a.Name != "" {
		return ErrInvalidEmail
	}
	local, domain, _ := strings.Cut(e, "@")
	if local == "" || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") ||
		strings.HasSuffix(domain, ".") {
		return ErrInvalidEmail
	}
	return nil
}

// ValidateCode checks the form of a mailed or TOTP code: exactly 6 ASCII digits.
func ValidateCode(c string) error {
	if len(c) != CodeLen {
		return ErrInvalidCode
	}
	for i := 0; i < len(c); i++ {
		if c[i] < '0' || c[i] > '9' {
			return ErrInvalidCode
		}
	}
	return nil
}

// ValidateDeviceName checks a session's device name.
func ValidateDeviceName(d string) error {
	if !printable(d, MaxDeviceNameLen) {
		return ErrInvalidDevice
	}
	return nil
}

// ValidatePhrase checks an anti-phishing phrase.
func ValidatePhrase(p string) error {
	if !printable(p, MaxPhraseLen) {
		return ErrInvalidPhrase
	}
	return nil
}

// invisible reports a character that shows nothing of its own: controls,
// format characters (zero-width spaces and joiners, bidirectional marks),
// spaces and separators, private-use and surrogate code points, variation
// selectors and the other default-ignorable code points (Hangul fillers).
func invisible(r rune) bool {
	return unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co, unicode.Cs, unicode.Z,
		unicode.Variation_Selector, unicode.Other_Default_Ignorable_Code_Point)
}

func printable(s string, max int) bool {
	n := utf8.RuneCountInString(s)
	return utf8.ValidString(s) && strings.TrimSpace(s) != "" && n <= max &&
		!strings.ContainsFunc(s, func(r rune) bool { return !unicode.IsPrint(r) && r != ' ' })
}
