package screens

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// defaultAutoLock is the auto-lock delay in minutes until one is chosen.
const defaultAutoLock = 15

// autoLockChoices are the delays settings offer, in minutes; 0 is never.
var autoLockChoices = []int{0, 1, 5, 15, 60}

// autoLockTick is how often the idle time is measured.
const autoLockTick = 5 * time.Second

// autoLock locks an unlocked wallet when the main window had no input for
// the chosen number of minutes. Fyne tells a window's listeners of key
// presses only when no field has the focus and of no mouse event at all.
// The pointer's moves are told by the window's content (a pointerWatch)
// and by the screens' hoverable controls, taps by the controls, scrolls
// by the view's scroll; other input is seen as a change between two
// ticks: another view, the focus, the caret or text length of the focused
// field, or the dialogs shown. Its methods run on the UI thread.
type autoLock struct {
	s    *Shell
	last time.Time
	seen inputState
	// stop ends the ticks.
	stop func()
}

// inputState is what input changes in the window, compared tick to tick.
// It holds no text of a field, only its length.
type inputState struct {
	top              *view
	depth            int
	focused          fyne.Focusable
	row, col, length int
	overlays         int
}

// autoLocks are the running auto-locks by the canvas of their window.
var autoLocks = map[fyne.Canvas]*autoLock{}

// startAutoLock watches s's window until halt.
func startAutoLock(s *Shell) *autoLock {
	a := &autoLock{s: s, last: s.now()}
	c := s.Win.Canvas()
	if dc, ok := c.(desktop.Canvas); ok {
		dc.SetOnKeyDown(func(*fyne.KeyEvent) { a.touch() })
		dc.SetOnKeyUp(func(*fyne.KeyEvent) { a.touch() })
	}
	autoLocks[c] = a
	a.stop = uiEvery(autoLockTick, a.check)
	return a
}

// halt stops the ticks; check and the pointer's reports still work.
func (a *autoLock) halt() { a.stop() }

// end stops the ticks and the pointer's reports: the end of the window.
func (a *autoLock) end() {
	a.halt()
	if c := a.s.Win.Canvas(); autoLocks[c] == a {
		delete(autoLocks, c)
	}
}

// touch records input now.
func (a *autoLock) touch() { a.last = a.s.now() }

// autoLockMinutes is the chosen delay in minutes; 0 is never.
func autoLockMinutes() int {
	return fyne.CurrentApp().Preferences().IntWithFallback(prefAutoLock, defaultAutoLock)
}

// check locks the wallet once the window has been idle for the chosen
// delay, and tells the view on top (home redraws its wallet).
func (a *autoLock) check() {
	s := a.s
	now := s.now()
	minutes := autoLockMinutes()
	if minutes <= 0 {
		// The idle time counts from the choice of a delay at the earliest.
		a.last, a.seen = now, inputState{}
		return
	}
	if !s.App.Unlocked() {
		// The idle time counts from the unlock at the earliest.
		a.last, a.seen = now, inputState{}
		return
	}
	if st := a.state(); st != a.seen {
		a.seen, a.last = st, now
	}
	if now.Sub(a.last) < time.Duration(minutes)*time.Minute {
		return
	}
	s.App.LockWallet()
	a.last = now
	if top := s.top(); top != nil && top.walletLocked != nil {
		top.walletLocked()
	}
}

// state reads what input changes in the window.
func (a *autoLock) state() inputState {
	s := a.s
	stack := s.stack
	st := inputState{depth: len(stack), overlays: len(s.Win.Canvas().Overlays().List())}
	if st.depth > 0 {
		st.top = stack[st.depth-1]
	}
	st.focused = s.Win.Canvas().Focused()
	var e *widget.Entry
	switch x := st.focused.(type) {
	case *widget.Entry:
		e = x
	case interface{ fyneEntry() *widget.Entry }:
		e = x.fyneEntry()
	}
	if e != nil {
		st.row, st.col, st.length = e.CursorRow, e.CursorColumn, len(e.Text)
	}
	return st
}

// pointerActive tells the auto-lock of o's window, if any, that the
// pointer moved over o or tapped it.
func pointerActive(o fyne.CanvasObject) {
	if a := autoLocks[fyne.CurrentApp().Driver().CanvasForObject(o)]; a != nil {
		a.touch()
	}
}

// pointerWatch shows content and tells its auto-lock of the pointer's
// moves over content where no deeper widget hovers. Fyne gives a hover to
// the deepest hoverable object under the pointer, and taps, scrolls, drags
// and the focus to the deepest object that takes them: the watch takes
// none of those, so the widgets in content get them as before.
type pointerWatch struct {
	widget.BaseWidget
	content fyne.CanvasObject
	lock    *autoLock
}

// watch wraps content, the content of a's window, in a pointerWatch.
func (a *autoLock) watch(content fyne.CanvasObject) fyne.CanvasObject {
	w := &pointerWatch{content: content, lock: a}
	w.ExtendBaseWidget(w)
	return w
}

func (w *pointerWatch) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(w.content)
}

// MouseIn is input.
func (w *pointerWatch) MouseIn(*desktop.MouseEvent) { w.lock.touch() }

// MouseMoved is input.
func (w *pointerWatch) MouseMoved(*desktop.MouseEvent) { w.lock.touch() }

// MouseOut is no input: the pointer left the window or went over a
// hoverable widget, which tells its own moves.
func (w *pointerWatch) MouseOut() {}
