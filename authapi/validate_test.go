package authapi_test

import (
	"errors"
	"testing"

	"sesame/authapi"
)

// emailCases drives TestValidateEmail and seeds FuzzValidateEmail.
var emailCases = []struct {
	in string
	ok bool
}{
	{"ana@example.org", true},
	{"  Ana@Example.ORG ", true},
	{"李@例子.中国", true},
	{"ana.b+tag@mail.example.org", true},
	{"", false},
	{"ana", false},
	{"ana@localhost", false},
	{"Ana <ana@example.org>", false},
	{"an a@example.org", false},
	{"ana\u200b@example.org", false},    // zero-width space
	{"an\u200da@example.org", false},    // zero-width joiner
	{"ana@exa\u00admple.org", false},    // soft hyphen
	{"ana\u202e@example.org", false},    // right-to-left override
	{"ana\ufeff@example.org", false},    // byte order mark
	{"ana\u2060@example.org", false},    // word joiner
	{"ana\ufe0f@example.org", false},    // variation selector
	{"ana\u3164@example.org", false},    // Hangul filler
	{"ana\u00a0@example.org", false},    // no-break space
	{"ana\u2028@example.org", false},    // line separator
	{"ana\ue000@example.org", false},    // private use
	{"ana\x00@example.org", false},      // control
	{"ana@example.org\u034f", false},    // combining grapheme joiner
	{"ana@ex\U000e0041mple.org", false}, // tag character
}

func TestValidateEmail(t *testing.T) {
	for _, c := range emailCases {
		err := authapi.ValidateEmail(c.in)
		if (err == nil) != c.ok {
			t.Errorf("ValidateEmail(%+q) = %v, want ok=%v", c.in, err, c.ok)
		}
		if err != nil && !errors.Is(err, authapi.ErrInvalidEmail) {
			t.Errorf("ValidateEmail(%+q) = %v, want ErrInvalidEmail", c.in, err)
		}
	}
}

func FuzzValidateEmail(f *testing.F) {
	for _, c := range emailCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if authapi.ValidateEmail(in) != nil {
			return
		}
		// An accepted address is its own normal form's, and normalising
		// it again changes nothing.
		n := authapi.NormalizeEmail(in)
		if authapi.ValidateEmail(n) != nil || authapi.NormalizeEmail(n) != n {
			t.Fatalf("%+q accepted but its normal form %+q is not", in, n)
		}
	})
}

// mailedCodes drives TestMailedCode: typed or pasted input, the code read
// and whether it is long ("" when refused).
var mailedCodes = []struct {
	in, code string
	long     bool
}{
	{"123456", "123456", false},
	{" 123456\n", "123456", false},
	{"12345", "", false},
	{"1234567", "", false},
	{"K7QMW-2ZP9R-4TXAB-CDEFG", "K7QMW2ZP9R4TXABCDEFG", true},
	{"k7qmw 2zp9r 4txab cdefg\n", "K7QMW2ZP9R4TXABCDEFG", true},
	{"K7QMW2ZP9R4TXABCDEFG\r\n", "K7QMW2ZP9R4TXABCDEFG", true},
	{"o1il0-22222-33333-44444", "01110222223333344444", true},
	{"K7QMW-2ZP9R-4TXAB-CDEF", "", false},
	{"K7QMW-2ZP9R-4TXAB-CDEFGH", "", false},
	{"K7QMW-2ZP9R-4TXAB-CDEFU", "", false},
	{"K7QM-W2ZP-9R4T", "", false},
}

func TestMailedCode(t *testing.T) {
	for _, c := range mailedCodes {
		code, long, err := authapi.MailedCode(c.in)
		if c.code == "" {
			if !errors.Is(err, authapi.ErrInvalidCode) {
				t.Errorf("MailedCode(%q) = %q, %v; want ErrInvalidCode", c.in, code, err)
			}
			continue
		}
		if err != nil || code != c.code || long != c.long {
			t.Errorf("MailedCode(%q) = %q, %v, %v; want %q, %v", c.in, code, long, err, c.code, c.long)
		}
	}
	for range 100 {
		c := authapi.NewLongCode()
		f := authapi.FormatLongCode(c)
		if got, long, err := authapi.MailedCode(f); err != nil || !long || got != c || len(f) != 23 {
			t.Fatalf("%q formatted %q reads %q, %v, %v", c, f, got, long, err)
		}
	}
}

// FuzzMailedCode: whatever is typed, a code read is 6 digits or a
// canonical long code, which reads back the same once grouped.
func FuzzMailedCode(f *testing.F) {
	for _, c := range mailedCodes {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		code, long, err := authapi.MailedCode(in)
		switch {
		case err != nil:
			if !errors.Is(err, authapi.ErrInvalidCode) {
				t.Fatalf("MailedCode(%q): %v", in, err)
			}
		case !long:
			if authapi.ValidateCode(code) != nil {
				t.Fatalf("MailedCode(%q) = %q, not 6 digits", in, code)
			}
		default:
			if again, long, err := authapi.MailedCode(authapi.FormatLongCode(code)); err != nil || !long || again != code || len(code) != authapi.LongCodeChars {
				t.Fatalf("MailedCode(%q) = %q, which reads back as %q, %v, %v", in, code, again, long, err)
			}
		}
	})
}
