package screens

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sesame/app"
	"sesame/recovery"
)

// walletVector is BIP39's first English test vector and its first
// Ethereum address (m/44'/60'/0'/0/0).
const (
	walletVector     = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
	walletVectorAddr = "0x9858EfFD232B4033E47d90003D41EC34EcaEda94"
)

// walletLabels are the texts of the visible labels, exactly.
func walletLabels(f *fixture) []string {
	var out []string
	for _, o := range f.objects() {
		if l, ok := o.(*widget.Label); ok {
			out = append(out, l.Text)
		}
	}
	return out
}

// walletStep reports whether the view shows step n of the creation.
func walletStep(f *fixture, n int) bool {
	f.t.Helper()
	return slices.Contains(walletLabels(f), createStep(n).Text)
}

// openCreate shows the first step of a creation and returns its flow.
func openCreate(f *fixture) *createFlow {
	f.t.Helper()
	v, c := startCreateWallet(f.shell)
	f.shell.Push(v)
	f.waitFor("the wallet looked for", func() bool { return f.shell.Top() == tr("wallet_create.title") && c.looked })
	return c
}

// createToQuiz goes from the options to the quiz, with the default options
// and no passphrase.
func createToQuiz(f *fixture) {
	f.t.Helper()
	f.tap("wallet_create.continue")
	test.Tap(f.check("wallet_create.warnings_understood"))
	f.tap("wallet_create.continue")
	f.tap("wallet_create.reveal")
	f.tap("wallet_create.written_down")
	f.tap("wallet_create.continue")
	if !walletStep(f, 5) {
		f.t.Fatalf("not at the quiz:\n%s", f.texts())
	}
}

// quizRadios are the choice groups of the quiz, in question order.
func quizRadios(f *fixture) []*widget.RadioGroup {
	var out []*widget.RadioGroup
	for _, o := range f.objects() {
		if r, ok := o.(*widget.RadioGroup); ok {
			out = append(out, r)
		}
	}
	return out
}

// answerQuiz picks, for each question, the right word or a wrong one.
func answerQuiz(f *fixture, c *createFlow, right bool) {
	f.t.Helper()
	radios := quizRadios(f)
	qs := c.draft.Quiz.Questions
	if len(radios) != len(qs) {
		f.t.Fatalf("%d choice groups for %d questions", len(radios), len(qs))
	}
	for i, q := range qs {
		want := c.draft.Mnemonic.Words[q.Position-1]
		for _, choice := range q.Choices {
			if (choice == want) == right {
				radios[i].SetSelected(choice)
				break
			}
		}
	}
}

