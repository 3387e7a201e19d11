package screens

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"sesame/app"
)

// form ties a form's fields to its submit button: the button is enabled
// only while valid holds and nothing runs, and Enter in a watched field
// submits. Its work runs off the UI thread with a progress bar, and a
// failure shows in fail with its remedy. A retry runs again the action
// that ran last: the submit, or a second action such as a reload.
type form struct {
	s      *Shell
	v      *view
	submit *button
	busy   *widget.ProgressBarInfinite
	// waiting says what a running request waits for, beside its Cancel.
	waiting *fyne.Container
	fail    *failureBox
	valid   func() bool
	running bool
	// runs counts the runs started or cancelled: a run's answer counts
	// only while it is the latest.
	runs   int
	cancel context.CancelFunc
	// last is the action that ran last, which a retry runs again.
	last func()
}

// newForm makes the form of view v; label names its submit button, and
// onSubmit runs when it is tapped while valid.
func newForm(s *Shell, v *view, label string, valid func() bool, onSubmit func()) *form {
	f := &form{s: s, v: v, valid: valid}
	f.submit = newButton(label, f.action(func() {
		if f.ready() {
			onSubmit()
		}
	}))
	f.submit.Importance = widget.HighImportance
	f.busy = widget.NewProgressBarInfinite()
	f.busy.Stop()
	f.busy.Hide()
	closeAlso(v, f.busy.Stop)
	key := "form.waiting"
	if s.Local {
		key = "form.waiting_local"
	}
	waitText := paragraph(lang.LocalizeKey(key, "", map[string]any{"Host": s.Host()}))
	f.waiting = container.NewBorder(nil, nil, nil, newButton(lang.L("action.cancel"), f.stop), waitText)
	f.waiting.Hide()
	f.fail = newFailureBox(s, v)
	f.fail.actions[app.RemedyRetry] = f.retry
	f.check()
	return f
}

// action returns fn as an action of the form: once it started work, a
// retry runs it again, with the form as it stands then. One that started
// nothing (a submit while the form is not ready) leaves the last action.
func (f *form) action(fn func()) func() {
	var act func()
	act = func() {
		prev := f.last
		f.last = act
		fn()
		if !f.running {
			f.last = prev
		}
	}
	return act
}

// retry clears the failure and runs the last action again; when that
// cannot start (the form is no longer valid), the view's first field gets
// the keyboard.
func (f *form) retry() {
	f.fail.Clear()
	if f.last != nil {
		f.last()
	}
	if !f.running && f.v.focus != nil {
		f.s.Win.Canvas().Focus(f.v.focus)
	}
}

// ready reports whether the form may be sent now.
func (f *form) ready() bool { return !f.running && (f.valid == nil || f.valid()) }

// check enables the button exactly when the form may be sent.
func (f *form) check() {
	if f.ready() {
		f.submit.Enable()
	} else {
		f.submit.Disable()
	}
}

// watch re-checks the form on every change of its fields, and submits it
// on Enter in any of them.
func (f *form) watch(fields ...formField) {
	for _, x := range fields {
		x.watchedBy(f)
	}
}

// run does work off the UI thread while the progress bar runs and the
// button is disabled, then calls ok on success; a failure is shown with its
// remedy unless handled returns true for it.
func (f *form) run(work func(ctx context.Context) error, ok func(), handled func(error) bool) {
	f.running = true
	f.check()
	f.fail.Clear()
	f.busy.Show()
	f.busy.Start()
	f.waiting.Show()
	f.runs++
	run := f.runs
	ctx, cancel := context.WithCancel(f.v.ctx)
	f.cancel = cancel
	f.s.Go(f.v, func(context.Context) error { return work(ctx) }, func(err error) {
		cancel()
		if run != f.runs {
			return
		}
		f.idle()
		switch {
		case err == nil:
			if ok != nil {
				ok()
			}
		case handled != nil && handled(err):
		default:
			f.fail.Show(err)
		}
	})
}

// stop cancels the running request: the form is as before it was sent.
func (f *form) stop() {
	if !f.running {
		return
	}
	f.runs++
	f.cancel()
	f.idle()
}

// idle ends a run: no progress, the button as the fields allow.
func (f *form) idle() {
	f.running = false
	f.busy.Stop()
	f.busy.Hide()
	f.waiting.Hide()
	f.check()
}

// actions returns the form's submit button above its progress bar, what
// it waits for and the failure box.
func (f *form) actions() fyne.CanvasObject {
	return container.NewVBox(f.submit, f.busy, f.waiting, f.fail.box)
}

