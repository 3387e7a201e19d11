package screens

import (
	"errors"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sesame/app"
)

// newPasswordEntry is a password field with the show/hide action.
func newPasswordEntry(placeholder string) *entry {
	e := newSecretEntry()
	e.SetPlaceHolder(placeholder)
	return e
}

// newEmailEntry is an email field checked by app.ValidateEmail. An empty
// field is not marked: the form's button stays disabled, and leaving the
// field before typing is no mistake.
func newEmailEntry() *entry {
	e := newEntry()
	e.SetPlaceHolder(lang.L("field.email_placeholder"))
	e.Validator = func(s string) error {
		if s == "" {
			return nil
		}
		return app.ValidateEmail(s)
	}
	return e
}

// newCodeEntry is a 6-digit code field checked by app.ValidateCode (an
// empty one is not marked); full runs once the field holds a valid code,
// so the form sends itself.
func newCodeEntry(full func(code string)) *entry { return newCodeEntryOf(app.ValidateCode, full) }

// newCodeEntryOf is newCodeEntry checked by valid.
func newCodeEntryOf(valid func(string) error, full func(code string)) *entry {
	e := newEntry()
	e.SetPlaceHolder("123456")
	e.Validator = func(s string) error {
		if s == "" {
			return nil
		}
		return valid(s)
	}
	e.OnChanged = func(s string) {
		if full != nil && valid(s) == nil {
			full(s)
		}
	}
	return e
}

// newPassword is a new password typed twice, with the strength meter and
// the policy's reasons: an account password checked by app.CheckPassword
// against the account's email, or a wallet password checked by
// app.CheckWalletPassword.
type newPassword struct {
	first, second *entry
	meter         *strengthMeter
	email         func() string
	// policy checks the first field.
	policy func(pw string) error
}

// newNewPassword is a new account password of the account email names.
func newNewPassword(email func() string) *newPassword {
	p := &newPassword{email: email}
	p.policy = func(pw string) error { return app.CheckPassword(pw, p.mail()) }
	return p.build()
}

// newWalletPassword is a new wallet password of a's account, which warns
// when it is the account password.
func newWalletPassword(a *app.App) *newPassword {
	p := (&newPassword{policy: app.CheckWalletPassword}).build()
	p.first.typing = a.WalletPasswordWarnings
	return p
}

func (p *newPassword) build() *newPassword {
	p.first = newPasswordEntry(lang.L("field.new_password"))
	p.second = newPasswordEntry(lang.L("field.repeat_password"))
	p.meter = newStrengthMeter()
	p.first.refused = p.reason
	p.first.OnChanged = func(string) {
		p.update()
		// The repeat is checked against the first field.
		if p.second.Text != "" {
			p.second.Validate()
		}
	}
	p.second.Validator = func(s string) error {
		if s != "" && s != p.first.Text {
			return app.ErrPasswordsDiffer
		}
		return nil
	}
	p.update()
	return p
}

// strengthKeys name the meter's levels, 0 (refused) to 4.
var strengthKeys = []string{"strength.0", "strength.1", "strength.2", "strength.3", "strength.4"}

func (p *newPassword) mail() string {
	if p.email == nil {
		return ""
	}
	return p.email()
}

// update redraws the meter and the caption of the first field.
func (p *newPassword) update() {
	pw := p.first.Text
	p.meter.Set(app.Strength(pw, p.mail()), pw == "")
	p.first.checkTyping()
}

// reason is the policy's first reason to refuse pw, for the caption line
// under the first field; the next shows once the first is mended.
func (p *newPassword) reason(pw string) string {
	var weak *app.WeakPasswordError
	if pw != "" && errors.As(p.policy(pw), &weak) && len(weak.Reasons) > 0 {
		return reasonText(weak.Reasons[0])
	}
	return ""
}

