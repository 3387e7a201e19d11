package recovery

import (
	"cmp"
	"errors"
	"io"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func seeded(seed byte) io.Reader { return rand.NewChaCha8([32]byte{seed}) }

func TestQuizDeterministic(t *testing.T) {
	m, err := Parse("legal winner thank year wave sausage worth useful legal winner thank yellow")
	if err != nil {
		t.Fatal(err)
	}
	a, err := NewQuiz(m, seeded(1))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewQuiz(m, seeded(1))
	c, _ := NewQuiz(m, seeded(2))
	if !reflect.DeepEqual(a, b) {
		t.Errorf("same seed, different quizzes:\n%+v\n%+v", a, b)
	}
	if reflect.DeepEqual(a, c) {
		t.Errorf("seeds 1 and 2 give the same quiz %+v", a)
	}
}

// TestQuizProperties checks quizzes over many seeds and every language:
// distinct positions in order, four distinct choices holding the right word
// once, distractors from the same list, not in the phrase, and among the
// closest-looking words.
func TestQuizProperties(t *testing.T) {
	positionsSeen := map[int]bool{}
	for seed := range byte(40) {
		l := Languages()[int(seed)%numLanguages]
		n := WordCounts()[int(seed)%5]
		m, err := FromEntropy(l, seededBytes(seed, n*4/3))
		if err != nil {
			t.Fatal(err)
		}
		q, err := NewQuiz(m, seeded(seed))
		if err != nil {
			t.Fatal(err)
		}
		if len(q.Questions) != 3 {
			t.Fatalf("%d questions", len(q.Questions))
		}
		var answers []string
		for i, question := range q.Questions {
			p := question.Position
			positionsSeen[p] = true
			if p < 1 || p > n || (i > 0 && p <= q.Questions[i-1].Position) {
				t.Fatalf("positions %+v not distinct, ascending, in 1..%d", q.Questions, n)
			}
			right := m.Words[p-1]
			if len(question.Choices) != 4 || len(compactSorted(question.Choices)) != 4 {
				t.Fatalf("choices %q are not 4 distinct words", question.Choices)
			}
			if !slices.Contains(question.Choices, right) {
				t.Fatalf("choices %q lack the right word", question.Choices)
			}
			for _, d := range question.Choices {
				if d == right {
					continue
				}
				if slices.Contains(m.Words, d) {
					t.Errorf("distractor %q is in the phrase", d)
				}
				if CheckWord(l, d) != nil {
					t.Errorf("distractor %q is not in the %v list", d, l)
				}
				if !amongClosest(m, right, d) {
					t.Errorf("%v: distractor %q is not among the %d words most like %q", l, d, distractorPool, right)
				}
			}
			answers = append(answers, right)
		}
		if err := q.Check(m, answers); err != nil {
			t.Errorf("right answers: %v", err)
		}
	}
	if len(positionsSeen) < 12 {
		t.Errorf("only positions %v were ever asked", positionsSeen)
	}
}

// amongClosest reports whether d is within the distractorPool words of the
// list, not in m, most like right, ties included.
func amongClosest(m Mnemonic, right, d string) bool {
	wl := lists()[m.Language]
	r := []rune(normWord(right))
	score := func(k []rune) int {
		s := distance(r, k, 1<<30)
		if k[0] != r[0] {
			s++
		}
		return s
	}
	var scores []int
	for i, k := range wl.key {
		if !slices.Contains(m.Words, wl.display[i]) {
			scores = append(scores, score([]rune(k)))
		}
	}
	slices.SortFunc(scores, cmp.Compare[int])
	return score([]rune(normWord(d))) <= scores[distractorPool-1]
}

func TestQuizCheck(t *testing.T) {
	m, err := Parse("あいこくしん　あいこくしん　あいこくしん　あいこくしん　あいこくしん　あいこくしん　あいこくしん　あいこくしん　あいこくしん　あいこくしん　あいこくしん　あおぞら")
	if err != nil {
		t.Fatal(err)
	}
	q := Quiz{Questions: []Question{{Position: 1}, {Position: 5}, {Position: 12}}}
	cases := []struct {
		answers []string
		wrong   []int
	}{
		{[]string{"あいこくしん", "あいこくしん", "あおぞら"}, nil},
		{[]string{"あいこくしん", "あいこくしん", "あおそ\u3099ら"}, nil}, // NFKD
		{[]string{"あいこくしん", "あおぞら", "あおぞら"}, []int{5}},
		{[]string{"あおぞら", "あいこくしん", "あいこくしん"}, []int{1, 12}},
		{[]string{"あいこくしん"}, []int{5, 12}},
		{nil, []int{1, 5, 12}},
	}
	for _, c := range cases {
		err := q.Check(m, c.answers)
		var qe *QuizError
		switch {
		case c.wrong == nil && err != nil:
			t.Errorf("%q: %v", c.answers, err)
		case c.wrong != nil && (!errors.As(err, &qe) || !slices.Equal(qe.Wrong, c.wrong)):
			t.Errorf("%q: %v, want wrong %v", c.answers, err, c.wrong)
		case c.wrong != nil && !errors.Is(err, ErrQuizWrong):
			t.Errorf("%q: %v is not ErrQuizWrong", c.answers, err)
		case err != nil && strings.Contains(err.Error(), "あ"):
			t.Errorf("error text %q contains a word", err)
		}
	}
}

func TestQuizErrors(t *testing.T) {
	m, _ := Parse("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about")
	if _, err := NewQuiz(m, strings.NewReader("short")); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("short randomness: %v", err)
	}
	if _, err := NewQuiz(Mnemonic{Language: English, Words: m.Words[:3]}, nil); !errors.Is(err, ErrWordCount) {
		t.Errorf("3 words: %v", err)
	}
	if _, err := NewQuiz(Mnemonic{Words: m.Words}, nil); !errors.Is(err, ErrUnknownLanguage) {
		t.Errorf("no language: %v", err)
	}
	if _, err := NewQuiz(m, nil); err != nil {
		t.Errorf("crypto/rand: %v", err)
	}
}

func seededBytes(seed byte, n int) []byte {
	b := make([]byte, n)
	rand.NewChaCha8([32]byte{seed, 0xff}).Read(b)
	return b
}

func compactSorted(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return slices.Compact(c)
}
