package background

import "syscall"

// Nice is the niceness of the work Run runs.
const Nice = 10

// lower sets the calling thread's niceness to Nice.
func lower() error { return syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), Nice) }
