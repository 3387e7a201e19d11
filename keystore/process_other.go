//go:build !unix

package keystore

import "os"

// processRunning reports whether a process with id pid exists: on Windows
// FindProcess opens it and fails when there is none.
func processRunning(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	p.Release()
	return true
}
