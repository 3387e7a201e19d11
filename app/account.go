package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"

	"sesame/authapi"
)

// ResendCooldown is how long a flow waits before offering to resend a code.
const ResendCooldown = 60 * time.Second

// CodeLifetime is how long a mailed code lives on the reference server.
const CodeLifetime = 10 * time.Minute

// Mailed tracks a mailed code: when it expires and when it may be resent,
// and the address it comes from.
type Mailed struct {
	SentAt time.Time
	// From is the address the server's mails come from, empty when the
	// server names none or did not answer.
	From string
}

// sent records a code mailed now, and asks the server for its sender once.
func (m *Mailed) sent(ctx context.Context, a *App) {
	m.SentAt = time.Now()
	if m.From == "" {
		m.From = a.mailFrom(ctx)
	}
}

// ExpiresAt is when the mailed code stops working.
func (m Mailed) ExpiresAt() time.Time { return m.SentAt.Add(CodeLifetime) }

// ResendAt is when a new code may be asked for.
func (m Mailed) ResendAt() time.Time { return m.SentAt.Add(ResendCooldown) }

// Registration is the account-creation flow: [App.Register], then
// [Registration.Verify] with the mailed code, which signs in.
type Registration struct {
	Email string
	Mailed
	a        *App
	password string
	// verified is set once the server accepted a code, which spends it.
	verified bool
	// unsure is set when a code was sent but no answer came back (a
	// timeout or a broken connection): the server may have accepted, and
	// so spent, it.
	unsure bool
}

// Register checks the form and asks the server to mail a verification code.
func (a *App) Register(ctx context.Context, email, password, confirm string) (*Registration, error) {
	if err := authapi.ValidateEmail(email); err != nil {
		return nil, err
	}
	email = authapi.NormalizeEmail(email)
	if err := checkNewPassword(password, confirm, email); err != nil {
		return nil, err
	}
	sctx, cancel := a.step(ctx)
	defer cancel()
	if err := a.client.CreateAccount(sctx, authapi.CreateAccountRequest{Email: email, Password: password}); err != nil {
		return nil, fmt.Errorf("creating the account: %w", err)
	}
	r := &Registration{Email: email, a: a, password: password}
	r.sent(ctx, a)
	return r, nil
}

// Resend asks for a new code. It is a registration of its own, whose code
// opens the account with this registration's password only.
func (r *Registration) Resend(ctx context.Context) error {
	if r.password == "" {
		return ErrStepOrder // verified: the password is gone, and no code is needed
	}
	sctx, cancel := r.a.step(ctx)
	defer cancel()
	if err := r.a.client.ResendVerification(sctx, authapi.CreateAccountRequest{Email: r.Email, Password: r.password}); err != nil {
		return fmt.Errorf("resending the code: %w", err)
	}
	r.sent(ctx, r.a)
	return nil
}

// Verify confirms the address with the mailed code and signs in. The
// server spends the code when it accepts it, so once the address is
// confirmed a Verify after a failed sign-in only signs in, whatever code.
// When the last code sent got no answer, Verify first tries to sign in:
// only an account still not verified needs the code.
func (r *Registration) Verify(ctx context.Context, code string, remember bool) (SignInResult, error) {
	if r.unsure && !r.verified {
		res, err := r.signIn(ctx, remember)
		if !errors.Is(err, authapi.ErrAccountNotVerified) {
			return res, err
		}
		r.unsure = false
	}
	if !r.verified {
		err := r.verify(ctx, code)
		r.unsure = errors.Is(err, authapi.ErrTimeout) || errors.Is(err, authapi.ErrNetwork)
		if err != nil {
			return SignInResult{}, err
		}
		r.verified = true
	}
	return r.signIn(ctx, remember)
}

// signIn signs in with the password of the registration; a sign-in proves
// the address verified.
func (r *Registration) signIn(ctx context.Context, remember bool) (SignInResult, error) {
	res, err := r.a.SignIn(ctx, r.Email, r.password, remember)
	if err == nil {
		r.verified, r.password = true, ""
	}
	return res, err
}

