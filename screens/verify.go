package screens

import (
	"context"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"sesame/app"
)

// newVerifyEmail is the activation step of a new account: the code mailed
// to reg.Email, which activates the account and signs in. A zero
// reg.SentAt means no code was sent by this step yet: resend is offered at
// once and no expiry is shown.
func newVerifyEmail(s *Shell, reg *app.Registration, remember bool) *view {
	v := newView(lang.L("verify.title"))
	intro := paragraph("")
	setIntro := func() {
		key := "verify.sent"
		if reg.SentAt.IsZero() {
			key = "verify.not_sent"
		}
		intro.SetText(lang.LocalizeKey(key, "", map[string]any{"Email": reg.Email}))
	}
	setIntro()
	var res app.SignInResult
	c := newMailedCodeStep(s, v, lang.L("verify.submit"),
		func() app.Mailed { return reg.Mailed },
		reg.Resend,
		func(ctx context.Context, code string) error {
			r, err := reg.Verify(ctx, code, remember)
			res = r
			return err
		},
		func() { verifySignedIn(s, res) })
	c.sent = setIntro
	v.content = container.NewVBox(intro, c.object())
	v.focus = c.entry
	return v
}

// verifySignedIn goes on from a sign-in that ended the activation: to the
// second factor when the account asks for it, home otherwise, telling when
// "remember me" could not be kept.
func verifySignedIn(s *Shell, res app.SignInResult) {
	if res.Challenge != nil {
		s.Push(newTwoFactorChallenge(s, res.Challenge))
		return
	}
	s.Reset(newHome(s))
	if res.RememberErr != nil {
		verifyRememberFailed(s, res.RememberErr)
	}
}

// verifyRememberFailed tells in a dialog that the session is not kept on
// this computer, and why.
func verifyRememberFailed(s *Shell, err error) {
	f := app.Explain(err)
	s.noteError(f.Code)
	data := map[string]any{"Host": s.Host()}
	lines := container.NewVBox(
		paragraph(lang.L("verify.remember_signed_in")),
		paragraph(lang.LocalizeKey("error."+f.Code, "error.other", data)),
	)
	if fix := lang.LocalizeKey("remedy."+f.Code, "", data); fix != "" {
		lines.Add(paragraph(fix))
	}
	d := dialog.NewCustom(lang.L("verify.remember_failed"), lang.L("verify.ok"), lines, s.Win)
	d.Resize(fyne.NewSize(440, 320))
	d.Show()
}

// mailedCodeStep is the part of a step that waits for a mailed 6-digit
// code: the field, which sends itself when full, the expiry countdown, and
// resend under its cooldown with the spam hint.
type mailedCodeStep struct {
	s    *Shell
	v    *view
	form *form
	// mailed reads the flow's code times; it is read on the UI thread only
	// when no resend runs.
	mailed func() app.Mailed
	resend func(ctx context.Context) error
	// sent runs after a new code was sent.
	sent    func()
	times   app.Mailed
	sending bool

	entry  *widget.Entry
	expiry *widget.Label
	wait   *widget.Label
	resent *widget.Label
	again  *widget.Button
}

// newMailedCodeStep builds the code part of view v: check runs off the UI
// thread with the typed code, then ok on the UI thread; resend asks for a
// new code.
func newMailedCodeStep(s *Shell, v *view, submit string, mailed func() app.Mailed, resend func(context.Context) error,
	check func(ctx context.Context, code string) error, ok func()) *mailedCodeStep {
	c := &mailedCodeStep{s: s, v: v, mailed: mailed, resend: resend, times: mailed()}
	c.entry = newCodeEntry(func(string) { c.form.submit.OnTapped() })
	var send func()
	c.form = newForm(s, v, submit, func() bool {
		return !c.sending && app.ValidateCode(c.entry.Text) == nil
	}, func() { send() })
	send = func() {
		code := c.entry.Text
		c.resent.Hide()
		c.form.fail.actions[app.RemedyRetry] = send
		c.form.run(func(ctx context.Context) error { return check(ctx, code) }, ok, func(err error) bool {
			if isCode(err, "invalid_code") {
				c.entry.SetText("")
			}
			c.update()
			return false
		})
		c.update()
	}
	c.form.fail.actions[app.RemedyNewCode] = c.sendNew
	c.form.watch(c.entry)
	c.expiry = widget.NewLabel("")
	c.wait = paragraph("")
	c.resent = paragraph(lang.L("mailcode.resent"))
	c.resent.Importance = widget.SuccessImportance
	c.resent.Hide()
	c.again = widget.NewButton(lang.L("mailcode.resend"), c.sendNew)
	c.update()
	c.startTicker()
	return c
}

