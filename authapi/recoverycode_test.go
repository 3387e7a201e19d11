package authapi

import (
	"errors"
	"strings"
	"testing"
)

var recoveryCodeCases = []struct {
	input    string
	want     string // "" when invalid
	position int    // RecoveryCodeError.Position
	length   int    // RecoveryCodeError.Length
}{
	{input: "K7Q29XMD4TRA", want: "K7Q29XMD4TRA"},
	{input: "K7Q2-9XMD-4TRA", want: "K7Q29XMD4TRA"},
	{input: " k7q2 9xmd\t4tra ", want: "K7Q29XMD4TRA"},
	{input: "k7q2–9xmd—4tra", want: "K7Q29XMD4TRA"}, // en and em dashes
	{input: "ｋ７ｑ２－９ｘｍｄ－４ｔｒａ", want: "K7Q29XMD4TRA"}, // full width
	{input: "oOiI-lL01-2345", want: "00111101" + "2345"},
	{input: "", length: 0},
	{input: "K7Q2-9XMD-4TR", length: 11},
	{input: "K7Q2-9XMD-4TRA-A", length: 13},
	{input: "K7Q2-9XMD-4TRU", position: 14}, // U is not Crockford
	{input: "K7Q2_9XMD_4TRA", position: 5},  // underscore
	{input: "K7Q2-9XMD-4TRÀ", position: 14}, // accented letter
	{input: "K7Q2-9XMD-4TR*", position: 14},
}

func TestNormalizeRecoveryCode(t *testing.T) {
	for _, c := range recoveryCodeCases {
		got, err := NormalizeRecoveryCode(c.input)
		if c.want != "" {
			if err != nil || got != c.want {
				t.Errorf("%q: %q, %v; want %q", c.input, got, err, c.want)
			}
			if f := FormatRecoveryCode(c.input); f != c.want[:4]+"-"+c.want[4:8]+"-"+c.want[8:] {
				t.Errorf("Format(%q) = %q", c.input, f)
			}
			continue
		}
		var e *RecoveryCodeError
		if !errors.As(err, &e) || !errors.Is(err, ErrInvalidRecoveryCode) || e.Position != c.position || e.Length != c.length {
			t.Errorf("%q: %q, %v; want position %d length %d", c.input, got, err, c.position, c.length)
			continue
		}
		if c.input != "" && strings.Contains(err.Error(), c.input) {
			t.Errorf("error text %q contains the code", err)
		}
		if f := FormatRecoveryCode(c.input); f != c.input {
			t.Errorf("Format(%q) = %q, want it unchanged", c.input, f)
		}
	}
}

func FuzzNormalizeRecoveryCode(f *testing.F) {
	for _, c := range recoveryCodeCases {
		f.Add(c.input)
	}
	f.Fuzz(func(t *testing.T, input string) {
		got, err := NormalizeRecoveryCode(input)
		if err != nil {
			var e *RecoveryCodeError
			if !errors.As(err, &e) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if len(got) != 12 || strings.Trim(got, crockford) != "" {
			t.Fatalf("%q is not canonical", got)
		}
		if again, err := NormalizeRecoveryCode(FormatRecoveryCode(got)); err != nil || again != got {
			t.Fatalf("formatted code does not normalise back: %q, %v", again, err)
		}
	})
}
