package screens

import (
	"context"
	"maps"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
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
	c := newMailedCodeStep(s, v, lang.L("verify.submit"), reg.Email, lang.L("mail.subject.verify"),
		func() app.Mailed { return reg.Mailed },
		reg.Resend,
		func(ctx context.Context, code string) error {
			r, err := reg.Verify(ctx, code, remember)
			res = r
			return err
		},
		func() { finishSignIn(s, res) })
	c.sent = setIntro
	v.content = container.NewVBox(intro, c.object())
	v.focus = c.entry
	return v
}

// textedFixes are the fixes of a texted code's failures, which would
// otherwise send the user to the mail.
var textedFixes = map[app.Code]string{
	app.CodeInvalidCode: "remedy.invalid_code_sms",
	app.CodeCodeExpired: "remedy.code_expired_sms",
}

// mailedCodeStep is the part of a step that waits for a mailed 6-digit
// code: the field, which sends itself when full, the expiry countdown, and
// resend under its cooldown with where to look for the mail.
type mailedCodeStep struct {
	s    *Shell
	v    *view
	form *form
	// mailed reads the flow's code times; it is read on the UI thread only
	// when no resend runs.
	mailed func() app.Mailed
	resend func(ctx context.Context) error
	// sent runs after a new code was sent.
	sent  func()
	times app.Mailed
	// until is the end of the server's wait (Retry-After) before a new
	// code, after it refused one as too many.
	until time.Time

	// subject is the mail's subject, "" for a texted code; find says it
	// with the sender, spam names the folder of unwanted mail of email's
	// provider.
	subject string
	find    *wrapLabel
	spam    *wrapLabel

	entry *entry
	// valid checks the field: app.ValidateCode, or app.ValidateMailedCode
	// once takesLongCodes.
	valid  func(string) error
	expiry *widget.Label
	wait   *wrapLabel
	resent *wrapLabel
	again  *button
	// others send a new code another way (alternative), each showing its
	// note once sent.
	others []*button
	notes  []*wrapLabel
}

// newMailedCodeStep builds the code part of view v for the mail with
// subject to email, or for a texted code when both are "": check runs off
// the UI thread with the typed code, then ok on the UI thread; resend asks
// for a new code.
func newMailedCodeStep(s *Shell, v *view, submit, email, subject string, mailed func() app.Mailed, resend func(context.Context) error,
	check func(ctx context.Context, code string) error, ok func()) *mailedCodeStep {
	c := &mailedCodeStep{s: s, v: v, mailed: mailed, resend: resend, times: mailed(), subject: subject, valid: app.ValidateCode}
	c.entry = newCodeEntryOf(func(code string) error { return c.valid(code) }, func(string) { c.form.submit.OnTapped() })
	c.form = newForm(s, v, submit, func() bool {
		return c.valid(c.entry.Text) == nil
	}, func() {
		code := c.entry.Text
		c.resent.Hide()
		c.form.run(func(ctx context.Context) error { return check(ctx, code) }, ok, func(err error) bool {
			if isCode(err, app.CodeInvalidCode) {
				c.entry.SetText("")
			}
			c.update()
			return false
		})
		c.update()
	})
	sendNew := c.form.action(c.sendNew)
	c.form.fail.actions[app.RemedyNewCode] = sendNew
	if email == "" {
		maps.Copy(c.form.fail.fixes, textedFixes)
	}
	c.form.watch(c.entry)
	c.expiry = widget.NewLabel("")
	c.find = paragraph("")
	c.setFind()
	c.spam = paragraph(lang.L(spamHints[app.MailProviderOf(email)]))
	c.wait = paragraph("")
	c.resent = paragraph(lang.L("mailcode.resent"))
	c.resent.Importance = widget.SuccessImportance
	c.resent.Hide()
	c.again = newButton(lang.L("mailcode.resend"), sendNew)
	c.update()
	c.startTicker()
	return c
}

// takesLongCodes lets the field take the long code a reset or support
// mail brings when the address's wrong codes or code mails ran out, typed
// or pasted, and says so when a code is refused.
func (c *mailedCodeStep) takesLongCodes() *mailedCodeStep {
	c.valid = app.ValidateMailedCode
	c.form.fail.fixes[app.CodeCodeExpired] = "remedy.code_expired_long"
	c.form.fail.fixes[app.CodeInvalidCode] = "remedy.invalid_code_long"
	return c
}

