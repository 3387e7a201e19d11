package app

import (
	"context"
	"errors"
	"fmt"

	"sesame/authapi"
	"sesame/keystore"
)

// The device token of a sign-in is the server's name for this device and
// account: sent with each sign-in of the account, each request for a
// mailed code and its check, and a reset's completion, it lets this device
// sign in while failures from elsewhere lock the account, gets its codes
// while strangers spend the address's caps, and it carries "trust this
// computer". It is kept in
// the keychain only, whether or not "remember me" is ticked (it signs
// nobody in), and a keychain that fails never stops a sign-in: the sign-in
// then goes on without it.

// deviceToken returns the device token kept for email on this server, or
// "" when none is or the keychain cannot tell; a.kc is not held.
func (a *App) deviceToken(ctx context.Context, email string) string {
	a.kc.Lock()
	defer a.kc.Unlock()
	if t, ok := a.devices[email]; ok || a.keychainHung != nil {
		return t
	}
	kctx, cancel := context.WithTimeout(ctx, phraseTimeout)
	defer cancel()
	t, err := a.cfg.Keychain.DeviceToken(kctx, a.Server(), email)
	if err != nil && !errors.Is(err, keystore.ErrNotFound) {
		a.keychainFailed(err)
		return ""
	}
	a.keepDevice(email, t)
	return t
}

// codeRequest is the request for a code mailed (or texted) to email, with
// this device's token of the account.
func (a *App) codeRequest(ctx context.Context, email string) authapi.EmailRequest {
	return authapi.EmailRequest{Email: email, DeviceToken: a.deviceToken(ctx, email)}
}

// saveDeviceToken keeps the device token a sign-in of email answered, if
// it is new; a.kc is held.
func (a *App) saveDeviceToken(ctx context.Context, email, token string) {
	if token == "" || a.devices[email] == token || a.keychainHung != nil {
		return
	}
	kctx, cancel := context.WithTimeout(ctx, phraseTimeout)
	defer cancel()
	if err := a.cfg.Keychain.SaveDeviceToken(kctx, a.Server(), email, token); err != nil {
		delete(a.devices, email)
		a.keychainFailed(err)
		return
	}
	a.keepDevice(email, token)
}

// keepDevice records what the keychain holds for email; a.kc is held.
func (a *App) keepDevice(email, token string) {
	if a.devices == nil {
		a.devices = make(map[string]string)
	}
	a.devices[email] = token
}

// Devices lists the devices the account signed in on, with their trust.
func (a *App) Devices(ctx context.Context) ([]Device, error) {
	sctx, cancel := a.step(ctx)
	defer cancel()
	d, err := a.client.Devices(sctx)
	if err != nil {
		return nil, a.checkSession(fmt.Errorf("listing the devices: %w", err))
	}
	return d, nil
}

// ForgetDevice forgets one device of the account, with the account's
// password: its device token stops working, and with it the device's trust.
// This computer's token, once forgotten, is replaced by the server at the
// next sign-in.
func (a *App) ForgetDevice(ctx context.Context, id, password string) error {
	if password == "" {
		return fmt.Errorf("forgetting the device: %w", authapi.ErrWeakPassword)
	}
	sctx, cancel := a.step(ctx)
	defer cancel()
	if err := a.client.ForgetDevice(sctx, id, password); err != nil {
		return a.checkSession(fmt.Errorf("forgetting the device: %w", recheck(err)))
	}
	return nil
}

// recheck names the failures of a step that re-checks the password or a
// two-factor code outside the sign-in: a wrong password is the signed-in
// account's, and a lock is waited out on the step's screen.
func recheck(err error) error {
	switch {
	case errors.Is(err, authapi.ErrInvalidCredentials):
		return fmt.Errorf("%w: %w", ErrWrongPassword, err)
	case errors.Is(err, authapi.ErrAccountLocked):
		return fmt.Errorf("%w: %w", ErrAttemptsLocked, err)
	}
	return err
}
