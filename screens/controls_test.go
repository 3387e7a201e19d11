package screens

import (
	"context"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sesame/app"
	"sesame/authapi"
	diag "sesame/check"
	"sesame/keystore"
)

// typeKey types the key name into the focused widget, as the desktop
// driver does: the window's own handler does not get it.
func typeKey(f *fixture, name fyne.KeyName) {
	f.t.Helper()
	focused := f.win.Canvas().Focused()
	if focused == nil {
		f.t.Fatalf("nothing has the focus on %q", f.shell.Top())
	}
	focused.TypedKey(&fyne.KeyEvent{Name: name})
}

// focusButton focuses the screens' button labelled with key's text.
func focusButton(f *fixture, key string) {
	f.t.Helper()
	want := tr(key)
	f.win.Canvas().Focus(must(f, fmt.Sprintf("button %q", want), func(b *button) bool { return b.Text == want }))
}

// TestEscFromAnyField: Esc typed into a focused entry, password field,
// check box, button, drop-down or word field goes back, as Esc with
// nothing focused does; under a dialog it does nothing.
func TestEscFromAnyField(t *testing.T) {
	f := newFixture(t)
	signIn := tr("signin.title")
	for _, c := range []struct {
		name  string
		open  func()
		focus func()
	}{
		{"email field, focused by the view", func() { f.tap("signin.forgot_password") }, func() {}},
		{"password field", func() { f.tap("signin.create_account") }, func() { f.win.Canvas().Focus(f.entry("field.new_password")) }},
		{"check box", func() { f.tap("signin.create_account") }, func() { f.win.Canvas().Focus(f.check("signin.remember")) }},
		{"button", func() { f.tap("signin.forgot_password") }, func() { focusButton(f, "forgot.restore_wallet") }},
		{"word field, focused by the view", func() { f.shell.Push(newRestoreWallet(f.shell)) }, func() {}},
		{"drop-down", func() { f.shell.Push(newSettings(f.shell)) }, func() {
			f.win.Canvas().Focus(settingsSelect(f, autoLockName(defaultAutoLock)))
		}},
	} {
		c.open()
		c.focus()
		if f.shell.Top() == signIn || f.win.Canvas().Focused() == nil {
			t.Fatalf("%s: top %q, focused %v", c.name, f.shell.Top(), f.win.Canvas().Focused())
		}
		typeKey(f, fyne.KeyEscape)
		if f.shell.Top() != signIn {
			t.Fatalf("Esc in the %s left %q on top", c.name, f.shell.Top())
		}
	}

	// A dialog over the view keeps it.
	f.tap("signin.create_account")
	f.win.Canvas().Focus(f.entry("field.new_password"))
	d := dialog.NewInformation("title", "message", f.win)
	d.Show()
	f.esc()
	if f.shell.Top() != tr("register.title") {
		t.Fatal("Esc went back under a dialog")
	}
	d.Hide()
	f.esc()
	if f.shell.Top() != signIn {
		t.Fatal("Esc did not go back once the dialog closed")
	}
}

// TestPasswordReveal: the show/hide action of a password field is labelled
// "Show" (as the messages call it) and "Hide" in words, shows the password
// and gives the keyboard to the field itself, which still hands Escape on.
func TestPasswordReveal(t *testing.T) {
	f := newFixture(t)
	pw := f.entry("signin.password")
	var reveal fyne.Tappable
	for _, o := range test.WidgetRenderer(pw).Objects() {
		if x, ok := o.(*revealer); ok {
			reveal = x
		}
	}
	if reveal == nil || !pw.Password || !f.shows(tr("field.show")) {
		t.Fatalf("no show action labelled %q, or the password shows: %v", tr("field.show"), pw.Password)
	}
	reveal.Tapped(&fyne.PointEvent{})
	if pw.Password || f.win.Canvas().Focused() != pw || !f.shows(tr("field.hide")) {
		t.Fatalf("after show: hidden %v, focused %T", pw.Password, f.win.Canvas().Focused())
	}
	reveal.Tapped(&fyne.PointEvent{})
	if !pw.Password || !f.shows(tr("field.show")) {
		t.Fatal("hide did not hide")
	}
	f.setLanguage("zh_Hans")
	if zh := newSecretEntry(); zh.ActionItem.(*revealer).word.Text != "显示" {
		t.Fatalf("the action in Chinese reads %q", zh.ActionItem.(*revealer).word.Text)
	}
}

