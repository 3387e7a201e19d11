// Package recovery handles BIP39 recovery phrases and the two-factor recovery
// code format.
//
// [Generate] makes a new phrase, [Parse] and [ParseIn] read a typed or pasted
// one (any white space, any case, NFC or NFKD) and explain what is wrong with
// typed errors: [UnknownWordError] with suggestions, [WordCountError],
// [ChecksumError] with the single-word changes that would fix it. [Seed] and
// [Entropy] derive the BIP39 seed and entropy. [Complete], [PinyinCandidates]
// (Chinese words typed as pinyin, from Unihan readings) and [CheckWord] serve
// the restore screen's per-word fields, [NewQuiz] the backup quiz, and
// [NormalizeRecoveryCode] and [FormatRecoveryCode] the recovery-code field.
//
// All ten official wordlists are supported ([Languages]). The package does
// its own mnemonic ↔ entropy conversion per wordlist and uses
// github.com/tyler-smith/go-bip39 only for its wordlist data, entropy and
// PBKDF2 seed, never its global SetWordList, so it is safe for concurrent use.
package recovery

import (
	"crypto/sha256"
	"slices"
	"strings"

	"github.com/tyler-smith/go-bip39"
	"golang.org/x/text/unicode/norm"
)

// Mnemonic is a valid recovery phrase when it comes from [Generate],
// [FromEntropy], [Parse] or [ParseIn].
type Mnemonic struct {
	Language Language
	Words    []string // NFC, as displayed; Seed and Entropy apply NFKD
}

// String joins the words with a space, or with U+3000 ideographic space for
// Japanese. It is the secret itself: never log it.
func (m Mnemonic) String() string {
	return strings.Join(m.Words, m.Language.separator())
}

// WordCounts returns the valid phrase lengths: 12, 15, 18, 21 and 24.
func WordCounts() []int { return []int{12, 15, 18, 21, 24} }

func validCount(n int) bool { return n >= 12 && n <= 24 && n%3 == 0 }

// Generate returns a new phrase of the given number of words (see
// [WordCounts]) from crypto/rand entropy.
func Generate(lang Language, words int) (Mnemonic, error) {
	if !lang.Valid() {
		return Mnemonic{}, ErrUnknownLanguage
	}
	if !validCount(words) {
		return Mnemonic{}, &WordCountError{Got: words, Valid: WordCounts()}
	}
	ent, err := bip39.NewEntropy(words * 32 / 3)
	if err != nil {
		return Mnemonic{}, err
	}
	defer clear(ent)
	return FromEntropy(lang, ent)
}

// FromEntropy returns the phrase that encodes entropy of 16, 20, 24, 28 or
// 32 bytes.
func FromEntropy(lang Language, entropy []byte) (Mnemonic, error) {
	if !lang.Valid() {
		return Mnemonic{}, ErrUnknownLanguage
	}
	n := len(entropy)
	if n < 16 || n > 32 || n%4 != 0 {
		return Mnemonic{}, ErrEntropyLength
	}
	buf := make([]byte, n+1)
	defer clear(buf)
	copy(buf, entropy)
	h := sha256.Sum256(entropy)
	buf[n] = h[0]
	idx := make([]int, n*3/4)
	for i := range idx {
		for b := i * 11; b < i*11+11; b++ {
			idx[i] = idx[i]<<1 | int(buf[b/8]>>(7-b%8)&1)
		}
	}
	return mnemonic(lang, idx), nil
}

// Parse reads a phrase in any official language, detecting the language from
// the words. Errors are [ErrEmpty], [*UnknownWordError] (for the first word
// outside the list that holds most words), [ErrMixedLanguages],
// [*WordCountError] or [*ChecksumError].
func Parse(input string) (Mnemonic, error) {
	keys := splitWords(input)
	if len(keys) == 0 {
		return Mnemonic{}, ErrEmpty
	}
	var cover [numLanguages + 1]int
	known := make([]bool, len(keys))
	best := English
	for _, l := range Languages() {
		for i, k := range keys {
			if _, ok := lists()[l].index[k]; ok {
				cover[l]++
				known[i] = true
			}
		}
		if cover[l] > cover[best] {
			best = l
		}
	}
	if cover[best] < len(keys) {
		unknown := slices.Index(known, false)
		switch {
		case 2*cover[best] > len(keys):
			// Most words are in one list: the rest are typos in it.
			return Mnemonic{}, unknownWord(keys, firstMissing(best, keys), best)
		case unknown >= 0 && cover[best] > 0:
			return Mnemonic{}, unknownWord(keys, unknown, best)
		case unknown >= 0:
			return Mnemonic{}, unknownWord(keys, unknown, Languages()...)
		default:
			return Mnemonic{}, ErrMixedLanguages
		}
	}
	if !validCount(len(keys)) {
		return Mnemonic{}, &WordCountError{Got: len(keys), Valid: WordCounts()}
	}
	// Some words are in two lists (English and French share 100; the
	// Chinese lists share 1275 characters at the same index). The checksum
	// decides; if it holds in several lists, the first in Languages() order
	// wins, so Simplified Chinese comes before Traditional. Both Chinese
	// lists then give the same entropy and, the text being identical, the
	// same seed: only the label differs.
	var first Language
	var firstIdx []int
	for _, l := range Languages() {
		if cover[l] != len(keys) {
			continue
		}
		idx := indices(l, keys)
		var buf [33]byte
		_, ok := pack(idx, &buf)
		clear(buf[:])
		if ok {
			return mnemonic(l, idx), nil
		}
		if first == 0 {
			first, firstIdx = l, idx
		}
	}
	return Mnemonic{}, checksumError(first, firstIdx, keys)
}

