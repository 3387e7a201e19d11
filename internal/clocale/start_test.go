package clocale_test

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"

	"fyne.io/fyne/v2/lang"

	_ "sesame/internal/clocale"
)

// The child runs in this external test package: the package under test
// imports only os here, as in the sesame command, so its init runs before
// Fyne's lang package's.
const childEnv = "SESAME_CLOCALE_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		// Fyne's lang package has looked the locale up in its init.
		os.Stdout.WriteString(string(lang.SystemLocale()))
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// A program that imports Fyne's lang package and this one starts under
// LANG=C.UTF-8 without Fyne's "Error parsing user locale C", in English.
func TestNoLocaleErrorUnderCUTF8(t *testing.T) {
	for _, lc := range []string{"LANG=C.UTF-8", "LC_ALL=C.UTF-8", "LANG=POSIX.UTF-8"} {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(withoutLocale(os.Environ()), childEnv+"=1", lc)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil || stderr.Len() > 0 || string(out) != "en" {
			t.Errorf("%s: locale %q, %v, stderr:\n%s", lc, out, err, stderr.String())
		}
	}
}

// withoutLocale drops the locale variables from env.
func withoutLocale(env []string) []string {
	var out []string
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if k != "LANG" && k != "LANGUAGE" && !strings.HasPrefix(k, "LC_") {
			out = append(out, kv)
		}
	}
	return out
}
