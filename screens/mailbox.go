package screens

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"sesame/app"
)

// mailboxPoll is how often an open mailbox looks for new mail.
const mailboxPoll = 2 * time.Second

// Mailbox is the window of the built-in server's outbox: every mail and
// text message it "sent" (activation and reset codes, notices), newest
// first, so that a new user can finish each flow with nothing else running.
type Mailbox struct {
	Win   fyne.Window
	mails func(ctx context.Context) ([]app.Mail, error)
	list  *fyne.Container
	empty *wrapLabel
	seen  string
	stop  context.CancelFunc
}

// NewMailbox builds the mailbox window in win and starts polling mails;
// closing the window stops it.
func NewMailbox(win fyne.Window, mails func(ctx context.Context) ([]app.Mail, error)) *Mailbox {
	m := &Mailbox{Win: win, mails: mails}
	win.SetTitle(lang.L("mailbox.title"))
	m.empty = paragraph(lang.L("mailbox.empty"))
	m.list = container.NewVBox(m.empty)
	// One scroll for everything: a wrapping label outside it would make the
	// window as tall as the text is at its narrowest.
	win.SetContent(container.NewVScroll(container.NewVBox(paragraph(lang.L("mailbox.intro")), m.list)))
	ctx, cancel := context.WithCancel(context.Background())
	m.stop = cancel
	win.SetOnClosed(cancel)
	go m.poll(ctx)
	return m
}

// Stop ends the polling.
func (m *Mailbox) Stop() { m.stop() }

func (m *Mailbox) poll(ctx context.Context) {
	t := time.NewTicker(mailboxPoll)
	defer t.Stop()
	for {
		lctx, cancel := context.WithTimeout(ctx, mailboxPoll)
		mails, err := m.mails(lctx)
		cancel()
		if err == nil {
			uiDo(func() {
				if ctx.Err() == nil {
					m.show(mails)
				}
			})
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// show lists mails when they changed since the last look.
func (m *Mailbox) show(mails []app.Mail) {
	top := ""
	if len(mails) > 0 {
		top = mails[0].ID
	}
	if top == m.seen && len(m.list.Objects) > 0 {
		return
	}
	m.seen = top
	if len(mails) == 0 {
		m.list.Objects = []fyne.CanvasObject{m.empty}
		m.list.Refresh()
		return
	}
	items := make([]fyne.CanvasObject, 0, len(mails))
	for _, mail := range mails {
		items = append(items, mailCard(mail))
	}
	m.list.Objects = items
	m.list.Refresh()
}

// mailCard shows one mail: subject, address and time, then its HTML part,
// or its text part when the HTML is empty or shows nothing. A text message
// shows as such, to its number.
func mailCard(mail app.Mail) fyne.CanvasObject {
	subject, to := mail.Subject, mail.To
	if mail.SMS {
		subject, to = lang.L("mailbox.sms"), app.FormatPhone(mail.To)
	}
	head := widget.NewLabelWithStyle(subject, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	meta := widget.NewLabel(lang.LocalizeKey("mailbox.meta", "", map[string]any{"To": to, "At": mail.SentAt.Local().Format("2006-01-02 15:04:05")}))
	meta.Importance = widget.LowImportance
	var body fyne.CanvasObject
	if segs, ok := mailSegments(mail.HTML); ok {
		body = mailBody(segs)
	} else {
		l := paragraph(mail.Text)
		l.Selectable = true
		body = l
	}
	return widget.NewCard("", "", container.NewVBox(head, meta, body))
}

// mailBody shows a mail's segments block by block (the blocks are parted
// by an empty paragraph): a block of one style is selectable text, so
// that its words and codes can be copied; one of mixed styles or with a
// link is rich text.
func mailBody(segs []widget.RichTextSegment) fyne.CanvasObject {
	box := container.NewVBox()
	var block []widget.RichTextSegment
	flush := func() {
		if len(block) > 0 {
			box.Add(mailBlock(block))
		}
		block = nil
	}
	for _, seg := range segs {
		if t, ok := seg.(*widget.TextSegment); ok && t.Text == "" && !t.Inline() {
			flush()
			continue
		}
		block = append(block, seg)
	}
	flush()
	return box
}

// mailBlock is a block of a mail: selectable text when all its segments
// are text of one style, its line breaks kept; else rich text.
func mailBlock(block []widget.RichTextSegment) fyne.CanvasObject {
	first, ok := block[0].(*widget.TextSegment)
	var text strings.Builder
	for i, seg := range block {
		t, same := seg.(*widget.TextSegment)
		if !ok || !same || t.Style.TextStyle != first.Style.TextStyle || t.Style.SizeName != first.Style.SizeName {
			return newWrapRich(block...)
		}
		text.WriteString(t.Text)
		if !t.Inline() && i < len(block)-1 {
			text.WriteString("\n")
		}
	}
	l := newWrapLabel(text.String())
	l.TextStyle, l.SizeName = first.Style.TextStyle, first.Style.SizeName
	l.Selectable = true
	return l
}