// failureBox explains a failure: its message and fix in the user's
// language, the figures (attempts left, a live countdown, the operator's
// message, the password policy's reasons) and the button of its remedy.
type failureBox struct {
	s       *Shell
	v       *view
	box     *fyne.Container
	message *wrapLabel
	fix     *wrapLabel
	hints   *wrapLabel
	remedy  *button
	// actions override or add remedies for this screen; RemedyRetry, for
	// example, is a form's retry.
	actions map[app.Remedy]func()
	// fixes override the fix of a code on this screen, as translation
	// keys: a texted code's, for example.
	fixes map[app.Code]string
	// host names the server the failures are of; nil for the shell's.
	host    func() string
	failure app.Failure
	// autoRetry: the screen's retry runs by itself when the wait ends.
	autoRetry bool
	// stop ends the running countdown, if any.
	stop func()
}

func newFailureBox(s *Shell, v *view) *failureBox {
	b := &failureBox{s: s, v: v, actions: map[app.Remedy]func(){}, fixes: map[app.Code]string{}}
	b.message = paragraph("")
	b.message.Importance = widget.DangerImportance
	b.message.TextStyle.Bold = true
	b.fix = paragraph("")
	b.hints = paragraph("")
	b.remedy = newButton("", func() { b.act() })
	b.box = container.NewVBox(b.message, b.fix, b.hints, b.remedy)
	b.box.Hide()
	closeAlso(v, b.stopTimer)
	return b
}

// Code is the code of the failure shown, or "".
func (b *failureBox) Code() app.Code {
	if !b.box.Visible() {
		return ""
	}
	return b.failure.Code
}

// Clear hides the box.
func (b *failureBox) Clear() {
	b.stopTimer()
	b.failure = app.Failure{}
	b.box.Hide()
}

// Show explains err. A wait (a lock, Retry-After, maintenance) counts down
// live; when a retry's wait ends the screen's RemedyRetry action runs by
// itself, but for a rate limit's wait longer than maxAutoRetry (a daily
// cap's), which names the time to try again instead.
func (b *failureBox) Show(err error) {
	b.ShowFailure(app.Explain(err))
}

// ShowFailure shows an explained failure.
func (b *failureBox) ShowFailure(f app.Failure) {
	b.stopTimer()
	if f.Code == "" {
		b.Clear()
		return
	}
	b.s.noteError(f.Code)
	if f.Remedy == app.RemedyRetry && f.Until.IsZero() && b.actions[app.RemedyRetry] != nil {
		f.Until = b.s.now().Add(defaultRetry)
	}
	b.failure = f
	capped := f.Code == app.CodeRateLimited && f.Until.Sub(b.s.now()) > maxAutoRetry
	b.autoRetry = f.Remedy == app.RemedyRetry && b.actions[app.RemedyRetry] != nil && !capped
	host := b.s.Host()
	if b.host != nil {
		host = b.host()
	}
	message, fix := failureText(f, host)
	if key, ok := b.fixes[f.Code]; ok {
		fix = lang.L(key)
	}
	if capped {
		fix = lang.LocalizeKey("remedy.retry_later", "", map[string]any{"Until": clock(f.Until)})
	}
	b.message.SetText(message)
	b.fix.SetText(fix)
	if act := b.action(f.Remedy); act != nil {
		b.remedy.SetText(lang.L(remedyLabels[f.Remedy]))
		b.remedy.Show()
	} else {
		b.remedy.Hide()
	}
	b.updateHints()
	b.box.Show()
	b.s.reveal(b.v, b.box)
	if !f.Until.IsZero() {
		b.startTimer()
	}
}

// failureText is the message and the fix of failure f in the user's
// language, with its figures filled in.
func (s *Shell) failureText(f app.Failure) (message, fix string) { return failureText(f, s.Host()) }

// failureText is the message and the fix of failure f of the server host.
func failureText(f app.Failure, host string) (message, fix string) {
	data := map[string]any{"Host": host, "Until": clock(f.Until), "MinVersion": f.MinVersion}
	return lang.LocalizeKey("error."+string(f.Code), "error.other", data), lang.LocalizeKey("remedy."+string(f.Code), "", data)
}

// defaultRetry is the wait before a retry when the server named none.
const defaultRetry = 30 * time.Second

// maxAutoRetry is the longest rate limit's wait after which a retry runs
// by itself; after a longer one (hours, for a daily cap) the user decides.
// A maintenance's retry runs by itself however long it lasts.
const maxAutoRetry = 5 * time.Minute

// remedyLabels are the translation keys of the remedy buttons.
var remedyLabels = map[app.Remedy]string{
	app.RemedyResetPassword:   "action.reset_password",
	app.RemedyVerifyEmail:     "action.verify_email",
	app.RemedyNewCode:         "action.new_code",
	app.RemedyRetry:           "action.retry_now",
	app.RemedyDownload:        "action.download",
	app.RemedyConnectionCheck: "action.connection_check",
	app.RemedySignIn:          "action.sign_in_again",
	app.RemedyRestoreWallet:   "action.restore_wallet",
}