// Valid reports whether the password passes the policy and both fields are
// the same.
func (p *newPassword) Valid() bool {
	return p.policy(p.first.Text) == nil && p.first.Text == p.second.Text
}

// Fields are the two fields, for form.watch.
func (p *newPassword) Fields() []formField { return []formField{p.first, p.second} }

// Rows are the two fields beside their labels, with the meter between
// them, for labelled.
func (p *newPassword) Rows(first, second string) []fieldRow {
	return []fieldRow{
		{first, p.first},
		{"", p.meter.box},
		{second, p.second},
	}
}

// Clear empties both fields.
func (p *newPassword) Clear() {
	p.first.SetText("")
	p.second.SetText("")
}

// strengthMeter shows a new password's strength as four segments and a
// word: none lit and "Too weak" when the policy refuses it, then one
// (weak, in the error colour) to four (very strong, in the success colour).
type strengthMeter struct {
	segments [4]*canvas.Rectangle
	word     *widget.Label
	box      *fyne.Container
}

func newStrengthMeter() *strengthMeter {
	m := &strengthMeter{word: widget.NewLabel("")}
	bars := container.NewGridWithColumns(len(m.segments))
	for i := range m.segments {
		r := canvas.NewRectangle(color.Transparent)
		r.SetMinSize(fyne.NewSize(20, 6))
		r.CornerRadius = 3
		m.segments[i] = r
		bars.Add(r)
	}
	centred := container.NewVBox(layout.NewSpacer(), bars, layout.NewSpacer())
	m.box = container.NewBorder(nil, nil, nil, m.word, centred)
	m.Set(0, true)
	return m
}

// Set shows level (0–4); empty hides the word while nothing is typed.
func (m *strengthMeter) Set(level int, empty bool) {
	th := theme.Current()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	lit := th.Color(theme.ColorNameError, v)
	switch {
	case level >= 3:
		lit = th.Color(theme.ColorNameSuccess, v)
	case level == 2:
		lit = th.Color(theme.ColorNameWarning, v)
	}
	for i, r := range m.segments {
		r.FillColor = th.Color(theme.ColorNameInputBackground, v)
		if i < level {
			r.FillColor = lit
		}
		r.Refresh()
	}
	m.word.Importance = widget.MediumImportance
	if level == 0 {
		m.word.Importance = widget.DangerImportance
	}
	if empty {
		m.word.SetText(" ")
		return
	}
	m.word.SetText(lang.L(strengthKeys[level]))
}

// fieldProblem is what a field's validator refuses, in words: the field's
// own text ("field_error.<code>"), else the failure's.
func fieldProblem(err error) string {
	code := app.ErrorCode(err)
	return lang.LocalizeKey("field_error."+string(code), lang.LocalizeKey("error."+string(code), lang.L("error.other")))
}

// fieldRow is a field and the text of its label ("" for none).
type fieldRow struct {
	label string
	field fyne.CanvasObject
}

// labelled lays fields out beside their bold labels, in two columns as a
// form does. Fyne's form is not used: it shows a validator's error text,
// which is not for the user's eyes.
func labelled(rows ...fieldRow) *fyne.Container {
	objs := make([]fyne.CanvasObject, 0, 2*len(rows))
	for _, r := range rows {
		field := r.field
		if e, ok := field.(*entry); ok {
			field = e.framed()
		}
		objs = append(objs, widget.NewLabelWithStyle(r.label, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true}), field)
	}
	return container.New(layout.NewFormLayout(), objs...)
}

// heading is a bold title line.
func heading(text string) *widget.Label {
	return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

// deviceHeading is a device's name as a heading that wraps, inside a word
// too long for a line too: a name is up to 64 characters of the client's
// choosing, and must not widen the window.
func deviceHeading(name string) *wrapLabel {
	l := paragraph(name)
	l.TextStyle.Bold = true
	return l
}

// paragraph is wrapping text.
func paragraph(text string) *wrapLabel { return newWrapLabel(text) }
