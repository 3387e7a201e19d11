package screens

import (
	"os"
	"runtime"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sesame/app"
)

// recoveryCodesFile is the file name the save dialog proposes.
const recoveryCodesFile = "sesame-recovery-codes.txt"

// clipboardLifetime is how long a copied secret stays on the clipboard.
const clipboardLifetime = 30 * time.Second

// clipboardAfter runs f on the UI thread after d; tests replace it to move
// the clock on by hand.
var clipboardAfter = func(d time.Duration, f func()) {
	time.AfterFunc(d, func() { uiDo(f) })
}

// codesPage is what differs between the views that show recovery codes.
type codesPage struct {
	title string
	// heading is a success line above the codes, or "".
	heading string
	intro   string
	// finish labels the last button, which runs done.
	finish string
	done   func()
}

// newRecoveryCodes shows recovery codes once: copy (the clipboard forgets
// them after clipboardLifetime), save to a file readable by its owner only,
// and the tick that they are saved, which enables the last button. The
// codes cannot be selected, so that every copy goes through the clearing
// one; the view cannot be left, and settings cannot be opened, until the
// tick.
func newRecoveryCodes(s *Shell, codes []string, p codesPage) *view {
	v := newView(p.title)
	v.blockBack = true
	shown := make([]string, len(codes))
	grid := container.NewGridWithColumns(2)
	for i, c := range codes {
		shown[i] = app.FormatRecoveryCode(c)
		grid.Add(widget.NewLabelWithStyle(shown[i], fyne.TextAlignCenter, fyne.TextStyle{Monospace: true}))
	}
	list := strings.Join(shown, "\n")
	file := lang.LocalizeKey("recovery_codes.file_header", "", map[string]any{"Account": s.App.Account()}) + "\n" +
		lang.L("recovery_codes.file_note") + "\n\n" + list + "\n"

	status := paragraph("")
	status.Hide()
	say := func(text string, importance widget.Importance) {
		status.Importance = importance
		status.SetText(text)
		status.Show()
	}
	copyButton := newCopyButton(lang.L("recovery_codes.copy"), func() {
		copySecret(list)
		say(plural("recovery_codes.copied", int(clipboardLifetime/time.Second)), widget.MediumImportance)
	})
	saveButton := newIconButton(lang.L("recovery_codes.save"), theme.DocumentSaveIcon(), func() {
		d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
			switch {
			case err != nil:
				say(lang.L("recovery_codes.save_failed"), widget.DangerImportance)
			case w != nil:
				saveRecoveryCodes(w, file, say)
			}
		}, s.Win)
		d.SetFileName(recoveryCodesFile)
		d.Show()
	})
	finish := newIconButton(p.finish, theme.ConfirmIcon(), p.done)
	finish.Importance = widget.HighImportance
	finish.Disable()
	saved := newCheck(lang.L("recovery_codes.saved_check"), func(on bool) {
		s.BlockBack(v, !on)
		if on {
			finish.Enable()
		} else {
			finish.Disable()
		}
	})
	saved.submit = func() {
		if !finish.Disabled() {
			finish.OnTapped()
		}
	}
	var objs []fyne.CanvasObject
	if p.heading != "" {
		done := heading(p.heading)
		done.Importance = widget.SuccessImportance
		objs = append(objs, done)
	}
	v.content = container.NewVBox(append(objs,
		paragraph(p.intro),
		widget.NewCard("", "", grid),
		container.NewGridWithColumns(2, copyButton, saveButton),
		status,
		saved,
		finish,
	)...)
	return v
}

// copySecret puts text on the clipboard and clears it clipboardLifetime
// later, unless something else was copied meanwhile. The clearing outlives
// the view: leaving it must not leave the secret behind.
func copySecret(text string) {
	cb := fyne.CurrentApp().Clipboard()
	cb.SetContent(text)
	clipboardAfter(clipboardLifetime, func() {
		if cb.Content() == text {
			cb.SetContent("")
		}
	})
}

// saveRecoveryCodes writes text to the file the save dialog chose off the
// UI thread (its fsync may take a while), then tells how it went with say
// on the UI thread.
func saveRecoveryCodes(w fyne.URIWriteCloser, text string, say func(string, widget.Importance)) {
	name := w.URI().Name()
	go func() {
		err := writeChosenFile(w, []byte(text))
		uiDo(func() {
			if err != nil {
				say(lang.L("recovery_codes.save_failed"), widget.DangerImportance)
				return
			}
			say(lang.LocalizeKey("recovery_codes.saved", "", map[string]any{"Name": name}), widget.SuccessImportance)
		})
	}()
}

// writeChosenFile writes data to the file a save dialog chose, readable by
// its owner only (recovery codes, key files).
func writeChosenFile(w fyne.URIWriteCloser, data []byte) error {
	if w.URI().Scheme() != "file" {
		_, err := w.Write(data)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		return err
	}
	path := w.URI().Path()
	if err := w.Close(); err != nil {
		return err
	}
	return writePrivateFile(path, data)
}

// writePrivateFile replaces path's content with data, mode 0600 set before
// anything is written.
func writePrivateFile(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if runtime.GOOS != "windows" {
		if err := f.Chmod(0o600); err != nil {
			f.Close()
			return err
		}
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