// action is what the remedy button does: the screen's own action, or the
// shell's for the remedies that open another screen.
func (b *failureBox) action(r app.Remedy) func() {
	if act, ok := b.actions[r]; ok {
		return act
	}
	switch r {
	case app.RemedyResetPassword:
		return func() { b.s.Push(newForgotPassword(b.s, "")) }
	case app.RemedyConnectionCheck:
		return func() { b.s.Push(newCantSignIn(b.s, true)) }
	case app.RemedyDownload:
		if b.failure.DownloadURL == "" {
			return nil
		}
		link := b.failure.DownloadURL
		return func() { b.s.OpenURL(link) }
	case app.RemedySignIn:
		return func() { b.s.Reset(newSignIn(b.s, nil)) }
	case app.RemedyRestoreWallet:
		return func() { b.s.Push(newRestoreWallet(b.s)) }
	}
	return nil
}

func (b *failureBox) act() {
	if act := b.action(b.failure.Remedy); act != nil {
		act()
	}
}

// sharedCount are the codes of a refused second factor: the server counts
// them with wrong passwords toward the account's lock, and the hint says so.
var sharedCount = map[app.Code]bool{app.CodeInvalidTwoFactorCode: true, app.CodeRecoveryCodeRefused: true}

// updateHints writes the figures of the failure; it runs each second while
// a countdown runs.
func (b *failureBox) updateHints() {
	f := b.failure
	var lines []string
	if f.AttemptsLeft != nil {
		key := "hint.attempts_left"
		if sharedCount[f.Code] {
			key = "hint.attempts_left_shared"
		}
		lines = append(lines, plural(key, *f.AttemptsLeft))
	}
	if !f.Until.IsZero() {
		left := f.Until.Sub(b.s.now()).Round(time.Second)
		if left < 0 {
			left = 0
		}
		if b.autoRetry {
			lines = append(lines, plural("hint.retry_in", int(left/time.Second)))
		} else {
			lines = append(lines, lang.LocalizeKey("hint.wait", "", map[string]any{"Left": duration(left)}))
		}
	}
	if f.Message != "" {
		lines = append(lines, lang.LocalizeKey("hint.operator_message", "", map[string]any{"Message": f.Message}))
	}
	if !f.MaintenanceUntil.IsZero() {
		lines = append(lines, lang.LocalizeKey("hint.maintenance_until", "", map[string]any{"Until": clock(f.MaintenanceUntil)}))
	}
	for _, r := range f.Reasons {
		lines = append(lines, "• "+reasonText(r))
	}
	b.hints.SetText(strings.Join(lines, "\n"))
	if len(lines) == 0 {
		b.hints.Hide()
	} else {
		b.hints.Show()
	}
}

func (b *failureBox) startTimer() {
	b.stop = uiEvery(time.Second, b.tick)
}

// tick updates the countdown; at its end a retry runs by itself.
func (b *failureBox) tick() {
	b.updateHints()
	if b.s.now().Before(b.failure.Until) {
		return
	}
	b.stopTimer()
	if b.autoRetry {
		b.actions[app.RemedyRetry]()
	}
}

func (b *failureBox) stopTimer() {
	if b.stop != nil {
		b.stop()
		b.stop = nil
	}
}

// reasonText is the policy's reason in words.
func reasonText(r app.Reason) string {
	return lang.LocalizeKey("reason."+string(r), "reason.other", nil)
}

// plural is a counted text: key has "one" and "other" forms with {{.Count}}.
func plural(key string, n int) string {
	return lang.LocalizePluralKey(key, "", n, map[string]any{"Count": n})
}

// clock is a time of day for the texts, with the date when it is not today.
func clock(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.Local()
	if y, m, d := t.Date(); y != time.Now().Year() || m != time.Now().Month() || d != time.Now().Day() {
		return t.Format("2006-01-02 15:04")
	}
	return t.Format("15:04")
}

// duration is a countdown as h:mm:ss or m:ss.
func duration(d time.Duration) string {
	s := int(d.Round(time.Second) / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// isCode reports whether err has the given code.
func isCode(err error, code app.Code) bool { return err != nil && app.ErrorCode(err) == code }

// codeRefused reports whether err refused a typed two-factor code, wrong
// or past the attempts that lock: the field is cleared for a new one.
func codeRefused(err error) bool {
	return isCode(err, app.CodeInvalidTwoFactorCode) || isCode(err, app.CodeRecoveryCodeRefused) || isCode(err, app.CodeAttemptsLocked)
}

// passwordRefused empties and focuses field when err refused the password
// typed in it (wrong, or past the attempts that lock), so that the next one
// is typed afresh; the failure is still shown.
func passwordRefused(s *Shell, field *entry) func(error) bool {
	return func(err error) bool {
		if isCode(err, app.CodeWrongPassword) || isCode(err, app.CodeAttemptsLocked) {
			field.SetText("")
			s.Win.Canvas().Focus(field)
		}
		return false
	}
}
