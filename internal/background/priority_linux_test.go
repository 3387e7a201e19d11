package background_test

import (
	"runtime"
	"syscall"
	"testing"

	"sesame/internal/background"
)

// lowered is the niceness Run's thread has.
const lowered = background.Nice

// threadPriority returns the calling thread's niceness: the system call
// returns 20 minus it.
func threadPriority(t *testing.T) int {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	p, err := syscall.Getpriority(syscall.PRIO_PROCESS, syscall.Gettid())
	if err != nil {
		t.Error(err)
	}
	return 20 - p
}
