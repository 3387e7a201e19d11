package screens

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"golang.org/x/image/draw"

	"sesame/app"
	"sesame/assets"
	diag "sesame/check"
)

// newSignIn is the sign-in screen: email, password, "remember me", and the
// ways out (forgot password, create account, can't sign in). prior is a
// failure to show at once, such as a resume attempt that failed; nil for
// none. Under the server badge it shows the anti-phishing phrase this
// computer remembers for the typed email, if any.
func newSignIn(s *Shell, prior error) *view {
	return newSignInFrom(s, signInStart{prior: prior})
}

// signInStart is what the sign-in screen starts from.
type signInStart struct {
	// prior is a failure to show at once.
	prior error
	// email is the address typed before (on Forgot password, say).
	email string
	// recovery asks a recovery code as the second factor, for a user who
	// lost the authenticator.
	recovery bool
}

func newSignInFrom(s *Shell, start signInStart) *view {
	prior := start.prior
	v := newView(lang.L("signin.title"))
	email := newEmailEntry()
	email.SetText(start.email)
	phrase := newSigninPhrase(s, v)
	email.OnChanged = phrase.changed
	password := newPasswordEntry(lang.L("signin.password"))
	remember := newCheck(lang.L("signin.remember"), nil)
	valid := func() bool {
		return app.ValidateEmail(email.Text) == nil && password.Text != ""
	}
	check := newSigninCheck(s, v)
	var f *form
	f = newForm(s, v, lang.L("signin.submit"), valid, func() {
		check.hide()
		mail, pw, rem := email.Text, password.Text, remember.Checked
		a := s.App
		var res app.SignInResult
		f.run(func(ctx context.Context) error {
			var err error
			res, err = a.SignIn(ctx, mail, pw, rem)
			return err
		}, func() {
			password.SetText("")
			if start.recovery && res.Challenge != nil {
				s.Push(newChallenge(s, res.Challenge, true))
				return
			}
			finishSignIn(s, res)
		}, func(err error) bool {
			switch app.ErrorCode(err) {
			case app.CodeInvalidCredentials, app.CodeAccountLocked, app.CodePasswordResetRequired:
				password.SetText("")
				s.Win.Canvas().Focus(password)
			case app.CodeAccountNotVerified:
				f.fail.actions[app.RemedyVerifyEmail] = f.action(func() {
					reg := a.PendingRegistration(mail, pw)
					f.run(reg.Resend, func() {
						password.SetText("")
						s.Push(newVerifyEmail(s, reg, rem))
					}, nil)
				})
			}
			return false
		})
	})
	f.watch(email, password, remember)
	f.fail.actions[app.RemedyConnectionCheck] = check.run
	f.fail.actions[app.RemedyResetPassword] = func() { s.Push(newForgotPassword(s, email.Text)) }

	links := container.NewHBox(
		signinLink(lang.L("signin.forgot_password"), func() { s.Push(newForgotPassword(s, email.Text)) }),
		signinLink(lang.L("signin.create_account"), func() { s.Push(newCreateAccount(s, email.Text)) }),
		signinLink(lang.L("signin.cant_sign_in"), func() { s.Push(newCantSignIn(s, false)) }),
	)
	fields := labelled(
		fieldRow{lang.L("signin.email"), email},
		fieldRow{lang.L("signin.password"), password},
	)
	v.content = container.NewVBox(signinLogo(), phrase.box, fields, remember, f.actions(), check.box, container.NewCenter(links))
	v.focus = email
	if start.email != "" {
		v.focus = password
	}
	if start.recovery {
		v.content = container.NewVBox(paragraph(lang.L("signin.recovery_next")), v.content)
	}

	if prior != nil {
		// A resume that failed for a wait is tried again, unless the user
		// has filled the form meanwhile.
		f.last = func() {
			if password.Text == "" {
				s.Start()
			} else {
				f.submit.OnTapped()
			}
		}
		f.fail.Show(prior)
	}
	a, known := s.App, ""
	s.Go(v, func(ctx context.Context) error {
		known = a.RememberedAccount(ctx)
		return nil
	}, func(error) {
		if known == "" || email.Text != "" {
			return
		}
		email.SetText(known)
		remember.SetChecked(true)
		if viewOnTop(s, v) {
			s.Win.Canvas().Focus(password)
		}
	})
	return v
}

