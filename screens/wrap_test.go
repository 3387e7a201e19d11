package screens

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// wrapCases are texts laid out in a label of a width (padding included),
// with the shipped fonts, and the lines expected. Fyne's own word wrap
// gives the lines in the comments.
var wrapCases = []struct {
	text  string
	width float32
	lines []string
}{
	{"Blue heron at dawn", 100, []string{"Blue heron", "at dawn"}},
	{"Blue heron at dawn", 150, []string{"Blue heron at dawn"}},
	// Fyne: "您的防钓鱼短语：“Blue heron at" / "dawn”。此服务器发出的每封邮件都会显示" / "这句话。"
	{"您的防钓鱼短语：“Blue heron at dawn”。此服务器发出的每封邮件都会显示这句话。", 300,
		[]string{"您的防钓鱼短语：“Blue heron at dawn”。", "此服务器发出的每封邮件都会显示这句话。"}},
	// Fyne: "“Blue heron at" / "dawn”——我们发出的每封" / "邮件都会显示这句话。"
	{"“Blue heron at dawn”——我们发出的每封邮件都会显示这句话。", 200,
		[]string{"“Blue heron at dawn”——", "我们发出的每封邮件都会显示", "这句话。"}},
	// Fyne: … "位验证码。输满" / "6" / "位后将自动提交" / "。"
	{"请输入身份验证器应用中显示的 Sesame 6 位验证码。输满 6 位后将自动提交。", 120,
		[]string{"请输入身份验证", "器应用中显示的", "Sesame 6 位验", "证码。输满 6 位", "后将自动提交。"}},
	// Fyne: "2." / "输入应用当前显" / "示的 6" / "位验证码，输满" / "6" / "位后自动提交。"
	{"2. 输入应用当前显示的 6 位验证码，输满 6 位后自动提交。", 120,
		[]string{"2. 输入应用当前", "显示的 6 位验证", "码，输满 6 位后", "自动提交。"}},
	{"Sesame 的验证码（6 位数字）已发送。", 100, []string{"Sesame 的验", "证码（6 位数", "字）已发送。"}},
	// Wider than the line: broken between letters, "。" kept with the
	// last one. Fyne: "您的邮箱是" / "alice@example.org" / "。"
	{"您的邮箱是 alice@example.org。", 150, []string{"您的邮箱是", "alice@example.or", "g。"}},
	{"Supercalifragilisticexpialidocious", 100, []string{"Supercalifra", "gilisticexpial", "idocious"}},
	{"Two lines\nof text", 300, []string{"Two lines", "of text"}},
	{"Ends with a newline\n", 300, []string{"Ends with a newline", ""}},
	{"", 300, []string{""}},
}

// wrappedLines lays out text in a label of width and returns its lines.
func wrappedLines(text string, width float32) []string {
	l := newWrapLabel(text)
	test.WidgetRenderer(l)
	l.Resize(fyne.NewSize(width, 100))
	return strings.Split(l.lines.Text, "\n")
}

// TestWrapLines lays out wrapCases on Fyne's test driver.
func TestWrapLines(t *testing.T) {
	test.NewTempApp(t)
	fyne.CurrentApp().Settings().SetTheme(NewTheme())
	for _, c := range wrapCases {
		if got := wrappedLines(c.text, c.width); !slices.Equal(got, c.lines) {
			t.Errorf("%q at %v:\n got %q\nwant %q", c.text, c.width, got, c.lines)
		}
	}
}

// TestWrapLinesRules lays out wrapCases at every width: no line starts
// with closing punctuation, a Latin word or a number that fits a line
// with the punctuation around it is never cut, no line is wider than the
// label unless a single character is, and no text is lost.
func TestWrapLinesRules(t *testing.T) {
	test.NewTempApp(t)
	fyne.CurrentApp().Settings().SetTheme(NewTheme())
	pad := 2 * theme.InnerPadding()
	width := func(s string) float32 { return fyne.MeasureText(s, theme.TextSize(), fyne.TextStyle{}).Width }
	latin := regexp.MustCompile(`[^\s\p{Han}]*[A-Za-z0-9]+[^\s\p{Han}]*`)
	for _, c := range wrapCases {
		for w := float32(100); w <= 420; w += 5 {
			lines := wrappedLines(c.text, w)
			if got := strings.Join(lines, ""); strings.ReplaceAll(strings.ReplaceAll(c.text, "\n", ""), " ", "") != strings.ReplaceAll(got, " ", "") {
				t.Fatalf("%q at %v: lines %q lose text", c.text, w, lines)
			}
			for _, line := range lines {
				if r := []rune(line); len(r) > 0 && closing(r[0]) {
					t.Errorf("%q at %v: a line starts with %q: %q", c.text, w, r[0], lines)
				}
				if len([]rune(line)) > 1 && width(line) > w-pad {
					t.Errorf("%q at %v: line %q is too wide", c.text, w, line)
				}
			}
			for _, word := range latin.FindAllString(c.text, -1) {
				if width(word) <= w-pad && !slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, word) }) {
					t.Errorf("%q at %v: %q is cut: %q", c.text, w, word, lines)
				}
			}
		}
	}
}

