package desktoptest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// desktop is one computer of the test: an X display, a keyring, and a home
// of its own for the app's data, preferences and cache.
type desktop struct {
	t       *testing.T
	bin     string
	home    string
	data    string
	addr    string
	shots   string
	step    int
	lang    string
	running *exec.Cmd
	window  string
	log     bytes.Buffer
}

// need skips the test unless the real-window run is asked for, and fails
// it when asked for but the tools are missing.
func need(t *testing.T) {
	t.Helper()
	if os.Getenv("SESAME_WINDOW_TEST") != "1" {
		t.Skip("set SESAME_WINDOW_TEST=1 inside dbus-run-session, scripts/keyring-session and xvfb-run (scripts/test does)")
	}
	for _, env := range []string{"DISPLAY", "DBUS_SESSION_BUS_ADDRESS"} {
		if os.Getenv(env) == "" {
			t.Fatalf("$%s is not set", env)
		}
	}
	for _, tool := range []string{"xdotool", "import", "secret-tool"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed", tool)
		}
	}
}

// build compiles the app with cgo, once per test binary.
func build(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("SESAME_BIN"); bin != "" {
		return bin
	}
	bin := filepath.Join(t.TempDir(), "sesame")
	cmd := exec.Command("go", "build", "-o", bin, "sesame")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the app: %v\n%s", err, out)
	}
	return bin
}

// newDesktop prepares a home for the app, its built-in server on a free
// loopback port, and the folder of the screenshots.
func newDesktop(t *testing.T, lang string) *desktop {
	t.Helper()
	need(t)
	home := t.TempDir()
	d := &desktop{t: t, bin: build(t), home: home, data: filepath.Join(home, "data"), addr: freeAddr(t), lang: lang}
	d.shots = os.Getenv("SESAME_SCREENSHOTS")
	if d.shots == "" {
		d.shots = filepath.Join("..", "..", "build", "screenshots")
	}
	d.shots = filepath.Join(d.shots, t.Name())
	os.RemoveAll(d.shots)
	if err := os.MkdirAll(d.shots, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.quit)
	return d
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// start runs the app and waits for its window to show a painted frame.
func (d *desktop) start() {
	d.t.Helper()
	cmd := exec.Command(d.bin, "--data", d.data, "--local-addr", d.addr)
	cmd.Env = append(os.Environ(),
		"XDG_CONFIG_HOME="+filepath.Join(d.home, "config"),
		"XDG_CACHE_HOME="+filepath.Join(d.home, "cache"),
		"LANG=C.UTF-8", "LC_ALL=", "LANGUAGE="+d.lang)
	d.log.Reset()
	cmd.Stdout, cmd.Stderr = &d.log, &d.log
	if err := cmd.Start(); err != nil {
		d.t.Fatal(err)
	}
	d.running = cmd
	out := d.xdotool("search", "--sync", "--onlyvisible", "--pid", fmt.Sprint(cmd.Process.Pid))
	d.window = strings.Fields(out)[0]
	d.xdotool("windowactivate", "--sync", d.window)
	time.Sleep(time.Second) // the first frames and the resume attempt
}

// quit closes the window as a user does and waits for the app to end.
func (d *desktop) quit() {
	if d.running == nil {
		return
	}
	cmd := d.running
	d.running = nil
	exec.Command("xdotool", "windowclose", d.window).Run()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-done
		d.t.Errorf("the app did not quit within 10 s of its window closing")
	}
}

// xdotool runs xdotool and returns its output; it fails the test after 20 s.
func (d *desktop) xdotool(args ...string) string {
	d.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "xdotool", args...).Output()
	if err != nil {
		d.t.Fatalf("xdotool %v: %v\napp log:\n%s", args, err, d.log.String())
	}
	return string(out)
}

// keys presses keys in the app's window, such as "Tab" or "Return".
func (d *desktop) keys(keys ...string) {
	d.t.Helper()
	for _, k := range keys {
		d.xdotool("key", "--window", d.window, "--delay", "60", k)
		time.Sleep(80 * time.Millisecond)
	}
}

// typeText types text into the focused field.
func (d *desktop) typeText(text string) {
	d.t.Helper()
	d.xdotool("type", "--window", d.window, "--delay", "30", text)
	time.Sleep(100 * time.Millisecond)
}

// shot saves a screenshot of the window as NN-name.png.
func (d *desktop) shot(name string) string {
	d.t.Helper()
	d.step++
	path := filepath.Join(d.shots, fmt.Sprintf("%02d-%s.png", d.step, name))
	if out, err := exec.Command("import", "-window", d.window, path).CombinedOutput(); err != nil {
		d.t.Fatalf("screenshot %s: %v %s", name, err, out)
	}
	return path
}

var codeRE = regexp.MustCompile(`\b\d{6}\b`)

// code waits for the newest mail to addr in the built-in server's mailbox
// and returns its 6-digit code.
func (d *desktop) code(addr string, after int) string {
	d.t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		resp, err := http.Get("http://" + d.addr + "/v1/dev/mailbox?to=" + url.QueryEscape(addr))
		if err != nil {
			continue
		}
		var box struct {
			Mails []struct{ Text string } `json:"mails"`
		}
		err = json.NewDecoder(resp.Body).Decode(&box)
		resp.Body.Close()
		if err == nil && len(box.Mails) > after {
			return codeRE.FindString(box.Mails[0].Text)
		}
	}
	d.t.Fatalf("no mail to %s", addr)
	return ""
}

// signedInAs asks the app's server which account the keychain's token
// belongs to: it looks the token up with secret-tool, as any other client
// of the Secret Service would.
func (d *desktop) keychainToken(account string) string {
	d.t.Helper()
	user := "refresh-token http://" + d.addr + " " + account
	out, err := exec.Command("secret-tool", "lookup", "service", "Sesame", "username", user).Output()
	if err != nil || len(out) == 0 {
		d.t.Fatalf("secret-tool found no refresh token for %q: %v", user, err)
	}
	return string(out)
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
