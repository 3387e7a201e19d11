//go:build !linux

package main

// inBackground runs f on another goroutine; lowering a thread's priority
// is done on Linux only.
func inBackground(f func()) { go f() }
