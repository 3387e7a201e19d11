package recovery

import (
	"cmp"
	"crypto/rand"
	"crypto/subtle"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
)

const (
	quizQuestions   = 3
	quizDistractors = 3
	distractorPool  = 8 // distractors are drawn from this many closest words
)

// Quiz asks for the words at a few random positions of a new phrase, to
// check that the user wrote it down.
type Quiz struct {
	Questions []Question // in phrase order
}

// Question asks which of Choices is the word at Position.
type Question struct {
	Position int      // 1-based
	Choices  []string // the right word and 3 distractors, shuffled
}

// NewQuiz picks 3 distinct positions of m and, for each, 3 distractors from
// m's wordlist that are not in m, preferring words that look alike (same
// first letter, small edit distance). random supplies the randomness; nil
// means crypto/rand.
func NewQuiz(m Mnemonic, random io.Reader) (Quiz, error) {
	if random == nil {
		random = rand.Reader
	}
	wl := list(m.Language)
	if wl == nil {
		return Quiz{}, ErrUnknownLanguage
	}
	if !validCount(len(m.Words)) {
		return Quiz{}, &WordCountError{Got: len(m.Words), Valid: WordCounts()}
	}
	keys := make([]string, len(m.Words))
	inPhrase := make(map[int]bool, len(m.Words))
	for i, w := range m.Words {
		keys[i] = normWord(w)
		j, ok := wl.index[keys[i]]
		if !ok {
			return Quiz{}, &UnknownWordError{Position: i + 1, Language: m.Language}
		}
		inPhrase[j] = true
	}

	positions, err := sample(random, len(m.Words), quizQuestions)
	if err != nil {
		return Quiz{}, err
	}
	slices.Sort(positions)
	q := Quiz{Questions: make([]Question, len(positions))}
	for n, p := range positions {
		right := wl.index[keys[p]]
		choices, err := distractors(random, wl, right, inPhrase)
		if err != nil {
			return Quiz{}, err
		}
		choices = append(choices, right)
		if err := shuffle(random, choices); err != nil {
			return Quiz{}, err
		}
		q.Questions[n] = Question{Position: p + 1, Choices: make([]string, len(choices))}
		for i, c := range choices {
			q.Questions[n].Choices[i] = wl.display[c]
		}
	}
	return q, nil
}

// distractors returns quizDistractors word indices not in the phrase, drawn
// at random from the distractorPool words that look most like right.
func distractors(random io.Reader, wl *wordlist, right int, inPhrase map[int]bool) ([]int, error) {
	target := []rune(wl.key[right])
	type cand struct{ score, index int }
	cands := make([]cand, 0, len(wl.key))
	for i, k := range wl.key {
		if inPhrase[i] {
			continue
		}
		w := []rune(k)
		score := distance(target, w, 1<<30)
		if w[0] != target[0] {
			score++
		}
		cands = append(cands, cand{score, i})
	}
	// Shuffle first so that the stable sort breaks ties at random.
	if err := shuffle(random, cands); err != nil {
		return nil, err
	}
	slices.SortStableFunc(cands, func(a, b cand) int { return cmp.Compare(a.score, b.score) })
	pick, err := sample(random, distractorPool, quizDistractors)
	if err != nil {
		return nil, err
	}
	out := make([]int, len(pick))
	for i, p := range pick {
		out[i] = cands[p].index
	}
	return out, nil
}

// Check compares answers, the chosen word for each question in order, with
// m. It returns nil or a [*QuizError] naming the wrong positions; a missing
// answer is wrong. Every answer is compared, whatever the earlier ones gave.
func (q Quiz) Check(m Mnemonic, answers []string) error {
	var wrong []int
	for i, question := range q.Questions {
		ok := 0
		p := question.Position - 1
		if i < len(answers) && p >= 0 && p < len(m.Words) {
			ok = subtle.ConstantTimeCompare([]byte(normWord(answers[i])), []byte(normWord(m.Words[p])))
		}
		if ok != 1 {
			wrong = append(wrong, question.Position)
		}
	}
	if len(wrong) > 0 {
		return &QuizError{Wrong: wrong}
	}
	return nil
}

// sample returns k distinct integers in [0, n), in random order.
func sample(random io.Reader, n, k int) ([]int, error) {
	all := make([]int, n)
	for i := range all {
		all[i] = i
	}
	for i := range k {
		j, err := intn(random, n-i)
		if err != nil {
			return nil, err
		}
		all[i], all[i+j] = all[i+j], all[i]
	}
	return all[:k], nil
}

// shuffle permutes s uniformly (Fisher–Yates).
func shuffle[T any](random io.Reader, s []T) error {
	for i := len(s) - 1; i > 0; i-- {
		j, err := intn(random, i+1)
		if err != nil {
			return err
		}
		s[i], s[j] = s[j], s[i]
	}
	return nil
}

// intn returns a uniform integer in [0, n), 0 < n ≤ 1<<32, by rejection
// sampling 32-bit values.
func intn(random io.Reader, n int) (int, error) {
	limit := (1 << 32) - (1<<32)%uint64(n)
	var b [4]byte
	for {
		if _, err := io.ReadFull(random, b[:]); err != nil {
			return 0, fmt.Errorf("recovery: reading randomness: %w", err)
		}
		if v := uint64(binary.BigEndian.Uint32(b[:])); v < limit {
			return int(v % uint64(n)), nil
		}
	}
}
