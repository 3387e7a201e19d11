//go:build linux

package packagetest

import (
	"slices"
	"testing"
)

// TestArgvExpandsAsSystemd pins the expansion of ExecStart that the package
// test relies on: "$X" splits at whitespace, "${X}" stays in its word.
func TestArgvExpandsAsSystemd(t *testing.T) {
	vars := map[string]string{"ARGS": " --listen 127.0.0.1:0  --local-mailbox ", "DIR": "/var/lib/x"}
	for _, c := range []struct {
		line string
		want []string
	}{
		{"/usr/bin/a --db ${DIR}/a.db $ARGS", []string{"/usr/bin/a", "--db", "/var/lib/x/a.db", "--listen", "127.0.0.1:0", "--local-mailbox"}},
		{"/usr/bin/a $UNSET", []string{"/usr/bin/a"}},
		{"/usr/bin/a ${UNSET}x", []string{"/usr/bin/a", "x"}},
	} {
		if got, err := Argv(c.line, vars); err != nil || !slices.Equal(got, c.want) {
			t.Errorf("%s: %q, %v; want %q", c.line, got, err, c.want)
		}
	}
	for _, line := range []string{"-/usr/bin/a", "a --x", `/usr/bin/a "b c"`, "/usr/bin/a %i", "/usr/bin/a x$ARGS"} {
		if got, err := Argv(line, vars); err == nil {
			t.Errorf("%s was expanded to %q", line, got)
		}
	}
}

func TestParseEnv(t *testing.T) {
	vars := map[string]string{"A": "unit"}
	err := ParseEnv("# c\n; c\n\nA=file\nB='x&y z'\n C = no\nD=\"q\"\n", vars)
	if err == nil {
		t.Fatal(`"C = no" was read`)
	}
	vars = map[string]string{"A": "unit"}
	if err := ParseEnv("# c\n; c\n\nA=file\nB='x&y z'\nD=\"q\"\nE=\n", vars); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"A": "file", "B": "x&y z", "D": "q", "E": ""}
	for k, v := range want {
		if vars[k] != v {
			t.Errorf("%s=%q, want %q", k, vars[k], v)
		}
	}
	for _, bad := range []string{"A='x", `A="a\"b"`, "A=it's"} {
		if err := ParseEnv(bad, map[string]string{}); err == nil {
			t.Errorf("%s was read", bad)
		}
	}
}

func TestParseUnit(t *testing.T) {
	u, err := ParseUnit("[Unit]\nUser=no\n[Service]\n# c\nUser=svc\nEnvironment=A=1\nEnvironment=B=2\nCapabilityBoundingSet=\nFoo=bar\n[Install]\nWantedBy=x\n")
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := u.One("User", ""); v != "svc" || len(u["Environment"]) != 2 || u["CapabilityBoundingSet"][0] != "" {
		t.Fatalf("%v", u)
	}
	if _, err := u.One("Environment", ""); err == nil {
		t.Error("One took a directive given twice")
	}
	if bad := u.Unknown(); !slices.Equal(bad, []string{"Foo"}) {
		t.Errorf("unknown: %v", bad)
	}
	if _, err := u.Command(); err == nil {
		t.Error("Command ran a unit with a directive it does not emulate")
	}
}
