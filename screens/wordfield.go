package screens

import (
	"image/color"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sesame/recovery"
)

const (
	// maxCompletions is how many completions the suggestion bar offers.
	maxCompletions = 5
	// maxPinyin is how many Chinese words it offers for typed pinyin.
	maxPinyin = 10
	// traditionalPlaces is how many of them the Traditional list's own
	// words keep while the list is not known.
	traditionalPlaces = 3
)

// wordField is one word of a recovery phrase: an entry that completes the
// word from the wordlist, or offers the Chinese words that read as typed
// pinyin (Tab, Enter or a tap on a suggestion accepts), and marks it when
// it is not in the list. Its text is a secret: it is never
// logged, and its owner clears it when the view closes.
type wordField struct {
	entry  *wordEntry
	number *widget.Label
	obj    fyne.CanvasObject
	// lang is the wordlist of the completion and the check; 0 is any list.
	lang func() recovery.Language
	bar  *suggestionBar
	// changed runs after each change of the text.
	changed func(*wordField)
	// left runs when the field loses the keyboard.
	left func(*wordField)
	// next runs after a word was accepted with Tab, Enter, a space or a
	// suggestion: the owner moves on to the next field.
	next func(*wordField)
	// entered runs after Enter completed the word; nil moves on as next.
	entered func(*wordField)
	// pasted runs with the words when the text holds several of them (a
	// pasted phrase); the owner spreads them over its fields.
	pasted func(*wordField, []string)
	// focused is whether the entry has the keyboard.
	focused bool
}

// wordEntry is the entry of a wordField.
type wordEntry struct {
	widget.Entry
	field *wordField
}

// newWordField makes the field of word n (1-based; 0 shows no number),
// completing from lang's list and offering its completions in bar.
func newWordField(n int, lang func() recovery.Language, bar *suggestionBar) *wordField {
	w := &wordField{lang: lang, bar: bar}
	w.entry = &wordEntry{field: w}
	w.entry.ExtendBaseWidget(w.entry)
	w.entry.Wrapping = fyne.TextWrapOff
	w.entry.Scroll = container.ScrollNone
	w.entry.Validator = func(string) error {
		if w.Word() == "" || w.Known() {
			return nil
		}
		return recovery.ErrUnknownWord
	}
	w.entry.OnChanged = func(string) { w.onChanged() }
	w.entry.OnSubmitted = func(string) {
		if w.entered == nil {
			w.accept()
			return
		}
		w.complete()
		w.entered(w)
	}
	w.number = widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{})
	if n > 0 {
		w.number.SetText(strconv.Itoa(n) + ".")
		// Every number is as wide as "24.", so that the fields of a
		// column line up from word 1 to word 24.
		width := canvas.NewRectangle(color.Transparent)
		width.SetMinSize(widget.NewLabel("24.").MinSize())
		w.obj = container.NewBorder(nil, nil, container.NewStack(width, w.number), nil, w.entry)
	} else {
		w.obj = w.entry
	}
	return w
}

// language is the list the field checks against, 0 for any.
func (w *wordField) language() recovery.Language {
	if w.lang == nil {
		return 0
	}
	return w.lang()
}

// Word is the typed word without surrounding spaces.
func (w *wordField) Word() string { return strings.TrimFunc(w.entry.Text, isWordSeparator) }

// SetWord replaces the text.
func (w *wordField) SetWord(word string) { w.entry.SetText(word) }

// Clear empties the field.
func (w *wordField) Clear() {
	w.entry.SetText("")
	w.setBad(false)
}

// Known reports whether the word is in the list.
func (w *wordField) Known() bool { return inWordlist(w.language(), w.Word()) }

// Suggestions are the list words that start with the typed text, then
// the Chinese words that read as it, unless the text is a word already.
func (w *wordField) Suggestions() []string {
	if w.Known() {
		return nil
	}
	var out []string
	for _, row := range w.suggestions().rows() {
		out = append(out, row.words...)
	}
	return out
}

