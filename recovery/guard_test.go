package recovery

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"sesame/authapi"
)

// guardCases are the texts of a support request and what FindSecret finds
// in them ("" for nothing); the same table seeds FuzzFindSecret.
var guardCases = []struct {
	name, text string
	passwords  []string
	want       authapi.SecretKind
}{
	{"plain English", "I cannot sign in since yesterday: the app says my account is locked. Please help.", nil, ""},
	{"English with listed words", "My wallet balance is wrong after the update, and the app will not open the vault.", nil, ""},
	{"plain Chinese", "我从昨天开始无法登录，应用显示我的账户已被锁定。请帮助我。", nil, ""},
	{"Chinese with a date", "我在2026年12月7日收到了一封邮件，然后就无法登录了。", nil, ""},
	{"twelve words", "abandon ability able about above absent absorb abstract absurd abuse access accident", nil, authapi.SecretRecoveryPhrase},
	{"seven words", "my words are: legal winner thank year wave sausage worth, what now?", nil, authapi.SecretRecoveryPhrase},
	{"six words", "legal winner thank year wave sausage", nil, ""},
	{"English of listed words", "Fix the problem found above first, then run the check again.", nil, ""},
	{"numbered", "1. legal 2. winner 3. thank 4. year 5. wave 6. sausage 7. worth", nil, authapi.SecretRecoveryPhrase},
	{"upper case", "LEGAL WINNER THANK YEAR WAVE SAUSAGE WORTH", nil, authapi.SecretRecoveryPhrase},
	{"one per line", "legal\nwinner\nthank\nyear\nwave\nsausage\nworth\n", nil, authapi.SecretRecoveryPhrase},
	{"French", "abaisser abandon abdiquer abeille abolir aborder aboutir", nil, authapi.SecretRecoveryPhrase},
	{"Spanish accented", "ábaco abdomen abeja abierto abogado abono aborto", nil, authapi.SecretRecoveryPhrase},
	{"Chinese spaced", "我的助记词是 的 一 是 在 不 了 有 和", nil, authapi.SecretRecoveryPhrase},
	{"Chinese ideographic comma", "的、一、是、在、不、了、有", nil, authapi.SecretRecoveryPhrase},
	{"Japanese spaced", "あいこくしん　あいさつ　あいだ　あおぞら　あかちゃん　あきる　あけがた", nil, authapi.SecretRecoveryPhrase},
	{"Japanese unspaced", "フレーズは、あいこくしんあいさつあいだあおぞらあかちゃんあきるあけがたです", nil, authapi.SecretRecoveryPhrase},
	{"Korean", "가격 가끔 가난 가능 가득 가르침 가뭄", nil, authapi.SecretRecoveryPhrase},
	{"recovery code grouped", "my recovery code K7Q2-9XMD-4TRA did not work", nil, authapi.SecretRecoveryCode},
	{"recovery code spaced", "K7Q2 9XMD 4TRA", nil, authapi.SecretRecoveryCode},
	{"recovery code whole", "k7q29xmd4tra", nil, authapi.SecretRecoveryCode},
	{"recovery code full width", "Ｋ７Ｑ２-９ＸＭＤ-４ＴＲＡ", nil, authapi.SecretRecoveryCode},
	{"twelve-letter word", "independence of the device", nil, ""},
	{"hyphenated words", "a well-made-plan for the app", nil, ""},
	{"code", "the code 123456 did not work", nil, authapi.SecretCode},
	{"code after", "I typed 123 456, the code from the mail", nil, authapi.SecretCode},
	{"Chinese code", "验证码是123456", nil, authapi.SecretCode},
	{"full-width code", "验证码：１２３４５６", nil, authapi.SecretCode},
	{"six digits alone", "order number 123456 from the shop", nil, ""},
	{"seven digits", "my code is 1234567", nil, ""},
	{"password", "my password is Tr0ub4dor&3, is it wrong?", []string{"Tr0ub4dor&3"}, authapi.SecretPassword},
	{"password normalised", "my password is Ｔｒ０ｕｂ４ｄｏｒ&3", []string{"Tr0ub4dor&3"}, authapi.SecretPassword},
	{"other text", "my password is secret", []string{"Tr0ub4dor&3"}, ""},
	{"short password ignored", "abc", []string{"abc"}, ""},
	{"empty", "", nil, ""},
	{"zero-width spaces in words", "le\u200bgal win\u200bner th\u200bank ye\u200bar wa\u200bve sau\u200bsage wo\u200brth", nil, authapi.SecretRecoveryPhrase},
	{"zero-width joiners between words", "legal\u200dwinner\u200dthank\u200dyear\u200dwave\u200dsausage\u200dworth", nil, authapi.SecretRecoveryPhrase},
	{"soft hyphens", "le\u00adgal win\u00adner th\u00adank ye\u00adar wa\u00adve sau\u00adsage wo\u00adrth", nil, authapi.SecretRecoveryPhrase},
	{"mark slipped in", "le\u034fgal winner thank year wave sausage worth", nil, authapi.SecretRecoveryPhrase},
	{"Spanish without accents", "abaco abdomen abeja abierto abogado abono aborto", nil, authapi.SecretRecoveryPhrase},
	{"code with a zero-width space", "the code 123\u200b456", nil, authapi.SecretCode},
	{"keyword with a zero-width space", "co\u200bde 123456", nil, authapi.SecretCode},
	{"code on lines", "the code:\n123\n456", nil, authapi.SecretCode},
	{"code spaced digits", "code 1 2 3 4 5 6", nil, authapi.SecretCode},
	{"code digits between dashes", "code 1–2–3–4–5–6", nil, authapi.SecretCode},
	{"code dotted", "code 123.456", nil, authapi.SecretCode},
	{"two codes", "the codes 123456 654321", nil, authapi.SecretCode},
	{"code of nine digits in threes", "code 123 456 789", nil, authapi.SecretCode},
	{"code and a date", "error code 2026-12-07 since the update", nil, ""},
	{"code and a version", "the code of version 1.2.3 fails", nil, ""},
	{"code and an IP address", "status code 503 from 192.168.1.20", nil, ""},
	{"code and a short IP address", "the code fails at 10.0.0.10", nil, ""},
	{"code and a short date", "the code came on 12-07-26", nil, ""},
	{"recovery code on lines", "K7Q2\n9XMD\n4TRA", nil, authapi.SecretRecoveryCode},
	{"recovery code slashed", "K7Q2 / 9XMD / 4TRA", nil, authapi.SecretRecoveryCode},
	{"recovery code underscored", "K7Q2_9XMD_4TRA", nil, authapi.SecretRecoveryCode},
	{"recovery code minus signs", "K7Q2\u22129XMD\u22124TRA", nil, authapi.SecretRecoveryCode},
	{"Hangul fillers between words", "legal\u3164winner\u3164thank\u3164year\u3164wave\u3164sausage\u3164worth", nil, authapi.SecretRecoveryPhrase},
	{"code with a Hangul filler", "code 123\u3164456", nil, authapi.SecretCode},
	{"code with variation selectors", "code 1\ufe0f2\ufe0f3\ufe0f4\ufe0f5\ufe0f6", nil, authapi.SecretCode},
	{"authenticator", "my authenticator shows 123456 but it fails", nil, authapi.SecretCode},
	{"2FA", "2FA: 654 321", nil, authapi.SecretCode},
	{"two-factor", "the two-factor app says 123456", nil, authapi.SecretCode},
	{"Chinese authenticator", "身份验证器显示 123456", nil, authapi.SecretCode},
	{"Chinese two-factor", "双重验证：123456", nil, authapi.SecretCode},
	{"recovery code zero-width", "K7Q2\u200b9XMD\u200b4TRA", nil, authapi.SecretRecoveryCode},
}