// TestTabOrder: Tab moves from the email to the password, the box and
// the links in the order they are shown.
func TestTabOrder(t *testing.T) {
	f := newFixture(t)
	c := f.win.Canvas()
	if c.Focused() != f.entry("field.email_placeholder") {
		t.Fatalf("sign-in starts with %T focused", c.Focused())
	}
	c.FocusNext()
	if c.Focused() != f.entry("signin.password") {
		t.Fatalf("after the email: %T", c.Focused())
	}
	c.FocusNext()
	if c.Focused() != f.check("signin.remember") {
		t.Fatalf("after the password: %T", c.Focused())
	}
}

// TestEnterOnRememberSubmits: Enter on the focused "remember me" box
// submits sign-in, as Enter in its fields does, once the form is valid.
func TestEnterOnRememberSubmits(t *testing.T) {
	f := newFixture(t)
	const email = "enter@example.org"
	f.register(email)
	f.typeIn("field.email_placeholder", email)
	f.win.Canvas().Focus(f.check("signin.remember"))
	typeKey(f, fyne.KeyReturn)
	if f.shell.Top() != tr("signin.title") || !f.button("signin.submit").Disabled() {
		t.Fatal("Enter submitted a form without a password")
	}
	f.typeIn("signin.password", testPassword)
	f.win.Canvas().Focus(f.check("signin.remember"))
	f.check("signin.remember").TypedRune(' ')
	typeKey(f, fyne.KeyEnter)
	f.waitTop("home.title")
	if f.app.RememberedAccount(context.Background()) != email {
		t.Fatal("the ticked box was not sent with the form")
	}
}

// marked reports whether the entry shows the error colour: its border or
// its mark.
func marked(e *entry) bool {
	red := theme.Current().Color(theme.ColorNameError, fyne.CurrentApp().Settings().ThemeVariant())
	same := func(a, b color.Color) bool {
		r1, g1, b1, a1 := a.RGBA()
		r2, g2, b2, a2 := b.RGBA()
		return r1 == r2 && g1 == g2 && b1 == b2 && a1 == a2
	}
	var walk func(o fyne.CanvasObject) bool
	walk = func(o fyne.CanvasObject) bool {
		switch x := o.(type) {
		case *canvas.Rectangle:
			return x.StrokeWidth > 0 && same(x.StrokeColor, red)
		case *canvas.Image:
			return x.Visible() && x.Resource != nil && x.Resource.Name() == theme.NewErrorThemedResource(theme.ErrorIcon()).Name()
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				if walk(c) {
					return true
				}
			}
		}
		return false
	}
	return walk(e)
}

// TestEmptyEmailNotMarked: leaving the email field empty marks nothing;
// an address that is not one is marked once the field is left. The
// button stays disabled either way.
func TestEmptyEmailNotMarked(t *testing.T) {
	f := newFixture(t)
	email := f.entry("field.email_placeholder")
	c := f.win.Canvas()
	c.Focus(email)
	c.FocusNext()
	if marked(email) || !f.button("signin.submit").Disabled() {
		t.Fatalf("empty and left: marked %v, button enabled %v", marked(email), !f.button("signin.submit").Disabled())
	}
	f.typeIn("field.email_placeholder", "not an address")
	c.FocusNext()
	f.typeIn("signin.password", "x")
	if !marked(email) || !f.button("signin.submit").Disabled() {
		t.Fatalf("wrong and left: marked %v, button enabled %v", marked(email), !f.button("signin.submit").Disabled())
	}
	if f.shows(app.ValidateEmail("not an address").Error()) {
		t.Fatalf("the validator's text shows:\n%s", f.texts())
	}
}

