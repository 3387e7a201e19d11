package desktoptest

import (
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"sesame/authapi"
)

const (
	email    = "ada@example.org"
	password = "correct horse battery 9"
	phrase   = "Blue heron at dawn"
)

// setPhraseElsewhere sets the account's anti-phishing phrase from another
// device, through the built-in server's API.
func setPhraseElsewhere(t *testing.T, addr, phrase string) {
	t.Helper()
	ctx := context.Background()
	c, err := authapi.NewClient("http://" + addr)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.SignIn(ctx, authapi.CreateSessionRequest{Email: email, Password: password, DeviceName: "phone"}); err != nil {
		t.Fatal(err)
	}
	if err := c.SetAntiPhishingPhrase(ctx, authapi.AntiPhishingRequest{Phrase: phrase, Password: password}); err != nil {
		t.Fatal(err)
	}
}

// TestRememberMe is the first run of a new user: create an account with the
// code from the built-in server's mailbox, ticking "Remember me", then quit
// and start again and land on home without typing the password. The
// refresh token is in the keychain (found with secret-tool), rotated by the
// second start, and in none of the app's files; so is the account's
// anti-phishing phrase, which the sign-in screen then shows. A sign-in
// without "Remember me" leaves no session on the server after the quit.
func TestRememberMe(t *testing.T) {
	d := newDesktop(t, "en")
	d.start()
	d.Shot("sign-in")

	// Sign-in's fields in Tab order: email, password, remember me, then
	// (the button being disabled) the links: forgot, create account.
	d.Keys("Tab", "Tab", "Tab", "Tab", "space")
	d.NewShot("create-account")
	d.Type(email)
	d.Keys("Tab")
	d.Type(password)
	d.Keys("Tab")
	d.Type(password)
	d.Keys("Tab", "space")
	d.NewShot("create-account-filled")
	d.Keys("Tab", "space")

	code := d.MailCode("http://"+d.addr, email)
	d.NewShot("activation-code")
	// The header's Mailbox button (Shift+Tab from the code field, past
	// the settings button) opens the built-in server's mailbox window.
	d.Keys("shift+Tab", "shift+Tab", "space")
	d.shotOther("Mailbox", "mailbox")
	d.Focus()
	d.Keys("Tab", "Tab")
	d.Type(code) // the field sends itself when full
	first := d.waitToken()
	d.Shot("home")

	// The window keeps the size the user gave it.
	d.Xdotool("windowsize", "--sync", d.Window, "560", "760")
	d.WaitDrawnAt(560, 760)
	d.quit()
	if settings := d.settings(); !strings.Contains(settings, `"width": 560`) || !strings.Contains(settings, `"height": 760`) {
		t.Errorf("the window's size is not in the settings after quitting: %s", settings)
	}
	d.start()
	d.Shot("home-after-restart")
	if geo := d.Xdotool("getwindowgeometry", d.Window); !strings.Contains(geo, "560x760") {
		t.Errorf("the window did not keep its size: %s\nsettings: %s", geo, d.settings())
	}
	second := d.waitToken()
	if second == first {
		t.Fatal("the second start did not resume the session: the remembered token was not rotated")
	}
	if files := d.filesContaining(second); len(files) > 0 {
		t.Fatalf("the refresh token is written in the app's files: %v", files)
	}
	if files := d.filesContaining(password); len(files) > 0 {
		t.Fatalf("the password is written in the app's files: %v", files)
	}
	// The device token of the sign-in is in the keychain too, and in none
	// of the app's files (the built-in server keeps only its hash).
	device := d.waitAnySecret("Sesame devices", "http://"+d.addr+" "+email)
	if files := d.filesContaining(device); len(files) > 0 {
		t.Fatalf("the device token is written in the app's files: %v", files)
	}

	// The account's anti-phishing phrase, set on another device, is learnt
	// by the next start (a remembered session) and kept in the keychain,
	// in none of the app's files; the sign-in screen then shows it for the
	// address once the remembered session is gone (look at the screenshot).
	setPhraseElsewhere(t, d.addr, phrase)
	d.quit()
	d.start()
	d.waitSecret("Sesame anti-phishing", "http://"+d.addr+" "+email, phrase)
	// The built-in server's database holds it, as any server does.
	for _, f := range d.filesContaining(phrase) {
		if !strings.HasPrefix(filepath.Base(f), "local-server.db") {
			t.Fatalf("the anti-phishing phrase is written in the app's file %s", f)
		}
	}
	d.quit()
	if out, err := exec.Command("secret-tool", "clear", "service", "Sesame", "username", "refresh-token http://"+d.addr+" "+email).CombinedOutput(); err != nil {
		t.Fatalf("secret-tool clear: %v %s", err, out)
	}
	d.start() // the sign-in screen, with the remembered address filled in
	d.Shot("sign-in-with-phrase")
	d.quit()
	d.lang = "zh_CN" // the same screen in 简体中文
	d.start()
	d.Shot("sign-in-with-phrase-zh")
	d.lang = "en"

	// The connection check in a terminal, against the running built-in
	// server: nothing blocks signing in.
	out, err := exec.Command(d.bin, "doctor", "--server", "http://"+d.addr, "--json").Output()
	if err != nil {
		t.Fatalf("sesame doctor: %v\n%s", err, out)
	}
	var report struct {
		Blocking bool `json:"blocking"`
		Steps    []struct {
			ID      string `json:"id"`
			Verdict string `json:"verdict"`
		} `json:"steps"`
	}
	if err := json.Unmarshal(out, &report); err != nil || report.Blocking || len(report.Steps) < 8 {
		t.Fatalf("sesame doctor --json: %v\n%s", err, out)
	}

	// A sign-in without "Remember me" ends with the app: after the quit
	// the built-in server has no session of it, so the account's device
	// list does not grow with each start.
	watch := watchSessions(t, d.addr)
	before := watch.count()
	d.Focus()
	d.Type(password) // the address is filled in, "Remember me" ticked
	d.Keys("Tab", "space", "shift+Tab", "Return")
	watch.waitCount(before+1, d)
	d.Shot("home-not-remembered-zh")
	// The Chinese window names this computer in Chinese.
	if !slices.ContainsFunc(watch.sessions(), func(s authapi.Session) bool { return strings.HasSuffix(s.DeviceName, " 上的 Sesame") }) {
		t.Errorf("no session of a Chinese device name: %+v", watch.sessions())
	}
	watch.signOut()
	d.quit()
	d.start()
	if n := watchSessions(t, d.addr).count(); n != before {
		t.Fatalf("%d sessions after the quit of a sign-in without \"Remember me\", %d before it", n, before)
	}
}

