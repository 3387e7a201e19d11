package screens

import (
	"context"
	"errors"
	"image/color"
	"slices"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sesame/app"
	"sesame/recovery"
	"sesame/wallet"
)

// createSteps is the number of steps before the new wallet is saved.
const createSteps = 6

// hiddenWord stands for a word of the phrase until it is revealed.
const hiddenWord = "••••••"

// createFlow is one creation of a wallet, shared by its steps: the options
// → the warnings → the words → an optional passphrase → the backup quiz →
// the wallet password → done. The draft and the passphrase are secrets:
// never logged, dropped when the flow ends.
type createFlow struct {
	s          *Shell
	title      string
	words      int
	lang       recovery.Language
	overwrite  bool
	draft      *app.WalletDraft
	passphrase string
	// looked is set once the options step knows whether a wallet is here.
	looked bool
}

// newCreateWallet is the first step of creating a wallet.
func newCreateWallet(s *Shell) *view {
	v, _ := startCreateWallet(s)
	return v
}

// startCreateWallet returns the first step and its flow.
func startCreateWallet(s *Shell) (*view, *createFlow) {
	c := &createFlow{s: s, title: lang.L("wallet_create.title"), words: 12, lang: defaultWordlist()}
	return c.options(), c
}

// defaultWordlist is the wordlist of the interface's language: each
// translation names its wordlist's tag ("en", "zh-Hans").
func defaultWordlist() recovery.Language {
	if l, ok := recovery.LanguageByTag(lang.L("wallet_create.default_wordlist")); ok {
		return l
	}
	return recovery.English
}

// createStep is the "Step n of 6" line.
func createStep(n int) *widget.Label {
	l := widget.NewLabel(lang.LocalizeKey("wallet_create.step", "", map[string]any{"N": n, "Total": createSteps}))
	l.Importance = widget.LowImportance
	return l
}

// options asks for the number of words and the wordlist, and for the
// confirmation to replace a wallet already on this computer.
func (c *createFlow) options() *view {
	s := c.s
	v := newView(c.title)
	closeAlso(v, func() { c.draft, c.passphrase = nil, "" })
	counts := []int{12, 24}
	countLabels := make([]string, len(counts))
	for i, n := range counts {
		countLabels[i] = plural("wallet_create.word_count", n)
	}
	count := widget.NewRadioGroup(countLabels, nil)
	count.Horizontal = true
	count.Required = true
	count.SetSelected(countLabels[0])
	langs := recovery.Languages()
	names := make([]string, len(langs))
	for i, l := range langs {
		names[i] = wordlistName(l)
	}
	list := newDropDown(names, nil)
	list.SetSelected(wordlistName(c.lang))

	var f *form
	ow := newOverwriteCheck()
	f = newForm(s, v, lang.L("wallet_create.continue"), ow.ok, func() {
		if i := slices.Index(countLabels, count.Selected); i >= 0 {
			c.words = counts[i]
		}
		if i := list.SelectedIndex(); i >= 0 {
			c.lang = langs[i]
		}
		c.overwrite = ow.confirmed()
		d, err := s.App.NewWallet(c.lang, c.words)
		if err != nil {
			f.fail.Show(err)
			return
		}
		c.draft = d
		s.Push(c.warnings())
	})
	f.watch(ow.check)
	// Whether a wallet is here already is read off the UI thread (a
	// file). Saving refuses to replace one unconfirmed in any case.
	a := s.App
	var state app.WalletState
	s.Go(v, func(context.Context) error {
		var err error
		state, err = a.WalletState()
		return err
	}, func(err error) {
		c.looked = true
		switch {
		case err != nil:
			f.fail.Show(err)
		case state != app.WalletNone:
			ow.require()
			f.check()
		}
	})
	v.content = container.NewVBox(
		createStep(1),
		ow.box,
		heading(lang.L("wallet_create.count_heading")),
		count,
		paragraph(lang.L("wallet_create.count_help")),
		heading(lang.L("wallet_create.wordlist_heading")),
		list,
		paragraph(lang.L("wallet_create.wordlist_help")),
		f.actions(),
	)
	return v
}

