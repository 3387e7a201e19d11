package screens

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"sesame/app"
)

// The security centre's phone number: a second way back for a password
// reset whose mail does not arrive, never a second factor.

// newAddPhone adds a phone number (or replaces the one the account has):
// the number and the account password, then the code texted to it
// (newPhoneCode).
func newAddPhone(s *Shell) *view {
	v := newView(lang.L("security.phone.title"))
	a := s.App
	number := newEntry()
	number.SetPlaceHolder(lang.L("security.phone.placeholder"))
	number.Validator = func(t string) error { _, err := a.ParsePhone(t); return err }
	password := newPasswordEntry(lang.L("security.account_password"))
	var f *form
	f = newForm(s, v, lang.L("security.phone.send"), func() bool {
		_, err := a.ParsePhone(number.Text)
		return err == nil && password.Text != ""
	}, func() {
		n, pw := number.Text, password.Text
		var change *app.PhoneChange
		f.run(func(ctx context.Context) error {
			var err error
			change, err = a.AddPhone(ctx, n, pw)
			return err
		}, func() {
			password.SetText("")
			// Replaced: the code is on its way, a new one comes from there.
			s.Replace(newPhoneCode(s, change))
		}, passwordRefused(s, password))
	})
	f.watch(number, password)
	f.fail.actions[app.RemedyResetPassword] = func() { s.Push(newForgotPassword(s, a.Account())) }
	note := paragraph(lang.L("security.phone.not_second_factor"))
	note.Importance = widget.LowImportance
	v.content = container.NewVBox(
		paragraph(lang.L("security.phone.intro")), note,
		labelled(fieldRow{lang.L("field.label_phone"), number}, fieldRow{lang.L("field.label_password"), password}),
		f.actions(),
	)
	v.focus = number
	closeAlso(v, func() { password.SetText("") })
	return v
}

// newPhoneCode is the code texted to the number being added, with its
// expiry and resend under the cooldown, as a mailed code's step.
func newPhoneCode(s *Shell, change *app.PhoneChange) *view {
	v := newView(lang.L("security.phone.title"))
	var step, done *fyne.Container
	c := newMailedCodeStep(s, v, lang.L("security.phone.verify"), "", "",
		func() app.Mailed { return change.Mailed }, change.Resend, change.Verify,
		func() {
			step.Hide()
			done.Show()
		})
	step = container.NewVBox(paragraph(lang.LocalizeKey("security.phone.sent", "", map[string]any{"Phone": change.Phone})), c.object())
	done = securityDone(s, lang.L("security.phone.added"))
	done.Hide()
	v.content = container.NewVBox(step, done)
	v.focus = c.entry
	closeAlso(v, change.Forget)
	return v
}

// newRemovePhone removes the account's phone number, shown masked, with the
// account password.
func newRemovePhone(s *Shell, masked string) *view {
	v := newView(lang.L("security.phone.remove_title"))
	password := newPasswordEntry(lang.L("security.account_password"))
	var f *form
	var step, done *fyne.Container
	f = newForm(s, v, lang.L("security.phone.remove"), func() bool { return password.Text != "" }, func() {
		pw, a := password.Text, s.App
		f.run(func(ctx context.Context) error { return a.RemovePhone(ctx, pw) }, func() {
			password.SetText("")
			step.Hide()
			done.Show()
		}, passwordRefused(s, password))
	})
	f.submit.Importance = widget.DangerImportance
	f.watch(password)
	f.fail.actions[app.RemedyResetPassword] = func() { s.Push(newForgotPassword(s, s.App.Account())) }
	step = container.NewVBox(
		paragraph(lang.LocalizeKey("security.phone.remove_intro", "", map[string]any{"Phone": masked})),
		labelled(fieldRow{lang.L("field.label_password"), password}),
		f.actions(),
	)
	done = securityDone(s, lang.L("security.phone.removed"))
	done.Hide()
	v.content = container.NewVBox(step, done)
	v.focus = password
	closeAlso(v, func() { password.SetText("") })
	return v
}