// TestWrapLabelHeight: the label is as high as its lines.
func TestWrapLabelHeight(t *testing.T) {
	test.NewTempApp(t)
	fyne.CurrentApp().Settings().SetTheme(NewTheme())
	l := newWrapLabel("请输入身份验证器应用中显示的 Sesame 6 位验证码。输满 6 位后将自动提交。")
	test.WidgetRenderer(l)
	l.Resize(fyne.NewSize(600, 10))
	pad := 2 * theme.InnerPadding()
	one := l.MinSize().Height - pad
	l.Resize(fyne.NewSize(120, 10))
	if five := l.MinSize().Height - pad; five < 5*one-0.1 {
		t.Fatalf("5 lines are %v high, one is %v", five, one)
	}
	if l.MinSize().Width > 2*theme.InnerPadding() {
		t.Fatalf("min width %v", l.MinSize().Width)
	}
}

// TestWrapRich breaks paragraphs of text segments and a link as one text
// each: the link stays whole, a line may end at a segment's end, and the
// newline of a segment stays.
func TestWrapRich(t *testing.T) {
	test.NewTempApp(t)
	fyne.CurrentApp().Settings().SetTheme(NewTheme())
	u, _ := url.Parse("https://example.org")
	inline := widget.RichTextStyleInline
	r := newWrapRich(
		&widget.TextSegment{Style: inline, Text: "请输入身份验证器应用中显示的 "},
		&widget.TextSegment{Style: inline, Text: "Sesame 6 位验证码。"},
		&widget.HyperlinkSegment{Text: "example.org/help", URL: u},
		&widget.TextSegment{Style: widget.RichTextStyleParagraph, Text: "输满 6 位后将自动提交。"},
		&widget.TextSegment{Style: widget.RichTextStyleParagraph, Text: "Two\nlines"},
	)
	test.WidgetRenderer(r)
	r.Resize(fyne.NewSize(150, 100))
	got := widget.NewRichText(r.lines.Segments...).String()
	want := "请输入身份验证器应\n用中显示的 Sesame \n6 位验证码。\nexample.org/help输\n满 6 位后将自动提\n交。Two\nlines"
	if got != want {
		t.Fatalf("lines\n%q\nwant\n%q", got, want)
	}
	if link := r.lines.Segments[2]; link != r.Segments[2] {
		t.Fatalf("the link changed: %#v", link)
	}
}

// TestWrapLabelCopy selects wrapped text by dragging across it, and by
// Select All, and copies it: the copy is the text, not its broken lines.
func TestWrapLabelCopy(t *testing.T) {
	const text = "您的防钓鱼短语：“Blue heron at dawn”。此服务器发出的每封邮件都会显示这句话。 Code 123456, at dawn."
	l, w := selectableLabel(t, text, fyne.NewSize(220, 300))
	copied := func() string {
		t.Helper()
		f, ok := w.Canvas().Focused().(fyne.Shortcutable)
		if !ok {
			t.Fatalf("the label has no focus after the selection: %T", w.Canvas().Focused())
		}
		f.TypedShortcut(&fyne.ShortcutCopy{})
		return fyne.CurrentApp().Clipboard().Content()
	}
	// From the start of the first line to past the end of the last.
	drag(w.Canvas(), fyne.NewPos(10, 12), fyne.NewPos(300, l.Size().Height))
	if got := copied(); got != text {
		t.Errorf("dragged over all and copied %q, want %q", got, text)
	}
	w.Canvas().Focused().(fyne.Shortcutable).TypedShortcut(&fyne.ShortcutSelectAll{})
	if got := copied(); got != text {
		t.Errorf("selected all and copied %q, want %q", got, text)
	}
}

