package screens

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"sesame/app"
	"sesame/authapi"
	"sesame/internal/testserver"
	"sesame/keystore"
	"sesame/server"
)

// fixture is the app's main window on Fyne's test driver, talking to a
// reference server of the test's own over loopback HTTP, with the keychain
// of go-keyring's mock (this package's callers' tests only).
type fixture struct {
	t      *testing.T
	srv    *testserver.Server
	client *authapi.Client
	app    *app.App
	shell  *Shell
	win    fyne.Window
	data   string
	opened []string
}

// fixtureSize is the window size of every test, so goldens are stable.
var fixtureSize = fyne.NewSize(520, 720)

// newFixture starts a server (changed by tweak), builds the app in English
// and waits for the first screen after the resume attempt.
func newFixture(t *testing.T, tweak ...func(*server.Config)) *fixture {
	t.Helper()
	test.NewTempApp(t)
	fyne.CurrentApp().Settings().SetTheme(NewTheme())
	if err := SetLanguage("en"); err != nil {
		t.Fatal(err)
	}
	keystore.MockInit()
	f := &fixture{t: t, srv: testserver.Start(t, tweak...), data: t.TempDir()}
	f.client, f.app = f.newApp()
	f.win = test.NewTempWindow(t, nil)
	f.win.Resize(fixtureSize)
	f.shell = NewShell(f.app, f.options(), f.win)
	f.waitFor("the first screen", func() bool { return f.shell.Top() != tr("app.name") })
	return f
}

// tr is the text of a key in the language of the test.
func tr(key string) string { return lang.L(key) }

func (f *fixture) options() Options {
	return Options{
		Version: "1.0.0",
		Local:   true,
		Mails: func(ctx context.Context) ([]app.Mail, error) {
			return f.srv.Store.Mails(ctx, "")
		},
		OpenURL: func(u *url.URL) error {
			f.opened = append(f.opened, u.String())
			return nil
		},
	}
}

// newApp is another start of the program on this computer.
func (f *fixture) newApp() (*authapi.Client, *app.App) {
	f.t.Helper()
	c, err := authapi.NewClient(f.srv.URL)
	if err != nil {
		f.t.Fatal(err)
	}
	a, err := app.New(app.Config{Client: c, Keychain: keystore.Keychain{}, DataDir: f.data, DeviceName: "test desktop"})
	if err != nil {
		f.t.Fatal(err)
	}
	return c, a
}

// waitFor polls cond until it holds, for at most 10 s.
func (f *fixture) waitFor(what string, cond func() bool) {
	f.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	f.t.Fatalf("waited 10 s for %s; the screen is %q", what, f.shell.Top())
}

// waitTop waits until the view titled by key is on top.
func (f *fixture) waitTop(key string) {
	f.t.Helper()
	f.waitFor("screen "+key, func() bool { return f.shell.Top() == tr(key) })
}

const testPassword = "a sturdy password 7"

var codeRE = regexp.MustCompile(`\b\d{6}\b`)

// code waits for a mail to addr newer than the after first ones whose
// subject has word, and returns its code.
func (f *fixture) code(addr, word string, after int) string {
	f.t.Helper()
	var code string
	f.waitFor("a "+word+" mail", func() bool {
		mails, err := f.client.Mailbox(context.Background(), addr)
		if err != nil {
			f.t.Fatal(err)
		}
		if len(mails) > after && strings.Contains(strings.ToLower(mails[0].Subject), word) {
			code = codeRE.FindString(mails[0].Text)
			return true
		}
		return false
	})
	return code
}

// mails counts the mails to addr.
func (f *fixture) mails(addr string) int {
	m, err := f.client.Mailbox(context.Background(), addr)
	if err != nil {
		f.t.Fatal(err)
	}
	return len(m)
}

// register creates a verified account through another app, signed out.
func (f *fixture) register(email string) {
	f.t.Helper()
	_, other := f.newApp()
	ctx := context.Background()
	reg, err := other.Register(ctx, email, testPassword, testPassword)
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := reg.Verify(ctx, f.code(email, "confirm", 0), false); err != nil {
		f.t.Fatal(err)
	}
	if err := other.SignOut(ctx); err != nil {
		f.t.Fatal(err)
	}
}

// objects are the visible objects of the window.
func (f *fixture) objects() []fyne.CanvasObject {
	var out []fyne.CanvasObject
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		out = append(out, o)
		switch x := o.(type) {
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				walk(c)
			}
		}
	}
	walk(f.win.Content())
	for _, o := range f.win.Canvas().Overlays().List() {
		walk(o)
	}
	return out
}

// button finds the visible button labelled with key's text.
func (f *fixture) button(key string) *widget.Button {
	f.t.Helper()
	want := tr(key)
	for _, o := range f.objects() {
		if b, ok := o.(*widget.Button); ok && b.Text == want {
			return b
		}
	}
	f.t.Fatalf("no button %q on %q", want, f.shell.Top())
	return nil
}

// hasButton reports whether a visible button has key's text.
func (f *fixture) hasButton(key string) bool {
	want := tr(key)
	for _, o := range f.objects() {
		if b, ok := o.(*widget.Button); ok && b.Text == want {
			return true
		}
	}
	return false
}

// tap taps the button of key, which must be enabled.
func (f *fixture) tap(key string) {
	f.t.Helper()
	b := f.button(key)
	if b.Disabled() {
		f.t.Fatalf("button %q is disabled", b.Text)
	}
	test.Tap(b)
}

// entry finds the visible entry whose placeholder is key's text.
func (f *fixture) entry(key string) *widget.Entry {
	f.t.Helper()
	want := tr(key)
	for _, o := range f.objects() {
		if e, ok := o.(*widget.Entry); ok && e.PlaceHolder == want {
			return e
		}
	}
	f.t.Fatalf("no field %q on %q", want, f.shell.Top())
	return nil
}

// typeIn focuses the entry of key and types text into it.
func (f *fixture) typeIn(key, text string) {
	f.t.Helper()
	e := f.entry(key)
	f.win.Canvas().Focus(e)
	test.Type(e, text)
}

// texts are the visible texts of labels and rich texts, in order.
func (f *fixture) texts() string {
	var b strings.Builder
	for _, o := range f.objects() {
		switch x := o.(type) {
		case *widget.Label:
			b.WriteString(x.Text + "\n")
		case *widget.RichText:
			b.WriteString(x.String() + "\n")
		case *widget.Hyperlink:
			b.WriteString(x.Text + "\n")
		}
	}
	return b.String()
}

// shows reports whether some visible text contains s.
func (f *fixture) shows(s string) bool { return strings.Contains(f.texts(), s) }

// waitText waits until some visible text contains s.
func (f *fixture) waitText(s string) {
	f.t.Helper()
	f.waitFor("text "+s, func() bool { return f.shows(s) })
}
