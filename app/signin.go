package app

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"time"

	"sesame/authapi"
	"sesame/keystore"
)

// SignInResult is where a sign-in step ended.
type SignInResult struct {
	// Challenge is set when the account wants its second factor next.
	Challenge *Challenge
	// RememberErr tells why "remember me" could not be kept (the keychain
	// is unavailable); the sign-in itself succeeded.
	RememberErr error
}

// SignedIn reports whether the step ended signed in.
func (r SignInResult) SignedIn() bool { return r.Challenge == nil }

// Challenge is a pending two-factor sign-in.
type Challenge struct {
	ID        string
	ExpiresAt time.Time
	Methods   []string
	// ClockOffset is the server's clock minus this computer's; past
	// ClockSkewLimit either way, authenticator codes are likely refused.
	ClockOffset time.Duration
	email       string
	remember    bool
}

// ClockSkewed reports whether this computer's clock is far enough off the
// server's for two-factor codes to fail.
func (c *Challenge) ClockSkewed() bool {
	return isSkewed(c.ClockOffset)
}

// SignIn is the first step of signing in. It checks the form locally, then
// asks the server; a *Challenge in the result asks for the second factor.
func (a *App) SignIn(ctx context.Context, email, password string, remember bool) (SignInResult, error) {
	if a.Account() != "" {
		return SignInResult{}, ErrSignedIn
	}
	if err := authapi.ValidateEmail(email); err != nil {
		return SignInResult{}, err
	}
	if password == "" {
		return SignInResult{}, fmt.Errorf("signing in: %w", authapi.ErrWeakPassword)
	}
	email = authapi.NormalizeEmail(email)
	sctx, cancel := a.step(ctx)
	defer cancel()
	tok, err := a.client.SignIn(sctx, authapi.CreateSessionRequest{Email: email, Password: password,
		DeviceName: a.deviceName(), DeviceToken: a.deviceToken(ctx, email)})
	var p *authapi.Problem
	if errors.As(err, &p) && p.Code == authapi.CodeTwoFactorRequired {
		ch := &Challenge{ID: p.ChallengeID, Methods: p.Methods, email: email, remember: remember}
		if p.ChallengeExpiresAt != nil {
			ch.ExpiresAt = *p.ChallengeExpiresAt
		}
		ch.ClockOffset, _ = a.client.ClockOffset()
		a.keepAccountPassword(password)
		return SignInResult{Challenge: ch}, nil
	}
	if err != nil {
		return SignInResult{}, fmt.Errorf("signing in: %w", err)
	}
	a.keepAccountPassword(password)
	return a.afterSignIn(ctx, email, remember, tok), nil
}

// CompleteTwoFactor is the second step: code is a 6-digit authenticator code
// or a recovery code (any case, with or without hyphens). trust is "trust
// this computer for TrustDays days": two-factor is not asked again on it
// for that long.
func (a *App) CompleteTwoFactor(ctx context.Context, ch *Challenge, code string, trust bool) (SignInResult, error) {
	if ch == nil {
		return SignInResult{}, ErrStepOrder
	}
	if a.Account() != "" {
		return SignInResult{}, ErrSignedIn
	}
	if !ch.ExpiresAt.IsZero() && time.Now().Add(ch.ClockOffset).After(ch.ExpiresAt) {
		return SignInResult{}, fmt.Errorf("two-factor sign-in: %w", authapi.ErrChallengeExpired)
	}
	req := authapi.TwoFactorSessionRequest{ChallengeID: ch.ID, TrustDevice: trust}
	if err := secondFactor(code, &req.TOTPCode, &req.RecoveryCode); err != nil {
		return SignInResult{}, err
	}
	sctx, cancel := a.step(ctx)
	defer cancel()
	tok, err := a.client.SignInTwoFactor(sctx, req)
	if err != nil {
		return SignInResult{}, fmt.Errorf("signing in: %w", recoveryRefused(err, req.RecoveryCode))
	}
	return a.afterSignIn(ctx, ch.email, ch.remember, tok), nil
}

