//go:build (dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd

package keystore_test

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"sesame/keystore"
)

// The tests of the Secret Service's failures, on the systems whose keychain
// it is (keychain_unix.go).

// runKeychainChild runs op in a helper process with the given extra
// environment and returns its outcome line(s).
func runKeychainChild(t *testing.T, op string, timeout time.Duration, env ...string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=keychain", keychainOpEnv+"="+op,
		keychainTimeoutEnv+"="+timeout.String())
	cmd.Env = append(cmd.Env, env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("helper: %v\n%s", err, stderr.String())
	}
	t.Logf("helper %s: %s%s", op, out, stderr.String())
	return strings.TrimSpace(string(out))
}

func unavailable(r keystore.Reason, op string) string {
	return fmt.Sprintf("unavailable %d %s", int(r), op)
}

func TestKeychainNoSessionBus(t *testing.T) {
	missing := "unix:path=" + filepath.Join(tempDir(t), "no-such-bus")
	for _, op := range []string{"read", "save", "check"} {
		if got, want := runKeychainChild(t, op, 5*time.Second, "DBUS_SESSION_BUS_ADDRESS="+missing), unavailable(keystore.ReasonNoSessionBus, op); got != want {
			t.Errorf("%s on a missing socket: %q, want %q", op, got, want)
		}
	}
	if got, want := runKeychainChild(t, "read", 5*time.Second, "DBUS_SESSION_BUS_ADDRESS=nonsense:"), unavailable(keystore.ReasonNoSessionBus, "read"); got != want {
		t.Errorf("bad address: %q, want %q", got, want)
	}
	t.Run("unset", func(t *testing.T) {
		dir := "/run/user/" + strconv.Itoa(os.Getuid())
		for _, f := range []string{dir + "/bus", dir + "/dbus-session"} {
			if _, err := os.Stat(f); err == nil {
				t.Skipf("%s exists: without an address godbus would use it", f)
			}
		}
		if got, want := runKeychainChild(t, "read", 5*time.Second, "DBUS_SESSION_BUS_ADDRESS="), unavailable(keystore.ReasonNoSessionBus, "read"); got != want {
			t.Errorf("unset address: %q, want %q", got, want)
		}
	})
}

// A bus that accepts the connection and never answers: the call gives up
// after the keychain's Timeout.
func TestKeychainTimeout(t *testing.T) {
	sock := filepath.Join(tempDir(t), "silent-bus")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	got := runKeychainChild(t, "save", 300*time.Millisecond, "DBUS_SESSION_BUS_ADDRESS=unix:path="+sock)
	if want := unavailable(keystore.ReasonTimedOut, "save"); got != want {
		t.Fatalf("silent bus: %q, want %q", got, want)
	}
}

// privateBus starts a dbus-daemon of our own listening in a temporary
// folder, with servicedir as its only activation folder (none if empty),
// and returns its address. It is stopped when the test ends.
func privateBus(t *testing.T, servicedir string, env ...string) string {
	t.Helper()
	daemon, err := exec.LookPath("dbus-daemon")
	if err != nil {
		if keyringWanted() {
			t.Fatal("SESAME_TEST_KEYRING=1 but dbus-daemon is not installed")
		}
		t.Skip("dbus-daemon not installed")
	}
	dir := tempDir(t)
	services := ""
	if servicedir != "" {
		services = "<servicedir>" + servicedir + "</servicedir>"
	}
	conf := `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=` + filepath.Join(dir, "bus") + `</listen>
  ` + services + `
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`
	confPath := filepath.Join(dir, "bus.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(daemon, "--config-file="+confPath, "--nofork", "--nopidfile", "--print-address=1")
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	r := bufio.NewReader(out)
	addr, err := r.ReadString('\n')
	if err != nil {
		t.Fatalf("dbus-daemon: %v", err)
	}
	return strings.TrimSpace(addr)
}

// A session bus with no Secret Service on it (nothing to activate either).
func TestKeychainNoProvider(t *testing.T) {
	addr := privateBus(t, "")
	for _, op := range []string{"read", "check"} {
		if got, want := runKeychainChild(t, op, 10*time.Second, "DBUS_SESSION_BUS_ADDRESS="+addr), unavailable(keystore.ReasonNoProvider, op); got != want {
			t.Errorf("%s: %q, want %q", op, got, want)
		}
	}
}

// A Secret Service (gnome-keyring, started by D-Bus activation in a fresh
// data folder) that has no keyring to store items in.
func TestKeychainNoKeyring(t *testing.T) {
	daemon, err := exec.LookPath("gnome-keyring-daemon")
	if err != nil {
		if keyringWanted() {
			t.Fatal("SESAME_TEST_KEYRING=1 but gnome-keyring-daemon is not installed")
		}
		t.Skip("gnome-keyring-daemon not installed")
	}
	home := tempDir(t)
	services := filepath.Join(home, "services")
	if err := os.Mkdir(services, 0o700); err != nil {
		t.Fatal(err)
	}
	service := "[D-BUS Service]\nName=org.freedesktop.secrets\nExec=" + daemon + " --start --foreground --components=secrets\n"
	if err := os.WriteFile(filepath.Join(services, "org.freedesktop.secrets.service"), []byte(service), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"data", "runtime", "cache"} {
		if err := os.Mkdir(filepath.Join(home, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	addr := privateBus(t, services, "HOME="+home, "XDG_DATA_HOME="+filepath.Join(home, "data"),
		"XDG_RUNTIME_DIR="+filepath.Join(home, "runtime"), "XDG_CACHE_HOME="+filepath.Join(home, "cache"),
		"DISPLAY=", "WAYLAND_DISPLAY=")
	for _, op := range []string{"read", "check"} {
		if got, want := runKeychainChild(t, op, 10*time.Second, "DBUS_SESSION_BUS_ADDRESS="+addr), unavailable(keystore.ReasonNoKeyring, op); got != want {
			t.Errorf("%s: %q, want %q", op, got, want)
		}
	}
}
