package app

import (
	"context"
	"fmt"
	"strings"

	"sesame/authapi"
)

// accountLanguages are the languages of an account's mails that the UI's
// languages map to.
var accountLanguages = []string{authapi.DefaultLanguage, "zh-Hans"}

// SetLanguage makes tag, the UI's language ("en", "zh_Hans", or the
// system's locale such as "zh-CN"), the Accept-Language of every request,
// so that a registration's mails are in it, and names this computer in it
// at the next sign-in. It leaves the account as it is.
func (a *App) SetLanguage(tag string) {
	a.client.SetAcceptLanguage(strings.ReplaceAll(tag, "_", "-"))
	language := authapi.MatchLanguage(tag, accountLanguages)
	a.mu.Lock()
	a.language, a.region = language, phoneRegions[language]
	a.mu.Unlock()
}

// SwitchLanguage is SetLanguage for a language the user chose: the
// account's mails follow it, at once when signed in, else at the next
// sign-in. The app's language wins when it changes.
func (a *App) SwitchLanguage(ctx context.Context, tag string) error {
	a.SetLanguage(tag)
	lang := authapi.MatchLanguage(tag, accountLanguages)
	a.mu.Lock()
	a.pendingLanguage = lang
	signedIn := a.account != ""
	a.mu.Unlock()
	if !signedIn {
		return nil
	}
	return a.pushLanguage(ctx)
}

// pushLanguage sets the account's language to the one the user chose
// last, if any is pending.
func (a *App) pushLanguage(ctx context.Context) error {
	a.mu.Lock()
	lang := a.pendingLanguage
	a.mu.Unlock()
	if lang == "" {
		return nil
	}
	sctx, cancel := a.step(ctx)
	defer cancel()
	if err := a.client.SetLanguage(sctx, lang); err != nil {
		return a.checkSession(fmt.Errorf("setting the language of the account's mails: %w", err))
	}
	a.mu.Lock()
	if a.pendingLanguage == lang {
		a.pendingLanguage = ""
	}
	a.mu.Unlock()
	return nil
}
