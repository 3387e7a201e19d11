package screens

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"sesame/app"
	"sesame/recovery"
)

// openRestore shows the first step of a restore and returns its flow.
func openRestore(f *fixture) *restoreFlow {
	f.t.Helper()
	v, r := startRestoreWallet(f.shell)
	f.shell.Push(v)
	f.waitTop("wallet_restore.title")
	return r
}

// pasteInto pastes text into word field n (1-based) as the clipboard
// shortcut does.
func pasteInto(f *fixture, r *restoreFlow, n int, text string) {
	f.t.Helper()
	clip := fyne.CurrentApp().Clipboard()
	clip.SetContent(text)
	e := r.fields[n-1].entry
	f.win.Canvas().Focus(e)
	e.TypedShortcut(&fyne.ShortcutPaste{Clipboard: clip})
	clip.SetContent("")
}

// typeWords types each word into its field, in order.
func typeWords(f *fixture, r *restoreFlow, words []string) {
	f.t.Helper()
	for i, w := range words {
		e := r.fields[i].entry
		f.win.Canvas().Focus(e)
		test.Type(e, w)
	}
	f.win.Canvas().Unfocus()
}

// buttonText finds the visible button that reads text, or nil.
func buttonText(f *fixture, text string) *widget.Button {
	b, _ := findButton(f, func(b *widget.Button) bool { return b.Text == text })
	return b
}

// TestWalletRestoreVector pastes BIP39's first vector into field 5, which
// fills all 12 fields, previews its known first Ethereum address before
// saving, saves it, and asks to confirm replacing it the next time.
func TestWalletRestoreVector(t *testing.T) {
	f := newFixture(t)
	r := openRestore(f)
	if !f.button("wallet_restore.preview").Disabled() {
		t.Fatal("preview enabled without a phrase")
	}
	f.golden("wallet_restore/empty.xml")

	// A 15-word state: the pasted 12-word phrase sets the count back to 12.
	r.counts.SetSelected("15")
	pasteInto(f, r, 5, "  "+strings.ReplaceAll(walletVector, " ", "\n")+"\n")
	want := strings.Fields(walletVector)
	if r.count != 12 || r.counts.Selected != "12" || !slices.Equal(r.words(), want) {
		t.Fatalf("after the paste: %d words %q", r.count, r.words())
	}
	for i := 12; i < len(r.fields); i++ {
		if r.fields[i].Word() != "" {
			t.Fatalf("hidden field %d kept %q", i+1, r.fields[i].Word())
		}
	}
	language := lang.LocalizeKey("wallet_restore.language", "", map[string]any{"Language": "English"})
	if !f.shows(language) || f.button("wallet_restore.preview").Disabled() {
		t.Fatalf("valid phrase: no %q or preview disabled:\n%s", language, f.texts())
	}

	// Preview: the addresses before anything is saved.
	f.tap("wallet_restore.preview")
	f.waitText(tr("wallet_restore.preview_heading"))
	if !f.shows(walletVectorAddr) || f.shows(tr("error.wallet_exists")) {
		t.Fatalf("preview:\n%s", f.texts())
	}
	if st, _ := f.app.WalletState(); st != app.WalletNone {
		t.Fatalf("the preview saved a wallet: %v", st)
	}
	f.golden("wallet_restore/preview.xml")
	f.tap("wallet_restore.continue")

	// The new wallet password, then the saved wallet.
	if !f.button("wallet_restore.save").Disabled() {
		t.Fatal("save enabled without a password")
	}
	f.typeIn("field.new_password", "wallet pw 1234")
	f.typeIn("field.repeat_password", "wallet pw 1234")
	f.tap("wallet_restore.save")
	f.waitText(tr("wallet_restore.done_heading"))
	if st, _ := f.app.WalletState(); st != app.WalletUnlocked {
		t.Fatalf("wallet state %v, want unlocked", st)
	}
	if !f.shows(walletVectorAddr) || f.shell.back.Visible() {
		t.Fatalf("done: the address is not shown or back is offered:\n%s", f.texts())
	}
	if r.parsed || r.fields[0].Word() != "" {
		t.Fatal("the first step kept the phrase after the restore")
	}
	f.tap("wallet_setup.home")
	if f.shell.Top() == tr("wallet_restore.title") || len(f.shell.stack) != 1 {
		t.Fatalf("Back to home: top %q", f.shell.Top())
	}

	// A wallet is here now: the preview asks to confirm replacing it.
	r = openRestore(f)
	pasteInto(f, r, 1, walletVector)
	f.tap("wallet_restore.preview")
	f.waitText(tr("wallet_restore.preview_heading"))
	if !f.shows(tr("error.wallet_exists")) || !f.button("wallet_restore.continue").Disabled() {
		t.Fatalf("existing wallet: no warning, or Continue enabled:\n%s", f.texts())
	}
	test.Tap(f.check("wallet_setup.overwrite_confirm"))
	f.tap("wallet_restore.continue")
	if buttonText(f, tr("wallet_restore.save")) == nil {
		t.Fatal("the confirmed replacement did not go on to the password")
	}
	// Esc goes back through the steps to the phrase, which is kept.
	f.esc()
	f.esc()
	if !r.parsed || f.shell.Top() != tr("wallet_restore.title") || buttonText(f, tr("wallet_restore.preview")) == nil {
		t.Fatal("Esc did not go back to the phrase")
	}
	f.esc()
	if f.shell.Top() == tr("wallet_restore.title") || r.fields[0].Word() != "" {
		t.Fatal("leaving the restore did not clear the words")
	}
}

