// Package app is what the Sesame desktop app does, without widgets: the
// sign-in flow (password, then two-factor when asked, then a session that
// "remember me" keeps in the OS keychain), account creation, forgot
// password, two-factor enrolment, the security centre, and the wallet:
// create with a backup quiz, restore from a recovery phrase, unlock, change
// its password.
//
// [New] builds an [App] over an [authapi.Client], a [Keychain] (the OS
// keychain: [keystore.Keychain]) and a data folder. Every flow is a set of explicit steps ([App.SignIn] then
// [App.CompleteTwoFactor]; [App.Register] then [Registration.Verify]; ...)
// that validate their input with the validators the server uses, run every
// wait under a context with a time limit, and return typed errors the
// screens branch on: *authapi.Problem for the server's answers, the
// authapi transport errors, keystore and recovery errors, and this
// package's sentinels.
//
// [App.CheckConfig] sets up the connection check of "Can't sign in?"
// (package check), [Doctor] is the `sesame doctor` command over it, and
// [Report] the redacted report a user can send to support.
package app

import (
	"context"
	"errors"
	"os"
	"sync"
	"time"
	"unicode/utf8"

	"sesame/authapi"
	"sesame/check"
)

// Expected failures of the flows.
var (
	// ErrNotSignedIn: the step needs a session and there is none.
	ErrNotSignedIn = errors.New("not signed in")
	// ErrPasswordsDiffer: a new password and its confirmation differ.
	ErrPasswordsDiffer = errors.New("the passwords differ")
	// ErrLocalServer: the built-in server could not start (its port is
	// taken by another program, or its database cannot be opened).
	ErrLocalServer = errors.New("the built-in server could not start")
	// ErrSignedIn: signing in needs signing out first.
	ErrSignedIn = errors.New("already signed in; sign out first")
	// ErrStepOrder: a flow's step was called before the step it needs.
	ErrStepOrder = errors.New("this step needs the previous one first")
	// ErrWrongPassword: a step of the signed-in account that re-checks
	// its password was given a wrong one; the *authapi.Problem in the
	// chain counts the attempts left.
	ErrWrongPassword = errors.New("the account password is wrong")
	// ErrAttemptsLocked: wrong passwords or two-factor codes locked the
	// account during a step that re-checks them (re-authentication, a
	// change of two-factor, a reset's second factor); the
	// *authapi.Problem in the chain says until when.
	ErrAttemptsLocked = errors.New("too many wrong passwords or codes; the account is locked for a while")
	// ErrRecoveryCodeRefused: the server refused a recovery code given as
	// the second factor (wrong, or already used); the *authapi.Problem in
	// the chain counts the attempts left.
	ErrRecoveryCodeRefused = errors.New("the recovery code is wrong or was already used")
)

// ClockSkewLimit is the clock offset past which two-factor codes may fail.
const ClockSkewLimit = check.ClockSkewLimit

// isSkewed reports whether a clock offset is past ClockSkewLimit either way.
func isSkewed(offset time.Duration) bool {
	return offset > ClockSkewLimit || offset < -ClockSkewLimit
}

// Keychain is what App keeps in the OS keychain ([keystore.Keychain]):
// the methods and errors are keystore's, [keystore.ErrNotFound] for an item
// that is not there and [keystore.ErrKeychainUnavailable] for a keychain
// that cannot be used.
type Keychain interface {
	SaveRefreshToken(ctx context.Context, server, account, token string) error
	RefreshToken(ctx context.Context, server, account string) (string, error)
	RememberedAccount(ctx context.Context, server string) (string, error)
	DeleteRefreshToken(ctx context.Context, server, account string) error
	SavePhrase(ctx context.Context, server, account, phrase string) error
	Phrase(ctx context.Context, server, account string) (string, error)
	ForgetPhrases(ctx context.Context) error
	SaveDeviceToken(ctx context.Context, server, account, token string) error
	DeviceToken(ctx context.Context, server, account string) (string, error)
	ForgetDeviceTokens(ctx context.Context) error
	// Check is the connection check's probe (check.Keychain).
	Check(ctx context.Context) error
}

// Config builds an App.
type Config struct {
	// Client talks to the auth server.
	Client *authapi.Client
	// Keychain keeps the "remember me" refresh token, the anti-phishing
	// phrases and the device tokens.
	Keychain Keychain
	// DataDir holds the wallet vaults; it is created 0700 when needed.
	DataDir string
	// DeviceName names this computer in the account's session list; ""
	// names it by its host in the app's language ([App.SetLanguage]).
	DeviceName string
	// Timeout bounds each network step; zero means 20 s.
	Timeout time.Duration
	// QuitTimeout bounds Quit's sign-out; zero means 2 s.
	QuitTimeout time.Duration
	// Now is the clock of the backup drills' schedule; nil means time.Now.
	Now func() time.Time
}

