package keystore_test

import (
	"fmt"
	"os"
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
// tests that need a process of their own, "exit" for a process that has ended.
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
	default:
		fmt.Fprintf(os.Stderr, "unknown %s=%q\n", childEnv, mode)
		os.Exit(2)
	}
}
