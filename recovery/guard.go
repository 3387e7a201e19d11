package recovery

import (
	"crypto/subtle"
	"errors"
	"io"
	"regexp"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"sesame/authapi"
)

// The guard: FindSecret finds in a text meant for support (a support
// request's description) what must never be given away: a recovery
// phrase, a recovery code, a mailed or authenticator code, a password.

// ErrSecret reports a text that holds a secret; the error is a
// [*SecretError].
var ErrSecret = errors.New("the text holds a secret")

// SecretError names the secret a text holds.
type SecretError struct{ Kind authapi.SecretKind }

func (e *SecretError) Error() string {
	return "the text holds a " + strings.ReplaceAll(string(e.Kind), "_", " ")
}

func (e *SecretError) Unwrap() error { return ErrSecret }

// PhraseRun is the least number of consecutive words of one list that
// FindSecret takes for a recovery phrase or a part of one: the 2048 words
// of a list are common ones, and ordinary English has runs of 6 (the
// app's own texts do). A word is a token between spaces or punctuation
// (numbering such as "1." separates too); Japanese kana written without
// spaces are cut into the list's words (katakana read as its hiragana),
// and so is Korean. Chinese characters count one word each when written
// apart ("的 一 是"), Traditional ones as the Simplified of the same
// index; ordinary Chinese text is nearly all made of the 2048
// characters of the Chinese lists, so that an unspaced run of characters
// counts only as a whole phrase: 12 to 24 listed characters whose BIP39
// checksum holds and of which two thirds or more are not among the
// list's 512 commonest (ordinary text scarcely has such a run; about 5 of
// 6 random phrases have; the rest are missed).
const PhraseRun = 7

// rareFrom is the index from which a word of a Chinese list counts as
// rare.
const rareFrom = 512

// codeWindow is how near (in characters) to a keyword a 6-digit number is
// taken for a code.
const codeWindow = 30

// codeWords are the keywords next to which 6 digits are a code.
var codeWords = []string{"code", "otp", "2fa", "authenticator", "two-factor", "验证码", "驗證碼", "校验码", "动态码", "确认码", "验证器", "双重验证"}

var (
	alnumRun = regexp.MustCompile(`[0-9A-Za-z]+`)
	digitRun = regexp.MustCompile(`[0-9]+`)
	// codeRun is digits joined by single spaces, line breaks, dashes or
	// dots, as a code is written ("123 456", "1 2 3 4 5 6", "123.456").
	codeRun = regexp.MustCompile(`[0-9](?:[\s\p{Pd}.]?[0-9])*`)
	// pairs is a code written in pairs ("12 34 56").
	pairs = regexp.MustCompile(`^[0-9]{2}\s[0-9]{2}\s[0-9]{2}$`)
)

// FindSecret returns a *SecretError when text holds a recovery phrase (or
// PhraseRun words of one), a recovery code, a 6-digit number near the word
// "code" (or 验证码), or one of passwords (compared in constant time; those
// shorter than 4 characters are ignored); else nil. It is the one check of
// the app's support form and of the server. Invisible characters (see
// ignorable) are read both as nothing, as inside a word, and as spaces, as
// between words.
func FindSecret(text string, passwords ...string) error {
	drop := strings.Map(func(r rune) rune { return cond(ignorable(r), -1, r) }, text)
	space := strings.Map(func(r rune) rune { return cond(ignorable(r), ' ', r) }, text)
	if err := findSecret(drop, passwords); err != nil || drop == text {
		return err
	}
	return findSecret(space, passwords)
}

// ignorable reports a character that shows nothing: a format character
// (zero-width space and joiners, soft hyphen, word joiner), a variation
// selector or another default-ignorable one (Hangul fillers).
func ignorable(r rune) bool {
	return unicode.In(r, unicode.Cf, unicode.Variation_Selector, unicode.Other_Default_Ignorable_Code_Point)
}

func cond(c bool, yes, no rune) rune {
	if c {
		return yes
	}
	return no
}

// findSecret looks for passwords in text as written (narrowed), and for
// the other secrets in text with its digits of other scripts read as
// ASCII (see asciiDigits), its look-alike letters as Latin (see latin)
// and, for codes, without combining marks ("1̲2̲3̲…").
func findSecret(text string, passwords []string) error {
	lat := latin(asciiDigits(text))
	bare := stripMarks(norm.NFKC.String(lat)) // full-width digits and letters narrowed
	switch {
	case hasPassword(norm.NFKC.String(text), passwords):
		return &SecretError{authapi.SecretPassword}
	case hasPhrase(lat):
		return &SecretError{authapi.SecretRecoveryPhrase}
	case hasRecoveryCode(bare):
		return &SecretError{authapi.SecretRecoveryCode}
	case hasCode(bare):
		return &SecretError{authapi.SecretCode}
	}
	return nil
}

// asciiDigits writes each decimal digit of another script ("١", "۱",
// "१", "১") as the ASCII digit of its value. Unicode encodes the decimal
// digits in runs from 0 to 9, so a digit's value is how many digits
// precede it in its run, modulo 10.
func asciiDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r <= unicode.MaxASCII || !unicode.Is(unicode.Nd, r) {
			return r
		}
		zero := r
		for unicode.Is(unicode.Nd, zero-1) {
			zero--
		}
		return '0' + (r-zero)%10
	}, s)
}

