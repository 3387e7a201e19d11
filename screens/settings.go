package screens

import (
	"cmp"
	"context"
	"image/color"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"sesame/app"
)

// settingsDialogWidth keeps the confirmation's text from wrapping narrow.
const settingsDialogWidth = 400

// newSettings is the settings screen: the server, the language, the theme,
// the auto-lock delay and clearing the local data, with the version below.
func newSettings(s *Shell) *view {
	v := newView(lang.L("settings.title"))
	v.kind = viewSettings
	var objs []fyne.CanvasObject
	if s.Opts.Connect != nil {
		objs = append(objs, settingsServer(s, v))
	}
	if s.Opts.Language != nil {
		objs = append(objs, settingsLanguage(s))
	}
	objs = append(objs, settingsTheme(), settingsAutoLock(s), settingsClear(s, v))
	version := widget.NewLabelWithStyle(lang.LocalizeKey("settings.version", "", map[string]any{"Version": s.Opts.Version}),
		fyne.TextAlignCenter, fyne.TextStyle{})
	version.Importance = widget.LowImportance
	objs = append(objs, version)
	v.content = container.NewVBox(objs...)
	return v
}

// settingsServer chooses the built-in server or another one by its address,
// checked as the client checks it; connecting runs off the UI thread and
// starts over at sign-in.
func settingsServer(s *Shell, v *view) fyne.CanvasObject {
	builtin, other := lang.L("settings.server_builtin"), lang.L("settings.server_other")
	current := paragraph(lang.L("settings.server_current_local"))
	if !s.Local {
		current.SetText(lang.LocalizeKey("settings.server_current", "", map[string]any{"Server": s.App.Server()}))
	}
	choice := widget.NewRadioGroup([]string{builtin, other}, nil)
	choice.Required = true
	address := newEntry()
	address.SetPlaceHolder(lang.L("settings.server_placeholder"))
	problem := paragraph("")
	problem.Importance = widget.DangerImportance
	problem.Hide()
	hint := paragraph(lang.L("settings.server_hint"))

	// target is the address to connect to ("" for the built-in server)
	// and whether it is valid and not the current one.
	target := func() (string, bool) {
		switch choice.Selected {
		case builtin:
			return "", !s.Local
		case other:
			a := strings.TrimSpace(address.Text)
			return a, a != "" && app.ValidateServer(a) == nil && (s.Local || a != s.App.Server())
		}
		return "", false
	}
	// tried is the host of the server connected to, "" for the built-in,
	// and triedApp its app once it was built and failed.
	var tried string
	var triedApp *app.App
	var f *form
	f = newForm(s, v, lang.L("settings.server_connect"), func() bool {
		_, ok := target()
		return ok
	}, func() {
		addr, _ := target()
		tried, triedApp = hostName(addr), nil
		var next Connection
		connect := s.Opts.Connect
		f.run(func(ctx context.Context) error {
			var err error
			if next, err = connect(addr); err != nil {
				return err
			}
			// Switch only to a server that answers; what was started
			// for one that does not is stopped.
			err = next.App.Answers(ctx)
			if err == nil && next.Commit != nil {
				err = next.Commit()
			}
			if err != nil && next.Abandon != nil {
				next.Abandon()
			}
			return err
		}, func() {
			s.App.LockWallet()
			s.Connect(next)
		}, func(error) bool {
			triedApp = next.App
			return false
		})
	})
	// The connection check of a failure checks the server tried.
	f.fail.actions[app.RemedyConnectionCheck] = func() {
		a := triedApp
		if a == nil {
			a = s.App
		}
		s.Push(newConnectionCheck(s, a))
	}
	// The failures name the server tried, not the one in use.
	f.fail.host = func() string { return cmp.Or(tried, s.Host()) }
	update := func() {
		if choice.Selected == other {
			address.Enable()
		} else {
			address.Disable()
		}
		a := strings.TrimSpace(address.Text)
		if err := app.ValidateServer(a); choice.Selected == other && a != "" && err != nil {
			message, _ := s.failureText(app.Explain(err))
			problem.SetText(message)
			problem.Show()
		} else {
			problem.Hide()
		}
		f.check()
	}
	// A change leaves the last try's failure behind.
	changed := func(string) {
		f.fail.Clear()
		update()
	}
	address.OnChanged = changed
	f.watch(address)
	if s.Local {
		choice.Selected = builtin
	} else {
		choice.Selected = other
		address.SetText(s.App.Server())
	}
	choice.OnChanged = changed
	update()
	return widget.NewCard(lang.L("settings.server"), "", container.NewVBox(
		current, choice, address, problem, hint, paragraph(lang.L("settings.server_note")), f.actions()))
}

// settingsLanguages are the language choices: the system's, then each
// language named in its own script.
var settingsLanguages = []struct{ tag, name string }{
	{"", ""},
	{"en", "English"},
	{"zh_Hans", "简体中文"},
}

// settingsLanguageNow is the language shown: the tag SetLanguage was last
// given, "" when it follows the system's.
func settingsLanguageNow() string { return chosenLanguage }

// settingsLanguage switches the language and rebuilds every screen in it,
// this one on top again.
func settingsLanguage(s *Shell) fyne.CanvasObject {
	names := make([]string, len(settingsLanguages))
	for i, l := range settingsLanguages {
		names[i] = l.name
	}
	names[0] = lang.L("settings.language_system")
	now := settingsLanguageNow()
	choice := widget.NewRadioGroup(names, nil)
	choice.Horizontal = true
	choice.Required = true
	for i, l := range settingsLanguages {
		if l.tag == now {
			choice.Selected = names[i]
		}
	}
	choice.OnChanged = func(name string) {
		i := slices.Index(names, name)
		if i < 0 || settingsLanguages[i].tag == now {
			return
		}
		s.Opts.Language(settingsLanguages[i].tag)
		s.Retranslate()
		s.Push(newSettings(s))
	}
	return widget.NewCard(lang.L("settings.language"), "", choice)
}

