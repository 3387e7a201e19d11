package authapi_test

import (
	"errors"
	"testing"

	"sesame/authapi"
)

// phoneCases are numbers as typed, the region they are read in, and what
// ParsePhone, FormatPhone and MaskPhone make of them.
var phoneCases = []struct {
	in, region        string
	e164, shown, mask string
	err               error
}{
	{"+86 138 0013 8000", "", "+8613800138000", "+86 138 0013 8000", "+86 138 **** 8000", nil},
	{"13800138000", "CN", "+8613800138000", "+86 138 0013 8000", "+86 138 **** 8000", nil},
	{"138-0013-8000", "CN", "+8613800138000", "+86 138 0013 8000", "+86 138 **** 8000", nil},
	{"+8613912345678", "", "+8613912345678", "+86 139 1234 5678", "+86 139 **** 5678", nil},
	{"+1 201-555-0123", "CN", "+12015550123", "+1 201-555-0123", "+1 201-***-0123", nil},
	{"+44 7400 123456", "", "+447400123456", "+44 7400 123456", "+44 740* **3456", nil},
	{"13800138000", "", "", "", "", authapi.ErrPhoneCountry},
	{"+999 1234", "", "", "", "", authapi.ErrPhoneCountry},
	{"+86 138", "", "", "", "", authapi.ErrPhoneInvalid},
	{"not a number", "CN", "", "", "", authapi.ErrPhoneInvalid},
	{"", "CN", "", "", "", authapi.ErrPhoneInvalid},
	{"010 1234 5678", "CN", "", "", "", authapi.ErrPhoneNotMobile},  // a Beijing landline
	{"+44 909 879 0000", "", "", "", "", authapi.ErrPhoneNotMobile}, // premium rate
}

func TestPhone(t *testing.T) {
	for _, c := range phoneCases {
		got, err := authapi.ParsePhone(c.in, c.region)
		if !errors.Is(err, c.err) || got != c.e164 {
			t.Errorf("ParsePhone(%q, %q) = %q, %v; want %q, %v", c.in, c.region, got, err, c.e164, c.err)
			continue
		}
		if err != nil {
			continue
		}
		if s := authapi.FormatPhone(got); s != c.shown {
			t.Errorf("FormatPhone(%q) = %q, want %q", got, s, c.shown)
		}
		if s := authapi.MaskPhone(got); s != c.mask {
			t.Errorf("MaskPhone(%q) = %q, want %q", got, s, c.mask)
		}
	}
}

func FuzzParsePhone(f *testing.F) {
	for _, c := range phoneCases {
		f.Add(c.in, c.region)
	}
	f.Fuzz(func(t *testing.T, in, region string) {
		e164, err := authapi.ParsePhone(in, region)
		if err != nil {
			return
		}
		// A parsed number parses again to itself.
		if again, err := authapi.ParsePhone(e164, ""); err != nil || again != e164 {
			t.Fatalf("ParsePhone(%q) = %q, %v; want %q", e164, again, err, e164)
		}
		if authapi.MaskPhone(e164) == authapi.FormatPhone(e164) {
			t.Fatalf("MaskPhone(%q) hides nothing", e164)
		}
	})
}
