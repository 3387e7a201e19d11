package keystore

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/zalando/go-keyring"
)

// DefaultService is the keychain service name used when [Keychain.Service]
// is empty.
const DefaultService = "Sesame"

// DefaultTimeout bounds one keychain operation when [Keychain.Timeout] is
// zero. A locked keychain may show an unlock prompt; a caller that expects
// the user to answer one passes a longer Timeout.
const DefaultTimeout = 10 * time.Second

// Keychain errors. Match them with errors.Is.
var (
	// ErrKeychainUnavailable: the OS keychain cannot be used right now. The
	// error is an [*UnavailableError] whose Reason says why.
	ErrKeychainUnavailable = errors.New("keychain unavailable")
	// ErrNotFound: no item is stored under that server and account.
	ErrNotFound = errors.New("not found in the keychain")
	// ErrInvalidServer: the server is not an http or https URL with a host
	// (and no user info, query or fragment).
	ErrInvalidServer = errors.New("invalid server URL")
	// ErrInvalidAccount: the account is empty, longer than 320 bytes, or
	// holds white space or control characters.
	ErrInvalidAccount = errors.New("invalid account name")
	// ErrEmptyToken: an empty refresh or device token cannot be saved.
	ErrEmptyToken = errors.New("empty token")
)

// Reason says why the keychain is unavailable.
type Reason int

// The reasons of an [*UnavailableError].
const (
	// ReasonOther: the keychain answered with an unexpected error.
	ReasonOther Reason = iota
	// ReasonNoSessionBus: no D-Bus session bus could be reached (Linux/BSD).
	ReasonNoSessionBus
	// ReasonNoProvider: the session bus has no Secret Service provider
	// (no gnome-keyring, KWallet or KeePassXC answering).
	ReasonNoProvider
	// ReasonNoKeyring: the provider answers but has no default keyring
	// (collection) to store items in.
	ReasonNoKeyring
	// ReasonLocked: the keyring is locked and was not unlocked (the prompt
	// was dismissed or could not be shown).
	ReasonLocked
	// ReasonTimedOut: the keychain did not answer in time, for instance
	// while an unlock prompt waits for the user.
	ReasonTimedOut
	// ReasonNoLogonSession: Windows' Credential Manager has no logon
	// session to keep items in (a service, a scheduled task or a remote
	// shell without the user's profile loaded).
	ReasonNoLogonSession
)

var reasonNames = [...]string{
	ReasonOther:        "other",
	ReasonNoSessionBus: "no session bus",
	ReasonNoProvider:   "no secret service provider",
	ReasonNoKeyring:    "no default keyring",
	ReasonLocked:       "locked",
	ReasonTimedOut:     "timed out",

	ReasonNoLogonSession: "no logon session",
}

func (r Reason) String() string {
	if r >= 0 && int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return fmt.Sprintf("Reason(%d)", int(r))
}

// UnavailableError reports a keychain that cannot be used. It matches
// [ErrKeychainUnavailable]; Err is the underlying cause (never a secret).
type UnavailableError struct {
	Reason Reason
	Op     string // "save", "read", "delete" or "check"
	Err    error
}

