package recovery

import (
	"cmp"
	_ "embed"
	"slices"
	"strings"
	"sync"
)

//go:generate go run pinyin_gen.go

// pinyinTxt holds the tone-less readings of the characters a Chinese user
// may type (see pinyin_gen.go): per line a reading, the characters for
// which it is a standard reading, after " ; " those for which a modern
// dictionary gives it as a rare one, and after " / " those that have it
// only among the Hanyu Da Zidian's older readings. "ü" is written "v".
//
//go:embed pinyin.txt
var pinyinTxt string

// syllable is one reading and its characters, by how common the reading
// is for them.
type syllable struct {
	reading string
	chars   [numRarities][]rune
}

// rarity is how common a reading is for a character.
type rarity int

// The rarities, commonest first.
const (
	standardReading rarity = iota
	rareReading
	oldReading
	numRarities
)

// pinyinTable is pinyinTxt parsed, on first use.
var pinyinTable = sync.OnceValue(func() (t struct {
	syllables []syllable
	modern    map[rune][]string // a character's modern readings
}) {
	t.modern = map[rune][]string{}
	for line := range strings.Lines(pinyinTxt) {
		if strings.HasPrefix(line, "#") {
			continue
		}
		reading, chars, _ := strings.Cut(strings.TrimSpace(line), " ")
		modern, old, _ := strings.Cut(chars, " / ")
		standard, rare, _ := strings.Cut(modern, " ; ")
		s := syllable{reading: reading, chars: [numRarities][]rune{[]rune(standard), []rune(rare), []rune(old)}}
		t.syllables = append(t.syllables, s)
		for _, r := range s.modern() {
			t.modern[r] = append(t.modern[r], reading)
		}
	}
	return t
})

// modern are the characters a modern dictionary reads as s.
func (s syllable) modern() []rune {
	return append(slices.Clip(s.chars[standardReading]), s.chars[rareReading]...)
}

// PinyinCandidates returns up to n words of lang's list, Simplified or
// Traditional Chinese, that read as input, tone-less pinyin such as "ai"
// or "zhang" ("ü" typed as "v" or "u": "lv" and "lu" both find 绿).
// Standard readings come first, then a modern dictionary's rare ones; the
// Hanyu Da Zidian's old readings only when no other matches (chi finds 吃,
// not 提). Among each, words whose reading is input come before those whose
// reading starts with it, then list order, which is by frequency of use. It
// returns nil for other lists and for input that is not Latin letters.
func PinyinCandidates(lang Language, input string, n int) []string {
	if otherChinese(lang) == 0 || n <= 0 {
		return nil
	}
	key := []rune(strings.ReplaceAll(strings.ToLower(strings.TrimFunc(input, isSeparator)), "ü", "v"))
	if len(key) == 0 || slices.ContainsFunc(key, func(r rune) bool { return r < 'a' || r > 'z' }) {
		return nil
	}
	type cand struct {
		rarity rarity
		prefix int
		index  int
	}
	var cands []cand
	wl := list(lang)
	for _, s := range pinyinTable().syllables {
		prefix := 0
		switch {
		case readsAs(s.reading, key, false):
		case readsAs(s.reading, key, true):
			prefix = 1
		default:
			continue
		}
		for rank, chars := range s.chars {
			for _, r := range chars {
				if i, ok := wl.index[string(r)]; ok {
					cands = append(cands, cand{rarity(rank), prefix, i})
				}
			}
		}
	}
	slices.SortFunc(cands, func(a, b cand) int {
		return cmp.Or(cmp.Compare(a.rarity, b.rarity), cmp.Compare(a.prefix, b.prefix), cmp.Compare(a.index, b.index))
	})
	var out []string
	seen := map[int]bool{}
	for _, c := range cands {
		if c.rarity == oldReading && cands[0].rarity != oldReading {
			break
		}
		if !seen[c.index] {
			seen[c.index] = true
			out = append(out, wl.display[c.index])
			if len(out) == n {
				break
			}
		}
	}
	return out
}

// readsAs reports whether reading is key, or starts with it when prefix
// is set; a "u" of key also stands for the "v" (ü) of reading.
func readsAs(reading string, key []rune, prefix bool) bool {
	if len(key) > len(reading) || !prefix && len(key) != len(reading) {
		return false
	}
	for i, r := range key {
		if c := rune(reading[i]); c != r && (r != 'u' || c != 'v') {
			return false
		}
	}
	return true
}

// homophones are the indices of l's words that share a modern reading
// with key when l is a Chinese list and key one character; nil otherwise.
func homophones(l Language, key string) map[int]bool {
	r := []rune(key)
	if otherChinese(l) == 0 || len(r) != 1 {
		return nil
	}
	t := pinyinTable()
	wl := list(l)
	var out map[int]bool
	for _, s := range t.syllables {
		if !slices.Contains(t.modern[r[0]], s.reading) {
			continue
		}
		for _, c := range s.modern() {
			if i, ok := wl.index[string(c)]; ok && c != r[0] {
				if out == nil {
					out = map[int]bool{}
				}
				out[i] = true
			}
		}
	}
	return out
}
