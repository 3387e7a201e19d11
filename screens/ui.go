package screens

import (
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
)

// uiDo is the way to the UI thread: fn runs there soon. Code off the UI
// thread changes widgets only through it. Tests queue instead and run the
// queue on the test's goroutine while they wait, as a main loop would.
var uiDo = fyne.Do

// uiEvery runs fn on the UI thread every d until stop is called on the UI
// thread; no fn runs after stop.
func uiEvery(d time.Duration, fn func()) (stop func()) {
	done := make(chan struct{})
	// stopped is atomic: Fyne's test driver runs a callback at once on the
	// goroutine that hands it over.
	var stopped atomic.Bool
	go func() {
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				uiDo(func() {
					if !stopped.Load() {
						fn()
					}
				})
			}
		}
	}()
	return func() {
		if stopped.CompareAndSwap(false, true) {
			close(done)
		}
	}
}