// verify confirms the address with the mailed code.
func (r *Registration) verify(ctx context.Context, code string) error {
	code = strings.TrimSpace(code)
	if err := authapi.ValidateCode(code); err != nil {
		return err
	}
	sctx, cancel := r.a.step(ctx)
	defer cancel()
	if err := r.a.client.VerifyAccount(sctx, authapi.VerifyAccountRequest{Email: r.Email, Code: code, Password: r.password}); err != nil {
		return fmt.Errorf("verifying the address: %w", err)
	}
	return nil
}

// PasswordReset is the forgot-password flow: [App.StartPasswordReset], then
// [PasswordReset.Verify] with the mailed code, then [PasswordReset.Complete].
type PasswordReset struct {
	Email string
	Mailed
	// TwoFactorRequired is known after Verify: Complete then needs a code.
	TwoFactorRequired bool
	// BySMS: the live code was asked for by SMS (SendBySMS).
	BySMS bool
	a     *App
	token string
}

// StartPasswordReset asks the server to mail a reset code. The server
// answers alike for every address, so this cannot tell whether the account
// exists.
func (a *App) StartPasswordReset(ctx context.Context, email string) (*PasswordReset, error) {
	if err := authapi.ValidateEmail(email); err != nil {
		return nil, err
	}
	r := &PasswordReset{Email: authapi.NormalizeEmail(email), a: a}
	return r, r.Resend(ctx)
}

// Resend asks for a new reset code.
func (r *PasswordReset) Resend(ctx context.Context) error {
	req := r.a.codeRequest(ctx, r.Email)
	sctx, cancel := r.a.step(ctx)
	defer cancel()
	if err := r.a.client.StartPasswordReset(sctx, req); err != nil {
		return fmt.Errorf("asking for a reset code: %w", err)
	}
	r.sent(ctx, r.a)
	r.BySMS = false
	return nil
}

// Verify checks the mailed code: 6 digits, or a long code typed or pasted
// (authapi.MailedCode).
func (r *PasswordReset) Verify(ctx context.Context, code string) error {
	code, _, err := authapi.MailedCode(code)
	if err != nil {
		return err
	}
	req := authapi.EmailCodeRequest{Email: r.Email, Code: code, DeviceToken: r.a.deviceToken(ctx, r.Email)}
	sctx, cancel := r.a.step(ctx)
	defer cancel()
	v, err := r.a.client.VerifyPasswordReset(sctx, req)
	if err != nil {
		return fmt.Errorf("checking the reset code: %w", err)
	}
	r.token, r.TwoFactorRequired = v.ResetToken, v.TwoFactorRequired
	return nil
}

// Complete sets the new password; secondFactor (an authenticator or a
// recovery code) is needed when TwoFactorRequired, and this device's token
// is sent so that wrong codes count against this device. Every session of
// the account is signed out and every device forgotten by the server,
// which answers a new token for this device: the sign-in that follows is
// then a known device's, which a stranger's wrong passwords do not lock.
func (r *PasswordReset) Complete(ctx context.Context, password, confirm, secondFactorCode string) error {
	if r.token == "" {
		return ErrStepOrder
	}
	if err := checkNewPassword(password, confirm, r.Email); err != nil {
		return err
	}
	req := authapi.ResetCompleteRequest{ResetToken: r.token, NewPassword: password, DeviceToken: r.a.deviceToken(ctx, r.Email),
		DeviceName: r.a.deviceName()}
	if r.TwoFactorRequired {
		if err := secondFactor(secondFactorCode, &req.TOTPCode, &req.RecoveryCode); err != nil {
			return err
		}
	}
	sctx, cancel := r.a.step(ctx)
	defer cancel()
	deviceToken, err := r.a.client.CompletePasswordReset(sctx, req)
	if err != nil {
		return fmt.Errorf("setting the new password: %w", recheck(recoveryRefused(err, req.RecoveryCode)))
	}
	r.token = ""
	r.a.kc.Lock()
	defer r.a.kc.Unlock()
	r.a.saveDeviceToken(ctx, r.Email, deviceToken)
	return nil
}

