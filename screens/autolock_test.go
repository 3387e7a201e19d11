package screens

import (
	"context"
	"image/color"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"sesame/app"
)

// TestAutoLockPointer keeps an unlocked wallet open while the pointer moves
// over empty space or over a button, taps the button, or scrolls the view
// down and back up between two ticks; the button under the window's watch
// still shows its hover and gets its tap, and without input the wallet
// locks.
func TestAutoLockPointer(t *testing.T) {
	f := newFixture(t)
	unlockVault(f)
	if _, err := f.app.UnlockWallet(context.Background(), unlockPassword); err != nil {
		t.Fatal(err)
	}
	a := f.shell.autoLock
	a.halt()
	now := time.Now()
	f.shell.Opts.Now = func() time.Time { return now }
	fyne.CurrentApp().Preferences().SetInt(prefAutoLock, 1)

	tapped := 0
	b := newButton("Tap me", func() { tapped++ })
	tall := canvas.NewRectangle(color.Transparent)
	tall.SetMinSize(fyne.NewSize(10, 2*fixtureSize.Height))
	v := newView("pointer")
	v.content = container.NewVBox(widget.NewLabel("Some text"), b, tall)
	f.shell.Push(v)
	// The new view is input: the idle time starts here.
	a.check()

	c := f.win.Canvas()
	onButton := fyne.CurrentApp().Driver().AbsolutePositionForObject(b).Add(fyne.NewPos(5, 5))
	empty := fyne.NewPos(fixtureSize.Width-20, fixtureSize.Height/2)
	unlocked := func(what string) {
		t.Helper()
		if st, _ := f.app.WalletState(); st != app.WalletUnlocked {
			t.Fatalf("locked %s", what)
		}
	}
	// input waits 50 s three times, each time with input and a tick.
	input := func(what string, do func(i float32)) {
		t.Helper()
		for i := range 3 {
			now = now.Add(50 * time.Second)
			do(float32(i))
			a.check()
		}
		unlocked(what)
	}

	input("while the pointer moves over empty space", func(i float32) {
		test.MoveMouse(c, empty.AddXY(i, i))
	})
	idle := buttonColor(b)
	input("while the pointer moves over a button", func(i float32) {
		test.MoveMouse(c, onButton.AddXY(i, 0))
	})
	if buttonColor(b) == idle {
		t.Error("the button under the pointer shows no hover")
	}
	test.MoveMouse(c, empty)
	if buttonColor(b) != idle {
		t.Error("the button keeps its hover after the pointer left")
	}
	input("after taps on a button", func(float32) { test.TapCanvas(c, onButton) })
	if tapped != 3 {
		t.Fatalf("the button got %d of 3 taps", tapped)
	}
	input("while the view scrolls down and back up", func(float32) {
		test.Scroll(c, empty, 0, -100)
		test.Scroll(c, empty, 0, 100)
	})

	now = now.Add(61 * time.Second)
	a.check()
	if st, _ := f.app.WalletState(); st != app.WalletLocked {
		t.Fatalf("the wallet is %v after 61 s without input", st)
	}
}

// buttonColor is the colour of b's background.
func buttonColor(b *button) color.Color {
	for _, o := range test.WidgetRenderer(b).Objects() {
		if r, ok := o.(*canvas.Rectangle); ok {
			return r.FillColor
		}
	}
	return nil
}
