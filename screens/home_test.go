package screens

import (
	"context"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"sesame/app"
	"sesame/authapi"
	"sesame/server"
	"sesame/server/store"
)

// homeVector is a recovery phrase with known addresses (BIP39's first
// test vector), so the unlocked wallet's golden is stable.
const homeVector = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"

// homeSignedIn starts a fixture, registers email, signs the fixture's app
// in and shows home once it has loaded. The test goroutine then holds the
// UI (see homeSerial) except while it waits.
func homeSignedIn(t *testing.T, email string, tweak ...func(*server.Config)) *fixture {
	t.Helper()
	f := newFixture(t, tweak...)
	homeSerialize(f)
	f.register(email)
	if _, err := f.app.SignIn(context.Background(), email, testPassword, false); err != nil {
		t.Fatal(err)
	}
	f.shell.Reset(newHome(f.shell))
	homeLoaded(f)
	return f
}

// homeSerial makes the callbacks that work hands to fyne.Do take turns
// with the test: Fyne's test driver runs them at once on the worker's
// goroutine, where building widgets races the test reading them (a
// concurrent map write in a label's cache). The test goroutine holds mu
// except inside homeWait; a goroutine holding mu may call fyne.Do again.
type homeSerial struct {
	fyne.Driver
	mu    sync.Mutex
	owner atomic.Int64
}

// homeSerialApp is the test app with homeSerial as its driver.
type homeSerialApp struct {
	fyne.App
	d *homeSerial
}

func (a *homeSerialApp) Driver() fyne.Driver { return a.d }

func (d *homeSerial) DoFromGoroutine(fn func(), wait bool) {
	d.Driver.DoFromGoroutine(func() { d.hold(fn) }, wait)
}

// hold runs fn holding mu.
func (d *homeSerial) hold(fn func()) {
	id := homeGoroutine()
	if d.owner.Load() == id {
		fn()
		return
	}
	d.mu.Lock()
	d.owner.Store(id)
	defer func() {
		d.owner.Store(0)
		d.mu.Unlock()
	}()
	fn()
}

// homeGoroutine is the calling goroutine's number.
func homeGoroutine() int64 {
	var buf [64]byte
	line := strings.TrimPrefix(string(buf[:runtime.Stack(buf[:], false)]), "goroutine ")
	n, _ := strconv.ParseInt(line[:strings.IndexByte(line, ' ')], 10, 64)
	return n
}

// homeSerialize installs homeSerial for the test, held by its goroutine.
func homeSerialize(f *fixture) {
	d := &homeSerial{Driver: fyne.CurrentApp().Driver()}
	fyne.SetCurrentApp(&homeSerialApp{App: fyne.CurrentApp(), d: d})
	d.mu.Lock()
	d.owner.Store(homeGoroutine())
	f.t.Cleanup(func() {
		if d.owner.Load() == homeGoroutine() {
			d.owner.Store(0)
			d.mu.Unlock()
		}
	})
}

// homeWait lets the work's callbacks run until cond holds; cond runs
// between them.
func homeWait(f *fixture, what string, cond func() bool) {
	f.t.Helper()
	a, ok := fyne.CurrentApp().(*homeSerialApp)
	if !ok {
		f.waitFor(what, cond)
		return
	}
	d := a.d
	d.owner.Store(0)
	d.mu.Unlock()
	defer func() {
		d.mu.Lock()
		d.owner.Store(homeGoroutine())
	}()
	f.waitFor(what, func() bool {
		var held bool
		d.hold(func() { held = cond() })
		return held
	})
}

// homeWaitTop waits for the view titled by key.
func homeWaitTop(f *fixture, key string) {
	f.t.Helper()
	homeWait(f, "screen "+key, func() bool { return f.shell.Top() == tr(key) })
}

// homeWaitText waits until some visible text contains s.
func homeWaitText(f *fixture, s string) {
	f.t.Helper()
	homeWait(f, "text "+s, func() bool { return f.shows(s) })
}

// homeLoaded waits until home has loaded: its security centre shows and
// no progress bar runs.
func homeLoaded(f *fixture) {
	f.t.Helper()
	homeWait(f, "home loaded", func() bool {
		if f.shell.Top() != tr("home.title") || !f.hasButton("home.sessions_manage") {
			return false
		}
		for _, o := range f.objects() {
			if _, ok := o.(*widget.ProgressBarInfinite); ok {
				return false
			}
		}
		return true
	})
}

// homeTitleOf is the title of a view that another screen's constructor makes;
// the view is closed at once.
func homeTitleOf(v *view) string {
	v.cancel()
	if v.closed != nil {
		v.closed()
	}
	return v.title
}

// homeEsc presses Escape in the window.
func homeEsc(f *fixture) {
	f.win.Canvas().(test.WindowlessCanvas).OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
}