// Enrolment is a two-factor secret waiting for its first code.
type Enrolment struct {
	// Secret is the base32 key; GroupedSecret shows it in groups of four
	// for typing by hand.
	Secret, GroupedSecret string
	// URI is the otpauth:// URI the QR code holds.
	URI string
	// QR is the QR code as a PNG image.
	QR []byte
}

// StartTwoFactor asks for a new TOTP secret, re-authenticated by the
// account password, and renders its QR code.
func (a *App) StartTwoFactor(ctx context.Context, password string) (*Enrolment, error) {
	if password == "" {
		return nil, fmt.Errorf("starting two-factor sign-in: %w", authapi.ErrWeakPassword)
	}
	sctx, cancel := a.step(ctx)
	defer cancel()
	setup, err := a.client.StartTwoFactor(sctx, password)
	if err != nil {
		return nil, a.checkSession(fmt.Errorf("starting two-factor sign-in: %w", recheck(err)))
	}
	key, err := otp.NewKeyFromURL(setup.OTPAuthURI)
	if err != nil {
		return nil, fmt.Errorf("reading the two-factor key: %w", authapi.ErrNotAPI)
	}
	img, err := key.Image(320, 320)
	if err != nil {
		return nil, a.checkSession(fmt.Errorf("drawing the QR code: %w", err))
	}
	qr, err := encodePNG(img)
	if err != nil {
		return nil, err
	}
	return &Enrolment{Secret: setup.Secret, GroupedSecret: Group(setup.Secret, 4), URI: setup.OTPAuthURI, QR: qr}, nil
}

func encodePNG(img image.Image) ([]byte, error) {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, fmt.Errorf("drawing the QR code: %w", err)
	}
	return b.Bytes(), nil
}