// wordSuggestions are what the bar offers for a typed text.
type wordSuggestions struct {
	// completions are the list words that start with the text.
	completions []string
	// simplified and traditional are the Chinese words that read as it;
	// traditional only while the list is not known: the Traditional
	// list's own words.
	simplified, traditional []string
	// pinyinFirst puts the Chinese words before the completions: for a
	// Chinese list, or before the list is known, a Chinese interface.
	pinyinFirst bool
}

// pinyin are the Chinese words, Simplified first.
func (s wordSuggestions) pinyin() []string {
	return append(slices.Clip(s.simplified), s.traditional...)
}

// rows are the bar's rows in order; the Traditional words, after the
// Simplified ones, are marked with their list's name.
func (s wordSuggestions) rows() []barRow {
	var traditional string
	if len(s.traditional) > 0 {
		traditional = wordlistName(recovery.ChineseTraditional)
	}
	pinyin := barRow{words: s.pinyin(), mark: len(s.simplified), markText: traditional}
	completions := barRow{words: s.completions}
	if s.pinyinFirst {
		return []barRow{pinyin, completions}
	}
	return []barRow{completions, pinyin}
}

// suggestions are what the bar offers: the completions of a word not in
// the list, and the Chinese words that read as the text, also when it is
// a word of another list while the phrase's list is not known ("can" is
// English and pinyin).
func (w *wordField) suggestions() wordSuggestions {
	word := w.Word()
	known := w.Known()
	list := w.language()
	if word == "" || known && list.Valid() {
		return wordSuggestions{}
	}
	var s wordSuggestions
	if !known {
		s.completions = completeWord(list, word)
	}
	s.simplified, s.traditional = pinyinWords(list, word)
	if !list.Valid() {
		list = defaultWordlist()
	}
	s.pinyinFirst = list == recovery.ChineseSimplified || list == recovery.ChineseTraditional
	return s
}

// pending reports whether Tab or Enter would complete the word.
func (w *wordField) pending() bool { return len(w.Suggestions()) > 0 }

// complete replaces the typed text with the first suggestion, if any.
func (w *wordField) complete() {
	if s := w.Suggestions(); len(s) > 0 {
		w.SetWord(s[0])
	}
}

// accept completes the word and moves on.
func (w *wordField) accept() {
	w.complete()
	if w.next != nil {
		w.next(w)
	}
}

// onChanged handles a change of the text: a pasted phrase, a word ended
// by a space, or a word being typed.
func (w *wordField) onChanged() {
	text := w.entry.Text
	if words := splitPhrase(text); len(words) > 1 && w.pasted != nil {
		w.pasted(w, words)
		return
	}
	if trimmed := strings.TrimFunc(text, isWordSeparator); trimmed != text && trimmed != "" &&
		strings.IndexFunc(text, isWordSeparator) >= len(trimmed) {
		// A space after a word ends it: keep the word, or take the first
		// Chinese word of typed pinyin as an input method does, when the
		// Chinese words come first or alone, and move on.
		w.SetWord(trimmed)
		if sg := w.suggestions(); !w.Known() && (len(sg.completions) == 0 || sg.pinyinFirst) && len(sg.pinyin()) > 0 {
			w.SetWord(sg.pinyin()[0])
		}
		if w.next != nil {
			w.next(w)
		}
		return
	}
	w.update()
	if w.changed != nil {
		w.changed(w)
	}
}

// update shows the field's completions and its mark.
func (w *wordField) update() {
	switch {
	case w.bar == nil:
	case w.focused:
		w.bar.show(w, w.suggestions().rows()...)
	case w.bar.owner == w:
		w.bar.hide()
	}
	w.setBad(w.bad())
}

// bad reports whether the word is surely wrong: not in the list, and not
// the start of a list word or pinyin still being typed.
func (w *wordField) bad() bool {
	return w.Word() != "" && !w.Known() && (!w.focused || !w.pending())
}

