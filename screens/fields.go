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

// newPasswordEntry is a password field with Fyne's show/hide toggle.
func newPasswordEntry(placeholder string) *widget.Entry {
	e := widget.NewPasswordEntry()
	e.SetPlaceHolder(placeholder)
	return e
}

// newEmailEntry is an email field checked by app.ValidateEmail.
func newEmailEntry() *widget.Entry {
	e := widget.NewEntry()
	e.SetPlaceHolder(lang.L("field.email_placeholder"))
	e.Validator = func(s string) error {
		if s == "" {
			return errEmpty
		}
		return app.ValidateEmail(s)
	}
	return e
}

// errEmpty marks an empty required field; it is never shown.
var errEmpty = errors.New("empty")

// newCodeEntry is a 6-digit code field checked by app.ValidateCode; full
// runs once the field holds a valid code, so the form sends itself.
func newCodeEntry(full func(code string)) *widget.Entry {
	e := widget.NewEntry()
	e.SetPlaceHolder("123456")
	e.Validator = func(s string) error { return app.ValidateCode(s) }
	e.OnChanged = func(s string) {
		if full != nil && app.ValidateCode(s) == nil {
			full(s)
		}
	}
	return e
}

// newPassword is a new password typed twice, with the strength meter and
// the policy's reasons, checked by app.CheckPassword against the account's
// email.
type newPassword struct {
	first, second *widget.Entry
	meter         *strengthMeter
	reasons       *widget.Label
	email         func() string
}

func newNewPassword(email func() string) *newPassword {
	p := &newPassword{email: email}
	p.first = newPasswordEntry(lang.L("field.new_password"))
	p.second = newPasswordEntry(lang.L("field.repeat_password"))
	p.meter = newStrengthMeter()
	p.reasons = widget.NewLabel("")
	p.reasons.Wrapping = fyne.TextWrapWord
	p.reasons.Hide()
	p.first.OnChanged = func(string) { p.update() }
	p.second.Validator = func(s string) error {
		if s != p.first.Text {
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

// update redraws the meter and the reasons for the first field.
func (p *newPassword) update() {
	pw := p.first.Text
	p.meter.Set(app.Strength(pw, p.mail()), pw == "")
	var weak *app.WeakPasswordError
	if pw != "" && errors.As(app.CheckPassword(pw, p.mail()), &weak) {
		lines := make([]string, len(weak.Reasons))
		for i, r := range weak.Reasons {
			lines[i] = "• " + reasonText(r)
		}
		p.reasons.SetText(join(lines))
		p.reasons.Show()
	} else {
		p.reasons.Hide()
	}
}

// Valid reports whether the password passes the policy and both fields are
// the same.
func (p *newPassword) Valid() bool {
	return app.CheckPassword(p.first.Text, p.mail()) == nil && p.first.Text == p.second.Text
}

// Entries are the two fields, for form.watch.
func (p *newPassword) Entries() []*widget.Entry { return []*widget.Entry{p.first, p.second} }

// Object lays the fields out with the meter between them.
func (p *newPassword) Object() fyne.CanvasObject {
	return container.NewVBox(p.first, p.meter.box, p.reasons, p.second)
}

// strengthMeter shows a new password's strength as four segments and a
// word: none lit and "Too weak" when the policy refuses it, then one
// (weak, in the error colour) to four (very strong, in the success colour).
type strengthMeter struct {
	segments [4]*canvas.Rectangle
	word     *widget.Label
	box      *fyne.Container
	level    int
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
	m.level = level
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

// heading is a bold title line.
func heading(text string) *widget.Label {
	return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

// paragraph is wrapping text.
func paragraph(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}
