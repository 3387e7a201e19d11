package screens

import (
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/go-text/typesetting/segmenter"
)

// wrapLabel is text that wraps at the line break opportunities of Unicode
// UAX #14 (see wrapLines). Fyne's own word wrap breaks at spaces only, and
// inside a word where none fits: it cuts Latin words and numbers in
// Chinese text and starts lines with "。". A Fyne label of its own draws
// the lines, so it looks, aligns and selects as a label does.
type wrapLabel struct {
	widget.BaseWidget
	Text       string
	Importance widget.Importance
	TextStyle  fyne.TextStyle
	Alignment  fyne.TextAlign
	// SizeName is the theme size of the text; "" is the text size.
	SizeName fyne.ThemeSizeName
	// Selectable lets the user select the text to copy it.
	Selectable bool

	lines *widget.Label
	// width is the width the lines were broken for; 0 before a layout.
	width float32
}

// newWrapLabel is wrapping text.
func newWrapLabel(text string) *wrapLabel {
	l := &wrapLabel{Text: text}
	l.ExtendBaseWidget(l)
	return l
}

// SetText replaces the text.
func (l *wrapLabel) SetText(text string) {
	l.Text = text
	l.Refresh()
}

func (l *wrapLabel) CreateRenderer() fyne.WidgetRenderer {
	l.lines = widget.NewLabel("")
	l.breakLines()
	return &wrapRenderer{l: l}
}

// breakLines gives the label inside the text broken for the width.
func (l *wrapLabel) breakLines() {
	in := l.lines
	in.Importance, in.TextStyle, in.Alignment, in.Selectable = l.Importance, l.TextStyle, l.Alignment, l.Selectable
	in.SizeName = l.SizeName
	if in.SizeName == "" {
		in.SizeName = theme.SizeNameText
	}
	th := l.Theme()
	size, style := th.Size(in.SizeName), l.TextStyle
	measure := func(s string) float32 { return fyne.MeasureText(s, size, style).Width }
	width := l.width - 2*th.Size(theme.SizeNameInnerPadding)
	if l.width <= 0 {
		width = 0
	}
	in.Text = strings.Join(wrapLines(l.Text, width, measure), "\n")
	in.Refresh()
}

type wrapRenderer struct{ l *wrapLabel }

func (r *wrapRenderer) Destroy() {}

func (r *wrapRenderer) Layout(size fyne.Size) {
	if size.Width != r.l.width {
		r.l.width = size.Width
		r.l.breakLines()
	}
	r.l.lines.Resize(size)
}

// MinSize is as wide as a wrapping Fyne label's and as high as the lines.
func (r *wrapRenderer) MinSize() fyne.Size {
	pad := r.l.Theme().Size(theme.SizeNameInnerPadding)
	return fyne.NewSize(2*pad, r.l.lines.MinSize().Height)
}

func (r *wrapRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.l.lines} }

func (r *wrapRenderer) Refresh() { r.l.breakLines() }

// wrapLines breaks text into lines no wider than width, as measure gives a
// string's width, only at the line break opportunities of UAX #14: a word
// or a number stays whole, closing punctuation ("。", "，", ")") stays
// with what it closes, and Chinese breaks between characters. A newline
// always breaks. A line's trailing spaces are dropped. A piece between two
// opportunities that is wider than width alone is broken between its
// characters (grapheme clusters). A width of 0 or less breaks at newlines
// only.
func wrapLines(text string, width float32, measure func(string) float32) []string {
	var seg segmenter.Segmenter
	seg.Init([]rune(text))
	fits := func(line []rune) bool { return width <= 0 || measure(string(trimSpaceEnd(line))) <= width }
	var lines []string
	var cur []rune // the line so far, trailing spaces included
	hard := false  // the last piece ended with a newline
	it := seg.LineIterator()
	for it.Next() {
		piece := it.Line().Text
		hard = false
		if n := newlineEnd(piece); n > 0 {
			piece, hard = piece[:len(piece)-n], true
		}
		next := append(cur[:len(cur):len(cur)], piece...)
		if len(cur) > 0 && !fits(next) {
			lines = append(lines, string(trimSpaceEnd(cur)))
			next = piece
		}
		for !fits(next) {
			head, tail := splitGraphemes(next, fits)
			if len(tail) == 0 {
				break
			}
			lines = append(lines, string(head))
			next = tail
		}
		cur = next
		if hard {
			lines = append(lines, string(trimSpaceEnd(cur)))
			cur = nil
		}
	}
	if len(cur) > 0 || hard || len(lines) == 0 {
		lines = append(lines, string(trimSpaceEnd(cur)))
	}
	return lines
}

// splitGraphemes splits s after the most grapheme clusters that fit, at
// least one, never before closing punctuation.
func splitGraphemes(s []rune, fits func([]rune) bool) (head, tail []rune) {
	var seg segmenter.Segmenter
	seg.Init(s)
	end := 0
	it := seg.GraphemeIterator()
	for it.Next() {
		g := it.Grapheme()
		stop := g.Offset + len(g.Text)
		if stop < len(s) && closing(s[stop]) {
			continue
		}
		if end > 0 && !fits(s[:stop]) {
			break
		}
		end = stop
	}
	return s[:end], s[end:]
}

// closing reports punctuation that must not start a line: closing
// brackets and quotes, and the stops and commas of Latin and CJK text.
func closing(r rune) bool {
	return unicode.In(r, unicode.Pe, unicode.Pf) || strings.ContainsRune(".,:;!?%。，、．：；！？…‥・", r)
}

// newlineEnd is the length of the line ending (LF, CR LF, CR, NEL, LS, PS)
// that ends s, 0 for none.
func newlineEnd(s []rune) int {
	n := len(s)
	switch {
	case n >= 2 && s[n-2] == '\r' && s[n-1] == '\n':
		return 2
	case n >= 1 && strings.ContainsRune("\n\r\v\f\u0085\u2028\u2029", s[n-1]):
		return 1
	}
	return 0
}

// trimSpaceEnd drops white space at the end of s.
func trimSpaceEnd(s []rune) []rune {
	for len(s) > 0 && unicode.IsSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}
