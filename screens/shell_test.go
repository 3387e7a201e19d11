package screens

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// TestNavigation pushes, goes back with the button and with Esc, and never
// leaves the root.
func TestNavigation(t *testing.T) {
	f := newFixture(t)
	root := f.shell.Top()
	closed := 0
	a := newView("A")
	a.content = widget.NewLabel("a")
	a.closed = func() { closed++ }
	f.shell.Push(a)
	if f.shell.Top() != "A" || !f.shell.back.Visible() {
		t.Fatalf("after push: top %q, back shown %v", f.shell.Top(), f.shell.back.Visible())
	}
	b := newView("B")
	b.content = widget.NewLabel("b")
	f.shell.Push(b)
	test.Tap(f.shell.back)
	if f.shell.Top() != "A" || b.ctx.Err() == nil {
		t.Fatalf("after back: top %q, B's context %v", f.shell.Top(), b.ctx.Err())
	}
	f.win.Canvas().(test.WindowlessCanvas).OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if f.shell.Top() != root || closed != 1 {
		t.Fatalf("after Esc: top %q, A closed %d times", f.shell.Top(), closed)
	}
	f.win.Canvas().(test.WindowlessCanvas).OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if f.shell.Top() != root || f.shell.back.Visible() {
		t.Fatalf("Esc on the root left it: top %q", f.shell.Top())
	}
}

// TestGearFindsSettingsByKind: the gear knows settings by its kind, not by
// a title another view may share.
func TestGearFindsSettingsByKind(t *testing.T) {
	f := newFixture(t)
	f.shell.Push(newView(tr("settings.title")))
	test.Tap(f.shell.settings)
	if !f.shell.topIs(viewSettings) || len(f.shell.stack) != 3 {
		t.Fatalf("the gear over a view titled like settings: top %q, %d views", f.shell.Top(), len(f.shell.stack))
	}
	test.Tap(f.shell.settings)
	if len(f.shell.stack) != 3 {
		t.Fatalf("the gear over settings opened another: %d views", len(f.shell.stack))
	}
}
