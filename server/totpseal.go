package server

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"sesame/server/store"
)

// TOTPKeySize is the length of [Config.TOTPKey]: an AES-256 key.
const TOTPKeySize = 32

// sealedPrefix starts every sealed TOTP secret in the store. Version 1 is
// "v1:" and then base64url without padding of the 12-byte GCM nonce, the
// AES-256-GCM ciphertext of the secret and the 16-byte tag, with the
// account ID as additional data. Base32 secrets never hold ':', so a plain
// secret never looks sealed.
const sealedPrefix = "v1:"

// ErrTOTPSecret reports a stored TOTP secret that does not open: sealed
// under another key, changed in the store, moved to another account, or
// plain where a key is set. No code is accepted against it. Its message
// holds no secret.
var ErrTOTPSecret = errors.New("server: a stored TOTP secret does not open")

// ErrTOTPKeyMismatch stops [New] when its TOTP key does not open the
// secrets sealed in the store (another deployment's key, a regenerated
// one), which would fail every two-factor sign-in. Its message holds no
// secret and no key.
var ErrTOTPKeyMismatch = errors.New("server: the TOTP key does not open the database's two-factor secrets")

// NewTOTPKey makes a random key for [Config.TOTPKey].
func NewTOTPKey() []byte {
	k := make([]byte, TOTPKeySize)
	if _, err := rand.Read(k); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return k
}

// EncodeTOTPKey is the text form of a key: standard base64, 44 characters.
func EncodeTOTPKey(key []byte) string { return base64.StdEncoding.EncodeToString(key) }

// ParseTOTPKey reads the text form of a key, white space around it
// ignored. Its errors never quote the text.
func ParseTOTPKey(text string) ([]byte, error) {
	k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(text))
	if err != nil || len(k) != TOTPKeySize {
		return nil, fmt.Errorf("server: a TOTP key is %d bytes in standard base64 (44 characters, as `sesame-authd genkey` prints)", TOTPKeySize)
	}
	return k, nil
}

// sealer seals TOTP secrets for the store and opens them again; without
// an AEAD (the development mode of Config.PlainTOTPSecrets) it keeps them
// plain.
type sealer struct{ aead cipher.AEAD }

func newSealer(key []byte) (sealer, error) {
	if len(key) == 0 {
		return sealer{}, nil
	}
	if len(key) != TOTPKeySize {
		return sealer{}, fmt.Errorf("server: the TOTP key must be %d bytes, not %d", TOTPKeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return sealer{}, err
	}
	aead, err := cipher.NewGCM(block)
	return sealer{aead}, err
}

// seal is the stored form of secret for accountID.
func (s sealer) seal(accountID, secret string) (string, error) {
	if s.aead == nil {
		return secret, nil
	}
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	sealed := s.aead.Seal(nonce, nonce, []byte(secret), []byte(accountID))
	return sealedPrefix + base64.RawURLEncoding.EncodeToString(sealed), nil
}

// open is the secret of accountID stored as stored, or ErrTOTPSecret.
func (s sealer) open(accountID, stored string) (string, error) {
	body, sealed := strings.CutPrefix(stored, sealedPrefix)
	switch {
	case s.aead == nil && !sealed:
		return stored, nil
	case s.aead == nil:
		return "", fmt.Errorf("%w: it is sealed and the server has no key", ErrTOTPSecret)
	case !sealed:
		return "", fmt.Errorf("%w: it is not sealed", ErrTOTPSecret)
	}
	b, err := base64.RawURLEncoding.DecodeString(body)
	n := s.aead.NonceSize()
	if err != nil || len(b) < n+s.aead.Overhead() {
		return "", fmt.Errorf("%w: it is malformed", ErrTOTPSecret)
	}
	plain, err := s.aead.Open(nil, b[:n], b[n:], []byte(accountID))
	if err != nil {
		return "", fmt.Errorf("%w: the key is wrong or the value was changed", ErrTOTPSecret)
	}
	return string(plain), nil
}

// sealPlainSecrets seals the plain TOTP secrets the store still holds,
// from before the server had a key.
func (s *Server) sealPlainSecrets(ctx context.Context) error {
	if s.totp.aead == nil {
		return nil
	}
	n, err := s.cfg.Store.RewriteTOTPSecrets(ctx, sealedPrefix, s.totp.seal)
	if errors.Is(err, store.ErrOldValuesKept) {
		// Sealed, but the plain values may stay on disk for a while.
		s.log.Warn("the plain TOTP secrets are sealed, but their old values may stay in the database's files for a while", "count", n, "err", err)
		err = nil
	}
	if err != nil {
		return fmt.Errorf("server: sealing the plain TOTP secrets: %w", err)
	}
	if n > 0 {
		s.log.Info("sealed the plain TOTP secrets of the database", "count", n)
	}
	return nil
}

// checkTOTPKey opens one sealed secret of the store with the key. One that
// does not open fails with ErrTOTPKeyMismatch, or only warns when
// Config.TOTPKeyReplaced says the key that sealed it is lost.
func (s *Server) checkTOTPKey(ctx context.Context) error {
	id, stored, err := s.cfg.Store.SealedTOTPSecret(ctx, sealedPrefix)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("server: reading a TOTP secret to check the key: %w", err)
	}
	if _, err := s.totp.open(id, stored); err == nil {
		return nil
	}
	if s.cfg.TOTPKeyReplaced {
		s.log.Warn("the TOTP key replaces a lost one and does not open the two-factor secrets sealed with it: their codes are refused, recovery codes still sign in")
		return nil
	}
	if s.totp.aead == nil {
		return fmt.Errorf("%w: they are sealed, and the server runs without a key", ErrTOTPKeyMismatch)
	}
	return fmt.Errorf("%w (they were sealed under another key, or the secret of account %s was changed); give the server the key that sealed them", ErrTOTPKeyMismatch, id)
}
