package recovery

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"sync"
	"testing"
)

// TestConcurrentUse generates, parses and quizzes in every language at once.
// Run it with -race: the package must not share mutable state (go-bip39's
// SetWordList global is the trap it avoids).
func TestConcurrentUse(t *testing.T) {
	var wg sync.WaitGroup
	for g, l := range Languages() {
		wg.Go(func() {
			for i := range 6 {
				n := WordCounts()[(g+i)%5]
				m, err := Generate(l, n)
				if err != nil {
					t.Error(err)
					return
				}
				want, _ := Entropy(m)
				p, err := Parse(m.String())
				if err != nil {
					t.Errorf("%v: Parse: %v", l, err)
					return
				}
				if got, err := Entropy(p); err != nil || !bytes.Equal(got, want) {
					t.Errorf("%v: entropy differs after Parse", l)
				}
				// A Traditional phrase of shared characters is named Simplified.
				if p.Language != l && (l != ChineseTraditional || p.Language != ChineseSimplified) {
					t.Errorf("Parse detected %v, want %v", p.Language, l)
				}
				// A wrong last word: the checksum or, rarely, nothing is wrong.
				m.Words[n-1] = lists()[l].display[(lists()[l].index[normWord(m.Words[n-1])]+1)%2048]
				if _, err := ParseIn(l, m.String()); err != nil && !errors.Is(err, ErrChecksum) {
					t.Errorf("%v: %v", l, err)
				}
				if _, err := NewQuiz(p, rand.NewChaCha8([32]byte{byte(g), byte(i)})); err != nil {
					t.Error(err)
				}
				Complete(l, m.Words[0], 4)
				_ = CheckWord(l, m.Words[1]+"x")
			}
		})
	}
	wg.Wait()
}
