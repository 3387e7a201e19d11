package screens

import (
	"context"
	"errors"
	"image/color"
	"slices"
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

// The security centre's views, opened from home: devices and sessions,
// sign-in activity and "this wasn't me", the anti-phishing phrase, the
// account password, turning two-factor sign-in off and new recovery codes.

// securityActivityLimit is how many sign-in events the activity view lists.
const securityActivityLimit = 20

// securityHost is the data of the texts that name the server.
func securityHost(s *Shell) map[string]any { return map[string]any{"Host": s.Host()} }

// securityDone is the end of a security step: what happened and the way
// back to the view it came from (home reloads when shown).
func securityDone(s *Shell, text string) *fyne.Container {
	msg := paragraph(text)
	// Selectable: a saved file's path can be copied.
	msg.Selectable = true
	msg.Importance = widget.SuccessImportance
	back := newIconButton(lang.L("security.done"), theme.ConfirmIcon(), s.Back)
	back.Importance = widget.HighImportance
	return container.NewVBox(msg, back)
}

// newSessions lists the account's signed-in devices, each with its own
// sign-out, and signs out all the others at once; below, the devices the
// account knows, with their trust, each of which can be forgotten.
func newSessions(s *Shell) *view {
	v := newView(lang.L("security.sessions.title"))
	list := container.NewVBox()
	devList := container.NewVBox()
	done := paragraph(lang.L("security.sessions.others_done"))
	done.Importance = widget.SuccessImportance
	done.Hide()
	forgotten := paragraph(lang.L("security.devices.forgotten"))
	forgotten.Importance = widget.SuccessImportance
	forgotten.Hide()
	var f *form
	var buttons []*button
	var load func()
	// busy disables the per-device buttons while a step runs; failed
	// enables them again.
	busy := func() {
		for _, b := range buttons {
			b.Disable()
		}
	}
	failed := func(error) bool {
		for _, b := range buttons {
			b.Enable()
		}
		return false
	}
	a := s.App
	show := func(sessions []app.Session) {
		objs := make([]fyne.CanvasObject, 0, len(sessions))
		for _, se := range sessions {
			name := deviceHeading(se.DeviceName)
			meta := widget.NewLabel(lang.LocalizeKey("security.sessions.meta", "", map[string]any{"IP": se.IP, "Seen": clock(se.LastSeenAt)}))
			meta.Importance = widget.LowImportance
			var side fyne.CanvasObject
			if se.Current {
				tag := widget.NewLabelWithStyle(lang.L("security.sessions.this_device"), fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
				tag.Importance = widget.SuccessImportance
				side = tag
			} else {
				id := se.ID
				b := newIconButton(lang.L("security.sessions.sign_out"), theme.LogoutIcon(), f.action(func() {
					busy()
					done.Hide()
					forgotten.Hide()
					f.run(func(ctx context.Context) error { return a.RevokeSession(ctx, id) }, load, failed)
				}))
				buttons = append(buttons, b)
				side = container.NewCenter(b)
			}
			objs = append(objs, widget.NewCard("", "", container.NewBorder(nil, nil, nil, side, container.NewVBox(name, meta))))
		}
		list.Objects = objs
		list.Refresh()
	}
	showDevices := func(devices []app.Device) {
		objs := make([]fyne.CanvasObject, 0, len(devices))
		for _, d := range devices {
			meta := paragraph(lang.LocalizeKey("security.devices.meta", "", map[string]any{"Created": clock(d.CreatedAt), "Seen": clock(d.LastSeenAt)}))
			meta.Importance = widget.LowImportance
			trust := widget.NewLabel(lang.L("security.devices.not_trusted"))
			if d.TrustedUntil != nil {
				trust.SetText(lang.LocalizeKey("security.devices.trusted_until", "", map[string]any{"Until": clock(*d.TrustedUntil)}))
				trust.Importance = widget.SuccessImportance
			}
			id, name := d.ID, d.DeviceName
			var password string
			forget := f.action(func() {
				busy()
				done.Hide()
				forgotten.Hide()
				pw := password
				password = ""
				f.run(func(ctx context.Context) error { return a.ForgetDevice(ctx, id, pw) }, func() {
					load()
					forgotten.Show()
				}, failed)
			})
			b := newIconButton(lang.L("security.devices.forget"), theme.DeleteIcon(), func() {
				securityConfirmForget(s, name, func(pw string) { password = pw; forget() })
			})
			buttons = append(buttons, b)
			side := []fyne.CanvasObject{b}
			if d.Current {
				tag := widget.NewLabelWithStyle(lang.L("security.devices.this_computer"), fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
				tag.Importance = widget.SuccessImportance
				side = append([]fyne.CanvasObject{tag}, side...)
			}
			objs = append(objs, widget.NewCard("", "", container.NewBorder(nil, nil, nil,
				container.NewCenter(container.NewVBox(side...)), container.NewVBox(deviceHeading(name), meta, trust))))
		}
		if len(objs) == 0 {
			objs = append(objs, paragraph(lang.L("security.devices.none")))
		}
		devList.Objects = objs
		devList.Refresh()
	}
	f = newForm(s, v, lang.L("security.sessions.sign_out_others"), nil, func() {
		busy()
		forgotten.Hide()
		f.run(a.RevokeOtherSessions, func() {
			load()
			done.Show()
		}, failed)
	})
	f.submit.Icon = theme.LogoutIcon()
	load = f.action(func() {
		var sessions []app.Session
		var devices []app.Device
		busy()
		f.run(func(ctx context.Context) error {
			var err error
			if sessions, err = a.Sessions(ctx); err != nil {
				return err
			}
			devices, err = a.Devices(ctx)
			return err
		}, func() {
			buttons = nil
			show(sessions)
			showDevices(devices)
		}, failed)
	})
	v.content = container.NewVBox(
		paragraph(lang.L("security.sessions.intro")),
		list, done, f.actions(),
		widget.NewSeparator(),
		heading(lang.L("security.devices.title")),
		paragraph(lang.L("security.devices.intro")),
		devList, forgotten,
	)
	load()
	return v
}

// securityConfirmForget asks before forgetting the device name; yes runs
// on confirmation.
func securityConfirmForget(s *Shell, name string, yes func(password string)) {
	msg := paragraph(lang.LocalizeKey("security.devices.confirm", "", map[string]any{"Device": name}))
	width := canvas.NewRectangle(color.Transparent)
	width.SetMinSize(fyne.NewSize(settingsDialogWidth, 0))
	// Forgetting a device takes the account's password: the button waits
	// for one, and Enter in the field confirms.
	password := newPasswordEntry(lang.L("security.account_password"))
	password.Validator = func(s string) error {
		if s == "" {
			return errors.New(lang.L("security.devices.password_needed"))
		}
		return nil
	}
	d := dialog.NewForm(lang.L("security.devices.confirm_title"), lang.L("security.devices.confirm_button"),
		lang.L("security.devices.cancel"), []*widget.FormItem{
			{Widget: container.NewStack(width, msg)}, {Widget: password}, {Widget: password.caption()},
		}, func(ok bool) {
			if ok {
				yes(password.Text)
			}
		}, s.Win)
	password.OnSubmitted = func(string) { d.Submit() }
	d.Show()
	s.Win.Canvas().Focus(password)
}

// newActivity lists the account's recent sign-ins and attempts, with
// "this wasn't me".
func newActivity(s *Shell) *view {
	v := newView(lang.L("security.activity.title"))
	list := container.NewVBox()
	a := s.App
	f := newForm(s, v, lang.L("security.activity.not_me"), nil, func() { s.Push(newNotMe(s)) })
	f.submit.Importance = widget.DangerImportance
	f.submit.Icon = theme.WarningIcon()
	load := f.action(func() {
		var events []app.ActivityEvent
		f.run(func(ctx context.Context) error {
			var err error
			events, err = a.Activity(ctx, securityActivityLimit)
			return err
		}, func() {
			objs := make([]fyne.CanvasObject, 0, len(events))
			for _, e := range events {
				objs = append(objs, securityEvent(e))
			}
			if len(objs) == 0 {
				objs = append(objs, paragraph(lang.L("security.activity.empty")))
			}
			list.Objects = objs
			list.Refresh()
		}, nil)
	})
	v.content = container.NewVBox(
		paragraph(lang.L("security.activity.intro")),
		f.busy, f.fail.box, list, f.submit,
	)
	load()
	return v
}

// securityEvent is one line of the activity: what happened, then when,
// on which device and from where. Failed attempts stand out.
func securityEvent(e app.ActivityEvent) fyne.CanvasObject {
	what := widget.NewLabelWithStyle(securityResult(e.Result), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	if slices.Contains(failedResults, e.Result) || e.Result == "refresh_token_reused" || e.Result == "codes_locked" {
		what.Importance = widget.DangerImportance
	}
	device := e.DeviceName
	switch {
	case device == "":
		device = lang.L("security.activity.unknown_device")
	case e.Claimed:
		// A failed attempt's device name is what its sender claimed.
		device = lang.LocalizeKey("security.activity.claimed", "", map[string]any{"Device": device})
	}
	meta := paragraph(lang.LocalizeKey("security.activity.meta", "", map[string]any{"At": clock(e.At), "Device": device, "IP": e.IP}))
	meta.Importance = widget.LowImportance
	return container.NewVBox(what, meta)
}

// activityResults are the server's activity result codes that have words
// ("security.activity.result.<code>"); others read as "other".
var activityResults = []string{"success", "invalid_credentials", "invalid_two_factor_code", "locked",
	"recovery_code_used", "password_reset", "two_factor_enabled", "two_factor_disabled",
	"session_revoked", "refresh_token_reused", "codes_locked", "device_forgotten", "account_secured",
	"phone_added", "phone_removed"}

// failedResults are the results of failed attempts.
var failedResults = []string{"invalid_credentials", "invalid_two_factor_code", "locked"}

// securityResult is an activity result code in words.
func securityResult(code string) string {
	if !slices.Contains(activityResults, code) {
		code = "other"
	}
	return lang.L("security.activity.result." + code)
}

// newNotMe is "this wasn't me": it explains what to do and does it, sign
// out every other device and change the password.
func newNotMe(s *Shell) *view {
	v := newView(lang.L("security.not_me.title"))
	done := paragraph(lang.L("security.sessions.others_done"))
	done.Importance = widget.SuccessImportance
	done.Hide()
	var f *form
	f = newForm(s, v, lang.L("security.sessions.sign_out_others"), nil, func() {
		done.Hide()
		f.run(s.App.RevokeOtherSessions, done.Show, nil)
	})
	f.submit.Icon = theme.LogoutIcon()
	change := newIconButton(lang.L("security.not_me.change_password"), theme.AccountIcon(), func() { s.Push(newChangePassword(s)) })
	change.Importance = widget.HighImportance
	v.content = container.NewVBox(
		paragraph(lang.L("security.not_me.intro")),
		paragraph(lang.L("security.not_me.step_sessions")),
		f.actions(), done,
		paragraph(lang.L("security.not_me.step_password")),
		change,
		widget.NewSeparator(),
		paragraph(lang.L("security.not_me.two_factor")),
		paragraph(lang.L("security.not_me.wallet")),
	)
	return v
}

// newAntiPhishing sets the phrase every mail of the server shows; current
// is the phrase set now, or "".
func newAntiPhishing(s *Shell, current string) *view {
	v := newView(lang.L("security.phishing.title"))
	now := paragraph(lang.L("security.phishing.none"))
	if current != "" {
		now.SetText(lang.LocalizeKey("security.phishing.current", "", map[string]any{"Phrase": current}))
		now.TextStyle.Bold = true
	}
	entry := newEntry()
	entry.SetPlaceHolder(lang.L("security.phishing.placeholder"))
	rule := paragraph(lang.L("security.phishing.rule"))
	rule.Importance = widget.LowImportance
	password := newPasswordEntry(lang.L("security.account_password"))
	var f *form
	f = newForm(s, v, lang.L("security.phishing.save"), func() bool {
		return app.ValidatePhrase(entry.Text) == nil && password.Text != ""
	}, func() {
		phrase, pw, a := entry.Text, password.Text, s.App
		f.run(func(ctx context.Context) error { return a.SetAntiPhishingPhrase(ctx, phrase, pw) }, s.Back, passwordRefused(s, password))
	})
	f.watch(entry, password)
	f.fail.actions[app.RemedyResetPassword] = func() { s.Push(newForgotPassword(s, s.App.Account())) }
	v.content = container.NewVBox(
		paragraph(lang.LocalizeKey("security.phishing.intro", "", securityHost(s))),
		now, entry, rule,
		paragraph(lang.L("security.phishing.password")),
		labelled(fieldRow{lang.L("field.label_password"), password}),
		f.actions(),
	)
	v.focus = entry
	closeAlso(v, func() { password.SetText("") })
	return v
}

// newChangePassword changes the account password: the current one, then
// the new one twice against the policy. The server signs out every other
// session; this one stays.
func newChangePassword(s *Shell) *view {
	v := newView(lang.L("security.password.title"))
	current := newPasswordEntry(lang.L("security.password.current"))
	np := newNewPassword(s.App.Account)
	var f *form
	var step, done *fyne.Container
	f = newForm(s, v, lang.L("security.password.submit"), func() bool {
		return current.Text != "" && np.Valid()
	}, func() {
		cur, pw, confirm, a := current.Text, np.first.Text, np.second.Text, s.App
		f.run(func(ctx context.Context) error { return a.ChangePassword(ctx, cur, pw, confirm) }, func() {
			current.SetText("")
			np.Clear()
			step.Hide()
			done.Show()
		}, nil)
	})
	f.watch(append([]formField{current}, np.Fields()...)...)
	f.fail.actions[app.RemedyResetPassword] = func() { s.Push(newForgotPassword(s, s.App.Account())) }
	note := paragraph(lang.L("security.password.sign_out_note"))
	note.Importance = widget.WarningImportance
	rows := append([]fieldRow{{lang.L("field.label_current"), current}},
		np.Rows(lang.L("field.label_new_password"), lang.L("field.label_repeat"))...)
	step = container.NewVBox(
		paragraph(lang.LocalizeKey("security.password.intro", "", securityHost(s))),
		labelled(rows...), note, f.actions(),
	)
	done = securityDone(s, lang.L("security.password.done"))
	done.Hide()
	v.content = container.NewVBox(step, done)
	v.focus = current
	closeAlso(v, func() {
		current.SetText("")
		np.Clear()
	})
	return v
}

// newTwoFactorOff turns two-factor sign-in off with the account password
// and an authenticator or recovery code.
func newTwoFactorOff(s *Shell) *view {
	v := newView(lang.L("security.two_factor_off.title"))
	password := newPasswordEntry(lang.L("security.account_password"))
	code := newEntry()
	code.SetPlaceHolder(lang.L("security.two_factor_off.code"))
	var f *form
	var step, done *fyne.Container
	f = newForm(s, v, lang.L("security.two_factor_off.submit"), func() bool {
		return password.Text != "" && app.ValidateSecondFactor(code.Text) == nil
	}, func() {
		pw, c, a := password.Text, code.Text, s.App
		f.run(func(ctx context.Context) error { return a.DisableTwoFactor(ctx, pw, c) }, func() {
			password.SetText("")
			code.SetText("")
			step.Hide()
			done.Show()
		}, func(err error) bool {
			if codeRefused(err) {
				code.SetText("")
			}
			return false
		})
	})
	f.submit.Importance = widget.DangerImportance
	f.watch(password, code)
	warn := paragraph(lang.L("security.two_factor_off.intro"))
	step = container.NewVBox(warn, labelled(
		fieldRow{lang.L("field.label_password"), password},
		fieldRow{lang.L("field.label_code"), code},
	), f.actions())
	done = securityDone(s, lang.L("security.two_factor_off.done"))
	done.Hide()
	v.content = container.NewVBox(step, done)
	v.focus = password
	closeAlso(v, func() {
		password.SetText("")
		code.SetText("")
	})
	return v
}

// newNewRecoveryCodes replaces the recovery codes after the account
// password and an authenticator code, then shows the new ones once.
func newNewRecoveryCodes(s *Shell) *view {
	v := newView(lang.L("security.new_codes.title"))
	password := newPasswordEntry(lang.L("security.account_password"))
	var f *form
	code := newCodeEntry(func(string) {
		if f != nil {
			f.submit.OnTapped()
		}
	})
	code.SetPlaceHolder(lang.L("security.new_codes.code"))
	f = newForm(s, v, lang.L("security.new_codes.submit"), func() bool {
		return password.Text != "" && app.ValidateCode(strings.TrimSpace(code.Text)) == nil
	}, func() {
		pw, c, a := password.Text, code.Text, s.App
		var codes []string
		f.run(func(ctx context.Context) error {
			var err error
			codes, err = a.RegenerateRecoveryCodes(ctx, pw, c)
			return err
		}, func() {
			s.Replace(newRecoveryCodes(s, codes, codesPage{
				title:  lang.L("security.codes.title"),
				intro:  lang.L("security.codes.intro"),
				finish: lang.L("security.codes.done"),
				done:   s.Back,
			}))
		}, func(err error) bool {
			if codeRefused(err) {
				code.SetText("")
			}
			return false
		})
	})
	f.watch(password, code)
	v.content = container.NewVBox(paragraph(lang.L("security.new_codes.intro")), labelled(
		fieldRow{lang.L("field.label_password"), password},
		fieldRow{lang.L("field.label_code"), code},
	), f.actions())
	v.focus = password
	closeAlso(v, func() {
		password.SetText("")
		code.SetText("")
	})
	return v
}
