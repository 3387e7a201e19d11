// Command sesame is the Sesame desktop app: sign-in, two-factor, password
// reset and the wallet's recovery phrase, in English and 简体中文.
//
//	sesame [--server URL] [--data DIR]    open the app
//	sesame doctor [--server URL] [--json] [--report] check the connection in a terminal
//	sesame phrase check [--json]          check a recovery phrase, offline
//
// With no server configured (flag, $SESAME_SERVER or the settings screen)
// the app runs the reference auth server itself on 127.0.0.1, with its
// database in the data folder and a Mailbox window for the mails it sends.
// This is the only package that imports fyne.io/fyne/v2/app.
package main

import (
	"cmp"
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
	"sesame/internal/background"
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
		fmt.Fprintln(stderr, "       sesame doctor [--server URL] [--json] [--report]")
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
	if err := (&desktop{ctx: ctx, o: o}).run(); err != nil {
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

// uiLanguage is the language the app shows for the settings' tag: the
// tag, or the system's locale for "".
func uiLanguage(tag string) string {
	if tag == "" {
		return string(lang.SystemLocale())
	}
	return tag
}

// desktop is the running app: its settings, the app of the server it
// talks to, and the built-in server when that is the one.
type desktop struct {
	ctx context.Context
	o   options
	// localOpts start the built-in server; the zero value is the app's.
	localOpts localserver.Options

	// mu guards what follows: the screens switch servers and languages
	// off the UI thread.
	mu       sync.Mutex
	settings app.Settings
	app      *app.App
	local    *localserver.Server
}

// connect makes the app of server ("" is the built-in one, started here);
// d.mu is held.
func (d *desktop) connect(server string) (screens.Connection, error) {
	var c screens.Connection
	if server == "" {
		local, err := d.localOpts.Start(d.ctx, d.o.data, d.o.localAddr)
		if err != nil {
			// The window still opens, to say so and offer Settings; its
			// client points at a port nothing serves, so no password goes
			// to whatever holds the built-in port.
			fmt.Fprintln(os.Stderr, "sesame:", err)
			c.StartupError = fmt.Errorf("%w: %w", app.ErrLocalServer, err)
			server = unreachable
		} else {
			d.local, server = local, local.URL
			c.Local, c.Mails = true, local.Mails
		}
	}
	client, err := authapi.NewClient(server, authapi.WithVersion(version))
	if err == nil {
		c.App, err = app.New(app.Config{Client: client, Keychain: keystore.Keychain{}, DataDir: d.o.data})
	}
	if err != nil {
		if c.Local {
			d.closeLocal()
		}
		return screens.Connection{}, err
	}
	c.App.SetLanguage(uiLanguage(d.settings.Language))
	return c, nil
}

// closeLocal stops the built-in server, if it runs; d.mu is held.
func (d *desktop) closeLocal() {
	if d.local != nil {
		d.local.Close()
		d.local = nil
	}
}

// switchServer is the settings' choice of another server: connected to,
// then saved by the connection's Commit once it answers. Until then the
// server in use, the built-in one too, stays as it is; a built-in server
// started for a connection abandoned is stopped.
func (d *desktop) switchServer(next string) (screens.Connection, error) {
	if next != "" {
		if err := app.ValidateServer(next); err != nil {
			return screens.Connection{}, err
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	c, err := d.connect(next)
	if err != nil {
		return c, err
	}
	if c.Local {
		started := d.local
		c.Abandon = func() {
			d.mu.Lock()
			defer d.mu.Unlock()
			if d.local == started && d.app != c.App {
				d.closeLocal()
			}
		}
	}
	c.Commit = func() error {
		d.mu.Lock()
		defer d.mu.Unlock()
		saved := d.settings
		saved.Server = next
		if err := app.SaveSettings(d.o.data, saved); err != nil {
			return err
		}
		d.settings = saved
		// The session on the server left ends as at a quit, before the
		// built-in server stops.
		d.quitApp()
		if next != "" {
			d.closeLocal()
		}
		d.app = c.App
		return nil
	}
	return c, nil
}

// setLanguage is the settings' choice of language ("" the system's): the
// screens switch at once; the account's mails and the settings follow.
func (d *desktop) setLanguage(tag string) {
	screens.SetLanguage(tag)
	go func() {
		d.mu.Lock()
		a := d.app
		d.settings.Language = tag
		saved := app.SaveSettings(d.o.data, d.settings)
		d.mu.Unlock()
		for _, err := range []error{saved, a.SwitchLanguage(d.ctx, uiLanguage(tag))} {
			if err != nil {
				fmt.Fprintln(os.Stderr, "sesame:", err)
			}
		}
	}()
}

// saveWindowSize keeps w's size for the next start.
func (d *desktop) saveWindowSize(w fyne.Window) {
	size, ok := screens.WindowSize(w)
	if !ok {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.settings.Window = &size
	if err := app.SaveSettings(d.o.data, d.settings); err != nil {
		fmt.Fprintln(os.Stderr, "sesame:", err)
	}
}

// run opens the window and runs until it closes.
func (d *desktop) run() error {
	settings, err := app.LoadSettings(d.o.data)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sesame:", err, "- using the defaults")
	}
	d.settings = settings
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
	background.Run(func() {
		err := screens.LoadTranslations()
		screens.Warm()
		warm <- err
	})
	server := cmp.Or(d.o.server, settings.Server)
	var conn screens.Connection
	connected := make(chan error, 1)
	background.Run(func() {
		d.mu.Lock()
		defer d.mu.Unlock()
		var err error
		conn, err = d.connect(server)
		d.app = conn.App
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
		d.mu.Lock()
		defer d.mu.Unlock()
		d.closeLocal()
	}()
	// Start-up parses fonts and translations; once the first screen is
	// up, the collector runs again and that garbage goes back to the
	// system instead of staying resident.
	var restored sync.Once
	restore := func() {
		restored.Do(func() {
			debug.SetGCPercent(100)
			debug.SetMemoryLimit(math.MaxInt64)
			debug.FreeOSMemory()
		})
	}
	time.AfterFunc(10*time.Second, restore)
	if err := <-warm; err != nil {
		return fmt.Errorf("loading the translations: %w", err)
	}
	screens.NewShell(conn, screens.Options{
		Version:  version,
		Connect:  d.switchServer,
		Language: d.setLanguage,
		Started:  func() { go restore() },
	}, w)
	go func() {
		<-d.ctx.Done()
		fyne.Do(a.Quit)
	}()
	a.Run()
	// The window's size is saved, and a session not remembered signed
	// out, once Run has returned and the window is gone, before the
	// process ends and the built-in server stops: the window closed,
	// Quit, or SIGTERM (Fyne's driver quits on it by itself). Fyne's own
	// stopped hooks run on a queue of theirs that the process may not
	// wait for.
	d.saveWindowSize(w)
	d.mu.Lock()
	defer d.mu.Unlock()
	d.quitApp()
	return nil
}

// quitApp signs out the app's session if it is not remembered
// (app.App.Quit), even after SIGTERM ended d.ctx; the sign-out bounds its
// own wait. d.mu is held.
func (d *desktop) quitApp() {
	if err := d.app.Quit(context.WithoutCancel(d.ctx)); err != nil {
		fmt.Fprintln(os.Stderr, "sesame:", err)
	}
}
