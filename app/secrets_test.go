package app_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"io/fs"
	"log"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sesame/app"
	"sesame/wallet/keyfile"
)

// Every flow of this round that handles the phrase, the passphrase or a
// key runs with the standard and structured loggers captured: neither
// they, nor any error, nor any file of the data folder holds a word of the
// phrase, the passphrase, a password or the key.
func TestNoSecretReachesLogsOrFiles(t *testing.T) {
	defer app.SetKeyfileScrypt(lightScrypt)()
	var logs bytes.Buffer
	log.SetOutput(&logs)
	defer log.SetOutput(os.Stderr)
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, nil)))
	defer slog.SetDefault(old)

	f := newFixture(t)
	ctx := context.Background()
	var errs []string
	keep := func(err error) {
		if err != nil {
			errs = append(errs, err.Error())
		}
	}
	const passphrase = "hunter passphrase"
	m := mnemonicOf(t, phraseB)
	_, err := f.app.RestoreWallet(ctx, m, passphrase, "wallet pw 1", "wallet pw 1", false)
	keep(err)
	_, err = f.app.PreviewRestore(m, passphrase, "00000000")
	keep(err)
	_, err = f.app.RestoreWallet(ctx, mnemonicOf(t, phraseA), "", "wallet pw 2", "wallet pw 2", false)
	keep(err)
	d, err := f.app.StartDrill(ctx, "wallet pw 1")
	if err != nil {
		t.Fatal(err)
	}
	keep(d.Check([]string{"legal", "winner", "zoo"}))
	keep(d.Check(nil))
	accs, _ := f.app.EthereumAccounts()
	data, err := f.app.ExportKeyFile(accs[0].Address, "file pw 123", "file pw 123")
	keep(err)
	_, err = f.app.ImportKeyFile(ctx, data, "file pw 12X", "wallet pw 1")
	keep(err)
	_, err = f.app.ImportKeyFile(ctx, data, "file pw 123", "wallet pw X")
	keep(err)
	key, _ := keyfile.Decrypt(data, []byte("file pw 123"))
	var out, errOut bytes.Buffer
	app.PhraseCommand(ctx, []string{"check", "--passphrase"}, strings.NewReader(strings.Replace(phraseB, "worth", "north", 1)+"\n"+passphrase+"\n"), &out, &errOut)
	app.PhraseCommand(ctx, []string{"check", "--json", "--passphrase"}, strings.NewReader(phraseB+"\n"+passphrase+"\n"), &out, &errOut)
	errs = append(errs, errOut.String())
	if len(errs) < 6 {
		t.Fatalf("only %d errors: the flows did not fail as planned", len(errs))
	}

	secrets := append(strings.Fields(phraseB), "north", "hunter", "wallet pw", "file pw", hex.EncodeToString(key.Private)[:16])
	check := func(where, text string) {
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("%s holds %q:\n%s", where, s, text)
			}
		}
	}
	check("the logs", logs.String())
	for _, e := range errs {
		check("an error", e)
	}
	filepath.WalkDir(f.dataDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := os.ReadFile(path)
		check(path, string(b))
		if bytes.Contains(b, key.Private[:8]) {
			t.Errorf("%s holds the key", path)
		}
		return nil
	})
}
