//go:build unix

package keystore

import (
	"errors"
	"os"
	"syscall"
)

// processRunning reports whether a process with id pid exists (signal 0
// checks without sending; EPERM means it exists under another user).
func processRunning(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, syscall.EPERM)
}