func (e *UnavailableError) Error() string {
	s := "keystore: " + e.Op + ": keychain unavailable (" + e.Reason.String() + ")"
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Is makes errors.Is(err, ErrKeychainUnavailable) true.
func (e *UnavailableError) Is(target error) bool { return target == ErrKeychainUnavailable }

func (e *UnavailableError) Unwrap() error { return e.Err }

// Keychain keeps refresh tokens, anti-phishing phrases and named secrets
// in the OS keychain. The zero value is ready to use.
//
// Items are stored under the service name (default "Sesame") with these user
// names, where <server> is the normalized server URL (lower-case scheme and
// host, default port and trailing slash dropped, e.g.
// "https://auth.example.com") and <account> the account email in lower case:
//
//	"refresh-token <server> <account>"  the refresh token
//	"last-account <server>"             the last remembered account, as given
//
// The second item is not secret; it lets the app resume at start without
// knowing the email ([Keychain.RememberedAccount]).
//
// The accounts' anti-phishing phrases are kept under a service of their own,
// the service name followed by " anti-phishing", so that
// [Keychain.ForgetPhrases] can delete them all at once:
//
//	"<server> <account>"  the account's anti-phishing phrase
//
// Device tokens are kept the same way under the service name followed by
// " devices" ([Keychain.SaveDeviceToken]).
//
// Named secrets (the key of the built-in server's TOTP secrets) are kept
// under the service name followed by " secrets", with their name as the
// user name ([Keychain.SaveSecret]), out of reach of what forgets tokens or
// phrases.
type Keychain struct {
	Service string        // keychain service name; "" means DefaultService
	Timeout time.Duration // per operation; 0 means DefaultTimeout
}

func (k Keychain) service() string {
	if k.Service == "" {
		return DefaultService
	}
	return k.Service
}

func (k Keychain) timeout() time.Duration {
	if k.Timeout <= 0 {
		return DefaultTimeout
	}
	return k.Timeout
}

// SaveRefreshToken stores token for account on server, replacing any
// previous one, and records account as the server's remembered account.
// After a timeout the write may still complete in the background.
func (k Keychain) SaveRefreshToken(ctx context.Context, server, account, token string) error {
	tokenKey, indexKey, err := itemKeys(server, account)
	if err != nil {
		return err
	}
	if token == "" {
		return fmt.Errorf("keystore: save: %w", ErrEmptyToken)
	}
	if err := errors.Join(checkSize(tokenKey, token), checkSize(indexKey, account)); err != nil {
		return err
	}
	svc := k.service()
	_, err = k.do(ctx, "save", func() (string, error) {
		if err := keyring.Set(svc, tokenKey, token); err != nil {
			return "", err
		}
		return "", keyring.Set(svc, indexKey, account)
	})
	return err
}

// RefreshToken returns the token stored for account on server, or an error
// matching [ErrNotFound].
func (k Keychain) RefreshToken(ctx context.Context, server, account string) (string, error) {
	tokenKey, _, err := itemKeys(server, account)
	if err != nil {
		return "", err
	}
	svc := k.service()
	return k.do(ctx, "read", func() (string, error) {
		return keyring.Get(svc, tokenKey)
	})
}

// RememberedAccount returns the account whose token was saved last for
// server, or an error matching [ErrNotFound]. The account's token may still
// be missing (deleted by another program); RefreshToken tells.
func (k Keychain) RememberedAccount(ctx context.Context, server string) (string, error) {
	srv, err := normalizeServer(server)
	if err != nil {
		return "", err
	}
	svc := k.service()
	return k.do(ctx, "read", func() (string, error) {
		return keyring.Get(svc, "last-account "+srv)
	})
}

// DeleteRefreshToken removes the token of account on server, and the
// server's remembered account if it is this one. Deleting what is not there
// is not an error.
func (k Keychain) DeleteRefreshToken(ctx context.Context, server, account string) error {
	tokenKey, indexKey, err := itemKeys(server, account)
	if err != nil {
		return err
	}
	svc := k.service()
	_, err = k.do(ctx, "delete", func() (string, error) {
		if err := deleteItem(svc, tokenKey); err != nil {
			return "", err
		}
		last, err := keyring.Get(svc, indexKey)
		switch {
		case errors.Is(err, keyring.ErrNotFound):
			return "", nil
		case err != nil:
			return "", err
		case !strings.EqualFold(last, account):
			return "", nil
		}
		return "", deleteItem(svc, indexKey)
	})
	return err
}

// SavePhrase keeps the anti-phishing phrase of account on server, replacing
// any previous one. An empty phrase deletes it; deleting what is not there
// is not an error.
func (k Keychain) SavePhrase(ctx context.Context, server, account, phrase string) error {
	key, err := accountKey(server, account)
	if err != nil {
		return err
	}
	svc := k.phraseService()
	if phrase == "" {
		_, err = k.do(ctx, "delete", func() (string, error) { return "", deleteItem(svc, key) })
		return err
	}
	if err := checkSize(key, phrase); err != nil {
		return err
	}
	_, err = k.do(ctx, "save", func() (string, error) { return "", keyring.Set(svc, key, phrase) })
	return err
}

// Phrase returns the anti-phishing phrase kept for account on server, or an
// error matching [ErrNotFound].
func (k Keychain) Phrase(ctx context.Context, server, account string) (string, error) {
	key, err := accountKey(server, account)
	if err != nil {
		return "", err
	}
	svc := k.phraseService()
	return k.do(ctx, "read", func() (string, error) { return keyring.Get(svc, key) })
}

// ForgetPhrases deletes the anti-phishing phrases of every server and
// account. The refresh tokens stay.
func (k Keychain) ForgetPhrases(ctx context.Context) error {
	svc := k.phraseService()
	_, err := k.do(ctx, "delete", func() (string, error) { return "", keyring.DeleteAll(svc) })
	return err
}

func (k Keychain) phraseService() string { return k.service() + " anti-phishing" }

// accountKey names account on server: the user name of a phrase or device
// token item, and what an account's vault file is named after.
func accountKey(server, account string) (string, error) {
	srv, err := normalizeServer(server)
	if err != nil {
		return "", err
	}
	if err := checkAccount(account); err != nil {
		return "", err
	}
	return srv + " " + strings.ToLower(account), nil
}

// deleteItem deletes an item; one that is not there is no error.
func deleteItem(svc, user string) error {
	if err := keyring.Delete(svc, user); err != nil && !errors.Is(err, keyring.ErrNotFound) {
		return err
	}
	return nil
}

// Check failures of a keychain that answers but does not keep items.
var (
	errProbeMismatch = errors.New("probe item read back differs")
	errProbeLost     = errors.New("probe item not found after writing it")
)

// Check writes, reads back and deletes a random probe item: the connection
// check's keychain line. It returns nil or an error matching
// [ErrKeychainUnavailable].
func (k Keychain) Check(ctx context.Context) error {
	var id, value [16]byte
	if _, err := rand.Read(id[:]); err != nil {
		return fmt.Errorf("keystore: check: %w", err)
	}
	if _, err := rand.Read(value[:]); err != nil {
		return fmt.Errorf("keystore: check: %w", err)
	}
	user := "probe " + hex.EncodeToString(id[:])
	want := hex.EncodeToString(value[:])
	svc := k.service()
	_, err := k.do(ctx, "check", func() (string, error) {
		if err := keyring.Set(svc, user, want); err != nil {
			return "", err
		}
		got, err := keyring.Get(svc, user)
		if err != nil {
			return "", err
		}
		if err := keyring.Delete(svc, user); err != nil {
			return "", err
		}
		if subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
			return "", errProbeMismatch
		}
		return "", nil
	})
	if errors.Is(err, ErrNotFound) {
		return &UnavailableError{Reason: ReasonOther, Op: "check", Err: errProbeLost}
	}
	return err
}

