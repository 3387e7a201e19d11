package screens

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
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
// presses only when no field has the focus and of no mouse event at all,
// so input is also seen as a change between two ticks: another view, the
// focus, the caret or text length of the focused field, the scroll offset
// or the dialogs shown. Its methods run on the UI thread.
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
	offset           fyne.Position
	overlays         int
}

// startAutoLock watches s's window until halt.
func startAutoLock(s *Shell) *autoLock {
	a := &autoLock{s: s, last: s.now()}
	if c, ok := s.Win.Canvas().(desktop.Canvas); ok {
		c.SetOnKeyDown(func(*fyne.KeyEvent) { a.touch() })
		c.SetOnKeyUp(func(*fyne.KeyEvent) { a.touch() })
	}
	a.stop = uiEvery(autoLockTick, a.check)
	return a
}

// halt stops the ticks; check still works when called.
func (a *autoLock) halt() { a.stop() }

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
	if len(s.body.Objects) == 1 {
		if sc, ok := s.body.Objects[0].(*container.Scroll); ok {
			st.offset = sc.Offset
		}
	}
	return st
}
