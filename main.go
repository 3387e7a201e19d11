// Command sesame is the Sesame desktop app: sign-in, two-factor, password
// reset and the wallet's recovery phrase, in English and 简体中文.
//
//	sesame [--server URL] [--data DIR]    open the app
//	sesame doctor [--server URL] [--json] check the connection in a terminal
//	sesame phrase check [--json]          check a recovery phrase, offline
//
// With no server configured (flag, $SESAME_SERVER or the settings screen)
// the app runs the reference auth server itself on 127.0.0.1, with its
// database in the data folder and a Mailbox window for the mails it sends.
// This is the only package that imports fyne.io/fyne/v2/app.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"runtime/debug"
	"sync"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/lang"

	"sesame/app"
	"sesame/assets"
	"sesame/authapi"
	"sesame/internal/clocale" // its init runs before Fyne's lang package reads the locale
	"sesame/internal/localserver"
	"sesame/keystore"
	"sesame/screens"
)

// appID is the ID of FyneApp.toml; preferences are kept under it.
const appID = "org.sesame.desktop"

// version is this build's version, as in FyneApp.toml.
var version = authapi.DefaultClientVersion

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// options are the command line of the app.
type options struct {
	server, data, localAddr string
	showVersion             bool
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var o options
	fs := flag.NewFlagSet("sesame", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.server, "server", os.Getenv("SESAME_SERVER"), "the auth server's `URL` (default: $SESAME_SERVER, else the settings, else the built-in local server)")
	fs.StringVar(&o.data, "data", "", "the data `folder` (default: %LOCALAPPDATA%\\Sesame on Windows, ~/Library/Application Support/Sesame on macOS, else $XDG_DATA_HOME/sesame or ~/.local/share/sesame)")
	fs.StringVar(&o.localAddr, "local-addr", localserver.Addr, "the loopback `address` of the built-in server; another one runs a separate local setup beside the usual one")
	fs.BoolVar(&o.showVersion, "version", false, "print the version and exit")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: sesame [--server URL] [--data DIR]")
		fmt.Fprintln(stderr, "       sesame doctor [--server URL] [--json]")
		fmt.Fprintln(stderr, "       sesame phrase check [--passphrase] [--count N] [--json]")
		fs.PrintDefaults()
	}
	if len(args) > 0 && args[0] == "doctor" {
		return doctor(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "phrase" {
		return app.PhraseCommand(ctx, args[1:], os.Stdin, stdout, stderr)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if o.showVersion {
		fmt.Fprintln(stdout, "sesame", version)
		return 0
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "sesame: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if o.data == "" {
		d, err := app.DataDir()
		if err != nil {
			fmt.Fprintln(stderr, "sesame:", err)
			return 1
		}
		o.data = d
	}
	if err := desktop(ctx, o); err != nil {
		fmt.Fprintln(stderr, "sesame:", err)
		return 1
	}
	return 0
}

// doctor is `sesame doctor`: the connection check against the server the
// app would use.
func doctor(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	server := localserver.URL
	if dir, err := app.DataDir(); err == nil {
		if s, err := app.LoadSettings(dir); err == nil && s.Server != "" {
			server = s.Server
		}
	}
	return app.Doctor(ctx, args, stdout, stderr, version, server, clocale.Messages(os.Getenv))
}

// unreachable is the server of an app whose built-in server did not start:
// port 1 on loopback, where nothing serves.
const unreachable = "http://127.0.0.1:1"

// session is the app connected to one server, and the built-in server when
// it runs.
type session struct {
	app   *app.App
	opts  screens.Options
	local *localserver.Server
}

func (s *session) close() {
	if s.local != nil {
		s.local.Close()
		s.local = nil
	}
}

// uiLanguage is the language the app shows for the settings' tag: the
// tag, or the system's locale for "".
func uiLanguage(tag string) string {
	if tag == "" {
		return string(lang.SystemLocale())
	}
	return tag
}

// desktop opens the window and runs until it closes.
func desktop(ctx context.Context, o options) error {
	settings, err := app.LoadSettings(o.data)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sesame:", err, "- using the defaults")
	}
	screens.ChooseLanguage(settings.Language)
	fyneapp.SetMetadata(fyne.AppMetadata{
		ID: appID, Name: "Sesame", Version: version, Build: 1,
		Icon:       fyne.NewStaticResource(assets.IconName, assets.Icon),
		Migrations: map[string]bool{"fyneDo": true},
	})
	// Start-up allocates much that it drops at once (fonts, translations):
	// no collection until the first screen is up (see restore below), with
	// a ceiling that collects anyway.
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(512 << 20)
	a := fyneapp.NewWithID(appID)
	screens.ApplyPreferences(a)
	// Loading the translations and the fonts (the shipped CJK ones and
	// Fyne's system fallback) is most of the start; it runs while the
	// built-in server starts and the window is created, and the screens
	// are built once it is done.
	warm := make(chan error, 1)
	inBackground(func() {
		err := screens.LoadTranslations()
		screens.WarmFonts()
		warm <- err
	})

	server := settings.Server
	if o.server != "" {
		server = o.server
	}
	// mu guards settings and cur: Connect runs off the UI thread.
	var mu sync.Mutex
	var cur *session
	var connect func(server string) (*session, error)
	connect = func(server string) (*session, error) {
		s := &session{}
		if server == "" {
			local, err := localserver.Start(ctx, o.data, o.localAddr)
			if err != nil {
				// The window still opens, to say so and offer Settings;
				// its client points at a port nothing serves, so no
				// password goes to whatever holds the built-in port.
				fmt.Fprintln(os.Stderr, "sesame:", err)
				s.opts.StartupError = fmt.Errorf("%w: %w", app.ErrLocalServer, err)
				server = unreachable
			} else {
				s.local, server = local, local.URL
				s.opts.Local = true
				s.opts.Mails = func(ctx context.Context) ([]app.Mail, error) { return local.Mails(ctx) }
			}
		}
		client, err := authapi.NewClient(server, authapi.WithVersion(version))
		if err != nil {
			s.close()
			return nil, err
		}
		s.app, err = app.New(app.Config{Client: client, Keychain: keystore.Keychain{}, DataDir: o.data})
		if err != nil {
			s.close()
			return nil, err
		}
		s.app.SetLanguage(uiLanguage(settings.Language))
		s.opts.Version = version
		s.opts.Connect = func(next string) (*app.App, screens.Options, error) {
			if next != "" {
				if err := app.ValidateServer(next); err != nil {
					return nil, screens.Options{}, err
				}
			}
			mu.Lock()
			defer mu.Unlock()
			saved := settings
			saved.Server = next
			if err := app.SaveSettings(o.data, saved); err != nil {
				return nil, screens.Options{}, err
			}
			settings = saved
			// The old session goes first: a built-in server must free
			// its port before the next one takes it.
			cur.close()
			n, err := connect(next)
			if err != nil {
				return nil, screens.Options{}, err
			}
			cur = n
			return n.app, n.opts, nil
		}
		s.opts.Language = func(tag string) {
			screens.SetLanguage(tag)
			go func() {
				if err := s.app.SwitchLanguage(ctx, uiLanguage(tag)); err != nil {
					fmt.Fprintln(os.Stderr, "sesame:", err)
				}
			}()
			go func() {
				mu.Lock()
				defer mu.Unlock()
				settings.Language = tag
				if err := app.SaveSettings(o.data, settings); err != nil {
					fmt.Fprintln(os.Stderr, "sesame:", err)
				}
			}()
		}
		return s, nil
	}
	// The built-in server starts while the fonts load and the window is
	// created; the window gets its content once both are done.
	connected := make(chan error, 1)
	inBackground(func() {
		var err error
		cur, err = connect(server)
		connected <- err
	})

	w := a.NewWindow("Sesame")
	w.Resize(screens.InitialSize(settings.Window))
	w.SetMaster()
	w.Show()
	if err := <-connected; err != nil {
		return err
	}
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		cur.close()
	}()
	// Start-up parses fonts and translations; once the first
	// screen is up, the collector runs again and that garbage goes back
	// to the system instead of staying resident.
	var restored sync.Once
	restore := func() {
		restored.Do(func() {
			debug.SetGCPercent(100)
			debug.SetMemoryLimit(math.MaxInt64)
			debug.FreeOSMemory()
		})
	}
	cur.opts.Started = func() { go restore() }
	time.AfterFunc(10*time.Second, restore)
	if err := <-warm; err != nil {
		return fmt.Errorf("loading the translations: %w", err)
	}
	screens.NewShell(cur.app, cur.opts, w)
	go func() {
		<-ctx.Done()
		fyne.Do(a.Quit)
	}()
	a.Run()
	// The window's size is saved once Run has returned, before the
	// process ends: the window closed, Quit, or SIGTERM (Fyne's driver
	// quits on it by itself). Fyne's own stopped hooks run on a queue
	// of theirs that the process may not wait for.
	if size, ok := screens.WindowSize(w); ok {
		mu.Lock()
		defer mu.Unlock()
		settings.Window = &size
		if err := app.SaveSettings(o.data, settings); err != nil {
			fmt.Fprintln(os.Stderr, "sesame:", err)
		}
	}
	return nil
}
