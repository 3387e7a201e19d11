package wintest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"sesame/internal/xwindow"
)

// mingw is the C compiler of the cross-build.
const mingw = "x86_64-w64-mingw32-gcc"

// need skips the test unless the Wine run is asked for, and fails it when
// asked for but a tool is missing.
func need(t *testing.T) {
	t.Helper()
	if os.Getenv("SESAME_WINE_TEST") != "1" {
		t.Skip("set SESAME_WINE_TEST=1 inside xvfb-run (scripts/test does)")
	}
	xwindow.Need(t, "wine", "wineboot", "wineserver", mingw)
}

// root is the module's folder.
func root(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		t.Fatalf("go list -m: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// inputs hashes what the packaged Sesame.exe is made of: the Go
// toolchain, and the name and content of every Go source but tests,
// go.mod, go.sum, embedded asset and packaging script of the module
// (tracked or not, as `git ls-files` lists them), but the window-test
// harness internal/xwindow, which the app does not carry.
func inputs(t testing.TB, dir string) string {
	t.Helper()
	cmd := exec.Command("git", "ls-files", "--cached", "--others", "--exclude-standard", "-z", "--",
		"*.go", ":!*_test.go", "go.mod", "go.sum", "assets/", "FyneApp.toml", "scripts/package", "scripts/lib.sh", ":!internal/xwindow/")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s windows/amd64\x00", runtime.Version())
	for _, name := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) { // deleted, not yet staged
			continue
		} else if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(h, "%s\x00%d\x00", name, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:24]
}

// cacheDir is where the cross-built programs are kept between runs.
func cacheDir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("SESAME_WINTEST_CACHE"); d != "" {
		return d
	}
	d, err := os.UserCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(d, "sesame", "wintest")
}

// built holds the cross-built programs, made once for every test of the run.
var built struct {
	once       sync.Once
	dir        string
	bin        string
	err        error
	cached     bool
	buildTime  time.Duration
	moduleRoot string
}

// build returns Sesame.exe out of the zip that `scripts/package windows`
// makes (the app as shipped), from the cache when its inputs did not
// change, and the folder of the test's other Windows programs.
func build(t testing.TB) (exe, bin string) {
	t.Helper()
	built.once.Do(func() {
		dir := root(t)
		built.moduleRoot = dir
		built.dir = filepath.Join(cacheDir(t), inputs(t, dir))
		start := time.Now()
		if built.bin, built.err = os.MkdirTemp("", "sesame-wintest-bin-"); built.err != nil {
			return
		}
		if built.err = buildTools(dir, built.bin); built.err != nil {
			return
		}
		if _, err := os.Stat(filepath.Join(built.dir, "Sesame.exe")); err == nil {
			built.cached = true
			return
		}
		if built.err = packageApp(dir, built.dir); built.err != nil {
			return
		}
		built.buildTime = time.Since(start)
		prune(filepath.Dir(built.dir), built.dir)
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	if built.cached {
		t.Logf("Sesame.exe from the cache: %s", built.dir)
	} else {
		t.Logf("Sesame.exe packaged in %s: %s", built.buildTime.Round(time.Second), built.dir)
	}
	return filepath.Join(built.dir, "Sesame.exe"), built.bin
}

// packageApp runs `scripts/package windows` in the module src and unzips
// Sesame.exe into dir, which it makes.
func packageApp(src, dir string) error {
	cmd := exec.Command(filepath.Join(src, "scripts", "package"), "windows")
	cmd.Dir = src
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("scripts/package windows: %v\n%s", err, stderr.Bytes())
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	zip := filepath.Join(src, lines[len(lines)-1])
	tmp := dir + ".tmp"
	os.RemoveAll(tmp)
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return err
	}
	if out, err := exec.Command("unzip", "-d", tmp, zip, "Sesame.exe").CombinedOutput(); err != nil {
		return fmt.Errorf("unzip %s: %v\n%s", zip, err, out)
	}
	return os.Rename(tmp, dir)
}

// wineTests are the packages whose tests run under Wine (goTest).
var wineTests = []string{"keystore", "internal/background"}

// buildTools builds credtool.exe and the tests of wineTests (NAME.test.exe)
// for Windows into dir: pure Go, quick with Go's build cache.
func buildTools(src, dir string) error {
	builds := [][]string{{"build", "-o", filepath.Join(dir, "credtool.exe"), "sesame/internal/wintest/credtool"}}
	for _, pkg := range wineTests {
		builds = append(builds, []string{"test", "-c", "-o", filepath.Join(dir, path.Base(pkg)+".test.exe"), "sesame/" + pkg})
	}
	for _, args := range builds {
		cmd := exec.Command("go", args...)
		cmd.Dir = src
		cmd.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go %v for Windows: %v\n%s", args, err, out)
		}
	}
	return nil
}

