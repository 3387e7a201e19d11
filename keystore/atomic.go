package keystore

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// writeAtomic replaces path with data: folder private to the user
// (created or fixed), a temporary 0600 file in the same folder, write,
// fsync, close, check the bytes read back with verify, rename over path,
// fsync the folder. Until the rename, path keeps its old content; on
// failure the temporary file is removed. Saves of one path may run at
// once, in one process or several: the last rename wins. On Windows modes
// do not apply: the file inherits its folder's private DACL (see
// PrivateDir); rename replaces path (MoveFileEx, MOVEFILE_REPLACE_EXISTING)
// and folders are not synced (Windows cannot open one for it).
func writeAtomic(path string, data []byte, verify func(written []byte) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if base == "" {
		return fmt.Errorf("%q names a folder", path)
	}
	if err := PrivateDir(dir); err != nil {
		return err
	}
	prefix := tempPrefix(base)
	_ = removeStale(dir, prefix) // a leftover that stays is removed next time

	f, tmp, err := createTemp(dir, prefix)
	if err != nil {
		return err
	}
	defer live.Delete(tmp)
	closed := false
	defer func() {
		if err != nil {
			if !closed {
				f.Close()
			}
			os.Remove(tmp)
		}
	}()
	if err := f.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		return err
	}
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	closed = true
	if err := f.Close(); err != nil {
		return err
	}
	written, err := os.ReadFile(tmp)
	if err != nil {
		return err
	}
	if err := verify(written); err != nil {
		return err
	}
	if err := rename(tmp, path); err != nil {
		return err
	}
	return syncDir(dir)
}

// live holds the paths of the temporary files this process is writing.
var live sync.Map

// tempPrefix starts the name of every temporary file of base.
func tempPrefix(base string) string { return "." + base + ".tmp-" }

// createTemp creates a new 0600 file named prefix, the process id, "-" and a
// random number, marked live before it exists so that no save of this
// process takes it for a leftover.
func createTemp(dir, prefix string) (*os.File, string, error) {
	for range 100 {
		name := filepath.Join(dir, prefix+strconv.Itoa(os.Getpid())+"-"+strconv.FormatUint(rand.Uint64(), 36))
		if _, taken := live.LoadOrStore(name, struct{}{}); taken {
			continue
		}
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			return f, name, nil
		}
		live.Delete(name)
		if !errors.Is(err, fs.ErrExist) {
			return nil, "", err
		}
	}
	return nil, "", fmt.Errorf("creating a temporary file in %s: %w", dir, fs.ErrExist)
}

// stale reports whether the temporary file at path, named prefix+rest, is
// a leftover: not written by this process, nor by another process still
// running. A name without a process id is one from an older version.
func stale(path, rest string) bool {
	pid, _, ok := strings.Cut(rest, "-")
	n, err := strconv.Atoi(pid)
	if !ok || err != nil || n <= 0 {
		return true
	}
	if n == os.Getpid() {
		_, writing := live.Load(path)
		return !writing
	}
	return !processRunning(n)
}

// PrivateDir creates dir and any missing parent, private to the user,
// syncing each new folder into its parent, or makes an existing dir
// private: mode 0700 on Unix, where it refuses a sticky (shared) folder
// such as /tmp; on Windows a protected DACL of the user and SYSTEM that the
// files in it inherit.
func PrivateDir(dir string) error {
	if err := mkdirSynced(filepath.Clean(dir)); err != nil {
		return err
	}
	return restrictDir(dir)
}

// mkdirSynced creates dir and its missing parents private and syncs
// the parent of each folder it creates, so that a power cut cannot lose
// the path to the file written next.
func mkdirSynced(dir string) error {
	fi, err := os.Stat(dir)
	if err == nil {
		if !fi.IsDir() {
			return fmt.Errorf("%s: %w", dir, syscall.ENOTDIR)
		}
		return nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	parent := filepath.Dir(dir)
	if parent != dir {
		if err := mkdirSynced(parent); err != nil {
			return err
		}
	}
	if err := mkdir(dir); err != nil {
		if errors.Is(err, fs.ErrExist) { // a concurrent save made it
			return nil
		}
		return err
	}
	return syncDir(parent)
}

// removeStale deletes temporary files crashed saves left behind; they may
// hold the vault under a password since changed. Files of saves still
// under way are left. It returns the first failure; a missing folder or
// file is none.
func removeStale(dir, prefix string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	var first error
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), prefix)
		path := filepath.Join(dir, e.Name())
		if !ok || !e.Type().IsRegular() || !stale(path, rest) {
			continue
		}
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) && first == nil {
			first = err
		}
	}
	return first
}

// WriteFile replaces path with data the way the vault is written: folder
// private, a 0600 temporary file synced and renamed over path, the folder
// synced. For files that must never be seen half-written (the settings).
func WriteFile(path string, data []byte) error {
	return writeAtomic(path, data, func([]byte) error { return nil })
}

// Remove deletes the file at path and any temporary file a crashed write
// of it left beside it. A missing file is no error.
func Remove(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	return removeStale(dir, tempPrefix(base))
}

// syncDir makes a rename or a new entry in dir durable.
var syncDir = syncDirOS

// syncDirOS syncs dir. Windows cannot open a folder for sync.
func syncDirOS(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// Move renames the file at from to to, which must not exist yet, creating
// to's folder like a save does, and syncs both folders. Temporary files a
// crashed save of from left are removed.
func Move(from, to string) error {
	dir := filepath.Dir(to)
	if err := PrivateDir(dir); err != nil {
		return err
	}
	if _, err := os.Lstat(to); err == nil {
		return fmt.Errorf("%s: %w", to, fs.ErrExist)
	}
	if err := rename(from, to); err != nil {
		return err
	}
	if err := syncDir(dir); err != nil {
		return err
	}
	if err := syncDir(filepath.Dir(from)); err != nil {
		return err
	}
	return Remove(from)
}
