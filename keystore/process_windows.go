package keystore

import "golang.org/x/sys/windows"

// processRunning reports whether a process with id pid has not ended: an
// ended process stays openable while any handle to it is open, so its
// handle is asked whether it is signalled (ended).
func processRunning(pid int) bool {
	h, err := windows.OpenProcess(windows.SYNCHRONIZE, false, uint32(pid))
	if err != nil {
		return false
	}
	defer windows.CloseHandle(h)
	ev, err := windows.WaitForSingleObject(h, 0)
	return err == nil && ev == uint32(windows.WAIT_TIMEOUT)
}
