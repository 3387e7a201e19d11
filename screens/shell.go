package screens

import (
	"context"
	"net/url"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sesame/app"
)

// Connection is the app connected to one server, as the program made it.
type Connection struct {
	App *app.App
	// Local is set when the app talks to its built-in server.
	Local bool
	// Mails lists the built-in server's outbox, newest first; nil when
	// the server is remote.
	Mails func(ctx context.Context) ([]app.Mail, error)
	// StartupError, when set, is why the app cannot talk to a server
	// (the built-in one did not start): sign-in shows it at once.
	StartupError error
	// Commit, when set, makes a connection of Options.Connect the one
	// in use (saves the choice), once its server answers; off the UI
	// thread.
	Commit func() error
	// Abandon, when set, stops what Options.Connect started for a
	// connection that is not committed (the built-in server); off the UI
	// thread.
	Abandon func()
}

// Options is what the program tells the screens about where they run,
// whichever server they talk to.
type Options struct {
	// Version is this build's version, shown in settings and reports.
	Version string
	// Connect connects the app to another server ("" is the built-in
	// one), for the settings screen. Nil hides the choice.
	Connect func(server string) (Connection, error)
	// Language switches the translations to tag ("en", "zh_Hans", or ""
	// for the system's language); nil hides the choice.
	Language func(tag string)
	// OpenURL opens a link in the browser; nil uses the Fyne app's.
	OpenURL func(*url.URL) error
	// Now is the clock of countdowns; nil is time.Now.
	Now func() time.Time
	// SaveFile saves data under a suggested name where the user chooses
	// and calls done with the file's path, and OpenFile reads a file the
	// user chooses; nil uses Fyne's file dialogs. Both run on the UI
	// thread and call done there.
	SaveFile func(name string, data []byte, done func(path string, err error))
	OpenFile func(done func(data []byte, err error))
	// Started runs once, on the UI thread, when the first screen after
	// the resume attempt is up; nil does nothing.
	Started func()
}

// viewKind names the views the shell looks for in its stack.
type viewKind int

// The kinds of views.
const (
	viewOther viewKind = iota
	viewSettings
)

// view is one screen in the window's stack.
type view struct {
	// title is shown in the header; a view with back can be left with
	// Esc or the back button.
	title   string
	kind    viewKind
	content fyne.CanvasObject
	// focus gets the keyboard when the view is shown.
	focus fyne.Focusable
	// shown runs each time the view comes on top (also after a back).
	shown func()
	// closed runs once when the view leaves the stack: stop its timers.
	closed func()
	// walletLocked runs when the auto-lock locked the wallet while the
	// view is on top.
	walletLocked func()
	// blockBack keeps the view on top while set: no back and no
	// settings, whose language and server switches rebuild every view.
	// Set it before the view is shown, or with Shell.BlockBack.
	blockBack bool
	// scroll holds content while the view is on top.
	scroll *container.Scroll
	ctx    context.Context
	cancel context.CancelFunc
}

// newView returns an empty view with its own context, cancelled when the
// view leaves the stack.
func newView(title string) *view {
	v := &view{title: title, content: container.NewVBox()}
	v.ctx, v.cancel = context.WithCancel(context.Background())
	return v
}

// closeAlso adds fn to what runs when v leaves the stack.
func closeAlso(v *view, fn func()) {
	prev := v.closed
	v.closed = func() {
		fn()
		if prev != nil {
			prev()
		}
	}
}

// Shell is the main window: a header with the way back and the server
// badge, and a stack of views. Its methods run on the UI thread.
type Shell struct {
	Connection
	Opts Options
	Win  fyne.Window

	stack    []*view
	body     *fyne.Container
	back     *button
	settings *button
	title    *widget.Label
	badge    *fyne.Container
	header   fyne.CanvasObject
	// mailbox is the open Mailbox window, if any.
	mailbox *Mailbox
	// autoLock locks the wallet after the chosen idle time.
	autoLock *autoLock

	// lastErrors are the codes of the latest failures, for the report.
	mu         sync.Mutex
	lastErrors []app.Code
}

