package screens

import (
	"context"
	"strings"

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
	var submit func()
	f = newForm(s, v, lang.L("forgot.send"), func() bool { return app.ValidateEmail(addr.Text) == nil }, func() { submit() })
	submit = func() {
		email := addr.Text
		var reset *app.PasswordReset
		f.fail.actions[app.RemedyRetry] = submit
		f.run(func(ctx context.Context) error {
			r, err := s.App.StartPasswordReset(ctx, email)
			reset = r
			return err
		}, func() { s.Replace(newForgotCode(s, reset)) }, nil)
	}
	f.watch(addr)
	wallet := widget.NewButton(lang.L("forgot.restore_wallet"), func() { s.Push(newRestoreWallet(s)) })
	wallet.Importance = widget.LowImportance
	v.content = container.NewVBox(
		paragraph(lang.L("forgot.intro")), addr, f.actions(),
		widget.NewSeparator(),
		paragraph(lang.L("forgot.account_only")), container.NewHBox(wallet),
	)
	v.focus = addr
	return v
}

// newForgotCode is the step of the mailed reset code.
func newForgotCode(s *Shell, reset *app.PasswordReset) *view {
	v := newView(lang.L("forgot.title"))
	c := newMailedCodeStep(s, v, lang.L("forgot.check_code"),
		func() app.Mailed { return reset.Mailed },
		reset.Resend,
		reset.Verify,
		func() { s.Replace(newForgotNewPassword(s, reset)) })
	intro := paragraph(lang.LocalizeKey("forgot.code_sent", "", map[string]any{"Email": reset.Email}))
	v.content = container.NewVBox(intro, c.object())
	v.focus = c.entry
	return v
}

// newForgotNewPassword is the step of the new password, with the second
// factor when the account has two-factor sign-in on.
func newForgotNewPassword(s *Shell, reset *app.PasswordReset) *view {
	v := newView(lang.L("forgot.title"))
	pw := newNewPassword(func() string { return reset.Email })
	second := widget.NewEntry()
	second.SetPlaceHolder(lang.L("forgot.second_factor"))
	valid := func() bool {
		if !pw.Valid() {
			return false
		}
		return !reset.TwoFactorRequired || forgotSecondFactorValid(second.Text)
	}
	var f *form
	var submit func()
	f = newForm(s, v, lang.L("forgot.change"), valid, func() { submit() })
	submit = func() {
		password, confirm, code := pw.first.Text, pw.second.Text, second.Text
		f.fail.actions[app.RemedyRetry] = submit
		f.run(func(ctx context.Context) error {
			if err := reset.Complete(ctx, password, confirm, code); err != nil {
				return err
			}
			// The reset ended every session, this app's too when it was
			// signed in: forget it here, so signing in starts afresh.
			if s.App.Account() != "" {
				_ = s.App.SignOut(ctx)
			}
			return nil
		}, func() {
			pw.first.SetText("")
			pw.second.SetText("")
			second.SetText("")
			s.Reset(newForgotDone(s))
		}, func(err error) bool {
			if isCode(err, "invalid_two_factor_code") {
				second.SetText("")
			}
			return false
		})
	}
	// A reset that took too long starts again at its first step.
	f.fail.actions[app.RemedyResetPassword] = func() { s.Replace(newForgotPassword(s, reset.Email)) }
	entries := pw.Entries()
	content := container.NewVBox(
		paragraph(lang.LocalizeKey("forgot.new_intro", "", map[string]any{"Email": reset.Email})),
		paragraph(lang.L("forgot.signed_out_note")),
		pw.Object(),
	)
	if reset.TwoFactorRequired {
		entries = append(entries, second)
		content.Add(paragraph(lang.L("forgot.two_factor")))
		content.Add(second)
	}
	f.watch(entries...)
	content.Add(f.actions())
	v.content = content
	v.focus = pw.first
	return v
}

// forgotSecondFactorValid reports whether code is an authenticator code or
// a recovery code.
func forgotSecondFactorValid(code string) bool {
	code = strings.TrimSpace(code)
	if app.ValidateCode(code) == nil {
		return true
	}
	_, err := app.NormalizeRecoveryCode(code)
	return err == nil
}

// newForgotDone is the end of the reset: the password changed and every
// session signed out; the way on is signing in.
func newForgotDone(s *Shell) *view {
	v := newView(lang.L("forgot.title"))
	signIn := widget.NewButton(lang.L("forgot.sign_in"), func() { s.Reset(newSignIn(s, nil)) })
	signIn.Importance = widget.HighImportance
	v.content = container.NewVBox(
		heading(lang.L("forgot.done")),
		paragraph(lang.L("forgot.done_detail")),
		signIn,
	)
	return v
}