// TestWalletRestoreErrors shows the precise errors: a typo with its
// suggestion, a wrong checksum with its one-word fixes, a wrong count and
// mixed languages; and completes words with Tab and the suggestion bar.
func TestWalletRestoreErrors(t *testing.T) {
	f := newFixture(t)
	r := openRestore(f)
	words := strings.Fields(walletVector)

	// Completion: Tab takes the first match and moves on; a tap on a
	// suggestion does the same.
	e := r.fields[0].entry
	f.win.Canvas().Focus(e)
	test.Type(e, "aban")
	if b := buttonText(f, "abandon"); b == nil {
		t.Fatal("no suggestion abandon for aban")
	}
	if !e.AcceptsTab() {
		t.Fatal("Tab does not complete")
	}
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyTab})
	if r.fields[0].Word() != "abandon" || f.win.Canvas().Focused() != r.fields[1].entry {
		t.Fatalf("Tab: word %q, focus %v", r.fields[0].Word(), f.win.Canvas().Focused())
	}
	test.Type(r.fields[1].entry, "abo")
	test.Tap(buttonText(f, "about"))
	if r.fields[1].Word() != "about" || f.win.Canvas().Focused() != r.fields[2].entry {
		t.Fatalf("suggestion: word %q", r.fields[1].Word())
	}

	// A typo at word 7.
	typo := slices.Clone(words)
	typo[6] = "abandn"
	for _, w := range r.fields[:2] {
		w.Clear()
	}
	typeWords(f, r, typo)
	var uw *recovery.UnknownWordError
	if _, err := recovery.Parse(strings.Join(typo, " ")); !errors.As(err, &uw) {
		t.Fatalf("the typo parses as %v", err)
	}
	msg := lang.LocalizeKey("wallet_restore.unknown_word", "", map[string]any{
		"N": 7, "Suggestions": strings.Join(uw.Suggestions, tr("wallet_restore.list_separator"))})
	if !f.shows(msg) || !strings.Contains(msg, "abandon") || !strings.Contains(msg, "7") {
		t.Fatalf("no %q:\n%s", msg, f.texts())
	}
	if r.fields[6].number.Importance != widget.DangerImportance || !f.button("wallet_restore.preview").Disabled() {
		t.Fatal("word 7 is not marked, or the preview is enabled")
	}
	f.golden("wallet_restore/unknown_word.xml")
	test.Tap(buttonText(f, "abandon"))
	if r.fields[6].Word() != "abandon" || !r.parsed || f.shows(msg) {
		t.Fatal("the suggestion did not fix word 7")
	}

	// "north" for "worth": the checksum fails, with the one-word fixes one
	// slip from what was typed.
	swapped := strings.Fields("legal winner thank year wave sausage north useful legal winner thank yellow")
	pasteInto(f, r, 3, strings.Join(swapped, " "))
	var ce *recovery.ChecksumError
	if _, err := recovery.Parse(strings.Join(swapped, " ")); !errors.As(err, &ce) || len(ce.Fixes) == 0 || ce.Fixes[0] != (recovery.Fix{Position: 7, Word: "worth"}) {
		t.Fatalf("the swap parses as %v", err)
	}
	if !f.shows(tr("wallet_restore.checksum")) || !f.shows(plural("wallet_restore.checksum_choose", ce.Count)) || r.problem.code != "phrase_checksum" {
		t.Fatalf("no checksum message:\n%s", f.texts())
	}
	for _, x := range ce.Fixes {
		if buttonText(f, lang.LocalizeKey("wallet_restore.fix", "", map[string]any{"N": x.Position, "Word": x.Word})) == nil {
			t.Fatalf("fix %d → %s is not offered", x.Position, x.Word)
		}
	}
	f.golden("wallet_restore/checksum.xml")
	first := ce.Fixes[0]
	test.Tap(buttonText(f, lang.LocalizeKey("wallet_restore.fix", "", map[string]any{"N": first.Position, "Word": first.Word})))
	if !r.parsed || r.words()[first.Position-1] != first.Word || f.shows(tr("wallet_restore.checksum")) {
		t.Fatalf("the fix %d → %s gave %q", first.Position, first.Word, r.words())
	}

	// An unknown word: the close word that makes the phrase valid comes
	// first, and the screen says so.
	pasteInto(f, r, 1, "legal winner ool year wave sausage worth useful legal winner thank absorb")
	fits := lang.LocalizeKey("wallet_restore.unknown_word_fits", "", map[string]any{"Words": "wool"})
	if !f.shows(fits) || !strings.Contains(f.texts(), "Did you mean wool, ") {
		t.Fatalf("no %q:\n%s", fits, f.texts())
	}

	// A wrong word far from the right one: no fix close to what was typed,
	// and the count of changes that fit instead of unrelated ones.
	far := "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon zoo"
	if _, err := recovery.Parse(far); !errors.As(err, &ce) || len(ce.Fixes) != 0 || ce.Count < 1000 {
		t.Fatalf("the wrong last word parses as %v", err)
	}
	pasteInto(f, r, 1, far)
	if !f.shows(plural("wallet_restore.checksum_many", ce.Count)) || !f.shows(tr("wallet_restore.checksum_compare")) ||
		buttonText(f, lang.LocalizeKey("wallet_restore.fix", "", map[string]any{"N": 12, "Word": "about"})) != nil {
		t.Fatalf("no honest checksum message:\n%s", f.texts())
	}
	f.golden("wallet_restore/checksum_many.xml")

	// 13 words pasted: the count error, and 15 fields.
	pasteInto(f, r, 1, walletVector+" abandon")
	if !f.shows(plural("wallet_restore.word_count", 13)) || r.count != 15 || r.parsed {
		t.Fatalf("13 words: count %d\n%s", r.count, f.texts())
	}

	// Half English, half French: mixed languages.
	var mixed []string
	for _, l := range []recovery.Language{recovery.English, recovery.French} {
		n := 0
		for _, w := range recovery.Complete(l, "m", 200) {
			if n < 6 && walletOnlyIn(l, w) {
				mixed = append(mixed, w)
				n++
			}
		}
	}
	if len(mixed) != 12 {
		t.Fatalf("built %d mixed words", len(mixed))
	}
	pasteInto(f, r, 1, strings.Join(mixed, " "))
	if !f.shows(tr("error.phrase_mixed_languages")) || r.parsed {
		t.Fatalf("mixed languages:\n%s", f.texts())
	}
}

