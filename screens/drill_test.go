package screens

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"sesame/app"
)

// abandonWords are the words of unlockVault's phrase.
var abandonWords = strings.Fields("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about")

// drillWord is the label of the drill's field for the word at position p.
func drillWord(p int) string {
	return lang.LocalizeKey("drill.word", "", map[string]any{"N": strconv.Itoa(p)})
}

// drillToWords types the wallet password into the drill's first step and
// returns the positions the words step asks.
func drillToWords(f *fixture) []int {
	f.t.Helper()
	f.typeIn("unlock.password", unlockPassword)
	f.tap("drill.start")
	f.waitFor("the words step", func() bool { return f.shows(tr("drill.words_intro")) })
	var positions []int
	for p := 1; p <= 12; p++ {
		if e, _ := f.labelledEntry(drillWord(p)); e != nil {
			positions = append(positions, p)
		}
	}
	return positions
}

// typeWord types w into the drill's field of position p, replacing what
// it holds.
func (f *fixture) typeWord(p int, w string) {
	f.t.Helper()
	e, _ := f.labelledEntry(drillWord(p))
	if e == nil {
		f.t.Fatalf("no field of word %d", p)
	}
	e.SetText("")
	f.win.Canvas().Focus(e)
	test.Type(e, w)
}

// The backup drill: the wallet password, then three words; a miss names
// the position and offers the phrase again; a pass is recorded.
func TestBackupDrill(t *testing.T) {
	f := newFixture(t)
	unlockVault(f)
	began := f.shell.Top()
	f.shell.Push(newBackupDrill(f.shell))
	f.waitTop("drill.title")
	if !f.button("drill.start").Disabled() {
		t.Fatal("Continue is enabled with no password")
	}
	// The schedule is chosen here and saved at once.
	sel := must(f, "the schedule", func(s *widget.Select) bool { return s.Selected == tr("drill.schedule_default") })
	sel.SetSelected(tr("drill.schedule_quarterly"))
	if st, err := f.app.BackupDrill(); err != nil || !slices.Equal(st.Schedule, []int{91}) {
		t.Fatalf("schedule after the choice: %+v %v", st, err)
	}
	if !f.warnsTyping("unlock.password", "A STURDY PASSWORD", app.WarnCapsLock) {
		t.Errorf("the wallet password does not warn of Caps Lock:\n%s", f.texts())
	}
	positions := drillToWords(f)
	for _, p := range positions {
		// Each says its word once: in the label.
		if e, _ := f.labelledEntry(drillWord(p)); e.PlaceHolder != "" {
			t.Errorf("word %d: the label %q and the placeholder %q", p, drillWord(p), e.PlaceHolder)
		}
	}
	if len(positions) != 3 {
		t.Fatalf("asked positions %v", positions)
	}
	for i, p := range positions {
		w := abandonWords[p-1]
		if i == 1 {
			w = "zoo"
		}
		f.typeWord(p, w)
	}
	f.tap("drill.check")
	missed := lang.LocalizeKey("drill.missed", "", map[string]any{"Positions": strconv.Itoa(positions[1])})
	f.waitFor("the miss", func() bool { return f.shows(missed) })
	if e, _ := f.labelledEntry(drillWord(positions[1])); e == nil || f.win.Canvas().Focused() != e {
		t.Fatalf("after the miss the keyboard is in %#v, not in word %d", f.win.Canvas().Focused(), positions[1])
	}
	f.tap("drill.show_phrase")
	f.waitTop("drill.phrase_title")
	if !f.shows("12.") || !f.shows("about") || !f.shows("abandon") {
		t.Fatalf("the phrase shown again:\n%s", f.texts())
	}
	f.shell.Back()
	f.waitFor("the words step again", func() bool { return f.shows(missed) })
	f.typeWord(positions[1], abandonWords[positions[1]-1])
	f.tap("drill.check")
	f.waitFor("the pass", func() bool { return f.shows(tr("drill.done")) })
	if s, err := f.app.BackupDrill(); err != nil || s.Checked.IsZero() || time.Since(s.Checked) > time.Minute {
		t.Fatalf("the drill was not recorded: %+v %v", s, err)
	}
	// Done leads back to where the drill began, not to its password step.
	f.tap("security.done")
	f.waitFor("the screen the drill began on", func() bool { return f.shell.Top() == began })
}

