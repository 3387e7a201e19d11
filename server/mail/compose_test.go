package mail

import (
	"reflect"
	"strings"
	"testing"
	"unicode"
)

// composeCases drives TestCompose and seeds FuzzCompose.
var composeCases = []struct {
	name    string
	kind    Kind
	data    Data
	subject string
	// phraseLine is the expected first line, "" when the mail has none.
	phraseLine string
	want       []string
}{
	{
		name: "verify", kind: KindVerify, data: Data{Code: "482913", ValidMinutes: 10},
		subject: "Confirm your Sesame account",
		want:    []string{"\n    482913\n", "It expires in 10 minutes.", "Sesame support will never ask you for this code"},
	},
	{
		name: "verify with phrase", kind: KindVerify, data: Data{Code: "482913", ValidMinutes: 10, Phrase: "blue ostrich ☂"},
		subject: "Confirm your Sesame account", phraseLine: "Your anti-phishing phrase: «blue ostrich ☂»",
		want: []string{"\n    482913\n", "It expires in 10 minutes."},
	},
	{
		name: "account exists", kind: KindAccountExists, data: Data{},
		subject: "Someone tried to create a Sesame account with your address",
		want:    []string{"already has one", "never ask you for your password"},
	},
	{
		name: "account exists with phrase", kind: KindAccountExists, data: Data{Phrase: "tea at five"},
		subject:    "Someone tried to create a Sesame account with your address",
		phraseLine: "Your anti-phishing phrase: «tea at five»",
		want:       []string{"already has one"},
	},
	{
		name: "reset", kind: KindReset, data: Data{Code: "000731", ValidMinutes: 1},
		subject: "Reset your Sesame password",
		want:    []string{"\n    000731\n", "It expires in 1 minute.", "Sesame support will never ask you for this code", "your password stays as it is"},
	},
	{
		name: "reset with phrase, no validity", kind: KindReset, data: Data{Code: "999999", Phrase: "Ünïcödé ✓"},
		subject: "Reset your Sesame password", phraseLine: "Your anti-phishing phrase: «Ünïcödé ✓»",
		want: []string{"\n    999999\n", "It expires soon."},
	},
	{
		name: "password changed", kind: KindPasswordChanged, data: Data{},
		subject: "Your Sesame password was changed",
		want:    []string{"password of your Sesame account was just changed", "reset your password now"},
	},
	{
		name: "password changed with phrase", kind: KindPasswordChanged, data: Data{Phrase: "  spaced  "},
		subject: "Your Sesame password was changed", phraseLine: "Your anti-phishing phrase: «spaced»",
	},
	{
		name: "two-factor enabled", kind: KindTwoFactorEnabled, data: Data{},
		subject: "Two-factor authentication is on for your Sesame account",
		want:    []string{"turned on", "recovery codes"},
	},
	{
		name: "two-factor enabled with phrase", kind: KindTwoFactorEnabled, data: Data{Phrase: "owl"},
		subject: "Two-factor authentication is on for your Sesame account", phraseLine: "Your anti-phishing phrase: «owl»",
	},
	{
		name: "two-factor disabled", kind: KindTwoFactorDisabled, data: Data{},
		subject: "Two-factor authentication is off for your Sesame account",
		want:    []string{"turned off", "turn two-factor authentication back on"},
	},
	{
		name: "two-factor disabled, phrase with line breaks and bidi override", kind: KindTwoFactorDisabled,
		data:    Data{Phrase: "owl\r\nSupport: call us\u202e"},
		subject: "Two-factor authentication is off for your Sesame account", phraseLine: "Your anti-phishing phrase: «owl  Support: call us»",
	},
	{
		name: "phone added", kind: KindPhoneAdded, data: Data{},
		subject: "A phone number was added to your Sesame account",
		want:    []string{"by text message", "If this was not you"},
	},
	{
		name: "phone removed", kind: KindPhoneRemoved, data: Data{},
		subject: "The phone number of your Sesame account was removed",
		want:    []string{"no longer", "If this was not you"},
	},
	{
		name: "codes locked", kind: KindCodesLocked, data: Data{},
		subject: "Too many wrong codes were tried for your Sesame account",
		want:    []string{"too many wrong codes", "up to a day"},
	},
	{
		name: "codes locked with phrase", kind: KindCodesLocked, data: Data{Phrase: "owl"},
		subject: "Too many wrong codes were tried for your Sesame account", phraseLine: "Your anti-phishing phrase: «owl»",
	},
	{
		name: "blank phrase counts as none", kind: KindPasswordChanged, data: Data{Phrase: " \t\n"},
		subject: "Your Sesame password was changed",
	},
}

var codeKinds = map[Kind]bool{KindVerify: true, KindReset: true, KindSupportCode: true}