// TestWalletRestoreChinese runs the restore in 简体中文 and detects a
// Chinese phrase as 简体中文.
func TestWalletRestoreChinese(t *testing.T) {
	f := newFixture(t)
	f.setLanguage("zh_Hans")
	f.shell.Retranslate()
	r := openRestore(f)
	if f.shell.Top() != "恢复钱包" {
		t.Fatalf("title %q is not Chinese", f.shell.Top())
	}
	f.golden("wallet_restore/empty_zh.xml")

	m, err := recovery.FromEntropy(recovery.ChineseSimplified, []byte("sixteen byte key"))
	if err != nil {
		t.Fatal(err)
	}
	pasteInto(f, r, 1, strings.Join(m.Words, ""))
	if !r.parsed || r.phrase.Language != recovery.ChineseSimplified || !slices.Equal(r.words(), m.Words) {
		t.Fatalf("Chinese phrase: parsed %v as %v, words %q", r.parsed, r.phrase.Language, r.words())
	}
	if !f.shows("词表：简体中文") {
		t.Fatalf("the detected wordlist is not shown:\n%s", f.texts())
	}

	typo := strings.Fields(walletVector)
	typo[6] = "abandn"
	r.clearWords()
	typeWords(f, r, typo)
	if !f.shows("第 7 个词不在词表中") {
		t.Fatalf("no Chinese unknown-word message:\n%s", f.texts())
	}
	if !f.shows("词表：英语") {
		t.Fatalf("the English wordlist is not named in Chinese:\n%s", f.texts())
	}
	f.golden("wallet_restore/unknown_word_zh.xml")
}