// setBad marks the field's number when its word is wrong.
func (w *wordField) setBad(bad bool) {
	imp := widget.MediumImportance
	if bad {
		imp = widget.DangerImportance
	}
	if w.number.Importance != imp {
		w.number.Importance = imp
		w.number.Refresh()
	}
}

// recheck validates the word again, after the wordlist changed.
func (w *wordField) recheck() {
	_ = w.entry.Validate()
	w.setBad(w.bad())
}

// markWrong marks the field as wrong whatever its word, until it changes.
func (w *wordField) markWrong() {
	w.entry.SetValidationError(recovery.ErrUnknownWord)
	w.setBad(true)
}

// watchWordFields makes fields the fields of form f, in order: f checks
// again after each change (after the field's own changed), an accepted
// word moves the keyboard to the next field, and Enter in the last submits.
func watchWordFields(s *Shell, f *form, fields []*wordField) {
	for i, w := range fields {
		own := w.changed
		w.changed = func(w *wordField) {
			if own != nil {
				own(w)
			}
			f.check()
		}
		w.next = func(*wordField) {
			if i+1 < len(fields) {
				s.Win.Canvas().Focus(fields[i+1].entry)
			}
		}
		w.entered = func(w *wordField) {
			if i+1 < len(fields) {
				w.next(w)
				return
			}
			f.submit.OnTapped()
		}
	}
}

// AcceptsTab takes Tab only while it completes the word.
func (e *wordEntry) AcceptsTab() bool { return e.field.pending() }

// TypedKey completes the word on Tab and hands Escape to the window.
func (e *wordEntry) TypedKey(k *fyne.KeyEvent) {
	switch k.Name {
	case fyne.KeyTab:
		e.field.accept()
	case fyne.KeyEscape:
		escapeKey(e)
	default:
		e.Entry.TypedKey(k)
	}
}

// TypedShortcut spreads a pasted phrase over the fields instead of
// inserting it into this one. Copy and Cut do nothing: a word of the
// phrase never goes to the clipboard, from the keys or the field's menu.
func (e *wordEntry) TypedShortcut(s fyne.Shortcut) {
	switch s := s.(type) {
	case *fyne.ShortcutCopy, *fyne.ShortcutCut:
		return
	case *fyne.ShortcutPaste:
		if s.Clipboard != nil && e.field.pasted != nil {
			if words := splitPhrase(s.Clipboard.Content()); len(words) > 1 {
				e.field.pasted(e.field, words)
				return
			}
		}
	}
	e.Entry.TypedShortcut(s)
}

// fyneEntry is the Fyne entry inside.
func (e *wordEntry) fyneEntry() *widget.Entry { return &e.Entry }

// FocusGained shows the field's completions.
func (e *wordEntry) FocusGained() {
	e.field.focused = true
	e.Entry.FocusGained()
	e.field.update()
}

// FocusLost marks a wrong word once the field is left.
func (e *wordEntry) FocusLost() {
	e.field.focused = false
	e.Entry.FocusLost()
	e.field.setBad(e.field.bad())
	if e.field.left != nil {
		e.field.left(e.field)
	}
}

// suggestionBar shows the suggestions of the field being typed in, as
// buttons that fill the word: a row of completions, a row of Chinese
// words for pinyin. It keeps the place of the rows it reserves, so that
// what is below does not move as suggestions come and go.
type suggestionBar struct {
	// obj is the bar in its place.
	obj   fyne.CanvasObject
	box   *fyne.Container
	owner *wordField
}

// barRow is a row of suggestions; markText, unless "", stands before
// words[mark:].
type barRow struct {
	words    []string
	mark     int
	markText string
}

// newSuggestionBar reserves the height of rows rows of buttons.
func newSuggestionBar(rows int) *suggestionBar {
	b := &suggestionBar{box: container.NewVBox()}
	b.box.Hide()
	place := canvas.NewRectangle(color.Transparent)
	if rows > 0 {
		h := newButton("", nil).MinSize().Height
		place.SetMinSize(fyne.NewSize(0, float32(rows)*h+float32(rows-1)*theme.Padding()))
	}
	b.obj = container.NewStack(place, b.box)
	return b
}

