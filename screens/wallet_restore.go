package screens

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"sesame/app"
	"sesame/recovery"
	"sesame/wallet"
)

// restoreFlow is one restore of a wallet from its recovery phrase: the
// words and the passphrase → the preview of the first addresses → the new
// wallet password → done. The words, the phrase and the passphrase are
// secrets: never logged, cleared when the flow ends.
type restoreFlow struct {
	s      *Shell
	v      *view
	title  string
	count  int
	counts *widget.RadioGroup
	// fields holds the most words a phrase has; the first count show.
	fields   []*wordField
	grid     *fyne.Container
	bar      *suggestionBar
	detected *widget.Label
	// lang is the wordlist the words are in, 0 before any known word.
	lang    recovery.Language
	problem *phraseProblem
	// phrase is the valid phrase the fields hold, when parsed is set.
	phrase recovery.Mnemonic
	parsed bool
	// overflow is a pasted phrase of a wrong length, shown until the
	// words change.
	overflow *recovery.WordCountError
	usePass  *check
	pass     *entry
	form     *form
	// filling is set while many fields change at once.
	filling bool
}

// newRestoreWallet is the first step of restoring a wallet.
func newRestoreWallet(s *Shell) *view {
	v, _ := startRestoreWallet(s)
	return v
}

// startRestoreWallet returns the first step and its flow.
func startRestoreWallet(s *Shell) (*view, *restoreFlow) {
	r := &restoreFlow{s: s, title: lang.L("wallet_restore.title")}
	v := newView(r.title)
	r.v = v
	counts := recovery.WordCounts()
	// The completions and the Chinese words while the list is not known.
	r.bar = newSuggestionBar(2)
	r.fields = make([]*wordField, counts[len(counts)-1])
	for i := range r.fields {
		w := newWordField(i+1, func() recovery.Language { return r.lang }, r.bar)
		w.changed = func(*wordField) {
			if !r.filling {
				r.overflow = nil
				r.update()
			}
		}
		w.left = func(*wordField) { r.update() }
		w.next = r.next
		w.entered = r.entered
		w.pasted = r.paste
		r.fields[i] = w
	}
	r.grid = container.NewGridWithColumns(restoreColumns)
	labels := make([]string, len(counts))
	for i, n := range counts {
		labels[i] = strconv.Itoa(n)
	}
	r.counts = widget.NewRadioGroup(labels, func(sel string) {
		if n, err := strconv.Atoi(sel); err == nil {
			r.setCount(n)
		}
	})
	r.counts.Horizontal = true
	r.counts.Required = true
	r.detected = widget.NewLabel("")
	r.problem = newPhraseProblem(s, r.applyFix)
	r.pass = newPasswordEntry(lang.L("wallet_restore.passphrase"))
	passHelp := paragraph(lang.L("wallet_restore.passphrase_help"))
	passBox := container.NewVBox(passHelp, r.pass.framed())
	passBox.Hide()
	r.usePass = newCheck(lang.L("wallet_restore.passphrase_use"), func(on bool) {
		if on {
			passBox.Show()
			s.Win.Canvas().Focus(r.pass)
		} else {
			passBox.Hide()
		}
	})
	r.form = newForm(s, v, lang.L("wallet_restore.preview"), r.valid, r.preview)
	r.form.watch(r.pass, r.usePass)
	r.counts.SetSelected(labels[0])
	closeAlso(v, r.clear)
	v.focus = r.fields[0].entry
	v.content = container.NewVBox(
		paragraph(lang.L("wallet_restore.help")),
		heading(lang.L("wallet_restore.count_heading")),
		r.counts,
		r.detected,
		r.grid,
		r.bar.obj,
		r.problem.box,
		r.usePass,
		passBox,
		r.form.actions(),
	)
	r.update()
	return v, r
}

// restoreColumns is how many word fields a row of the restore holds.
const restoreColumns = 3

// setCount shows the fields of n words.
func (r *restoreFlow) setCount(n int) {
	r.count = n
	objs := make([]fyne.CanvasObject, n)
	for i := range objs {
		objs[i] = r.fields[i].obj
	}
	r.grid.Objects = objs
	r.grid.Refresh()
	r.update()
}

// words are the typed words of the shown fields.
func (r *restoreFlow) words() []string {
	out := make([]string, r.count)
	for i := range out {
		out[i] = r.fields[i].Word()
	}
	return out
}

