package screens

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sesame/app"
)

// newTwoFactorChallenge asks for the second factor of a sign-in: the code
// of the authenticator app, which is sent as soon as it has 6 digits, or a
// recovery code, and whether to trust this computer for app.TrustDays days.
// A warning names the measured offset when this computer's clock is too
// far off the server's for codes to work.
func newTwoFactorChallenge(s *Shell, ch *app.Challenge) *view {
	return newChallenge(s, ch, false)
}

// newChallenge is newTwoFactorChallenge, asking a recovery code from the
// start when recovery is set.
func newChallenge(s *Shell, ch *app.Challenge, byRecovery bool) *view {
	v := newView(lang.L("challenge.title"))
	useRecovery := false
	var f *form
	code := newCodeEntry(func(string) { f.submit.OnTapped() })
	recovery := newEntry()
	recovery.SetPlaceHolder(lang.L("challenge.recovery_placeholder"))
	recovery.Validator = func(text string) error {
		if text == "" {
			return nil
		}
		_, err := app.NormalizeRecoveryCode(text)
		return err
	}
	recovery.Hide()
	valid := func() bool {
		if useRecovery {
			_, err := app.NormalizeRecoveryCode(recovery.Text)
			return err == nil
		}
		return app.ValidateCode(code.Text) == nil
	}
	var submit func()
	f = newForm(s, v, lang.L("challenge.submit"), valid, func() { submit() })
	trust := newCheck(lang.LocalizeKey("challenge.trust", "", map[string]any{"Days": app.TrustDays}), nil)
	trustNote := paragraph(lang.L("challenge.trust_note"))
	f.watch(code, recovery, trust)

	field := func() *entry {
		if useRecovery {
			return recovery
		}
		return code
	}
	submit = func() {
		typed := field()
		second, trusted := typed.Text, trust.Checked
		a := s.App
		var res app.SignInResult
		f.run(func(ctx context.Context) error {
			var err error
			res, err = a.CompleteTwoFactor(ctx, ch, second, trusted)
			return err
		}, func() {
			typed.SetText("")
			finishSignIn(s, res)
		}, func(err error) bool {
			switch app.ErrorCode(err) {
			case app.CodeInvalidTwoFactorCode, app.CodeRecoveryCodeRefused, app.CodeInvalidCode, app.CodeInvalidRecoveryCode,
				app.CodeAccountLocked, app.CodeChallengeExpired:
				// A refused code is not tried again: a new one is typed.
				typed.SetText("")
				s.Win.Canvas().Focus(typed)
			}
			return false
		})
	}

	intro := paragraph(lang.L("challenge.intro"))
	toggle := signinLink(lang.L("challenge.use_recovery"), nil)
	setMode := func(rec bool) {
		useRecovery = rec
		if useRecovery {
			code.Hide()
			recovery.Show()
			intro.SetText(lang.L("challenge.recovery_intro"))
			toggle.SetText(lang.L("challenge.use_code"))
		} else {
			recovery.Hide()
			code.Show()
			intro.SetText(lang.L("challenge.intro"))
			toggle.SetText(lang.L("challenge.use_recovery"))
		}
		f.check()
	}
	toggle.OnTapped = func() {
		setMode(!useRecovery)
		f.fail.Clear()
		s.Win.Canvas().Focus(field())
	}

	items := []fyne.CanvasObject{intro}
	if ch.ClockSkewed() {
		items = append(items, clockWarning(ch.ClockOffset))
	}
	// The tick comes before the code, which is sent as soon as it is whole.
	items = append(items, trust, trustNote, code, recovery, f.actions(), container.NewCenter(toggle))
	v.content = container.NewVBox(items...)
	setMode(byRecovery)
	v.focus = field()
	closeAlso(v, func() {
		code.SetText("")
		recovery.SetText("")
	})
	return v
}

// clockWarning says how far this computer's clock is off the server's
// (offset is the server's clock minus this computer's) and how to fix it.
func clockWarning(offset time.Duration) fyne.CanvasObject {
	key := "challenge.clock_behind"
	if offset < 0 {
		key, offset = "challenge.clock_ahead", -offset
	}
	msg := paragraph(lang.LocalizeKey(key, "", map[string]any{"Offset": offsetText(offset)}))
	msg.Importance = widget.WarningImportance
	msg.TextStyle.Bold = true
	icon := widget.NewIcon(theme.NewWarningThemedResource(theme.WarningIcon()))
	return container.NewVBox(
		container.NewBorder(nil, nil, icon, nil, msg),
		paragraph(lang.L("remedy.clock_skew")),
	)
}

// offsetText is a clock offset in hours, minutes and seconds.
func offsetText(d time.Duration) string {
	sec := int(d.Round(time.Second) / time.Second)
	data := map[string]any{"H": sec / 3600, "M": sec / 60 % 60, "S": sec % 60}
	switch {
	case sec >= 3600:
		return lang.LocalizeKey("challenge.offset_hms", "", data)
	case sec >= 60:
		return lang.LocalizeKey("challenge.offset_ms", "", data)
	}
	return lang.LocalizeKey("challenge.offset_s", "", data)
}
