//go:build !windows

package keystore

import (
	"fmt"
	"io/fs"
	"os"
)

// mkdir creates dir with mode 0700.
func mkdir(dir string) error { return os.Mkdir(dir, 0o700) }

// restrictDir sets dir's mode to 0700 unless it has it; it refuses a
// sticky (shared) folder such as /tmp.
func restrictDir(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if fi.Mode()&fs.ModeSticky != 0 {
		return fmt.Errorf("%s: %w", dir, ErrUnsafeFolder)
	}
	if fi.Mode().Perm() != 0o700 {
		return os.Chmod(dir, 0o700)
	}
	return nil
}
