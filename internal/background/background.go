// Package background runs the app's start-up work (the fonts, the built-in
// server) on threads of lower scheduling priority, so that it leaves the
// CPU to the UI thread and the display server first: Run.
package background

import "runtime"

// Run runs f on a thread of its own at a lower scheduling priority where
// the system has one for threads (lower). The thread is locked and never
// unlocked: it ends with the goroutine, and its priority with it, instead
// of going back to the scheduler for other goroutines.
func Run(f func()) {
	go func() {
		runtime.LockOSThread()
		// Best effort: at worst the work runs at the usual priority.
		_ = lower()
		f()
	}()
}
