package screens

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sesame/app"
)

// The focusable widgets of the screens. Fyne's desktop driver gives every
// key to the focused widget, and the window's key handler, where the shell
// goes back on Escape, gets keys only when nothing has the focus. Each of
// these widgets hands Escape on to that handler, so Esc goes back from any
// field, box or button. A check box also submits its form on Enter, as the
// form's fields do.
//
// Fyne gives the pointer's moves to the deepest hoverable widget under it,
// not to the window's content: the hoverable ones among these widgets
// (buttons, check boxes, drop-downs) tell the auto-lock of them, and each
// of these widgets tells it of a tap.

// escapeKey hands Escape typed into the focused widget w to the key
// handler of w's window.
func escapeKey(w fyne.Widget) {
	focused := func(c fyne.Canvas) bool { return c != nil && any(c.Focused()) == any(w) }
	d := fyne.CurrentApp().Driver()
	c := d.CanvasForObject(w)
	if !focused(c) {
		c = nil
		for _, win := range d.AllWindows() {
			if focused(win.Canvas()) {
				c = win.Canvas()
				break
			}
		}
	}
	if c == nil {
		return
	}
	if typed := c.OnTypedKey(); typed != nil {
		typed(&fyne.KeyEvent{Name: fyne.KeyEscape})
	}
}

// handOn gives k to the window when it is Escape, else to typed (the
// wrapped Fyne widget's own TypedKey).
func handOn(w fyne.Widget, k *fyne.KeyEvent, typed func(*fyne.KeyEvent)) {
	if k.Name == fyne.KeyEscape {
		escapeKey(w)
		return
	}
	typed(k)
}

// isEnter reports whether k is Enter or Return.
func isEnter(k *fyne.KeyEvent) bool { return k.Name == fyne.KeyReturn || k.Name == fyne.KeyEnter }

// formField is a field a form watches: its changes re-check the form and
// Enter in it submits the form.
type formField interface {
	watchedBy(f *form)
}

// entry is a text field: plain, password (Fyne's show/hide action, which
// focuses this outer value), email or code.
type entry struct {
	widget.Entry
	// problem says under the field what its validator refuses, while the
	// field has lost the focus; nil until framed.
	problem *wrapLabel
	// typing checks a password as typed (nil for other fields), and
	// warning says on the line under the field what it found, else what
	// refused says (a new password's policy reason); the line is kept
	// while empty, so that nothing below moves as it is typed.
	typing  func(string) []app.TypingWarning
	refused func(string) string
	warning *widget.Label
	focused bool
}

// newEntry is an empty single-line field.
func newEntry() *entry {
	e := &entry{}
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	e.ExtendBaseWidget(e)
	return e
}

// newSecretEntry is a password field with a show/hide action, checked
// as typed by app.CheckTyping.
func newSecretEntry() *entry {
	e := newEntry()
	e.Password = true
	e.ActionItem = newRevealer(e)
	e.typing = app.CheckTyping
	e.warning = widget.NewLabel("")
	e.warning.Importance = widget.WarningImportance
	e.warning.SizeName = theme.SizeNameCaptionText
	e.warning.Truncation = fyne.TextTruncateEllipsis
	return e
}

// revealer is the show/hide action of a password field: an eye and the
// word "Show" or "Hide" that the messages name, where Fyne's own action
// is a bare eye. Like Fyne's, it takes no focus and gives the keyboard to
// the field.
type revealer struct {
	widget.BaseWidget
	e    *entry
	icon *widget.Icon
	word *widget.Label
}

func newRevealer(e *entry) *revealer {
	r := &revealer{e: e, icon: widget.NewIcon(nil), word: widget.NewLabel("")}
	r.ExtendBaseWidget(r)
	r.update()
	return r
}

func (r *revealer) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewHBox(r.icon, r.word))
}

// Tapped shows or hides the password.
func (r *revealer) Tapped(*fyne.PointEvent) {
	pointerActive(r)
	if r.e.Disabled() {
		return
	}
	r.e.Password = !r.e.Password
	r.e.Refresh()
	r.update()
	if c := fyne.CurrentApp().Driver().CanvasForObject(r.e); c != nil {
		c.Focus(r.e)
	}
}

// Cursor is a pointing hand.
func (r *revealer) Cursor() desktop.Cursor { return desktop.PointerCursor }

