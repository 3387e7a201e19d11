package desktoptest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"sesame/app"
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
	tokens  map[string]bool
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

func freeAddr(t testing.TB) string {
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
	// Xvfb has no window manager: focus the window directly.
	d.xdotool("windowfocus", "--sync", d.window)
	d.settle() // the first frames and the resume attempt
}

// quit ends the app as the desktop session does at log-out (SIGTERM) and
// waits for it to end.
func (d *desktop) quit() {
	if d.running == nil {
		return
	}
	cmd := d.running
	d.running = nil
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-done
		d.t.Errorf("the app did not quit within 10 s of SIGTERM")
		return
	}
	if code := cmd.ProcessState.ExitCode(); code != 0 {
		d.t.Errorf("the app exited with status %d\n%s", code, d.log.String())
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
	return d.shotWindow(d.window, name)
}

// shotWindow saves a screenshot of the window id as NN-name.png once it
// has settled.
func (d *desktop) shotWindow(id, name string) string {
	d.t.Helper()
	d.step++
	path := filepath.Join(d.shots, fmt.Sprintf("%02d-%s.png", d.step, name))
	// Without a window manager, windows stack as opened and a picture of
	// one shows what lies above it: raise it first.
	d.xdotool("windowraise", id)
	d.settleWindow(id)
	if out, err := exec.Command("import", "-window", id, path).CombinedOutput(); err != nil {
		d.t.Fatalf("screenshot %s: %v %s", name, err, out)
	}
	return path
}

// waitRepainted waits until the app has drawn its window at w×h: the
// corner that the resize added shows the background that the opposite
// corner shows, not what X left there before the app's next frame.
func (d *desktop) waitRepainted(w, h int) {
	d.t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		img, err := d.capture(d.window)
		if err != nil || img.Bounds().Dx() != w || img.Bounds().Dy() != h {
			continue
		}
		if img.At(w-3, h-3) == img.At(2, h-3) {
			return
		}
	}
	d.t.Fatalf("the app did not redraw its window at %dx%d", w, h)
}

// settle waits until the app's window has drawn a screen and nothing on it
// moves (a progress bar, a screen being replaced): two pictures of it in a
// row, 250 ms apart, differ in at most a text caret's pixels.
func (d *desktop) settle() {
	d.t.Helper()
	d.settleWindow(d.window)
}

func (d *desktop) settleWindow(id string) {
	d.t.Helper()
	var prev image.Image
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		img, err := d.capture(id)
		if err != nil || blank(img) {
			continue
		}
		if prev != nil && differentPixels(prev, img) <= caretPixels {
			return
		}
		prev = img
	}
	d.t.Fatalf("the window %s did not settle within 20 s", id)
}

// caretPixels is the most pixels two pictures of a still screen differ in:
// a blinking text caret.
const caretPixels = 400

// capture is a picture of the window id.
func (d *desktop) capture(id string) (image.Image, error) {
	out, err := exec.Command("import", "-window", id, "png:-").Output()
	if err != nil {
		return nil, err
	}
	return png.Decode(bytes.NewReader(out))
}

// blank reports a picture of one colour: a window not drawn yet.
func blank(img image.Image) bool {
	b := img.Bounds()
	first := img.At(b.Min.X, b.Min.Y)
	for y := b.Min.Y; y < b.Max.Y; y += 4 {
		for x := b.Min.X; x < b.Max.X; x += 4 {
			if img.At(x, y) != first {
				return false
			}
		}
	}
	return true
}

// differentPixels counts the pixels in which a and b differ; pictures of
// different sizes differ everywhere.
func differentPixels(a, b image.Image) int {
	if a.Bounds() != b.Bounds() {
		return a.Bounds().Dx() * a.Bounds().Dy()
	}
	n := 0
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			if a.At(x, y) != b.At(x, y) {
				n++
			}
		}
	}
	return n
}

// shotOther waits for the app's window whose title has name and saves a
// screenshot of it.
func (d *desktop) shotOther(name, file string) {
	d.t.Helper()
	out := d.xdotool("search", "--sync", "--all", "--onlyvisible", "--pid", fmt.Sprint(d.running.Process.Pid), "--name", name)
	d.shotWindow(strings.Fields(out)[0], file)
}

var codeRE = regexp.MustCompile(`\b\d{6}\b`)

// code waits for the newest mail to addr in the built-in server's mailbox
// and returns its 6-digit code.
func (d *desktop) code(addr string, after int) string {
	d.t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		req, _ := http.NewRequest("GET", "http://"+d.addr+"/v1/dev/mailbox?to="+url.QueryEscape(addr), nil)
		req.Header.Set("Sesame-Client-Version", "0.1.0")
		resp, err := http.DefaultClient.Do(req)
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
	d.t.Fatalf("no new refresh token for %s in the keychain\napp log:\n%s", email, d.log.String())
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
	d.t.Fatalf("the keychain holds %q for %s %s, not %q\napp log:\n%s", got, service, user, want, d.log.String())
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
	d.t.Fatalf("the keychain holds nothing for %s %s\napp log:\n%s", service, user, d.log.String())
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

// sameScreen fails the test unless two screenshots show the same screen:
// at most a few hundred pixels apart (a text caret blinks).
func (d *desktop) sameScreen(a, b string) {
	d.t.Helper()
	out, _ := exec.Command("compare", "-metric", "AE", a, b, "null:").CombinedOutput()
	n, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil || n > 400 {
		d.t.Errorf("%s and %s differ in %s pixels: not the same screen", filepath.Base(a), filepath.Base(b), strings.TrimSpace(string(out)))
	}
}
