package screens

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/pquerna/otp/totp"

	"sesame/app"
	"sesame/authapi"
	"sesame/internal/testserver"
	"sesame/keystore"
	"sesame/server"
	"sesame/server/store"
)

// fixture is the app's main window on Fyne's test driver, talking to a
// reference server of the test's own over loopback HTTP, with the keychain
// of go-keyring's mock (this package's callers' tests only).
//
// The test's goroutine is the UI thread: what uiDo hands over waits in a
// queue that waitFor and golden run, so widgets never change under the
// test's feet.
type fixture struct {
	t      *testing.T
	srv    *testserver.Server
	client *authapi.Client
	app    *app.App
	shell  *Shell
	win    fyne.Window
	data   string
	opened []string
	ui     *uiQueue
	// clearings are the clipboard clearings that copies asked for, with
	// their delays; the test runs them.
	clearings []clearing
	// uncopied are the copy buttons' returns to their labels; tapCopy
	// runs them.
	uncopied []func()
}

// clearing is a clipboard clearing asked for after d.
type clearing struct {
	d  time.Duration
	fn func()
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
	t.Cleanup(func() { SetLanguage("en") })
	keystore.MockInit()
	f := &fixture{t: t, ui: queueUI(t)}
	prev := clipboardAfter
	clipboardAfter = func(d time.Duration, fn func()) { f.clearings = append(f.clearings, clearing{d, fn}) }
	t.Cleanup(func() { clipboardAfter = prev })
	prevCopied := copiedAfter
	copiedAfter = func(_ time.Duration, fn func()) { f.uncopied = append(f.uncopied, fn) }
	t.Cleanup(func() { copiedAfter = prevCopied })
	f.srv, f.data = testserver.Start(t, tweak...), t.TempDir()
	f.client, f.app = f.newApp()
	f.win = test.NewTempWindow(t, nil)
	f.win.Resize(fixtureSize)
	f.shell = f.newShell(f.local(f.app), f.win)
	return f
}

// uiQueue holds what uiDo hands to the UI thread during a test.
type uiQueue struct {
	mu  sync.Mutex
	fns []func()
	// added has a value when fns grew.
	added chan struct{}
}

// uiDo is set once to route its callbacks to the queue of the running
// test, or to fyne.Do when none runs, so that work which outlives its test
// never races a change of uiDo.
var (
	uiRoute sync.Once
	uiTest  atomic.Pointer[uiQueue]
)

// queueUI makes uiDo queue until the test ends.
func queueUI(t *testing.T) *uiQueue {
	uiRoute.Do(func() {
		uiDo = func(fn func()) {
			if q := uiTest.Load(); q != nil {
				q.add(fn)
				return
			}
			fyne.Do(fn)
		}
	})
	q := &uiQueue{added: make(chan struct{}, 1)}
	uiTest.Store(q)
	t.Cleanup(func() { uiTest.Store(nil) })
	return q
}

// add queues fn; it never blocks.
func (q *uiQueue) add(fn func()) {
	q.mu.Lock()
	q.fns = append(q.fns, fn)
	q.mu.Unlock()
	select {
	case q.added <- struct{}{}:
	default:
	}
}

// run runs the queued callbacks, and those they queue, on the calling
// goroutine, until none is left.
func (q *uiQueue) run() {
	for {
		q.mu.Lock()
		fns := q.fns
		q.fns = nil
		q.mu.Unlock()
		if len(fns) == 0 {
			return
		}
		for _, fn := range fns {
			fn()
		}
	}
}

// newShell builds a shell for c in win, closed when the test ends, and
// waits for its first screen after the resume attempt.
func (f *fixture) newShell(c Connection, win fyne.Window) *Shell {
	f.t.Helper()
	s := NewShell(c, f.options(), win)
	f.t.Cleanup(s.closeAll)
	f.waitFor("the first screen", func() bool { return s.Top() != tr("app.name") })
	return s
}

// other is the fixture seen through a second window, whose shell runs c.
func (f *fixture) other(c Connection) *fixture {
	f.t.Helper()
	o := *f
	o.app, o.client = c.App, c.App.Client()
	o.win = test.NewTempWindow(f.t, nil)
	o.win.Resize(fixtureSize)
	o.shell = f.newShell(c, o.win)
	return &o
}

// tr is the text of a key in the language of the test.
func tr(key string) string { return lang.L(key) }

// setLanguage switches the translations to tag until the test ends.
func (f *fixture) setLanguage(tag string) {
	f.t.Helper()
	if err := SetLanguage(tag); err != nil {
		f.t.Fatal(err)
	}
	f.shell.refreshBadge()
}

