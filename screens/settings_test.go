package screens

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sesame/app"
)

// settingsRadio finds the radio group offering option.
func settingsRadio(f *fixture, option string) *widget.RadioGroup {
	f.t.Helper()
	return must(f, fmt.Sprintf("choice %q", option), func(r *widget.RadioGroup) bool { return slices.Contains(r.Options, option) })
}

// settingsSelect finds the drop-down offering option.
func settingsSelect(f *fixture, option string) *dropDown {
	f.t.Helper()
	return must(f, fmt.Sprintf("drop-down with %q", option), func(s *dropDown) bool { return slices.Contains(s.Options, option) })
}

// settingsOpen opens settings with the header's gear button.
func settingsOpen(f *fixture) {
	f.t.Helper()
	test.Tap(must(f, "settings button", func(b *button) bool {
		return b.Icon != nil && b.Icon.Name() == theme.SettingsIcon().Name()
	}))
	f.waitTop("settings.title")
}

// TestSettingsGear: the gear opens settings once, back returns.
func TestSettingsGear(t *testing.T) {
	f := newFixture(t)
	root := f.shell.Top()
	settingsOpen(f)
	settingsOpen(f)
	if n := len(f.shell.stack); n != 2 {
		t.Fatalf("%d views after two taps", n)
	}
	if f.shows(tr("settings.server")) || f.shows(tr("settings.language")) {
		t.Fatal("server and language choices shown though the program offers none")
	}
	if !f.shows(lang.LocalizeKey("settings.version", "", map[string]any{"Version": "1.0.0"})) {
		t.Fatalf("no version:\n%s", f.texts())
	}
	test.Tap(f.shell.back)
	if f.shell.Top() != root {
		t.Fatalf("back went to %q", f.shell.Top())
	}
}

// TestSettingsLanguage switches to Chinese: every screen is rebuilt, and
// settings shows again in Chinese.
func TestSettingsLanguage(t *testing.T) {
	f := newFixture(t)
	var tags []string
	f.shell.Opts.Language = func(tag string) {
		tags = append(tags, tag)
		if err := SetLanguage(tag); err != nil {
			t.Error(err)
		}
	}
	settingsOpen(f)
	r := settingsRadio(f, "简体中文")
	if r.Selected != "English" || !slices.Contains(r.Options, tr("settings.language_system")) {
		t.Fatalf("language choice %q of %v", r.Selected, r.Options)
	}
	r.SetSelected("简体中文")
	if f.shell.Top() != "设置" || !f.shows("自动锁定已解锁的钱包") || len(f.shell.stack) != 2 {
		t.Fatalf("after the switch: top %q, %d views\n%s", f.shell.Top(), len(f.shell.stack), f.texts())
	}
	if r := settingsRadio(f, "English"); r.Selected != "简体中文" {
		t.Fatalf("selected %q", r.Selected)
	}
	settingsRadio(f, "English").SetSelected("English")
	if f.shell.Top() != "Settings" || !slices.Equal(tags, []string{"zh_Hans", "en"}) {
		t.Fatalf("top %q, tags %v", f.shell.Top(), tags)
	}
}

// TestSettingsTheme keeps the choice and applies it.
func TestSettingsTheme(t *testing.T) {
	f := newFixture(t)
	settingsOpen(f)
	p := fyne.CurrentApp().Preferences()
	settingsRadio(f, tr("settings.theme_dark")).SetSelected(tr("settings.theme_dark"))
	if got := p.String(prefTheme); got != "dark" {
		t.Fatalf("theme preference %q", got)
	}
	if th, ok := fyne.CurrentApp().Settings().Theme().(variantTheme); !ok || th.variant != theme.VariantDark {
		t.Fatalf("theme %T", fyne.CurrentApp().Settings().Theme())
	}
	settingsRadio(f, tr("settings.theme_light")).SetSelected(tr("settings.theme_light"))
	if th, ok := fyne.CurrentApp().Settings().Theme().(variantTheme); !ok || th.variant != theme.VariantLight || p.String(prefTheme) != "light" {
		t.Fatalf("theme %T %q", fyne.CurrentApp().Settings().Theme(), p.String(prefTheme))
	}
	settingsRadio(f, tr("settings.theme_system")).SetSelected(tr("settings.theme_system"))
	if _, ok := fyne.CurrentApp().Settings().Theme().(sesameTheme); !ok || p.String(prefTheme) != "" {
		t.Fatalf("theme %T %q", fyne.CurrentApp().Settings().Theme(), p.String(prefTheme))
	}
	f.shell.Back()
	settingsOpen(f)
	if r := settingsRadio(f, tr("settings.theme_dark")); r.Selected != tr("settings.theme_system") {
		t.Fatalf("shown theme %q", r.Selected)
	}
}