// walletOnlyIn reports whether word is in lang's list and in no other.
func walletOnlyIn(lang recovery.Language, word string) bool {
	for _, l := range recovery.Languages() {
		if (recovery.CheckWord(l, word) == nil) != (l == lang) {
			return false
		}
	}
	return true
}

// barButtons are the buttons of the suggestion bar, row after row.
func barButtons(r *restoreFlow) []*button {
	var out []*button
	if r.bar.box.Visible() {
		for _, row := range r.bar.box.Objects {
			for _, o := range row.(*fyne.Container).Objects {
				if b, ok := o.(*button); ok {
					out = append(out, b)
				}
			}
		}
	}
	return out
}

// barWords are the words the suggestion bar offers.
func barWords(r *restoreFlow) []string {
	var out []string
	for _, b := range barButtons(r) {
		out = append(out, b.Text)
	}
	return out
}

// pickWord taps word in the suggestion bar.
func pickWord(f *fixture, r *restoreFlow, word string) {
	f.t.Helper()
	for _, b := range barButtons(r) {
		if b.Text == word {
			test.Tap(b)
			return
		}
	}
	f.t.Fatalf("no %q among %q", word, barWords(r))
}

// TestWalletRestorePinyin types a Chinese phrase as tone-less pinyin: the
// bar offers the words of both Chinese lists until the first one chosen
// tells the list, then of that list only; Tab, or a space once the list is
// known, takes the first. A character not in the list is answered with its
// homophones.
func TestWalletRestorePinyin(t *testing.T) {
	f := newFixture(t)
	f.setLanguage("zh_Hans")
	f.shell.Retranslate()
	r := openRestore(f)
	typeIn := func(n int, text string) {
		e := r.fields[n-1].entry
		f.win.Canvas().Focus(e)
		test.Type(e, text)
	}

	// "can" is an English word and pinyin: the bar offers 残, and Tab and
	// a space keep "can".
	typeIn(1, "can")
	if got := barWords(r); !slices.Contains(got, "残") || r.fields[0].pending() {
		t.Fatalf("can: bar %q, pending %v", got, r.fields[0].pending())
	}
	typeIn(1, " ")
	if r.fields[0].Word() != "can" {
		t.Fatalf("can and a space: %q", r.fields[0].Word())
	}
	r.fields[0].SetWord("")
	typeIn(1, "zhe")
	if got := barWords(r); !slices.Contains(got, "这") || !slices.Contains(got, "這") || r.fields[0].bad() {
		t.Fatalf("zhe: bar %q, marked %v", got, r.fields[0].bad())
	}
	f.golden("wallet_restore/pinyin_zh.xml")
	pickWord(f, r, "这")
	if r.fields[0].Word() != "这" || f.win.Canvas().Focused() != r.fields[1].entry || r.lang != recovery.ChineseSimplified {
		t.Fatalf("after picking 这: %q, list %v", r.fields[0].Word(), r.lang)
	}
	// "这 这 的 … 的 在" is a valid phrase; ü typed as v.
	typeIn(2, "zhe")
	if got := barWords(r); slices.Contains(got, "這") {
		t.Fatalf("a Traditional word offered in a Simplified phrase: %q", got)
	}
	r.fields[1].entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyTab})
	for n := 3; n <= 11; n++ {
		typeIn(n, "de")
		r.fields[n-1].entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyTab})
	}
	typeIn(12, "zai ")
	if want := strings.Fields("这 这 的 的 的 的 的 的 的 的 的 在"); !slices.Equal(r.words(), want) || !r.parsed {
		t.Fatalf("typed %q, parsed %v; want %q", r.words(), r.parsed, want)
	}
	r.fields[2].SetWord("")
	typeIn(3, "lv")
	if got := barWords(r); !slices.Contains(got, "绿") {
		t.Fatalf("lv: bar %q", got)
	}

	// 琐 is in no list: its homophone 索 is offered.
	r.fields[2].SetWord("琐")
	f.win.Canvas().Focus(r.fields[3].entry)
	if buttonText(f, "索") == nil {
		t.Fatalf("no homophone of 琐 offered:\n%s", f.texts())
	}

	// A Traditional word chosen first: Traditional words only after it.
	r.clearWords()
	typeIn(1, "chang")
	pickWord(f, r, "長")
	typeIn(2, "zhang")
	if got := barWords(r); r.lang != recovery.ChineseTraditional || !slices.Contains(got, "張") || slices.Contains(got, "张") {
		t.Fatalf("after 長, list %v, zhang: bar %q", r.lang, got)
	}
}

