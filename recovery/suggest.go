package recovery

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
)

const (
	maxSuggestions = 3
	maxFixes       = 8
	maxTypedRunes  = 32 // no list word is near this long; longer input gets no suggestions
)

// Complete returns up to n words of lang's list that start with prefix
// (case-folded, NFKD, so "e" also completes to "é…"), in list order.
func Complete(lang Language, prefix string, n int) []string {
	wl := list(lang)
	key := normWord(strings.TrimFunc(prefix, isSeparator))
	if wl == nil || key == "" || n <= 0 {
		return nil
	}
	var out []string
	for i, w := range wl.key {
		if strings.HasPrefix(w, key) {
			out = append(out, wl.display[i])
			if len(out) == n {
				break
			}
		}
	}
	return out
}

// CheckWord validates one typed word, as a restore screen field does. With
// lang 0 any official list is accepted. It returns nil, [ErrEmpty],
// [ErrUnknownLanguage] or an [*UnknownWordError] with Position 0.
func CheckWord(lang Language, word string) error {
	keys := splitWords(word)
	if len(keys) == 0 {
		return ErrEmpty
	}
	langs := []Language{lang}
	switch {
	case lang == 0:
		langs = Languages()
	case !lang.Valid():
		return ErrUnknownLanguage
	}
	if len(keys) > 1 {
		return &UnknownWordError{Language: lang}
	}
	for _, l := range langs {
		if _, ok := lists()[l].index[keys[0]]; ok {
			return nil
		}
	}
	e := unknownWord(keys, 0, langs...)
	e.Position = 0
	return e
}

// unknownWord describes keys[i] as unknown, with suggestions from whichever
// of langs has the closest word (the first of langs on a tie). Where the
// other words are all in that list and their count is valid, the close
// words that make the phrase's checksum match come first.
func unknownWord(keys []string, i int, langs ...Language) *UnknownWordError {
	e := &UnknownWordError{Position: i + 1}
	bestScore := -1
	for _, l := range langs {
		s := suggestions(l, keys[i], fitter(l, keys, i))
		if len(langs) == 1 {
			e.Language = l
		}
		if len(s) == 0 || (bestScore >= 0 && s[0].score >= bestScore) {
			continue
		}
		bestScore = s[0].score
		e.Language = l
		e.Suggestions = make([]string, len(s))
		e.Fitting = 0
		for j, c := range s {
			e.Suggestions[j] = lists()[l].display[c.index]
			if c.fits {
				e.Fitting++
			}
		}
	}
	return e
}

// fitter returns whether word w of l at position i makes the phrase keys
// valid, or nil when that cannot be known: another word is not in l's list
// or the number of words is not a valid one.
func fitter(l Language, keys []string, i int) func(w int) bool {
	if !validCount(len(keys)) || slices.ContainsFunc(keys[:i], missing(l)) || slices.ContainsFunc(keys[i+1:], missing(l)) {
		return nil
	}
	idx := make([]int, len(keys))
	for j, k := range keys {
		if j != i {
			idx[j] = lists()[l].index[k]
		}
	}
	return func(w int) bool {
		var buf [33]byte
		idx[i] = w
		_, ok := pack(idx, &buf)
		clear(buf[:])
		return ok
	}
}

type scored struct {
	score, index int
	fits         bool // makes the phrase's checksum match
}