// TestSettingsAutoLockChoice keeps the delay.
func TestSettingsAutoLockChoice(t *testing.T) {
	f := newFixture(t)
	settingsOpen(f)
	p := fyne.CurrentApp().Preferences()
	one := plural("settings.autolock_minutes", 1)
	sel := settingsSelect(f, one)
	if sel.Selected != plural("settings.autolock_minutes", defaultAutoLock) || len(sel.Options) != 5 {
		t.Fatalf("auto-lock %q of %v", sel.Selected, sel.Options)
	}
	sel.SetSelected(one)
	if got := p.Int(prefAutoLock); got != 1 {
		t.Fatalf("auto-lock preference %d", got)
	}
	sel.SetSelected(tr("settings.autolock_never"))
	if got := p.IntWithFallback(prefAutoLock, -1); got != 0 {
		t.Fatalf("auto-lock preference %d", got)
	}
}

// TestAutoLock locks an unlocked wallet after the chosen idle time on a
// clock the test moves, counts input as activity, tells the view on top,
// and does nothing when the choice is never.
func TestAutoLock(t *testing.T) {
	f := newFixture(t)
	unlockVault(f)
	if _, err := f.app.UnlockWallet(context.Background(), unlockPassword); err != nil {
		t.Fatal(err)
	}
	a := f.shell.autoLock
	if a == nil {
		t.Fatal("the shell has no auto-lock")
	}
	a.halt()
	now := time.Now()
	f.shell.Opts.Now = func() time.Time { return now }
	p := fyne.CurrentApp().Preferences()
	unlocked := func() bool {
		st, _ := f.app.WalletState()
		return st == app.WalletUnlocked
	}

	p.SetInt(prefAutoLock, 0)
	a.check()
	now = now.Add(2 * time.Hour)
	a.check()
	if !unlocked() {
		t.Fatal("locked though the choice is never")
	}

	p.SetInt(prefAutoLock, 1)
	a.check()
	now = now.Add(50 * time.Second)
	a.check()
	if !unlocked() {
		t.Fatal("locked after 50 s")
	}
	// Input: another view comes on top.
	told := 0
	home := newView("home")
	home.walletLocked = func() { told++ }
	f.shell.Push(home)
	a.check()
	now = now.Add(50 * time.Second)
	a.check()
	if !unlocked() {
		t.Fatal("locked 50 s after input")
	}
	// Input: typing in a field.
	e := widget.NewEntry()
	home.content = e
	f.shell.Replace(home)
	f.win.Canvas().Focus(e)
	a.check()
	now = now.Add(50 * time.Second)
	test.Type(e, "x")
	a.check()
	now = now.Add(50 * time.Second)
	a.check()
	if !unlocked() {
		t.Fatal("locked 50 s after typing")
	}
	now = now.Add(15 * time.Second)
	a.check()
	if unlocked() {
		t.Fatal("still unlocked after 65 s without input")
	}
	if told != 1 {
		t.Fatalf("the view on top was told %d times", told)
	}
}