// keepBuilds is how many builds the cache keeps, the newest.
const keepBuilds = 3

// prune removes the cache's builds but the newest keepBuilds and keep.
func prune(cache, keep string) {
	entries, _ := os.ReadDir(cache)
	type build struct {
		path string
		mod  time.Time
	}
	var builds []build
	for _, e := range entries {
		if fi, err := e.Info(); err == nil && e.IsDir() && filepath.Join(cache, e.Name()) != keep {
			builds = append(builds, build{filepath.Join(cache, e.Name()), fi.ModTime()})
		}
	}
	slices.SortFunc(builds, func(a, b build) int { return b.mod.Compare(a.mod) })
	for i, b := range builds {
		if i >= keepBuilds-1 {
			os.RemoveAll(b.path)
		}
	}
}

// processPrng builds the stand-in bcryptprimitives.dll of
// ../shared/tools/wine into dir: Debian 12's Wine lacks the ProcessPrng
// that Go's runtime needs.
func processPrng(dir string) (string, error) {
	src := filepath.Join(built.moduleRoot, "..", "shared", "tools", "wine", "processprng.c")
	dll := filepath.Join(dir, "bcryptprimitives.dll")
	if out, err := exec.Command(mingw, "-shared", "-O2", "-o", dll, src).CombinedOutput(); err != nil {
		return "", fmt.Errorf("building %s: %v\n%s", src, err, out)
	}
	return dll, nil
}

// windows is one Windows computer of the test: a Wine prefix (its C:
// drive and registry) with a Linux home of its own, on the X display.
type windows struct {
	*xwindow.Driver
	t      *testing.T
	bin    string
	exe    string
	cred   string
	prefix string
	home   string
	addr   string
	tokens map[string]bool
}

// shared is the Wine prefix of the run, made once: wineboot takes half a
// minute.
var shared struct {
	once sync.Once
	home string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, d := range []string{shared.home, built.bin} {
		if d != "" {
			os.RemoveAll(d)
		}
	}
	os.Exit(code)
}

// newWindows returns the run's Wine prefix (made with the stand-in DLL at
// the first call), a free loopback port for the built-in server, and the
// folder of the test's screenshots.
func newWindows(t *testing.T) *windows {
	t.Helper()
	need(t)
	exe, bin := build(t)
	w := &windows{t: t, exe: exe, cred: filepath.Join(bin, "credtool.exe"), bin: bin, addr: freeAddr(t)}
	shared.once.Do(func() {
		start := time.Now()
		if shared.home, shared.err = os.MkdirTemp("", "sesame-wintest-"); shared.err != nil {
			return
		}
		w.home, w.prefix = shared.home, filepath.Join(shared.home, "prefix")
		for _, args := range [][]string{{"wineboot", "--init"}, {"wineserver", "--wait"}} {
			if out, err := w.wine(3*time.Minute, args...); err != nil {
				shared.err = fmt.Errorf("%v: %v\n%s", args, err, out)
				return
			}
		}
		dll, err := processPrng(shared.home)
		if err == nil {
			err = copyFile(dll, filepath.Join(w.prefix, "drive_c", "windows", "system32", "bcryptprimitives.dll"))
		}
		shared.err = err
		t.Logf("Wine prefix made in %s", time.Since(start).Round(time.Second))
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	w.home, w.prefix = shared.home, filepath.Join(shared.home, "prefix")
	w.Driver = xwindow.New(t)
	t.Cleanup(func() {
		w.quit()
		// Every program of the prefix ends with its wineserver.
		w.wine(time.Minute, "wineserver", "-k")
	})
	return w
}

func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o644)
}

