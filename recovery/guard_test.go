package recovery

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"slices"
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
	{"Japanese in katakana", "アイコクシン　アイサツ　アイダ　アオゾラ　アカチャン　アキル　アケガタ", nil, authapi.SecretRecoveryPhrase},
	{"Japanese in half-width katakana", "ｱｲｺｸｼﾝ ｱｲｻﾂ ｱｲﾀﾞ ｱｵｿﾞﾗ ｱｶﾁｬﾝ ｱｷﾙ ｱｹｶﾞﾀ", nil, authapi.SecretRecoveryPhrase},
	{"Japanese in katakana unspaced", "アイコクシンアイサツアイダアオゾラアカチャンアキルアケガタ", nil, authapi.SecretRecoveryPhrase},
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
	{"Cyrillic look-alikes", "leg\u0430l winner th\u0430nk ye\u0430r w\u0430ve \u0455\u0430usage worth", nil, authapi.SecretRecoveryPhrase},
	{"Cyrillic a in abandon", "\u0430bandon ability able about above absent absorb", nil, authapi.SecretRecoveryPhrase},
	{"Greek omicron", "legal winner thank year wave sausage w\u03bfrth", nil, authapi.SecretRecoveryPhrase},
	{"Cyrillic small capitals", "legal winner thank year wave sausage wor\u0442\u043d", nil, authapi.SecretRecoveryPhrase},
	{"mathematical Greek alpha", "\U0001d6c2bandon ability able about above absent absorb", nil, authapi.SecretRecoveryPhrase},
	{"mathematical letters", "\U0001d425\U0001d41e\U0001d420\U0001d41a\U0001d425 winner thank year wave sausage worth", nil, authapi.SecretRecoveryPhrase},
	{"look-alike recovery code", "\u041a7Q2-9\u0425MD-4TR\u0410", nil, authapi.SecretRecoveryCode},
	{"look-alike keyword", "\u0441\u043ed\u0435 123456", nil, authapi.SecretCode},
	{"code with low lines", "code 1\u03322\u03323\u03324\u03325\u03326\u0332", nil, authapi.SecretCode},
	{"code with acute accents", "code 1\u03012\u03013\u03014\u03015\u03016\u0301", nil, authapi.SecretCode},
	{"code of keycaps", "code 1\ufe0f\u20e32\ufe0f\u20e33\ufe0f\u20e34\ufe0f\u20e35\ufe0f\u20e36\ufe0f\u20e3", nil, authapi.SecretCode},
	{"keyword with a mark", "co\u0332de 123456", nil, authapi.SecretCode},
	{"recovery code with low lines", "K\u03327\u0332Q\u03322\u0332-9XMD-4TRA", nil, authapi.SecretRecoveryCode},
	{"lower-case recovery code of letters", "my recovery code kxqm-hntr-vbwp fails", nil, authapi.SecretRecoveryCode},
	{"lower-case recovery code whole", "kxqmhntrvbwp", nil, authapi.SecretRecoveryCode},
	{"lower-case recovery code spaced", "kxqm hntr vbwp", nil, authapi.SecretRecoveryCode},
	{"recovery code capitalised", "Kxqm-hntr-vbwp is my recovery code", nil, authapi.SecretRecoveryCode},
	{"code in pairs", "my code is 12 34 56", nil, authapi.SecretCode},
	{"code in Arabic-Indic digits", "code ١٢٣٤٥٦", nil, authapi.SecretCode},
	{"code in Persian digits", "code ۱۲۳۴۵۶", nil, authapi.SecretCode},
	{"code in Devanagari digits", "code १२३४५६", nil, authapi.SecretCode},
	{"recovery code with Devanagari digits", "K७Q२-९XMD-४TRA", nil, authapi.SecretRecoveryCode},
	{"Armenian look-alikes", "legal wiոոer tհaոk year wave saսsage wօrtհ", nil, authapi.SecretRecoveryPhrase},
	{"Cherokee look-alikes", "ᏞᎬᏀᎪᏞ ᎳINNᎬᏒ ᎢᎻᎪNᏦ YᎬᎪᏒ ᎳᎪᏙᎬ ᏚᎪUᏚᎪᏀᎬ ᎳOᏒᎢᎻ", nil, authapi.SecretRecoveryPhrase},
	{"small capitals", "ʟᴇɢᴀʟ ᴡɪɴɴᴇʀ ᴛʜᴀɴᴋ ʏᴇᴀʀ ᴡᴀᴠᴇ ꜱᴀᴜꜱᴀɢᴇ ᴡᴏʀᴛʜ", nil, authapi.SecretRecoveryPhrase},
	{"Latin look-alikes", "legɑl wınner thɑnk yeɑr wɑve sɑusɑge wørth", nil, authapi.SecretRecoveryPhrase},
	{"code and a spaced date", "the code came on 12 07 2026", nil, ""},
	{"mixed case around a placeholder", "groups of four (XXXX-XXXX-XXXX). Type one", nil, ""},
	{"twelve-letter words", "the transparency of the process strengthened my trust", nil, ""},
	{"words in fours", "a tech-news-feed and the best-case plan", nil, ""},
	{"2FA does not work", "I lost my phone, code 2FA doesn't work", nil, ""},
	{"address", "My address is 221B Baker Street, London NW1 6XE, phone +44 20 7946 0958.", nil, ""},
	{"order number", "order number 123456-789 was charged twice, invoice INV-2026-000123", nil, ""},
	{"Chinese lost phone", "我的手机丢了，2FA验证码收不到，怎么办？", nil, ""},
	{"Chinese address and order", "地址：北京市朝阳区建国路88号，订单号 2026120712345。", nil, ""},
	{"pinyin", "wo de zhanghao bei suoding le, qing bangbang wo", nil, ""},
	{"Russian", "Здравствуйте! Не могу войти в аккаунт, код из письма не приходит.", nil, ""},
	{"Greek", "Καλησπέρα, δεν μπορώ να συνδεθώ στον λογαριασμό μου.", nil, ""},
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
// language, spaced, and unspaced in Japanese and Korean; unspaced in
// Chinese, most are (see PhraseRun).
func TestFindSecretPhrases(t *testing.T) {
	unspaced, missed := 0, 0
	for _, l := range Languages() {
		for range 50 {
			m, err := Generate(l, 12)
			if err != nil {
				t.Fatal(err)
			}
			texts := []string{"my phrase: " + m.String()}
			if l == ChineseSimplified || l == ChineseTraditional || l == Japanese || l == Korean {
				texts = append(texts, strings.Join(m.Words, ""))
			}
			for i, text := range texts {
				chinese := i == 1 && (l == ChineseSimplified || l == ChineseTraditional)
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

// TestFindSecretMixedChinese: a Simplified Chinese phrase with every
// other word in Traditional characters (as an input method may convert
// it) is found spaced, and unspaced as often as a phrase of one list.
func TestFindSecretMixedChinese(t *testing.T) {
	hans, hant := lists()[ChineseSimplified], lists()[ChineseTraditional]
	mixed, missed := 0, 0
	for range 50 {
		m, err := Generate(ChineseSimplified, 12)
		if err != nil {
			t.Fatal(err)
		}
		words := slices.Clone(m.Words)
		for i, w := range words {
			if j := hans.index[w]; i%2 == 1 && hant.key[j] != w {
				words[i] = hant.display[j]
				mixed++
			}
		}
		if FindSecret(strings.Join(words, " ")) == nil {
			t.Errorf("no secret found in %q", strings.Join(words, " "))
		}
		if FindSecret(strings.Join(words, "")) == nil {
			missed++
		}
	}
	if mixed == 0 || missed*10 > 50*4 {
		t.Errorf("%d of 50 unspaced mixed phrases missed (%d words in Traditional)", missed, mixed)
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

// TestFindSecretLowerCaseCodes: recovery codes typed in lower case are
// found, but for the rare one of letters only with three vowels or more
// (see codeLetters).
func TestFindSecretLowerCaseCodes(t *testing.T) {
	const n = 2000
	missed := 0
	for range n {
		code := strings.ToLower(authapi.FormatRecoveryCode(authapi.NewRecoveryCode()))
		if FindSecret("my code: "+code) == nil {
			if strings.ContainsAny(code, "0123456789") {
				t.Fatalf("%q not found", code)
			}
			missed++
		}
	}
	if missed*100 > n {
		t.Errorf("%d of %d lower-case codes missed", missed, n)
	}
}

// TestLatin pins the look-alike table by mappings of TR39's
// confusables.txt (17.0.0) and by those lookalike_gen.go derives.
func TestLatin(t *testing.T) {
	for in, want := range map[string]string{
		"\u0430":     "a", // 0430 ; 0061 ; MA # ( а → a ) CYRILLIC SMALL LETTER A
		"\u0455":     "s", // 0455 ; 0073 ; MA # ( ѕ → s ) CYRILLIC SMALL LETTER DZE
		"\u03bf":     "o", // 03BF ; 006F ; MA # ( ο → o ) GREEK SMALL LETTER OMICRON
		"\u041a":     "K", // 041A ; 004B ; MA # ( К → K ) CYRILLIC CAPITAL LETTER KA
		"\u0417":     "3", // 0417 ; 0033 ; MA # ( З → 3 ) CYRILLIC CAPITAL LETTER ZE
		"\u03bd":     "v", // 03BD ; 0076 ; MA # ( ν → v ) GREEK SMALL LETTER NU
		"\u039d":     "N", // 039D ; 004E ; MA # ( Ν → N ) GREEK CAPITAL LETTER NU
		"\U0001d6c2": "a", // 1D6C2 ; 0061 ; MA # ( 𝛂 → a ) MATHEMATICAL BOLD SMALL ALPHA
		"\u0399":     "I", // 0399 ; 006C ; MA # ( Ι → l ): an upper-case l is an I
		"\u03b7":     "n", // 03B7 ; 006E 0329 ; MA # ( η → n̩ ): marks dropped
		"\u043a":     "k", // 043A ; 0138 ; MA # ( к → ĸ ): the upper case's, lowered
		"\uff10":     "0", // NFKC: full-width zero is 0, not TR39's O
		"\U0001d7ce": "0", // NFKC: 𝟎 is 0
		"\u03a3":     "\u03a3",
		"\u4e00":     "\u4e00",
		"l":          "l",
	} {
		if got := latin(in); got != want {
			t.Errorf("latin(%q) = %q, want %q", in, got, want)
		}
	}
}
