package screens

import (
	"context"
	"slices"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sesame/app"
	diag "sesame/check"
	"sesame/wallet"
)

// homeCodesLow is the count of recovery codes at which home asks for new ones.
const homeCodesLow = 3

// home is the signed-in root view: the account, the wallet on this
// computer and the security centre. It reloads each time it comes on top,
// so a wallet flow, an unlock or a security change shows when it returns;
// locking the wallet redraws what shows the wallet only.
type home struct {
	s     *Shell
	v     *view
	email string

	busy       *widget.ProgressBarInfinite
	fail       *failureBox
	walletFail *failureBox
	walletBody *fyne.Container
	security   *fyne.Container
	signOut    *button
	// autoLocked is the idle time in minutes after which the auto-lock
	// locked the wallet, told until it is unlocked; 0 for none.
	autoLocked int

	// gen numbers the loads; only the latest one's answer is shown.
	gen int
	// st is what is shown.
	st homeState
}

// homeState is what one load of home found.
type homeState struct {
	wallet    app.WalletState
	addresses []wallet.Address
	verified  bool
	walletErr error
	me        *app.Me
	sessions  int
	err       error
	// fingerprint and drill are the wallet's, read without its password.
	fingerprint wallet.Fingerprint
	drill       app.DrillStatus
}

// newHome is the home view of the signed-in account.
func newHome(s *Shell) *view { return buildHome(s).v }

// buildHome builds home and returns it with its view.
func buildHome(s *Shell) *home {
	h := &home{s: s, v: newView(lang.L("home.title")), email: s.App.Account()}
	h.busy = widget.NewProgressBarInfinite()
	h.busy.Stop()
	h.busy.Hide()
	h.fail = newFailureBox(s, h.v)
	h.fail.actions[app.RemedyRetry] = h.refresh
	h.walletFail = newFailureBox(s, h.v)
	h.walletBody = container.NewVBox()
	h.security = container.NewVBox()
	h.security.Hide()
	h.signOut = newIconButton(lang.L("home.sign_out"), theme.LogoutIcon(), h.doSignOut)

	// An address may be wider than the window: it wraps, even inside a word.
	name := heading(h.email)
	name.Wrapping = fyne.TextWrapBreak
	name.Selectable = true
	account := widget.NewCard(lang.L("home.account"), "", container.NewVBox(name, h.signOut))
	walletCard := widget.NewCard(lang.L("home.wallet"), "", container.NewVBox(h.walletBody, h.walletFail.box))
	securityCard := widget.NewCard(lang.L("home.security"), "", container.NewVBox(h.busy, h.fail.box, h.security))
	h.v.content = container.NewVBox(account, walletCard, securityCard)
	h.v.shown = h.refresh
	h.v.walletLocked = func() {
		h.autoLocked = autoLockMinutes()
		h.walletLocked()
	}
	closeAlso(h.v, h.busy.Stop)
	return h
}

// refresh reads the wallet's state and the account's details off the UI
// thread, then shows them.
func (h *home) refresh() {
	h.gen++
	gen := h.gen
	h.fail.Clear()
	h.busy.Show()
	h.busy.Start()
	var st homeState
	a := h.s.App
	h.s.Go(h.v, func(ctx context.Context) error {
		st = homeLoad(ctx, a)
		return nil
	}, func(error) {
		if gen != h.gen {
			return
		}
		h.busy.Stop()
		h.busy.Hide()
		h.show(st)
	})
}

// homeLoad gathers what home shows; it runs off the UI thread.
func homeLoad(ctx context.Context, a *app.App) homeState {
	var st homeState
	st.wallet, st.walletErr = a.WalletState()
	if st.walletErr == nil && st.wallet != app.WalletNone {
		st.fingerprint, _ = a.WalletFingerprint() // unknown shows nothing
		st.drill, _ = a.BackupDrill()
	}
	if st.walletErr == nil && st.wallet == app.WalletUnlocked {
		st.addresses, st.walletErr = a.Addresses()
		st.verified = a.BackupVerified()
		if st.walletErr != nil {
			// Locked meanwhile.
			st.wallet, st.walletErr = app.WalletLocked, nil
		}
	}
	st.me, st.err = a.Me(ctx)
	if st.err != nil {
		return st
	}
	sessions, err := a.Sessions(ctx)
	st.sessions, st.err = len(sessions), err
	return st
}

// show draws a load's result. A wallet locked since it was read shows
// locked.
func (h *home) show(st homeState) {
	if st.wallet == app.WalletUnlocked && !h.s.App.Unlocked() {
		st.wallet, st.addresses = app.WalletLocked, nil
	}
	h.st = st
	h.showWallet(st)
	if st.err != nil {
		h.fail.Show(st.err)
		h.security.Hide()
		return
	}
	h.showSecurity(st)
}

