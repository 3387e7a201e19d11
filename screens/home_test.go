package screens

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"sesame/app"
	"sesame/internal/testserver"
	"sesame/server"
	"sesame/server/store"
)

// homeVector is a recovery phrase with known addresses (BIP39's first
// test vector), so the unlocked wallet's golden is stable.
const homeVector = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"

// homeSignedIn starts a fixture, registers email, signs the fixture's app
// in and shows home once it has loaded.
func homeSignedIn(t *testing.T, email string, tweak ...func(*server.Config)) *fixture {
	t.Helper()
	f := newFixture(t, tweak...)
	f.register(email)
	if _, err := f.app.SignIn(context.Background(), email, testPassword, false); err != nil {
		t.Fatal(err)
	}
	f.shell.Reset(newHome(f.shell))
	homeLoaded(f)
	return f
}

// homeLoaded waits until home has loaded: its security centre shows and
// no progress bar runs.
func homeLoaded(f *fixture) {
	f.t.Helper()
	f.waitFor("home loaded", func() bool {
		if f.shell.Top() != tr("home.title") || !f.hasButton("home.sessions_manage") {
			return false
		}
		_, busy := find(f, func(*widget.ProgressBarInfinite) bool { return true })
		return !busy
	})
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
	f.golden("home/no_wallet.xml")

	links := []struct {
		button string
		title  string
	}{
		{"home.create_wallet", titleOf(newCreateWallet(f.shell))},
		{"home.restore_wallet", titleOf(newRestoreWallet(f.shell))},
		{"home.two_factor_enable", titleOf(newEnableTwoFactor(f.shell))},
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
		f.esc()
		homeLoaded(f)
	}
}

// TestHomeChinese renders home in 简体中文.
func TestHomeChinese(t *testing.T) {
	f := homeSignedIn(t, "zh@example.com")
	f.setLanguage("zh_Hans")
	f.shell.Retranslate()
	homeLoaded(f)
	if f.shell.Top() != "首页" || !f.shows("未开启") {
		t.Fatalf("home is not in Chinese:\n%s", f.texts())
	}
	f.golden("home/no_wallet_zh.xml")
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
	f.waitText(addrs[0].Address)
	for _, a := range addrs {
		if !f.shows(a.Address) {
			t.Errorf("home does not show %s", a.Address)
		}
	}
	if !f.shows(tr("home.backup_verified")) || f.shows(tr("home.backup_warning")) {
		t.Errorf("a restored wallet's backup is not shown as verified:\n%s", f.texts())
	}
	f.golden("home/unlocked.xml")

	f.tapCopy("home.copy")
	if got := fyne.CurrentApp().Clipboard().Content(); got != addrs[0].Address {
		t.Errorf("copied %q, want %q", got, addrs[0].Address)
	}

	// A vault whose phrase was never checked warns.
	h.show(homeState{wallet: app.WalletUnlocked, addresses: addrs, err: app.ErrNotSignedIn})
	if !f.shows(tr("home.backup_warning")) {
		t.Error("an unverified backup shows no warning")
	}
	h.refresh()
	f.waitFor("the verified wallet again", func() bool { return !f.shows(tr("home.backup_warning")) && f.hasButton("home.sessions_manage") })

	f.tap("home.lock")
	f.waitFor("the locked wallet", func() bool { return f.hasButton("home.unlock") })
	if f.shows(addrs[0].Address) || !f.shows(tr("home.backup_locked")) {
		t.Errorf("the locked wallet still shows its addresses:\n%s", f.texts())
	}
	// A load that read the wallet before the lock shows it locked.
	h.show(homeState{wallet: app.WalletUnlocked, addresses: addrs, err: app.ErrNotSignedIn})
	if f.shows(addrs[0].Address) || !f.hasButton("home.unlock") {
		t.Errorf("a load from before the lock shows the addresses:\n%s", f.texts())
	}
	want := titleOf(newUnlockWallet(f.shell))
	f.tap("home.unlock")
	if f.shell.Top() != want {
		t.Fatalf("Unlock opened %q, want %q", f.shell.Top(), want)
	}
}

