package recovery

import (
	_ "embed"
	"strings"
	"sync"
	"unicode"

	"github.com/tyler-smith/go-bip39/wordlists"
	"golang.org/x/text/unicode/norm"
)

// go-bip39 carries nine of the ten official lists; Portuguese is embedded.
//
//go:embed wordlists/portuguese.txt
var portugueseTxt string

// wordlist is one official list. They are built together on first use
// (not at init: a program that never touches a phrase does not pay for
// them) and only read afterwards, so concurrent use needs no locking. (go-bip39's own
// SetWordList global is never touched.)
type wordlist struct {
	display []string       // NFC, the form shown to people
	key     []string       // lower-case NFKD, the form BIP39 hashes and compares
	bare    []string       // key without combining marks, for suggestions
	index   map[string]int // key → index
}

// lists returns the wordlists, building them on the first call.
var lists = sync.OnceValue(func() *[numLanguages + 1]*wordlist {
	l := buildLists()
	return &l
})

func buildLists() [numLanguages + 1]*wordlist {
	src := [numLanguages + 1][]string{
		English:            wordlists.English,
		ChineseSimplified:  wordlists.ChineseSimplified,
		ChineseTraditional: wordlists.ChineseTraditional,
		Czech:              wordlists.Czech,
		French:             wordlists.French,
		Italian:            wordlists.Italian,
		Japanese:           wordlists.Japanese,
		Korean:             wordlists.Korean,
		Portuguese:         strings.Fields(portugueseTxt),
		Spanish:            wordlists.Spanish,
	}
	var out [numLanguages + 1]*wordlist
	for l := English; l <= Spanish; l++ {
		words := src[l]
		if len(words) != 2048 {
			panic("recovery: wordlist " + l.Tag() + " does not have 2048 words")
		}
		wl := &wordlist{
			display: make([]string, len(words)),
			key:     make([]string, len(words)),
			bare:    make([]string, len(words)),
			index:   make(map[string]int, len(words)),
		}
		for i, w := range words {
			k := normWord(w)
			if _, dup := wl.index[k]; dup {
				panic("recovery: wordlist " + l.Tag() + " has a duplicate word")
			}
			wl.display[i] = norm.NFC.String(w)
			wl.key[i] = k
			wl.bare[i] = stripMarks(k)
			wl.index[k] = i
		}
		out[l] = wl
	}
	return out
}

// list returns the wordlist of l, or nil if l is not valid.
func list(l Language) *wordlist {
	if !l.Valid() {
		return nil
	}
	return lists()[l]
}

// normWord folds case and applies NFKD, the comparison form of a word.
func normWord(s string) string {
	return norm.NFKD.String(strings.ToLower(s))
}

// stripMarks drops combining marks (accents, kana voicing marks, the
// enclosing keycap) from an NFKD or NFKC string.
func stripMarks(s string) string {
	if !strings.ContainsFunc(s, isMark) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isMark(r) {
			return -1
		}
		return r
	}, s)
}

func isMark(r rune) bool { return unicode.In(r, unicode.Mn, unicode.Me) }

// splitWords normalises input and splits it at any run of white space
// (ASCII, U+3000 ideographic space, no-break space, …) or zero-width space.
func splitWords(input string) []string {
	return strings.FieldsFunc(normWord(input), isSeparator)
}

// separator joins the words of a phrase: Japanese uses U+3000 ideographic
// space, as the BIP39 reference vectors do.
func (l Language) separator() string {
	if l == Japanese {
		return "\u3000"
	}
	return " "
}
