package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"sesame/authapi"
	"sesame/keystore"
)

// phraseTimeout bounds each keychain call for a phrase or a device token:
// the phrase is a convenience that Me waits for, and a sign-in waits for
// the device token.
const phraseTimeout = 3 * time.Second

// KnownPhrase returns the anti-phishing phrase remembered on this computer
// for the account email on this server, or "" when none is: the sign-in
// screen shows it before signing in. email is checked as SignIn checks it.
// It may wait for the keychain: call it off the UI thread.
func (a *App) KnownPhrase(ctx context.Context, email string) (string, error) {
	if err := authapi.ValidateEmail(email); err != nil {
		return "", err
	}
	email = authapi.NormalizeEmail(email)
	a.kc.Lock()
	defer a.kc.Unlock()
	p, err := a.keptPhrase(ctx, email)
	if err != nil {
		return "", fmt.Errorf("reading the anti-phishing phrase: %w", err)
	}
	return p, nil
}

// rememberPhrase keeps phrase in the keychain as the anti-phishing phrase of
// email on this server; "" forgets it. A phrase is newly kept only while
// email is signed in with "remember me", the user's consent to keep the
// account on this computer; one kept before is updated or forgotten in any
// session, so that the sign-in screen never shows a stale phrase. A
// keychain that cannot be used keeps nothing, and nothing is written
// anywhere else.
func (a *App) rememberPhrase(ctx context.Context, email, phrase string) {
	email = authapi.NormalizeEmail(email)
	if email == "" {
		return
	}
	// kc first: a sign-out or a clearing of the local data that ran while
	// the account was read has then ended, and is seen below.
	a.kc.Lock()
	defer a.kc.Unlock()
	a.mu.Lock()
	remembered := a.remember && a.account == email
	a.mu.Unlock()
	old, err := a.keptPhrase(ctx, email)
	if err != nil || old == phrase || (old == "" && !remembered) {
		return
	}
	kctx, cancel := context.WithTimeout(ctx, phraseTimeout)
	defer cancel()
	if err := a.cfg.Keychain.SavePhrase(kctx, a.Server(), email, phrase); err != nil {
		delete(a.phrases, email)
		a.keychainFailed(err)
		return
	}
	a.phrases[email] = phrase
}

// keptPhrase returns the phrase the keychain holds for email, "" for none,
// read once per run; a.kc is held. After a keychain call for a phrase
// timed out, the keychain is not asked for phrases again in this run: a
// hung keychain would hold up every reading of the account.
func (a *App) keptPhrase(ctx context.Context, email string) (string, error) {
	if a.keychainHung != nil {
		return "", a.keychainHung
	}
	if p, ok := a.phrases[email]; ok {
		return p, nil
	}
	kctx, cancel := context.WithTimeout(ctx, phraseTimeout)
	defer cancel()
	p, err := a.cfg.Keychain.Phrase(kctx, a.Server(), email)
	if err != nil && !errors.Is(err, keystore.ErrNotFound) {
		delete(a.phrases, email)
		a.keychainFailed(err)
		return "", err
	}
	if a.phrases == nil {
		a.phrases = make(map[string]string)
	}
	a.phrases[email] = p
	return p, nil
}

// keychainFailed records a failed keychain call for a phrase or a device
// token; a.kc is held.
func (a *App) keychainFailed(err error) {
	var ue *keystore.UnavailableError
	if errors.As(err, &ue) && ue.Reason == keystore.ReasonTimedOut {
		a.keychainHung = err
	}
}
