package background

import "golang.org/x/sys/windows"

// ThreadPriority is the priority of the threads Run runs work on:
// THREAD_PRIORITY_BELOW_NORMAL, one step below the UI thread's. The
// process's class (SetPriorityClass) stays: it would slow the UI too.
const ThreadPriority = -1

var setThreadPriority = windows.NewLazySystemDLL("kernel32.dll").NewProc("SetThreadPriority")

// lower sets the calling thread's priority to ThreadPriority.
func lower() error {
	priority := int32(ThreadPriority)
	if ok, _, err := setThreadPriority.Call(uintptr(windows.CurrentThread()), uintptr(priority)); ok == 0 {
		return err
	}
	return nil
}