// do runs f (go-keyring calls) in a goroutine under the keychain's timeout
// and classifies its error. A call that times out keeps running in the
// background; its result is dropped.
func (k Keychain) do(ctx context.Context, op string, f func() (string, error)) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, k.timeout())
	defer cancel()
	if err := ctx.Err(); err != nil {
		return "", ctxError(op, err)
	}
	type result struct {
		s   string
		err error
	}
	done := make(chan result, 1)
	go func() {
		if err := sessionBus(); err != nil && !mocked.Load() {
			done <- result{err: &UnavailableError{Reason: ReasonNoSessionBus, Op: op, Err: err}}
			return
		}
		s, err := f()
		if err != nil {
			err = classify(op, err)
		}
		done <- result{s, err}
	}()
	select {
	case r := <-done:
		return r.s, r.err
	case <-ctx.Done():
		return "", ctxError(op, ctx.Err())
	}
}

// ctxError reports a deadline as a timed-out keychain and a cancellation as
// such.
func ctxError(op string, err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return &UnavailableError{Reason: ReasonTimedOut, Op: op, Err: err}
	}
	return fmt.Errorf("keystore: %s: %w", op, err)
}

// classify maps a go-keyring error to ErrNotFound or an UnavailableError.
func classify(op string, err error) error {
	var ue *UnavailableError
	switch {
	case errors.As(err, &ue):
		return err
	case errors.Is(err, keyring.ErrNotFound):
		return fmt.Errorf("keystore: %s: %w", op, ErrNotFound)
	}
	return &UnavailableError{Reason: diagnose(err), Op: op, Err: err}
}

// itemKeys returns the user names of the token item and the index item.
func itemKeys(server, account string) (tokenKey, indexKey string, err error) {
	key, err := accountKey(server, account)
	if err != nil {
		return "", "", err
	}
	srv, _ := normalizeServer(server) // accountKey checked it
	return "refresh-token " + key, "last-account " + srv, nil
}

// normalizeServer returns server as scheme://host[:port][/path] with the
// scheme and host in lower case, the default port and a trailing slash
// dropped. The result holds no white space.
func normalizeServer(server string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(server))
	if err != nil {
		return "", fmt.Errorf("keystore: %w", ErrInvalidServer)
	}
	scheme := strings.ToLower(u.Scheme)
	if (scheme != "http" && scheme != "https") || u.Host == "" || u.User != nil ||
		u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return "", fmt.Errorf("keystore: %w", ErrInvalidServer)
	}
	host := strings.ToLower(u.Hostname())
	if port := u.Port(); port != "" && !(scheme == "http" && port == "80" || scheme == "https" && port == "443") {
		host = joinHostPort(host, port)
	} else if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	path := strings.TrimRight(u.EscapedPath(), "/")
	s := scheme + "://" + host + path
	if strings.IndexFunc(s, unicode.IsSpace) >= 0 {
		return "", fmt.Errorf("keystore: %w", ErrInvalidServer)
	}
	return s, nil
}

func joinHostPort(host, port string) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]:" + port
	}
	return host + ":" + port
}

func checkAccount(account string) error {
	if account == "" || len(account) > 320 ||
		strings.IndexFunc(account, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return fmt.Errorf("keystore: %w", ErrInvalidAccount)
	}
	return nil
}