// showWallet fills the wallet card for its state.
func (h *home) showWallet(st homeState) {
	s := h.s
	var objs []fyne.CanvasObject
	h.walletFail.Clear()
	switch {
	case st.walletErr != nil:
		h.walletFail.Show(st.walletErr)
	case st.wallet == app.WalletNone:
		create := newIconButton(lang.L("home.create_wallet"), theme.ContentAddIcon(), func() { s.Push(newCreateWallet(s)) })
		create.Importance = widget.HighImportance
		restore := newIconButton(lang.L("home.restore_wallet"), theme.HistoryIcon(), func() { s.Push(newRestoreWallet(s)) })
		objs = append(objs, paragraph(lang.L("home.wallet_none")), create, restore)
	case st.wallet == app.WalletLocked:
		unlock := newIconButton(lang.L("home.unlock"), theme.VisibilityIcon(), func() { s.Push(newUnlockWallet(s)) })
		unlock.Importance = widget.HighImportance
		if h.autoLocked > 0 {
			told := paragraph(plural("home.auto_locked", h.autoLocked))
			told.Importance = widget.WarningImportance
			objs = append(objs, told)
		}
		objs = append(objs, paragraph(lang.L("home.wallet_locked")))
		objs = append(objs, fingerprintRow(st.fingerprint)...)
		objs = append(objs, drillReminder(s, st.drill)...)
		objs = append(objs, unlock)
	default:
		h.autoLocked = 0
		objs = append(objs, paragraph(lang.L("home.wallet_unlocked")))
		objs = append(objs, fingerprintRow(st.fingerprint)...)
		number := map[wallet.Chain]int{}
		for _, a := range st.addresses {
			number[a.Chain]++
			objs = append(objs, homeAddressRow(a, number[a.Chain]))
		}
		if !st.verified {
			warn := paragraph(lang.L("home.backup_warning"))
			warn.Importance = widget.WarningImportance
			objs = append(objs, warn)
		}
		objs = append(objs, drillReminder(s, st.drill)...)
		objs = append(objs, newIconButton(lang.L("home.key_files"), theme.DocumentIcon(), func() { s.Push(newKeyFiles(s)) }))
		lock := newIconButton(lang.L("home.lock"), theme.VisibilityOffIcon(), func() {
			s.App.LockWallet()
			h.walletLocked()
		})
		objs = append(objs, lock)
	}
	h.walletBody.Objects = objs
	h.walletBody.Refresh()
}

// walletLocked redraws the wallet card and the backup's row for the
// wallet locked on this computer, scrolled to the top. It asks the server
// nothing: the account's details stay as loaded.
func (h *home) walletLocked() {
	if h.st.wallet != app.WalletUnlocked {
		return
	}
	h.st.wallet, h.st.addresses = app.WalletLocked, nil
	h.showWallet(h.st)
	if h.st.err == nil && h.st.me != nil {
		h.showSecurity(h.st)
	}
	// The card shrank: the place scrolled to may now be empty.
	if h.v.scroll != nil {
		h.v.scroll.ScrollToTop()
	}
}

