package keystore

import (
	"errors"
	"math/rand/v2"
	"os"
	"time"

	"golang.org/x/sys/windows"
)

// renameFor is how long rename tries again.
const renameFor = 2 * time.Second

// rename is os.Rename (MoveFileEx), tried again for up to renameFor while
// Windows refuses it because another handle holds the file or the one it
// replaces open: a reader of the vault or an antivirus scanner, which
// close it soon; under Wine, the MoveFileEx of another save, which opens
// its destination. A folder in the way is refused at once.
func rename(from, to string) error {
	deadline := time.Now().Add(renameFor)
	for wait := time.Millisecond; ; wait = min(2*wait, 50*time.Millisecond) {
		err := os.Rename(from, to)
		if err == nil || time.Now().After(deadline) || !busy(err) || isDir(to) {
			return err
		}
		time.Sleep(wait/2 + rand.N(wait))
	}
}

// busy reports whether err is Windows refusing access to an open file.
func busy(err error) bool {
	return errors.Is(err, windows.ERROR_ACCESS_DENIED) || errors.Is(err, windows.ERROR_SHARING_VIOLATION)
}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}
