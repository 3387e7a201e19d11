package screens

import (
	"context"
	"net/url"
	"os"
	"runtime"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sesame/app"
)

// enrolQRSize is the side of the QR code on screen.
const enrolQRSize = 200

// recoveryCodesFile is the file name the save dialog proposes.
const recoveryCodesFile = "sesame-recovery-codes.txt"

// enrolment is the first step of turning on two-factor sign-in: the QR
// code and the key to type by hand, then the first code of the
// authenticator app.
type enrolment struct {
	s       *Shell
	v       *view
	busy    *widget.ProgressBarInfinite
	loading *fyne.Container
	fail    *failureBox
	body    *fyne.Container
}

// newEnableTwoFactor asks the server for a new two-factor key off the UI
// thread and shows it; the right code from the authenticator app turns
// two-factor on and shows the recovery codes.
func newEnableTwoFactor(s *Shell) *view {
	e := newEnrolment(s)
	e.start()
	return e.v
}

func newEnrolment(s *Shell) *enrolment {
	e := &enrolment{s: s, v: newView(lang.L("enable2fa.title"))}
	e.busy = widget.NewProgressBarInfinite()
	e.busy.Stop()
	e.loading = container.NewVBox(widget.NewLabel(lang.L("enable2fa.loading")), e.busy)
	e.loading.Hide()
	e.fail = newFailureBox(s, e.v)
	e.fail.actions[app.RemedyRetry] = e.start
	e.body = container.NewVBox()
	e.v.content = container.NewVBox(paragraph(lang.L("enable2fa.intro")), e.loading, e.fail.box, e.body)
	prev := e.v.closed
	e.v.closed = func() {
		e.busy.Stop()
		if prev != nil {
			prev()
		}
	}
	return e
}

// start asks for a new key.
func (e *enrolment) start() {
	e.fail.Clear()
	e.body.Objects = nil
	e.body.Refresh()
	e.loading.Show()
	e.busy.Start()
	var enr *app.Enrolment
	e.s.Go(e.v, func(ctx context.Context) error {
		var err error
		enr, err = e.s.App.StartTwoFactor(ctx)
		return err
	}, func(err error) {
		e.busy.Stop()
		e.loading.Hide()
		if err != nil {
			e.fail.Show(err)
			return
		}
		e.show(enr)
	})
}