// warnings says how to keep the phrase before it is shown.
func (c *createFlow) warnings() *view {
	s := c.s
	v := newView(c.title)
	understood := newCheck(lang.L("wallet_create.warnings_understood"), nil)
	f := newForm(s, v, lang.L("wallet_create.continue"), func() bool { return understood.Checked }, func() {
		s.Push(c.wordsView())
	})
	f.watch(understood)
	v.content = container.NewVBox(
		createStep(2),
		heading(lang.L("wallet_create.warnings_heading")),
		warningRow(lang.L("wallet_create.warn_paper")),
		warningRow(lang.L("wallet_create.warn_no_photo")),
		warningRow(lang.L("wallet_create.warn_never_share")),
		warningRow(lang.L("wallet_create.warn_support")),
		warningRow(lang.L("wallet_create.warn_owner")),
		understood,
		f.actions(),
	)
	return v
}

// warningRow is one warning with its icon.
func warningRow(text string) fyne.CanvasObject {
	return container.NewBorder(nil, nil, container.NewCenter(widget.NewIcon(theme.WarningIcon())), nil, paragraph(text))
}

// wordColumns is the number of columns of the words: each is read top to
// bottom, the first before the second.
const wordColumns = 2

// wordGrid is n numbered cells for words, in rows that read top to bottom
// in wordColumns columns; each column is a form layout, so that its
// numbers end flush and its words start flush. The cells show hiddenWord.
func wordGrid(n int) (*fyne.Container, []*widget.Label) {
	cells := make([]*widget.Label, n)
	rows := (n + wordColumns - 1) / wordColumns
	grid := container.NewGridWithColumns(wordColumns)
	var column *fyne.Container
	for i := range cells {
		if i%rows == 0 {
			column = container.New(layout.NewFormLayout())
			grid.Add(column)
		}
		cells[i] = widget.NewLabelWithStyle(hiddenWord, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		number := widget.NewLabelWithStyle(strconv.Itoa(i+1)+".", fyne.TextAlignTrailing, fyne.TextStyle{})
		number.Importance = widget.LowImportance
		column.Add(number)
		column.Add(cells[i])
	}
	return grid, cells
}

// wordsView shows the words in numbered rows that read top to bottom, in
// wordColumns columns, hidden until revealed, neither selectable nor
// copyable.
func (c *createFlow) wordsView() *view {
	s := c.s
	v := newView(c.title)
	words := c.draft.Mnemonic.Words
	grid, cells := wordGrid(len(words))
	revealed, seen := false, false
	var toggle *button
	var f *form
	show := func(on bool) {
		revealed = on
		for i, l := range cells {
			if on {
				l.SetText(words[i])
			} else {
				l.SetText(hiddenWord)
			}
		}
		if on {
			seen = true
			toggle.SetText(lang.L("wallet_create.hide"))
			toggle.SetIcon(theme.VisibilityOffIcon())
		} else {
			toggle.SetText(lang.L("wallet_create.reveal"))
			toggle.SetIcon(theme.VisibilityIcon())
		}
		f.check()
	}
	toggle = newIconButton(lang.L("wallet_create.reveal"), theme.VisibilityIcon(), func() { show(!revealed) })
	f = newForm(s, v, lang.L("wallet_create.written_down"), func() bool { return seen }, func() {
		show(false)
		s.Push(c.passphraseView())
	})
	// The words hide again whenever the view comes back and when it closes.
	v.shown = func() { show(false) }
	closeAlso(v, func() { show(false) })
	v.content = container.NewVBox(
		createStep(3),
		heading(lang.L("wallet_create.words_heading")),
		paragraph(lang.L("wallet_create.words_help")),
		grid,
		toggle,
		f.actions(),
	)
	return v
}

// passphraseView offers the optional passphrase, typed twice.
func (c *createFlow) passphraseView() *view {
	s := c.s
	v := newView(c.title)
	use := newCheck(lang.L("wallet_create.passphrase_use"), nil)
	first := newPasswordEntry(lang.L("wallet_create.passphrase"))
	second := newPasswordEntry(lang.L("wallet_create.passphrase_repeat"))
	second.Validator = func(t string) error {
		if t != "" && t != first.Text {
			return app.ErrPasswordsDiffer
		}
		return nil
	}
	warn := paragraph(lang.L("wallet_create.passphrase_warning"))
	warn.Importance = widget.WarningImportance
	box := container.NewVBox(warn, first.framed(), second.framed())
	box.Hide()
	valid := func() bool { return !use.Checked || (first.Text != "" && first.Text == second.Text) }
	f := newForm(s, v, lang.L("wallet_create.continue"), valid, func() {
		c.passphrase = ""
		if use.Checked {
			c.passphrase = first.Text
		}
		s.Push(c.quizView())
	})
	use.OnChanged = func(on bool) {
		if on {
			box.Show()
			s.Win.Canvas().Focus(first)
		} else {
			box.Hide()
		}
	}
	f.watch(first, second, use)
	closeAlso(v, func() {
		first.SetText("")
		second.SetText("")
	})
	v.content = container.NewVBox(
		createStep(4),
		heading(lang.L("wallet_create.passphrase_heading")),
		paragraph(lang.L("wallet_create.passphrase_help")),
		use,
		box,
		f.actions(),
	)
	return v
}

// quizView asks for the words at the quiz's positions: pick one of the
// choices or type it with completion.
func (c *createFlow) quizView() *view {
	s := c.s
	v := newView(c.title)
	d := c.draft
	list := d.Mnemonic.Language
	questions := d.Quiz.Questions
	fields := make([]*wordField, len(questions))
	// notes say, under each field, that the last check found its answer
	// wrong; a changed answer takes its note away.
	notes := make([]*keptNote, len(questions))
	var f *form
	valid := func() bool {
		for _, w := range fields {
			if w == nil || w.Word() == "" {
				return false
			}
		}
		return true
	}
	f = newForm(s, v, lang.L("wallet_create.quiz_check"), valid, func() {
		answers := make([]string, len(fields))
		for i, w := range fields {
			answers[i] = w.Word()
		}
		err := d.Answer(answers)
		var qe *recovery.QuizError
		switch {
		case errors.As(err, &qe):
			// Said once, under each wrong field: no failure box.
			for j, q := range questions {
				if slices.Contains(qe.Wrong, q.Position) {
					fields[j].markWrong()
					notes[j].show(lang.LocalizeKey("wallet_create.quiz_wrong_word", "", map[string]any{"N": q.Position}))
				}
			}
		case err != nil:
			f.fail.Show(err)
		default:
			s.Replace(c.passwordView())
		}
	})
	rows := []fyne.CanvasObject{
		createStep(5),
		heading(lang.L("wallet_create.quiz_heading")),
		paragraph(lang.L("wallet_create.quiz_help")),
	}
	for i, q := range questions {
		bar := newSuggestionBar(0)
		w := newWordField(0, func() recovery.Language { return list }, bar)
		w.entry.SetPlaceHolder(lang.L("wallet_create.quiz_type"))
		choices := widget.NewRadioGroup(q.Choices, func(sel string) {
			if sel != "" && w.Word() != sel {
				w.SetWord(sel)
			}
		})
		choices.Horizontal = true
		w.changed = func(w *wordField) {
			sel := ""
			if slices.Contains(q.Choices, w.Word()) {
				sel = w.Word()
			}
			choices.SetSelected(sel)
			notes[i].clear()
		}
		fields[i] = w
		notes[i] = newKeptNote()
		rows = append(rows,
			heading(lang.LocalizeKey("wallet_create.quiz_word", "", map[string]any{"N": q.Position})),
			choices, w.obj, notes[i].box, bar.obj)
	}
	watchWordFields(s, f, fields)
	closeAlso(v, func() {
		for _, w := range fields {
			w.Clear()
		}
	})
	v.content = container.NewVBox(append(rows, f.actions())...)
	return v
}

// passwordView asks for the new wallet password, then saves the wallet.
func (c *createFlow) passwordView() *view {
	s := c.s
	d, passphrase, a := c.draft, c.passphrase, s.App
	return walletPasswordView(s, c.title, createStep(6), lang.L("wallet_create.save"), c.overwrite,
		func(ctx context.Context, first, second string, overwrite bool) ([]wallet.Address, error) {
			return a.SaveNewWallet(ctx, d, passphrase, first, second, overwrite)
		}, func(addrs []wallet.Address) {
			c.draft, c.passphrase = nil, ""
			s.Reset(walletDone(s, c.title, lang.L("wallet_create.done_heading"), addrs))
		})
}

// walletPasswordView asks for the new wallet password of a created or
// restored wallet, under step (nil for none), then saves the wallet with
// save off the UI thread and hands its first addresses to saved. A wallet
// found on this computer meanwhile is replaced only once the user confirms
// it; overwrite is a replacement confirmed before.
func walletPasswordView(s *Shell, title string, step fyne.CanvasObject, label string, overwrite bool,
	save func(ctx context.Context, first, second string, overwrite bool) ([]wallet.Address, error),
	saved func([]wallet.Address)) *view {
	v := newView(title)
	pw := newWalletPassword(s.App)
	var f *form
	ow := newOverwriteCheck()
	f = newForm(s, v, label, func() bool { return pw.Valid() && ow.ok() }, func() {
		first, second := pw.first.Text, pw.second.Text
		replace := overwrite || ow.confirmed()
		var addrs []wallet.Address
		f.run(func(ctx context.Context) error {
			a, err := save(ctx, first, second, replace)
			addrs = a
			return err
		}, func() { saved(addrs) }, func(err error) bool {
			if !isCode(err, app.CodeWalletExists) {
				return false
			}
			ow.require()
			f.check()
			return true
		})
	})
	f.watch(append(pw.Fields(), ow.check)...)
	closeAlso(v, pw.Clear)
	v.focus = pw.first
	var objs []fyne.CanvasObject
	if step != nil {
		objs = append(objs, step)
	}
	v.content = container.NewVBox(append(objs,
		heading(lang.L("wallet_setup.password_heading")),
		paragraph(lang.L("wallet_setup.password_help")),
		labelled(pw.Rows(lang.L("field.label_password"), lang.L("field.label_repeat"))...),
		ow.box,
		f.actions(),
	)...)
	return v
}

// overwriteCheck warns that a wallet is already on this computer and asks
// to confirm replacing it.
type overwriteCheck struct {
	box   *fyne.Container
	check *check
}

// newOverwriteCheck is hidden until require; its form watches its box.
func newOverwriteCheck() *overwriteCheck {
	o := &overwriteCheck{}
	o.check = newCheck(lang.L("wallet_setup.overwrite_confirm"), nil)
	warn := paragraph(lang.L("error.wallet_exists"))
	warn.Importance = widget.DangerImportance
	warn.TextStyle.Bold = true
	o.box = container.NewVBox(warn, paragraph(lang.L("remedy.wallet_exists")), o.check)
	o.box.Hide()
	return o
}

// require shows the confirmation.
func (o *overwriteCheck) require() { o.box.Show() }

// ok reports whether going on is allowed: nothing to replace, or confirmed.
func (o *overwriteCheck) ok() bool { return !o.box.Visible() || o.check.Checked }

// confirmed reports whether replacing the wallet was confirmed.
func (o *overwriteCheck) confirmed() bool { return o.box.Visible() && o.check.Checked }

// walletDone is the last step of creating or restoring a wallet: the first
// addresses, and the way home.
func walletDone(s *Shell, title, headline string, addrs []wallet.Address) *view {
	v := newView(title)
	home := newIconButton(lang.L("wallet_setup.home"), theme.HomeIcon(), func() { s.Reset(newHome(s)) })
	home.Importance = widget.HighImportance
	v.focus = home
	v.content = container.NewVBox(
		heading(headline),
		paragraph(lang.L("wallet_setup.done_help")),
		walletAddressList(addrs),
		doneFingerprint(s),
		home,
	)
	return v
}

// walletAddressList shows public addresses by chain, selectable.
func walletAddressList(addrs []wallet.Address) fyne.CanvasObject {
	box := container.NewVBox()
	for _, ch := range wallet.Chains() {
		first := true
		for _, a := range addrs {
			if a.Chain != ch {
				continue
			}
			if first {
				box.Add(heading(walletChainName(ch)))
				first = false
			}
			l := widget.NewLabelWithStyle(a.Address, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
			l.Selectable = true
			l.Wrapping = fyne.TextWrapBreak
			box.Add(l)
		}
	}
	return box
}

// walletChainName is a chain's name in the user's language.
func walletChainName(c wallet.Chain) string {
	switch c {
	case wallet.Ethereum:
		return lang.L("wallet_setup.ethereum")
	case wallet.Bitcoin:
		return lang.L("wallet_setup.bitcoin")
	}
	return c.String()
}

// keptNote is a warning under a field that keeps its place once cleared,
// so that what is below does not move under the pointer.
type keptNote struct {
	box   *fyne.Container
	text  *wrapLabel
	place *canvas.Rectangle
}

func newKeptNote() *keptNote {
	n := &keptNote{text: paragraph(""), place: canvas.NewRectangle(color.Transparent)}
	n.text.Importance = widget.DangerImportance
	n.text.Hide()
	n.box = container.NewStack(n.place, n.text)
	return n
}

// show says text.
func (n *keptNote) show(text string) {
	n.text.SetText(text)
	n.text.Show()
	n.box.Refresh()
}

// clear hides the text but keeps its height.
func (n *keptNote) clear() {
	if !n.text.Visible() {
		return
	}
	// The height it was laid out at: its MinSize is of the width before.
	n.place.SetMinSize(fyne.NewSize(0, max(n.place.MinSize().Height, n.text.Size().Height)))
	n.text.Hide()
	n.box.Refresh()
}