// update detects the wordlist, checks every word, and checks the phrase
// once every field holds a word.
func (r *restoreFlow) update() {
	if r.filling || r.form == nil {
		return
	}
	r.phrase, r.parsed = recovery.Mnemonic{}, false
	words := r.words()
	r.lang = detectWordlist(words)
	for _, w := range r.fields[:r.count] {
		w.recheck()
	}
	full := true
	for _, w := range words {
		if w == "" {
			full = false
		}
	}
	switch {
	case r.overflow != nil:
		r.problem.show(r.overflow)
	case !full:
		r.problem.clear()
	default:
		m, err := r.s.App.ParsePhrase(strings.Join(words, " "))
		switch {
		case err == nil:
			r.phrase, r.parsed, r.lang = m, true, m.Language
			r.problem.clear()
		case r.typing(err):
			r.problem.clear()
		default:
			r.problem.show(err)
			var uw *recovery.UnknownWordError
			if errors.As(err, &uw) && uw.Position >= 1 && uw.Position <= r.count {
				r.fields[uw.Position-1].markWrong()
			}
		}
	}
	if r.lang.Valid() {
		r.detected.SetText(lang.LocalizeKey("wallet_restore.language", "", map[string]any{"Language": wordlistName(r.lang)}))
	} else {
		r.detected.SetText(lang.L("wallet_restore.language_unknown"))
	}
	r.form.check()
}

// typing reports whether err is about the word still being typed.
func (r *restoreFlow) typing(err error) bool {
	var uw *recovery.UnknownWordError
	if !errors.As(err, &uw) || uw.Position < 1 || uw.Position > r.count {
		return false
	}
	w := r.fields[uw.Position-1]
	return w.focused && w.pending()
}

// detectWordlist is the list that holds most of words, the first in
// recovery.Languages() order on a tie; 0 when none holds any.
func detectWordlist(words []string) recovery.Language {
	var best recovery.Language
	most := 0
	for _, l := range recovery.Languages() {
		n := 0
		for _, w := range words {
			if inWordlist(l, w) {
				n++
			}
		}
		if n > most {
			best, most = l, n
		}
	}
	return best
}

// next moves to the field after w.
func (r *restoreFlow) next(w *wordField) {
	if i := r.index(w); i >= 0 && i+1 < r.count {
		r.s.Win.Canvas().Focus(r.fields[i+1].entry)
	}
}

// entered moves on after Enter; in the last field it goes on to the
// preview.
func (r *restoreFlow) entered(w *wordField) {
	if r.index(w) == r.count-1 {
		r.form.submit.OnTapped()
		return
	}
	r.next(w)
}

// index is the 0-based position of w, or -1.
func (r *restoreFlow) index(w *wordField) int {
	for i, f := range r.fields {
		if f == w {
			return i
		}
	}
	return -1
}

// paste spreads pasted words over the fields: a whole phrase fills them
// all and sets the count; a few words fill the fields from the one pasted
// into.
func (r *restoreFlow) paste(into *wordField, words []string) {
	at := max(r.index(into), 0)
	n := len(words)
	r.filling = true
	r.overflow = nil
	start := 0
	switch {
	case validWordCount(n):
		r.clearWords()
		r.counts.SetSelected(strconv.Itoa(n))
	case at+n <= r.count:
		start = at
	default:
		r.clearWords()
		r.overflow = &recovery.WordCountError{Got: n, Valid: recovery.WordCounts()}
		r.counts.SetSelected(strconv.Itoa(fitWordCount(n)))
	}
	for i, word := range words {
		if start+i < r.count {
			r.fields[start+i].SetWord(word)
		}
	}
	r.filling = false
	r.update()
}

// clearWords empties every field.
func (r *restoreFlow) clearWords() {
	for _, w := range r.fields {
		w.Clear()
	}
}

// validWordCount reports whether a phrase may have n words.
func validWordCount(n int) bool { return slices.Contains(recovery.WordCounts(), n) }

// fitWordCount is the smallest phrase length that holds n words, at most
// the longest.
func fitWordCount(n int) int {
	counts := recovery.WordCounts()
	for _, c := range counts {
		if c >= n {
			return c
		}
	}
	return counts[len(counts)-1]
}

// applyFix puts word at the 1-based position, from a suggestion.
func (r *restoreFlow) applyFix(pos int, word string) {
	if pos >= 1 && pos <= r.count {
		r.fields[pos-1].SetWord(word)
	}
}

// passphrase is the typed passphrase, "" when there is none.
func (r *restoreFlow) passphrase() string {
	if !r.usePass.Checked {
		return ""
	}
	return r.pass.Text
}

// valid reports whether the phrase is valid and a chosen passphrase typed.
func (r *restoreFlow) valid() bool {
	return r.parsed && (!r.usePass.Checked || r.pass.Text != "")
}

// clear forgets the words, the phrase and the passphrase.
func (r *restoreFlow) clear() {
	r.filling = true
	r.clearWords()
	r.pass.SetText("")
	r.filling = false
	r.phrase, r.parsed = recovery.Mnemonic{}, false
	r.bar.hide()
}

// preview derives the first addresses off the UI thread and shows them
// before anything is saved.
func (r *restoreFlow) preview() {
	m, passphrase, a := r.phrase, r.passphrase(), r.s.App
	var p app.RestorePreview
	r.form.run(func(ctx context.Context) error {
		var err error
		p, err = a.PreviewRestore(m, passphrase, "")
		return err
	}, func() {
		r.s.Push(r.previewView(m, passphrase, p))
	}, nil)
}

