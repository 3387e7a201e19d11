package browsertest

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"sesame/authapi"
	"sesame/internal/testserver"
	"sesame/server"
	"sesame/server/passhash"
	"sesame/server/store"
)

// chromium returns the browser's path, skipping the test without it
// unless SESAME_BROWSER_TEST=1.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("SESAME_BROWSER_TEST") == "1" {
		t.Fatal("chromium is not installed (apt-get install chromium; scripts/test installs it)")
	}
	t.Skip("chromium is not installed; SESAME_BROWSER_TEST=1 makes this a failure")
	return ""
}

// browser starts a headless Chromium of its own, with a fresh profile, for
// the test's length.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)),
		chromedp.Headless,
		chromedp.NoSandbox, // the tests run as root
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(800, 900),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return bctx
}

// shots is the folder of the test's screenshots.
func shots(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("SESAME_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join("..", "..", "build", "screenshots")
	}
	dir = filepath.Join(dir, t.Name())
	os.RemoveAll(dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// texts are what each language's pages must say.
var texts = map[string]struct{ confirm, button, done, used string }{
	"en":      {"Was this not you?", "Sign everyone out and lock my account", "Everyone is signed out", "This link was already used"},
	"zh-Hans": {"这不是您本人的操作？", "退出所有设备并锁定我的账户", "所有设备均已退出登录", "此链接已被使用"},
}

// TestWasntMe opens a notice's link in Chromium in every language, sees
// the page and its button, presses it, sees that every device was signed
// out, and opens the link again to see that it was used; a screenshot of
// each page.
func TestWasntMe(t *testing.T) {
	langs := server.PageLanguages()
	if len(langs) != len(texts) {
		t.Fatalf("pages in %v, texts for %d languages", langs, len(texts))
	}
	ctx := browser(t)
	dir := shots(t)
	for _, lang := range langs {
		t.Run(lang, func(t *testing.T) {
			want, ok := texts[lang]
			if !ok {
				t.Fatalf("no texts for %s", lang)
			}
			ts := testserver.StartPublic(t)
			id, access := signedIn(t, ts)
			link, err := ts.Handler.WasntMeLink(context.Background(), id, lang)
			if err != nil || !strings.HasPrefix(link, ts.URL+server.PathWasntMe) {
				t.Fatalf("link %q, %v", link, err)
			}
			tab, cancel := chromedp.NewContext(ctx)
			defer cancel()

			do(t, tab, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("form button")))
			lng := get(t, tab, chromedp.AttributeValue(chromedp.CSS("html"), "lang")).Value
			h1, button := get(t, tab, chromedp.Text(chromedp.CSS("h1"))), get(t, tab, chromedp.Text(chromedp.CSS("form button")))
			save(t, dir, lang+"-1-confirm.png", get(t, tab, chromedp.FullScreenshot(100)))
			if h1 != want.confirm || button != want.button || lng != lang {
				t.Fatalf("the page shows %q with the button %q in %q", h1, button, lng)
			}
			// Opening the page changed nothing.
			if status(t, ts, access) != http.StatusOK {
				t.Fatal("opening the page ended the session")
			}

			do(t, tab, chromedp.Click(chromedp.CSS("form button")), chromedp.WaitVisible(chromedp.CSS("h1.ok")))
			h1 = get(t, tab, chromedp.Text(chromedp.CSS("h1")))
			save(t, dir, lang+"-2-done.png", get(t, tab, chromedp.FullScreenshot(100)))
			if h1 != want.done {
				t.Fatalf("after the button the page shows %q", h1)
			}
			if status(t, ts, access) != http.StatusUnauthorized {
				t.Fatal("the session outlived the button")
			}
			if a, err := ts.Store.AccountByID(context.Background(), id); err != nil || !a.ResetRequired {
				t.Fatalf("no reset required: %+v %v", a, err)
			}

			do(t, tab, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("h1")))
			h1 = get(t, tab, chromedp.Text(chromedp.CSS("h1")))
			save(t, dir, lang+"-3-used.png", get(t, tab, chromedp.FullScreenshot(100)))
			if h1 != want.used {
				t.Fatalf("the used link shows %q", h1)
			}
		})
	}
}

func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

func get[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func save(t *testing.T, dir, name string, png []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// signedIn makes a verified account on ts, signs it in over HTTP and
// returns its id and the session's access token.
func signedIn(t *testing.T, ts *testserver.Server) (id, access string) {
	t.Helper()
	const email, pw = "ann@example.org", "a long browser test password"
	a := store.Account{ID: "ann", Email: email, Verified: true, CreatedAt: time.Now(),
		PasswordHash: passhash.Hash(authapi.NormalizePassword(pw), ts.Config.Hash)}
	if err := ts.Store.CreateAccount(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(authapi.CreateSessionRequest{Email: email, Password: pw, DeviceName: "browser test"})
	req, _ := http.NewRequest("POST", ts.URL+"/v1/sessions", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(authapi.HeaderClientVersion, "1.0.0")
	resp, err := ts.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok authapi.Tokens
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("sign-in: %d %v", resp.StatusCode, err)
	}
	return a.ID, tok.AccessToken
}

// status is the status of GET /v1/me with access.
func status(t *testing.T, ts *testserver.Server, access string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", ts.URL+"/v1/me", nil)
	req.Header.Set(authapi.HeaderClientVersion, "1.0.0")
	req.Header.Set("Authorization", "Bearer "+access)
	resp, err := ts.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
