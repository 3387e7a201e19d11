package background_test

import (
	"runtime"
	"testing"

	"golang.org/x/sys/windows"

	"sesame/internal/background"
)

// lowered is the priority Run's thread has.
const lowered = background.ThreadPriority

var getThreadPriority = windows.NewLazySystemDLL("kernel32.dll").NewProc("GetThreadPriority")

// threadPriority returns the calling thread's priority.
func threadPriority(t *testing.T) int {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	p, _, err := getThreadPriority.Call(uintptr(windows.CurrentThread()))
	if int32(p) == 0x7fffffff { // THREAD_PRIORITY_ERROR_RETURN
		t.Error(err)
	}
	return int(int32(p))
}
