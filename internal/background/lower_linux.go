package main

import (
	"runtime"
	"syscall"
)

// backgroundNice is the niceness of start-up work that runs beside the
// window's creation.
const backgroundNice = 10

// inBackground runs f on a thread of its own at a lower scheduling
// priority, so that start-up work done beside the window's creation (the
// fonts, the built-in server) leaves the CPU to the UI thread and the
// display server first. The thread is locked and never unlocked: it ends
// with the goroutine, and its priority with it, instead of going back to
// the scheduler for other goroutines.
func inBackground(f func()) {
	go func() {
		runtime.LockOSThread()
		// Best effort: at worst the work runs at the usual priority.
		_ = syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), backgroundNice)
		f()
	}()
}
