package authapi

import (
	"errors"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// The reasons ParsePhone refuses a number.
var (
	// ErrPhoneCountry reports a number without its country code (+86…)
	// and no region to take it from.
	ErrPhoneCountry = errors.New("the phone number needs its country code, such as +86")
	// ErrPhoneInvalid reports a number that no country numbers so.
	ErrPhoneInvalid = errors.New("not a valid phone number")
	// ErrPhoneNotMobile reports a valid number that cannot take a text
	// message: a landline, a premium-rate or a shared-cost number.
	ErrPhoneNotMobile = errors.New("not a mobile phone number")
)

// ParsePhone reads a phone number as typed and returns it in E.164
// (+8613800138000). A number that does not start with + is read as a
// number of region (ISO 3166, "CN"); with no region it needs the +. Only
// numbers that can take a text message are accepted.
func ParsePhone(s, region string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 32 {
		return "", ErrPhoneInvalid
	}
	if !strings.HasPrefix(s, "+") && region == "" {
		return "", ErrPhoneCountry
	}
	n, err := phonenumbers.Parse(s, region)
	switch {
	case errors.Is(err, phonenumbers.ErrInvalidCountryCode):
		return "", ErrPhoneCountry
	case err != nil || !phonenumbers.IsValidNumber(n):
		return "", ErrPhoneInvalid
	}
	switch phonenumbers.GetNumberType(n) {
	case phonenumbers.MOBILE, phonenumbers.FIXED_LINE_OR_MOBILE:
		return phonenumbers.Format(n, phonenumbers.E164), nil
	}
	return "", ErrPhoneNotMobile
}

// PhoneRegion is the ISO 3166 region ("CN") of an E.164 number, "" when
// it has none.
func PhoneRegion(e164 string) string {
	n, err := phonenumbers.Parse(e164, "")
	if err != nil {
		return ""
	}
	return phonenumbers.GetRegionCodeForNumber(n)
}

// IsPhoneRegion reports whether region is an ISO 3166 region ("CN") that
// has phone numbers.
func IsPhoneRegion(region string) bool { return phonenumbers.GetCountryCodeForRegion(region) != 0 }

// FormatPhone shows an E.164 number the international way of its country
// (+86 138 0013 8000); a number it cannot read is shown as it is.
func FormatPhone(e164 string) string {
	n, err := phonenumbers.Parse(e164, "")
	if err != nil {
		return e164
	}
	return phonenumbers.Format(n, phonenumbers.INTERNATIONAL)
}

// MaskPhone shows an E.164 number as FormatPhone does with the middle
// digits of its national number hidden (+86 138 **** 8000): its owner
// knows it by the ends, a stranger learns little.
func MaskPhone(e164 string) string {
	n, err := phonenumbers.Parse(e164, "")
	if err != nil {
		return strings.Repeat("*", len(e164))
	}
	f := phonenumbers.Format(n, phonenumbers.INTERNATIONAL)
	// The national number follows the country code and its space.
	cc, national, ok := strings.Cut(f, " ")
	if !ok {
		return cc
	}
	digits := 0
	for _, r := range national {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	head, tail := 3, 4
	if digits < 10 {
		head, tail = 2, 2
	}
	var b strings.Builder
	b.WriteString(cc + " ")
	i := 0
	for _, r := range national {
		if r >= '0' && r <= '9' {
			if i >= head && i < digits-tail {
				r = '*'
			}
			i++
		}
		b.WriteRune(r)
	}
	return b.String()
}
