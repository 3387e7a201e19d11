package screens

import (
	"context"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"sesame/app"
)

// newForgotPassword is the first step of the account password reset: the
// email that gets the code. It says that only the account password is reset
// here and leads to the restore from the recovery phrase for a forgotten
// wallet password. The steps after it replace it: the code, the new
// password, then the end.
func newForgotPassword(s *Shell, email string) *view {
	v := newView(lang.L("forgot.title"))
	addr := newEmailEntry()
	addr.SetText(email)
	var f *form
	f = newForm(s, v, lang.L("forgot.send"), func() bool { return app.ValidateEmail(addr.Text) == nil }, func() {
		email, a := addr.Text, s.App
		var reset *app.PasswordReset
		f.run(func(ctx context.Context) error {
			r, err := a.StartPasswordReset(ctx, email)
			reset = r
			return err
		}, func() { s.Replace(newForgotCode(s, reset)) }, nil)
	})
	f.watch(addr)
	wallet := newButton(lang.L("forgot.restore_wallet"), func() { s.Push(newRestoreWallet(s)) })
	wallet.Importance = widget.LowImportance
	v.content = container.NewVBox(
		paragraph(lang.L("forgot.intro")),
		labelled(fieldRow{lang.L("signin.email"), addr}),
		f.actions(),
		widget.NewSeparator(),
		paragraph(lang.L("forgot.account_only")), container.NewHBox(wallet),
	)
	v.focus = addr
	return v
}

// newForgotCode is the step of the mailed reset code, which may be sent by
// SMS instead.
func newForgotCode(s *Shell, reset *app.PasswordReset) *view {
	v := newView(lang.L("forgot.title"))
	c := newMailedCodeStep(s, v, lang.L("forgot.check_code"), reset.Email, lang.L("mail.subject.reset"),
		func() app.Mailed { return reset.Mailed },
		reset.Resend,
		reset.Verify,
		func() { s.Replace(newForgotNewPassword(s, reset)) }).takesLongCodes()
	// The intro says where the live code went: by mail, or by SMS.
	intro := paragraph("")
	setIntro := func() {
		key := "forgot.code_sent"
		if reset.BySMS {
			key = "forgot.code_sent_sms"
		}
		intro.SetText(lang.LocalizeKey(key, "", map[string]any{"Email": reset.Email}))
	}
	setIntro()
	c.sent = setIntro
	// When the mail does not arrive, the code may come by SMS instead.
	sms := c.alternative(lang.L("forgot.sms_intro"), lang.L("forgot.sms_send"), lang.L("forgot.sms_sent"), reset.SendBySMS)
	v.content = container.NewVBox(intro, c.object(), widget.NewSeparator(), sms)
	v.focus = c.entry
	return v
}

// newForgotNewPassword is the step of the new password, with the second
// factor when the account has two-factor sign-in on.
func newForgotNewPassword(s *Shell, reset *app.PasswordReset) *view {
	v := newView(lang.L("forgot.title"))
	pw := newNewPassword(func() string { return reset.Email })
	second := newEntry()
	second.SetPlaceHolder(lang.L("forgot.second_factor"))
	valid := func() bool {
		if !pw.Valid() {
			return false
		}
		return !reset.TwoFactorRequired || app.ValidateSecondFactor(second.Text) == nil
	}
	var f *form
	f = newForm(s, v, lang.L("forgot.change"), valid, func() {
		password, confirm, code, a := pw.first.Text, pw.second.Text, second.Text, s.App
		f.run(func(ctx context.Context) error {
			if err := reset.Complete(ctx, password, confirm, code); err != nil {
				return err
			}
			// The reset ended every session, this app's too when it was
			// signed in: forget it here, so signing in starts afresh.
			if a.Account() != "" {
				_ = a.SignOut(ctx)
			}
			return nil
		}, func() {
			s.Reset(newForgotDone(s, reset.Email))
		}, func(err error) bool {
			if codeRefused(err) {
				second.SetText("")
			}
			return false
		})
	})
	// A reset that took too long starts again at its first step.
	f.fail.actions[app.RemedyResetPassword] = func() { s.Replace(newForgotPassword(s, reset.Email)) }
	fields := pw.Fields()
	rows := pw.Rows(lang.L("field.label_new_password"), lang.L("field.label_repeat"))
	content := container.NewVBox(
		paragraph(lang.LocalizeKey("forgot.new_intro", "", map[string]any{"Email": reset.Email})),
		paragraph(lang.L("forgot.signed_out_note")),
	)
	if reset.TwoFactorRequired {
		fields = append(fields, second)
		rows = append(rows, fieldRow{lang.L("field.label_code"), second})
		content.Add(paragraph(lang.L("forgot.two_factor")))
	}
	f.watch(fields...)
	content.Add(labelled(rows...))
	content.Add(f.actions())
	v.content = content
	v.focus = pw.first
	closeAlso(v, func() {
		pw.Clear()
		second.SetText("")
	})
	return v
}

// newForgotDone is the end of the reset: the password changed and every
// session signed out; the way on is signing in as email.
func newForgotDone(s *Shell, email string) *view {
	v := newView(lang.L("forgot.title"))
	signIn := newButton(lang.L("forgot.sign_in"), func() { s.Reset(newSignInFrom(s, signInStart{email: email})) })
	signIn.Importance = widget.HighImportance
	v.content = container.NewVBox(
		heading(lang.L("forgot.done")),
		paragraph(lang.L("forgot.done_detail")),
		signIn,
	)
	return v
}