// local is a running on the fixture's server as the built-in one, whose
// outbox the Mailbox shows.
func (f *fixture) local(a *app.App) Connection {
	return Connection{App: a, Local: true, Mails: func(ctx context.Context) ([]app.Mail, error) {
		return f.srv.Store.Mails(ctx, "")
	}}
}

func (f *fixture) options() Options {
	return Options{
		Version: "1.0.0",
		OpenURL: func(u *url.URL) error {
			f.opened = append(f.opened, u.String())
			return nil
		},
	}
}

// newApp is another start of the program on this computer.
func (f *fixture) newApp() (*authapi.Client, *app.App) {
	f.t.Helper()
	a := f.appAt(f.srv.URL, f.data)
	return a.Client(), a
}

// appAt is the program on this computer started for the server at
// address, with its data in dir ("" for a folder of its own).
func (f *fixture) appAt(address, dir string) *app.App {
	f.t.Helper()
	c, err := authapi.NewClient(address)
	if err != nil {
		f.t.Fatal(err)
	}
	if dir == "" {
		dir = f.t.TempDir()
	}
	a, err := app.New(app.Config{Client: c, Keychain: keystore.Keychain{}, DataDir: dir, DeviceName: "test desktop"})
	if err != nil {
		f.t.Fatal(err)
	}
	return a
}

// waitFor runs the queued UI work and checks cond between the callbacks'
// arrivals, until cond holds, for at most limit (a busy machine's
// figure: a passing test waits only for its condition).
func (f *fixture) waitFor(what string, cond func() bool) {
	f.t.Helper()
	const limit = 30 * time.Second
	deadline := time.Now().Add(limit)
	poll := time.NewTicker(10 * time.Millisecond)
	defer poll.Stop()
	for {
		f.ui.run()
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			top := ""
			if f.shell != nil {
				top = f.shell.Top()
			}
			f.t.Fatalf("waited %s for %s; the screen is %q", limit, what, top)
		}
		select {
		case <-f.ui.added:
		case <-poll.C:
		}
	}
}

// waitTop waits until the view titled by key is on top.
func (f *fixture) waitTop(key string) {
	f.t.Helper()
	f.waitFor("screen "+key, func() bool { return f.shell.Top() == tr(key) })
}

// waitText waits until some visible text contains s.
func (f *fixture) waitText(s string) {
	f.t.Helper()
	f.waitFor("text "+s, func() bool { return f.shows(s) })
}

// golden runs the queued UI work, lays the window out again as the real
// driver does over its next frames for what changed size since (Fyne's
// test canvas does not), until nothing moves, and compares the markup with
// testdata/name.
func (f *fixture) golden(name string) {
	f.t.Helper()
	f.settle(name)
	test.AssertRendersToMarkup(f.t, name, f.win.Canvas())
}

// settle runs the queued UI work and lays the window out until nothing
// moves; name says what in a failure.
func (f *fixture) settle(name string) {
	f.t.Helper()
	f.ui.run()
	for n := 0; ; n++ {
		before := f.geometry()
		for _, o := range f.trees() {
			relayout(o)
		}
		if f.geometry() == before {
			break
		}
		if n == 10 {
			f.t.Fatalf("the layout of %s does not settle", name)
		}
	}
}

// inSight reports whether o lies wholly inside the visible area of the
// view on top, once the window is laid out.
func (f *fixture) inSight(o fyne.CanvasObject) bool {
	f.t.Helper()
	f.settle("the view")
	sc := f.shell.top().scroll
	d := fyne.CurrentApp().Driver()
	top := d.AbsolutePositionForObject(o).Y - d.AbsolutePositionForObject(sc).Y
	return o.Visible() && top >= 0 && top+o.Size().Height <= sc.Size().Height
}

// trees are the window's content and overlays.
func (f *fixture) trees() []fyne.CanvasObject {
	return append([]fyne.CanvasObject{f.win.Content()}, f.win.Canvas().Overlays().List()...)
}

// relayout lays out o and everything visible in it, from the top down.
func relayout(o fyne.CanvasObject) {
	if o == nil || !o.Visible() {
		return
	}
	switch x := o.(type) {
	case *fyne.Container:
		if x.Layout != nil {
			x.Layout.Layout(x.Objects, x.Size())
		}
		for _, c := range x.Objects {
			relayout(c)
		}
	case fyne.Widget:
		r := test.WidgetRenderer(x)
		r.Layout(x.Size())
		for _, c := range r.Objects() {
			relayout(c)
		}
	}
}