// NewShell builds the screens into win and shows the first one: home when a
// remembered session resumes (tried off the UI thread), sign-in otherwise.
func NewShell(c Connection, opts Options, win fyne.Window) *Shell {
	s := &Shell{Connection: c, Opts: opts, Win: win}
	s.back = newIconButton("", theme.NavigateBackIcon(), s.Back)
	s.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	// A long title ends in "…" instead of widening the window.
	s.title.Truncation = fyne.TextTruncateEllipsis
	s.badge = container.NewHBox()
	s.body = container.NewStack()
	s.settings = newIconButton("", theme.SettingsIcon(), func() {
		if !s.topIs(viewSettings) && !s.blocked() {
			s.Push(newSettings(s))
		}
	})
	s.header = container.New(&headerLayout{back: s.back, title: s.title, badge: s.badge, settings: s.settings},
		s.back, s.title, s.badge, s.settings)
	s.refreshBadge()
	s.autoLock = startAutoLock(s)
	win.SetContent(s.autoLock.watch(container.NewBorder(container.NewVBox(s.header, widget.NewSeparator()), nil, nil, nil, s.body)))
	win.Canvas().SetOnTypedKey(func(e *fyne.KeyEvent) {
		// A dialog over the view keeps it: Esc does not go back under it.
		if e.Name == fyne.KeyEscape && win.Canvas().Overlays().Top() == nil {
			s.Back()
		}
	})
	s.Start()
	return s
}

// Start shows the first screen: a resume attempt, then home or sign-in.
func (s *Shell) Start() {
	s.Reset(newResuming(s))
}

// now is the clock of countdowns.
func (s *Shell) now() time.Time {
	if s.Opts.Now != nil {
		return s.Opts.Now()
	}
	return time.Now()
}

// Push shows v on top of the current view; Back returns.
func (s *Shell) Push(v *view) {
	if v.ctx == nil {
		v.ctx, v.cancel = context.WithCancel(context.Background())
	}
	s.stack = append(s.stack, v)
	s.showTop()
}

// Replace swaps the current view for v, as a step of a flow that cannot be
// gone back to (a code already sent, a wallet already saved).
func (s *Shell) Replace(v *view) {
	if n := len(s.stack); n > 0 {
		s.close(s.stack[n-1])
		s.stack = s.stack[:n-1]
	}
	s.Push(v)
}

// Reset empties the stack and shows v as its root.
func (s *Shell) Reset(v *view) {
	for i := len(s.stack) - 1; i >= 0; i-- {
		s.close(s.stack[i])
	}
	s.stack = nil
	s.Push(v)
}

// Back leaves the current view, if there is one under it and the view
// does not block going back.
func (s *Shell) Back() {
	n := len(s.stack)
	if n < 2 || s.blocked() {
		return
	}
	s.close(s.stack[n-1])
	s.stack = s.stack[:n-1]
	s.showTop()
}

// BlockBack keeps v on top while block holds: Esc and the back button do
// nothing and settings cannot be opened. Recovery codes shown once use it
// until they are saved.
func (s *Shell) BlockBack(v *view, block bool) {
	v.blockBack = block
	if viewOnTop(s, v) {
		s.updateHeader()
	}
}

// blocked reports whether the view on top blocks going back.
func (s *Shell) blocked() bool {
	n := len(s.stack)
	return n > 0 && s.stack[n-1].blockBack
}

// updateHeader shows the way back when there is one, and enables the
// settings unless the view on top blocks leaving it.
func (s *Shell) updateHeader() {
	if len(s.stack) > 1 && !s.blocked() {
		s.back.Show()
	} else {
		s.back.Hide()
	}
	if s.blocked() {
		s.settings.Disable()
	} else {
		s.settings.Enable()
	}
}

// top is the view on top, or nil.
func (s *Shell) top() *view {
	if len(s.stack) == 0 {
		return nil
	}
	return s.stack[len(s.stack)-1]
}

// topIs reports whether the view on top is of kind k.
func (s *Shell) topIs(k viewKind) bool {
	top := s.top()
	return top != nil && top.kind == k
}

// Top is the title of the view on top, for tests.
func (s *Shell) Top() string {
	if v := s.top(); v != nil {
		return v.title
	}
	return ""
}

// closeAll closes every view and stops the auto-lock and the mailbox's
// polling: the end of the window, and of each test.
func (s *Shell) closeAll() {
	for i := len(s.stack) - 1; i >= 0; i-- {
		s.close(s.stack[i])
	}
	s.stack = nil
	if s.autoLock != nil {
		s.autoLock.end()
	}
	if s.mailbox != nil {
		s.mailbox.Stop()
	}
}

