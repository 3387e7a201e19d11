package screens

import (
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
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
	meter         *widget.ProgressBar
	reasons       *widget.Label
	email         func() string
}

func newNewPassword(email func() string) *newPassword {
	p := &newPassword{email: email}
	p.first = newPasswordEntry(lang.L("field.new_password"))
	p.second = newPasswordEntry(lang.L("field.repeat_password"))
	p.meter = widget.NewProgressBar()
	p.meter.Max = 4
	p.meter.TextFormatter = func() string { return lang.L(strengthKeys[int(p.meter.Value)]) }
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
	p.meter.SetValue(float64(app.Strength(pw, p.mail())))
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
	return container.NewVBox(p.first, p.meter, p.reasons, p.second)
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
