package app

import (
	"context"
	"errors"
	"fmt"

	"sesame/authapi"
	"sesame/keystore"
)

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
	if p, ok := a.phrases[email]; ok {
		return p, nil
	}
	kctx, cancel := a.keychainStep(ctx)
	defer cancel()
	p, err := a.cfg.Keychain.Phrase(kctx, a.Server(), email)
	if err != nil && !errors.Is(err, keystore.ErrNotFound) {
		return "", fmt.Errorf("reading the anti-phishing phrase: %w", err)
	}
	a.knowPhrase(email, p)
	return p, nil
}

// rememberPhrase keeps phrase in the keychain as the anti-phishing phrase of
// email on this server; "" forgets it. A phrase is newly kept only for a
// session signed in with "remember me", the user's consent to keep the
// account on this computer; one kept before is updated or forgotten in any
// session, so that the sign-in screen never shows a stale phrase. A
// keychain that cannot be used keeps nothing, and nothing is written
// anywhere else.
func (a *App) rememberPhrase(ctx context.Context, email, phrase string) {
	email = authapi.NormalizeEmail(email)
	if email == "" {
		return
	}
	a.mu.Lock()
	remembered := a.remember
	a.mu.Unlock()
	a.kc.Lock()
	defer a.kc.Unlock()
	p, known := a.phrases[email]
	if known && p == phrase {
		return
	}
	kctx, cancel := a.keychainStep(ctx)
	defer cancel()
	if !remembered && !known {
		old, err := a.cfg.Keychain.Phrase(kctx, a.Server(), email)
		if errors.Is(err, keystore.ErrNotFound) {
			a.knowPhrase(email, "")
		}
		if err != nil {
			return // none kept (or no keychain): nothing to update
		}
		a.knowPhrase(email, old)
		if old == phrase {
			return
		}
	}
	if !remembered && a.phrases[email] == "" {
		return
	}
	if err := a.cfg.Keychain.SavePhrase(kctx, a.Server(), email, phrase); err != nil {
		delete(a.phrases, email)
		return
	}
	a.knowPhrase(email, phrase)
}

// knowPhrase records that the keychain holds phrase for email; a.kc is held.
func (a *App) knowPhrase(email, phrase string) {
	if a.phrases == nil {
		a.phrases = make(map[string]string)
	}
	a.phrases[email] = phrase
}