// TestWalletRestoreErrorClears: "Word 1 is not in the list" and the
// checksum message go as soon as the word is corrected in its field.
func TestWalletRestoreErrorClears(t *testing.T) {
	f := newFixture(t)
	r := openRestore(f)
	words := strings.Fields(walletVector)
	correct := func(n int, word string) {
		e := r.fields[n-1].entry
		f.win.Canvas().Focus(e)
		e.SetText("")
		test.Type(e, word)
		f.win.Canvas().Unfocus()
	}
	for _, wrong := range []string{"zzzz", "zoo"} {
		typo := slices.Clone(words)
		typo[0] = wrong
		r.clearWords()
		typeWords(f, r, typo)
		if !r.problem.box.Visible() {
			t.Fatalf("%q: no problem shown", wrong)
		}
		correct(1, words[0])
		if r.problem.box.Visible() || r.fields[0].bad() || !r.parsed {
			t.Fatalf("after correcting %q: %q still shown", wrong, r.problem.message.Text)
		}
	}
}

// The word fields of a column line up: the number "10." takes no more
// room than "1.".
func TestWalletRestoreFieldsAligned(t *testing.T) {
	f := newFixture(t)
	r := openRestore(f)
	d := fyne.CurrentApp().Driver()
	for i := 0; i+restoreColumns < r.count; i++ {
		a, b := r.fields[i].entry, r.fields[i+restoreColumns].entry
		if pa, pb := d.AbsolutePositionForObject(a), d.AbsolutePositionForObject(b); pa.X != pb.X || a.Size().Width != b.Size().Width {
			t.Errorf("word %d at x=%v, %v wide; word %d below it at x=%v, %v wide", i+1, pa.X, a.Size().Width, i+1+restoreColumns, pb.X, b.Size().Width)
		}
	}
}

// TestWordlistNames names every wordlist in the interface's language.
func TestWordlistNames(t *testing.T) {
	newFixture(t)
	want := map[string][]string{
		"en":      {"English", "Chinese (Simplified)", "Chinese (Traditional)", "Czech", "French", "Italian", "Japanese", "Korean", "Portuguese", "Spanish"},
		"zh_Hans": {"英语", "简体中文", "繁体中文", "捷克语", "法语", "意大利语", "日语", "韩语", "葡萄牙语", "西班牙语"},
	}
	for tag, names := range want {
		if err := SetLanguage(tag); err != nil {
			t.Fatal(err)
		}
		for i, l := range recovery.Languages() {
			if got := wordlistName(l); got != names[i] {
				t.Errorf("%s: wordlist %s is named %q, want %q", tag, l, got, names[i])
			}
		}
	}
}