// spamHints name, by provider, the folder where it puts unwanted mail.
var spamHints = map[app.MailProvider]string{
	app.ProviderOther:   "mailcode.spam",
	app.ProviderQQ:      "mailcode.spam_qq",
	app.ProviderNetEase: "mailcode.spam_netease",
	app.ProviderGmail:   "mailcode.spam_gmail",
	app.ProviderOutlook: "mailcode.spam_outlook",
}

// object lays the step out: field, expiry, submit and failure, then where
// to look for a mail and resend.
func (c *mailedCodeStep) object() fyne.CanvasObject {
	objs := []fyne.CanvasObject{c.entry, c.expiry, c.form.actions(), widget.NewSeparator()}
	if c.subject != "" {
		objs = append(objs, c.find, c.spam)
	}
	return container.NewVBox(append(objs, c.wait, container.NewHBox(c.again), c.resent)...)
}

// sendNew asks for a new code as the form's second action: it runs as the
// submit does, with the form's progress and failure.
func (c *mailedCodeStep) sendNew() { c.sendWith(c.resend, c.resent) }

// alternative is another way to ask for a new code, under resend's
// cooldown: intro, its button labelled label, and note once it sent.
func (c *mailedCodeStep) alternative(intro, label, note string, send func(ctx context.Context) error) fyne.CanvasObject {
	sent := paragraph(note)
	sent.Importance = widget.SuccessImportance
	sent.Hide()
	b := newButton(label, c.form.action(func() { c.sendWith(send, sent) }))
	c.others, c.notes = append(c.others, b), append(c.notes, sent)
	c.update()
	return container.NewVBox(paragraph(intro), container.NewHBox(b), sent)
}

// sendWith asks for a new code with send as the form's second action, and
// shows note once it sent.
func (c *mailedCodeStep) sendWith(send func(ctx context.Context) error, note *wrapLabel) {
	if c.form.running {
		return
	}
	c.resent.Hide()
	for _, n := range c.notes {
		n.Hide()
	}
	c.form.run(send, func() {
		c.times = c.mailed()
		c.setFind()
		c.entry.SetText("")
		note.Show()
		if c.sent != nil {
			c.sent()
		}
		c.update()
	}, func(err error) bool {
		c.times = c.mailed()
		if f := app.Explain(err); f.Code == app.CodeRateLimited {
			c.until = f.Until
		}
		c.update()
		return false
	})
	c.update()
}

// update redraws the countdowns and enables resend once its cooldown,
// and the server's wait if it named one, ended.
func (c *mailedCodeStep) update() {
	now := c.s.now()
	cooldown := c.until.Sub(now)
	if c.times.SentAt.IsZero() {
		c.expiry.Hide()
	} else {
		cooldown = max(cooldown, c.times.ResendAt().Sub(now))
		if left := c.times.ExpiresAt().Sub(now); left > 0 {
			c.expiry.SetText(lang.LocalizeKey("mailcode.expires_in", "", map[string]any{"Left": duration(ceilSecond(left))}))
		} else {
			c.expiry.SetText(lang.L("mailcode.expired"))
		}
		c.expiry.Show()
	}
	// Once a code was sent the line stays, so that the buttons below it do
	// not move up when they become active.
	switch {
	case cooldown > 0:
		c.wait.SetText(lang.LocalizeKey("mailcode.resend_in", "", map[string]any{"Left": duration(ceilSecond(cooldown))}))
		c.wait.Show()
	case c.times.SentAt.IsZero() && c.until.IsZero():
		c.wait.Hide()
	default:
		c.wait.SetText(lang.L("mailcode.resend_now"))
		c.wait.Show()
	}
	for _, b := range append([]*button{c.again}, c.others...) {
		if cooldown > 0 || c.form.running {
			b.Disable()
		} else {
			b.Enable()
		}
	}
}

// setFind names the subject to search for, and the sender once known.
func (c *mailedCodeStep) setFind() {
	if c.times.From == "" {
		c.find.SetText(lang.LocalizeKey("mailcode.find", "", map[string]any{"Subject": c.subject}))
		return
	}
	c.find.SetText(lang.LocalizeKey("mailcode.find_from", "", map[string]any{"Subject": c.subject, "From": c.times.From}))
}

// mailedCodeTick is how often the countdowns are redrawn; tests shorten it.
var mailedCodeTick = time.Second

// startTicker updates the countdowns each tick until the view closes.
func (c *mailedCodeStep) startTicker() {
	closeAlso(c.v, uiEvery(mailedCodeTick, c.update))
}

// ceilSecond rounds a countdown up to whole seconds, so it shows 0:00 only
// when it ended.
func ceilSecond(d time.Duration) time.Duration {
	if r := d % time.Second; r > 0 {
		d += time.Second - r
	}
	return d
}
