// Package xwindow drives an app's windows on an X display as a user does,
// through xdotool (search, focus, keys and typing through XTEST), and
// saves numbered pictures of them taken with ImageMagick's import: the
// harness of the real-window tests of the Linux app (internal/desktoptest)
// and of the Windows app under Wine (internal/wintest). Every wait polls
// for a condition (a window shown, a picture that stops changing, a mail
// in the built-in server's mailbox) and fails the test at its limit or
// when the app has ended. Start with [New], run the app with [Driver.Run].
package xwindow

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"sesame/authapi"
)

// Need fails the test when $DISPLAY is unset or xdotool, import or a tool
// of more is not installed.
func Need(t testing.TB, more ...string) {
	t.Helper()
	if os.Getenv("DISPLAY") == "" {
		t.Fatal("$DISPLAY is not set")
	}
	for _, tool := range append([]string{"xdotool", "import"}, more...) {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed", tool)
		}
	}
}

// Limits of the waits.
const (
	// poll is the time between two looks at a condition.
	poll = 200 * time.Millisecond
	// stillFor is how long a picture stays the same before it counts as
	// still: longer than the sign-in screen's wait before it shows the
	// anti-phishing phrase (0.4 s), shorter than a countdown's second.
	stillFor = 600 * time.Millisecond
	// settleLimit bounds the wait for a still picture.
	settleLimit = time.Minute
	// commandLimit bounds one xdotool command.
	commandLimit = 20 * time.Second
)

// A picture has changed when it differs from another in over changedMin
// pixels, and is still while the pictures after it differ from it in at
// most caretPixels (a text caret blinks).
const (
	caretPixels = 600
	changedMin  = 2000
)

// Driver drives one app on the display and saves the pictures of one test.
type Driver struct {
	t     testing.TB
	shots string
	step  int
	last  image.Image // the picture saved last
	// Window is the app's window that Keys and Type reach (it has the
	// focus) and Shot takes.
	Window string
	app    *exec.Cmd
	log    syncBuffer
	exited chan error
}

// New returns a driver whose pictures go to a folder named as the test,
// emptied first, in $SESAME_SCREENSHOTS, else the module's
// build/screenshots.
func New(t testing.TB) *Driver {
	t.Helper()
	dir := os.Getenv("SESAME_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(moduleRoot(t), "build", "screenshots")
	}
	d := &Driver{t: t, shots: filepath.Join(dir, t.Name())}
	os.RemoveAll(d.shots)
	if err := os.MkdirAll(d.shots, 0o755); err != nil {
		t.Fatal(err)
	}
	return d
}

// moduleRoot is the nearest folder above the working directory (a test's
// package) that holds go.mod.
func moduleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		up := filepath.Dir(dir)
		if up == dir {
			t.Fatal("no go.mod above the working directory")
		}
		dir = up
	}
}

// Run starts the app with its output kept for the failures' messages.
func (d *Driver) Run(cmd *exec.Cmd) {
	d.t.Helper()
	d.log.Reset()
	cmd.Stdout, cmd.Stderr = &d.log, &d.log
	if err := cmd.Start(); err != nil {
		d.t.Fatal(err)
	}
	d.app, d.exited, d.Window = cmd, make(chan error, 1), ""
	go func() { d.exited <- cmd.Wait() }()
}

// Running reports whether Run started an app that Wait has not seen end.
func (d *Driver) Running() bool { return d.exited != nil }

// Process is the app Run started last.
func (d *Driver) Process() *os.Process { return d.app.Process }

// Log is what the app Run started last has printed so far.
func (d *Driver) Log() string { return d.log.String() }

// ended reports whether the app Run started has ended.
func (d *Driver) ended() bool {
	if d.exited == nil {
		return false
	}
	select {
	case err := <-d.exited:
		d.exited <- err
		return true
	default:
		return false
	}
}

// ErrStillRunning: the app did not end within the wait.
var ErrStillRunning = errors.New("the app still runs")

// Wait waits up to limit for the app Run started to end and returns what
// its Wait returned, or ErrStillRunning. Once it returned the app's end,
// the waits no longer watch for it.
func (d *Driver) Wait(limit time.Duration) error {
	if d.exited == nil {
		return nil
	}
	select {
	case err := <-d.exited:
		d.exited = nil
		return err
	case <-time.After(limit):
		return ErrStillRunning
	}
}

// Until polls cond until it holds; it fails the test after limit, or when
// the app Run started has ended.
func (d *Driver) Until(limit time.Duration, what string, cond func() bool) {
	d.t.Helper()
	for deadline := time.Now().Add(limit); ; time.Sleep(poll) {
		if cond() {
			return
		}
		if d.ended() {
			d.t.Fatalf("waiting for %s: the app ended\napp log:\n%s", what, d.Log())
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("no %s within %s\napp log:\n%s", what, limit, d.Log())
		}
	}
}

// Xdotool runs xdotool and returns its output; it fails the test when the
// command fails or takes over 20 s.
func (d *Driver) Xdotool(args ...string) string {
	d.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), commandLimit)
	defer cancel()
	out, err := exec.CommandContext(ctx, "xdotool", args...).Output()
	if err != nil {
		d.t.Fatalf("xdotool %v: %v\napp log:\n%s", args, err, d.Log())
	}
	return string(out)
}

// Find waits up to limit for a visible window that `xdotool search` finds
// with the search's args, and returns the newest one's id.
func (d *Driver) Find(limit time.Duration, what string, args ...string) string {
	d.t.Helper()
	var id string
	d.Until(limit, what, func() bool {
		out, _ := exec.Command("xdotool", append([]string{"search", "--all", "--onlyvisible"}, args...)...).Output()
		if f := strings.Fields(string(out)); len(f) > 0 {
			id = f[len(f)-1]
		}
		return id != ""
	})
	return id
}

