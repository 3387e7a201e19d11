package recovery

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"golang.org/x/text/unicode/norm"
)

// vectorLanguages maps the keys of testdata/vectors.json (trezor
// python-mnemonic's reference vectors) to the official lists.
var vectorLanguages = map[string]Language{
	"english":             English,
	"chinese_simplified":  ChineseSimplified,
	"chinese_traditional": ChineseTraditional,
	"czech":               Czech,
	"french":              French,
	"italian":             Italian,
	"japanese":            Japanese,
	"korean":              Korean,
	"portuguese":          Portuguese,
	"spanish":             Spanish,
}

// Lists in vectors.json that are not official BIP39 wordlists.
var unofficialVectorLists = map[string]bool{"russian": true, "turkish": true}

type vector struct {
	entropy, mnemonic, seed, xprv string
}

func loadVectors(t testing.TB) map[string][]vector {
	t.Helper()
	b, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string][][4]string
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	out := make(map[string][]vector, len(raw))
	for name, vs := range raw {
		for _, v := range vs {
			out[name] = append(out[name], vector{v[0], v[1], v[2], v[3]})
		}
	}
	return out
}

// TestVectors checks every vector of the ten official lists: entropy →
// mnemonic, mnemonic → entropy (with and without the language given),
// mnemonic + "TREZOR" → seed, seed → BIP32 root xprv.
func TestVectors(t *testing.T) {
	all := loadVectors(t)
	checked := 0
	for name, vs := range all {
		lang, ok := vectorLanguages[name]
		if !ok {
			t.Run(name, func(t *testing.T) {
				if !unofficialVectorLists[name] {
					t.Fatalf("vectors.json has an unexpected list %q", name)
				}
				t.Skip("not an official BIP39 wordlist")
			})
			continue
		}
		t.Run(name, func(t *testing.T) {
			if len(vs) != 24 {
				t.Fatalf("%d vectors, want 24", len(vs))
			}
			for i, v := range vs {
				checkVector(t, i, lang, v)
				checked++
			}
		})
	}
	if checked != 240 {
		t.Errorf("checked %d official vectors, want 240", checked)
	}
}

func checkVector(t *testing.T, i int, lang Language, v vector) {
	t.Helper()
	ent, err := hex.DecodeString(v.entropy)
	if err != nil {
		t.Fatal(err)
	}
	m, err := FromEntropy(lang, ent)
	if err != nil {
		t.Fatalf("vector %d: FromEntropy: %v", i, err)
	}
	if got, want := norm.NFKD.String(m.String()), norm.NFKD.String(v.mnemonic); got != want {
		t.Errorf("vector %d: FromEntropy gave %q, want %q", i, got, want)
	}
	if lang == Japanese && (!strings.Contains(m.String(), "\u3000") || strings.Contains(m.String(), " ")) {
		t.Errorf("vector %d: Japanese words not joined with U+3000", i)
	}

	parsed, err := ParseIn(lang, v.mnemonic)
	if err != nil {
		t.Fatalf("vector %d: ParseIn: %v", i, err)
	}
	if got, err := Entropy(parsed); err != nil || !bytes.Equal(got, ent) {
		t.Errorf("vector %d: Entropy = %x, %v; want %s", i, got, err, v.entropy)
	}
	detected, err := Parse(v.mnemonic)
	if err != nil {
		t.Fatalf("vector %d: Parse: %v", i, err)
	}
	// Parse may name Simplified Chinese for a Traditional phrase whose
	// characters are all shared: see TestChineseSharedWords.
	if detected.Language != lang && !(lang == ChineseTraditional && detected.Language == ChineseSimplified) {
		t.Errorf("vector %d: Parse detected %v, want %v", i, detected.Language, lang)
	}
	if got, err := Entropy(detected); err != nil || !bytes.Equal(got, ent) {
		t.Errorf("vector %d: Entropy(Parse) = %x, %v; want %s", i, got, err, v.entropy)
	}

	seed := Seed(parsed, "TREZOR")
	if got := hex.EncodeToString(seed); got != v.seed {
		t.Errorf("vector %d: seed %s, want %s", i, got, v.seed)
	}
	if got := hex.EncodeToString(Seed(detected, "TREZOR")); got != v.seed {
		t.Errorf("vector %d: seed of detected phrase %s, want %s", i, got, v.seed)
	}
	key, err := hdkeychain.NewMaster(seed, &chaincfg.MainNetParams)
	if err != nil {
		t.Fatalf("vector %d: NewMaster: %v", i, err)
	}
	if got := key.String(); got != v.xprv {
		t.Errorf("vector %d: xprv %s, want %s", i, got, v.xprv)
	}
}

