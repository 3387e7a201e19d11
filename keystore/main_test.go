package keystore_test

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"sesame/keystore"
)

// The KDF costs every test runs with, unless it sets others: cheap enough
// for the bit-flip test, the crash test and the fuzz target.
var (
	testDefault = keystore.Params{Time: 1, MemoryKiB: 64, Threads: 1}
	testMin     = keystore.Params{Time: 1, MemoryKiB: 8, Threads: 1}
	testMax     = keystore.Params{Time: 3, MemoryKiB: 256, Threads: 2}
)

// childEnv makes the test binary a helper process instead of running the
// tests: "crash" for TestSaveSurvivesSIGKILL, "keychain" for the keychain
// tests that need a process of their own, "exit" for a process that has
// ended, "wait" for one that runs until its standard input closes.
const childEnv = "SESAME_KEYSTORE_CHILD"

func TestMain(m *testing.M) {
	keystore.SetParams(testDefault, testMin, testMax)
	switch mode := os.Getenv(childEnv); mode {
	case "":
		os.Exit(m.Run())
	case "crash":
		os.Exit(crashChild())
	case "keychain":
		os.Exit(keychainChild())
	case "exit":
		os.Exit(0)
	case "wait":
		io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	default:
		fmt.Fprintf(os.Stderr, "unknown %s=%q\n", childEnv, mode)
		os.Exit(2)
	}
}

// tempDir is t.TempDir with a removal Wine can do: Go's RemoveAll deletes
// through NtSetInformationFile(FileDispositionInformationEx), which Wine 8
// does not implement ("Invalid function") and Go does not fall back from;
// os.Remove (DeleteFileW, RemoveDirectoryW) works there.
func tempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "keystore-"+strings.ReplaceAll(t.Name(), "/", "-")+"-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		var paths []string
		filepath.WalkDir(dir, func(path string, _ fs.DirEntry, err error) error {
			paths = append(paths, path)
			return err
		})
		for _, path := range slices.Backward(paths) {
			if err := os.Remove(path); err != nil {
				t.Errorf("removing the test's folder: %v", err)
			}
		}
	})
	return dir
}
