package keystore_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"sesame/keystore"
)

// Saves of one vault running at once all succeed: none deletes the
// temporary file another is still writing. The vault then holds one of the
// versions saved and nothing is left beside it.
func TestConcurrentSaves(t *testing.T) {
	path := filepath.Join(tempDir(t), "new", "wallet.vault")
	const writers, saves = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, writers*saves)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range saves {
				if err := keystore.Save(path, []byte(crashPassword), version(w*saves+i)); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	got, err := keystore.Open(path, []byte(crashPassword))
	if err != nil {
		t.Fatal(err)
	}
	if n, err := strconv.Atoi(strings.TrimPrefix(string(got), "version ")); err != nil || n < 0 || n >= writers*saves {
		t.Fatalf("vault holds %q", got)
	}
	onlyFile(t, filepath.Dir(path), "wallet.vault")
}

// A temporary file of a process still running is another save under way:
// a save leaves it; one of a process that has ended is removed.
func TestSaveKeepsLiveTempFiles(t *testing.T) {
	dir := tempDir(t)
	path := filepath.Join(dir, "wallet.vault")
	live := fmt.Sprintf(".wallet.vault.tmp-%d-1", child(t, "wait"))
	dead := fmt.Sprintf(".wallet.vault.tmp-%d-2", child(t, "exit"))
	for _, name := range []string{live, dead} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := keystore.Save(path, []byte("pw"), []byte("x")); err != nil {
		t.Fatal(err)
	}
	onlyFile(t, dir, live, "wallet.vault")
}

// child starts the test binary as the helper process of mode ("wait" or
// "exit") and returns its id: "exit" has ended on return, "wait" runs
// until the test ends.
func child(t *testing.T, mode string) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+mode)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Wait()
	})
	if mode == "exit" {
		if err := cmd.Wait(); err != nil {
			t.Fatal(err)
		}
	}
	return cmd.Process.Pid
}

// Folders a save creates are synced into their parents, so that the vault
// stays reachable after a power cut.
func TestSaveSyncsNewFolders(t *testing.T) {
	base := tempDir(t)
	var synced []string
	restore := keystore.SetSyncDir(func(dir string) { synced = append(synced, filepath.Clean(dir)) })
	defer restore()
	path := filepath.Join(base, "a", "b", "wallet.vault")
	if err := keystore.Save(path, []byte("pw"), []byte("x")); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{base, filepath.Join(base, "a"), filepath.Join(base, "a", "b")} {
		if !slices.Contains(synced, dir) {
			t.Errorf("%s not synced; synced %q", dir, synced)
		}
	}
	if runtime.GOOS != "windows" {
		checkMode(t, filepath.Join(base, "a"), 0o700)
	}
}

// Each account of each server has a vault of its own; spellings of one
// server and of one email name the same.
func TestVaultPath(t *testing.T) {
	a, err := keystore.VaultPath("d", "https://Auth.example.com:443/", "Alice@example.com")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := keystore.VaultPath("d", "https://auth.example.com", "alice@example.com")
	other, _ := keystore.VaultPath("d", "https://auth.example.com", "bob@example.com")
	otherServer, _ := keystore.VaultPath("d", "http://127.0.0.1:8443", "alice@example.com")
	if a != b || a == other || a == otherServer || other == otherServer || filepath.Dir(a) != "d" || strings.Contains(a, "alice") {
		t.Fatalf("paths %q %q %q %q", a, b, other, otherServer)
	}
	if _, err := keystore.VaultPath("d", "ftp://x", "alice@example.com"); !errors.Is(err, keystore.ErrInvalidServer) {
		t.Fatalf("bad server: %v", err)
	}
	if _, err := keystore.VaultPath("d", "https://x", ""); !errors.Is(err, keystore.ErrInvalidAccount) {
		t.Fatalf("no account: %v", err)
	}
}

// Move takes a vault to a new folder and never over another file.
func TestMove(t *testing.T) {
	dir := tempDir(t)
	from := filepath.Join(dir, "wallet.vault")
	to := filepath.Join(dir, "wallets", "a.vault")
	if err := keystore.Save(from, []byte("pw"), []byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := keystore.Move(from, to); err != nil {
		t.Fatal(err)
	}
	if got, err := keystore.Open(to, []byte("pw")); err != nil || string(got) != "x" {
		t.Fatalf("moved vault: %q, %v", got, err)
	}
	onlyFile(t, dir, "wallets")
	if err := keystore.Save(from, []byte("pw"), []byte("y")); err != nil {
		t.Fatal(err)
	}
	if err := keystore.Move(from, to); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("move over a vault: %v", err)
	}
	if got, _ := keystore.Open(to, []byte("pw")); string(got) != "x" {
		t.Fatal("the vault moved over was replaced")
	}
}