// TestNormalisation parses every official vector typed in other forms: NFC
// and NFKD, upper case, other white space.
func TestNormalisation(t *testing.T) {
	variants := map[string]func(string) string{
		"NFC":  norm.NFC.String,
		"NFKD": norm.NFKD.String,
		"upper": func(s string) string {
			return strings.ToUpper(norm.NFC.String(s))
		},
		"ideographic space": func(s string) string {
			return strings.Join(strings.Fields(s), "\u3000")
		},
		"ascii space": func(s string) string {
			return strings.Join(strings.Fields(s), " ")
		},
		"messy white space": func(s string) string {
			return " \t" + strings.Join(strings.Fields(s), "  \n\u3000\u00a0") + "\r\n "
		},
		"NFC, mixed case, tabs": func(s string) string {
			ws := strings.Fields(norm.NFC.String(s))
			for i := range ws {
				if r := []rune(ws[i]); i%2 == 0 {
					ws[i] = strings.ToUpper(string(r[0])) + string(r[1:])
				}
			}
			return strings.Join(ws, "\t")
		},
	}
	for name, vs := range loadVectors(t) {
		lang, ok := vectorLanguages[name]
		if !ok {
			continue
		}
		for i, v := range vs {
			want, err := ParseIn(lang, v.mnemonic)
			if err != nil {
				t.Fatalf("%s %d: %v", name, i, err)
			}
			for vname, variant := range variants {
				in := variant(v.mnemonic)
				got, err := ParseIn(lang, in)
				if err != nil {
					t.Errorf("%s %d %s: %v", name, i, vname, err)
					continue
				}
				if got.String() != want.String() || got.Language != want.Language {
					t.Errorf("%s %d %s: got a different phrase", name, i, vname)
				}
				if _, err := Parse(in); err != nil {
					t.Errorf("%s %d %s: Parse: %v", name, i, vname, err)
				}
			}
			for _, w := range want.Words {
				if !norm.NFC.IsNormalString(w) {
					t.Errorf("%s %d: word %q is not NFC", name, i, w)
				}
			}
		}
	}
}

// TestNormalisationExamples pins a few forms by hand: precomposed and
// decomposed accents, Korean syllables and jamo, full-width Latin.
func TestNormalisationExamples(t *testing.T) {
	cases := []struct {
		lang Language
		a, b string
	}{
		{Spanish, "\u00e1baco", "a\u0301baco"},           // á precomposed / decomposed
		{French, "\u00e9l\u00e8ve", "e\u0301le\u0300ve"}, // élève
		{Korean, "\uac00\uaca9", "\u1100\u1161\u1100\u1167\u11a8"},
		{Japanese, "\u3042\u304a\u305e\u3089", "\u3042\u304a\u305d\u3099\u3089"}, // あおぞら
		{English, "ABANDON", "\uff41\uff42\uff41\uff4e\uff44\uff4f\uff4e"},       // full-width
	}
	for _, c := range cases {
		if err := CheckWord(c.lang, c.a); err != nil {
			t.Errorf("%v %q: %v", c.lang, c.a, err)
		}
		if err := CheckWord(c.lang, c.b); err != nil {
			t.Errorf("%v %q: %v", c.lang, c.b, err)
		}
		if got := Complete(c.lang, c.b, 2); len(got) == 0 || got[0] != norm.NFC.String(strings.ToLower(norm.NFKC.String(c.a))) {
			t.Errorf("%v: Complete(%q) = %q", c.lang, c.b, got)
		}
	}
}

func TestSeedPassphraseNFKD(t *testing.T) {
	m, err := Parse("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about")
	if err != nil {
		t.Fatal(err)
	}
	nfc, nfkd := Seed(m, "caf\u00e9"), Seed(m, "cafe\u0301")
	if !bytes.Equal(nfc, nfkd) {
		t.Error("NFC and NFKD passphrases give different seeds")
	}
	if bytes.Equal(Seed(m, "TREZOR"), Seed(m, "trezor")) {
		t.Error("passphrase case is folded; it must not be")
	}
	upper := Mnemonic{Language: English, Words: append([]string(nil), m.Words...)}
	upper.Words[0] = "ABANDON"
	if !bytes.Equal(Seed(upper, "x"), Seed(m, "x")) {
		t.Error("word case changes the seed")
	}
}