// update names what a tap does: "Show" while the password is hidden.
func (r *revealer) update() {
	if r.e.Password {
		r.icon.SetResource(theme.VisibilityOffIcon())
		r.word.SetText(lang.L("field.show"))
	} else {
		r.icon.SetResource(theme.VisibilityIcon())
		r.word.SetText(lang.L("field.hide"))
	}
}

// TypedKey hands Escape to the window.
func (e *entry) TypedKey(k *fyne.KeyEvent) {
	handOn(e, k, func(k *fyne.KeyEvent) { e.Entry.TypedKey(k); e.checkTyping() })
}

// TypedRune types r.
func (e *entry) TypedRune(r rune) { e.Entry.TypedRune(r); e.checkTyping() }

// TypedShortcut runs s (a paste, an undo).
func (e *entry) TypedShortcut(s fyne.Shortcut) { e.Entry.TypedShortcut(s); e.checkTyping() }

// SetText replaces the text.
func (e *entry) SetText(text string) { e.Entry.SetText(text); e.checkTyping() }

// checkTyping shows the typing warning of a password field, else what it
// refuses.
func (e *entry) checkTyping() {
	if e.typing == nil {
		return
	}
	// The first warning: the line holds one, and the next shows once the
	// first is mended.
	text, importance := "", widget.WarningImportance
	if w := e.typing(e.Text); len(w) > 0 {
		text = lang.L("typing." + string(w[0]))
	} else if e.refused != nil {
		text, importance = e.refused(e.Text), widget.DangerImportance
	}
	e.warning.Importance = importance
	e.warning.SetText(text)
}

// Tapped is input.
func (e *entry) Tapped(p *fyne.PointEvent) { pointerActive(e); e.Entry.Tapped(p) }

// FocusGained hides the field's problem while it is typed in.
func (e *entry) FocusGained() { e.focused = true; e.Entry.FocusGained(); e.checkProblem() }

// FocusLost shows the field's problem, if any.
func (e *entry) FocusLost() { e.focused = false; e.Entry.FocusLost(); e.checkProblem() }

// framed is the field above the words of its validator's error, shown
// where Fyne shows its wordless "!", and its typing warnings; the field
// alone when it has neither.
func (e *entry) framed() fyne.CanvasObject {
	objs := []fyne.CanvasObject{e}
	if e.Validator != nil {
		if e.problem == nil {
			e.problem = paragraph("")
			e.problem.Importance = widget.DangerImportance
			e.problem.Hide()
			e.SetOnValidationChanged(func(error) { e.checkProblem() })
		}
		objs = append(objs, e.problem)
	}
	if c := e.caption(); c != nil {
		objs = append(objs, c)
	}
	if len(objs) == 1 {
		return e
	}
	return container.NewVBox(objs...)
}

// caption is the line of the field's typing warnings, without the label's
// padding above it; nil for a field that has none.
func (e *entry) caption() fyne.CanvasObject {
	if e.warning == nil {
		return nil
	}
	return container.New(layout.NewCustomPaddedLayout(-theme.InnerPadding(), -theme.InnerPadding()/2, 0, 0), e.warning)
}

// checkProblem shows or hides the field's problem.
func (e *entry) checkProblem() {
	if e.problem == nil {
		return
	}
	var err error
	if !e.focused && e.Validator != nil {
		err = e.Validator(e.Text)
	}
	if err == nil {
		e.problem.Hide()
		return
	}
	e.problem.SetText(fieldProblem(err))
	e.problem.Show()
}

// fyneEntry is the Fyne entry inside.
func (e *entry) fyneEntry() *widget.Entry { return &e.Entry }

func (e *entry) watchedBy(f *form) {
	prev := e.OnChanged
	e.OnChanged = func(text string) {
		if prev != nil {
			prev(text)
		}
		f.check()
	}
	e.OnSubmitted = func(string) { f.submit.OnTapped() }
}

// check is a check box; Enter submits its form.
type check struct {
	widget.Check
	// submit runs on Enter; nil does nothing.
	submit func()
}

// newCheck is a check box labelled label; changed runs on each change.
func newCheck(label string, changed func(bool)) *check {
	c := &check{}
	c.Text, c.OnChanged = label, changed
	c.ExtendBaseWidget(c)
	return c
}

