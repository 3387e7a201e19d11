package recovery

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Error strings never contain a word of the phrase or a code: they are
// fragments of a secret. The typed errors carry what the UI needs.
var (
	// ErrEmpty reports input without any word.
	ErrEmpty = errors.New("recovery: no words")
	// ErrUnknownWord reports a word that is not in the wordlist; see
	// [UnknownWordError].
	ErrUnknownWord = errors.New("recovery: word not in the wordlist")
	// ErrWordCount reports a phrase whose length is not 12, 15, 18, 21 or 24
	// words; see [WordCountError].
	ErrWordCount = errors.New("recovery: wrong number of words")
	// ErrChecksum reports a phrase whose words are all known but whose
	// checksum does not match; see [ChecksumError].
	ErrChecksum = errors.New("recovery: checksum does not match")
	// ErrMixedLanguages reports a phrase whose words are all in some list
	// but in no single one, and no list holds most of them.
	ErrMixedLanguages = errors.New("recovery: words from different wordlists")
	// ErrUnknownLanguage reports a Language that is not an official list.
	ErrUnknownLanguage = errors.New("recovery: unknown wordlist language")
	// ErrEntropyLength reports entropy that is not 16, 20, 24, 28 or 32 bytes.
	ErrEntropyLength = errors.New("recovery: entropy must be 16, 20, 24, 28 or 32 bytes")
	// ErrQuizWrong reports wrong answers in the backup quiz; see [QuizError].
	ErrQuizWrong = errors.New("recovery: backup quiz answer is wrong")
)

// UnknownWordError names a word that is not in the wordlist.
type UnknownWordError struct {
	Position    int      // 1-based; 0 when one word was checked alone
	Language    Language // the list searched for suggestions; 0 if none fits
	Suggestions []string // up to 3 close words of that list, best first
	// Fitting is how many of the first Suggestions make the whole phrase's
	// checksum match (0 when none does or the rest of the phrase is not
	// complete and known).
	Fitting int
}

func (e *UnknownWordError) Error() string {
	if e.Position == 0 {
		return "recovery: word is not in the wordlist"
	}
	return fmt.Sprintf("recovery: word %d is not in the wordlist", e.Position)
}

func (e *UnknownWordError) Unwrap() error { return ErrUnknownWord }

// WordCountError reports a phrase of the wrong length.
type WordCountError struct {
	Got   int
	Valid []int // 12, 15, 18, 21, 24
}

func (e *WordCountError) Error() string {
	v := make([]string, len(e.Valid))
	for i, n := range e.Valid {
		v[i] = strconv.Itoa(n)
	}
	return fmt.Sprintf("recovery: got %d words, want %s", e.Got, strings.Join(v, ", "))
}

func (e *WordCountError) Unwrap() error { return ErrWordCount }

// Fix is a single-word change that makes a phrase's checksum match.
type Fix struct {
	Position int    // 1-based
	Word     string // the replacement, as displayed
}

// ChecksumError reports a checksum mismatch, how many single-word changes
// would satisfy it, and those of them one slip away from what was typed,
// most similar first (edit distance, accents counting half, then wordlist
// order, then position). Many changes fit a short checksum (over a
// hundred for 12 words): matching it does not prove a fix is the right
// word, and the UI must let the user choose.
type ChecksumError struct {
	Language Language
	Fixes    []Fix // at most 8, each one edit from the typed word
	Count    int   // all single-word changes that satisfy the checksum
}

func (e *ChecksumError) Error() string {
	return fmt.Sprintf("recovery: checksum does not match (%d single-word fixes listed)", len(e.Fixes))
}

func (e *ChecksumError) Unwrap() error { return ErrChecksum }

// QuizError names the phrase positions answered wrongly in the backup quiz.
type QuizError struct {
	Wrong []int // 1-based phrase positions
}

func (e *QuizError) Error() string {
	return fmt.Sprintf("recovery: %d backup quiz answers are wrong", len(e.Wrong))
}

func (e *QuizError) Unwrap() error { return ErrQuizWrong }