// object lays the step out: field, expiry, submit and failure, then the
// spam hint and resend.
func (c *mailedCodeStep) object() fyne.CanvasObject {
	return container.NewVBox(
		c.entry, c.expiry, c.form.actions(),
		widget.NewSeparator(),
		paragraph(lang.L("mailcode.spam")), c.wait, container.NewHBox(c.again), c.resent,
	)
}

// sendNew asks for a new code off the UI thread.
func (c *mailedCodeStep) sendNew() {
	if c.sending || c.form.running {
		return
	}
	c.sending = true
	c.resent.Hide()
	c.form.fail.Clear()
	c.form.fail.actions[app.RemedyRetry] = c.sendNew
	c.form.busy.Show()
	c.form.busy.Start()
	c.form.check()
	c.update()
	c.s.Go(c.v, c.resend, func(err error) {
		c.sending = false
		c.form.busy.Stop()
		c.form.busy.Hide()
		c.times = c.mailed()
		if err != nil {
			c.form.fail.Show(err)
		} else {
			c.entry.SetText("")
			c.resent.Show()
			if c.sent != nil {
				c.sent()
			}
		}
		c.form.check()
		c.update()
	})
}

// update redraws the countdowns and enables resend once its cooldown ended.
func (c *mailedCodeStep) update() {
	now := c.s.now()
	var cooldown time.Duration
	if c.times.SentAt.IsZero() {
		c.expiry.Hide()
	} else {
		cooldown = c.times.ResendAt().Sub(now)
		if left := c.times.ExpiresAt().Sub(now); left > 0 {
			c.expiry.SetText(lang.LocalizeKey("mailcode.expires_in", "", map[string]any{"Left": duration(ceilSecond(left))}))
		} else {
			c.expiry.SetText(lang.L("mailcode.expired"))
		}
		c.expiry.Show()
	}
	if cooldown > 0 {
		c.wait.SetText(lang.LocalizeKey("mailcode.resend_in", "", map[string]any{"Left": duration(ceilSecond(cooldown))}))
		c.wait.Show()
	} else {
		c.wait.Hide()
	}
	if cooldown > 0 || c.sending || c.form.running {
		c.again.Disable()
	} else {
		c.again.Enable()
	}
}

// mailedCodeTick is how often the countdowns are redrawn; tests shorten it.
var mailedCodeTick = time.Second

// startTicker updates the countdowns each tick until the view closes.
func (c *mailedCodeStep) startTicker() {
	stop := make(chan struct{})
	// mu orders the last update before the close where fyne.Do runs on
	// the calling goroutine, as in tests; on the UI thread it is free.
	var mu sync.Mutex
	closed := false
	prev := c.v.closed
	c.v.closed = func() {
		mu.Lock()
		closed = true
		mu.Unlock()
		close(stop)
		if prev != nil {
			prev()
		}
	}
	go func() {
		t := time.NewTicker(mailedCodeTick)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				fyne.Do(func() {
					mu.Lock()
					defer mu.Unlock()
					if !closed {
						c.update()
					}
				})
			}
		}
	}()
}

// ceilSecond rounds a countdown up to whole seconds, so it shows 0:00 only
// when it ended.
func ceilSecond(d time.Duration) time.Duration {
	if r := d % time.Second; r > 0 {
		d += time.Second - r
	}
	return d
}