// TestWalletCreateFlow creates a wallet with a passphrase: the words are
// hidden until revealed and cannot be copied, wrong quiz answers are
// refused, a wallet that appears meanwhile needs the confirmation, and the
// vault is saved and unlocked with the first address shown.
func TestWalletCreateFlow(t *testing.T) {
	f := newFixture(t)
	c := openCreate(f)
	if !walletStep(f, 1) || f.button("wallet_create.continue").Disabled() {
		t.Fatalf("options: step 1 with Continue enabled expected:\n%s", f.texts())
	}
	if sel := walletSelect(f); sel.Selected != wordlistName(recovery.English) {
		t.Fatalf("default wordlist %q, want English", sel.Selected)
	}
	f.golden("wallet_create/options.xml")

	// Warnings: Continue waits for the tick; Esc goes back to the options.
	f.tap("wallet_create.continue")
	if c.draft == nil || len(c.draft.Mnemonic.Words) != 12 || c.draft.Mnemonic.Language != recovery.English {
		t.Fatalf("draft after options: %+v", c.draft != nil)
	}
	if !walletStep(f, 2) || !f.button("wallet_create.continue").Disabled() {
		t.Fatalf("warnings: Continue must wait for the tick:\n%s", f.texts())
	}
	f.golden("wallet_create/warnings.xml")
	f.esc()
	if !walletStep(f, 1) {
		t.Fatalf("Esc from the warnings did not go back to the options")
	}
	f.tap("wallet_create.continue")
	test.Tap(f.check("wallet_create.warnings_understood"))
	f.tap("wallet_create.continue")

	// The words: hidden until revealed, never selectable, no copy button.
	words := slices.Clone(c.draft.Mnemonic.Words)
	shown := func() int {
		n := 0
		for _, l := range walletLabels(f) {
			if slices.Contains(words, l) {
				n++
			}
		}
		return n
	}
	if !walletStep(f, 3) || shown() != 0 || !f.button("wallet_create.written_down").Disabled() {
		t.Fatalf("words: %d words visible before Reveal, or Continue enabled", shown())
	}
	f.golden("wallet_create/words_hidden.xml")
	f.tap("wallet_create.reveal")
	if n := shown(); n < len(slices.Compact(slices.Sorted(slices.Values(words)))) {
		t.Fatalf("%d words visible after Reveal, want all %d", n, len(words))
	}
	wordsReadDown(f, len(words))
	for _, o := range f.objects() {
		if x, ok := asButton(o); ok && (x.Icon == theme.ContentCopyIcon() || strings.Contains(strings.ToLower(x.Text), "copy")) {
			t.Fatalf("the words step has a copy button %q", x.Text)
		}
		switch x := o.(type) {
		case *widget.Label:
			if x.Selectable {
				t.Fatalf("label %q is selectable", x.Text)
			}
		}
	}
	f.tap("wallet_create.hide")
	if shown() != 0 {
		t.Fatal("Hide left words visible")
	}
	f.tap("wallet_create.reveal")
	f.tap("wallet_create.written_down")

	// The words view hides its words when it comes back.
	f.shell.Back()
	if !walletStep(f, 3) || shown() != 0 {
		t.Fatalf("back at the words: %d words visible", shown())
	}
	f.tap("wallet_create.reveal")
	f.tap("wallet_create.written_down")

	// Passphrase: optional; when chosen, both fields must match.
	if !walletStep(f, 4) || f.button("wallet_create.continue").Disabled() {
		t.Fatalf("passphrase step: Continue must be enabled without a passphrase")
	}
	f.golden("wallet_create/passphrase.xml")
	test.Tap(f.check("wallet_create.passphrase_use"))
	if !f.button("wallet_create.continue").Disabled() {
		t.Fatal("an empty passphrase was accepted")
	}
	f.typeIn("wallet_create.passphrase", "extra words")
	f.typeIn("wallet_create.passphrase_repeat", "extra word")
	if !f.button("wallet_create.continue").Disabled() {
		t.Fatal("different passphrases were accepted")
	}
	f.typeIn("wallet_create.passphrase_repeat", "s")
	f.tap("wallet_create.continue")

	if !walletStep(f, 5) {
		t.Fatalf("not at the quiz:\n%s", f.texts())
	}

	// Quiz: wrong answers are refused, naming the positions only.
	if !f.button("wallet_create.quiz_check").Disabled() {
		t.Fatal("the quiz can be checked unanswered")
	}
	answerQuiz(f, c, false)
	f.tap("wallet_create.quiz_check")
	if !walletStep(f, 5) {
		t.Fatalf("wrong answers were not refused:\n%s", f.texts())
	}
	for _, q := range c.draft.Quiz.Questions {
		if !f.shows(lang.LocalizeKey("wallet_create.quiz_wrong_word", "", map[string]any{"N": q.Position})) {
			t.Fatalf("position %d is not named:\n%s", q.Position, f.texts())
		}
	}
	mnemonic := recovery.Mnemonic{Language: c.draft.Mnemonic.Language, Words: slices.Clone(c.draft.Mnemonic.Words)}
	answerQuiz(f, c, true)
	f.tap("wallet_create.quiz_check")
	if !walletStep(f, 6) {
		t.Fatalf("right answers did not pass:\n%s", f.texts())
	}
	f.golden("wallet_create/password.xml")

	// A wallet appears meanwhile: saving asks to confirm replacing it.
	if _, err := f.app.RestoreWallet(context.Background(), walletMnemonic(t), "", "other pw 123", "other pw 123", false); err != nil {
		t.Fatal(err)
	}
	f.app.LockWallet()
	if !f.button("wallet_create.save").Disabled() {
		t.Fatal("save enabled without a password")
	}
	f.typeIn("field.new_password", "wallet pw 1234")
	f.typeIn("field.repeat_password", "wallet pw 1234")
	f.tap("wallet_create.save")
	f.waitText(tr("error.wallet_exists"))
	if !f.button("wallet_create.save").Disabled() {
		t.Fatal("save enabled before the replacement is confirmed")
	}
	test.Tap(f.check("wallet_setup.overwrite_confirm"))
	f.tap("wallet_create.save")
	f.waitText(tr("wallet_create.done_heading"))
	if st, err := f.app.WalletState(); st != app.WalletUnlocked || err != nil {
		t.Fatalf("wallet state %v, %v; want unlocked", st, err)
	}
	addrs, err := f.app.Addresses()
	if err != nil {
		t.Fatal(err)
	}
	want, err := f.app.PreviewAddresses(mnemonic, "extra words")
	if err != nil {
		t.Fatal(err)
	}
	if addrs[0].Address != want[0].Address || addrs[0].Address == walletVectorAddr {
		t.Fatalf("saved wallet %s, want %s (the phrase with its passphrase)", addrs[0].Address, want[0].Address)
	}
	if !f.shows(addrs[0].Address) || f.shell.back.Visible() {
		t.Fatalf("done: first address shown %v, back visible %v", f.shows(addrs[0].Address), f.shell.back.Visible())
	}
	if c.draft != nil || c.passphrase != "" {
		t.Fatal("the flow kept its secrets after saving")
	}
	f.tap("wallet_setup.home")
	if f.shell.Top() == tr("wallet_create.title") || len(f.shell.stack) != 1 {
		t.Fatalf("Back to home: top %q, %d views", f.shell.Top(), len(f.shell.stack))
	}

	// A wallet is here now: a new creation asks to confirm first.
	openCreate(f)
	cont := f.button("wallet_create.continue")
	if !cont.Disabled() || !f.shows(tr("error.wallet_exists")) {
		t.Fatalf("existing wallet: no warning or Continue enabled:\n%s", f.texts())
	}
	f.golden("wallet_create/options_exists.xml")
	test.Tap(f.check("wallet_setup.overwrite_confirm"))
	f.tap("wallet_create.continue")
	if !walletStep(f, 2) {
		t.Fatal("confirmed replacement did not go on")
	}
	f.shell.Back()
	f.shell.Back()
	if f.shell.Top() == tr("wallet_create.title") {
		t.Fatalf("Back from the options stayed in the flow")
	}
}