// geometry is the place and size of every visible object of the window.
func (f *fixture) geometry() string {
	var b strings.Builder
	for _, o := range f.objects() {
		fmt.Fprintf(&b, "%T%v%v;", o, o.Position(), o.Size())
	}
	return b.String()
}

const testPassword = "a sturdy password 7"

var codeRE = regexp.MustCompile(`\b\d{6}\b`)

// code waits for the newest of the mails to addr beyond the first after
// whose subject has word, and returns its code, if any.
// Notices are sent in the background too: one may come after the code.
func (f *fixture) code(addr, word string, after int) string {
	f.t.Helper()
	return f.mailWith(addr, word, after, func(text string) (string, bool) { return codeRE.FindString(text), true })
}

// mailWith waits for the newest of the mails to addr beyond the first
// after whose subject has word and whose text find takes, and returns
// what find found in it.
func (f *fixture) mailWith(addr, word string, after int, find func(text string) (string, bool)) string {
	f.t.Helper()
	var found string
	f.waitFor("a "+word+" mail", func() bool {
		mails, err := f.client.Mailbox(context.Background(), addr)
		if err != nil {
			f.t.Fatal(err)
		}
		for _, m := range mails[:max(len(mails)-after, 0)] {
			if !strings.Contains(strings.ToLower(m.Subject), word) {
				continue
			}
			if c, ok := find(m.Text); ok {
				found = c
				return true
			}
		}
		return false
	})
	return found
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

// twoFactorAccount registers email through another app and turns
// two-factor sign-in on, signed out; it returns the TOTP secret and the
// recovery codes once the server's notice is mailed.
func (f *fixture) twoFactorAccount(email string) (secret string, codes []string) {
	f.t.Helper()
	f.register(email)
	ctx := context.Background()
	_, other := f.newApp()
	if _, err := other.SignIn(ctx, email, testPassword, false); err != nil {
		f.t.Fatal(err)
	}
	enr, err := other.StartTwoFactor(ctx, testPassword)
	if err != nil {
		f.t.Fatal(err)
	}
	mails := f.mails(email)
	codes, err = other.ConfirmTwoFactor(ctx, totpCode(f.t, enr.Secret, time.Now()))
	if err != nil {
		f.t.Fatal(err)
	}
	// The notice is mailed in the background; it must not come between a
	// later count and the mail counted on.
	f.waitFor("the two-factor notice", func() bool { return f.mails(email) > mails })
	if err := other.SignOut(ctx); err != nil {
		f.t.Fatal(err)
	}
	return enr.Secret, codes
}

// totpCode is the authenticator's code at t.
func totpCode(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// wrongTOTP is a 6-digit code the server refuses for secret now.
func wrongTOTP(t *testing.T, secret string) string {
	t.Helper()
	now := time.Now()
	var near []string
	for d := -2; d <= 2; d++ {
		near = append(near, totpCode(t, secret, now.Add(time.Duration(d)*30*time.Second)))
	}
	for n := 0; ; n++ {
		if c := fmt.Sprintf("%06d", n); !slices.Contains(near, c) {
			return c
		}
	}
}

// maintenance sets the server's maintenance switch and waits until the
// server answers accordingly: it reads the switch once a second.
func (f *fixture) maintenance(m store.Maintenance) {
	f.t.Helper()
	ctx := context.Background()
	if err := f.srv.Store.SetMaintenance(ctx, m); err != nil {
		f.t.Fatal(err)
	}
	f.waitFor(fmt.Sprintf("maintenance %v", m.On), func() bool {
		st, err := f.client.Status(ctx)
		return err == nil && (st.Status == authapi.StatusMaintenance) == m.On
	})
}

// testClock is the shell's countdown clock in a test: the real time moved
// on, or frozen for goldens.
type testClock struct {
	mu     sync.Mutex
	off    time.Duration
	frozen time.Time
}

// useClock makes a clock of the test the shell's countdown clock, and
// redraws the mailed codes' countdowns often.
func (f *fixture) useClock() *testClock {
	c := &testClock{}
	f.shell.Opts.Now = c.now
	tick := mailedCodeTick
	mailedCodeTick = 20 * time.Millisecond
	f.t.Cleanup(func() { mailedCodeTick = tick })
	return c
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.frozen.IsZero() {
		return c.frozen
	}
	return time.Now().Add(c.off)
}

// advance moves the clock on by d.
func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.off += d
}

// freeze stops the clock at t.
func (c *testClock) freeze(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.frozen = t
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
		case *wrapLabel, *wrapRich:
			// Its lines are its text, broken.
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
	for _, o := range f.trees() {
		walk(o)
	}
	return out
}

// find returns the first visible object of type T that match accepts.
func find[T any](f *fixture, match func(T) bool) (T, bool) {
	for _, o := range f.objects() {
		if x, ok := o.(T); ok && match(x) {
			return x, true
		}
	}
	var none T
	return none, false
}

// must is find that fails the test when no object matches.
func must[T any](f *fixture, what string, match func(T) bool) T {
	f.t.Helper()
	x, ok := find(f, match)
	if !ok {
		f.t.Fatalf("no %s on %q", what, f.shell.Top())
	}
	return x
}

// asButton is o as a Fyne button: one of the screens' buttons or a
// dialog's.
func asButton(o fyne.CanvasObject) (*widget.Button, bool) {
	switch x := o.(type) {
	case *widget.Button:
		return x, true
	case *button:
		return &x.Button, true
	}
	return nil, false
}

// findButton returns the first visible button match accepts.
func findButton(f *fixture, match func(*widget.Button) bool) (*widget.Button, bool) {
	for _, o := range f.objects() {
		if b, ok := asButton(o); ok && match(b) {
			return b, true
		}
	}
	return nil, false
}

// button finds the visible button labelled with key's text.
func (f *fixture) button(key string) *widget.Button {
	f.t.Helper()
	want := tr(key)
	b, ok := findButton(f, func(b *widget.Button) bool { return b.Text == want })
	if !ok {
		f.t.Fatalf("no button %q on %q", want, f.shell.Top())
	}
	return b
}

// hasButton reports whether a visible button has key's text.
func (f *fixture) hasButton(key string) bool {
	want := tr(key)
	_, ok := findButton(f, func(b *widget.Button) bool { return b.Text == want })
	return ok
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

// tapCopy taps the copy button of key and checks that it says "Copied"
// with a tick until its moment ends, then its label again.
func (f *fixture) tapCopy(key string) {
	f.t.Helper()
	b := f.button(key)
	f.tap(key)
	if b.Text != tr("action.copied") || b.Icon != theme.ConfirmIcon() {
		f.t.Errorf("copy button %q says %q after a tap, want %q with a tick", tr(key), b.Text, tr("action.copied"))
	}
	for _, fn := range f.uncopied {
		fn()
	}
	f.uncopied = nil
	if b.Text != tr(key) || b.Icon != theme.ContentCopyIcon() {
		f.t.Errorf("copy button %q says %q after its moment", tr(key), b.Text)
	}
}

// check finds the visible check box labelled with key's text.
func (f *fixture) check(key string) *check {
	f.t.Helper()
	want := tr(key)
	return must(f, fmt.Sprintf("check box %q", want), func(c *check) bool { return c.Text == want })
}

// entry finds the visible entry whose placeholder is key's text.
func (f *fixture) entry(key string) *entry {
	f.t.Helper()
	want := tr(key)
	return must(f, fmt.Sprintf("field %q", want), func(e *entry) bool { return e.PlaceHolder == want })
}

// typeIn focuses the entry of key and types text into it.
func (f *fixture) typeIn(key, text string) {
	f.t.Helper()
	e := f.entry(key)
	f.win.Canvas().Focus(e)
	test.Type(e, text)
}

// codeEntry finds the visible 6-digit code field; its placeholder is the
// same in every language.
func (f *fixture) codeEntry() *entry {
	f.t.Helper()
	return must(f, "code field", func(e *entry) bool { return e.PlaceHolder == "123456" })
}

// typeCode types code into the 6-digit field, which sends it when full.
func (f *fixture) typeCode(code string) {
	f.t.Helper()
	e := f.codeEntry()
	f.win.Canvas().Focus(e)
	test.Type(e, code)
}

// esc presses Escape in the window.
func (f *fixture) esc() {
	f.win.Canvas().(test.WindowlessCanvas).OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
}

// titleOf is the title of a view a screen constructor builds; the view is
// closed at once, so nothing it started goes on.
func titleOf(v *view) string {
	v.cancel()
	if v.closed != nil {
		v.closed()
	}
	return v.title
}

// texts are the visible texts of labels and rich texts, in order.
func (f *fixture) texts() string {
	var b strings.Builder
	for _, o := range f.objects() {
		switch x := o.(type) {
		case *widget.Label:
			b.WriteString(x.Text + "\n")
		case *wrapLabel:
			b.WriteString(x.Text + "\n")
		case *wrapRich:
			b.WriteString(widget.NewRichText(x.Segments...).String() + "\n")
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