// ParseIn reads a phrase in the given language. Errors are as for [Parse],
// without [ErrMixedLanguages], plus [ErrUnknownLanguage].
func ParseIn(lang Language, input string) (Mnemonic, error) {
	_, m, err := parseIn(lang, input)
	return m, err
}

func parseIn(lang Language, input string) ([]byte, Mnemonic, error) {
	wl := list(lang)
	if wl == nil {
		return nil, Mnemonic{}, ErrUnknownLanguage
	}
	keys := splitWords(input)
	if len(keys) == 0 {
		return nil, Mnemonic{}, ErrEmpty
	}
	if i := firstMissing(lang, keys); i >= 0 {
		return nil, Mnemonic{}, unknownWord(keys, i, lang)
	}
	if !validCount(len(keys)) {
		return nil, Mnemonic{}, &WordCountError{Got: len(keys), Valid: WordCounts()}
	}
	idx := indices(lang, keys)
	ent, ok := checksum(idx)
	if !ok {
		clear(ent)
		return nil, Mnemonic{}, checksumError(lang, idx, keys)
	}
	return ent, mnemonic(lang, idx), nil
}

// Entropy returns the entropy m encodes, or the error [ParseIn] gives for it.
func Entropy(m Mnemonic) ([]byte, error) {
	ent, _, err := parseIn(m.Language, m.String())
	return ent, err
}

// Seed returns the 64-byte BIP39 seed: PBKDF2-HMAC-SHA512, 2048 rounds, over
// the NFKD phrase with salt "mnemonic" + NFKD(passphrase). The passphrase is
// used as typed, case and spaces included. Seed does not validate m.
func Seed(m Mnemonic, passphrase string) []byte {
	keys := make([]string, len(m.Words))
	for i, w := range m.Words {
		keys[i] = normWord(w)
	}
	return bip39.NewSeed(strings.Join(keys, " "), norm.NFKD.String(passphrase))
}

func mnemonic(l Language, idx []int) Mnemonic {
	m := Mnemonic{Language: l, Words: make([]string, len(idx))}
	for i, j := range idx {
		m.Words[i] = lists()[l].display[j]
	}
	return m
}

// firstMissing returns the index of the first key not in l's list, or -1.
func firstMissing(l Language, keys []string) int { return slices.IndexFunc(keys, missing(l)) }

// missing reports whether a key is not in l's list.
func missing(l Language) func(key string) bool {
	return func(k string) bool {
		_, ok := lists()[l].index[k]
		return !ok
	}
}

// checksumError describes the phrase idx of l, typed as keys, whose
// checksum does not match.
func checksumError(l Language, idx []int, keys []string) *ChecksumError {
	fixes, count := checksumFixes(l, idx, keys)
	return &ChecksumError{Language: l, Fixes: fixes, Count: count}
}

// indices maps keys, all in l's list, to their word indices.
func indices(l Language, keys []string) []int {
	idx := make([]int, len(keys))
	for i, k := range keys {
		idx[i] = lists()[l].index[k]
	}
	return idx
}

// checksum reports whether the phrase with word indices idx carries a valid
// checksum, and returns the entropy it encodes.
func checksum(idx []int) ([]byte, bool) {
	var buf [33]byte
	n, ok := pack(idx, &buf)
	ent := slices.Clone(buf[:n])
	clear(buf[:])
	return ent, ok
}

// pack writes the 11-bit word indices to buf, returns the entropy length in
// bytes and reports whether the trailing len(idx)/3 bits equal the first
// bits of SHA-256 of the entropy. len(idx) must be a valid word count.
func pack(idx []int, buf *[33]byte) (int, bool) {
	var acc uint64
	bits, o := 0, 0
	for _, v := range idx {
		acc = acc<<11 | uint64(v)
		for bits += 11; bits >= 8; bits -= 8 {
			buf[o] = byte(acc >> (bits - 8))
			o++
		}
	}
	if bits > 0 {
		buf[o] = byte(acc << (8 - bits))
	}
	n, cs := len(idx)*4/3, uint(len(idx)/3)
	h := sha256.Sum256(buf[:n])
	return n, h[0]>>(8-cs) == buf[n]>>(8-cs)
}
