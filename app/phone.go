package app

import (
	"context"
	"fmt"
	"strings"

	"sesame/authapi"
)

// The reasons a phone number as typed is refused.
var (
	ErrPhoneCountry   = authapi.ErrPhoneCountry
	ErrPhoneInvalid   = authapi.ErrPhoneInvalid
	ErrPhoneNotMobile = authapi.ErrPhoneNotMobile
)

// phoneRegions are the regions a number typed without its country code is
// read in, by the app's language; a language not here needs the +.
var phoneRegions = map[string]string{"zh-Hans": "CN"}

// ParsePhone reads a phone number as typed, in E.164; a number without +
// is of the region of the app's language (zh: China). The screen's
// validator, AddPhone and the server share its checks.
func (a *App) ParsePhone(number string) (string, error) {
	a.mu.Lock()
	region := a.region
	a.mu.Unlock()
	return authapi.ParsePhone(number, region)
}

// FormatPhone shows an E.164 number the way of its country: +86 138 0013
// 8000.
var FormatPhone = authapi.FormatPhone

// AddPhone texts a code to number (as typed), which VerifyPhone then binds
// to the account; the password re-authenticates the request. It returns
// the number as shown.
func (a *App) AddPhone(ctx context.Context, number, password string) (string, error) {
	e164, err := a.ParsePhone(number)
	if err != nil {
		return "", err
	}
	if password == "" {
		return "", fmt.Errorf("adding a phone number: %w", authapi.ErrWeakPassword)
	}
	sctx, cancel := a.step(ctx)
	defer cancel()
	if err := a.client.AddPhone(sctx, authapi.PhoneRequest{Phone: e164, Password: password}); err != nil {
		return "", a.checkSession(fmt.Errorf("adding a phone number: %w", recheck(err)))
	}
	return FormatPhone(e164), nil
}

// VerifyPhone binds the number AddPhone texted code to to the account, in
// place of its number before.
func (a *App) VerifyPhone(ctx context.Context, code string) error {
	code = strings.TrimSpace(code)
	if err := authapi.ValidateCode(code); err != nil {
		return err
	}
	sctx, cancel := a.step(ctx)
	defer cancel()
	if err := a.client.VerifyPhone(sctx, code); err != nil {
		return a.checkSession(fmt.Errorf("verifying the phone number: %w", err))
	}
	return nil
}

// RemovePhone removes the account's phone number, with its password.
func (a *App) RemovePhone(ctx context.Context, password string) error {
	if password == "" {
		return fmt.Errorf("removing the phone number: %w", authapi.ErrWeakPassword)
	}
	sctx, cancel := a.step(ctx)
	defer cancel()
	if err := a.client.RemovePhone(sctx, password); err != nil {
		return a.checkSession(fmt.Errorf("removing the phone number: %w", recheck(err)))
	}
	return nil
}

// SendBySMS asks for a new reset code by SMS to the phone number of the
// account, for when the mail does not arrive; an account without one gets
// it by mail. The codes mailed before still work. The server answers
// alike for every address.
func (r *PasswordReset) SendBySMS(ctx context.Context) error {
	req := r.a.codeRequest(ctx, r.Email)
	sctx, cancel := r.a.step(ctx)
	defer cancel()
	if err := r.a.client.StartPasswordResetSMS(sctx, req); err != nil {
		return fmt.Errorf("asking for a reset code by SMS: %w", err)
	}
	r.sent(ctx, r.a)
	r.BySMS = true
	return nil
}
