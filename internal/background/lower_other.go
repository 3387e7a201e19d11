//go:build !linux && !windows

package background

// lower does nothing: the work runs at the usual priority.
func lower() error { return nil }
