package keystore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/zalando/go-keyring"
)

// ErrInvalidSecret: a secret's name is empty, longer than 320 bytes or
// holds white space or control characters, or its value is empty.
var ErrInvalidSecret = errors.New("invalid secret name or empty secret")

// Secrets other than refresh tokens (the key of the built-in server's TOTP
// secrets) are kept under a service of their own, the service name
// followed by " secrets", with their name as the user name, so that
// nothing that forgets tokens or phrases reaches them.

// SaveSecret keeps value under name, replacing any previous one.
func (k Keychain) SaveSecret(ctx context.Context, name, value string) error {
	if err := checkName(name); err != nil {
		return err
	}
	if value == "" {
		return fmt.Errorf("keystore: save: %w", ErrInvalidSecret)
	}
	if err := checkSize(name, value); err != nil {
		return err
	}
	svc := k.secretService()
	_, err := k.do(ctx, "save", func() (string, error) { return "", keyring.Set(svc, name, value) })
	return err
}

// Secret returns the value kept under name, or an error matching
// [ErrNotFound].
func (k Keychain) Secret(ctx context.Context, name string) (string, error) {
	if err := checkName(name); err != nil {
		return "", err
	}
	svc := k.secretService()
	return k.do(ctx, "read", func() (string, error) { return keyring.Get(svc, name) })
}

// DeleteSecret removes the value kept under name; deleting what is not
// there is not an error.
func (k Keychain) DeleteSecret(ctx context.Context, name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	svc := k.secretService()
	_, err := k.do(ctx, "delete", func() (string, error) { return "", deleteItem(svc, name) })
	return err
}

func (k Keychain) secretService() string { return k.service() + " secrets" }

func checkName(name string) error {
	if name == "" || len(name) > 320 ||
		strings.IndexFunc(name, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return fmt.Errorf("keystore: %w", ErrInvalidSecret)
	}
	return nil
}