func (s *Shell) close(v *view) {
	if v.cancel != nil {
		v.cancel()
	}
	if v.closed != nil {
		v.closed()
	}
}

func (s *Shell) showTop() {
	v := s.stack[len(s.stack)-1]
	s.title.SetText(v.title)
	s.updateHeader()
	scroll := container.NewVScroll(container.New(readableLayout{}, v.content))
	scroll.OnScrolled = func(fyne.Position) { s.autoLock.touch() }
	v.scroll = scroll
	s.body.Objects = []fyne.CanvasObject{scroll}
	s.body.Refresh()
	if v.shown != nil {
		v.shown()
	}
	if v.focus != nil {
		s.Win.Canvas().Focus(v.focus)
	}
}

// reveal scrolls view v, when on top, the least that brings o, a part of
// its content just shown, into sight: an error below the visible area
// would leave the user looking at an emptied field.
func (s *Shell) reveal(v *view, o fyne.CanvasObject) {
	sc := v.scroll
	if sc == nil || !viewOnTop(s, v) {
		return
	}
	// Lay the content out now: the driver would on its next frame, after o
	// moved into place.
	c := sc.Content
	c.Resize(c.MinSize().Max(sc.Size()))
	c.Refresh()
	d := fyne.CurrentApp().Driver()
	top := d.AbsolutePositionForObject(o).Y - d.AbsolutePositionForObject(c).Y
	bottom := top + o.Size().Height
	off := sc.Offset.Y
	if bottom > off+sc.Size().Height {
		off = bottom - sc.Size().Height
	}
	if top < off {
		off = top
	}
	sc.ScrollToOffset(fyne.NewPos(sc.Offset.X, off))
}

// refreshBadge shows the server the app talks to: "Local server", or its
// host with a lock when the connection is encrypted.
func (s *Shell) refreshBadge() {
	text := lang.L("server.local")
	icon := theme.ComputerIcon()
	if !s.Local {
		u, err := url.Parse(s.App.Server())
		text = s.App.Server()
		if err == nil {
			text = u.Host
			if u.Scheme == "https" {
				icon = theme.LoginIcon()
			} else {
				icon = theme.WarningIcon()
			}
		}
	}
	s.badge.Objects = []fyne.CanvasObject{widget.NewIcon(icon), widget.NewLabel(text)}
	if s.Mails != nil {
		s.badge.Objects = append(s.badge.Objects, newIconButton(lang.L("action.open_mailbox"), theme.MailComposeIcon(), s.OpenMailbox))
	}
	s.badge.Refresh()
}

// OpenMailbox shows the built-in server's mailbox in a window of its own,
// or brings it forward when it is open.
func (s *Shell) OpenMailbox() {
	if s.Mails == nil {
		return
	}
	if s.mailbox != nil {
		s.mailbox.Win.RequestFocus()
		return
	}
	w := fyne.CurrentApp().NewWindow(lang.L("mailbox.title"))
	m := NewMailbox(w, s.Mails)
	s.mailbox = m
	w.SetOnClosed(func() {
		m.Stop()
		if s.mailbox == m {
			s.mailbox = nil
		}
	})
	w.Resize(fyne.NewSize(520, 600))
	w.Show()
}

// Host is the server's host name, for the texts that name it.
func (s *Shell) Host() string { return hostName(s.App.Server()) }

// hostName is the host name of a server's address.
func hostName(server string) string {
	if u, err := url.Parse(server); err == nil && u.Host != "" {
		return u.Hostname()
	}
	return server
}

// OpenURL opens link in the browser.
func (s *Shell) OpenURL(link string) {
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return
	}
	if s.Opts.OpenURL != nil {
		_ = s.Opts.OpenURL(u)
		return
	}
	_ = fyne.CurrentApp().OpenURL(u)
}

// noteError keeps the code of a failure for the report of "Can't sign in?".
func (s *Shell) noteError(code app.Code) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastErrors = append(s.lastErrors, code)
	if n := len(s.lastErrors); n > 20 {
		s.lastErrors = s.lastErrors[n-20:]
	}
}

// LastErrors returns the codes of the latest failures, oldest first.
func (s *Shell) LastErrors() []app.Code {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]app.Code(nil), s.lastErrors...)
}