// show offers the words of each row for field w; none hides the bar.
func (b *suggestionBar) show(w *wordField, rows ...barRow) {
	b.owner = w
	b.box.Objects = nil
	for _, r := range rows {
		if len(r.words) == 0 {
			continue
		}
		row := container.NewHBox()
		for i, word := range r.words {
			if i == r.mark && r.markText != "" {
				mark := widget.NewLabel(r.markText)
				mark.Importance = widget.LowImportance
				row.Add(mark)
			}
			row.Add(newButton(word, func() {
				if b.owner != w {
					return
				}
				w.SetWord(word)
				b.hide()
				if w.next != nil {
					w.next(w)
				}
			}))
		}
		b.box.Add(row)
	}
	if len(b.box.Objects) == 0 {
		b.box.Hide()
	} else {
		b.box.Show()
	}
	b.box.Refresh()
}

// hide empties the bar.
func (b *suggestionBar) hide() {
	b.owner = nil
	b.box.Objects = nil
	b.box.Hide()
}

// completeWord lists the words of lang that start with prefix; with lang
// 0, those of the first list that has any.
func completeWord(lang recovery.Language, prefix string) []string {
	if lang.Valid() {
		return recovery.Complete(lang, prefix, maxCompletions)
	}
	for _, l := range recovery.Languages() {
		if words := recovery.Complete(l, prefix, maxCompletions); len(words) > 0 {
			return words
		}
	}
	return nil
}

// pinyinWords lists the words of lang, a Chinese list, that read as the
// typed pinyin. With lang 0, before the words typed say which list, the
// Simplified list's words, then those of the Traditional list that
// differ, which keep the last traditionalPlaces of the bar.
func pinyinWords(lang recovery.Language, pinyin string) (simplified, traditional []string) {
	if lang.Valid() {
		return recovery.PinyinCandidates(lang, pinyin, maxPinyin), nil
	}
	simplified = recovery.PinyinCandidates(recovery.ChineseSimplified, pinyin, maxPinyin)
	for _, w := range recovery.PinyinCandidates(recovery.ChineseTraditional, pinyin, maxPinyin) {
		if !slices.Contains(simplified, w) {
			traditional = append(traditional, w)
		}
	}
	keep := min(len(simplified), max(maxPinyin-len(traditional), maxPinyin-traditionalPlaces))
	return simplified[:keep:keep], traditional[:min(len(traditional), maxPinyin-keep)]
}

// inWordlist reports whether word is in lang's list, or in any list for
// lang 0. Only a list that completes the word is asked: recovery.CheckWord
// looks for suggestions when the word is not in it, which is slow.
func inWordlist(lang recovery.Language, word string) bool {
	if strings.TrimFunc(word, isWordSeparator) == "" {
		return false
	}
	langs := []recovery.Language{lang}
	if !lang.Valid() {
		langs = recovery.Languages()
	}
	for _, l := range langs {
		if len(recovery.Complete(l, word, 1)) > 0 && recovery.CheckWord(l, word) == nil {
			return true
		}
	}
	return false
}

// isWordSeparator reports the separators of a phrase's words: white space
// (ideographic space included) and zero-width spaces.
func isWordSeparator(r rune) bool {
	return unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff'
}

// splitPhrase splits pasted text into words. A Chinese phrase written
// without spaces is split into its characters when each is a list word.
func splitPhrase(text string) []string {
	words := strings.FieldsFunc(text, isWordSeparator)
	if len(words) != 1 {
		return words
	}
	runes := []rune(words[0])
	if len(runes) < 2 {
		return words
	}
	for _, l := range []recovery.Language{recovery.ChineseSimplified, recovery.ChineseTraditional} {
		all := true
		for _, r := range runes {
			if !inWordlist(l, string(r)) {
				all = false
				break
			}
		}
		if all {
			out := make([]string, len(runes))
			for i, r := range runes {
				out[i] = string(r)
			}
			return out
		}
	}
	return words
}
