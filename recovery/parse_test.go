package recovery

import (
	"bytes"
	"encoding/hex"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// parseCase is one input to Parse (or ParseIn when parseIn is set) and what
// it must give. The same table seeds FuzzParse.
type parseCase struct {
	name    string
	parseIn bool
	lang    Language // for ParseIn
	input   string

	err      error    // nil: the input must parse
	wantLang Language // language of the result, or of an error's suggestions or fixes
	entropy  string   // hex, when err is nil

	position    int      // UnknownWordError
	suggestions []string // UnknownWordError; nil: none
	fitting     int      // UnknownWordError
	got         int      // WordCountError
	fix         Fix      // ChecksumError: the first fix; none if zero
}

var parseCases = []parseCase{
	{
		name:     "english vector",
		input:    "legal winner thank year wave sausage worth useful legal winner thank yellow",
		wantLang: English,
		entropy:  "7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f",
	},
	{
		name:     "white space and case",
		input:    "\tLEGAL  winner\u3000Thank\nyear wave sausage worth useful legal winner thank yellow  ",
		wantLang: English,
		entropy:  "7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f",
	},
	{
		name:     "english in ParseIn",
		parseIn:  true,
		lang:     English,
		input:    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
		wantLang: English,
		entropy:  "00000000000000000000000000000000",
	},
	{
		name:     "japanese with ascii spaces",
		input:    "あいこくしん あいこくしん あいこくしん あいこくしん あいこくしん あいこくしん あいこくしん あいこくしん あいこくしん あいこくしん あいこくしん あおぞら",
		wantLang: Japanese,
		entropy:  "00000000000000000000000000000000",
	},
	{name: "empty", input: "", err: ErrEmpty},
	{name: "only white space", input: " \t\n\u3000\u00a0\u200b ", err: ErrEmpty},
	{name: "empty in ParseIn", parseIn: true, lang: Korean, input: "  ", err: ErrEmpty},
	{
		name:        "typo",
		input:       "abandon abandon abandn abandon abandon abandon abandon abandon abandon abandon abandon about",
		err:         ErrUnknownWord,
		wantLang:    English,
		position:    3,
		suggestions: []string{"abandon"},
		fitting:     1,
	},
	{
		name:        "typo with several suggestions",
		input:       "legal winner thank year wave sausage worth useful legal winer thank yellow",
		err:         ErrUnknownWord,
		wantLang:    English,
		position:    10,
		suggestions: []string{"winner", "wine", "winter"}, // winner fits
		fitting:     1,
	},
	{
		// cool, oil, pool and wool are all one edit away; wool alone makes
		// the phrase valid.
		name:        "typo decided by the checksum",
		input:       "legal winner ool year wave sausage worth useful legal winner thank absorb",
		err:         ErrUnknownWord,
		wantLang:    English,
		position:    3,
		suggestions: []string{"wool", "cool", "oil"},
		fitting:     1,
	},
	{
		name:        "two that fit",
		input:       "legal winner ool year wave sausage worth useful legal winner thank auto",
		err:         ErrUnknownWord,
		wantLang:    English,
		position:    3,
		suggestions: []string{"tool", "wool", "cool"},
		fitting:     2,
	},
	{
		name:        "prefix",
		input:       "aban abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
		err:         ErrUnknownWord,
		wantLang:    English,
		position:    1,
		suggestions: []string{"abandon", "loan", "mean"}, // only these fit
		fitting:     3,
	},
	{
		name:        "last word",
		input:       "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon xyzzy",
		err:         ErrUnknownWord,
		wantLang:    English,
		position:    12,
		suggestions: []string{"dizzy"},
	},
	{
		name:        "french without accents",
		input:       "abaisser abaisser abaisser abaisser eleve abaisser abaisser abaisser abaisser abaisser abaisser abeille",
		err:         ErrUnknownWord,
		wantLang:    French,
		position:    5,
		suggestions: []string{"éloge", "élève", "enlever"}, // éloge fits
		fitting:     1,
	},
	{
		name:        "french word in an english phrase",
		input:       "legal winner thank year wave sausage worth useful legal winner abeille yellow",
		err:         ErrUnknownWord,
		wantLang:    English,
		position:    11,
		suggestions: []string{"able", "aisle"},
	},
	{
		// The same word in Simplified, then its homophones (zhe).
		name:        "traditional character in a simplified phrase",
		input:       "这 這 的 的 的 的 的 的 的 的 的 在",
		err:         ErrUnknownWord,
		wantLang:    ChineseSimplified,
		position:    2,
		suggestions: []string{"这", "着", "者"},
		fitting:     1,
	},
	{
		name:     "nothing known",
		input:    "qqqq zzzz",
		err:      ErrUnknownWord,
		position: 1,
	},
	{
		name:        "french phrase in ParseIn english",
		parseIn:     true,
		lang:        English,
		input:       "abaisser abaisser abaisser abaisser abaisser abaisser abaisser abaisser abaisser abaisser abaisser abeille",
		err:         ErrUnknownWord,
		wantLang:    English,
		position:    1,
		suggestions: nil,
	},
	{
		name:  "mixed languages",
		input: "ability able about above absent absorb abaisser abdiquer abeille abolir aborder aboutir",
		err:   ErrMixedLanguages,
	},
	{name: "one word", input: "abandon", err: ErrWordCount, got: 1},
	{name: "eleven words", input: strings.Repeat("abandon ", 11), err: ErrWordCount, got: 11},
	{name: "thirteen words", input: strings.Repeat("zoo ", 13), err: ErrWordCount, got: 13},
	{name: "twenty-five words", parseIn: true, lang: Italian, input: strings.Repeat("abaco ", 25), err: ErrWordCount, got: 25},
	{
		name:     "wrong valid word",
		input:    "legal winner thank year wave sausage north useful legal winner thank yellow",
		err:      ErrChecksum,
		wantLang: English,
		fix:      Fix{Position: 7, Word: "worth"},
	},
	{
		name:     "wrong valid word, 24 words",
		parseIn:  true,
		lang:     English,
		input:    "legal winner thank year wave sausage north useful legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth title",
		err:      ErrChecksum,
		wantLang: English,
		fix:      Fix{Position: 7, Word: "worth"},
	},
	{
		name:     "wrong valid word, korean",
		input:    "가격 가격 가격 가격 가격 가격 가격 가격 가격 가격 가격 기능",
		err:      ErrChecksum,
		wantLang: Korean,
		fix:      Fix{Position: 12, Word: "가능"},
	},
	{
		// Only the last word is wrong, and far from the right one: no fix
		// is one slip from a typed word at the other positions but these.
		name:     "wrong last word",
		input:    "legal winner thank year wave sausage worth useful legal winner thank zoo",
		err:      ErrChecksum,
		wantLang: English,
		fix:      Fix{Position: 10, Word: "dinner"},
	},
	{
		// The fixes are homophones of the typed characters: 地 for 的.
		name:     "wrong character",
		input:    "的 的 的 的 的 的 的 的 的 的 的 的",
		err:      ErrChecksum,
		wantLang: ChineseSimplified,
		fix:      Fix{Position: 6, Word: "地"},
	},
	{
		// 着 (zhe) typed for its homophone 这.
		name:     "homophone typed",
		input:    "这 着 的 的 的 的 的 的 的 的 的 在",
		err:      ErrChecksum,
		wantLang: ChineseSimplified,
		fix:      Fix{Position: 2, Word: "这"},
	},
	{name: "no language", parseIn: true, lang: 0, input: "abandon", err: ErrUnknownLanguage},
	{name: "bad language", parseIn: true, lang: 42, input: "abandon", err: ErrUnknownLanguage},
}

func (c parseCase) run() (Mnemonic, error) {
	if c.parseIn {
		return ParseIn(c.lang, c.input)
	}
	return Parse(c.input)
}

func TestParseCases(t *testing.T) {
	for _, c := range parseCases {
		t.Run(c.name, func(t *testing.T) {
			m, err := c.run()
			if c.err == nil {
				if err != nil {
					t.Fatalf("error %v", err)
				}
				ent, err := Entropy(m)
				if err != nil || hex.EncodeToString(ent) != c.entropy || m.Language != c.wantLang {
					t.Fatalf("got %v entropy %x, %v; want %v %s", m.Language, ent, err, c.wantLang, c.entropy)
				}
				return
			}
			if !errors.Is(err, c.err) {
				t.Fatalf("error %v, want %v", err, c.err)
			}
			for _, w := range splitWords(c.input) {
				if utf8.RuneCountInString(w) >= 3 && strings.Contains(err.Error(), w) {
					t.Errorf("error text %q contains a typed word", err)
				}
			}
			var uw *UnknownWordError
			var wc *WordCountError
			var ce *ChecksumError
			switch {
			case errors.As(err, &uw):
				if uw.Position != c.position || uw.Language != c.wantLang || !slices.Equal(uw.Suggestions, c.suggestions) || uw.Fitting != c.fitting {
					t.Errorf("got %+v, want position %d, %v %q", *uw, c.position, c.wantLang, c.suggestions)
				}
			case errors.As(err, &wc):
				if wc.Got != c.got || !slices.Equal(wc.Valid, []int{12, 15, 18, 21, 24}) {
					t.Errorf("got %+v, want %d", *wc, c.got)
				}
			case errors.As(err, &ce):
				if ce.Language != c.wantLang || (c.fix == Fix{}) != (len(ce.Fixes) == 0) || len(ce.Fixes) > 0 && ce.Fixes[0] != c.fix {
					t.Errorf("got %+v, want first fix %+v", *ce, c.fix)
				}
				// An n-word phrase has an n/3-bit checksum: about one word
				// of 2048 in 2^(n/3) fits at each position.
				if n := len(splitWords(c.input)); ce.Count < n*2048/(1<<(n/3))/2 {
					t.Errorf("%d changes fit the checksum", ce.Count)
				}
				for _, f := range ce.Fixes {
					if strings.Contains(err.Error(), f.Word) {
						t.Errorf("error text %q contains a fix", err)
					}
				}
			}
		})
	}
}

// FuzzParse checks that Parse and ParseIn never panic, that a success is a
// valid phrase, and that every failure is one of the typed errors with
// consistent data.
func FuzzParse(f *testing.F) {
	for _, c := range parseCases {
		f.Add(c.input)
	}
	f.Fuzz(func(t *testing.T, input string) {
		m, err := Parse(input)
		checkParse(t, input, m, err)
		m, err = ParseIn(French, input)
		checkParse(t, input, m, err)
	})
}

func checkParse(t *testing.T, input string, m Mnemonic, err error) {
	keys := splitWords(input)
	if err == nil {
		ent, err := Entropy(m)
		if err != nil {
			t.Fatalf("Entropy of a parsed phrase: %v", err)
		}
		again, err := FromEntropy(m.Language, ent)
		if err != nil || !reflect.DeepEqual(again, m) {
			t.Fatalf("round trip gave %v, %v", again.Language, err)
		}
		return
	}
	var uw *UnknownWordError
	var wc *WordCountError
	var ce *ChecksumError
	switch {
	case errors.Is(err, ErrEmpty):
		if len(keys) != 0 {
			t.Fatalf("ErrEmpty for %d words", len(keys))
		}
	case errors.Is(err, ErrMixedLanguages):
	case errors.As(err, &uw):
		if uw.Position < 1 || uw.Position > len(keys) || len(uw.Suggestions) > maxSuggestions {
			t.Fatalf("bad %+v for %d words", *uw, len(keys))
		}
		for _, s := range uw.Suggestions {
			if CheckWord(uw.Language, s) != nil {
				t.Fatalf("suggestion not in the %v list", uw.Language)
			}
		}
	case errors.As(err, &wc):
		if wc.Got != len(keys) || validCount(wc.Got) {
			t.Fatalf("bad %+v for %d words", *wc, len(keys))
		}
	case errors.As(err, &ce):
		if len(ce.Fixes) > maxFixes || ce.Count < max(1, len(ce.Fixes)) {
			t.Fatalf("%d fixes of %d", len(ce.Fixes), ce.Count)
		}
		for _, f := range ce.Fixes {
			if d := newTyped(keys[f.Position-1]).similarity(list(ce.Language), list(ce.Language).index[normWord(f.Word)], 1<<30); d > 2 {
				t.Fatalf("fix %+v is %d from the typed word", f, d)
			}
			fixed := slices.Clone(keys)
			fixed[f.Position-1] = f.Word
			if _, err := ParseIn(ce.Language, strings.Join(fixed, " ")); err != nil {
				t.Fatalf("fix %+v does not fix the checksum: %v", f, err)
			}
		}
	default:
		t.Fatalf("untyped error %v", err)
	}
}

// TestChineseSharedWords: the two Chinese lists share 1275 characters at the
// same indices, so a phrase of shared characters has the same checksum,
// entropy and seed in both; Parse names Simplified Chinese.
func TestChineseSharedWords(t *testing.T) {
	const shared = "的 的 的 的 的 的 的 的 的 的 的 在" // valid in both lists
	m, err := Parse(shared)
	if err != nil || m.Language != ChineseSimplified {
		t.Fatalf("Parse = %v, %v; want Simplified Chinese", m.Language, err)
	}
	trad, err := ParseIn(ChineseTraditional, shared)
	if err != nil {
		t.Fatal(err)
	}
	e1, _ := Entropy(m)
	e2, _ := Entropy(trad)
	if !bytes.Equal(e1, e2) || !bytes.Equal(Seed(m, ""), Seed(trad, "")) {
		t.Error("shared phrase differs between the Chinese lists")
	}

	// A traditional-only character makes it Traditional.
	const traditional = "的 的 的 的 的 的 的 的 的 這 的 在"
	if _, err := ParseIn(ChineseTraditional, traditional); errors.Is(err, ErrUnknownWord) {
		t.Fatal(err)
	}
	m, err = Parse(traditional)
	var ce *ChecksumError
	switch {
	case err == nil && m.Language != ChineseTraditional:
		t.Errorf("Parse detected %v", m.Language)
	case errors.As(err, &ce) && ce.Language != ChineseTraditional:
		t.Errorf("checksum error in %v", ce.Language)
	}

	// Shared characters with a bad checksum: the error is Simplified's.
	_, err = Parse("的 的 的 的 的 的 的 的 的 的 的 的")
	if !errors.As(err, &ce) || ce.Language != ChineseSimplified {
		t.Errorf("got %v, want a Simplified Chinese checksum error", err)
	}
}

// TestChecksumDecidesLanguage builds phrases from the 100 words English and
// French share: the checksum picks the language, English first when both
// hold.
func TestChecksumDecidesLanguage(t *testing.T) {
	var shared []string
	for _, k := range lists()[English].key {
		if _, ok := lists()[French].index[k]; ok {
			shared = append(shared, k)
		}
	}
	if len(shared) != 100 {
		t.Fatalf("%d shared words, want 100", len(shared))
	}
	valid := func(l Language, keys []string) bool {
		var buf [33]byte
		_, ok := pack(indices(l, keys), &buf)
		return ok
	}
	found := map[[2]bool]bool{}
	for _, last := range shared {
		keys := append(slices.Clone(shared[:11]), last)
		en, fr := valid(English, keys), valid(French, keys)
		if found[[2]bool{en, fr}] {
			continue
		}
		found[[2]bool{en, fr}] = true
		m, err := Parse(strings.Join(keys, " "))
		switch {
		case en && m.Language != English, !en && fr && m.Language != French:
			t.Errorf("en %v fr %v: Parse gave %v, %v", en, fr, m.Language, err)
		case !en && !fr && !errors.Is(err, ErrChecksum):
			t.Errorf("neither valid: Parse gave %v", err)
		}
	}
	if !found[[2]bool{true, false}] || !found[[2]bool{false, true}] {
		t.Errorf("the shared words give no phrase valid in only one language: %v", found)
	}
}

func TestGenerate(t *testing.T) {
	for _, l := range Languages() {
		for _, n := range WordCounts() {
			m, err := Generate(l, n)
			if err != nil {
				t.Fatalf("%v %d: %v", l, n, err)
			}
			if m.Language != l || len(m.Words) != n {
				t.Fatalf("%v %d: got %v with %d words", l, n, m.Language, len(m.Words))
			}
			ent, err := Entropy(m)
			if err != nil || len(ent) != n*4/3 {
				t.Fatalf("%v %d: entropy of %d bytes, %v", l, n, len(ent), err)
			}
			back, err := ParseIn(l, m.String())
			if err != nil || !reflect.DeepEqual(back, m) {
				t.Fatalf("%v %d: ParseIn(String()) = %v", l, n, err)
			}
		}
	}
	a, _ := Generate(English, 24)
	b, _ := Generate(English, 24)
	if reflect.DeepEqual(a, b) {
		t.Error("two generated phrases are equal")
	}
	if _, err := Generate(English, 13); !errors.Is(err, ErrWordCount) {
		t.Errorf("13 words: %v", err)
	}
	if _, err := Generate(0, 12); !errors.Is(err, ErrUnknownLanguage) {
		t.Errorf("no language: %v", err)
	}
	if _, err := FromEntropy(English, make([]byte, 15)); !errors.Is(err, ErrEntropyLength) {
		t.Errorf("15 bytes: %v", err)
	}
	if _, err := Entropy(Mnemonic{Language: English, Words: []string{"abandon"}}); !errors.Is(err, ErrWordCount) {
		t.Errorf("Entropy of one word: %v", err)
	}
}

func TestComplete(t *testing.T) {
	cases := []struct {
		lang   Language
		prefix string
		n      int
		want   []string
	}{
		{English, "ab", 3, []string{"abandon", "ability", "able"}},
		{English, " ABA ", 5, []string{"abandon"}},
		{English, "zoo", 5, []string{"zoo"}},
		{English, "zz", 5, nil},
		{English, "", 5, nil},
		{English, "ab", 0, nil},
		{0, "ab", 3, nil},
		{French, "éle", 3, []string{"électron", "élégant", "éléphant"}},
		{Korean, "가", 3, []string{"가격", "가끔", "가난"}},
		{ChineseSimplified, "这", 3, []string{"这"}},
		{Japanese, "あおぞ", 3, []string{"あおぞら"}},
	}
	for _, c := range cases {
		if got := Complete(c.lang, c.prefix, c.n); !slices.Equal(got, c.want) {
			t.Errorf("Complete(%v, %q, %d) = %q, want %q", c.lang, c.prefix, c.n, got, c.want)
		}
	}
}

func TestCheckWord(t *testing.T) {
	cases := []struct {
		lang        Language
		word        string
		err         error
		suggestions []string
		suggestLang Language
	}{
		{English, "abandon", nil, nil, 0},
		{English, " Abandon\t", nil, nil, 0},
		{0, "abeille", nil, nil, 0},
		{0, "這", nil, nil, 0},
		{English, "abeille", ErrUnknownWord, []string{"able", "aisle"}, English},
		{French, "eleve", ErrUnknownWord, []string{"élève", "éloge", "enlever"}, French},
		{0, "eleve", ErrUnknownWord, []string{"élève", "éloge", "enlever"}, French},
		{ChineseTraditional, "这", ErrUnknownWord, []string{"這", "著", "者"}, ChineseTraditional},
		{ChineseSimplified, "琐", ErrUnknownWord, []string{"所", "缩", "索"}, ChineseSimplified},
		{ChineseTraditional, "瑣", ErrUnknownWord, []string{"所", "縮", "索"}, ChineseTraditional},
		{English, "two words", ErrUnknownWord, nil, English},
		{English, "", ErrEmpty, nil, 0},
		{42, "abandon", ErrUnknownLanguage, nil, 0},
	}
	for _, c := range cases {
		err := CheckWord(c.lang, c.word)
		if !errors.Is(err, c.err) || (c.err == nil) != (err == nil) {
			t.Errorf("CheckWord(%v, %q) = %v, want %v", c.lang, c.word, err, c.err)
			continue
		}
		var uw *UnknownWordError
		if errors.As(err, &uw) && (uw.Position != 0 || uw.Language != c.suggestLang || !slices.Equal(uw.Suggestions, c.suggestions)) {
			t.Errorf("CheckWord(%v, %q) = %+v, want %v %q", c.lang, c.word, *uw, c.suggestLang, c.suggestions)
		}
	}
}

func TestLanguages(t *testing.T) {
	want := []struct{ tag, name string }{
		{"en", "English"},
		{"zh-Hans", "Simplified Chinese"},
		{"zh-Hant", "Traditional Chinese"},
		{"cs", "Czech"},
		{"fr", "French"},
		{"it", "Italian"},
		{"ja", "Japanese"},
		{"ko", "Korean"},
		{"pt", "Portuguese"},
		{"es", "Spanish"},
	}
	ls := Languages()
	if len(ls) != len(want) {
		t.Fatalf("%d languages, want %d", len(ls), len(want))
	}
	for i, l := range ls {
		if l.Tag() != want[i].tag || l.Name() != want[i].name || l.String() != want[i].tag {
			t.Errorf("language %d: %q %q", i, l.Tag(), l.Name())
		}
		if back, ok := LanguageByTag(l.Tag()); !ok || back != l {
			t.Errorf("LanguageByTag(%q) = %v, %v", l.Tag(), back, ok)
		}
	}
	if _, ok := LanguageByTag("ru"); ok {
		t.Error("ru is not an official list")
	}
	if Language(0).Valid() || Language(0).Tag() != "" || Language(11).Valid() {
		t.Error("invalid languages report as valid")
	}
}
