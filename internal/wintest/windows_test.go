package wintest

import (
	"bytes"
	"debug/pe"
	"encoding/binary"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf16"
)

const (
	email    = "ada@example.org"
	password = "correct horse battery 9"
)

// TestWindows is the first run of a new user on Windows: the sign-in
// screen appears, an account is created with the code from the built-in
// server's mailbox, ticking "Remember me"; the refresh token is then in the
// Credential Manager (read back with credtool under the same prefix) and
// in none of the app's files; the app, closed as Windows closes it, starts
// again on home with the session resumed (the token rotated); its files
// are under %LOCALAPPDATA%\Sesame and Fyne's under %APPDATA%, none in a
// Linux-style folder. Look at the screenshots in build/screenshots/TestWindows.
func TestWindows(t *testing.T) {
	w := newWindows(t)
	w.start()
	w.Shot("sign-in")

	// Sign-in's fields in Tab order: email, password, remember me, then
	// (the button being disabled) the links: forgot, create account.
	w.Keys("Tab", "Tab", "Tab", "Tab", "space")
	w.NewShot("create-account")
	w.Type(email)
	w.Keys("Tab")
	w.Type(password)
	w.Keys("Tab")
	w.Type(password)
	w.Keys("Tab", "space") // remember me
	w.NewShot("create-account-filled")
	w.Keys("Tab", "space")
	code := w.MailCode("http://"+w.addr, email)
	w.NewShot("activation-code")
	w.Type(code) // the field sends itself when full
	first := w.waitToken(email)
	w.NewShot("home")

	local := filepath.Join(w.user(), "AppData", "Local", "Sesame")
	for _, f := range []string{"local-server.db", "local-server.key-id"} {
		if _, err := os.Stat(filepath.Join(local, f)); err != nil {
			t.Errorf("the built-in server's %s is not in %%LOCALAPPDATA%%\\Sesame: %v", f, err)
		}
	}
	// The key of the built-in server's two-factor secrets went to the
	// Credential Manager: no key file beside the database.
	if _, err := os.Stat(filepath.Join(local, "local-server.totp-key")); err == nil {
		t.Errorf("the built-in server's key is in a file, not in the Credential Manager\napp log:\n%s", w.Log())
	}
	w.quit()
	settings, err := os.ReadFile(filepath.Join(local, "settings.json"))
	if err != nil || !strings.Contains(string(settings), `"width"`) {
		t.Errorf("no window size in %%LOCALAPPDATA%%\\Sesame\\settings.json after closing: %q %v", settings, err)
	}
	if _, err := os.Stat(filepath.Join(w.user(), "AppData", "Roaming", "fyne", "org.sesame.desktop")); err != nil {
		t.Errorf("Fyne's folder is not in %%APPDATA%%: %v", err)
	}
	for _, linux := range []string{filepath.Join(w.user(), ".local"), filepath.Join(w.home, ".local", "share", "sesame"),
		filepath.Join(w.home, ".config", "fyne")} {
		if _, err := os.Stat(linux); err == nil {
			t.Errorf("the app made a Linux-style folder: %s", linux)
		}
	}

	w.start()
	second := w.waitToken(email)
	if second == first {
		t.Fatal("the second start did not resume the session: the remembered token was not rotated")
	}
	w.Shot("home-after-restart")
	if files := w.filesContaining(second); len(files) > 0 {
		t.Fatalf("the refresh token is written in files: %v", files)
	}
	if files := w.filesContaining(password); len(files) > 0 {
		t.Fatalf("the password is written in files: %v", files)
	}
	if device := w.credential("Sesame devices", "http://"+w.addr+" "+email); device == "" {
		t.Error("no device token in the Credential Manager")
	} else if files := w.filesContaining(device); len(files) > 0 {
		t.Fatalf("the device token is written in files: %v", files)
	}
	w.quit()
	if strings.Contains(w.Log(), "panic") {
		t.Fatalf("the app panicked:\n%s", w.Log())
	}
}