// Connect switches the app to another server and starts over at sign-in.
// The mailbox of the old server closes.
func (s *Shell) Connect(c Connection) {
	if m := s.mailbox; m != nil {
		s.mailbox = nil
		m.Stop()
		m.Win.Close()
	}
	s.Connection = c
	s.refreshBadge()
	s.Start()
}

// Retranslate rebuilds every screen after the language changed, starting
// over at the first screen.
func (s *Shell) Retranslate() {
	s.refreshBadge()
	if s.App.Account() != "" {
		s.Reset(newHome(s))
		return
	}
	s.Reset(newSignIn(s, nil))
}

// Go runs work off the UI thread under the view's context, then done on the
// UI thread with its error. A view that has left the stack gets no done.
func (s *Shell) Go(v *view, work func(ctx context.Context) error, done func(error)) {
	ctx := v.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	go func() {
		err := work(ctx)
		uiDo(func() {
			if ctx.Err() != nil {
				return
			}
			done(err)
		})
	}()
}

// readableWidth is the widest a view's content grows: lines of text and
// fields stay readable in a large window.
const readableWidth = 600

// readableLayout pads its objects as Fyne's padded layout does, no wider
// than readableWidth unless they need more, centred across the space.
type readableLayout struct{}

func (readableLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	p := theme.Padding()
	for _, o := range objs {
		w := min(size.Width-2*p, max(readableWidth, o.MinSize().Width))
		o.Move(fyne.NewPos((size.Width-w)/2, p))
		o.Resize(fyne.NewSize(w, size.Height-2*p))
	}
}

func (readableLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var m fyne.Size
	for _, o := range objs {
		m = m.Max(o.MinSize())
	}
	p := theme.Padding()
	return m.AddWidthHeight(2*p, 2*p)
}

// headerLayout lays the header out on one row: the way back, the title,
// the server badge and settings; when the title would not show whole
// beside the badge, the badge moves to a row of its own under settings.
type headerLayout struct {
	back, settings, badge fyne.CanvasObject
	title                 *widget.Label
	// twoRows is the choice of the last layout, which the height follows.
	twoRows bool
}

func (h *headerLayout) Layout(_ []fyne.CanvasObject, size fyne.Size) {
	p := theme.Padding()
	row := h.rowHeight()
	x := float32(0)
	if h.back.Visible() {
		w := h.back.MinSize().Width
		place(h.back, 0, row, fyne.NewSize(w, row))
		x = w + p
	}
	sw := h.settings.MinSize().Width
	place(h.settings, size.Width-sw, row, fyne.NewSize(sw, row))
	end := size.Width - sw - p
	bw := h.badge.MinSize().Width
	need := fyne.MeasureText(h.title.Text, theme.TextSize(), h.title.TextStyle).Width + 2*theme.InnerPadding()
	h.twoRows = x+need+p+bw > end
	if h.twoRows {
		bh := h.badge.MinSize().Height
		h.badge.Move(fyne.NewPos(size.Width-bw, row))
		h.badge.Resize(fyne.NewSize(bw, bh))
	} else {
		end -= bw
		place(h.badge, end, row, fyne.NewSize(bw, row))
		end -= p
	}
	place(h.title, x, row, fyne.NewSize(end-x, h.title.MinSize().Height))
}

// place puts o at x, centred down a row of height row, at size.
func place(o fyne.CanvasObject, x, row float32, size fyne.Size) {
	o.Move(fyne.NewPos(x, (row-size.Height)/2))
	o.Resize(size)
}

func (h *headerLayout) MinSize([]fyne.CanvasObject) fyne.Size {
	p := theme.Padding()
	w := h.title.MinSize().Width + p + h.settings.MinSize().Width
	if h.back.Visible() {
		w += h.back.MinSize().Width + p
	}
	height := h.rowHeight()
	if h.twoRows {
		height += h.badge.MinSize().Height
		w = max(w, h.badge.MinSize().Width)
	} else {
		w += h.badge.MinSize().Width + p
	}
	return fyne.NewSize(w, height)
}

// rowHeight is the height of the first row.
func (h *headerLayout) rowHeight() float32 {
	return max(h.back.MinSize().Height, h.title.MinSize().Height, h.badge.MinSize().Height, h.settings.MinSize().Height)
}
