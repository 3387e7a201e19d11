package desktoptest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPhraseCheckBinary runs `sesame phrase check` of the built binary
// with the phrase on standard input: it needs no window, so it runs with
// the window test or when $SESAME_BIN names a built binary. The phrase
// reaches neither the output nor any file of the home it runs in.
func TestPhraseCheckBinary(t *testing.T) {
	if os.Getenv("SESAME_WINDOW_TEST") != "1" && os.Getenv("SESAME_BIN") == "" {
		t.Skip("set SESAME_WINDOW_TEST=1 or SESAME_BIN to a built sesame")
	}
	bin := build(t)
	const phrase = "legal winner thank year wave sausage worth useful legal winner thank yellow"
	home := t.TempDir()
	run := func(stdin string, args ...string) (int, string) {
		cmd := exec.Command(bin, append([]string{"phrase", "check"}, args...)...)
		cmd.Env = append(os.Environ(), "HOME="+home, "XDG_DATA_HOME="+filepath.Join(home, "data"),
			"XDG_CONFIG_HOME="+filepath.Join(home, "config"), "XDG_CACHE_HOME="+filepath.Join(home, "cache"))
		cmd.Stdin = strings.NewReader(stdin)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		var exit *exec.ExitError
		switch {
		case errors.As(err, &exit):
			return exit.ExitCode(), out.String()
		case err != nil:
			t.Fatal(err)
		}
		return 0, out.String()
	}

	code, out := run(phrase+"\nTREZOR\n", "--json", "--passphrase")
	var r struct {
		Valid             bool   `json:"valid"`
		Fingerprint       string `json:"fingerprint"`
		WithoutPassphrase string `json:"fingerprint_without_passphrase"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil || code != 0 || !r.Valid || r.WithoutPassphrase != "b8688df1" || len(r.Fingerprint) != 8 {
		t.Fatalf("exit %d, %v\n%s", code, err, out)
	}
	outputs := out
	code, out = run(strings.Replace(phrase, "worth", "north", 1) + "\n")
	if code != 1 || !strings.Contains(out, "Word 7: worth") {
		t.Fatalf("a wrong word: exit %d\n%s", code, out)
	}
	outputs += strings.ReplaceAll(out, "Word 7: worth", "")

	for _, w := range append(strings.Fields(phrase), "north", "TREZOR") {
		if strings.Contains(outputs, w) {
			t.Errorf("the output holds %q", w)
		}
	}
	filepath.WalkDir(home, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := os.ReadFile(path)
		for _, w := range []string{"legal winner", "sausage", "TREZOR"} {
			if bytes.Contains(b, []byte(w)) {
				t.Errorf("%s holds %q", path, w)
			}
		}
		return nil
	})
}