// suggestions returns up to maxSuggestions words of l's list close to key:
// those that fit (when fits is not nil) first, then closest first (see
// similarity), ties in list order, within a limit that grows with the
// key's length. For the two Chinese lists, which share indices, the same
// word of the other script comes first among equals, and a character's
// homophones (琐 → 索) are as close as a slip of the marks.
func suggestions(l Language, key string, fits func(w int) bool) []scored {
	t := newTyped(key)
	if len(t.bare) > maxTypedRunes {
		return nil
	}
	limit := 2 * maxDistance(len(t.bare))
	var out []scored
	same := -1
	if o := otherChinese(l); o != 0 {
		if i, ok := lists()[o].index[key]; ok {
			out = append(out, scored{score: 0, index: i})
			same = i
		}
	}
	wl := list(l)
	hom := homophones(l, key)
	for i := range wl.key {
		s := t.similarity(wl, i, max(limit, 1))
		if hom[i] {
			s = min(s, 1)
		}
		if s <= max(limit, 1) && i != same {
			out = append(out, scored{score: s, index: i})
		}
	}
	if fits != nil {
		for j := range out {
			out[j].fits = fits(out[j].index)
		}
	}
	slices.SortStableFunc(out, func(a, b scored) int {
		return cmp.Or(-cmp.Compare(btoi(a.fits), btoi(b.fits)), cmp.Compare(a.score, b.score))
	})
	return out[:min(len(out), maxSuggestions)]
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// typed is a word as typed, prepared for comparisons.
type typed struct {
	key  string
	bare []rune // key without combining marks
}

func newTyped(key string) typed { return typed{key, []rune(stripMarks(key))} }

// similarity scores list word i against the typed word, lower is closer:
// twice the edit distance of their letters without marks, 1 when only the
// marks differ ("eleve" is 1 from "élève", 2 from "leve"), and at most 2
// when the typed letters start the word ("aban" for "abandon"). Scores
// above limit may be reported as any larger value.
func (t typed) similarity(wl *wordlist, i, limit int) int {
	bare := wl.bare[i]
	if strings.HasPrefix(bare, string(t.bare)) {
		switch {
		case wl.key[i] == t.key:
			return 0
		case len(bare) == len(string(t.bare)):
			return 1
		default:
			return 2 // a completion, or a completion with other marks
		}
	}
	return 2 * distance(t.bare, []rune(bare), limit/2)
}

func maxDistance(runes int) int {
	switch {
	case runes <= 1:
		return 0 // one CJK character is one edit from every other
	case runes <= 3:
		return 1
	case runes <= 6:
		return 2
	default:
		return 3
	}
}

func otherChinese(l Language) Language {
	switch l {
	case ChineseSimplified:
		return ChineseTraditional
	case ChineseTraditional:
		return ChineseSimplified
	}
	return 0
}

// checksumFixes counts the single-word changes to the phrase idx of lang
// that satisfy its checksum and lists those close to the typed keys (a
// plausible slip: see closeLimit, or a Chinese homophone), closest first
// (similarity, then list order, then position). A 12-word checksum has 4 bits: about one word in
// 16 fits at each position, so a fix far from what was typed says nothing.
func checksumFixes(l Language, idx []int, keys []string) (fixes []Fix, count int) {
	type cand struct{ d, word, pos int }
	var cands []cand
	trial := slices.Clone(idx)
	var buf [33]byte
	wl := list(l)
	for p := range trial {
		t := newTyped(keys[p])
		limit := closeLimit(len(t.bare))
		hom := homophones(l, keys[p])
		for w := range wl.key {
			if w == idx[p] {
				continue
			}
			trial[p] = w
			if _, ok := pack(trial, &buf); ok {
				count++
				d := t.similarity(wl, w, limit)
				if hom[w] {
					d = min(d, 1)
				}
				if d <= limit || hom[w] {
					cands = append(cands, cand{d, w, p})
				}
			}
		}
		trial[p] = idx[p]
	}
	clear(buf[:])
	slices.SortFunc(cands, func(a, b cand) int {
		return cmp.Or(cmp.Compare(a.d, b.d), cmp.Compare(a.word, b.word), cmp.Compare(a.pos, b.pos))
	})
	fixes = make([]Fix, min(len(cands), maxFixes))
	for i := range fixes {
		fixes[i] = Fix{Position: cands[i].pos + 1, Word: wl.display[cands[i].word]}
	}
	return fixes, count
}

// closeLimit is the largest similarity of a fix to a known word of runes
// letters: one edit (or a completion), none for a single CJK character.
func closeLimit(runes int) int { return 2 * min(1, maxDistance(runes)) }

// distance is the optimal string alignment distance (Levenshtein plus
// adjacent transpositions) between a and b, or limit+1 once it must exceed
// limit.
func distance(a, b []rune, limit int) int {
	if abs(len(a)-len(b)) > limit {
		return limit + 1
	}
	// Three rows: two back, previous, current.
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(b)], limit+1)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func isSeparator(r rune) bool {
	return unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff'
}
