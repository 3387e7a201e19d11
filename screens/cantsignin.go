package screens

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sesame/app"
)

// newCantSignIn is "Can't sign in?": a short decision tree whose five
// answers each open a page, or, with runCheck, the connection check
// started at once (the remedy of a failure that may be the connection).
func newCantSignIn(s *Shell, runCheck bool) *view {
	v := newView(lang.L("cantsignin.title"))
	if runCheck {
		c := newConnCheck(s, v, s.App)
		other := newIconButton(lang.L("check.other_problems"), theme.HelpIcon(), func() {
			s.Push(newCantSignIn(s, false))
		})
		other.Importance = widget.LowImportance
		v.content = container.NewVBox(c.Object(), widget.NewSeparator(), other)
		startOnce(v, c)
		return v
	}

	// The email for the reset: the signed-in account, else the one
	// remembered on this computer, read from the keychain off the UI
	// thread.
	a := s.App
	email := a.Account()
	if email == "" {
		var remembered string
		s.Go(v, func(ctx context.Context) error {
			remembered = a.RememberedAccount(ctx)
			return nil
		}, func(error) {
			if email == "" {
				email = remembered
			}
		})
	}

	v.content = container.NewVBox(
		paragraph(lang.L("cantsignin.intro")),
		choice(lang.L("cantsignin.choice.account_password"), lang.L("cantsignin.choice.account_password_hint"),
			theme.AccountIcon(), func() { s.Push(newForgotAccountPassword(s, func() string { return email })) }),
		choice(lang.L("cantsignin.choice.wallet_password"), lang.L("cantsignin.choice.wallet_password_hint"),
			theme.StorageIcon(), func() { s.Push(newForgotWalletPassword(s)) }),
		choice(lang.L("cantsignin.choice.two_factor"), lang.L("cantsignin.choice.two_factor_hint"),
			theme.LoginIcon(), func() { s.Push(newLostTwoFactor(s)) }),
		choice(lang.L("cantsignin.choice.phrase"), lang.L("cantsignin.choice.phrase_hint"),
			theme.DocumentIcon(), func() { s.Push(newLostPhrase(s)) }),
		choice(lang.L("cantsignin.choice.connect"), lang.L("cantsignin.choice.connect_hint"),
			theme.SearchIcon(), func() { s.Push(newConnectionCheck(s, s.App)) }),
		choice(lang.L("cantsignin.choice.support"), lang.L("cantsignin.choice.support_hint"),
			theme.MailComposeIcon(), func() { s.Push(newSupport(s, email)) }),
	)
	return v
}

// choice is one answer of the decision tree: a button and a line that
// tells it from the others, in grey at the size of all text (at caption
// size, Chinese is hard to read).
func choice(label, hint string, icon fyne.Resource, tapped func()) fyne.CanvasObject {
	b := newIconButton(label, icon, tapped)
	b.Alignment = widget.ButtonAlignLeading
	h := paragraph(hint)
	h.Importance = widget.LowImportance
	return container.NewVBox(b, h)
}

// startOnce starts the check the first time v comes on top.
func startOnce(v *view, c *connCheck) {
	started := false
	v.shown = func() {
		if !started {
			started = true
			c.Start()
		}
	}
}

// newConnectionCheck is the connection check of a's server as a page of
// the decision tree, or of Settings for a server tried, started at once.
func newConnectionCheck(s *Shell, a *app.App) *view {
	v := newView(lang.L("check.title"))
	c := newConnCheck(s, v, a)
	v.content = c.Object()
	startOnce(v, c)
	return v
}

// newForgotAccountPassword tells that the account password is reset by
// mail and leads to the reset with the known email, if any.
func newForgotAccountPassword(s *Shell, email func() string) *view {
	v := newView(lang.L("cantsignin.account.title"))
	reset := newIconButton(lang.L("cantsignin.account.action"), theme.MailSendIcon(), func() {
		s.Push(newForgotPassword(s, email()))
	})
	reset.Importance = widget.HighImportance
	v.content = container.NewVBox(
		paragraph(lang.L("cantsignin.account.body1")),
		paragraph(lang.L("cantsignin.account.body2")),
		paragraph(lang.L("cantsignin.account.body3")),
		reset,
	)
	return v
}

// newForgotWalletPassword tells that nobody can reset the wallet password
// and leads to restoring the wallet from its recovery phrase.
func newForgotWalletPassword(s *Shell) *view {
	v := newView(lang.L("cantsignin.wallet.title"))
	restore := newIconButton(lang.L("action.restore_wallet"), theme.HistoryIcon(), func() {
		s.Push(newRestoreWallet(s))
	})
	restore.Importance = widget.HighImportance
	noPhrase := newButton(lang.L("cantsignin.wallet.no_phrase"), func() { s.Push(newLostPhrase(s)) })
	noPhrase.Importance = widget.LowImportance
	v.content = container.NewVBox(
		paragraph(lang.L("cantsignin.wallet.body1")),
		paragraph(lang.L("cantsignin.wallet.body2")),
		paragraph(lang.L("cantsignin.wallet.body3")),
		restore,
		noPhrase,
	)
	return v
}

// newLostTwoFactor tells how to sign in with a recovery code, what support
// asks when none is left, and to turn two-factor on again.
func newLostTwoFactor(s *Shell) *view {
	v := newView(lang.L("cantsignin.two_factor.title"))
	box := container.NewVBox(
		paragraph(lang.L("cantsignin.two_factor.body1")),
		paragraph(lang.L("cantsignin.two_factor.body2")),
	)
	if s.App.Account() == "" {
		signIn := newIconButton(lang.L("cantsignin.two_factor.action"), theme.LoginIcon(), func() {
			s.Reset(newSignInFrom(s, signInStart{recovery: true}))
		})
		signIn.Importance = widget.HighImportance
		box.Add(signIn)
	}
	box.Add(heading(lang.L("cantsignin.two_factor.no_codes")))
	box.Add(paragraph(lang.L("cantsignin.two_factor.body3")))
	box.Add(paragraph(lang.L("cantsignin.two_factor.body4")))
	v.content = box
	return v
}

// newLostPhrase tells honestly that a recovery phrase cannot be recovered,
// and what can still be done.
func newLostPhrase(s *Shell) *view {
	v := newView(lang.L("cantsignin.phrase.title"))
	v.content = container.NewVBox(
		paragraph(lang.L("cantsignin.phrase.body1")),
		heading(lang.L("cantsignin.phrase.opens")),
		paragraph(lang.L("cantsignin.phrase.body2")),
		heading(lang.L("cantsignin.phrase.lost")),
		paragraph(lang.L("cantsignin.phrase.body3")),
		paragraph(lang.L("cantsignin.phrase.body4")),
	)
	return v
}
