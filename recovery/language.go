package recovery

// Language names one of the ten official BIP39 wordlists.
// The zero value is no language.
type Language uint8

// The official wordlists, in display order.
const (
	English Language = iota + 1
	ChineseSimplified
	ChineseTraditional
	Czech
	French
	Italian
	Japanese
	Korean
	Portuguese
	Spanish
)

const numLanguages = int(Spanish)

var languageInfo = [numLanguages + 1]struct{ tag, name string }{
	English:            {"en", "English"},
	ChineseSimplified:  {"zh-Hans", "Simplified Chinese"},
	ChineseTraditional: {"zh-Hant", "Traditional Chinese"},
	Czech:              {"cs", "Czech"},
	French:             {"fr", "French"},
	Italian:            {"it", "Italian"},
	Japanese:           {"ja", "Japanese"},
	Korean:             {"ko", "Korean"},
	Portuguese:         {"pt", "Portuguese"},
	Spanish:            {"es", "Spanish"},
}

// Languages returns every wordlist language in display order: English,
// Simplified Chinese, Traditional Chinese, then the rest by English name.
// Parse prefers earlier languages when a phrase is valid in several.
func Languages() []Language {
	ls := make([]Language, numLanguages)
	for i := range ls {
		ls[i] = Language(i + 1)
	}
	return ls
}

// LanguageByTag returns the language with the given [Language.Tag].
func LanguageByTag(tag string) (Language, bool) {
	for _, l := range Languages() {
		if l.Tag() == tag {
			return l, true
		}
	}
	return 0, false
}

// Valid reports whether l is one of the official wordlists.
func (l Language) Valid() bool { return l >= English && l <= Spanish }

// Tag returns the stable BCP 47 tag, such as "en" or "zh-Hans"; "" if l is
// not valid.
func (l Language) Tag() string {
	if !l.Valid() {
		return ""
	}
	return languageInfo[l].tag
}

// Name returns the English name, such as "Simplified Chinese".
func (l Language) Name() string {
	if !l.Valid() {
		return ""
	}
	return languageInfo[l].name
}

// String returns the tag, or "none" for an invalid language.
func (l Language) String() string {
	if !l.Valid() {
		return "none"
	}
	return l.Tag()
}
