package screens

import (
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// textSelector selects the text of a selectable wrapLabel, by dragging,
// a double tap (a word) or Select All, and copies it as the label's Text:
// Fyne's selectable label would copy the lines with the breaks put in.
// It lies behind the lines and draws the selection.
type textSelector struct {
	widget.BaseWidget
	l *wrapLabel
	// anchor and caret are the ends of the selection, as runes of the
	// label's Text; equal for none.
	anchor, caret int
	dragging      bool
	marks         *fyne.Container
}

func newTextSelector(l *wrapLabel) *textSelector {
	s := &textSelector{l: l, marks: container.NewWithoutLayout()}
	s.ExtendBaseWidget(s)
	return s
}

func (s *textSelector) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(s.marks)
}

// Refresh draws the selection over the lines it covers.
func (s *textSelector) Refresh() {
	l := s.l
	runes := []rune(l.Text)
	s.anchor, s.caret = min(s.anchor, len(runes)), min(s.caret, len(runes))
	from, to := s.selection()
	s.marks.Objects = nil
	colour := l.Theme().Color(theme.ColorNameSelection, fyne.CurrentApp().Settings().ThemeVariant())
	for row, sp := range l.spans {
		a, b := max(from, sp.start), min(to, sp.end)
		if a >= b {
			continue
		}
		r := canvas.NewRectangle(colour)
		x, y, h := s.lineStart(row, runes), s.rowTop(row), s.rowHeight()
		r.Move(fyne.NewPos(x+l.measure(runes[sp.start:a]), y))
		r.Resize(fyne.NewSize(l.measure(runes[a:b]), h))
		s.marks.Add(r)
	}
	s.marks.Refresh()
}

// selection is the selected runes' range, from ≤ to.
func (s *textSelector) selection() (from, to int) {
	return min(s.anchor, s.caret), max(s.anchor, s.caret)
}

// rowHeight is the height of a line.
func (s *textSelector) rowHeight() float32 {
	pad := s.l.Theme().Size(theme.SizeNameInnerPadding)
	return (s.l.lines.MinSize().Height - 2*pad) / float32(max(len(s.l.spans), 1))
}

// rowTop is where line row begins, down the label.
func (s *textSelector) rowTop(row int) float32 {
	return s.l.Theme().Size(theme.SizeNameInnerPadding) + float32(row)*s.rowHeight()
}

// lineStart is where the text of line row begins, across the label.
func (s *textSelector) lineStart(row int, runes []rune) float32 {
	l := s.l
	pad := l.Theme().Size(theme.SizeNameInnerPadding)
	sp := l.spans[row]
	room := textWidth(l.Theme(), l.Size().Width) - l.measure(runes[sp.start:sp.end])
	switch l.Alignment {
	case fyne.TextAlignCenter:
		return pad + room/2
	case fyne.TextAlignTrailing:
		return pad + room
	}
	return pad
}

// offsetAt is the rune of the label's Text nearest before p.
func (s *textSelector) offsetAt(p fyne.Position) int {
	l := s.l
	if len(l.spans) == 0 {
		return 0
	}
	row := int((p.Y - s.rowTop(0)) / s.rowHeight())
	if row < 0 {
		return l.spans[0].start
	}
	if row >= len(l.spans) {
		return len([]rune(l.Text))
	}
	runes := []rune(l.Text)
	sp := l.spans[row]
	x := p.X - s.lineStart(row, runes)
	for i := sp.start; i < sp.end; i++ {
		if x < l.measure(runes[sp.start:i])+l.measure(runes[i:i+1])/2 {
			return i
		}
	}
	return sp.end
}

// selected is the selected text, as the label's Text has it.
func (s *textSelector) selected() string {
	from, to := s.selection()
	return string([]rune(s.l.Text)[from:to])
}

// focus takes the keyboard, for Copy.
func (s *textSelector) focus() {
	if c := fyne.CurrentApp().Driver().CanvasForObject(s); c != nil {
		c.Focus(s)
	}
}

