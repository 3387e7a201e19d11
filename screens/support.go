package screens

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sesame/app"
	diag "sesame/check"
)

// Contact support: signed in, the user's requests at once; else the
// address that gets a code, then the code. The requests' page ("follow
// up") lists each with its status, staff phrase and replies, and leads to
// the form: topic, description and the connection report, shown before
// it is sent. Every page says what staff quote and never ask.

// diagnose runs the connection check of the report; tests fix its result.
var diagnose = diag.Run

// newSupport is "Contact support", with email as the address of a user
// who is not signed in.
func newSupport(s *Shell, email string) *view {
	if s.App.Account() != "" {
		return newSupportRequests(s, nil)
	}
	v := newView(lang.L("support.title"))
	addr := newEmailEntry()
	addr.SetText(email)
	var f *form
	f = newForm(s, v, lang.L("support.send_code"), func() bool { return app.ValidateEmail(addr.Text) == nil }, func() {
		email, a := addr.Text, s.App
		var login *app.SupportLogin
		f.run(func(ctx context.Context) error {
			l, err := a.StartSupport(ctx, email)
			login = l
			return err
		}, func() { s.Replace(newSupportCode(s, login)) }, nil)
	})
	f.watch(addr)
	v.content = container.NewVBox(
		paragraph(lang.L("support.intro")),
		labelled(fieldRow{lang.L("signin.email"), addr}),
		f.actions(),
		staffNote(),
	)
	v.focus = addr
	return v
}

// staffNote is the plain statement of what staff do and never do.
func staffNote() *wrapLabel {
	l := paragraph(lang.L("support.staff_note"))
	l.Importance = widget.WarningImportance
	return l
}

// newSupportCode is the step of the mailed support code.
func newSupportCode(s *Shell, login *app.SupportLogin) *view {
	v := newView(lang.L("support.title"))
	c := newMailedCodeStep(s, v, lang.L("support.check_code"), login.Email, lang.L("mail.subject.support"),
		func() app.Mailed { return login.Mailed }, login.Resend, login.Verify,
		func() { s.Replace(newSupportRequests(s, login)) }).takesLongCodes()
	v.content = container.NewVBox(
		paragraph(lang.LocalizeKey("support.code_sent", "", map[string]any{"Email": login.Email})),
		c.object())
	v.focus = c.entry
	return v
}

// newSupportRequests lists the requests of the signed-in account (login
// nil) or of login's, newest first, with their replies.
func newSupportRequests(s *Shell, login *app.SupportLogin) *view {
	v := newView(lang.L("support.requests.title"))
	list := container.NewVBox()
	a := s.App
	newRequest := newIconButton(lang.L("support.requests.new"), theme.ContentAddIcon(), func() {
		s.Push(newSupportForm(s, login))
	})
	newRequest.Importance = widget.HighImportance
	var f *form
	f = newForm(s, v, lang.L("support.requests.refresh"), nil, func() {
		var tickets []app.SupportTicket
		f.run(func(ctx context.Context) error {
			var err error
			tickets, err = a.SupportRequests(ctx, login)
			return err
		}, func() {
			objs := []fyne.CanvasObject{}
			for _, t := range tickets {
				objs = append(objs, widget.NewSeparator(), supportTicket(t))
			}
			// With no request there is no reply to check for.
			f.submit.Show()
			if len(objs) == 0 {
				objs = append(objs, paragraph(lang.L("support.requests.empty")))
				f.submit.Hide()
			}
			list.Objects = objs
			list.Refresh()
		}, func(error) bool {
			f.submit.Show() // to try again
			return false
		})
	})
	f.submit.Importance = widget.MediumImportance
	// An expired code starts again at the address.
	if login != nil {
		f.fail.actions[app.RemedyNewCode] = func() { s.Replace(newSupport(s, login.Email)) }
	}
	v.content = container.NewVBox(staffNote(), newRequest, f.busy, f.fail.box, list, f.submit)
	v.shown = func() { f.submit.OnTapped() }
	return v
}

