package recovery

import (
	_ "embed"
	"strings"
	"sync"
)

//go:generate go run lookalike_gen.go -confusables confusables.txt

// lookalikeTxt holds the characters outside the wordlists' scripts
// (Cyrillic, Greek, Armenian, Cherokee, full-width, mathematical, …) that
// look like an ASCII letter or digit (see lookalike_gen.go, from Unicode
// TR39's confusables): per line the ASCII character and those that look
// like it.
//
//go:embed lookalike.txt
var lookalikeTxt string

// lookalikes is lookalikeTxt parsed, on first use.
var lookalikes = sync.OnceValue(func() map[rune]rune {
	m := map[rune]rune{}
	for line := range strings.Lines(lookalikeTxt) {
		if strings.HasPrefix(line, "#") {
			continue
		}
		ascii, chars, _ := strings.Cut(strings.TrimSuffix(line, "\n"), " ")
		for _, r := range chars {
			m[r] = rune(ascii[0])
		}
	}
	return m
})

// latin writes each look-alike of s as the ASCII letter or digit it looks
// like ("аbandon" with a Cyrillic а reads "abandon").
func latin(s string) string { return replaceRunes(s, lookalikes()) }

// replaceRunes writes each character of s that m maps as what it maps to.
func replaceRunes(s string, m map[rune]rune) string {
	return strings.Map(func(r rune) rune {
		if a, ok := m[r]; ok {
			return a
		}
		return r
	}, s)
}
