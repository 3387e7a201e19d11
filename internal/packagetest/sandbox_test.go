//go:build linux

package packagetest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestCommandAppliesTheSandbox runs probes as a unit's ExecStart, to show
// that Command applies what it claims to emulate.
func TestCommandAppliesTheSandbox(t *testing.T) {
	if os.Getenv("SESAME_PACKAGE_TEST") != "1" || os.Geteuid() != 0 {
		t.Skip("makes a state folder under /var/lib: runs as root with SESAME_PACKAGE_TEST=1 (scripts/test)")
	}
	const dir = "sesame-packagetest-probe"
	state := filepath.Join("/var/lib", dir)
	t.Cleanup(func() { os.RemoveAll(state) })
	probe := func(line string) (string, error) {
		t.Helper()
		u := Unit{"Type": {"exec"}, "User": {"nobody"}, "ExecStart": {line}, "StateDirectory": {dir},
			"StateDirectoryMode": {"0700"}, "UMask": {"0077"}, "ProtectSystem": {"strict"}, "ProtectHome": {"yes"},
			"PrivateTmp": {"yes"}, "PrivateDevices": {"yes"}, "NoNewPrivileges": {"yes"},
			"CapabilityBoundingSet": {""}, "MemoryDenyWriteExecute": {"yes"}}
		cmd, err := u.Command()
		if err != nil {
			t.Fatal(err)
		}
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := probe("/usr/bin/touch /etc/sesame-packagetest-probe"); err == nil || !strings.Contains(out, "Read-only") {
		os.Remove("/etc/sesame-packagetest-probe")
		t.Errorf("ProtectSystem=strict: /etc is writable: %v %s", err, out)
	}
	if out, err := probe("/usr/bin/touch " + state + "/ok"); err != nil {
		t.Errorf("the state folder is not writable: %v %s", err, out)
	}
	fi, err := os.Stat(state + "/ok")
	if err != nil || fi.Mode().Perm() != 0o600 || fi.Sys().(*syscall.Stat_t).Uid != 65534 {
		t.Errorf("a file made by the service: %v, %v (want 0600, owner nobody)", fi, err)
	}
	out, err := probe("/usr/bin/grep -E ^(Uid|Gid|CapBnd|CapAmb|NoNewPrivs): /proc/self/status")
	for _, want := range []string{"Uid:\t65534\t65534", "Gid:\t65534\t65534", "CapBnd:\t0000000000000000", "CapAmb:\t0000000000000000", "NoNewPrivs:\t1"} {
		if !strings.Contains(out, want) {
			t.Errorf("the service's status lacks %q: %v\n%s", want, err, out)
		}
	}
	// ls -A of empty folders: their names only.
	if out, err := probe("/usr/bin/ls -A /tmp /var/tmp /root"); err != nil || strings.Join(strings.Fields(out), " ") != "/root: /tmp: /var/tmp:" {
		t.Errorf("PrivateTmp, ProtectHome: the service sees %v %q", err, out)
	}
	if out, err := probe("/usr/bin/ls /dev"); err != nil || strings.Join(strings.Fields(out), " ") != "fd full null pts random shm tty urandom zero" {
		t.Errorf("PrivateDevices: the service sees /dev: %v %q", err, out)
	}
	if _, err := exec.LookPath("python3"); err != nil {
		t.Log("no python3: MemoryDenyWriteExecute is not probed")
		return
	}
	if out, err := probe("/usr/bin/python3 -c __import__(chr(109)+chr(109)+chr(97)+chr(112)).mmap(-1,4096,prot=7)"); err == nil || !strings.Contains(out, "Permission denied") {
		t.Errorf("MemoryDenyWriteExecute: a writable and executable mapping was allowed: %v %s", err, out)
	}
}
