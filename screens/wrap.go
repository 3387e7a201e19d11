package screens

import (
	"slices"
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/go-text/typesetting/segmenter"
)

// wrapLabel is text that wraps at the line break opportunities of Unicode
// UAX #14 (see wrapSpans). Fyne's own word wrap breaks at spaces only, and
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
	// Selectable lets the user select the text to copy it; set it before
	// the label is shown.
	Selectable bool

	lines *widget.Label
	width float32
	// spans are the lines, as runes of Text.
	spans []span
	// selector selects the text when Selectable, else nil.
	selector *textSelector
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
	var inner fyne.CanvasObject = l.lines
	if l.Selectable {
		// Behind the lines, which take no input: it draws the selection.
		l.selector = newTextSelector(l)
		inner = container.NewStack(l.selector, l.lines)
	}
	l.breakLines()
	return &wrapRenderer{w: l, inner: inner, width: &l.width, breakLines: l.breakLines}
}

// breakLines gives the label inside the text broken for the width.
func (l *wrapLabel) breakLines() {
	in := l.lines
	in.Importance, in.TextStyle, in.Alignment = l.Importance, l.TextStyle, l.Alignment
	in.SizeName = l.SizeName
	if in.SizeName == "" {
		in.SizeName = theme.SizeNameText
	}
	runes := []rune(l.Text)
	l.spans = wrapSpans(runes, textWidth(l.Theme(), l.width), func(from, to int) float32 { return l.measure(runes[from:to]) }, nil)
	lines := make([]string, len(l.spans))
	for i, sp := range l.spans {
		lines[i] = string(runes[sp.start:sp.end])
	}
	in.Text = strings.Join(lines, "\n")
	in.Refresh()
	if l.selector != nil {
		l.selector.Refresh()
	}
}

// measure is the width of text drawn in the label.
func (l *wrapLabel) measure(text []rune) float32 {
	return fyne.MeasureText(string(text), l.Theme().Size(l.lines.SizeName), l.TextStyle).Width
}

// wrapRich is rich text that wraps as wrapLabel does, across its
// segments; a link stays whole. A Fyne rich text of its own draws it, with
// the line breaks put in as newlines.
type wrapRich struct {
	widget.BaseWidget
	Segments []widget.RichTextSegment

	lines *widget.RichText
	width float32
}

// newWrapRich is wrapping rich text.
func newWrapRich(segs ...widget.RichTextSegment) *wrapRich {
	r := &wrapRich{Segments: segs}
	r.ExtendBaseWidget(r)
	return r
}

func (r *wrapRich) CreateRenderer() fyne.WidgetRenderer {
	r.lines = widget.NewRichText()
	r.breakLines()
	return &wrapRenderer{w: r, inner: r.lines, width: &r.width, breakLines: r.breakLines}
}

// breakLines gives the rich text inside the segments broken for the width.
func (r *wrapRich) breakLines() {
	th := r.Theme()
	width := textWidth(th, r.width)
	var para []widget.RichTextSegment
	r.lines.Segments = nil
	for _, s := range r.Segments {
		para = append(para, s)
		if !s.Inline() {
			r.lines.Segments = append(r.lines.Segments, breakParagraph(para, width, th)...)
			para = nil
		}
	}
	r.lines.Segments = append(r.lines.Segments, breakParagraph(para, width, th)...)
	r.lines.Refresh()
}

// breakParagraph is para, a paragraph's segments, with a newline put in
// at each line break. Only text and links are broken; a paragraph with
// other segments stays as it is.
func breakParagraph(para []widget.RichTextSegment, width float32, th fyne.Theme) []widget.RichTextSegment {
	var text []rune
	var owner []int // the segment of each rune
	sizes := make([]float32, len(para))
	styles := make([]fyne.TextStyle, len(para))
	link := make([]bool, len(para))
	for i, s := range para {
		sizes[i] = th.Size(theme.SizeNameText)
		switch s := s.(type) {
		case *widget.TextSegment:
			if s.Style.SizeName != "" {
				sizes[i] = th.Size(s.Style.SizeName)
			}
			styles[i] = s.Style.TextStyle
		case *widget.HyperlinkSegment:
			link[i] = true
		default:
			return para
		}
		for _, r := range s.Textual() {
			text = append(text, r)
			owner = append(owner, i)
		}
	}
	measure := func(from, to int) float32 {
		var w float32
		for from < to {
			end := from
			for end < to && owner[end] == owner[from] {
				end++
			}
			w += fyne.MeasureText(string(text[from:end]), sizes[owner[from]], styles[owner[from]]).Width
			from = end
		}
		return w
	}
	glued := func(i int) bool {
		a, b := owner[i-1], owner[i]
		return link[a] && link[b] // inside a link, or between two
	}
	breaks := map[int][]int{} // segment → offsets of its newlines
	ends := map[int]bool{}    // segments that end with a new one
	spans := wrapSpans(text, width, measure, glued)
	for _, sp := range spans[1:] {
		p := sp.start
		if newlineEnd(text[:p]) > 0 {
			continue // a newline of the text
		}
		a, b := owner[p-1], owner[p]
		switch {
		case a == b:
			breaks[a] = append(breaks[a], p-slices.Index(owner, a))
		case !link[a]:
			ends[a] = true
		default:
			breaks[b] = append(breaks[b], 0)
		}
	}
	out := make([]widget.RichTextSegment, len(para))
	for i, s := range para {
		t, ok := s.(*widget.TextSegment)
		if !ok || len(breaks[i]) == 0 && !ends[i] {
			out[i] = s
			continue
		}
		runes := []rune(t.Text)
		var b strings.Builder
		last := 0
		for _, at := range breaks[i] {
			b.WriteString(string(runes[last:at]) + "\n")
			last = at
		}
		b.WriteString(string(runes[last:]))
		if ends[i] {
			b.WriteString("\n")
		}
		out[i] = &widget.TextSegment{Style: t.Style, Text: b.String()}
	}
	return out
}