// TestKeystore runs the keystore's whole test suite under Wine: the
// vault's atomic and concurrent saves, its format and refusals, and the
// real-keychain tests on the Credential Manager (the items read back by
// credtool, the 2,560-byte limit kept whole and one byte more refused).
// Those that must run here may not skip.
func TestKeystore(t *testing.T) {
	w := newWindows(t)
	w.goTest("keystore", []string{"SESAME_TEST_KEYRING=1", "SESAME_CREDTOOL=" + windowsPath(w.cred)},
		"TestRealKeychainCheck", "TestRealKeychainSizeLimit", "TestRealKeychainRefreshTokens",
		"TestRealKeychainDeviceTokens", "TestConcurrentSaves", "TestSaveKeepsLiveTempFiles", "TestSameDACL")
}

// The app's start-up work runs on threads of below-normal priority.
func TestBackgroundPriority(t *testing.T) {
	w := newWindows(t)
	w.goTest("internal/background", nil, "TestRunLowersPriority")
}

// goTest runs the tests of pkg (one of wineTests) under Wine in its folder
// (its testdata), with env added, and fails unless all pass and those
// named pass rather than skip.
func (w *windows) goTest(pkg string, env []string, mustPass ...string) {
	w.t.Helper()
	cmd := exec.Command("wine", filepath.Join(w.bin, path.Base(pkg)+".test.exe"), "-test.v", "-test.count=1", "-test.timeout", "5m")
	cmd.Env = append(w.env(), env...)
	cmd.Dir = filepath.Join(built.moduleRoot, filepath.FromSlash(pkg))
	out, err := cmd.CombinedOutput()
	w.t.Logf("%s.test.exe under Wine:\n%s", path.Base(pkg), out)
	if err != nil {
		w.t.Fatalf("the tests of %s failed under Wine: %v", pkg, err)
	}
	for _, name := range mustPass {
		if !strings.Contains(string(out), "--- PASS: "+name+" ") {
			w.t.Errorf("%s did not pass", name)
		}
	}
}

// windowsPath is the path a Wine program sees for the Linux path p: the
// Linux root is drive Z:.
func windowsPath(p string) string { return `Z:` + strings.ReplaceAll(p, "/", `\`) }

// The zip's Sesame.exe carries what `fyne package` embeds for Windows:
// the icon, the version information (with the app's version) and the
// manifest, and is a GUI program (no console window).
func TestPackagedResources(t *testing.T) {
	need(t)
	exe, _ := build(t)
	f, err := pe.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if oh, ok := f.OptionalHeader.(*pe.OptionalHeader64); !ok || oh.Subsystem != pe.IMAGE_SUBSYSTEM_WINDOWS_GUI {
		t.Errorf("Sesame.exe is not a 64-bit Windows GUI program")
	}
	rsrc := f.Section(".rsrc")
	if rsrc == nil {
		t.Fatal("Sesame.exe has no resources")
	}
	data, err := rsrc.Data()
	if err != nil || len(data) < 16 {
		t.Fatalf("reading the resources: %v", err)
	}
	// The root directory: 16 bytes, then named and ID entries of 8 bytes
	// whose IDs are the resource types.
	types := map[uint32]bool{}
	n := int(binary.LittleEndian.Uint16(data[12:])) + int(binary.LittleEndian.Uint16(data[14:]))
	for i := range n {
		if off := 16 + 8*i; off+8 <= len(data) {
			types[binary.LittleEndian.Uint32(data[off:])] = true
		}
	}
	for id, what := range map[uint32]string{3: "icon", 14: "icon group", 16: "version information", 24: "manifest"} {
		if !types[id] {
			t.Errorf("Sesame.exe has no %s (resource type %d): %v", what, id, types)
		}
	}
	version := regexp.MustCompile(`(?m)^Version = "([^"]+)"`).FindSubmatch(readFile(t, filepath.Join(built.moduleRoot, "FyneApp.toml")))
	if version == nil || !bytes.Contains(data, utf16le(string(version[1]))) {
		t.Errorf("the version information lacks FyneApp.toml's version %s", version)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// utf16le is s as the version information stores it.
func utf16le(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return b
}
