//go:build darwin || freebsd || netbsd || openbsd || dragonfly

package app

import "golang.org/x/sys/unix"

const ioctlGetTermios, ioctlSetTermios = unix.TIOCGETA, unix.TIOCSETA