// TestSettingsClearLocalData asks first, saying what goes, then signs out,
// forgets the remembered sign-in, deletes the wallet and resets the
// preferences.
func TestSettingsClearLocalData(t *testing.T) {
	f := newFixture(t)
	const email = "clear@example.org"
	f.register(email)
	ctx := context.Background()
	if res, err := f.app.SignIn(ctx, email, testPassword, true); err != nil || res.RememberErr != nil {
		t.Fatalf("sign in: %+v %v", res, err)
	}
	unlockVault(f)
	p := fyne.CurrentApp().Preferences()
	p.SetString(prefTheme, "dark")
	p.SetInt(prefAutoLock, 5)
	settingsOpen(f)

	f.tap("settings.clear_button")
	f.waitText(tr("settings.clear_warning"))
	for _, key := range []string{"settings.clear_signout", "settings.clear_wallet", "settings.clear_prefs", "settings.clear_warning"} {
		if !f.shows(tr(key)) {
			t.Fatalf("the confirmation does not say %q:\n%s", tr(key), f.texts())
		}
	}
	f.tap("settings.cancel")
	if f.shows(tr("settings.clear_warning")) || f.app.Account() != email {
		t.Fatal("cancel did not cancel")
	}

	f.tap("settings.clear_button")
	f.waitText(tr("settings.clear_warning"))
	f.tap("settings.clear_confirm")
	f.waitTop("signin.title")
	if f.app.Account() != "" {
		t.Fatal("still signed in")
	}
	if got := f.app.RememberedAccount(ctx); got != "" {
		t.Fatalf("still remembered: %q", got)
	}
	if st, err := f.app.WalletState(); st != app.WalletNone || err != nil {
		t.Fatalf("wallet %v %v", st, err)
	}
	if p.String(prefTheme) != "" || p.IntWithFallback(prefAutoLock, -1) != -1 {
		t.Fatal("the preferences stayed")
	}

	// With no wallet the confirmation says there is none.
	settingsOpen(f)
	f.tap("settings.clear_button")
	f.waitText(tr("settings.clear_no_wallet"))
	if f.shows(tr("settings.clear_warning")) {
		t.Fatalf("confirmation without a wallet:\n%s", f.texts())
	}
	f.tap("settings.cancel")
}