// TestHomeNoWallet shows the account, the actions of no wallet and the
// security centre of a fresh account, and follows every link and back.
func TestHomeNoWallet(t *testing.T) {
	f := homeSignedIn(t, "home@example.com")
	for _, want := range []string{"home@example.com", tr("home.wallet_none"), tr("home.two_factor_off"),
		plural("home.sessions_count", 1), tr("home.backup_none"), tr("home.phishing_none")} {
		if !f.shows(want) {
			t.Errorf("home does not show %q:\n%s", want, f.texts())
		}
	}
	if f.hasButton("home.unlock") || f.hasButton("home.lock") || f.hasButton("home.two_factor_disable") {
		t.Error("home offers wallet or two-factor actions that do not apply")
	}
	test.AssertRendersToMarkup(t, "home/no_wallet.xml", f.win.Canvas())

	links := []struct {
		button string
		title  string
	}{
		{"home.create_wallet", homeTitleOf(newCreateWallet(f.shell))},
		{"home.restore_wallet", homeTitleOf(newRestoreWallet(f.shell))},
		{"home.two_factor_enable", homeTitleOf(newEnableTwoFactor(f.shell))},
		{"home.sessions_manage", tr("security.sessions.title")},
		{"home.activity_show", tr("security.activity.title")},
		{"home.phishing_add", tr("security.phishing.title")},
		{"home.password_change", tr("security.password.title")},
	}
	for _, l := range links {
		f.tap(l.button)
		if f.shell.Top() != l.title {
			t.Fatalf("%s opened %q, want %q", l.button, f.shell.Top(), l.title)
		}
		homeEsc(f)
		homeLoaded(f)
	}
}

// TestHomeChinese renders home in 简体中文.
func TestHomeChinese(t *testing.T) {
	f := homeSignedIn(t, "zh@example.com")
	if err := SetLanguage("zh_Hans"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { SetLanguage("en") })
	f.shell.Retranslate()
	homeLoaded(f)
	if f.shell.Top() != "首页" || !f.shows("未开启") {
		t.Fatalf("home is not in Chinese:\n%s", f.texts())
	}
	test.AssertRendersToMarkup(t, "home/no_wallet_zh.xml", f.win.Canvas())
}

// TestHomeWallet shows an unlocked wallet's addresses with their copy
// buttons, locks it, and offers the unlock.
func TestHomeWallet(t *testing.T) {
	f := homeSignedIn(t, "wallet@example.com")
	m, err := f.app.ParsePhrase(homeVector)
	if err != nil {
		t.Fatal(err)
	}
	addrs, err := f.app.RestoreWallet(context.Background(), m, "", "wallet password", "wallet password", false)
	if err != nil {
		t.Fatal(err)
	}
	h := buildHome(f.shell)
	f.shell.Reset(h.v)
	homeLoaded(f)
	homeWaitText(f, addrs[0].Address)
	for _, a := range addrs {
		if !f.shows(a.Address) {
			t.Errorf("home does not show %s", a.Address)
		}
	}
	if !f.shows(tr("home.backup_verified")) || f.shows(tr("home.backup_warning")) {
		t.Errorf("a restored wallet's backup is not shown as verified:\n%s", f.texts())
	}
	test.AssertRendersToMarkup(t, "home/unlocked.xml", f.win.Canvas())

	f.tap("home.copy")
	if got := fyne.CurrentApp().Clipboard().Content(); got != addrs[0].Address {
		t.Errorf("copied %q, want %q", got, addrs[0].Address)
	}

	// A vault whose phrase was never checked warns.
	h.show(homeState{wallet: app.WalletUnlocked, addresses: addrs, err: app.ErrNotSignedIn})
	if !f.shows(tr("home.backup_warning")) {
		t.Error("an unverified backup shows no warning")
	}
	h.refresh()
	homeWait(f, "the verified wallet again", func() bool { return !f.shows(tr("home.backup_warning")) && f.hasButton("home.sessions_manage") })

	f.tap("home.lock")
	homeWait(f, "the locked wallet", func() bool { return f.hasButton("home.unlock") })
	if f.shows(addrs[0].Address) || !f.shows(tr("home.backup_locked")) {
		t.Errorf("the locked wallet still shows its addresses:\n%s", f.texts())
	}
	want := homeTitleOf(newUnlockWallet(f.shell))
	f.tap("home.unlock")
	if f.shell.Top() != want {
		t.Fatalf("Unlock opened %q, want %q", f.shell.Top(), want)
	}
}

// TestHomeSignOut signs out and returns to sign-in with no account.
func TestHomeSignOut(t *testing.T) {
	f := homeSignedIn(t, "bye@example.com")
	want := homeTitleOf(newSignIn(f.shell, nil))
	f.tap("home.sign_out")
	homeWait(f, "sign-in", func() bool { return f.shell.Top() == want })
	if f.app.Account() != "" {
		t.Fatalf("still signed in as %q", f.app.Account())
	}
}

// TestHomeMaintenance explains maintenance with the operator's message and
// loads once it is over.
func TestHomeMaintenance(t *testing.T) {
	f := homeSignedIn(t, "maint@example.com")
	homeMaintenance(f, true)
	f.shell.Reset(newHome(f.shell))
	homeWaitText(f, tr("error.maintenance"))
	if !f.shows("back at noon") || !f.hasButton("action.retry_now") {
		t.Fatalf("maintenance is not explained:\n%s", f.texts())
	}
	if f.hasButton("home.sessions_manage") {
		t.Error("the security centre shows during maintenance")
	}
	homeMaintenance(f, false)
	f.tap("action.retry_now")
	homeLoaded(f)
	if f.shows(tr("error.maintenance")) {
		t.Error("the maintenance message stays after the load")
	}
}

// homeMaintenance turns the server's maintenance on or off and waits until
// the server answers accordingly (it reads the switch once a second).
func homeMaintenance(f *fixture, on bool) {
	f.t.Helper()
	ctx := context.Background()
	m := store.Maintenance{On: on}
	if on {
		m.Message = "back at noon"
	}
	if err := f.srv.Store.SetMaintenance(ctx, m); err != nil {
		f.t.Fatal(err)
	}
	homeWait(f, "the maintenance switch", func() bool {
		st, err := f.client.Status(ctx)
		return err == nil && (st.Status == authapi.StatusMaintenance) == on
	})
}