// hasPassword reports whether a password of 4 characters or more occurs
// in text, comparing every window in constant time.
func hasPassword(text string, passwords []string) bool {
	found := 0
	for _, p := range passwords {
		p = authapi.NormalizePassword(p)
		if len([]rune(p)) < 4 {
			continue
		}
		for i := 0; i+len(p) <= len(text); i++ {
			found |= subtle.ConstantTimeCompare([]byte(text[i:i+len(p)]), []byte(p))
		}
	}
	return found == 1
}

// hasRecoveryCode reports a recovery code written whole (12 characters)
// or in three groups of four joined by a space or a dash, that holds a
// digit, is written in upper case, or is written in lower case (its first
// letter maybe capital, as at a sentence's start) with letters a word
// scarcely has (see codeLetters).
func hasRecoveryCode(text string) bool {
	runs := alnumRun.FindAllStringIndex(text, -1)
	for i, r := range runs {
		cand := text[r[0]:r[1]]
		if len(cand) != authapi.RecoveryCodeChars {
			cand = ""
			if i+2 < len(runs) && grouped(text, runs[i:i+3]) {
				cand = text[r[0]:r[1]] + text[runs[i+1][0]:runs[i+1][1]] + text[runs[i+2][0]:runs[i+2][1]]
			}
		}
		if cand == "" {
			continue
		}
		if _, err := authapi.NormalizeRecoveryCode(cand); err == nil && distinct(cand) >= 4 &&
			(strings.ContainsAny(cand, "0123456789") || strings.ToUpper(cand) == cand ||
				strings.ToLower(cand[1:]) == cand[1:] && codeLetters(cand)) {
			return true
		}
	}
	return false
}

// codeLetters reports letters that a word of 12 letters
// scarcely has and most codes of letters only have: none of I, L, O and U
// (a code is shown without them) and at most two of the vowels A and E
// (about 9 codes in 10 without a digit have so few; "strengthened" and
// "transparency" have three).
func codeLetters(s string) bool {
	s = strings.ToUpper(s)
	return !strings.ContainsAny(s, "ILOU") && strings.Count(s, "A")+strings.Count(s, "E") <= 2
}

// distinct counts the different characters of s, so that a placeholder
// such as XXXX-XXXX-XXXX is not a code.
func distinct(s string) int {
	seen := map[rune]bool{}
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			seen[unicode.ToUpper(r)] = true
		}
	}
	return len(seen)
}

// grouped reports three runs of four characters joined by a joiner
// each.
func grouped(text string, runs [][]int) bool {
	for i, r := range runs {
		if r[1]-r[0] != 4 {
			return false
		}
		if i > 0 && !joiner(text[runs[i-1][1]:r[0]]) {
			return false
		}
	}
	return true
}

// joiner reports what may join a recovery code's groups: one to three
// spaces, line breaks, punctuation marks or math symbols ("-", " / ",
// "_", "\n", U+2212 minus).
func joiner(s string) bool {
	rs := []rune(s)
	return len(rs) >= 1 && len(rs) <= 3 && !strings.ContainsFunc(s, func(r rune) bool {
		return !unicode.IsSpace(r) && !unicode.IsPunct(r) && !unicode.Is(unicode.Sm, r)
	})
}

// hasCode reports a code (see codeLike) within codeWindow characters of a
// keyword of codeWords.
func hasCode(text string) bool {
	lower := strings.ToLower(text)
	for _, r := range codeRun.FindAllStringIndex(lower, -1) {
		if !codeLike(lower[r[0]:r[1]]) {
			continue
		}
		before := []rune(lower[:r[0]])
		after := []rune(lower[r[1]:])
		near := string(before[max(0, len(before)-codeWindow):]) + " " + string(after[:min(len(after), codeWindow)])
		for _, w := range codeWords {
			if strings.Contains(near, w) {
				return true
			}
		}
	}
	return false
}

// codeLike reports a codeRun that holds a code: 6 digits together, two
// groups of 3 one after the other, 6 single digits, or three pairs
// joined by spaces ("12 34 56"; with dashes they are a date); with dots
// only "123.456" (more groups are an IP address or a version).
func codeLike(run string) bool {
	groups := digitRun.FindAllString(run, -1)
	if strings.Contains(run, ".") {
		return len(groups) == 2 && len(groups[0]) == 3 && len(groups[1]) == 3
	}
	if pairs.MatchString(run) {
		return true
	}
	ones := 0
	for i, g := range groups {
		if len(g) == 6 || i > 0 && len(g) == 3 && len(groups[i-1]) == 3 {
			return true
		}
		if len(g) == 1 {
			ones++
		}
	}
	return ones == 6 && len(groups) == 6
}