// supportTicket is one request: number and status, staff phrase, topic
// and date, the description, then the replies.
func supportTicket(t app.SupportTicket) fyne.CanvasObject {
	box := container.NewVBox(
		heading(t.Number+" – "+lang.L("support.status."+t.Status)),
		paragraph(lang.LocalizeKey("support.ticket.phrase", "", map[string]any{"Phrase": t.StaffPhrase})),
		paragraph(lang.L("support.topic."+t.Topic)+" – "+lang.LocalizeKey("support.ticket.filed", "", map[string]any{"At": clock(t.CreatedAt)})),
		paragraph(t.Description),
	)
	for _, r := range t.Replies {
		box.Add(heading(lang.LocalizeKey("support.ticket.reply", "", map[string]any{"At": clock(r.At)})))
		box.Add(paragraph(r.Text))
	}
	return box
}

// newSupportForm is a new request: topic, description and the report,
// which the connection check makes when the page opens. A description
// that holds a secret is refused with the reason, here and by the server.
func newSupportForm(s *Shell, login *app.SupportLogin) *view {
	v := newView(lang.L("support.form.title"))
	topics := app.SupportTopics()
	labels := make([]string, len(topics))
	for i, t := range topics {
		labels[i] = lang.L("support.topic." + t)
	}
	topic := newDropDown(labels, nil)
	topic.PlaceHolder = lang.L("support.topic_choose")
	desc := newEntry()
	desc.MultiLine, desc.Wrapping = true, fyne.TextWrapWord
	desc.SetMinRowsVisible(5)
	desc.SetPlaceHolder(lang.L("support.description"))
	report := paragraph(lang.L("support.report_running"))
	report.TextStyle.Monospace = true
	reason := paragraph("")
	reason.Importance = widget.DangerImportance
	reason.Hide()
	var reportText string
	ready := false
	var f *form
	f = newForm(s, v, lang.L("support.send"), func() bool {
		return ready && topic.SelectedIndex() >= 0 && desc.Text != ""
	}, func() {
		a, t, text, rep := s.App, topics[topic.SelectedIndex()], desc.Text, reportText
		reason.Hide()
		if err := app.CheckSupportText(text); err != nil {
			showSecret(reason, err)
			return
		}
		var sent *app.SupportTicket
		f.run(func(ctx context.Context) error {
			var err error
			sent, err = a.SendSupportRequest(ctx, login, t, text, rep)
			return err
		}, func() { s.Replace(newSupportSent(s, login, *sent)) }, func(err error) bool {
			showSecret(reason, err)
			return false
		})
	})
	if login != nil {
		f.fail.actions[app.RemedyNewCode] = func() { s.Reset(newSupport(s, login.Email)) }
	}
	topic.OnChanged = func(string) { f.check() }
	desc.OnChanged = func(string) { reason.Hide(); f.check() }

	s.Go(v, func(ctx context.Context) error {
		d := diagnose(ctx, s.App.CheckConfig(ctx, s.Opts.Version), nil)
		account := s.App.Account()
		if login != nil {
			account = login.Email
		}
		reportText = app.Report(d, s.LastErrors(), account, diagText)
		return nil
	}, func(error) {
		ready = true
		report.SetText(strings.TrimSpace(reportText))
		f.check()
	})

	v.content = container.NewVBox(
		staffNote(),
		labelled(fieldRow{lang.L("support.topic"), topic}),
		paragraph(lang.L("support.no_secrets")),
		desc,
		reason,
		heading(lang.L("support.report")),
		report,
		f.actions(),
	)
	v.focus = desc
	return v
}

// showSecret shows in l why the text was refused, when err names a
// secret: the guard's own, or the server's answer.
func showSecret(l *wrapLabel, err error) {
	kind := app.SecretKindOf(err)
	if kind == "" {
		return
	}
	l.SetText(lang.L("support.secret." + string(kind)))
	l.Show()
}

// newSupportSent confirms a sent request with its number and staff
// phrase.
func newSupportSent(s *Shell, login *app.SupportLogin, t app.SupportTicket) *view {
	v := newView(lang.L("support.sent.title"))
	more := newButton(lang.L("support.sent.requests"), func() { s.Replace(newSupportRequests(s, login)) })
	more.Importance = widget.HighImportance
	number := heading(t.Number)
	number.TextStyle.Monospace = true
	v.content = container.NewVBox(
		paragraph(lang.LocalizeKey("support.sent.body", "", map[string]any{"Number": t.Number})),
		number,
		paragraph(lang.LocalizeKey("support.ticket.phrase", "", map[string]any{"Phrase": t.StaffPhrase})),
		staffNote(),
		more,
	)
	return v
}
