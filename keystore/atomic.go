package keystore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// writeAtomic replaces path with data: folder 0700 (created or fixed), a
// temporary 0600 file in the same folder, write, fsync, close, check the
// bytes read back with verify, rename over path, fsync the folder. Until the
// rename, path keeps its old content; on failure the temporary file is
// removed.
func writeAtomic(path string, data []byte, verify func(written []byte) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if base == "" {
		return fmt.Errorf("%q names a folder", path)
	}
	if err := privateDir(dir); err != nil {
		return err
	}
	prefix := "." + base + ".tmp-"
	_ = removeStale(dir, prefix) // a leftover that stays is removed next time

	f, err := os.CreateTemp(dir, prefix+"*")
	if err != nil {
		return err
	}
	tmp := f.Name()
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
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	return syncDir(dir)
}

// privateDir creates dir with mode 0700 or sets an existing dir's mode to
// 0700, refusing a sticky (shared) folder such as /tmp.
func privateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if runtime.GOOS == "windows" {
		return nil
	}
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

// removeStale deletes temporary files a crashed save left behind; they may
// hold the vault under a password since changed. It returns the first
// failure; a missing folder or file is none.
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
		if strings.HasPrefix(e.Name(), prefix) && e.Type().IsRegular() {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) && first == nil {
				first = err
			}
		}
	}
	return first
}

// WriteFile replaces path with data the way the vault is written: folder
// 0700, a 0600 temporary file synced and renamed over path, the folder
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
	return removeStale(dir, "."+base+".tmp-")
}

// syncDir makes the rename durable. Windows cannot open a folder for sync.
func syncDir(dir string) error {
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
