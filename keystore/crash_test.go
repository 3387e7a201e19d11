package keystore_test

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"sesame/keystore"
)

const (
	crashVaultEnv = "SESAME_KEYSTORE_CRASH_VAULT"
	crashPassword = "crash test password"
	crashSaves    = 200
)

func version(n int) []byte { return fmt.Appendf(nil, "version %03d", n) }

// crashChild is the helper process of TestSaveSurvivesSIGKILL: it saves
// versions 1..200 of the vault in turn, printing each number once Save has
// returned.
func crashChild() int {
	path := os.Getenv(crashVaultEnv)
	fmt.Println("ready")
	for i := 1; i <= crashSaves; i++ {
		if err := keystore.Save(path, []byte(crashPassword), version(i)); err != nil {
			fmt.Println("error:", err)
			return 1
		}
		fmt.Println(i)
	}
	return 0
}

// runCrashChild starts a helper saving the vault at path, waits for it to
// be ready, lets it run for delay (the whole run when delay is negative),
// kills it with SIGKILL and returns the last version it reported saved (0:
// none) and whether it was killed before finishing.
func runCrashChild(t *testing.T, path string, delay time.Duration) (last int, killed bool, ran time.Duration) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=crash", crashVaultEnv+"="+path)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(out)
	if !lines.Scan() || lines.Text() != "ready" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("helper did not start: %q", lines.Text())
	}
	start := time.Now()
	if delay >= 0 {
		time.Sleep(delay)
		cmd.Process.Kill() // SIGKILL on Unix
	}
	for lines.Scan() {
		s := lines.Text()
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("helper: %s", s)
		}
		last = n
	}
	err = cmd.Wait()
	ran = time.Since(start)
	if err == nil {
		if last != crashSaves {
			t.Fatalf("helper exited after %d saves", last)
		}
		return last, false, ran
	}
	if delay < 0 || cmd.ProcessState.Exited() {
		t.Fatalf("helper failed: %v", err)
	}
	return last, true, ran
}

// A save killed at any point leaves the vault holding the version before
// it or the one it was writing, and a later save clears its leftovers.
func TestSaveSurvivesSIGKILL(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SIGKILL is Unix")
	}
	path := filepath.Join(tempDir(t), "wallet", "wallet.vault")
	if err := keystore.Save(path, []byte(crashPassword), version(0)); err != nil {
		t.Fatal(err)
	}
	current := 0 // the version in the file
	check := func(last int) {
		t.Helper()
		got, err := keystore.Open(path, []byte(crashPassword))
		if err != nil {
			t.Fatalf("after the kill: %v", err)
		}
		n, err := strconv.Atoi(strings.TrimPrefix(string(got), "version "))
		if err != nil {
			t.Fatalf("after the kill: payload %q", got)
		}
		old, next := current, 1 // nothing reported saved yet
		if last > 0 {
			old, next = last, last+1
		}
		if n != old && n != next {
			t.Fatalf("vault holds version %d; want %d (old) or %d (new)", n, old, next)
		}
		current = n
	}

	// One full run sets the range of the random kill times: the first third
	// of a run, a few dozen saves, each phase of a save as likely as any.
	last, _, full := runCrashChild(t, path, -1)
	check(last)

	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 0))
	const rounds = 25
	kills := 0
	for range rounds {
		delay := time.Duration(rng.Int64N(int64(full / 3)))
		last, killed, _ := runCrashChild(t, path, delay)
		if killed {
			kills++
		}
		check(last)
	}
	t.Logf("seed %d: a full run took %v; %d of %d runs killed mid-way", seed, full, kills, rounds)
	if kills < rounds/2 {
		t.Fatalf("only %d of %d runs were killed before finishing", kills, rounds)
	}
	if err := keystore.Save(path, []byte(crashPassword), version(999)); err != nil {
		t.Fatal(err)
	}
	onlyFile(t, filepath.Dir(path), "wallet.vault")
}