// show lays out the key and the code field.
func (e *enrolment) show(enr *app.Enrolment) {
	s := e.s
	qr := canvas.NewImageFromResource(fyne.NewStaticResource("two-factor-qr.png", enr.QR))
	qr.FillMode = canvas.ImageFillContain
	qr.ScaleMode = canvas.ImageScalePixels
	qr.SetMinSize(fyne.NewSize(enrolQRSize, enrolQRSize))
	key := widget.NewLabelWithStyle(enr.GroupedSecret, fyne.TextAlignCenter, fyne.TextStyle{Monospace: true})
	key.Selectable = true
	account, issuer := enrolmentNames(enr.URI, s.App.Account())
	names := widget.NewLabelWithStyle(lang.LocalizeKey("enable2fa.account", "", map[string]any{"Account": account, "Issuer": issuer}),
		fyne.TextAlignCenter, fyne.TextStyle{})
	names.Wrapping = fyne.TextWrapWord
	private := paragraph(lang.L("enable2fa.key_private"))
	private.Importance = widget.WarningImportance

	restart := widget.NewButtonWithIcon(lang.L("enable2fa.restart"), theme.ViewRefreshIcon(), func() {
		s.Replace(newEnableTwoFactor(s))
	})
	restart.Hide()
	var f *form
	code := newCodeEntry(func(string) { f.submit.OnTapped() })
	f = newForm(s, e.v, lang.L("enable2fa.submit"), func() bool { return app.ValidateCode(code.Text) == nil }, func() {
		typed := code.Text
		var codes []string
		f.run(func(ctx context.Context) error {
			var err error
			codes, err = s.App.ConfirmTwoFactor(ctx, typed)
			return err
		}, func() {
			s.Reset(newEnrolmentCodes(s, codes))
		}, func(err error) bool {
			switch {
			case isCode(err, "invalid_two_factor_code"):
				code.SetText("")
			case isCode(err, "two_factor_not_pending"):
				code.SetText("")
				restart.Show()
			}
			return false
		})
	})
	f.watch(code)
	// After a wait the code is sent again if it is still there; a code
	// gone stale is refused and the field cleared for the current one.
	f.fail.actions[app.RemedyRetry] = func() {
		f.fail.Clear()
		if f.ready() {
			f.submit.OnTapped()
			return
		}
		s.Win.Canvas().Focus(code)
	}

	objs := []fyne.CanvasObject{
		paragraph(lang.L("enable2fa.step_scan")),
		container.NewCenter(qr),
		names,
		paragraph(lang.L("enable2fa.step_key")),
		key,
		private,
	}
	if off, ok := s.App.Client().ClockOffset(); ok && (off > app.ClockSkewLimit || off < -app.ClockSkewLimit) {
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

// newEnrolmentCodes shows the recovery codes once: copy (the clipboard
// forgets them after 30 s), save to a file, and a tick that they are saved
// before Finish. It is the root: going back would lose the codes.
func newEnrolmentCodes(s *Shell, codes []string) *view {
	v := newView(lang.L("enable2fa.codes_title"))
	shown := make([]string, len(codes))
	grid := container.NewGridWithColumns(2)
	for i, c := range codes {
		shown[i] = app.FormatRecoveryCode(c)
		l := widget.NewLabelWithStyle(shown[i], fyne.TextAlignCenter, fyne.TextStyle{Monospace: true})
		l.Selectable = true
		grid.Add(l)
	}
	list := strings.Join(shown, "\n")
	file := lang.LocalizeKey("enable2fa.file_header", "", map[string]any{"Account": s.App.Account()}) + "\n" +
		lang.L("enable2fa.file_note") + "\n\n" + list + "\n"

	status := paragraph("")
	status.Hide()
	say := func(text string, importance widget.Importance) {
		status.Importance = importance
		status.SetText(text)
		status.Show()
	}
	copyButton := widget.NewButtonWithIcon(lang.L("enable2fa.copy"), theme.ContentCopyIcon(), func() {
		copySecret(s, list)
		say(lang.L("enable2fa.copied"), widget.MediumImportance)
	})
	saveButton := widget.NewButtonWithIcon(lang.L("enable2fa.save"), theme.DocumentSaveIcon(), func() {
		d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
			switch {
			case err != nil:
				say(lang.L("enable2fa.save_failed"), widget.DangerImportance)
			case w != nil:
				name := w.URI().Name()
				if err := writeRecoveryCodes(w, file); err != nil {
					say(lang.L("enable2fa.save_failed"), widget.DangerImportance)
					return
				}
				say(lang.LocalizeKey("enable2fa.saved", "", map[string]any{"Name": name}), widget.SuccessImportance)
			}
		}, s.Win)
		d.SetFileName(recoveryCodesFile)
		d.Show()
	})
	finish := widget.NewButtonWithIcon(lang.L("enable2fa.finish"), theme.ConfirmIcon(), func() {
		s.Reset(newHome(s))
	})
	finish.Importance = widget.HighImportance
	finish.Disable()
	saved := widget.NewCheck(lang.L("enable2fa.saved_check"), func(on bool) {
		if on {
			finish.Enable()
		} else {
			finish.Disable()
		}
	})
	done := heading(lang.L("enable2fa.done"))
	done.Importance = widget.SuccessImportance
	v.content = container.NewVBox(
		done,
		paragraph(lang.L("enable2fa.codes_intro")),
		widget.NewCard("", "", grid),
		container.NewGridWithColumns(2, copyButton, saveButton),
		status,
		saved,
		finish,
	)
	return v
}

// writeRecoveryCodes writes text to the file the save dialog chose,
// readable by its owner only.
func writeRecoveryCodes(w fyne.URIWriteCloser, text string) error {
	if w.URI().Scheme() != "file" {
		_, err := w.Write([]byte(text))
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		return err
	}
	path := w.URI().Path()
	if err := w.Close(); err != nil {
		return err
	}
	return writePrivateFile(path, []byte(text))
}

// writePrivateFile replaces path's content with data, mode 0600 set before
// anything is written.
func writePrivateFile(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if runtime.GOOS != "windows" {
		if err := f.Chmod(0o600); err != nil {
			f.Close()
			return err
		}
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