func TestFindSecret(t *testing.T) {
	for _, tc := range guardCases {
		t.Run(tc.name, func(t *testing.T) {
			err := FindSecret(tc.text, tc.passwords...)
			var se *SecretError
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("found %v", err)
			case tc.want != "" && (!errors.As(err, &se) || se.Kind != tc.want || !errors.Is(err, ErrSecret)):
				t.Fatalf("got %v, want %s", err, tc.want)
			}
		})
	}
}

// TestFindSecretPhrases: every generated phrase is found, in every
// language, spaced, and unspaced in Japanese; unspaced in Chinese, most are
// (see PhraseRun).
func TestFindSecretPhrases(t *testing.T) {
	unspaced, missed := 0, 0
	for _, l := range Languages() {
		for range 50 {
			m, err := Generate(l, 12)
			if err != nil {
				t.Fatal(err)
			}
			texts := []string{"my phrase: " + m.String()}
			if l == ChineseSimplified || l == ChineseTraditional || l == Japanese {
				texts = append(texts, strings.Join(m.Words, ""))
			}
			for i, text := range texts {
				chinese := i == 1 && l != Japanese
				if chinese {
					unspaced++
				}
				if err := FindSecret(text); err == nil {
					if chinese {
						missed++
						continue
					}
					t.Errorf("%s: no secret found in %q", l, text)
				}
			}
		}
	}
	if missed*10 > unspaced*4 {
		t.Errorf("%d of %d unspaced Chinese phrases missed", missed, unspaced)
	}
}

// TestFindSecretOrdinaryText: no sentence of the app's translations is
// taken for a secret.
func TestFindSecretOrdinaryText(t *testing.T) {
	for _, f := range []string{"en.json", "zh_Hans.json"} {
		ordinaryText(t, "../assets/translations/"+f)
	}
}

func ordinaryText(t *testing.T, file string) {
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var msgs map[string]any
	if err := json.NewDecoder(bytes.NewReader(b)).Decode(&msgs); err != nil {
		t.Fatal(err)
	}
	var check func(k string, v any)
	check = func(k string, v any) {
		switch v := v.(type) {
		case string:
			if err := FindSecret(v); err != nil {
				t.Errorf("%s: %v in %q", k, err, v)
			}
		case map[string]any:
			for kk, vv := range v {
				check(k+"."+kk, vv)
			}
		}
	}
	for k, v := range msgs {
		check(k, v)
	}
}

// FuzzFindSecret: FindSecret never panics, and a text with a secret
// keeps it whatever is written around it.
func FuzzFindSecret(f *testing.F) {
	for _, tc := range guardCases {
		f.Add(tc.text, strings.Join(tc.passwords, ""))
	}
	f.Fuzz(func(t *testing.T, text, pw string) {
		err := FindSecret(text, pw)
		if err != nil && FindSecret(text+"\n"+text, pw) == nil {
			t.Fatalf("%q holds a secret, doubled it does not", text)
		}
	})
}