// Dragged selects from where the drag began to the pointer.
func (s *textSelector) Dragged(d *fyne.DragEvent) {
	pointerActive(s)
	if !s.dragging {
		s.dragging = true
		s.anchor = s.offsetAt(d.Position.Subtract(d.Dragged))
		s.focus()
	}
	s.caret = s.offsetAt(d.Position)
	s.Refresh()
}

// DragEnd ends the selection.
func (s *textSelector) DragEnd() { s.dragging = false }

// MouseDown forgets the selection, as a click in text does.
func (s *textSelector) MouseDown(m *desktop.MouseEvent) {
	pointerActive(s)
	s.focus()
	if m.Button == desktop.MouseButtonPrimary {
		s.anchor, s.caret = 0, 0
		s.Refresh()
	}
}

// MouseUp is input.
func (s *textSelector) MouseUp(*desktop.MouseEvent) {}

// DoubleTapped selects the word at p.
func (s *textSelector) DoubleTapped(p *fyne.PointEvent) {
	s.anchor, s.caret = wordAt([]rune(s.l.Text), s.offsetAt(p.Position))
	s.focus()
	s.Refresh()
}

// wordAt is the word of runes at offset i: the runes of i's kind around
// it, Han characters or others, up to a space or a punctuation mark of
// Chinese text. A code in a Chinese sentence ("验证码为 123456，用于") is a
// word of its own; an address (name@example.com) stays whole.
func wordAt(runes []rune, i int) (from, to int) {
	i = min(i, len(runes)-1)
	if i < 0 || wordKind(runes[i]) == wordEnd {
		return max(i, 0), max(i, 0)
	}
	k := wordKind(runes[i])
	from, to = i, i
	for from > 0 && wordKind(runes[from-1]) == k {
		from--
	}
	for to < len(runes) && wordKind(runes[to]) == k {
		to++
	}
	return from, to
}

// The kinds of runes for wordAt.
const (
	wordEnd = iota
	wordHan
	wordOther
)

// wordKind sorts r for wordAt: spaces and the punctuation of Chinese text
// (general punctuation such as “” and —, CJK symbols such as 。【】 and
// full-width forms such as ，：) end a word.
func wordKind(r rune) int {
	switch {
	case unicode.IsSpace(r), r >= 0x2010 && r <= 0x206f, r >= 0x3000 && r <= 0x303f,
		r >= 0xff00 && r <= 0xff0f, r >= 0xff1a && r <= 0xff20, r >= 0xff3b && r <= 0xff40, r >= 0xff5b && r <= 0xff65:
		return wordEnd
	case unicode.Is(unicode.Han, r):
		return wordHan
	}
	return wordOther
}

// TappedSecondary offers to copy the selection.
func (s *textSelector) TappedSecondary(p *fyne.PointEvent) {
	c := fyne.CurrentApp().Driver().CanvasForObject(s)
	if c == nil || s.anchor == s.caret {
		return
	}
	copyIt := fyne.NewMenuItem(lang.L("Copy"), func() { s.TypedShortcut(&fyne.ShortcutCopy{}) })
	widget.ShowPopUpMenuAtPosition(fyne.NewMenu("", copyIt), c, p.AbsolutePosition)
}

// TypedShortcut copies the selection, or selects all.
func (s *textSelector) TypedShortcut(sc fyne.Shortcut) {
	switch sc.(type) {
	case *fyne.ShortcutCopy:
		if s.anchor != s.caret {
			fyne.CurrentApp().Clipboard().SetContent(s.selected())
		}
	case *fyne.ShortcutSelectAll:
		s.anchor, s.caret = 0, len([]rune(s.l.Text))
		s.Refresh()
	}
}

// Cursor is the text cursor.
func (s *textSelector) Cursor() desktop.Cursor { return desktop.TextCursor }

// FocusGained is input.
func (s *textSelector) FocusGained() {}

// FocusLost is input.
func (s *textSelector) FocusLost() {}

// TypedRune does nothing: the text is read-only.
func (s *textSelector) TypedRune(rune) {}

// TypedKey hands Escape to the window.
func (s *textSelector) TypedKey(k *fyne.KeyEvent) { handOn(s, k, func(*fyne.KeyEvent) {}) }