// sessionWatch is a sign-in of another device that lists the account's
// sessions on the built-in server, its own among them.
type sessionWatch struct {
	t *testing.T
	c *authapi.Client
}

func watchSessions(t *testing.T, addr string) sessionWatch {
	t.Helper()
	c, err := authapi.NewClient("http://" + addr)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.SignIn(context.Background(), authapi.CreateSessionRequest{Email: email, Password: password, DeviceName: "watch"}); err != nil {
		t.Fatal(err)
	}
	return sessionWatch{t, c}
}

func (w sessionWatch) sessions() []authapi.Session {
	w.t.Helper()
	ss, err := w.c.Sessions(context.Background())
	if err != nil {
		w.t.Fatal(err)
	}
	return ss
}

func (w sessionWatch) count() int {
	w.t.Helper()
	return len(w.sessions())
}

// waitCount waits until the account has n sessions.
func (w sessionWatch) waitCount(n int, d *desktop) {
	w.t.Helper()
	got := 0
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(300 * time.Millisecond) {
		if got = w.count(); got == n {
			return
		}
	}
	w.t.Fatalf("%d sessions, not %d\napp log:\n%s", got, n, d.Log())
}

func (w sessionWatch) signOut() {
	if err := w.c.SignOut(context.Background()); err != nil {
		w.t.Fatal(err)
	}
}

// TestChinese starts the app in a Chinese session: the screens are drawn
// in 简体中文 with the shipped font (look at the screenshots), and Esc goes
// back from a focused field.
func TestChinese(t *testing.T) {
	d := newDesktop(t, "zh_CN")
	d.start()
	signIn := d.Shot("sign-in-zh")
	d.Keys("Tab", "Tab", "Tab", "Tab", "Tab", "space")
	d.NewShot("cant-sign-in-zh")
	d.Keys("Escape")
	d.SameScreen(d.NewShot("back-to-sign-in-zh"), signIn)
	d.Keys("Tab", "Tab", "Tab", "Tab", "space") // create account
	d.Type("weak")
	d.Keys("Tab")
	d.Type("abc")
	d.NewShot("create-account-zh")
	d.Keys("Escape") // from the focused password field
	d.SameScreen(d.NewShot("back-again-zh"), signIn)
	if strings.Contains(d.Log(), "panic") {
		t.Fatalf("the app panicked:\n%s", d.Log())
	}
}

// TestCLocale: under LANG=C.UTF-8 and no $LANGUAGE, the usual locale of
// containers and CI, the app starts in English without Fyne's "Error
// parsing user locale C".
func TestCLocale(t *testing.T) {
	d := newDesktop(t, "")
	d.start()
	d.Shot("sign-in-c-locale")
	d.quit()
	if strings.Contains(d.Log(), "user locale") {
		t.Fatalf("the app logged a locale error:\n%s", d.Log())
	}
}
