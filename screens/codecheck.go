package screens

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"sesame/app"
)

// newCodeCheck checks today's authenticator code without signing in
// anywhere; beside the verdict it tells this computer's clock offset when
// it is past the limit, the usual cause of refused codes.
func newCodeCheck(s *Shell) *view {
	v := newView(lang.L("codecheck.title"))
	var f *form
	code := newCodeEntry(func(string) {
		if f != nil && f.ready() {
			f.submit.OnTapped()
		}
	})
	offset := paragraph("")
	offset.Importance = widget.WarningImportance
	offset.Hide()
	var step, done *fyne.Container
	showOffset := func(cc app.CodeCheck) {
		if !cc.ClockOff() {
			offset.Hide()
			return
		}
		key := "codecheck.clock_behind"
		d := cc.ClockOffset
		if d < 0 {
			key, d = "codecheck.clock_ahead", -d
		}
		offset.SetText(lang.LocalizeKey(key, "", map[string]any{"Offset": duration(d)}))
		offset.Show()
	}
	f = newForm(s, v, lang.L("codecheck.submit"), func() bool { return app.ValidateCode(code.Text) == nil }, func() {
		c, a := code.Text, s.App
		var cc app.CodeCheck
		f.run(func(ctx context.Context) error {
			var err error
			cc, err = a.CheckAuthenticatorCode(ctx, c)
			return err
		}, func() {
			code.SetText("")
			showOffset(cc)
			step.Hide()
			done.Show()
		}, func(err error) bool {
			code.SetText("")
			showOffset(cc)
			return false
		})
	})
	f.watch(code)
	step = container.NewVBox(paragraph(lang.L("codecheck.intro")), code, f.actions())
	done = securityDone(s, lang.L("codecheck.done"))
	done.Hide()
	v.content = container.NewVBox(step, offset, done)
	v.focus = code
	closeAlso(v, func() { code.SetText("") })
	return v
}
