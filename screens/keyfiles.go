package screens

import (
	"context"
	"errors"
	"io"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sesame/app"
	"sesame/wallet"
)

// errNoFile: the user closed the file dialog without a file.
var errNoFile = errors.New("no file chosen")

// maxKeyFile bounds what an import reads.
const maxKeyFile = 64 << 10

// saveFile saves data where the user chooses (Options.SaveFile, else a
// Fyne dialog), readable by its owner only and off the UI thread; done
// runs on the UI thread with the file's path.
func (s *Shell) saveFile(name string, data []byte, done func(path string, err error)) {
	if s.Opts.SaveFile != nil {
		s.Opts.SaveFile(name, data, done)
		return
	}
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err == nil && w == nil {
			err = errNoFile
		}
		if err != nil {
			done("", err)
			return
		}
		path := w.URI().Path()
		go func() {
			err := writeChosenFile(w, data)
			uiDo(func() { done(path, err) })
		}()
	}, s.Win)
	d.SetFileName(name)
	d.Show()
}

// openFile reads a file the user chooses (Options.OpenFile, else a Fyne
// dialog); done runs on the UI thread.
func (s *Shell) openFile(done func([]byte, error)) {
	if s.Opts.OpenFile != nil {
		s.Opts.OpenFile(done)
		return
	}
	dialog.ShowFileOpen(func(r fyne.URIReadCloser, err error) {
		if err == nil && r == nil {
			err = errNoFile
		}
		var data []byte
		if err == nil {
			data, err = io.ReadAll(io.LimitReader(r, maxKeyFile+1))
			r.Close()
		}
		done(data, err)
	}, s.Win)
}

