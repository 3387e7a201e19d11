package screens

import (
	"context"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"

	"sesame/app"
)

// newCreateAccount is the account-creation form: email, the password twice
// with the strength meter, and "remember me". Create asks the server to
// mail a code; the activation step then replaces this view.
func newCreateAccount(s *Shell, email string) *view {
	v := newView(lang.L("register.title"))
	addr := newEmailEntry()
	addr.SetText(email)
	pw := newNewPassword(func() string { return addr.Text })
	// The policy refuses a password holding the address, so the meter
	// follows the address too.
	addr.OnChanged = func(string) { pw.update() }
	remember := newCheck(lang.L("signin.remember"), nil)
	var f *form
	f = newForm(s, v, lang.L("register.submit"), func() bool {
		return app.ValidateEmail(addr.Text) == nil && pw.Valid()
	}, func() {
		email, password, confirm, keep, a := addr.Text, pw.first.Text, pw.second.Text, remember.Checked, s.App
		var reg *app.Registration
		f.run(func(ctx context.Context) error {
			r, err := a.Register(ctx, email, password, confirm)
			reg = r
			return err
		}, func() {
			s.Replace(newVerifyEmail(s, reg, keep))
		}, nil)
	})
	f.watch(append(append([]formField{addr}, pw.Fields()...), remember)...)
	rows := append([]fieldRow{{lang.L("signin.email"), addr}},
		pw.Rows(lang.L("field.label_password"), lang.L("field.label_repeat"))...)
	v.content = container.NewVBox(
		paragraph(lang.L("register.intro")),
		labelled(rows...), remember, f.actions(),
	)
	closeAlso(v, pw.Clear)
	v.focus = addr
	if email != "" {
		v.focus = pw.first
	}
	return v
}
