//go:build linux

package packagetest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"sesame/authapi"
)

// The desktop app's package, as packaging/sesame/ gives it.
const (
	appPkg      = "sesame"
	appID       = "org.sesame.desktop"
	appBin      = "/usr/bin/sesame"
	appDesktop  = "/usr/share/applications/" + appID + ".desktop"
	appIcon     = "/usr/share/icons/hicolor/512x512/apps/" + appID + ".png"
	appMetainfo = "/usr/share/metainfo/" + appID + ".metainfo.xml"
)

// appFiles are the app package's files: mode and owner as `dpkg-deb -c`
// lists them.
var appFiles = map[string]string{
	"." + appBin:                          "-rwxr-xr-x root/root",
	"." + appDesktop:                      "-rw-r--r-- root/root",
	"." + appIcon:                         "-rw-r--r-- root/root",
	"." + appMetainfo:                     "-rw-r--r-- root/root",
	"./usr/share/doc/sesame/changelog.gz": "-rw-r--r-- root/root",
}

// TestDesktopPackage builds the Linux tarball and the Debian package of
// the desktop app (each with its checksum), checks the .deb, installs it,
// validates its desktop entry and AppStream metainfo, starts the installed
// app in the X display (its window appears and its built-in server
// answers), and purges it (nothing stays).
func TestDesktopPackage(t *testing.T) {
	if os.Getenv("SESAME_PACKAGE_TEST") != "1" {
		t.Skip("installs a package on this machine: runs with SESAME_PACKAGE_TEST=1 (scripts/test)")
	}
	if os.Geteuid() != 0 {
		t.Fatal("SESAME_PACKAGE_TEST=1 needs root: the test installs the package with dpkg")
	}
	if os.Getenv("DISPLAY") == "" {
		t.Fatal("$DISPLAY is not set: the test starts the installed app (scripts/test runs it in xvfb-run)")
	}
	if isInstalled(appPkg) {
		t.Fatalf("%s is installed on this machine; the test installs and purges it: dpkg --purge %s first", appPkg, appPkg)
	}
	t.Cleanup(func() {
		if isInstalled(appPkg) {
			out, err := exec.Command("dpkg", "--purge", appPkg).CombinedOutput()
			t.Logf("cleanup: dpkg --purge: %v\n%s", err, out)
		}
	})

	deb := buildPackage(t, "app", "")
	v := version(t, deb)
	if want := "build/" + appPkg + "_" + v + "_amd64.deb"; !strings.HasSuffix(deb, want) {
		t.Errorf("the package is %s, want %s", deb, want)
	}
	for field, want := range map[string]string{"Package": appPkg, "Architecture": "amd64", "Section": "utils"} {
		if got := strings.TrimSpace(run(t, "dpkg-deb", "-f", deb, field)); got != want {
			t.Errorf("control field %s: %q, want %q", field, got, want)
		}
	}
	if deps := run(t, "dpkg-deb", "-f", deb, "Depends"); !strings.Contains(deps, "libgl1") {
		t.Errorf("Depends lacks libgl1: %q", deps)
	}
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(run(t, "dpkg-deb", "-c", deb)), "\n") {
		f := strings.Fields(line)
		if len(f) >= 6 && f[0][0] != 'd' {
			got[f[5]] = f[0] + " " + f[1]
		}
	}
	for path, want := range appFiles {
		if got[path] != want {
			t.Errorf("%s in the package: %q, want %q", path, got[path], want)
		}
	}
	for path := range got {
		if _, ok := appFiles[path]; !ok {
			t.Errorf("%s is in the package", path)
		}
	}

	run(t, "dpkg", "-i", deb)
	run(t, "desktop-file-validate", appDesktop)
	entry := read(t, appDesktop)
	for _, line := range []string{"Exec=sesame", "Icon=" + appID, "Type=Application"} {
		if !strings.Contains(entry, "\n"+line+"\n") {
			t.Errorf("the desktop entry lacks %q:\n%s", line, entry)
		}
	}
	run(t, "appstreamcli", "validate", "--no-net", "--pedantic", appMetainfo)
	if meta := read(t, appMetainfo); !strings.Contains(meta, `<release version="`+v+`"`) {
		t.Errorf("the metainfo's release is not the package's version %s", v)
	}
	if out := strings.TrimSpace(run(t, appBin, "--version")); out != "sesame "+v {
		t.Errorf("sesame --version: %q, want %q", out, "sesame "+v)
	}
	startInstalled(t)

	run(t, "dpkg", "--purge", appPkg)
	for _, path := range []string{appBin, appDesktop, appIcon, appMetainfo, "/usr/share/doc/sesame"} {
		if _, err := os.Lstat(path); err == nil {
			t.Errorf("%s stays after the purge", path)
		}
	}
}

// startInstalled starts the installed app as a desktop session would,
// with a data folder and a built-in server port of its own, waits for its
// window and its built-in server, and ends it with SIGTERM.
func startInstalled(t *testing.T) {
	t.Helper()
	home := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(appBin, "--data", filepath.Join(home, "data"), "--local-addr", addr)
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, "config"),
		"XDG_CACHE_HOME="+filepath.Join(home, "cache"))
	var log syncLog
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("the installed app ended with %v\n%s", err, log.String())
			}
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			t.Errorf("the installed app did not end within 30 s of SIGTERM")
		}
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, "xdotool", "search", "--sync", "--onlyvisible", "--pid", fmt.Sprint(cmd.Process.Pid)).Output(); err != nil || len(out) == 0 {
		t.Fatalf("no window of the installed app: %v\n%s", err, log.String())
	}
	c, err := authapi.NewClient("http://"+addr, authapi.WithRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := c.Status(ctx); err == nil {
			return
		} else if ctx.Err() != nil {
			t.Fatalf("the installed app's built-in server does not answer: %v\n%s", err, log.String())
		}
		select {
		case <-time.After(200 * time.Millisecond):
		case err := <-exited:
			exited <- err
			t.Fatalf("the installed app ended: %v\n%s", err, log.String())
		}
	}
}

// syncLog collects a program's output while the test reads it.
type syncLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
