//go:build unix

package sqlite_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"sesame/server/store"
	"sesame/server/store/sqlite"
)

// TestFilesAreOwnerOnly checks that a new database file and its -wal and
// -shm files are 0600, and that an existing file others may read is
// narrowed to 0600 when opened.
func TestFilesAreOwnerOnly(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sesame.db")
	modes := func() map[string]fs.FileMode {
		m := map[string]fs.FileMode{}
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			m[filepath.Base(p)] = fi.Mode().Perm()
		}
		return m
	}
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.PutCode(ctx, "a@example.org", store.PurposeReset, store.AnySlot, []byte("c"), time.Now(), 1); err != nil {
		t.Fatal(err)
	}
	for name, m := range modes() {
		if m != 0o600 {
			t.Errorf("%s is %o, want 600", name, m)
		}
	}
	st.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, 0o644); err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Fatal(err)
		}
	}
	st, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.PutCode(ctx, "a@example.org", store.PurposeReset, store.AnySlot, []byte("c"), time.Now(), 1); err != nil {
		t.Fatal(err)
	}
	for name, m := range modes() {
		if m != 0o600 {
			t.Errorf("reopened: %s is %o, want 600", name, m)
		}
	}
}