// recoveryRefused names the server's refusal of a second factor that was
// a recovery code (recovery non-empty) as such: it gets no advice about
// authenticator apps and clocks.
func recoveryRefused(err error, recovery string) error {
	if recovery != "" && errors.Is(err, authapi.ErrInvalidTwoFactorCode) {
		return fmt.Errorf("%w: %w", ErrRecoveryCodeRefused, err)
	}
	return err
}

// secondFactor sorts a typed code into a TOTP code or a recovery code.
func secondFactor(code string, totp, recovery *string) error {
	code = strings.TrimSpace(code)
	if authapi.ValidateCode(code) == nil {
		*totp = code
		return nil
	}
	c, err := authapi.NormalizeRecoveryCode(code)
	if err != nil {
		return err
	}
	*recovery = c
	return nil
}

// afterSignIn is signedIn, then the account takes the language the user
// chose while signed out; a failure leaves it for the next sign-in.
func (a *App) afterSignIn(ctx context.Context, email string, remember bool, tok authapi.Tokens) SignInResult {
	res := a.signedIn(ctx, email, remember, tok)
	_ = a.pushLanguage(ctx)
	return res
}

// signedIn records the session tok, keeps its device token and, when
// asked, its refresh token in the keychain; a keychain failure of the
// refresh token is reported, never hidden, and never answered by writing
// the token anywhere else.
func (a *App) signedIn(ctx context.Context, email string, remember bool, tok authapi.Tokens) SignInResult {
	a.kc.Lock()
	defer a.kc.Unlock()
	a.mu.Lock()
	a.account, a.remember = email, remember
	a.mu.Unlock()
	a.followAccount()
	a.saveDeviceToken(ctx, email, tok.DeviceToken)
	kctx, cancel := a.keychainStep(ctx)
	defer cancel()
	if !remember {
		// A token remembered before must not outlive this choice.
		if err := a.cfg.Keychain.DeleteRefreshToken(kctx, a.Server(), email); err != nil && !errors.Is(err, keystore.ErrNotFound) {
			return SignInResult{RememberErr: err}
		}
		return SignInResult{}
	}
	if err := a.cfg.Keychain.SaveRefreshToken(kctx, a.Server(), email, tok.RefreshToken); err != nil {
		a.mu.Lock()
		a.remember = false
		a.mu.Unlock()
		return SignInResult{RememberErr: err}
	}
	return SignInResult{}
}

// rotated keeps the remembered refresh token current after each rotation.
// It saves the token the client holds now, not the one it was told of, so
// two rotations told out of order still leave the newest in the keychain.
func (a *App) rotated(authapi.Tokens) {
	a.kc.Lock()
	defer a.kc.Unlock()
	a.mu.Lock()
	email, remember := a.account, a.remember
	a.mu.Unlock()
	t, ok := a.client.Tokens()
	if !remember || email == "" || !ok {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*a.cfg.Timeout)
	defer cancel()
	// A failure here leaves the old token, which the next start finds
	// refused; the user then signs in again. Nothing else can be done.
	_ = a.cfg.Keychain.SaveRefreshToken(ctx, a.Server(), email, t.RefreshToken)
}

// checkSession forgets a session the server ended (signed out elsewhere,
// password reset, reuse detected) once the client dropped its tokens: the
// account is cleared and its remembered token deleted. It returns err.
func (a *App) checkSession(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := a.client.Tokens(); ok {
		return err
	}
	a.kc.Lock()
	defer a.kc.Unlock()
	a.mu.Lock()
	email := a.account
	a.account, a.remember, a.accountPw = "", false, nil
	a.mu.Unlock()
	if email != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 2*a.cfg.Timeout)
		defer cancel()
		_ = a.cfg.Keychain.DeleteRefreshToken(ctx, a.Server(), email)
	}
	return err
}