// logoSize is the side of the app's logo on the sign-in screen.
const logoSize = 72

// signinLogo is the app's icon, centred.
func signinLogo() fyne.CanvasObject {
	logo := canvas.NewImageFromImage(logoImage())
	logo.FillMode = canvas.ImageFillContain
	logo.SetMinSize(fyne.NewSize(logoSize, logoSize))
	return container.NewCenter(logo)
}

// logoImage is the icon scaled to twice logoSize (sharp at a scale of 2):
// the 512-pixel icon itself would stay decoded, and in the painter's
// texture, for as long as the app runs (3 MB of its start-up memory).
var logoImage = sync.OnceValue(func() image.Image {
	icon, err := png.Decode(bytes.NewReader(assets.Icon))
	if err != nil {
		panic("the embedded icon: " + err.Error()) // assets' tests decode it
	}
	small := image.NewNRGBA(image.Rect(0, 0, 2*logoSize, 2*logoSize))
	draw.CatmullRom.Scale(small, small.Bounds(), icon, icon.Bounds(), draw.Src, nil)
	return small
})

// phraseWait is how long the email field rests before the phrase
// remembered for it is looked up, so typing does not ask the keychain at
// every key.
const phraseWait = 400 * time.Millisecond

// phraseAfter runs fn after d off the UI thread; stop cancels it. Tests
// replace it to end the waits themselves.
var phraseAfter = func(d time.Duration, fn func()) (stop func() bool) { return time.AfterFunc(d, fn).Stop }

// signinPhrase shows the anti-phishing phrase remembered for the typed
// email. The keychain is asked off the UI thread once the field rests; an
// answer for an email no longer typed is dropped, and an invalid or unknown
// email shows nothing.
type signinPhrase struct {
	s    *Shell
	v    *view
	box  *fyne.Container
	text *wrapLabel
	// asked counts the changes of the field; an answer to an older one is
	// stale.
	asked int
	stop  func() bool
}

func newSigninPhrase(s *Shell, v *view) *signinPhrase {
	p := &signinPhrase{s: s, v: v, text: paragraph("")}
	p.box = container.NewBorder(nil, nil, widget.NewIcon(theme.InfoIcon()), nil, p.text)
	p.box.Hide()
	closeAlso(v, p.cancel)
	return p
}

// changed hides the phrase and, for a valid email, looks it up once the
// field rests.
func (p *signinPhrase) changed(email string) {
	p.cancel()
	p.asked++
	p.box.Hide()
	if app.ValidateEmail(email) != nil {
		return
	}
	asked, a := p.asked, p.s.App
	p.stop = phraseAfter(phraseWait, func() {
		uiDo(func() {
			if asked != p.asked {
				return
			}
			var known string
			p.s.Go(p.v, func(ctx context.Context) error {
				var err error
				known, err = a.KnownPhrase(ctx, email)
				return err
			}, func(err error) {
				if err != nil || known == "" || asked != p.asked {
					return
				}
				p.text.SetText(lang.LocalizeKey("signin.phrase", "", map[string]any{"Phrase": known}))
				p.box.Show()
			})
		})
	})
}

// cancel stops a wait that has not ended.
func (p *signinPhrase) cancel() {
	if p.stop != nil {
		p.stop()
		p.stop = nil
	}
}

// signinLink is a low-importance button that leads to another screen.
func signinLink(label string, tapped func()) *button {
	b := newButton(label, tapped)
	b.Importance = widget.LowImportance
	return b
}

// viewOnTop reports whether v is the view on top of the shell.
func viewOnTop(s *Shell, v *view) bool {
	return len(s.stack) > 0 && s.stack[len(s.stack)-1] == v
}

// finishSignIn goes on from a sign-in, an activation or a second factor:
// to the second factor when the account asks for it, home otherwise. When
// "remember me" could not be kept, a notice over home says why and what to
// do.
func finishSignIn(s *Shell, res app.SignInResult) {
	if res.Challenge != nil {
		s.Push(newTwoFactorChallenge(s, res.Challenge))
		return
	}
	s.Reset(newHome(s))
	if res.RememberErr == nil {
		return
	}
	f := app.Explain(res.RememberErr)
	s.noteError(f.Code)
	if !f.Code.Keychain() {
		// The dialog is about the keychain, whatever stopped it.
		f = app.Failure{Code: app.CodeKeychainFailed}
	}
	message, fix := s.failureText(f)
	dialog.ShowInformation(lang.L("signin.keychain_title"), message+"\n\n"+fix, s.Win)
}