// TestPinyinWordsBeforeTheList: before the typed words say which Chinese
// list, the bar offers the Simplified list's words first and the
// Traditional list's own words after them; once the list is known, its
// words only.
func TestPinyinWordsBeforeTheList(t *testing.T) {
	cases := []struct {
		lang   recovery.Language
		pinyin string
		want   []string
	}{
		{0, "de", strings.Fields("的 地 得 德 等 灯 登 邓 燈 鄧")},
		{0, "zhang", strings.Fields("长 张 章 掌 障 丈 胀 長 張 脹")},
		{0, "zhe", strings.Fields("这 着 者 折 哲 浙 政 這 著 爭")},
		{recovery.ChineseSimplified, "zhang", strings.Fields("长 张 章 掌 障 丈 胀 涨 仗 帐")},
		{recovery.ChineseTraditional, "zhang", strings.Fields("長 張 章 掌 障 丈 脹 漲 仗 帳")},
	}
	for _, c := range cases {
		simplified, traditional := pinyinWords(c.lang, c.pinyin)
		if got := append(simplified, traditional...); !slices.Equal(got, c.want) {
			t.Errorf("%v %q: %q, want %q", c.lang, c.pinyin, got, c.want)
		}
	}
}

// TestWalletRestoreSuggestionsZh: before the list is known, a Chinese
// interface offers the Chinese words for typed pinyin first (an English
// one the completions), and a space takes the first of them; the
// Traditional list's own words are marked with its name, and the rows
// coming and going move nothing below them.
func TestWalletRestoreSuggestionsZh(t *testing.T) {
	f := newFixture(t)
	// Where the passphrase check box sits once laid out, as the driver
	// would on its next frame.
	passAt := func(r *restoreFlow) fyne.Position {
		f.settle("the restore")
		return fyne.CurrentApp().Driver().AbsolutePositionForObject(r.usePass)
	}
	for _, c := range []struct {
		tag, first string
	}{{"en", "deal"}, {"zh_Hans", "的"}} {
		f.setLanguage(c.tag)
		r := openRestore(f)
		at := passAt(r)
		e := r.fields[0].entry
		f.win.Canvas().Focus(e)
		test.Type(e, "de")
		if got := r.fields[0].Suggestions(); len(got) == 0 || got[0] != c.first {
			t.Errorf("%s: de suggests %q first, want %q", c.tag, got, c.first)
		}
		if b := barButtons(r); len(b) == 0 || b[0].Text != c.first {
			t.Errorf("%s: the bar starts with %q, want %q", c.tag, barWords(r), c.first)
		}
		if now := passAt(r); now != at {
			t.Errorf("%s: the suggestions moved the passphrase check box from %v to %v", c.tag, at, now)
		}
		// 燈 is the Traditional list's own: after the mark of its list.
		row := r.bar.box.Objects[0].(*fyne.Container).Objects
		mark := slices.IndexFunc(row, func(o fyne.CanvasObject) bool {
			l, ok := o.(*widget.Label)
			return ok && l.Text == wordlistName(recovery.ChineseTraditional)
		})
		if c.tag == "zh_Hans" {
			lamp := slices.IndexFunc(row, func(o fyne.CanvasObject) bool { b, ok := o.(*button); return ok && b.Text == "燈" })
			if mark < 0 || lamp < mark {
				t.Errorf("燈 at %d is not marked as Traditional (mark at %d)", lamp, mark)
			}
		}
		e.SetText("")
		if now := passAt(r); now != at {
			t.Errorf("%s: the suggestions going moved the passphrase check box from %v to %v", c.tag, at, now)
		}
		// A space ends the word as the first suggestion's kind says: the
		// Chinese word in a Chinese interface, the typed text in another.
		want := map[string]string{"en": "de", "zh_Hans": "的"}[c.tag]
		test.Type(e, "de ")
		if got := r.fields[0].Word(); got != want {
			t.Errorf("%s: de and a space: %q, want %q", c.tag, got, want)
		}
		f.shell.Back()
	}
}
