package screens

import (
	"context"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// newUnlockWallet asks for the wallet password and opens the vault off the
// UI thread (key derivation takes about a second), then goes back. A wrong
// password offers the restore from the recovery phrase, and the screen says
// why the server cannot reset this password.
func newUnlockWallet(s *Shell) *view {
	v := newView(lang.L("unlock.title"))
	pw := newPasswordEntry(lang.L("unlock.password"))
	var f *form
	f = newForm(s, v, lang.L("unlock.submit"), func() bool { return pw.Text != "" }, func() {
		password, a := pw.Text, s.App
		f.run(func(ctx context.Context) error {
			_, err := a.UnlockWallet(ctx, password)
			return err
		}, func() {
			pw.SetText("")
			if len(s.stack) > 1 {
				s.Back()
			} else {
				s.Reset(newHome(s))
			}
		}, nil)
	})
	f.watch(pw)
	forgot := newIconButton(lang.L("unlock.forgot"), theme.HistoryIcon(), func() {
		s.Push(newRestoreWallet(s))
	})
	forgot.Importance = widget.LowImportance
	forgot.Alignment = widget.ButtonAlignLeading
	why := paragraph(lang.L("unlock.why"))
	why.Importance = widget.MediumImportance
	v.content = container.NewVBox(
		paragraph(lang.L("unlock.intro")),
		pw.framed(),
		f.actions(),
		widget.NewSeparator(),
		forgot,
		why,
	)
	v.focus = pw
	closeAlso(v, func() { pw.SetText("") })
	return v
}
