package keystore

import (
	"context"
	"fmt"

	"github.com/zalando/go-keyring"
)

// The device tokens that the auth server gives each sign-in (the token of
// this device for an account: it lets this device sign in while failures
// from elsewhere lock the account, and carries "trust this computer") are
// kept under a service of their own, the service name followed by
// " devices", with the user name "<server> <account>", so that
// [Keychain.ForgetDeviceTokens] deletes them all at once.

// SaveDeviceToken keeps the device token of account on server, replacing
// any previous one.
func (k Keychain) SaveDeviceToken(ctx context.Context, server, account, token string) error {
	key, err := accountKey(server, account)
	if err != nil {
		return err
	}
	if token == "" {
		return fmt.Errorf("keystore: save: %w", ErrEmptyToken)
	}
	if err := checkSize(key, token); err != nil {
		return err
	}
	svc := k.deviceService()
	_, err = k.do(ctx, "save", func() (string, error) { return "", keyring.Set(svc, key, token) })
	return err
}

// DeviceToken returns the device token kept for account on server, or an
// error matching [ErrNotFound].
func (k Keychain) DeviceToken(ctx context.Context, server, account string) (string, error) {
	key, err := accountKey(server, account)
	if err != nil {
		return "", err
	}
	svc := k.deviceService()
	return k.do(ctx, "read", func() (string, error) { return keyring.Get(svc, key) })
}

// ForgetDeviceTokens deletes the device tokens of every server and account.
func (k Keychain) ForgetDeviceTokens(ctx context.Context) error {
	svc := k.deviceService()
	_, err := k.do(ctx, "delete", func() (string, error) { return "", keyring.DeleteAll(svc) })
	return err
}

func (k Keychain) deviceService() string { return k.service() + " devices" }
