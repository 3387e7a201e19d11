// Command frameprobe measures a GUI program's start: it starts the command
// given after "--", waits for the program's first top-level window on the X
// display to show a painted pixel (anything not black: the probe paints the
// root window black first, so a window mapped but not yet painted, which
// shows what lies beneath it, does not count), and prints, as JSON, the
// milliseconds from start to that frame and the program's resident memory
// (VmRSS) a settle time later. Then it ends the program.
//
// With -screen it also waits for the first frame with something drawn on
// it (a sampled row of more than one colour) and reports that time too: a
// Fyne window's first frame is its background alone, painted when it is
// shown; the screen's widgets come in a later frame.
//
//	frameprobe [-settle 2s] [-screen] -- command [args...]
package main

/*
#cgo LDFLAGS: -lX11
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/Xatom.h>
#include <stdlib.h>

// painted reports whether window w has a non-black pixel on one of three
// rows (a quarter, half and three quarters down): a frame paints its
// background everywhere. With drawn set, it reports whether one of fifteen
// rows has more than one colour: something is drawn on the background.
// Reading rows, not the whole window, keeps the probe from competing with
// the program it measures.
static int painted(Display *d, Window w, int drawn) {
	XWindowAttributes a;
	if (!XGetWindowAttributes(d, w, &a) || a.map_state != IsViewable || a.width < 8 || a.height < 8) return 0;
	// Something drawn may lie anywhere: more rows for it, every 16th of
	// the height.
	int parts = drawn ? 16 : 4;
	for (int q = 1; q < parts; q++) {
		XImage *img = XGetImage(d, w, 0, a.height * q / parts, a.width, 1, AllPlanes, ZPixmap);
		if (!img) return 0;
		int found = 0;
		unsigned long first = XGetPixel(img, 0, 0) & 0xffffff;
		for (int x = 0; x < a.width && !found; x++) {
			unsigned long p = XGetPixel(img, x, 0) & 0xffffff;
			found = drawn ? p != first : p != 0;
		}
		XDestroyImage(img);
		if (found) return 1;
	}
	return 0;
}

// topWindows lists the root's children; the caller frees the list.
static Window *topWindows(Display *d, unsigned int *n) {
	Window root, parent, *kids = NULL;
	if (!XQueryTree(d, DefaultRootWindow(d), &root, &parent, &kids, n)) { *n = 0; return NULL; }
	return kids;
}

// windowPID is the _NET_WM_PID of window w, or 0.
static long windowPID(Display *d, Window w) {
	Atom prop = XInternAtom(d, "_NET_WM_PID", True), type;
	int format;
	unsigned long n, after;
	unsigned char *data = NULL;
	long pid = 0;
	if (prop == None) return 0;
	if (XGetWindowProperty(d, w, prop, 0, 1, False, XA_CARDINAL, &type, &format, &n, &after, &data) == Success && data) {
		if (n == 1 && format == 32) pid = *(long *)data;
		XFree(data);
	}
	return pid;
}

static int ignore(Display *d, XErrorEvent *e) { return 0; }
static void quiet(void) { XSetErrorHandler(ignore); }

// blackRoot paints the root window black.
static void blackRoot(Display *d) {
	Window r = DefaultRootWindow(d);
	XSetWindowBackground(d, r, BlackPixel(d, DefaultScreen(d)));
	XClearWindow(d, r);
	XSync(d, False);
}
*/
import "C"

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

func main() {
	settle := flag.Duration("settle", 2*time.Second, "wait after the first frame before reading the resident memory")
	timeout := flag.Duration("timeout", 60*time.Second, "give up after this long without a painted frame")
	screen := flag.Bool("screen", false, "also wait for the first frame with something drawn on the background")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: frameprobe [-settle 2s] [-screen] -- command [args...]")
		os.Exit(2)
	}
	// A display server busy with the last program's exit may refuse a
	// connection for a moment.
	d := C.XOpenDisplay(nil)
	for try := 0; d == nil && try < 20; try++ {
		time.Sleep(100 * time.Millisecond)
		d = C.XOpenDisplay(nil)
	}
	if d == nil {
		fmt.Fprintln(os.Stderr, "frameprobe: cannot open the X display")
		os.Exit(1)
	}
	C.quiet()
	C.blackRoot(d)

	cmd := exec.Command(flag.Arg(0), flag.Args()[1:]...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "frameprobe:", err)
		os.Exit(1)
	}
	defer cmd.Process.Kill()
	out := map[string]float64{"first_frame_ms": ms(waitFrame(d, cmd, start, *timeout, false))}
	if *screen {
		out["screen_frame_ms"] = ms(waitFrame(d, cmd, start, *timeout, true))
	}
	time.Sleep(*settle)
	rss, err := vmRSS(cmd.Process.Pid)
	if err != nil {
		fmt.Fprintln(os.Stderr, "frameprobe:", err)
		cmd.Process.Kill()
		os.Exit(1)
	}
	out["rss_mb"] = float64(rss) / 1024
	json.NewEncoder(os.Stdout).Encode(out)
}

// waitFrame polls the program's windows each millisecond until one shows a
// painted frame (with drawn, a frame with something drawn on it) and
// returns the time since start. The windows are found by the _NET_WM_PID
// the toolkit sets: window IDs of a program that just ended are reused at
// once. After timeout it ends the program and the probe.
func waitFrame(d *C.Display, cmd *exec.Cmd, start time.Time, timeout time.Duration, drawn bool) time.Duration {
	flag := C.int(0)
	if drawn {
		flag = 1
	}
	for time.Since(start) <= timeout {
		for w := range windows(d) {
			if int(C.windowPID(d, w)) == cmd.Process.Pid && C.painted(d, w, flag) != 0 {
				return time.Since(start)
			}
		}
		time.Sleep(time.Millisecond)
	}
	fmt.Fprintln(os.Stderr, "frameprobe: no painted frame")
	cmd.Process.Signal(syscall.SIGQUIT) // a Go program prints its goroutines
	time.Sleep(time.Second)
	cmd.Process.Kill()
	os.Exit(1)
	return 0
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// windows is the set of top-level windows now.
func windows(d *C.Display) map[C.Window]bool {
	var n C.uint
	list := C.topWindows(d, &n)
	out := map[C.Window]bool{}
	if list == nil {
		return out
	}
	for _, w := range unsafe.Slice(list, int(n)) {
		out[w] = true
	}
	C.XFree(unsafe.Pointer(list))
	return out
}

// vmRSS reads a process's resident memory in KiB.
func vmRSS(pid int) (int, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			return strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
		}
	}
	return 0, fmt.Errorf("no VmRSS for process %d", pid)
}
