// Command frameprobe measures a GUI program's start: it starts the command
// given after "--", waits for the program's first top-level window on the X
// display to show a painted pixel (anything not black), and prints, as JSON,
// the milliseconds from start to that frame and the program's resident
// memory (VmRSS) a settle time later. Then it ends the program.
//
//	frameprobe [-settle 2s] -- command [args...]
package main

/*
#cgo LDFLAGS: -lX11
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/Xatom.h>
#include <stdlib.h>

// painted reports whether window w has a non-black pixel on three rows (a
// quarter, half and three quarters down): a frame paints its background
// everywhere. Reading three rows, not the whole window, keeps the probe
// from competing with the program it measures.
static int painted(Display *d, Window w) {
	XWindowAttributes a;
	if (!XGetWindowAttributes(d, w, &a) || a.map_state != IsViewable || a.width < 8 || a.height < 8) return 0;
	for (int q = 1; q <= 3; q++) {
		XImage *img = XGetImage(d, w, 0, a.height * q / 4, a.width, 1, AllPlanes, ZPixmap);
		if (!img) return 0;
		int found = 0;
		for (int x = 0; x < a.width; x += 2)
			if (XGetPixel(img, x, 0) & 0xffffff) { found = 1; break; }
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
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: frameprobe [-settle 2s] -- command [args...]")
		os.Exit(2)
	}
	d := C.XOpenDisplay(nil)
	if d == nil {
		fmt.Fprintln(os.Stderr, "frameprobe: cannot open the X display")
		os.Exit(1)
	}
	C.quiet()

	cmd := exec.Command(flag.Arg(0), flag.Args()[1:]...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "frameprobe:", err)
		os.Exit(1)
	}
	defer cmd.Process.Kill()
	var frame time.Duration
	for frame == 0 {
		if time.Since(start) > *timeout {
			fmt.Fprintln(os.Stderr, "frameprobe: no painted frame")
			cmd.Process.Signal(syscall.SIGQUIT) // a Go program prints its goroutines
			time.Sleep(time.Second)
			cmd.Process.Kill()
			os.Exit(1)
		}
		// The program's windows, by the _NET_WM_PID its toolkit sets:
		// window IDs of a program that just ended are reused at once.
		for w := range windows(d) {
			if int(C.windowPID(d, w)) == cmd.Process.Pid && C.painted(d, w) != 0 {
				frame = time.Since(start)
				break
			}
		}
		time.Sleep(time.Millisecond)
	}
	time.Sleep(*settle)
	rss, err := vmRSS(cmd.Process.Pid)
	if err != nil {
		fmt.Fprintln(os.Stderr, "frameprobe:", err)
		cmd.Process.Kill()
		os.Exit(1)
	}
	json.NewEncoder(os.Stdout).Encode(map[string]float64{
		"first_frame_ms": float64(frame.Microseconds()) / 1000,
		"rss_mb":         float64(rss) / 1024,
	})
}

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