// previewView shows the addresses of the typed phrase and, when a wallet
// is here already, asks to confirm replacing it.
func (r *restoreFlow) previewView(m recovery.Mnemonic, passphrase string, p app.RestorePreview) *view {
	s := r.s
	v := newView(r.title)
	ow := newOverwriteCheck()
	if p.Exists {
		ow.require()
	}
	f := newForm(s, v, lang.L("wallet_restore.continue"), ow.ok, func() {
		s.Push(r.passwordView(m, passphrase, ow.confirmed()))
	})
	f.watch(ow.check)
	v.content = container.NewVBox(
		heading(lang.L("wallet_restore.preview_heading")),
		paragraph(lang.L("wallet_restore.preview_help")),
		walletAddressList(p.Addresses),
		restoreFingerprint(p),
		ow.box,
		f.actions(),
	)
	return v
}

// passwordView asks for the new wallet password, then saves the wallet.
func (r *restoreFlow) passwordView(m recovery.Mnemonic, passphrase string, overwrite bool) *view {
	s, a := r.s, r.s.App
	return walletPasswordView(s, r.title, nil, lang.L("wallet_restore.save"), overwrite,
		func(ctx context.Context, first, second string, overwrite bool) ([]wallet.Address, error) {
			return a.RestoreWallet(ctx, m, passphrase, first, second, overwrite)
		}, func(addrs []wallet.Address) {
			s.Reset(walletDone(s, r.title, lang.L("wallet_restore.done_heading"), addrs))
		})
}

// phraseProblem says what is wrong with a typed phrase, from the typed
// errors of recovery, with the words that would fix it as buttons.
type phraseProblem struct {
	s       *Shell
	box     *fyne.Container
	message *wrapLabel
	fix     *wrapLabel
	choices *fyne.Container
	apply   func(pos int, word string)
	code    app.Code
}

func newPhraseProblem(s *Shell, apply func(pos int, word string)) *phraseProblem {
	p := &phraseProblem{s: s, apply: apply}
	p.message = paragraph("")
	p.message.Importance = widget.DangerImportance
	p.message.TextStyle.Bold = true
	p.fix = paragraph("")
	p.choices = container.NewGridWithColumns(3)
	p.box = container.NewVBox(p.message, p.choices, p.fix)
	p.box.Hide()
	return p
}

// show explains err.
func (p *phraseProblem) show(err error) {
	p.code = app.ErrorCode(err)
	var (
		uw      *recovery.UnknownWordError
		wc      *recovery.WordCountError
		ce      *recovery.ChecksumError
		message string
		fix     string
		buttons []fyne.CanvasObject
		columns = 3
	)
	switch {
	case errors.As(err, &uw):
		if len(uw.Suggestions) > 0 {
			message = lang.LocalizeKey("wallet_restore.unknown_word", "", map[string]any{
				"N": uw.Position, "Suggestions": strings.Join(uw.Suggestions, lang.L("wallet_restore.list_separator"))})
		} else {
			message = lang.LocalizeKey("wallet_restore.unknown_word_alone", "", map[string]any{"N": uw.Position})
		}
		fix = lang.L("remedy.phrase_unknown_word")
		if uw.Fitting > 0 {
			fix = lang.LocalizeKey("wallet_restore.unknown_word_fits", "", map[string]any{
				"Words": strings.Join(uw.Suggestions[:uw.Fitting], lang.L("wallet_restore.list_separator"))})
		}
		for _, word := range uw.Suggestions {
			buttons = append(buttons, p.button(word, uw.Position, word))
		}
	case errors.As(err, &wc):
		message = plural("wallet_restore.word_count", wc.Got)
		fix = lang.L("remedy.phrase_word_count")
	case errors.As(err, &ce):
		switch {
		case len(ce.Fixes) > 0:
			message = lang.L("wallet_restore.checksum")
			fix = plural("wallet_restore.checksum_choose", ce.Count)
		case ce.Count > 0:
			message = plural("wallet_restore.checksum_many", ce.Count)
			fix = lang.L("wallet_restore.checksum_compare")
		default:
			message = lang.L("wallet_restore.checksum_no_fix")
			fix = lang.L("remedy.phrase_checksum")
		}
		columns = 2
		for _, x := range ce.Fixes {
			label := lang.LocalizeKey("wallet_restore.fix", "", map[string]any{"N": x.Position, "Word": x.Word})
			buttons = append(buttons, p.button(label, x.Position, x.Word))
		}
	default:
		message, fix = p.s.failureText(app.Explain(err))
	}
	p.message.SetText(message)
	p.fix.SetText(fix)
	p.choices.Objects = buttons
	p.choices.Layout = layout.NewGridLayoutWithColumns(columns)
	p.choices.Refresh()
	p.box.Show()
}

// button applies word at pos when tapped.
func (p *phraseProblem) button(label string, pos int, word string) *button {
	return newButton(label, func() { p.apply(pos, word) })
}

// clear hides the box.
func (p *phraseProblem) clear() {
	p.code = ""
	p.choices.Objects = nil
	p.box.Hide()
}
