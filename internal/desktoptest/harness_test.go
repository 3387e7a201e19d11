package desktoptest

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"sesame/app"
	"sesame/internal/xwindow"
)

// desktop is one computer of the test: an X display, a keyring, and a home
// of its own for the app's data, preferences and cache.
type desktop struct {
	*xwindow.Driver
	t      *testing.T
	bin    string
	home   string
	data   string
	addr   string
	lang   string
	tokens map[string]bool
}

// need skips the test unless the real-window run is asked for, and fails
// it when asked for but the tools are missing.
func need(t *testing.T) {
	t.Helper()
	if os.Getenv("SESAME_WINDOW_TEST") != "1" {
		t.Skip("set SESAME_WINDOW_TEST=1 inside dbus-run-session, scripts/keyring-session and xvfb-run (scripts/test does)")
	}
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Fatal("$DBUS_SESSION_BUS_ADDRESS is not set")
	}
	xwindow.Need(t, "secret-tool")
}

// appTags are the app's build tags, as scripts/lib.sh's APP_TAGS.
const appTags = "no_emoji"

// built is the app binary, built once for every test of the run.
var built struct {
	once sync.Once
	dir  string
	bin  string
	err  error
	out  []byte
}

// build compiles the app with cgo and the app's build tags, once; $SESAME_BIN
// names a binary built already.
func build(t testing.TB) string {
	t.Helper()
	if bin := os.Getenv("SESAME_BIN"); bin != "" {
		return bin
	}
	built.once.Do(func() {
		built.dir, built.err = os.MkdirTemp("", "sesame-desktoptest-")
		if built.err != nil {
			return
		}
		built.bin = filepath.Join(built.dir, "sesame")
		cmd := exec.Command("go", "build", "-tags", appTags, "-o", built.bin, "sesame")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
		built.out, built.err = cmd.CombinedOutput()
	})
	if built.err != nil {
		t.Fatalf("building the app: %v\n%s", built.err, built.out)
	}
	return built.bin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// newDesktop prepares a home for the app, its built-in server on a free
// loopback port, and the folder of the screenshots.
func newDesktop(t *testing.T, lang string) *desktop {
	t.Helper()
	need(t)
	home := t.TempDir()
	d := &desktop{Driver: xwindow.New(t), t: t, bin: build(t), home: home, data: filepath.Join(home, "data"), addr: freeAddr(t), lang: lang}
	t.Cleanup(d.quit)
	return d
}

func freeAddr(t testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// start runs the app and waits for its window to show a still frame.
func (d *desktop) start() {
	d.t.Helper()
	cmd := exec.Command(d.bin, "--data", d.data, "--local-addr", d.addr)
	cmd.Env = append(os.Environ(),
		"XDG_CONFIG_HOME="+filepath.Join(d.home, "config"),
		"XDG_CACHE_HOME="+filepath.Join(d.home, "cache"),
		"LANG=C.UTF-8", "LC_ALL=", "LANGUAGE="+d.lang)
	d.Run(cmd)
	d.Window = d.Find(time.Minute, "the app's window", "--pid", fmt.Sprint(d.Process().Pid))
	d.Focus()
	d.Settle() // the first frames and the resume attempt
}

// quit ends the app as the desktop session does at log-out (SIGTERM) and
// waits for it to end.
func (d *desktop) quit() {
	if !d.Running() {
		return
	}
	d.Process().Signal(syscall.SIGTERM)
	err := d.Wait(10 * time.Second)
	if errors.Is(err, xwindow.ErrStillRunning) {
		d.Process().Kill()
		d.Wait(time.Minute)
		d.t.Errorf("the app did not quit within 10 s of SIGTERM")
		return
	}
	if err != nil {
		d.t.Errorf("the app exited with %v\n%s", err, d.Log())
	}
}

// shotOther waits for the app's window whose title has name and saves a
// screenshot of it.
func (d *desktop) shotOther(name, file string) {
	d.t.Helper()
	d.ShotOf(d.Find(time.Minute, name+" window", "--pid", fmt.Sprint(d.Process().Pid), "--name", name), file)
}

// filesContaining lists the files under the app's home that hold s.
func (d *desktop) filesContaining(s string) []string {
	var found []string
	filepath.WalkDir(d.home, func(path string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return nil
		}
		if b, err := os.ReadFile(path); err == nil && bytes.Contains(b, []byte(s)) {
			found = append(found, path)
		}
		return nil
	})
	return found
}

// waitToken waits until the keychain holds a refresh token for the test's
// account that differs from any seen before, and returns it.
func (d *desktop) waitToken() string {
	d.t.Helper()
	user := "refresh-token http://" + d.addr + " " + email
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		out, err := exec.Command("secret-tool", "lookup", "service", "Sesame", "username", user).Output()
		if err == nil && len(out) > 0 && !d.tokens[string(out)] {
			if d.tokens == nil {
				d.tokens = map[string]bool{}
			}
			d.tokens[string(out)] = true
			return string(out)
		}
	}
	d.t.Fatalf("no new refresh token for %s in the keychain\napp log:\n%s", email, d.Log())
	return ""
}

// waitSecret waits until the keychain holds want under service and user.
func (d *desktop) waitSecret(service, user, want string) {
	d.t.Helper()
	var got []byte
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		got, _ = exec.Command("secret-tool", "lookup", "service", service, "username", user).Output()
		if string(got) == want {
			return
		}
	}
	d.t.Fatalf("the keychain holds %q for %s %s, not %q\napp log:\n%s", got, service, user, want, d.Log())
}

// waitAnySecret waits until the keychain holds a secret under service and
// user, and returns it.
func (d *desktop) waitAnySecret(service, user string) string {
	d.t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if got, _ := exec.Command("secret-tool", "lookup", "service", service, "username", user).Output(); len(got) > 0 {
			return string(got)
		}
	}
	d.t.Fatalf("the keychain holds nothing for %s %s\napp log:\n%s", service, user, d.Log())
	return ""
}

// settings is the app's settings file (server, language, window size).
func (d *desktop) settings() string {
	b, err := os.ReadFile(filepath.Join(d.data, app.SettingsFile))
	if err != nil {
		return err.Error()
	}
	return string(b)
}
