package screens

import (
	"context"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

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
	remember := widget.NewCheck(lang.L("signin.remember"), nil)
	var f *form
	var submit func()
	f = newForm(s, v, lang.L("register.submit"), func() bool {
		return app.ValidateEmail(addr.Text) == nil && pw.Valid()
	}, func() { submit() })
	submit = func() {
		email, password, confirm, keep := addr.Text, pw.first.Text, pw.second.Text, remember.Checked
		var reg *app.Registration
		f.fail.actions[app.RemedyRetry] = submit
		f.run(func(ctx context.Context) error {
			r, err := s.App.Register(ctx, email, password, confirm)
			reg = r
			return err
		}, func() {
			pw.first.SetText("")
			pw.second.SetText("")
			s.Replace(newVerifyEmail(s, reg, keep))
		}, nil)
	}
	f.watch(append([]*widget.Entry{addr}, pw.Entries()...)...)
	v.content = container.NewVBox(
		paragraph(lang.L("register.intro")),
		addr, pw.Object(), remember, f.actions(),
	)
	v.focus = addr
	if email != "" {
		v.focus = pw.first
	}
	return v
}