// hasPhrase reports PhraseRun consecutive words of one list, or an
// unspaced Chinese phrase (see PhraseRun).
func hasPhrase(text string) bool {
	tokens := strings.FieldsFunc(hiragana(simplified(normWord(text))), func(r rune) bool { return !unicode.IsLetter(r) && !isMark(r) })
	for _, l := range Languages() {
		wl, run := lists()[l], 0
		for _, tok := range tokens {
			n := 0
			switch {
			case isHan(tok) && len([]rune(tok)) > 1:
				if (l == ChineseSimplified || l == ChineseTraditional) && unspacedPhrase(wl, []rune(tok)) {
					return true
				}
			case l == Japanese && isKana(tok), l == Korean && isHangul(tok):
				var longest int
				n, longest = tile(wl, []rune(tok))
				if longest >= PhraseRun {
					return true
				}
			default:
				if _, ok := wl.index[tok]; ok || bareWords()[l][stripMarks(tok)] {
					n = 1
				}
			}
			if n == 0 {
				run = 0
				continue
			}
			if run += n; run >= PhraseRun {
				return true
			}
		}
	}
	return false
}

// bareWords holds each list's words without combining marks: a phrase
// written without its accents ("abaco" for "ábaco") or with marks slipped
// into its words gives the wallet away as well.
var bareWords = sync.OnceValue(func() map[Language]map[string]bool {
	out := map[Language]map[string]bool{}
	for _, l := range Languages() {
		out[l] = map[string]bool{}
		for _, w := range lists()[l].bare {
			out[l][w] = true
		}
	}
	return out
})

// simplified writes each character of the Traditional Chinese list as the
// Simplified list's word of the same index: the lists number the same
// words, so that a phrase written partly in Traditional characters (an
// input method's conversion) is read as one phrase of one list.
func simplified(s string) string { return replaceRunes(s, traditional()) }

// hiragana writes katakana as the hiragana of the Japanese list: a phrase
// that an input method wrote in katakana is the same phrase (normWord
// already widened half-width katakana).
func hiragana(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'ァ' && r <= 'ヶ' {
			return r - ('ァ' - 'ぁ')
		}
		return r
	}, s)
}

// traditional maps the characters of the Traditional list that differ
// from the Simplified list's to those.
var traditional = sync.OnceValue(func() map[rune]rune {
	m := map[rune]rune{}
	hans, hant := lists()[ChineseSimplified], lists()[ChineseTraditional]
	for i, w := range hant.key {
		if w != hans.key[i] {
			m[[]rune(w)[0]] = []rune(hans.key[i])[0]
		}
	}
	return m
})

func isHan(tok string) bool {
	for _, r := range tok {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return true
}

func isHangul(tok string) bool {
	return !strings.ContainsFunc(tok, func(r rune) bool { return !unicode.Is(unicode.Hangul, r) })
}

func isKana(tok string) bool {
	for _, r := range tok {
		if !unicode.In(r, unicode.Hiragana, unicode.Katakana, unicode.Mn) && r != 'ー' {
			return false
		}
	}
	return true
}

// tile cuts rs into words of wl: whole is how many words make all of rs
// (0 when they cannot), longest the most consecutive words found anywhere
// in it.
func tile(wl *wordlist, rs []rune) (whole, longest int) {
	// chain[i] is the most words ending at i, -1 for none; from[i] the
	// most words that make rs[:i] whole, -1 when they cannot.
	chain, from := make([]int, len(rs)+1), make([]int, len(rs)+1)
	for i := 1; i <= len(rs); i++ {
		chain[i], from[i] = 0, -1
		for j := max(0, i-12); j < i; j++ {
			if _, ok := wl.index[string(rs[j:i])]; !ok {
				continue
			}
			chain[i] = max(chain[i], chain[j]+1)
			if from[j] >= 0 {
				from[i] = max(from[i], from[j]+1)
			}
		}
		longest = max(longest, chain[i])
	}
	return max(from[len(rs)], 0), longest
}

// unspacedPhrase reports a window of rs of a valid word count whose
// characters are all words of wl, whose checksum holds and of which two
// thirds or more are not among its first rareFrom (the lists are in order
// of frequency).
func unspacedPhrase(wl *wordlist, rs []rune) bool {
	for _, k := range WordCounts() {
		for i := 0; i+k <= len(rs); i++ {
			idx, rare := make([]int, k), 0
			for j, r := range rs[i : i+k] {
				v, ok := wl.index[string(r)]
				if !ok {
					idx = nil
					break
				}
				idx[j] = v
				if v >= rareFrom {
					rare++
				}
			}
			if idx == nil || 3*rare < 2*k {
				continue
			}
			var buf [33]byte
			_, ok := pack(idx, &buf)
			clear(buf[:])
			if ok {
				return true
			}
		}
	}
	return false
}

// RandomWords returns n words of the list of l drawn from random, for a
// phrase that people read out (a support request's staff phrase): words
// of a list are easy to read and to say.
func RandomWords(l Language, n int, random io.Reader) ([]string, error) {
	wl := list(l)
	if wl == nil {
		return nil, ErrUnknownLanguage
	}
	out := make([]string, n)
	for i := range out {
		j, err := intn(random, len(wl.display))
		if err != nil {
			return nil, err
		}
		out[i] = wl.display[j]
	}
	return out, nil
}