// newKeyFiles lists the unlocked wallet's Ethereum accounts, each with an
// export to a keystore file, and imports one.
func newKeyFiles(s *Shell) *view {
	v := newView(lang.L("keyfiles.title"))
	box := container.NewVBox(paragraph(lang.L("keyfiles.intro")))
	accounts, err := s.App.EthereumAccounts() // from memory
	if err != nil {
		fail := newFailureBox(s, v)
		fail.Show(err)
		box.Add(fail.box)
	}
	// The accounts of the phrase, then the imported ones, each group under
	// its heading once; each account named by its place.
	var phrase, imported int
	for _, acc := range accounts {
		var name string
		if acc.Imported {
			if imported++; imported == 1 {
				box.Add(heading(lang.L("keyfiles.imported")))
			}
			name = lang.LocalizeKey("keyfiles.imported_account", "", map[string]any{"N": imported})
		} else {
			if phrase++; phrase == 1 {
				box.Add(heading(lang.L("keyfiles.from_phrase")))
			}
			name = lang.LocalizeKey("keyfiles.account", "", map[string]any{"N": acc.Index + 1, "Path": wallet.Ethereum.Path(acc.Index)})
		}
		label := widget.NewLabel(name)
		label.Importance = widget.LowImportance
		label.Wrapping = fyne.TextWrapWord
		addr := widget.NewLabelWithStyle(acc.Address, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
		addr.Selectable = true
		addr.Wrapping = fyne.TextWrapBreak
		export := newButton(lang.L("keyfiles.export"), func() { s.Push(newKeyExport(s, acc)) })
		box.Add(container.NewBorder(nil, nil, nil, container.NewCenter(export), container.NewVBox(label, addr)))
	}
	imp := newIconButton(lang.L("keyfiles.import"), theme.FolderOpenIcon(), func() { s.Push(newKeyImport(s)) })
	box.Add(widget.NewSeparator())
	box.Add(imp)
	v.content = box
	return v
}

// keyFileName is geth's name of a key file: UTC--<time>--<address>.
func keyFileName(address string, at time.Time) string {
	return "UTC--" + strings.ReplaceAll(at.UTC().Format("2006-01-02T15:04:05.000000000Z"), ":", "-") + "--" +
		strings.ToLower(strings.TrimPrefix(address, "0x"))
}

// newKeyExport writes an account as a keystore file under a password of
// its own, then saves it where the user chooses; once saved, the form
// gives way to where the file is.
func newKeyExport(s *Shell, acc app.EthereumAccount) *view {
	v := newView(lang.L("keyfiles.export_title"))
	pw := newWalletPassword(s.App)
	var step, done *fyne.Container
	var f *form
	f = newForm(s, v, lang.L("keyfiles.export_submit"), pw.Valid, func() {
		first, second, a := pw.first.Text, pw.second.Text, s.App
		var data []byte
		f.run(func(context.Context) error {
			var err error
			data, err = a.ExportKeyFile(acc.Address, first, second)
			return err
		}, func() {
			s.saveFile(keyFileName(acc.Address, time.Now()), data, func(path string, err error) {
				clear(data)
				switch {
				case errors.Is(err, errNoFile):
				case err != nil:
					f.fail.Show(err)
				default:
					pw.Clear()
					step.Hide()
					done.Objects[0].(*wrapLabel).SetText(lang.LocalizeKey("keyfiles.exported", "", map[string]any{"Path": path}))
					done.Show()
				}
			})
		}, nil)
	})
	for _, field := range pw.Fields() {
		f.watch(field)
	}
	addr := widget.NewLabelWithStyle(acc.Address, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	addr.Wrapping = fyne.TextWrapBreak
	step = container.NewVBox(paragraph(lang.L("keyfiles.export_intro")), addr,
		labelled(pw.Rows(lang.L("field.label_password"), lang.L("field.label_repeat"))...),
		f.actions())
	done = securityDone(s, "")
	done.Hide()
	v.content = container.NewVBox(step, done)
	v.focus = pw.first
	closeAlso(v, pw.Clear)
	return v
}

// newKeyImport reads a keystore file, then adds its key to the wallet with
// the file's password and the wallet's.
func newKeyImport(s *Shell) *view {
	v := newView(lang.L("keyfiles.import_title"))
	var data []byte
	chosen := paragraph("")
	chosen.Hide()
	filePw := newPasswordEntry(lang.L("keyfiles.file_password"))
	walletPw := newPasswordEntry(lang.L("unlock.password"))
	var step, done *fyne.Container
	var f *form
	f = newForm(s, v, lang.L("keyfiles.import_submit"), func() bool {
		return data != nil && filePw.Text != "" && walletPw.Text != ""
	}, func() {
		file, fp, wp, a := data, filePw.Text, walletPw.Text, s.App
		var acc app.EthereumAccount
		f.run(func(ctx context.Context) error {
			var err error
			acc, err = a.ImportKeyFile(ctx, file, fp, wp)
			return err
		}, func() {
			filePw.SetText("")
			walletPw.SetText("")
			step.Hide()
			done.Objects[0].(*wrapLabel).SetText(lang.LocalizeKey("keyfiles.import_done", "", map[string]any{"Address": acc.Address}))
			done.Show()
		}, nil)
	})
	f.watch(filePw, walletPw)
	choose := newIconButton(lang.L("keyfiles.choose"), theme.FolderOpenIcon(), func() {
		s.openFile(func(b []byte, err error) {
			if errors.Is(err, errNoFile) {
				return
			}
			var addr string
			if err == nil {
				addr, err = app.KeyFileAddress(b)
			}
			if err != nil {
				data = nil
				chosen.Hide()
				f.fail.Show(err)
				f.check()
				return
			}
			f.fail.Clear()
			data = b
			if addr == "" {
				addr = lang.L("keyfiles.no_address")
			}
			chosen.SetText(lang.LocalizeKey("keyfiles.chosen", "", map[string]any{"Address": addr}))
			chosen.Show()
			f.check()
		})
	})
	step = container.NewVBox(paragraph(lang.L("keyfiles.import_intro")), choose, chosen,
		labelled(fieldRow{lang.L("keyfiles.file_password"), filePw}, fieldRow{lang.L("unlock.password"), walletPw}),
		f.actions())
	done = securityDone(s, "")
	done.Hide()
	v.content = container.NewVBox(step, done)
	closeAlso(v, func() {
		filePw.SetText("")
		walletPw.SetText("")
		data = nil
	})
	return v
}