// homeAddressRow shows one public address, selectable in monospace, with a
// button that copies it.
func homeAddressRow(a wallet.Address, n int) fyne.CanvasObject {
	label := widget.NewLabel(lang.LocalizeKey("home.address", "", map[string]any{"Chain": walletChainName(a.Chain), "Number": strconv.Itoa(n)}))
	label.Importance = widget.LowImportance
	addr := widget.NewLabelWithStyle(a.Address, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	addr.Selectable = true
	addr.Wrapping = fyne.TextWrapBreak
	text := a.Address
	copyButton := newCopyButton(lang.L("home.copy"), func() {
		fyne.CurrentApp().Clipboard().SetContent(text)
	})
	return container.NewBorder(nil, nil, nil, container.NewCenter(copyButton), container.NewVBox(label, addr))
}

// showSecurity fills the security centre from the account's details.
func (h *home) showSecurity(st homeState) {
	s := h.s
	me := st.me
	var rows []fyne.CanvasObject
	row := func(title string, status fyne.CanvasObject, buttons ...fyne.CanvasObject) {
		if len(rows) > 0 {
			rows = append(rows, widget.NewSeparator())
		}
		switch len(buttons) {
		case 0:
			rows = append(rows, heading(title), status)
		case 1:
			rows = append(rows, heading(title), container.NewBorder(nil, nil, nil, container.NewCenter(buttons[0]), status))
		default:
			rows = append(rows, heading(title), status, container.NewHBox(buttons...))
		}
	}

	if me.TwoFactorEnabled {
		status := container.NewVBox(paragraph(plural("home.two_factor_on", me.RecoveryCodesLeft)))
		if used := codesLastUsed(me); used != "" {
			status.Add(paragraph(used))
		}
		if me.RecoveryCodesLeft <= homeCodesLow {
			low := paragraph(lang.L("home.codes_low"))
			low.Importance = widget.WarningImportance
			status.Add(low)
		}
		row(lang.L("home.two_factor"), status,
			newButton(lang.L("home.two_factor_disable"), func() { s.Push(newTwoFactorOff(s)) }),
			newButton(lang.L("home.new_codes"), func() { s.Push(newNewRecoveryCodes(s)) }),
			newButton(lang.L("home.code_check"), func() { s.Push(newCodeCheck(s)) }))
	} else {
		off := paragraph(lang.L("home.two_factor_off"))
		off.Importance = widget.WarningImportance
		on := newIconButton(lang.L("home.two_factor_enable"), theme.ConfirmIcon(), func() { s.Push(newEnableTwoFactor(s)) })
		on.Importance = widget.HighImportance
		row(lang.L("home.two_factor"), off, on)
	}

	var backup *wrapLabel
	switch {
	case st.walletErr != nil || st.wallet == app.WalletNone:
		backup = paragraph(lang.L("home.backup_none"))
	case st.wallet == app.WalletLocked:
		backup = paragraph(lang.L("home.backup_locked"))
	case st.verified:
		backup = paragraph(lang.L("home.backup_verified"))
		backup.Importance = widget.SuccessImportance
	default:
		backup = paragraph(lang.L("home.backup_not_verified"))
		backup.Importance = widget.WarningImportance
	}
	if st.walletErr == nil && st.wallet != app.WalletNone && !st.drill.Since.IsZero() {
		row(lang.L("home.backup"), container.NewVBox(backup, paragraph(drillText(st.drill, time.Now()))),
			newButton(lang.L("home.drill_now"), func() { s.Push(newBackupDrill(s)) }))
	} else {
		row(lang.L("home.backup"), backup)
	}

	row(lang.L("home.sessions"), paragraph(plural("home.sessions_count", st.sessions)),
		newButton(lang.L("home.sessions_manage"), func() { s.Push(newSessions(s)) }))

	row(lang.L("home.activity"), paragraph(lang.L("home.activity_hint")),
		newButton(lang.L("home.activity_show"), func() { s.Push(newActivity(s)) }))

	phrase := me.AntiPhishingPhrase
	if phrase != "" {
		row(lang.L("home.phishing"), paragraph(lang.LocalizeKey("home.phishing_set", "", map[string]any{"Phrase": phrase})),
			newButton(lang.L("home.phishing_change"), func() { s.Push(newAntiPhishing(s, phrase)) }))
	} else {
		row(lang.L("home.phishing"), paragraph(lang.L("home.phishing_none")),
			newButton(lang.L("home.phishing_add"), func() { s.Push(newAntiPhishing(s, "")) }))
	}

	if me.Phone != "" {
		masked := me.Phone
		row(lang.L("home.phone"), paragraph(lang.LocalizeKey("home.phone_set", "", map[string]any{"Phone": masked})),
			newButton(lang.L("home.phone_change"), func() { s.Push(newAddPhone(s)) }),
			newButton(lang.L("home.phone_remove"), func() { s.Push(newRemovePhone(s, masked)) }))
	} else {
		row(lang.L("home.phone"), paragraph(lang.L("home.phone_none")),
			newButton(lang.L("home.phone_add"), func() { s.Push(newAddPhone(s)) }))
	}

	row(lang.L("home.password"), paragraph(lang.L("home.password_hint")),
		newButton(lang.L("home.password_change"), func() { s.Push(newChangePassword(s)) }))

	row(lang.L("home.support"), paragraph(lang.L("home.support_hint")),
		newButton(lang.L("home.support_open"), func() { s.Push(newSupport(s, "")) }))

	h.security.Objects = rows
	h.security.Show()
	h.security.Refresh()
}

// doSignOut ends the session off the UI thread, then shows sign-in. The
// app forgets the session even when the server cannot be reached. When the
// keychain kept the remembered sign-in, a notice over sign-in says so: the
// next start could sign in by itself.
func (h *home) doSignOut() {
	h.signOut.Disable()
	h.busy.Show()
	h.busy.Start()
	s, a := h.s, h.s.App
	h.s.Go(h.v, func(ctx context.Context) error {
		return a.SignOut(ctx)
	}, func(err error) {
		s.Reset(newSignIn(s, nil))
		if code := keychainCode(err); code != "" {
			s.noteError(app.Code(code))
			msg := lang.L("signout.keychain_body") + "\n\n" +
				diag.Step{ID: diag.StepKeychain, Verdict: diag.VerdictWarning, Cause: code}.Text(diagText).Title
			dialog.ShowInformation(lang.L("signout.keychain_title"), msg, s.Win)
		}
	})
}

// keychainCode is the code of the keychain's failure in err (a cause of
// the check's keychain step), or "": err may join it with the server's.
func keychainCode(err error) diag.Cause {
	if err == nil {
		return ""
	}
	keychain, _ := diag.Lookup(diag.StepKeychain)
	if code := diag.Cause(app.ErrorCode(err)); slices.Contains(keychain.Causes, code) {
		return code
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			if code := keychainCode(e); code != "" {
				return code
			}
		}
	}
	return ""
}
