package screens

import (
	"context"
	"net/url"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sesame/app"
)

// enrolQRSize is the side of the QR code on screen.
const enrolQRSize = 200

// enrolment is the first step of turning on two-factor sign-in: the
// account password, then the QR code and the key to type by hand, then the
// first code of the authenticator app.
type enrolment struct {
	s        *Shell
	v        *view
	password *entry
	// step asks for the password; body shows the key once it came.
	step, body *fyne.Container
}

// newEnableTwoFactor asks for the account password, then for a new
// two-factor key off the UI thread and shows it; the right code from the
// authenticator app turns two-factor on and shows the recovery codes.
func newEnableTwoFactor(s *Shell) *view {
	return newEnrolment(s).v
}

func newEnrolment(s *Shell) *enrolment {
	e := &enrolment{s: s, v: newView(lang.L("enable2fa.title"))}
	e.password = newPasswordEntry(lang.L("security.account_password"))
	var f *form
	f = newForm(s, e.v, lang.L("enable2fa.continue"), func() bool { return e.password.Text != "" }, func() {
		pw, a := e.password.Text, s.App
		var enr *app.Enrolment
		f.run(func(ctx context.Context) error {
			var err error
			enr, err = a.StartTwoFactor(ctx, pw)
			return err
		}, func() {
			e.password.SetText("")
			e.show(enr)
		}, passwordRefused(s, e.password))
	})
	f.watch(e.password)
	f.fail.actions[app.RemedyResetPassword] = func() { s.Push(newForgotPassword(s, s.App.Account())) }
	e.step = container.NewVBox(paragraph(lang.L("enable2fa.password_intro")),
		labelled(fieldRow{lang.L("field.label_password"), e.password}), f.actions())
	e.body = container.NewVBox()
	e.v.content = container.NewVBox(paragraph(lang.L("enable2fa.intro")), e.step, e.body)
	e.v.focus = e.password
	closeAlso(e.v, func() { e.password.SetText("") })
	return e
}

// show lays out the key and the code field in place of the password.
func (e *enrolment) show(enr *app.Enrolment) {
	s := e.s
	e.step.Hide()
	qr := canvas.NewImageFromResource(fyne.NewStaticResource("two-factor-qr.png", enr.QR))
	qr.FillMode = canvas.ImageFillContain
	qr.ScaleMode = canvas.ImageScalePixels
	qr.SetMinSize(fyne.NewSize(enrolQRSize, enrolQRSize))
	// The key cannot be selected: its copy goes through copySecret, which
	// clears the clipboard.
	key := widget.NewLabelWithStyle(enr.GroupedSecret, fyne.TextAlignCenter, fyne.TextStyle{Monospace: true})
	copied := paragraph("")
	copied.Hide()
	secret := enr.Secret
	copyKey := newCopyButton(lang.L("enable2fa.copy_key"), func() {
		copySecret(secret)
		copied.SetText(plural("enable2fa.key_copied", int(clipboardLifetime/time.Second)))
		copied.Show()
	})
	account, issuer := enrolmentNames(enr.URI, s.App.Account())
	names := paragraph(lang.LocalizeKey("enable2fa.account", "", map[string]any{"Account": account, "Issuer": issuer}))
	names.Alignment = fyne.TextAlignCenter
	private := paragraph(lang.L("enable2fa.key_private"))
	private.Importance = widget.WarningImportance

	restart := newIconButton(lang.L("enable2fa.restart"), theme.ViewRefreshIcon(), func() {
		s.Replace(newEnableTwoFactor(s))
	})
	restart.Hide()
	var f *form
	code := newCodeEntry(func(string) { f.submit.OnTapped() })
	f = newForm(s, e.v, lang.L("enable2fa.submit"), func() bool { return app.ValidateCode(code.Text) == nil }, func() {
		typed := code.Text
		var codes []string
		a := s.App
		f.run(func(ctx context.Context) error {
			var err error
			codes, err = a.ConfirmTwoFactor(ctx, typed)
			return err
		}, func() {
			s.Reset(newEnrolmentCodes(s, codes))
		}, func(err error) bool {
			switch {
			case isCode(err, app.CodeInvalidTwoFactorCode):
				code.SetText("")
			case isCode(err, app.CodeTwoFactorNotPending):
				code.SetText("")
				restart.Show()
			}
			return false
		})
	})
	f.watch(code)

	objs := []fyne.CanvasObject{
		paragraph(lang.L("enable2fa.step_scan")),
		container.NewCenter(qr),
		names,
		paragraph(lang.L("enable2fa.step_key")),
		key,
		container.NewCenter(copyKey),
		copied,
		private,
	}
	if off, skewed := s.App.ClockSkew(); skewed {
		objs = append(objs, clockWarning(off))
	}
	objs = append(objs, paragraph(lang.L("enable2fa.step_code")), code, f.actions(), restart)
	e.body.Objects = objs
	e.body.Refresh()
	e.s.Win.Canvas().Focus(code)
}

// enrolmentNames reads the account and issuer an authenticator app will
// show from the otpauth:// URI; account is the fallback.
func enrolmentNames(uri, account string) (string, string) {
	issuer := ""
	u, err := url.Parse(uri)
	if err != nil {
		return account, issuer
	}
	issuer = u.Query().Get("issuer")
	label := strings.TrimPrefix(u.Path, "/")
	if i := strings.Index(label, ":"); i >= 0 {
		if issuer == "" {
			issuer = label[:i]
		}
		label = label[i+1:]
	}
	if label = strings.TrimSpace(label); label != "" {
		account = label
	}
	return account, issuer
}

// newEnrolmentCodes shows the recovery codes of the two-factor sign-in
// just turned on. It is the root: going back would lose the codes.
func newEnrolmentCodes(s *Shell, codes []string) *view {
	return newRecoveryCodes(s, codes, codesPage{
		title:   lang.L("enable2fa.codes_title"),
		heading: lang.L("enable2fa.done"),
		intro:   lang.L("enable2fa.codes_intro"),
		finish:  lang.L("enable2fa.finish"),
		done:    func() { s.Reset(newHome(s)) },
	})
}
