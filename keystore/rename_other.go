//go:build !windows

package keystore

import "os"

// rename is os.Rename: POSIX replaces a file another process holds open.
func rename(from, to string) error { return os.Rename(from, to) }