// Resume signs in with the refresh token remembered for this server, if
// any. It reports whether a session was resumed; a remembered token the
// server refuses is deleted.
func (a *App) Resume(ctx context.Context) (bool, error) {
	kctx, cancel := a.keychainStep(ctx)
	defer cancel()
	email, err := a.cfg.Keychain.RememberedAccount(kctx, a.Server())
	if errors.Is(err, keystore.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading the remembered account: %w", err)
	}
	token, err := a.cfg.Keychain.RefreshToken(kctx, a.Server(), email)
	if errors.Is(err, keystore.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading the remembered sign-in: %w", err)
	}
	a.mu.Lock()
	a.account, a.remember, a.accountPw = email, true, nil
	a.mu.Unlock()
	// The rotation runs to its end under the client's own time limit even
	// if ctx ends first: abandoned, it would spend the remembered token
	// without saving its successor.
	if _, err := a.client.Resume(context.WithoutCancel(ctx), token); err != nil {
		a.mu.Lock()
		a.account, a.remember = "", false
		a.mu.Unlock()
		if errors.Is(err, authapi.ErrInvalidRefreshToken) || errors.Is(err, authapi.ErrRefreshTokenReused) {
			if err := a.cfg.Keychain.DeleteRefreshToken(kctx, a.Server(), email); err != nil {
				return false, fmt.Errorf("forgetting a refused sign-in: %w", err)
			}
			return false, nil
		}
		return false, fmt.Errorf("resuming the session: %w", err)
	}
	a.followAccount()
	return true, nil
}

// RememberedAccount returns the email remembered for this server, or "".
func (a *App) RememberedAccount(ctx context.Context) string {
	kctx, cancel := a.keychainStep(ctx)
	defer cancel()
	email, err := a.cfg.Keychain.RememberedAccount(kctx, a.Server())
	if err != nil {
		return ""
	}
	return email
}

// SignOut ends the session on the server and forgets the remembered token.
// The local state is cleared even when the server cannot be reached.
func (a *App) SignOut(ctx context.Context) error {
	a.kc.Lock()
	defer a.kc.Unlock()
	a.mu.Lock()
	email := a.account
	a.account, a.remember, a.accountPw = "", false, nil
	a.mu.Unlock()
	a.LockWallet()
	sctx, cancel := a.step(ctx)
	defer cancel()
	serr := a.client.SignOut(sctx)
	kctx, kcancel := a.keychainStep(ctx)
	defer kcancel()
	var kerr error
	if email != "" {
		if err := a.cfg.Keychain.DeleteRefreshToken(kctx, a.Server(), email); err != nil && !errors.Is(err, keystore.ErrNotFound) {
			kerr = fmt.Errorf("forgetting the remembered sign-in: %w", err)
		}
	}
	if serr != nil && !errors.Is(serr, authapi.ErrUnauthorized) {
		return errors.Join(fmt.Errorf("signing out: %w", serr), kerr)
	}
	return kerr
}

// Quit is the app's last step: a session not remembered is signed out on
// the server, since its refresh token dies with the process and a copy of
// it would stay valid; a remembered one is left for the next start. The
// sign-out is bounded by Config.QuitTimeout, so a dead server does not
// hold the quit, and leaves the keychain alone.
func (a *App) Quit(ctx context.Context) error {
	a.mu.Lock()
	end := a.account != "" && !a.remember
	if end {
		a.account, a.accountPw = "", nil
	}
	a.mu.Unlock()
	a.LockWallet()
	if !end {
		return nil
	}
	qctx, cancel := context.WithTimeout(ctx, a.cfg.QuitTimeout)
	defer cancel()
	if err := a.client.SignOut(qctx); err != nil && !errors.Is(err, authapi.ErrUnauthorized) {
		return fmt.Errorf("signing out at quit: %w", err)
	}
	return nil
}

// checkNewPassword applies the shared password policy and the confirmation.
func checkNewPassword(password, confirm, email string) error {
	if !same(password, confirm) {
		return ErrPasswordsDiffer
	}
	return authapi.CheckPassword(password, email)
}

// same compares a secret with its confirmation in constant time.
func same(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
