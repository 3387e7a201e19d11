package screens

import (
	"testing"

	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// openTree shows the decision tree of "Can't sign in?" over sign-in.
func (f *fixture) openTree() {
	f.t.Helper()
	f.shell.Push(newCantSignIn(f.shell, false))
	f.waitTop("cantsignin.title")
}

// TestCantSignInTree follows each answer of the decision tree to its page
// and on to the screen it leads to, and back with Esc.
func TestCantSignInTree(t *testing.T) {
	f := newFixture(t)
	root := f.shell.Top()
	f.openTree()
	for _, key := range []string{"cantsignin.intro", "cantsignin.choice.account_password_hint",
		"cantsignin.choice.wallet_password_hint", "cantsignin.choice.two_factor_hint",
		"cantsignin.choice.phrase_hint", "cantsignin.choice.connect_hint"} {
		if !f.shows(tr(key)) {
			t.Errorf("no %q on the tree", tr(key))
		}
	}

	// The account password: reset by mail.
	f.tap("cantsignin.choice.account_password")
	f.waitTop("cantsignin.account.title")
	if !f.shows(tr("cantsignin.account.body1")) || !f.shows(tr("cantsignin.account.body3")) {
		t.Errorf("the account page does not say the password is reset by mail:\n%s", f.texts())
	}
	f.tap("cantsignin.account.action")
	if f.shell.Top() != tr("forgot.title") {
		t.Errorf("the reset opened %q", f.shell.Top())
	}
	f.esc()
	f.waitTop("cantsignin.account.title")
	f.esc()
	f.waitTop("cantsignin.title")

	// The wallet password: nobody can reset it; restore from the phrase.
	f.tap("cantsignin.choice.wallet_password")
	f.waitTop("cantsignin.wallet.title")
	if !f.shows(tr("cantsignin.wallet.body1")) || !f.shows(tr("cantsignin.wallet.body3")) {
		t.Errorf("the wallet page does not tell the two passwords apart:\n%s", f.texts())
	}
	f.tap("action.restore_wallet")
	if f.shell.Top() != tr("wallet_restore.title") {
		t.Errorf("the restore opened %q", f.shell.Top())
	}
	f.esc()
	f.waitTop("cantsignin.wallet.title")
	f.tap("cantsignin.wallet.no_phrase")
	f.waitTop("cantsignin.phrase.title")
	f.esc()
	f.waitTop("cantsignin.wallet.title")
	f.esc()
	f.waitTop("cantsignin.title")

	// The recovery phrase: honestly lost, and what can still be done.
	f.tap("cantsignin.choice.phrase")
	f.waitTop("cantsignin.phrase.title")
	for _, key := range []string{"cantsignin.phrase.body1", "cantsignin.phrase.opens", "cantsignin.phrase.body2",
		"cantsignin.phrase.lost", "cantsignin.phrase.body3"} {
		if !f.shows(tr(key)) {
			t.Errorf("no %q on the phrase page", tr(key))
		}
	}
	f.esc()
	f.waitTop("cantsignin.title")

	// The connection check, started at once.
	f.tap("cantsignin.choice.connect")
	f.waitTop("check.title")
	f.waitCheck()
	if !f.shows(tr("check.clear")) {
		t.Errorf("the check did not finish clear:\n%s", f.texts())
	}
	f.esc()
	f.waitTop("cantsignin.title")

	// The two-factor device: a recovery code at sign-in, support when none
	// is left.
	f.tap("cantsignin.choice.two_factor")
	f.waitTop("cantsignin.two_factor.title")
	for _, key := range []string{"cantsignin.two_factor.body1", "cantsignin.two_factor.body2",
		"cantsignin.two_factor.no_codes", "cantsignin.two_factor.body3"} {
		if !f.shows(tr(key)) {
			t.Errorf("no %q on the two-factor page", tr(key))
		}
	}
	f.tap("cantsignin.two_factor.action")
	if f.shell.Top() != tr("signin.title") || f.shell.back.Visible() {
		t.Errorf("the recovery-code sign-in opened %q (back shown %v)", f.shell.Top(), f.shell.back.Visible())
	}

	// Esc leaves the tree for the screen under it.
	f.openTree()
	f.esc()
	if f.shell.Top() != root {
		t.Errorf("Esc on the tree went to %q, want %q", f.shell.Top(), root)
	}
}

// TestCantSignInTreeSignedIn leaves out the recovery-code sign-in for a
// signed-in user.
func TestCantSignInTreeSignedIn(t *testing.T) {
	f := newFixture(t)
	f.register("bob@example.org")
	if _, err := f.app.SignIn(t.Context(), "bob@example.org", testPassword, false); err != nil {
		t.Fatal(err)
	}
	f.openTree()
	f.tap("cantsignin.choice.two_factor")
	f.waitTop("cantsignin.two_factor.title")
	if f.hasButton("cantsignin.two_factor.action") {
		t.Error("a signed-in user is offered to sign in")
	}
}

// TestCantSignInFromCheck leads from the check opened by a remedy to the
// decision tree.
func TestCantSignInFromCheck(t *testing.T) {
	f := newFixture(t)
	f.runCheck()
	f.tap("check.other_problems")
	f.waitFor("the tree", func() bool { return f.hasButton("cantsignin.choice.connect") })
}

// TestCantSignInGolden is the layout of the decision tree in English and
// in 简体中文.
func TestCantSignInGolden(t *testing.T) {
	f := newFixture(t)
	f.openTree()
	f.golden("cantsignin/tree.xml")

	f.setLanguage("zh_Hans")
	f.shell.Retranslate()
	f.openTree()
	f.golden("cantsignin/tree_zh.xml")
}

// The line under each answer is at the size of all text, in grey: at
// caption size Chinese is hard to read.
func TestCantSignInHintsReadable(t *testing.T) {
	f := newFixture(t)
	f.setLanguage("zh_Hans")
	f.openTree()
	h := must(f, "the hint", func(l *wrapLabel) bool { return l.Text == tr("cantsignin.choice.phrase_hint") })
	if h.SizeName != "" && h.SizeName != theme.SizeNameText || h.Importance != widget.LowImportance {
		t.Errorf("the hint is at size %q, importance %d", h.SizeName, h.Importance)
	}
}