// settingsThemes are the theme choices as prefTheme stores them.
var settingsThemes = []struct{ pref, key string }{
	{"", "settings.theme_system"},
	{"light", "settings.theme_light"},
	{"dark", "settings.theme_dark"},
}

// settingsTheme keeps the light or dark choice and applies it at once.
func settingsTheme() fyne.CanvasObject {
	a := fyne.CurrentApp()
	names := make([]string, len(settingsThemes))
	for i, t := range settingsThemes {
		names[i] = lang.L(t.key)
	}
	choice := widget.NewRadioGroup(names, nil)
	choice.Horizontal = true
	choice.Required = true
	now := a.Preferences().String(prefTheme)
	for i, t := range settingsThemes {
		if t.pref == now {
			choice.Selected = names[i]
		}
	}
	choice.OnChanged = func(name string) {
		i := slices.Index(names, name)
		if i < 0 {
			return
		}
		a.Preferences().SetString(prefTheme, settingsThemes[i].pref)
		ApplyPreferences(a)
	}
	return widget.NewCard(lang.L("settings.theme"), "", choice)
}

// autoLockName names a delay in minutes.
func autoLockName(minutes int) string {
	if minutes <= 0 {
		return lang.L("settings.autolock_never")
	}
	return plural("settings.autolock_minutes", minutes)
}

// settingsAutoLock chooses the idle time after which an unlocked wallet
// locks itself.
func settingsAutoLock(s *Shell) fyne.CanvasObject {
	now := autoLockMinutes()
	choices := autoLockChoices
	if !slices.Contains(choices, now) {
		choices = append(slices.Clone(choices), now)
		slices.Sort(choices)
	}
	names := make([]string, len(choices))
	for i, m := range choices {
		names[i] = autoLockName(m)
	}
	choice := newDropDown(names, nil)
	choice.Selected = autoLockName(now)
	choice.OnChanged = func(name string) {
		i := slices.Index(names, name)
		if i < 0 {
			return
		}
		fyne.CurrentApp().Preferences().SetInt(prefAutoLock, choices[i])
		if s.autoLock != nil {
			s.autoLock.touch()
		}
	}
	return widget.NewCard(lang.L("settings.autolock"), "", container.NewVBox(paragraph(lang.L("settings.autolock_intro")), choice))
}

// settingsClear clears what Sesame keeps on this computer, after a
// confirmation that says exactly what goes.
func settingsClear(s *Shell, v *view) fyne.CanvasObject {
	var f *form
	f = newForm(s, v, lang.L("settings.clear_button"), nil, func() {
		// Whether a wallet is here is read off the UI thread (a file).
		a := s.App
		hasWallet := true
		f.run(func(context.Context) error {
			here, err := a.WalletsHere()
			hasWallet = err != nil || here
			return nil
		}, func() {
			settingsConfirmClear(s, hasWallet, func() {
				f.run(func(ctx context.Context) error {
					return settingsClearData(ctx, a)
				}, func() {
					settingsResetPreferences()
					s.Win.Resize(InitialSize(nil))
					s.Reset(newSignIn(s, nil))
				}, nil)
			})
		}, nil)
	})
	f.submit.Importance = widget.DangerImportance
	return widget.NewCard(lang.L("settings.clear"), "", container.NewVBox(paragraph(lang.L("settings.clear_intro")), f.actions()))
}

// settingsConfirmClear asks before clearing, naming the wallet when one is
// here (or when that could not be read); yes runs on confirmation.
func settingsConfirmClear(s *Shell, hasWallet bool, yes func()) {
	lines := []fyne.CanvasObject{paragraph(lang.L("settings.clear_what")), paragraph(lang.L("settings.clear_signout"))}
	if hasWallet {
		lines = append(lines, paragraph(lang.L("settings.clear_wallet")))
	} else {
		lines = append(lines, paragraph(lang.L("settings.clear_no_wallet")))
	}
	lines = append(lines, paragraph(lang.L("settings.clear_prefs")))
	if hasWallet {
		warn := paragraph(lang.L("settings.clear_warning"))
		warn.Importance = widget.DangerImportance
		warn.TextStyle.Bold = true
		lines = append(lines, warn)
	}
	width := canvas.NewRectangle(color.Transparent)
	width.SetMinSize(fyne.NewSize(settingsDialogWidth, 0))
	content := container.NewStack(width, container.NewVBox(lines...))
	d := dialog.NewCustomConfirm(lang.L("settings.clear_confirm_title"), lang.L("settings.clear_confirm"), lang.L("settings.cancel"),
		content, func(ok bool) {
			if ok {
				yes()
			}
		}, s.Win)
	d.SetConfirmImportance(widget.DangerImportance)
	d.Show()
}

// settingsClearData signs out, forgets the remembered sign-in and deletes
// the wallet file. Signing out clears the local session even when the
// server cannot be reached, so its error does not stop the rest.
func settingsClearData(ctx context.Context, a *app.App) error {
	if a.Account() != "" {
		_ = a.SignOut(ctx)
	}
	if err := a.ForgetRememberedSignIn(ctx); err != nil {
		return err
	}
	return a.DeleteWallet()
}

// settingsResetPreferences forgets the theme and the auto-lock delay, and
// applies the default theme.
func settingsResetPreferences() {
	a := fyne.CurrentApp()
	for _, k := range []string{prefTheme, prefAutoLock} {
		a.Preferences().RemoveValue(k)
	}
	ApplyPreferences(a)
}