// TestWordFieldNoCopy: Copy and Cut do nothing in a word of the recovery
// phrase, from the keys or from the field's menu; Paste still works.
func TestWordFieldNoCopy(t *testing.T) {
	f := newFixture(t)
	v, r := startRestoreWallet(f.shell)
	f.shell.Push(v)
	w := r.fields[0].entry
	f.win.Canvas().Focus(w)
	test.Type(w, "abandon")
	cb := fyne.CurrentApp().Clipboard()
	cb.SetContent("before")
	w.TypedShortcut(&fyne.ShortcutSelectAll{})
	w.TypedShortcut(&fyne.ShortcutCopy{Clipboard: cb})
	w.TypedShortcut(&fyne.ShortcutCut{Clipboard: cb})
	if cb.Content() != "before" || r.fields[0].Word() != "abandon" {
		t.Fatalf("clipboard %q, word %q", cb.Content(), r.fields[0].Word())
	}
	cb.SetContent("ability")
	w.TypedShortcut(&fyne.ShortcutSelectAll{})
	w.TypedShortcut(&fyne.ShortcutPaste{Clipboard: cb})
	if r.fields[0].Word() != "ability" {
		t.Fatalf("paste gave %q", r.fields[0].Word())
	}
}

// TestSecretsClearedOnLeave: the password and code fields of the account
// forms are empty once their view is left.
func TestSecretsClearedOnLeave(t *testing.T) {
	f := homeSignedIn(t, "leave@example.org")
	s := f.shell
	for _, c := range []struct {
		open func() *view
		keys []string
	}{
		{func() *view { return newCreateAccount(s, "") }, []string{"field.new_password", "field.repeat_password"}},
		{func() *view { return newChangePassword(s) }, []string{"security.password.current", "field.new_password", "field.repeat_password"}},
		{func() *view { return newTwoFactorOff(s) }, []string{"security.account_password", "security.two_factor_off.code"}},
		{func() *view { return newNewRecoveryCodes(s) }, []string{"security.account_password"}},
	} {
		v := c.open()
		s.Push(v)
		var fields []*entry
		for _, k := range c.keys {
			e := f.entry(k)
			e.SetText("12345")
			fields = append(fields, e)
		}
		f.win.Canvas().Focus(fields[0])
		typeKey(f, fyne.KeyEscape)
		if s.Top() != tr("home.title") {
			t.Fatalf("%s: Esc left %q on top", v.title, s.Top())
		}
		for i, e := range fields {
			if e.Text != "" {
				t.Errorf("%s: field %q kept its text", v.title, tr(c.keys[i]))
			}
		}
	}
}

// TestSignOutKeychainFailure: when the keychain cannot forget the
// remembered sign-in, signing out says so over sign-in; when it can, no
// notice shows.
func TestSignOutKeychainFailure(t *testing.T) {
	f := newFixture(t)
	const email = "forget@example.org"
	f.register(email)
	if res, err := f.app.SignIn(context.Background(), email, testPassword, true); err != nil || res.RememberErr != nil {
		t.Fatalf("sign in: %+v %v", res, err)
	}
	f.shell.Reset(newHome(f.shell))
	homeLoaded(f)
	keystore.MockInitWithError(&keystore.UnavailableError{Reason: keystore.ReasonLocked, Op: "delete"})
	f.tap("home.sign_out")
	f.waitTop("signin.title")
	f.waitText(tr("signout.keychain_body"))
	if !f.shows(tr("diag.cause.keychain_locked")) || f.app.Account() != "" {
		t.Fatalf("the notice does not name the cause, or still signed in:\n%s", f.texts())
	}
	if top := f.win.Canvas().Overlays().Top(); top != nil {
		f.win.Canvas().Overlays().Remove(top)
	}

	keystore.MockInit()
	if _, err := f.app.SignIn(context.Background(), email, testPassword, true); err != nil {
		t.Fatal(err)
	}
	f.shell.Reset(newHome(f.shell))
	homeLoaded(f)
	f.tap("home.sign_out")
	f.waitTop("signin.title")
	if f.win.Canvas().Overlays().Top() != nil || f.shows(tr("signout.keychain_body")) {
		t.Fatal("a notice after a clean sign-out")
	}
	if got := f.app.RememberedAccount(context.Background()); got != "" {
		t.Fatalf("still remembered: %q", got)
	}
}

// TestConnectRefreshesHeader: switching to another server shows its host
// in the header, drops the mailbox button and closes the old server's
// mailbox.
func TestConnectRefreshesHeader(t *testing.T) {
	f := newFixture(t)
	f.shell.OpenMailbox()
	m := f.shell.mailbox
	if m == nil || !f.hasButton("action.open_mailbox") || !f.shows(tr("server.local")) {
		t.Fatal("no mailbox with the built-in server")
	}
	a := f.appAt("https://auth.example.com", "")
	f.shell.Connect(Connection{App: a})
	f.waitTop("signin.title")
	if f.shell.mailbox != nil || f.hasButton("action.open_mailbox") || f.shows(tr("server.local")) || !f.shows("auth.example.com") {
		t.Fatalf("header after the switch:\n%s", f.texts())
	}
	for _, w := range fyne.CurrentApp().Driver().AllWindows() {
		if w == m.Win {
			t.Fatal("the old mailbox is still open")
		}
	}
}

