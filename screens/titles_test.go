package screens

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// TestTitlesFit shows every screen title, in both languages, in the header
// of the window at its default size: each fits whole, with no "…", beside
// the server badge, Mailbox and Settings.
func TestTitlesFit(t *testing.T) {
	f := newSignInFixture(t)
	f.win.Resize(fyne.NewSize(defaultWidth, defaultHeight))
	for tag, file := range map[string]string{"en": "en.json", "zh_Hans": "zh_Hans.json"} {
		f.setLanguage(tag)
		for key, text := range translationFile(t, file) {
			title, ok := text.(string)
			if !ok || !strings.HasSuffix(key, ".title") || key == "mailbox.title" {
				continue
			}
			v := newView(title)
			f.shell.Push(v)
			f.settle(key)
			label := f.shell.title
			room := label.Size().Width - 2*theme.InnerPadding()
			if need := fyne.MeasureText(title, theme.TextSize(), label.TextStyle).Width; need > room {
				t.Errorf("%s: the title %s, %q, needs %.0f px; the header leaves it %.0f", tag, key, title, need, room)
			}
			f.shell.Back()
		}
	}
}

// TestHeaderWide: in a wide window the badge stays beside the title, on
// the header's one row.
func TestHeaderWide(t *testing.T) {
	f := newSignInFixture(t)
	f.win.Resize(fyne.NewSize(900, defaultHeight))
	f.shell.Push(newView(tr("codecheck.title")))
	f.settle("a long title")
	if f.shell.badge.Position().Y != f.shell.title.Position().Y || f.shell.header.Size().Height != f.shell.title.Size().Height {
		t.Errorf("at 900 px the badge is at %v, the title at %v, the header %v high", f.shell.badge.Position(), f.shell.title.Position(), f.shell.header.Size().Height)
	}
}
