package app

import (
	"context"
	"fmt"
	"strings"
	"time"

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

// PhoneChange is the adding of a phone number: [App.AddPhone] texts a
// code to it, [PhoneChange.Verify] binds the number with the code, and
// [PhoneChange.Resend] texts a new one, under the same cooldown as a
// mailed code's.
type PhoneChange struct {
	// Phone is the number as shown.
	Phone string
	// Mailed holds the times of the code texted last (From stays empty).
	Mailed
	a      *App
	number string
	// password re-authenticates a resend; Verify and Forget clear it.
	password string
}

// AddPhone texts a code to number (as typed), which the change's Verify
// then binds to the account; the password re-authenticates the request,
// and a resend.
func (a *App) AddPhone(ctx context.Context, number, password string) (*PhoneChange, error) {
	e164, err := a.ParsePhone(number)
	if err != nil {
		return nil, err
	}
	p := &PhoneChange{Phone: FormatPhone(e164), a: a, number: e164, password: password}
	if err := p.send(ctx); err != nil {
		return nil, err
	}
	return p, nil
}

// Resend texts a new code to the number; only the newest one works.
func (p *PhoneChange) Resend(ctx context.Context) error {
	if p.password == "" {
		return ErrStepOrder // verified or forgotten
	}
	return p.send(ctx)
}

// send asks the server to text a code to the number.
func (p *PhoneChange) send(ctx context.Context) error {
	if p.password == "" {
		return fmt.Errorf("adding a phone number: %w", authapi.ErrWeakPassword)
	}
	sctx, cancel := p.a.step(ctx)
	defer cancel()
	if err := p.a.client.AddPhone(sctx, authapi.PhoneRequest{Phone: p.number, Password: p.password}); err != nil {
		return p.a.checkSession(fmt.Errorf("adding a phone number: %w", recheck(err)))
	}
	p.SentAt = time.Now()
	return nil
}

// Verify binds the number to the account with the code texted last.
func (p *PhoneChange) Verify(ctx context.Context, code string) error {
	if err := p.a.VerifyPhone(ctx, code); err != nil {
		return err
	}
	p.Forget()
	return nil
}

// Forget drops the password kept for a resend.
func (p *PhoneChange) Forget() { p.password = "" }

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