// TestFormStopsProgressOnClose: a form's progress bar stops when its view
// leaves, even while its work runs.
func TestFormStopsProgressOnClose(t *testing.T) {
	f := newFixture(t)
	v := newView("form")
	fm := newForm(f.shell, v, "send", nil, func() {})
	v.content = fm.actions()
	f.shell.Push(v)
	release := make(chan struct{})
	defer close(release)
	fm.run(func(ctx context.Context) error {
		<-release
		return nil
	}, nil, nil)
	if !fm.busy.Running() {
		t.Fatal("no progress while the work runs")
	}
	f.esc()
	if fm.busy.Running() {
		t.Fatal("the progress bar runs on after its view left")
	}
}

// TestFormRetryRunsLastAction: a form's retry runs again the action that
// failed last, its submit or a second action, without wiring of its own.
func TestFormRetryRunsLastAction(t *testing.T) {
	f := newFixture(t)
	v := newView("form")
	busy := &authapi.Problem{Status: 503, Code: authapi.CodeOverloaded}
	var submits, reloads int
	valid := true
	var fm *form
	fm = newForm(f.shell, v, "send", func() bool { return valid }, func() {
		submits++
		fm.run(func(context.Context) error { return busy }, nil, nil)
	})
	reload := fm.action(func() {
		reloads++
		fm.run(func(context.Context) error { return busy }, nil, nil)
	})
	v.content = fm.actions()
	f.shell.Push(v)
	failedAgain := func(s, r int) func() bool {
		return func() bool { return submits == s && reloads == r && fm.fail.Code() == app.CodeOverloaded }
	}

	test.Tap(fm.submit)
	f.waitFor("the failed submit", failedAgain(1, 0))
	f.tap("action.retry_now")
	f.waitFor("the submit again", failedAgain(2, 0))

	reload()
	f.waitFor("the failed reload", failedAgain(2, 1))
	f.tap("action.retry_now")
	f.waitFor("the reload again", failedAgain(2, 2))

	// A submit that cannot start (Enter in a form not valid) is no action:
	// the retry still runs the reload.
	valid = false
	fm.submit.OnTapped()
	valid = true
	f.tap("action.retry_now")
	f.waitFor("the reload after a submit that did not start", failedAgain(2, 3))
}

// TestStepTitleUnknownCause: a cause with no text of its own reads as a
// generic problem, never as its code.
func TestStepTitleUnknownCause(t *testing.T) {
	newFixture(t)
	if got := (diag.Step{ID: diag.StepDNS, Verdict: diag.VerdictProblem, Cause: "made_up_cause"}).Text(diagText).Title; got != tr("check.step_problem") {
		t.Fatalf("title %q", got)
	}
	if got := (diag.Step{ID: "made_up_step", Verdict: diag.VerdictOK}).Text(diagText).Title; got != tr("check.step_passed") {
		t.Fatalf("title %q", got)
	}
}

// TestSaveRecoveryCodesOffUIThread: the file is written off the UI thread
// and the result is told on it.
func TestSaveRecoveryCodesOffUIThread(t *testing.T) {
	f := newFixture(t)
	path := filepath.Join(t.TempDir(), recoveryCodesFile)
	w, err := storage.Writer(storage.NewFileURI(path))
	if err != nil {
		t.Fatal(err)
	}
	var said string
	var importance widget.Importance
	saveRecoveryCodes(w, "AAAA-BBBB-CCCC\n", func(text string, imp widget.Importance) { said, importance = text, imp })
	if said != "" {
		t.Fatal("the result was told before the UI thread ran")
	}
	f.waitFor("the result", func() bool { return said != "" })
	data, err := os.ReadFile(path)
	if err != nil || string(data) != "AAAA-BBBB-CCCC\n" || importance != widget.SuccessImportance {
		t.Fatalf("said %q (%v), file %q %v", said, importance, data, err)
	}
}