// The drill's word fields are the restore's: typing offers the phrase's
// list words as suggestions, a tap on one fills the word and moves on.
func TestBackupDrillSuggests(t *testing.T) {
	f := newFixture(t)
	unlockVault(f)
	f.shell.Push(newBackupDrill(f.shell))
	f.waitTop("drill.title")
	positions := drillToWords(f)
	if len(positions) < 2 {
		t.Fatalf("asked positions %v", positions)
	}
	word := abandonWords[positions[0]-1]
	f.typeWord(positions[0], word[:3])
	suggestion := must(f, "the suggestion "+word, func(b *button) bool { return b.Text == word })
	test.Tap(suggestion)
	first, _ := f.labelledEntry(drillWord(positions[0]))
	second, _ := f.labelledEntry(drillWord(positions[1]))
	if first.Text != word || f.win.Canvas().Focused() != second {
		t.Fatalf("after the suggestion: %q, the keyboard in %#v", first.Text, f.win.Canvas().Focused())
	}
}

// Home shows the wallet's fingerprint and when the phrase was checked, and
// asks for a drill once one is due.
func TestHomeFingerprintAndDrill(t *testing.T) {
	f := newFixture(t)
	f.register("fp@example.org")
	if _, err := f.app.SignIn(context.Background(), "fp@example.org", testPassword, false); err != nil {
		t.Fatal(err)
	}
	unlockVault(f)
	if _, err := f.app.UnlockWallet(context.Background(), unlockPassword); err != nil {
		t.Fatal(err)
	}
	f.shell.Reset(newHome(f.shell))
	f.waitFor("the fingerprint", func() bool { return f.shows("73c5da0a") })
	// Checked today, not "0 days ago".
	if f.hasButton("home.drill_start") || !f.shows(tr("home.drill_checked_today")) || f.shows(plural("home.drill_checked", 0)) {
		t.Fatalf("a new wallet's drill:\n%s", f.texts())
	}

	// Saved 8 days ago, by the metadata beside the vault: due.
	f.app.LockWallet()
	since := time.Now().Add(-8 * 24 * time.Hour).UTC().Format(time.RFC3339)
	meta := fmt.Sprintf(`{"fingerprint": "73c5da0a", "drill": {"since": %q}}`, since)
	dir, _ := filepath.Split(mustVault(f))
	if err := os.WriteFile(filepath.Join(dir, strings.TrimSuffix(filepath.Base(mustVault(f)), ".vault")+".meta.json"), []byte(meta), 0o600); err != nil {
		t.Fatal(err)
	}
	f.shell.Reset(newHome(f.shell))
	f.waitFor("the reminder", func() bool { return f.hasButton("home.drill_start") })
	if !f.shows("73c5da0a") || !f.shows(tr("home.drill_due")) || !f.shows(plural("home.drill_checked", 8)) {
		t.Fatalf("home with a drill due:\n%s", f.texts())
	}
	f.tap("home.drill_start")
	f.waitTop("drill.title")
}

// mustVault is the path of the wallet's vault in the fixture's data.
func mustVault(f *fixture) string {
	f.t.Helper()
	for _, p := range append([]string{filepath.Join(f.data, "wallet.vault")}, globVaults(f)...) {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	f.t.Fatal("no vault")
	return ""
}

func globVaults(f *fixture) []string {
	m, _ := filepath.Glob(filepath.Join(f.data, "wallets", "*.vault"))
	return m
}

// "Check a code" checks today's authenticator code without signing in.
func TestCodeCheck(t *testing.T) {
	f := newFixture(t)
	secret, codes := f.twoFactorAccount("code@example.org")
	ctx := context.Background()
	res, err := f.app.SignIn(ctx, "code@example.org", testPassword, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.CompleteTwoFactor(ctx, res.Challenge, codes[0], false); err != nil {
		t.Fatal(err)
	}
	f.shell.Reset(newHome(f.shell))
	f.waitFor("the two-factor row", func() bool { return f.hasButton("home.code_check") })
	if !f.shows("A recovery code was last used at") {
		t.Fatalf("no last use of a recovery code:\n%s", f.texts())
	}
	f.tap("home.code_check")
	f.waitTop("codecheck.title")
	f.typeCode("000000")
	f.waitFor("the refusal", func() bool { return f.shows(tr("error.invalid_two_factor_code")) })
	if f.shell.App.Account() == "" {
		t.Fatal("a wrong code signed out")
	}
	f.typeCode(totpCode(t, secret, time.Now().Add(30*time.Second)))
	f.waitFor("the check", func() bool { return f.shows(tr("codecheck.done")) })
}

// labelledEntry is the visible field beside the label text in a labelled
// form, or nil.
func (f *fixture) labelledEntry(text string) (*wordEntry, bool) {
	for _, o := range f.objects() {
		c, ok := o.(*fyne.Container)
		if !ok {
			continue
		}
		for i := 0; i+1 < len(c.Objects); i++ {
			if l, ok := c.Objects[i].(*widget.Label); ok && l.Text == text {
				if e, ok := c.Objects[i+1].(*wordEntry); ok {
					return e, true
				}
			}
		}
	}
	return nil, false
}
