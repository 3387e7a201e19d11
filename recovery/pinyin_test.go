package recovery

import (
	"slices"
	"testing"
)

// pinyinCases pin candidates to known readings: first is the start of the
// candidates, has words among them, hasnt words not among them.
var pinyinCases = []struct {
	lang       Language
	input      string
	first, has []string
	hasnt      []string
	none       bool
	n          int
}{
	{lang: ChineseSimplified, input: "ai", first: []string{"爱"}, has: []string{"碍", "哀", "矮"}},
	{lang: ChineseTraditional, input: "ai", first: []string{"愛"}, has: []string{"礙"}},
	{lang: ChineseSimplified, input: "suo", has: []string{"所", "索", "锁", "缩"}},
	// 长 reads chang and zhang; so does 長.
	{lang: ChineseSimplified, input: "chang", first: []string{"常", "长"}, has: []string{"场"}},
	{lang: ChineseSimplified, input: "zhang", first: []string{"长", "张"}},
	{lang: ChineseTraditional, input: "chang", first: []string{"常", "長"}, hasnt: []string{"长"}},
	{lang: ChineseTraditional, input: "zhang", first: []string{"長", "張"}},
	// ü typed as v, u or ü.
	{lang: ChineseSimplified, input: "lv", has: []string{"绿", "旅"}, hasnt: []string{"路"}},
	{lang: ChineseSimplified, input: "lu", has: []string{"绿", "旅", "路"}},
	{lang: ChineseSimplified, input: "lü", has: []string{"绿"}, hasnt: []string{"路"}},
	{lang: ChineseSimplified, input: "nv", first: []string{"女"}},
	// Case and spaces do not matter; a start of a reading finds its words
	// after the exact ones.
	{lang: ChineseSimplified, input: " ZHANG ", first: []string{"长", "张"}},
	{lang: ChineseSimplified, input: "zh", first: []string{"这", "中"}},
	{lang: ChineseSimplified, input: "ru", first: []string{"如", "入"}, has: []string{"若"}},
	{lang: ChineseSimplified, input: "de", first: []string{"的", "地", "得"}, n: 3},
	// Standard readings first: a dictionary's rare ones after them (底 de,
	// 广 an), old ones only when nothing else reads so (提 chi, 她 chi;
	// 族 cou).
	{lang: ChineseSimplified, input: "chi", first: []string{"持", "吃", "尺"}, has: []string{"迟", "齿"}, hasnt: []string{"提", "她"}},
	{lang: ChineseTraditional, input: "chi", first: []string{"持", "吃", "尺"}, has: []string{"遲", "齒"}, hasnt: []string{"提", "她"}},
	{lang: ChineseSimplified, input: "a", first: []string{"阿", "啊"}, has: []string{"安", "爱"}, hasnt: []string{"广", "厂", "呵"}, n: 10},
	{lang: ChineseSimplified, input: "de", first: []string{"的", "地", "得", "德", "等", "灯", "登", "邓", "底"}},
	{lang: ChineseSimplified, input: "cou", has: []string{"族", "奏", "趣"}},
	// A Traditional character reads as its Simplified form does: 長 is
	// cháng as 长 is, though the standard table lists 长 only.
	{lang: ChineseTraditional, input: "chang", has: []string{"長"}, n: 10},
	{lang: ChineseSimplified, input: "", none: true},
	{lang: ChineseSimplified, input: "ai4", none: true},
	{lang: ChineseSimplified, input: "爱", none: true},
	{lang: ChineseSimplified, input: "xx", none: true},
	{lang: English, input: "ai", none: true},
	{lang: 0, input: "ai", none: true},
}

func TestPinyinCandidates(t *testing.T) {
	for _, c := range pinyinCases {
		n := c.n
		if n == 0 {
			n = 40
		}
		got := PinyinCandidates(c.lang, c.input, n)
		switch {
		case c.none && got != nil:
			t.Errorf("%v %q: %q, want none", c.lang, c.input, got)
		case !c.none && len(got) == 0:
			t.Errorf("%v %q: none", c.lang, c.input)
		case len(got) > n:
			t.Errorf("%v %q: %d candidates, want at most %d", c.lang, c.input, len(got), n)
		case len(got) < len(c.first) || !slices.Equal(got[:len(c.first)], c.first):
			t.Errorf("%v %q: %q, want first %q", c.lang, c.input, got, c.first)
		}
		for _, w := range c.has {
			if !slices.Contains(got, w) {
				t.Errorf("%v %q: %q lack %q", c.lang, c.input, got, w)
			}
		}
		for _, w := range c.hasnt {
			if slices.Contains(got, w) {
				t.Errorf("%v %q: %q has %q", c.lang, c.input, got, w)
			}
		}
		for i, w := range got {
			if CheckWord(c.lang, w) != nil || slices.Contains(got[:i], w) {
				t.Errorf("%v %q: %q is not a word of the list or comes twice", c.lang, c.input, w)
			}
		}
	}
}

// TestPinyinTableCoversLists: every character of both Chinese lists has a
// modern reading.
func TestPinyinTableCoversLists(t *testing.T) {
	for _, l := range []Language{ChineseSimplified, ChineseTraditional} {
		for _, w := range list(l).display {
			if len(pinyinTable().modern[[]rune(w)[0]]) == 0 {
				t.Errorf("%v: %q has no reading", l, w)
			}
		}
	}
}

func FuzzPinyinCandidates(f *testing.F) {
	for _, c := range pinyinCases {
		f.Add(uint8(c.lang), c.input)
	}
	f.Fuzz(func(t *testing.T, lang uint8, input string) {
		for _, w := range PinyinCandidates(Language(lang), input, 10) {
			if CheckWord(Language(lang), w) != nil {
				t.Fatalf("%q is not a word of %v", w, Language(lang))
			}
		}
	})
}