// TestWalletCreateTyped answers the quiz by typing with completion: Tab
// completes the word, and a word not in the list is marked.
func TestWalletCreateTyped(t *testing.T) {
	f := newFixture(t)
	c := openCreate(f)
	createToQuiz(f)
	var fields []*wordField
	for _, o := range f.objects() {
		if e, ok := o.(*wordEntry); ok {
			fields = append(fields, e.field)
		}
	}
	if len(fields) != 3 {
		t.Fatalf("%d quiz fields, want 3", len(fields))
	}
	radios := quizRadios(f)
	for i, q := range c.draft.Quiz.Questions {
		word := c.draft.Mnemonic.Words[q.Position-1]
		w := fields[i]
		f.win.Canvas().Focus(w.entry)
		test.Type(w.entry, word[:min(len(word), 3)])
		for w.Word() != word {
			if s := w.Suggestions(); len(s) > 0 && s[0] == word {
				w.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyTab})
				continue
			}
			test.Type(w.entry, word[len(w.Word()):len(w.Word())+1])
		}
		if w.Word() != word || radios[i].Selected != word {
			t.Fatalf("question %d: field %q, choice %q; want %q", i, w.Word(), radios[i].Selected, word)
		}
	}
	// A word that is in no list is marked once its field is left.
	w := fields[0]
	w.SetWord("")
	f.win.Canvas().Focus(w.entry)
	test.Type(w.entry, "zzzq")
	f.win.Canvas().Focus(fields[1].entry)
	if w.number.Importance != widget.DangerImportance && w.entry.Validate() == nil {
		t.Fatal("a word not in the list is not marked")
	}
	w.SetWord(c.draft.Mnemonic.Words[c.draft.Quiz.Questions[0].Position-1])
	f.tap("wallet_create.quiz_check")
	if !walletStep(f, 6) {
		t.Fatalf("typed answers did not pass:\n%s", f.texts())
	}
	// The quiz is replaced: Back goes to the passphrase step.
	f.shell.Back()
	if !walletStep(f, 4) {
		t.Fatalf("Back from the password step:\n%s", f.texts())
	}
}