// TestSettingsServer refuses an address the client would refuse, with the
// reason, and connects to a valid one off the UI thread, starting over.
func TestSettingsServer(t *testing.T) {
	f := newFixture(t)
	var asked, committed, abandoned []string
	var next *app.App
	fail := errors.New("cannot start")
	f.shell.Opts.Connect = func(server string) (Connection, error) {
		asked = append(asked, server)
		commit := func() error {
			committed = append(committed, server)
			return nil
		}
		if server == "https://down.example.com" {
			return Connection{}, fail
		}
		if server == "https://dead.example.com" {
			// The app builds, but nothing answers at its address.
			return Connection{App: f.appAt("http://127.0.0.1:1", ""), Commit: commit,
				Abandon: func() { abandoned = append(abandoned, server) }}, nil
		}
		_, next = f.newApp()
		return Connection{App: next, Commit: commit, Abandon: func() { abandoned = append(abandoned, server) }}, nil
	}
	settingsOpen(f)
	if !f.shows(tr("settings.server_current_local")) {
		t.Fatalf("no current server:\n%s", f.texts())
	}
	other := tr("settings.server_other")
	r := settingsRadio(f, other)
	if r.Selected != tr("settings.server_builtin") || !f.entry("settings.server_placeholder").Disabled() {
		t.Fatalf("server choice %q", r.Selected)
	}
	if !f.button("settings.server_connect").Disabled() {
		t.Fatal("Connect is enabled for the server in use")
	}
	r.SetSelected(other)
	for _, c := range []struct{ address, code string }{
		{"http://auth.example.com", "plain_http"},
		{"ftp://auth.example.com", "invalid_server"},
		{"auth.example.com", "invalid_server"},
	} {
		e := f.entry("settings.server_placeholder")
		e.SetText("")
		f.typeIn("settings.server_placeholder", c.address)
		if !f.shows(tr("error."+c.code)) || !f.button("settings.server_connect").Disabled() {
			t.Fatalf("%s: connect enabled %v\n%s", c.address, !f.button("settings.server_connect").Disabled(), f.texts())
		}
	}
	f.entry("settings.server_placeholder").SetText("https://down.example.com")
	if f.shows(tr("error.invalid_server")) {
		t.Fatal("the problem stayed for a valid address")
	}
	f.tap("settings.server_connect")
	f.waitText(tr("error.other"))
	if f.shell.Top() != tr("settings.title") {
		t.Fatalf("left settings after a failure: %q", f.shell.Top())
	}

	// A server that does not answer is not switched to.
	f.entry("settings.server_placeholder").SetText("https://dead.example.com")
	f.tap("settings.server_connect")
	// The failure names the server tried, not the one in use.
	f.waitFor("the failure", func() bool { return f.shows(trHead("error.local_unreachable")) })
	if !f.shows(lang.LocalizeKey("error.local_unreachable", "", map[string]any{"Host": "dead.example.com"})) {
		t.Fatalf("the failure does not name the server tried:\n%s", f.texts())
	}
	// Its connection check checks the server tried.
	f.tap("action.connection_check")
	f.waitTop("check.title")
	f.waitFor("the check of the server tried", func() bool { return f.shows(tr("diag.cause.connection_refused")) })
	f.shell.Back()
	// Another choice leaves the failure behind.
	r.SetSelected(tr("settings.server_builtin"))
	if f.shows(trHead("error.local_unreachable")) {
		t.Fatalf("the failure stays for another choice:\n%s", f.texts())
	}
	r.SetSelected(other)
	if f.shell.Top() != tr("settings.title") || !f.shell.Local {
		t.Fatalf("switched to a dead server: %q", f.shell.Top())
	}

	f.entry("settings.server_placeholder").SetText("https://auth.example.com")
	f.tap("settings.server_connect")
	f.waitTop("signin.title")
	if f.shell.App != next || !slices.Equal(asked, []string{"https://down.example.com", "https://dead.example.com", "https://auth.example.com"}) {
		t.Fatalf("asked %v; app replaced %v", asked, f.shell.App == next)
	}
	// Only the server that answered was made the one in use (saved).
	if !slices.Equal(committed, []string{"https://auth.example.com"}) {
		t.Fatalf("committed %v", committed)
	}
	// What was started for the server that did not answer was stopped.
	if !slices.Equal(abandoned, []string{"https://dead.example.com"}) {
		t.Fatalf("abandoned %v", abandoned)
	}
}

// TestSettingsGoldens renders settings with every section in English and
// in Chinese.
func TestSettingsGoldens(t *testing.T) {
	f := newFixture(t)
	f.shell.Opts.Connect = func(string) (Connection, error) { return Connection{}, errors.New("not in this test") }
	f.shell.Opts.Language = func(tag string) { SetLanguage(tag) }
	settingsOpen(f)
	f.golden("settings/en.xml")
	settingsRadio(f, "简体中文").SetSelected("简体中文")
	if f.shell.Top() != "设置" {
		t.Fatalf("top %q", f.shell.Top())
	}
	f.golden("settings/zh_Hans.xml")
}

// TestLanguageChoiceIsTheSetting: a system whose $LANGUAGE is English still
// shows "System" chosen until the user picks a language.
func TestLanguageChoiceIsTheSetting(t *testing.T) {
	t.Setenv("LANGUAGE", "en")
	sys, had := systemLanguage, hadLanguage
	systemLanguage, hadLanguage = "en", true // the session started in English
	t.Cleanup(func() {
		systemLanguage, hadLanguage = sys, had
		SetLanguage("en")
	})
	if err := SetLanguage(""); err != nil {
		t.Fatal(err)
	}
	if got := settingsLanguageNow(); got != "" {
		t.Errorf("following the system shows %q chosen", got)
	}
	if err := SetLanguage("zh_Hans"); err != nil {
		t.Fatal(err)
	}
	if got := settingsLanguageNow(); got != "zh_Hans" {
		t.Errorf("after choosing 简体中文: %q", got)
	}
}