// TestHomeWalletOfItsAccount: signed in as another account on the same
// computer, home offers no unlock of the first account's wallet; back as
// the first, it does.
func TestHomeWalletOfItsAccount(t *testing.T) {
	f := homeSignedIn(t, "first@example.com")
	ctx := context.Background()
	m, err := f.app.ParsePhrase(homeVector)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.RestoreWallet(ctx, m, "", "wallet password", "wallet password", false); err != nil {
		t.Fatal(err)
	}
	f.register("second@example.com")
	for _, c := range []struct {
		email  string
		wallet bool
	}{{"second@example.com", false}, {"first@example.com", true}} {
		if err := f.app.SignOut(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.SignIn(ctx, c.email, testPassword, false); err != nil {
			t.Fatal(err)
		}
		f.shell.Reset(newHome(f.shell))
		homeLoaded(f)
		if f.hasButton("home.unlock") != c.wallet || f.shows(tr("home.wallet_none")) == c.wallet {
			t.Fatalf("signed in as %s, home shows:\n%s", c.email, f.texts())
		}
	}
}

// TestHomeLockIsLocal: locking the wallet on home, by its button or by the
// auto-lock, redraws the wallet and its backup row and asks the server
// nothing.
func TestHomeLockIsLocal(t *testing.T) {
	f := newFixture(t)
	const email = "local@example.com"
	f.register(email)
	var requests atomic.Int64
	counted := testserver.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		f.srv.Handler.ServeHTTP(w, r)
	}))
	a := f.appAt(counted.URL, "")
	ctx := context.Background()
	if _, err := a.SignIn(ctx, email, testPassword, false); err != nil {
		t.Fatal(err)
	}
	m, err := a.ParsePhrase(homeVector)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.RestoreWallet(ctx, m, "", "wallet password", "wallet password", false); err != nil {
		t.Fatal(err)
	}
	f.shell.App = a
	lock := f.shell.autoLock
	lock.halt()
	now := time.Now()
	f.shell.Opts.Now = func() time.Time { return now }
	fyne.CurrentApp().Preferences().SetInt(prefAutoLock, 1)

	locked := func(how string, doLock func()) {
		t.Helper()
		f.shell.Reset(newHome(f.shell))
		homeLoaded(f)
		if !f.hasButton("home.lock") {
			t.Fatalf("home shows no unlocked wallet:\n%s", f.texts())
		}
		// Scrolled down to the security centre, the lock brings the
		// user back to the top of the shorter home.
		f.settle("home")
		sc := f.shell.top().scroll
		sc.ScrollToBottom()
		if sc.Offset.Y == 0 {
			t.Fatalf("home does not scroll in a %v window", fixtureSize)
		}
		before := requests.Load()
		doLock()
		f.waitFor("the locked wallet", func() bool { return f.hasButton("home.unlock") })
		f.ui.run()
		if f.settle("home"); sc.Offset.Y != 0 {
			t.Errorf("%s: home stays scrolled to %v", how, sc.Offset)
		}
		if n := requests.Load() - before; n != 0 {
			t.Errorf("%s made %d requests", how, n)
		}
		if !f.shows(tr("home.backup_locked")) || !f.hasButton("home.sessions_manage") {
			t.Errorf("%s: home does not show the locked wallet beside the account:\n%s", how, f.texts())
		}
	}
	autoLocked := plural("home.auto_locked", 1)
	locked("the lock button", func() { f.tap("home.lock") })
	if f.shows(autoLocked) {
		t.Fatal("the lock button's lock is told as an auto-lock")
	}
	if _, err := a.UnlockWallet(ctx, "wallet password"); err != nil {
		t.Fatal(err)
	}
	locked("the auto-lock", func() {
		lock.check()
		now = now.Add(2 * time.Minute)
		lock.check()
	})
	// The auto-lock says that it locked the wallet, and after how long.
	if !f.shows(autoLocked) {
		t.Fatalf("the auto-lock says nothing:\n%s", f.texts())
	}
}

// TestHomeSignOut signs out and returns to sign-in with no account.
func TestHomeSignOut(t *testing.T) {
	f := homeSignedIn(t, "bye@example.com")
	want := titleOf(newSignIn(f.shell, nil))
	f.tap("home.sign_out")
	f.waitFor("sign-in", func() bool { return f.shell.Top() == want })
	if f.app.Account() != "" {
		t.Fatalf("still signed in as %q", f.app.Account())
	}
}

// TestHomeMaintenance explains maintenance with the operator's message and
// loads once it is over.
func TestHomeMaintenance(t *testing.T) {
	f := homeSignedIn(t, "maint@example.com")
	f.maintenance(store.Maintenance{On: true, Message: "back at noon"})
	f.shell.Reset(newHome(f.shell))
	f.waitText(tr("error.maintenance"))
	if !f.shows("back at noon") || !f.hasButton("action.retry_now") {
		t.Fatalf("maintenance is not explained:\n%s", f.texts())
	}
	if f.hasButton("home.sessions_manage") {
		t.Error("the security centre shows during maintenance")
	}
	f.maintenance(store.Maintenance{})
	f.tap("action.retry_now")
	homeLoaded(f)
	if f.shows(tr("error.maintenance")) {
		t.Error("the maintenance message stays after the load")
	}
}