// TypedKey hands Escape to the window and submits on Enter.
func (c *check) TypedKey(k *fyne.KeyEvent) {
	switch {
	case k.Name == fyne.KeyEscape:
		escapeKey(c)
	case isEnter(k):
		if c.submit != nil && !c.Disabled() {
			c.submit()
		}
	default:
		c.Check.TypedKey(k)
	}
}

// MouseIn is input.
func (c *check) MouseIn(m *desktop.MouseEvent) { pointerActive(c); c.Check.MouseIn(m) }

// MouseMoved is input.
func (c *check) MouseMoved(m *desktop.MouseEvent) { pointerActive(c); c.Check.MouseMoved(m) }

// Tapped is input.
func (c *check) Tapped(p *fyne.PointEvent) { pointerActive(c); c.Check.Tapped(p) }

func (c *check) watchedBy(f *form) {
	prev := c.OnChanged
	c.OnChanged = func(on bool) {
		if prev != nil {
			prev(on)
		}
		f.check()
	}
	c.submit = func() { f.submit.OnTapped() }
}

// button is a button; Space taps it.
type button struct {
	widget.Button
	// least is the smallest size it keeps whatever its label says.
	least fyne.Size
}

// MinSize is the size of the label, at least least.
func (b *button) MinSize() fyne.Size { return b.Button.MinSize().Max(b.least) }

// newButton is a button labelled label.
func newButton(label string, tapped func()) *button {
	return newIconButton(label, nil, tapped)
}

// copiedFor is how long a copy button says that it copied.
const copiedFor = 2 * time.Second

// copiedAfter runs fn on the UI thread after d; tests replace it to end
// the wait themselves.
var copiedAfter = func(d time.Duration, fn func()) {
	time.AfterFunc(d, func() { uiDo(fn) })
}

// newCopyButton is a button labelled label with the copy icon: a tap runs
// put, which puts something on the clipboard, then the button says
// "Copied" with a tick for copiedFor. It is as wide as the wider of the
// two, so that nothing moves when it says "Copied".
func newCopyButton(label string, put func()) *button {
	var b *button
	taps := 0
	b = newIconButton(label, theme.ContentCopyIcon(), func() {
		put()
		taps++
		tap := taps
		b.SetText(lang.L("action.copied"))
		b.SetIcon(theme.ConfirmIcon())
		copiedAfter(copiedFor, func() {
			if tap == taps {
				b.SetText(label)
				b.SetIcon(theme.ContentCopyIcon())
			}
		})
	})
	b.least = b.Button.MinSize().Max(newIconButton(lang.L("action.copied"), theme.ConfirmIcon(), nil).MinSize())
	return b
}

// newIconButton is a button with an icon before its label ("" for none).
func newIconButton(label string, icon fyne.Resource, tapped func()) *button {
	b := &button{}
	b.Text, b.Icon, b.OnTapped = label, icon, tapped
	b.ExtendBaseWidget(b)
	return b
}

// TypedKey hands Escape to the window.
func (b *button) TypedKey(k *fyne.KeyEvent) { handOn(b, k, b.Button.TypedKey) }

// MouseIn is input.
func (b *button) MouseIn(m *desktop.MouseEvent) { pointerActive(b); b.Button.MouseIn(m) }

// MouseMoved is input.
func (b *button) MouseMoved(m *desktop.MouseEvent) { pointerActive(b); b.Button.MouseMoved(m) }

// Tapped is input.
func (b *button) Tapped(p *fyne.PointEvent) { pointerActive(b); b.Button.Tapped(p) }

// dropDown is a drop-down list of options.
type dropDown struct {
	widget.Select
}

// newDropDown lists options; changed runs with the one chosen.
func newDropDown(options []string, changed func(string)) *dropDown {
	d := &dropDown{}
	d.Options, d.OnChanged = options, changed
	d.ExtendBaseWidget(d)
	return d
}

// TypedKey hands Escape to the window.
func (d *dropDown) TypedKey(k *fyne.KeyEvent) { handOn(d, k, d.Select.TypedKey) }

// MouseIn is input.
func (d *dropDown) MouseIn(m *desktop.MouseEvent) { pointerActive(d); d.Select.MouseIn(m) }

// MouseMoved is input.
func (d *dropDown) MouseMoved(m *desktop.MouseEvent) { pointerActive(d); d.Select.MouseMoved(m) }

// Tapped is input.
func (d *dropDown) Tapped(p *fyne.PointEvent) { pointerActive(d); d.Select.Tapped(p) }