// TestWalletCreateChinese runs the creation in 简体中文: the wordlist
// defaults to Simplified Chinese and the words are Chinese.
func TestWalletCreateChinese(t *testing.T) {
	f := newFixture(t)
	f.setLanguage("zh_Hans")
	f.shell.Retranslate()
	c := openCreate(f)
	if f.shell.Top() != "新建钱包" {
		t.Fatalf("title %q is not Chinese", f.shell.Top())
	}
	if sel := walletSelect(f); sel.Selected != "简体中文" {
		t.Fatalf("default wordlist %q, want 简体中文", sel.Selected)
	}
	f.golden("wallet_create/options_zh.xml")
	f.tap("wallet_create.continue")
	f.golden("wallet_create/warnings_zh.xml")
	test.Tap(f.check("wallet_create.warnings_understood"))
	f.tap("wallet_create.continue")
	f.golden("wallet_create/words_hidden_zh.xml")
	f.tap("wallet_create.reveal")
	if c.draft.Mnemonic.Language != recovery.ChineseSimplified {
		t.Fatalf("wordlist %v, want Simplified Chinese", c.draft.Mnemonic.Language)
	}
	for _, w := range c.draft.Mnemonic.Words {
		if r := []rune(w); len(r) != 1 || r[0] < 0x4e00 || r[0] > 0x9fff {
			t.Fatalf("word %q is not one Chinese character", w)
		}
		if !slices.Contains(walletLabels(f), w) {
			t.Fatalf("word %q is not shown after Reveal", w)
		}
	}
	f.tap("wallet_create.written_down")
	f.tap("wallet_create.continue")
	answerQuiz(f, c, true)
	f.tap("wallet_create.quiz_check")
	f.golden("wallet_create/password_zh.xml")
}

// walletSelect finds the wordlist choice of the options step.
func walletSelect(f *fixture) *dropDown {
	f.t.Helper()
	return must(f, "wordlist choice", func(*dropDown) bool { return true })
}

// walletMnemonic is the test vector's phrase.
func walletMnemonic(t *testing.T) recovery.Mnemonic {
	t.Helper()
	m, err := recovery.Parse(walletVector)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// wordsReadDown checks that the n numbered words read top to bottom: each
// number is under the one before, or heads the next column, to its right;
// a column holds half the words.
func wordsReadDown(f *fixture, n int) {
	f.t.Helper()
	f.settle("the words")
	d := fyne.CurrentApp().Driver()
	pos := make([]fyne.Position, n)
	for i := range pos {
		label := strconv.Itoa(i+1) + "."
		pos[i] = d.AbsolutePositionForObject(must(f, "number "+label, func(l *widget.Label) bool { return l.Text == label }))
	}
	rows := (n + wordColumns - 1) / wordColumns
	for i := 1; i < n; i++ {
		down := pos[i].X == pos[i-1].X && pos[i].Y > pos[i-1].Y
		next := pos[i].X > pos[i-1].X && pos[i].Y == pos[0].Y
		if !(down && i%rows != 0) && !(next && i%rows == 0) {
			f.t.Errorf("word %d at %v does not follow word %d at %v top to bottom", i+1, pos[i], i, pos[i-1])
		}
	}
}

// TestWalletQuizWrongClears: a wrong answer is said once, under its
// field, with the fix in the intro's words (no failure box); its note goes
// once the answer changes, and the Check button below does not move.
func TestWalletQuizWrongClears(t *testing.T) {
	f := newFixture(t)
	c := openCreate(f)
	createToQuiz(f)
	answerQuiz(f, c, false)
	f.tap("wallet_create.quiz_check")
	qs := c.draft.Quiz.Questions
	wrongText := func(i int) string {
		return lang.LocalizeKey("wallet_create.quiz_wrong_word", "", map[string]any{"N": qs[i].Position})
	}
	for i := range qs {
		if strings.Count(f.texts(), wrongText(i)) != 1 {
			t.Fatalf("word %d is not said wrong once:\n%s", qs[i].Position, f.texts())
		}
	}
	if f.shows(tr("error.quiz_wrong")) || strings.Count(f.texts(), tr("wallet_create.quiz_help")) != 1 {
		t.Fatalf("the failure box says it again:\n%s", f.texts())
	}
	// Where the actions, the Check button first, sit in the content once
	// laid out, as the driver would on its next frame.
	checkAt := func() fyne.Position {
		sc := f.shell.top().scroll
		sc.Content.Resize(sc.Content.MinSize().Max(sc.Size()))
		sc.Content.Refresh()
		objs := f.shell.top().content.(*fyne.Container).Objects
		return objs[len(objs)-1].Position()
	}
	at := checkAt()
	radios := quizRadios(f)
	right := func(i int) { radios[i].SetSelected(c.draft.Mnemonic.Words[qs[i].Position-1]) }
	right(0)
	if f.shows(wrongText(0)) || !f.shows(wrongText(1)) || !f.shows(wrongText(2)) {
		t.Fatalf("after correcting word %d:\n%s", qs[0].Position, f.texts())
	}
	right(1)
	right(2)
	if f.shows(wrongText(1)) || f.shows(wrongText(2)) {
		t.Fatalf("corrected answers are still called wrong:\n%s", f.texts())
	}
	if now := checkAt(); now != at {
		t.Errorf("the Check button moved from %v to %v", at, now)
	}
}