func TestCompose(t *testing.T) {
	for _, tc := range composeCases {
		t.Run(tc.name, func(t *testing.T) {
			m := Compose(tc.kind, "alice@example.com", tc.data)
			if m.To != "alice@example.com" {
				t.Errorf("To = %q", m.To)
			}
			if m.Subject != tc.subject {
				t.Errorf("Subject = %q, want %q", m.Subject, tc.subject)
			}
			first, _, _ := strings.Cut(m.Text, "\n")
			if tc.phraseLine != "" {
				if first != tc.phraseLine {
					t.Errorf("first line = %q, want %q", first, tc.phraseLine)
				}
			} else {
				if strings.Contains(m.Text, phraseLine("en")) {
					t.Errorf("mail without a phrase names one:\n%s", m.Text)
				}
				if first != "Hello," {
					t.Errorf("first line = %q, want Hello,", first)
				}
			}
			for _, w := range tc.want {
				if !strings.Contains(m.Text, w) {
					t.Errorf("text lacks %q:\n%s", w, m.Text)
				}
			}
			if codeKinds[tc.kind] != strings.Contains(m.Text, "expires") {
				t.Errorf("code wording present = %v for %v", !codeKinds[tc.kind], tc.kind)
			}
			if !strings.HasSuffix(m.Text, "\n— Sesame\n") {
				t.Errorf("text does not end with the signature:\n%s", m.Text)
			}
		})
	}
}

// TestComposeExact pins one whole mail.
func TestComposeExact(t *testing.T) {
	m := Compose(KindVerify, "alice@example.com", Data{Code: "482913", ValidMinutes: 10, Phrase: "blue ostrich"})
	want := `Your anti-phishing phrase: «blue ostrich»

Hello,

Your code to confirm your new Sesame account:

    482913

It expires in 10 minutes. Sesame support will never ask you for this code: do not give it to anyone.

If you did not create a Sesame account, ignore this mail: without the code, no account is opened.

— Sesame
`
	if m.Text != want {
		t.Errorf("text =\n%s\nwant\n%s", m.Text, want)
	}
}

// TestNoPasswordField pins the shapes: nothing a caller passes to Compose
// can be a password.
func TestNoPasswordField(t *testing.T) {
	fields := func(v any) []string {
		var out []string
		rt := reflect.TypeOf(v)
		for i := range rt.NumField() {
			out = append(out, rt.Field(i).Name)
		}
		return out
	}
	if got, want := fields(Data{}), []string{"Language", "Code", "Long", "ValidMinutes", "Phrase", "At", "Device", "IP", "Link", "LockedUntil", "Count", "Ticket", "StaffPhrase", "Reply"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Data fields = %v, want %v", got, want)
	}
	if got, want := fields(Message{}), []string{"To", "Subject", "Text", "HTML"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Message fields = %v, want %v", got, want)
	}
	want := reflect.TypeOf(func(Kind, string, Data) Message { return Message{} })
	if got := reflect.TypeOf(Compose); got != want {
		t.Errorf("Compose is %v, want %v", got, want)
	}
}

func TestComposeUnknownKindPanics(t *testing.T) {
	for _, k := range []Kind{0, Kind(len(kindNames) + 1)} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Compose(%v) did not panic", k)
				}
			}()
			Compose(k, "alice@example.com", Data{})
		}()
	}
}

func FuzzCompose(f *testing.F) {
	for _, tc := range composeCases {
		f.Add(uint8(tc.kind), tc.data.Code, tc.data.ValidMinutes, tc.data.Phrase, "en")
	}
	f.Add(uint8(KindReset), "123456", 15, "蓝色鸵鸟", "zh-Hans")
	f.Add(uint8(KindVerify), "123456", 15, "<b>&amp;", "xx")
	f.Fuzz(func(t *testing.T, k uint8, code string, minutes int, phrase, lang string) {
		kind := Kind(1 + int(k)%int(KindCodesLocked))
		m := Compose(kind, "bob@example.com", Data{Language: lang, Code: code, ValidMinutes: minutes, Phrase: phrase})
		if m.To != "bob@example.com" || m.Subject == "" || strings.ContainsAny(m.Subject, "\r\n") {
			t.Fatalf("bad header fields: %+v", m)
		}
		if codeKinds[kind] && !strings.Contains(m.Text, code) {
			t.Fatalf("%v mail lacks its code", kind)
		}
		first, _, _ := strings.Cut(m.Text, "\n")
		hasPhrase := strings.TrimFunc(phrase, func(r rune) bool {
			return unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029'
		}) != ""
		if hasPhrase != strings.HasPrefix(first, phraseLine(lang)+"«") {
			t.Fatalf("phrase %q: first line %q", phrase, first)
		}
		for _, r := range first {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' {
				t.Fatalf("first line carries %U", r)
			}
		}
	})
}