// Focus gives Window the keyboard: Xvfb has no window manager to do it.
func (d *Driver) Focus() {
	d.t.Helper()
	d.Xdotool("windowfocus", "--sync", d.Window)
}

// Keys presses keys, such as "Tab", "shift+Tab" or "Return", in the
// focused window, through XTEST as a keyboard does.
func (d *Driver) Keys(keys ...string) {
	d.t.Helper()
	d.Xdotool(append([]string{"key", "--delay", "80"}, keys...)...)
}

// Type types text into the focused field.
func (d *Driver) Type(text string) {
	d.t.Helper()
	d.Xdotool("type", "--delay", "40", text)
}

// Capture is a picture of the window id.
func Capture(id string) (image.Image, error) {
	out, err := exec.Command("import", "-window", id, "png:-").Output()
	if err != nil {
		return nil, fmt.Errorf("import -window %s: %w", id, err)
	}
	return png.Decode(bytes.NewReader(out))
}

// Shot saves a picture of Window, once it is still, as NN-name.png and
// returns its path.
func (d *Driver) Shot(name string) string {
	d.t.Helper()
	return d.ShotOf(d.Window, name)
}

// ShotOf saves a picture of the window id as Shot does.
func (d *Driver) ShotOf(id, name string) string {
	d.t.Helper()
	// Without a window manager, windows stack as opened and a picture of
	// one shows what lies above it: raise it first.
	d.Xdotool("windowraise", id)
	return d.save(name, d.still(id, "still window ("+name+")", nil))
}

// Settle waits until Window shows a drawn picture that stays the same:
// the app has drawn a screen and nothing on it moves (a progress bar, a
// screen being replaced).
func (d *Driver) Settle() {
	d.t.Helper()
	d.still(d.Window, "still window", nil)
}

// NewShot waits for Window to show a screen unlike the picture saved
// last, then saves it as Shot does: a key's effect, however slow the app.
func (d *Driver) NewShot(name string) string {
	d.t.Helper()
	return d.save(name, d.still(d.Window, "new screen ("+name+")", d.last))
}

// still waits for a drawn picture of the window id, changed from unlike
// unless it is nil, that every picture taken over the next stillFor
// shows.
func (d *Driver) still(id, what string, unlike image.Image) image.Image {
	d.t.Helper()
	var first image.Image
	var since time.Time
	d.Until(settleLimit, what, func() bool {
		img, err := Capture(id)
		if err != nil || !drawn(img) || unlike != nil && differentPixels(img, unlike) <= changedMin {
			first = nil
			return false
		}
		if first == nil || differentPixels(first, img) > caretPixels {
			first, since = img, time.Now()
			return false
		}
		return time.Since(since) >= stillFor
	})
	return first
}

// save writes img as the test's next picture, NN-name.png.
func (d *Driver) save(name string, img image.Image) string {
	d.t.Helper()
	d.step++
	path := filepath.Join(d.shots, fmt.Sprintf("%02d-%s.png", d.step, name))
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		d.t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		d.t.Fatal(err)
	}
	d.last = img
	return path
}

// SameScreen fails the test unless the pictures saved at paths a and b
// show the same screen: they differ in no more than a caret's pixels.
func (d *Driver) SameScreen(a, b string) {
	d.t.Helper()
	n := -1
	if ia, err := readPNG(a); err == nil {
		if ib, err := readPNG(b); err == nil {
			n = differentPixels(ia, ib)
		}
	}
	if n < 0 || n > caretPixels {
		d.t.Errorf("%s and %s differ in %d pixels: not the same screen", filepath.Base(a), filepath.Base(b), n)
	}
}

func readPNG(path string) (image.Image, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return png.Decode(bytes.NewReader(b))
}

// WaitDrawnAt waits until the app has drawn Window at w×h: the corner that
// a resize added shows the background that the opposite corner shows, not
// what X left there before the app's next frame.
func (d *Driver) WaitDrawnAt(w, h int) {
	d.t.Helper()
	d.Until(settleLimit, fmt.Sprintf("window drawn at %dx%d", w, h), func() bool {
		img, err := Capture(d.Window)
		return err == nil && img.Bounds().Dx() == w && img.Bounds().Dy() == h &&
			img.At(w-3, h-3) == img.At(2, h-3)
	})
}

// drawn reports whether a picture has more than a few colours: a window
// before its first frame is one flat colour.
func drawn(img image.Image) bool {
	seen := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			if seen[[4]uint32{r, g, bl, a}] = true; len(seen) > 8 {
				return true
			}
		}
	}
	return false
}

// differentPixels counts the pixels in which a and b differ; pictures of
// different sizes differ everywhere.
func differentPixels(a, b image.Image) int {
	if a.Bounds() != b.Bounds() {
		return max(a.Bounds().Dx()*a.Bounds().Dy(), b.Bounds().Dx()*b.Bounds().Dy())
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

var codeRE = regexp.MustCompile(`\b\d{6}\b`)

// MailCode waits for a mail to addr in the mailbox of the app's built-in
// server at the base URL server, and returns the newest mail's 6-digit
// code.
func (d *Driver) MailCode(server, addr string) string {
	d.t.Helper()
	c, err := authapi.NewClient(server)
	if err != nil {
		d.t.Fatal(err)
	}
	var code string
	d.Until(time.Minute, "mail to "+addr, func() bool {
		if mails, err := c.Mailbox(context.Background(), addr); err == nil && len(mails) > 0 {
			code = codeRE.FindString(mails[0].Text)
		}
		return code != ""
	})
	return code
}

// syncBuffer is a bytes.Buffer that the app's output and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *syncBuffer) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b.Reset()
}