// selectableLabel is selectable text alone in a window of size.
func selectableLabel(t *testing.T, text string, size fyne.Size) (*wrapLabel, fyne.Window) {
	test.NewTempApp(t)
	fyne.CurrentApp().Settings().SetTheme(NewTheme())
	l := newWrapLabel(text)
	l.Selectable = true
	w := test.NewTempWindow(t, l)
	w.Resize(size)
	return l, w
}

// copyAll selects all the text of a selectable label and copies it.
func copyAll(t *testing.T, l *wrapLabel) string {
	t.Helper()
	if l.selector == nil {
		t.Fatalf("%q cannot be selected", l.Text)
	}
	l.selector.TypedShortcut(&fyne.ShortcutSelectAll{})
	l.selector.TypedShortcut(&fyne.ShortcutCopy{})
	return fyne.CurrentApp().Clipboard().Content()
}

// drag moves the pointer from one place of the canvas to another with the
// button down, in steps, as the driver reports it: each event has the
// pointer's place and the move since the last one. (Fyne's test.Drag gives
// the place where the drag began.)
func drag(c fyne.Canvas, from, to fyne.Position) {
	var d fyne.Draggable
	var at fyne.Position
	for _, o := range []fyne.CanvasObject{c.Content()} {
		walkVisible(o, fyne.NewPos(0, 0), func(o fyne.CanvasObject, pos fyne.Position) {
			if x, ok := o.(fyne.Draggable); ok && from.X >= pos.X && from.Y >= pos.Y &&
				from.X < pos.X+o.Size().Width && from.Y < pos.Y+o.Size().Height {
				d, at = x, pos
			}
		})
	}
	if d == nil {
		return
	}
	const steps = 10
	step := fyne.NewDelta((to.X-from.X)/steps, (to.Y-from.Y)/steps)
	for i := 1; i <= steps; i++ {
		p := from.Subtract(at).Add(fyne.NewPos(step.DX*float32(i), step.DY*float32(i)))
		d.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: p, AbsolutePosition: p.Add(at)}, Dragged: step})
	}
	d.DragEnd()
}

// walkVisible calls fn with every visible object under o and its place on
// the canvas, parents first.
func walkVisible(o fyne.CanvasObject, at fyne.Position, fn func(fyne.CanvasObject, fyne.Position)) {
	if o == nil || !o.Visible() {
		return
	}
	at = at.Add(o.Position())
	fn(o, at)
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			walkVisible(c, at, fn)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			walkVisible(c, at, fn)
		}
	}
}

// TestWordAt: a double tap selects a word, which in Chinese text ends at
// its punctuation and where Han characters meet others, so that the code
// of a Chinese text message is selected alone.
func TestWordAt(t *testing.T) {
	for _, c := range []struct{ text, at, want string }{
		{"【Sesame】您的验证码为 000278，用于将此手机号绑定到您的账户", "0002", "000278"},
		{"验证码为000278。", "0002", "000278"},
		{"【Sesame】您的验证码为", "Ses", "Sesame"},
		{"【Sesame】您的验证码为 000278", "验证", "您的验证码为"},
		{"Write to lin@example.com, then wait.", "lin@", "lin@example.com,"},
		{"Code 123456, at dawn.", "345", "123456,"},
	} {
		runes := []rune(c.text)
		i := len([]rune(c.text[:strings.Index(c.text, c.at)])) + 1
		from, to := wordAt(runes, i)
		if got := string(runes[from:to]); got != c.want {
			t.Errorf("%q at %q: %q, want %q", c.text, c.at, got, c.want)
		}
	}
	if from, to := wordAt(nil, 0); from != 0 || to != 0 {
		t.Errorf("no text: %d–%d", from, to)
	}

	// Through the label: a double tap inside the code copies the code.
	const text = "【Sesame】您的验证码为 000278，用于绑定。"
	l, _ := selectableLabel(t, text, fyne.NewSize(600, 100))
	inside := len([]rune(text[:strings.Index(text, "000278")])) + 2
	for x := float32(0); x < l.Size().Width; x++ {
		p := fyne.NewPos(x, 12)
		if l.selector.offsetAt(p) == inside {
			l.selector.DoubleTapped(&fyne.PointEvent{Position: p})
			break
		}
	}
	l.selector.TypedShortcut(&fyne.ShortcutCopy{})
	if got := fyne.CurrentApp().Clipboard().Content(); got != "000278" {
		t.Errorf("a double tap in the code copied %q", got)
	}
}