// Group splits s into space-separated groups of n characters.
func Group(s string, n int) string {
	var b strings.Builder
	for i, r := range []rune(s) {
		if i > 0 && i%n == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ConfirmTwoFactor turns two-factor on with the first code of the
// authenticator app and returns the 10 recovery codes, shown once.
func (a *App) ConfirmTwoFactor(ctx context.Context, code string) ([]string, error) {
	code = strings.TrimSpace(code)
	if err := authapi.ValidateCode(code); err != nil {
		return nil, err
	}
	sctx, cancel := a.step(ctx)
	defer cancel()
	codes, err := a.client.ConfirmTwoFactor(sctx, code)
	if err != nil {
		return nil, a.checkSession(fmt.Errorf("confirming two-factor sign-in: %w", err))
	}
	return codes, nil
}

// DisableTwoFactor turns two-factor off with the password and a code.
func (a *App) DisableTwoFactor(ctx context.Context, password, code string) error {
	req := authapi.DisableTwoFactorRequest{Password: password}
	if err := secondFactor(code, &req.TOTPCode, &req.RecoveryCode); err != nil {
		return err
	}
	sctx, cancel := a.step(ctx)
	defer cancel()
	if err := a.client.DisableTwoFactor(sctx, req); err != nil {
		return a.checkSession(fmt.Errorf("turning two-factor sign-in off: %w", recheck(recoveryRefused(err, req.RecoveryCode))))
	}
	return nil
}

// RegenerateRecoveryCodes replaces the recovery codes; the old ones die.
func (a *App) RegenerateRecoveryCodes(ctx context.Context, password, totpCode string) ([]string, error) {
	totpCode = strings.TrimSpace(totpCode)
	if err := authapi.ValidateCode(totpCode); err != nil {
		return nil, err
	}
	sctx, cancel := a.step(ctx)
	defer cancel()
	codes, err := a.client.RegenerateRecoveryCodes(sctx, authapi.RegenerateCodesRequest{Password: password, TOTPCode: totpCode})
	if err != nil {
		return nil, a.checkSession(fmt.Errorf("renewing the recovery codes: %w", recheck(err)))
	}
	return codes, nil
}

// ChangePassword changes the account password; the server signs out every
// other session.
func (a *App) ChangePassword(ctx context.Context, current, password, confirm string) error {
	if err := checkNewPassword(password, confirm, a.Account()); err != nil {
		return err
	}
	sctx, cancel := a.step(ctx)
	defer cancel()
	if err := a.client.ChangePassword(sctx, authapi.ChangePasswordRequest{CurrentPassword: current, NewPassword: password}); err != nil {
		return a.checkSession(fmt.Errorf("changing the password: %w", recheck(err)))
	}
	a.keepAccountPassword(password)
	return nil
}

// SetAntiPhishingPhrase sets the phrase every mail of the server will show,
// re-authenticated by the account password, and remembers it on this
// computer for the sign-in screen.
func (a *App) SetAntiPhishingPhrase(ctx context.Context, phrase, password string) error {
	if err := authapi.ValidatePhrase(phrase); err != nil {
		return err
	}
	if password == "" {
		return fmt.Errorf("setting the anti-phishing phrase: %w", authapi.ErrWeakPassword)
	}
	sctx, cancel := a.step(ctx)
	defer cancel()
	if err := a.client.SetAntiPhishingPhrase(sctx, authapi.AntiPhishingRequest{Phrase: phrase, Password: password}); err != nil {
		return a.checkSession(fmt.Errorf("setting the anti-phishing phrase: %w", recheck(err)))
	}
	a.rememberPhrase(ctx, a.Account(), phrase)
	return nil
}

// Me returns the account's details, and remembers its anti-phishing phrase
// on this computer for the sign-in screen.
func (a *App) Me(ctx context.Context) (*authapi.Me, error) {
	sctx, cancel := a.step(ctx)
	defer cancel()
	me, err := a.client.Me(sctx)
	if err != nil {
		return nil, a.checkSession(fmt.Errorf("reading the account: %w", err))
	}
	a.rememberPhrase(ctx, me.Email, me.AntiPhishingPhrase)
	return me, nil
}

// Sessions lists the account's signed-in devices.
func (a *App) Sessions(ctx context.Context) ([]authapi.Session, error) {
	sctx, cancel := a.step(ctx)
	defer cancel()
	s, err := a.client.Sessions(sctx)
	if err != nil {
		return nil, a.checkSession(fmt.Errorf("listing the sessions: %w", err))
	}
	return s, nil
}

// RevokeSession signs one device out.
func (a *App) RevokeSession(ctx context.Context, id string) error {
	sctx, cancel := a.step(ctx)
	defer cancel()
	if err := a.client.RevokeSession(sctx, id); err != nil {
		return a.checkSession(fmt.Errorf("signing the device out: %w", err))
	}
	return nil
}

// RevokeOtherSessions signs every other device out: the first step of
// "this wasn't me", before changing the password.
func (a *App) RevokeOtherSessions(ctx context.Context) error {
	sctx, cancel := a.step(ctx)
	defer cancel()
	if err := a.client.RevokeOtherSessions(sctx); err != nil {
		return a.checkSession(fmt.Errorf("signing the other devices out: %w", err))
	}
	return nil
}

// Activity lists recent sign-in events, newest first.
func (a *App) Activity(ctx context.Context, limit int) ([]authapi.ActivityEvent, error) {
	sctx, cancel := a.step(ctx)
	defer cancel()
	ev, err := a.client.Activity(sctx, limit)
	if err != nil {
		return nil, a.checkSession(fmt.Errorf("reading the sign-in activity: %w", err))
	}
	return ev, nil
}

// PendingRegistration continues the activation of an account that exists
// but is not verified yet (a sign-in answered account_not_verified): its
// Resend mails a new code and its Verify signs in with password. SentAt is
// zero: no code was sent by this step.
func (a *App) PendingRegistration(email, password string) *Registration {
	return &Registration{Email: authapi.NormalizeEmail(email), a: a, password: password}
}
