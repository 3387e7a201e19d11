//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly || windows)

package app

import "errors"

// isTerminal reports false: echo cannot be turned off here, so input is
// read as from a pipe.
func isTerminal(uintptr) bool { return false }

func noEcho(uintptr) (func(), error) { return nil, errors.New("no terminal support") }