// textWidth is the width of the text of a label of width w, 0 before it
// was laid out.
func textWidth(th fyne.Theme, w float32) float32 {
	if w <= 0 {
		return 0
	}
	return w - 2*th.Size(theme.SizeNameInnerPadding)
}

// wrapRenderer lays out the Fyne widget that draws the lines of a
// wrapping text, and breaks them again when the width changes.
type wrapRenderer struct {
	w     interface{ Theme() fyne.Theme }
	inner fyne.CanvasObject
	// width is the width the lines were broken for; 0 before a layout.
	width      *float32
	breakLines func()
}

func (r *wrapRenderer) Destroy() {}

func (r *wrapRenderer) Layout(size fyne.Size) {
	if size.Width != *r.width {
		*r.width = size.Width
		r.breakLines()
	}
	r.inner.Resize(size)
}

// MinSize is as wide as a wrapping Fyne label's and as high as the lines.
func (r *wrapRenderer) MinSize() fyne.Size {
	pad := r.w.Theme().Size(theme.SizeNameInnerPadding)
	return fyne.NewSize(2*pad, r.inner.MinSize().Height)
}

func (r *wrapRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.inner} }

func (r *wrapRenderer) Refresh() { r.breakLines() }

// span is a line of a text: its runes from start to end, without its
// trailing spaces and line ending.
type span struct{ start, end int }

// wrapSpans breaks text into lines no wider than width, as measure gives
// the width of text[from:to], only at the line break opportunities of
// UAX #14 that glued does not refuse (glued(i): no break before text[i]):
// a word or a number stays whole, closing punctuation ("。", "，", ")")
// stays with what it closes, and Chinese breaks between characters. A
// newline always breaks. A piece between two opportunities that is wider
// than width alone is broken between its characters (grapheme clusters),
// never before closing punctuation. A width of 0 or less breaks at
// newlines only.
func wrapSpans(text []rune, width float32, measure func(from, to int) float32, glued func(i int) bool) []span {
	trim := func(from, to int) int {
		for to > from && unicode.IsSpace(text[to-1]) {
			to--
		}
		return to
	}
	fits := func(from, to int) bool { return width <= 0 || measure(from, trim(from, to)) <= width }
	var seg segmenter.Segmenter
	seg.Init(text)
	var spans []span
	start, end := 0, 0 // the line so far
	piece := 0         // the start of the piece after the last opportunity taken
	hard := false      // the last piece ended with a newline
	it := seg.LineIterator()
	for it.Next() {
		l := it.Line()
		stop := l.Offset + len(l.Text)
		if glued != nil && !l.IsMandatoryBreak && stop < len(text) && glued(stop) {
			continue
		}
		n := newlineEnd(text[piece:stop])
		hard = n > 0
		content := stop - n
		if end > start && !fits(start, content) {
			spans = append(spans, span{start, trim(start, end)})
			start = piece
		}
		for !fits(start, content) {
			split := splitGraphemes(text, start, content, fits)
			if split >= content {
				break
			}
			spans = append(spans, span{start, split})
			start = split
		}
		end = content
		if hard {
			spans = append(spans, span{start, trim(start, end)})
			start, end = stop, stop
		}
		piece = stop
	}
	if end > start || hard || len(spans) == 0 {
		spans = append(spans, span{start, trim(start, end)})
	}
	return spans
}

// splitGraphemes is where to split text[from:to] after the most grapheme
// clusters that fit, at least one, never before closing punctuation.
func splitGraphemes(text []rune, from, to int, fits func(from, to int) bool) int {
	var seg segmenter.Segmenter
	seg.Init(text[from:to])
	end := from
	it := seg.GraphemeIterator()
	for it.Next() {
		g := it.Grapheme()
		stop := from + g.Offset + len(g.Text)
		if stop < to && closing(text[stop]) {
			continue
		}
		if end > from && !fits(from, stop) {
			break
		}
		end = stop
	}
	return end
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
