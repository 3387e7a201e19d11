package screens

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/lang"

	"sesame/wallet/keyfile"
)

// An account goes to a keystore file and one comes in from another
// wallet's file, marked imported.
func TestKeyFiles(t *testing.T) {
	f := newFixture(t)
	unlockVault(f)
	if _, err := f.app.UnlockWallet(context.Background(), unlockPassword); err != nil {
		t.Fatal(err)
	}
	var saved []byte
	var savedName string
	f.shell.Opts.SaveFile = func(name string, data []byte, done func(string, error)) {
		savedName, saved = name, bytes.Clone(data)
		done("/home/me/"+name, nil)
	}
	f.shell.Push(newKeyFiles(f.shell))
	f.waitTop("keyfiles.title")
	if !f.shows("0x9858EfFD232B4033E47d90003D41EC34EcaEda94") || f.shows(tr("keyfiles.imported")) {
		t.Fatalf("accounts:\n%s", f.texts())
	}
	// The phrase's accounts under its heading once, each named by its
	// place on the path.
	labels := walletLabels(f)
	count := func(text string) int {
		return len(slices.DeleteFunc(slices.Clone(labels), func(l string) bool { return l != text }))
	}
	if n := count(tr("keyfiles.from_phrase")); n != 1 {
		t.Errorf("%q is said %d times: %q", tr("keyfiles.from_phrase"), n, labels)
	}
	for i := range 3 {
		name := lang.LocalizeKey("keyfiles.account", "", map[string]any{"N": i + 1, "Path": fmt.Sprintf("m/44'/60'/0'/0/%d", i)})
		if count(name) != 1 {
			t.Errorf("account %d is not named %q: %q", i+1, name, labels)
		}
	}
	f.tap("keyfiles.export") // the first account's
	f.waitTop("keyfiles.export_title")
	f.typeIn("field.new_password", "file pw 12345")
	f.typeIn("field.repeat_password", "file pw 12345")
	pw := f.entry("field.new_password")
	f.tap("keyfiles.export_submit")
	// The message names the file, so that it can be found.
	f.waitFor("the saved file", func() bool {
		return f.shows(lang.LocalizeKey("keyfiles.exported", "", map[string]any{"Path": "/home/me/" + savedName}))
	})
	// The path can be selected and copied.
	done := must(f, "the saved message", func(l *wrapLabel) bool { return strings.Contains(l.Text, savedName) })
	if got := copyAll(t, done); !strings.Contains(got, "/home/me/"+savedName) {
		t.Fatalf("copied %q", got)
	}
	// The form is gone, its passwords with it.
	if _, ok := find(f, func(*entry) bool { return true }); ok || f.hasButton("keyfiles.export_submit") || pw.Text != "" {
		t.Fatalf("the export form stays after the save:\n%s", f.texts())
	}
	f.tap("security.done")
	f.waitTop("keyfiles.title")
	k, err := keyfile.Decrypt(saved, []byte("file pw 12345"))
	if err != nil || hex.EncodeToString(k.Private) != "1ab42cc412b618bdea3a599e3c9bae199ebf030895b039e9db1e30dafb12b727" ||
		!strings.HasPrefix(savedName, "UTC--") || !strings.HasSuffix(savedName, "--9858effd232b4033e47d90003d41ec34ecaeda94") {
		t.Fatalf("saved %s: %v", savedName, err)
	}

	priv, _ := hex.DecodeString("7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d")
	file, err := keyfile.Encrypt(priv, []byte("other wallet pw"), keyfile.Scrypt{N: 2, R: 8, P: 1})
	if err != nil {
		t.Fatal(err)
	}
	f.shell.Opts.OpenFile = func(done func([]byte, error)) { done(file, nil) }
	f.tap("keyfiles.import")
	f.waitTop("keyfiles.import_title")
	f.tap("keyfiles.choose")
	const addr = "0x008AeEda4D805471dF9b2A5B0f38A0C3bCBA786b"
	if !f.shows(lang.LocalizeKey("keyfiles.chosen", "", map[string]any{"Address": addr})) {
		t.Fatalf("chosen file:\n%s", f.texts())
	}
	f.typeIn("keyfiles.file_password", "other wallet pX")
	f.typeIn("unlock.password", unlockPassword)
	f.tap("keyfiles.import_submit")
	f.waitFor("the refusal", func() bool { return f.shows(tr("error.keyfile_wrong_password")) })
	f.entry("keyfiles.file_password").SetText("")
	f.typeIn("keyfiles.file_password", "other wallet pw")
	f.tap("keyfiles.import_submit")
	f.waitFor("the import", func() bool {
		return f.shows(lang.LocalizeKey("keyfiles.import_done", "", map[string]any{"Address": addr}))
	})
	f.shell.Back()
	f.shell.Push(newKeyFiles(f.shell))
	f.waitTop("keyfiles.title")
	labels = walletLabels(f)
	if !f.shows(addr) || count(tr("keyfiles.imported")) != 1 || count(tr("keyfiles.from_phrase")) != 1 ||
		count(lang.LocalizeKey("keyfiles.imported_account", "", map[string]any{"N": 1})) != 1 {
		t.Fatalf("accounts after the import:\n%s", f.texts())
	}
}