// signinCheck is the connection check run inline under a failure to connect:
// the first step that went wrong, its fix, and the way to the full check.
type signinCheck struct {
	s       *Shell
	v       *view
	box     *fyne.Container
	bar     *widget.ProgressBarInfinite
	running *wrapLabel
	icon    *widget.Icon
	title   *wrapLabel
	fix     *wrapLabel
	result  *fyne.Container
	busy    bool
}

func newSigninCheck(s *Shell, v *view) *signinCheck {
	c := &signinCheck{s: s, v: v}
	c.bar = widget.NewProgressBarInfinite()
	c.bar.Stop()
	c.running = paragraph(lang.L("signin.check_running"))
	c.icon = widget.NewIcon(theme.ErrorIcon())
	c.title = paragraph("")
	c.title.TextStyle.Bold = true
	c.fix = paragraph("")
	full := newButton(lang.L("signin.check_full"), func() { s.Push(newCantSignIn(s, true)) })
	c.result = container.NewVBox(container.NewBorder(nil, nil, c.icon, nil, c.title), c.fix, full)
	c.box = container.NewVBox(widget.NewSeparator(), heading(lang.L("signin.check_heading")), c.running, c.bar, c.result)
	c.box.Hide()
	closeAlso(v, c.bar.Stop)
	return c
}

// run starts the check off the UI thread with a progress bar; a second tap
// while it runs does nothing.
func (c *signinCheck) run() {
	if c.busy {
		return
	}
	c.busy = true
	c.result.Hide()
	c.running.Show()
	c.bar.Show()
	c.bar.Start()
	c.box.Show()
	a, version := c.s.App, c.s.Opts.Version
	var d diag.Diagnosis
	c.s.Go(c.v, func(ctx context.Context) error {
		d = diag.Run(ctx, a.CheckConfig(ctx, version), nil)
		return nil
	}, func(error) {
		c.busy = false
		c.bar.Stop()
		c.bar.Hide()
		c.running.Hide()
		c.showVerdict(d)
	})
}

// showVerdict shows the step that explains the failure best.
func (c *signinCheck) showVerdict(d diag.Diagnosis) {
	st, found := signinVerdict(d)
	switch {
	case !found:
		c.icon.SetResource(theme.NewSuccessThemedResource(theme.ConfirmIcon()))
		c.title.Importance = widget.SuccessImportance
		c.title.SetText(lang.L("signin.check_all_ok"))
		c.fix.SetText(lang.L("signin.check_all_ok_fix"))
	default:
		if st.Verdict == diag.VerdictProblem {
			c.icon.SetResource(theme.NewErrorThemedResource(theme.ErrorIcon()))
			c.title.Importance = widget.DangerImportance
		} else {
			c.icon.SetResource(theme.NewWarningThemedResource(theme.WarningIcon()))
			c.title.Importance = widget.WarningImportance
		}
		t := st.Text(diagText)
		c.title.SetText(t.Title)
		c.fix.SetText(t.Fix)
	}
	if c.fix.Text == "" {
		c.fix.Hide()
	} else {
		c.fix.Show()
	}
	c.result.Show()
}

// hide takes the check away, as a new attempt starts.
func (c *signinCheck) hide() {
	if !c.busy {
		c.box.Hide()
	}
}

// signinVerdict picks the step to show: the first that blocks signing in,
// else the first other problem, else the first warning, else the first
// step the check ran out of time for; found is false when all went well.
func signinVerdict(d diag.Diagnosis) (st diag.Step, found bool) {
	tests := []func(diag.Step) bool{
		diag.Step.Blocks,
		func(s diag.Step) bool { return s.Verdict == diag.VerdictProblem },
		func(s diag.Step) bool { return s.Verdict == diag.VerdictWarning },
		func(s diag.Step) bool { return s.Verdict == diag.VerdictSkipped && s.Cause == diag.CauseTimeout },
	}
	for _, test := range tests {
		for _, s := range d.Steps {
			if test(s) {
				return s, true
			}
		}
	}
	return diag.Step{}, false
}