func freeAddr(t testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// env is the environment of every Wine program of the prefix: no Mono or
// Gecko install prompt, no Wine debug output, English.
func (w *windows) env() []string {
	return append(os.Environ(), "WINEPREFIX="+w.prefix, "HOME="+w.home, "WINEDEBUG=-all",
		"WINEDLLOVERRIDES=mscoree,mshtml=", "XDG_CONFIG_HOME="+filepath.Join(w.home, "config"),
		"XDG_DATA_HOME="+filepath.Join(w.home, "data"), "XDG_CACHE_HOME="+filepath.Join(w.home, "cache"),
		"LANG=en_US.UTF-8", "LC_ALL=", "LANGUAGE=")
}

// wine runs a Wine command of the prefix to its end, killed after
// limit, and returns its standard output, or both outputs and the error.
func (w *windows) wine(limit time.Duration, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Env = w.env()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return string(out) + stderr.String(), err
	}
	return string(out), nil
}

// start runs sesame.exe with no --data (the app picks its Windows folders)
// and waits for its window.
func (w *windows) start() {
	w.t.Helper()
	cmd := exec.Command("wine", w.exe, "--local-addr", w.addr)
	cmd.Env = w.env()
	w.Run(cmd)
	w.Window = w.Find(2*time.Minute, "the app's window", "--name", "^Sesame$")
	w.Focus()
}

// quit closes the app the way Windows does at sign-out: taskkill without
// /f posts WM_CLOSE to its window; it waits for the app to end.
func (w *windows) quit() {
	w.t.Helper()
	if !w.Running() {
		return
	}
	if out, err := w.wine(time.Minute, "wine", "taskkill", "/im", filepath.Base(w.exe)); err != nil {
		w.t.Errorf("taskkill: %v %s", err, out)
	}
	switch err := w.Wait(30 * time.Second); {
	case errors.Is(err, xwindow.ErrStillRunning):
		w.wine(time.Minute, "wine", "taskkill", "/f", "/im", filepath.Base(w.exe))
		w.Wait(time.Minute)
		w.t.Errorf("the app did not end within 30 s of WM_CLOSE\n%s", w.Log())
	case err != nil:
		w.t.Errorf("the app ended with %v\n%s", err, w.Log())
	}
}

// credential reads an item of the prefix's Credential Manager with
// credtool; "" when there is none.
func (w *windows) credential(service, user string) string {
	w.t.Helper()
	out, err := w.wine(time.Minute, "wine", w.cred, service, user)
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 3 {
		return ""
	}
	if err != nil {
		w.t.Fatalf("credtool %s %s: %v\n%s", service, user, err, out)
	}
	return out
}

// waitToken waits until the Credential Manager holds a refresh token for
// account that differs from any seen before, and returns it.
func (w *windows) waitToken(account string) string {
	w.t.Helper()
	user := "refresh-token http://" + w.addr + " " + account
	var token string
	w.Until(time.Minute, "new refresh token in the Credential Manager", func() bool {
		token = w.credential("Sesame", user)
		return token != "" && !w.tokens[token]
	})
	if w.tokens == nil {
		w.tokens = map[string]bool{}
	}
	w.tokens[token] = true
	return token
}

// user is the prefix's Windows user folder, C:\users\<name>.
func (w *windows) user() string {
	w.t.Helper()
	m, _ := filepath.Glob(filepath.Join(w.prefix, "drive_c", "users", "*", "AppData", "Local"))
	if len(m) != 1 {
		w.t.Fatalf("no single user with AppData\\Local in the prefix: %v", m)
	}
	return filepath.Dir(filepath.Dir(m[0]))
}

// filesContaining lists the files of the prefix's users and the Linux
// home that hold s.
func (w *windows) filesContaining(s string) []string {
	var found []string
	filepath.WalkDir(w.home, func(path string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() || !e.Type().IsRegular() {
			return nil
		}
		if strings.HasPrefix(path, filepath.Join(w.prefix, "drive_c", "windows")) {
			return nil
		}
		if b, err := os.ReadFile(path); err == nil && bytes.Contains(b, []byte(s)) {
			found = append(found, path)
		}
		return nil
	})
	return found
}