// App holds the state of one signed-in (or not) user.
type App struct {
	cfg    Config
	client *authapi.Client

	mu       sync.Mutex
	account  string // signed-in email
	remember bool   // the refresh token is kept in the keychain
	// pendingLanguage is the language of the account's mails that the
	// user chose and the server has not taken yet.
	pendingLanguage string
	// language is the app's language, one of check.Languages.
	language string
	// region is the region of the phone numbers typed without their
	// country code, by the app's language ("CN" for Chinese); "" for none.
	region string

	// kc orders the keychain writes: a rotation's save, a sign-in's save
	// and a sign-out's delete never interleave.
	kc sync.Mutex
	// phrases are the anti-phishing phrases the keychain is known to hold
	// for this server, by account ("" for none); kc guards it.
	phrases map[string]string
	// devices are the device tokens the keychain is known to hold for
	// this server, by account ("" for none); kc guards it.
	devices map[string]string
	// keychainHung is the error of a keychain call for a phrase or a
	// device token that timed out; neither is asked for again in this run.
	// kc guards it.
	keychainHung error

	// accountPw is what is kept of the account password this session
	// signed in with; mu guards it.
	accountPw *accountSecret

	wallet walletState
}

// New builds an App. The client's token rotations are followed so a
// remembered refresh token stays current in the keychain.
func New(cfg Config) (*App, error) {
	if cfg.Client == nil {
		return nil, errors.New("app: a client is required")
	}
	if cfg.Keychain == nil {
		return nil, errors.New("app: a keychain is required")
	}
	if cfg.DataDir == "" {
		return nil, errors.New("app: a data folder is required")
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 20 * time.Second
	}
	if cfg.QuitTimeout == 0 {
		cfg.QuitTimeout = 2 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	a := &App{cfg: cfg, client: cfg.Client, language: check.Languages[0]}
	cfg.Client.OnTokens(a.rotated)
	return a, nil
}

func (a *App) now() time.Time { return a.cfg.Now() }

// Client returns the API client, for the tests.
func (a *App) Client() *authapi.Client { return a.client }

// Answers reports whether the server answers its status, within a step's
// time: nil, or the transport's or the server's error.
func (a *App) Answers(ctx context.Context) error {
	sctx, cancel := a.step(ctx)
	defer cancel()
	_, err := a.client.Status(sctx)
	return err
}

// ClockSkew returns the server's clock minus this computer's, measured
// from the server's latest answer, and whether it is past ClockSkewLimit
// (two-factor codes may then be refused); before any answer it is 0, false.
func (a *App) ClockSkew() (offset time.Duration, skewed bool) {
	offset, ok := a.client.ClockOffset()
	return offset, ok && isSkewed(offset)
}

// Server returns the auth server's base URL.
func (a *App) Server() string { return a.client.BaseURL() }

// Account returns the signed-in email, or "".
func (a *App) Account() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.account
}

// step bounds one network step.
func (a *App) step(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, a.cfg.Timeout)
}

// keychainStep bounds one keychain call, which may wait for an unlock prompt.
func (a *App) keychainStep(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, 2*a.cfg.Timeout)
}

// deviceName names this computer in the account's session list and the
// new-device mail: Config.DeviceName, else the host's name in the app's
// language, cut to fit authapi.MaxDeviceNameLen.
func (a *App) deviceName() string {
	if a.cfg.DeviceName != "" {
		return a.cfg.DeviceName
	}
	a.mu.Lock()
	language := a.language
	a.mu.Unlock()
	host, _ := os.Hostname()
	return hostDeviceName(language, host)
}

// hostDeviceName is "device.name" for host in language (one of
// check.Languages), or "device.name_no_host" when host is "".
func hostDeviceName(language, host string) string {
	tr, err := check.Translations(language)
	if err != nil {
		return "Sesame"
	}
	if host == "" {
		return tr("device.name_no_host", nil)
	}
	name := tr("device.name", map[string]any{"Host": host})
	if over := utf8.RuneCountInString(name) - authapi.MaxDeviceNameLen; over > 0 {
		r := []rune(host)
		return tr("device.name", map[string]any{"Host": string(r[:max(len(r)-over, 1)])})
	}
	return name
}
