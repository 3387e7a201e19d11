package app_test

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"sesame/app"
	"sesame/keystore"
)

// memKeychain is an app.Keychain in memory, one per test, with the
// semantics of keystore.Keychain: items by server and account (in lower
// case), a remembered account per server, keystore.ErrNotFound for an item
// that is not there. While broken is set every call fails with it, as an
// OS keychain that cannot be used. keystore's own tests use the real one.
type memKeychain struct {
	mu         sync.Mutex
	items      map[string]string
	remembered map[string]string // by server
	broken     error
}

var _ app.Keychain = (*memKeychain)(nil)

func newMemKeychain() *memKeychain {
	return &memKeychain{items: map[string]string{}, remembered: map[string]string{}}
}

// breakWith makes every call fail with err; nil mends the keychain, empty.
func (k *memKeychain) breakWith(err error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.broken = err
	if err == nil {
		clear(k.items)
		clear(k.remembered)
	}
}

// The kinds of item, as keystore keeps them under services of their own.
const (
	kindToken  = "refresh-token"
	kindPhrase = "anti-phishing"
	kindDevice = "device"
)

func itemKey(kind, server, account string) string {
	return kind + " " + server + " " + strings.ToLower(account)
}

// locked runs f under the lock, unless the keychain is broken.
func (k *memKeychain) locked(f func() error) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.broken != nil {
		return k.broken
	}
	return f()
}

func (k *memKeychain) set(kind, server, account, value string) error {
	if value == "" {
		return fmt.Errorf("memKeychain: save: %w", keystore.ErrEmptyToken)
	}
	return k.locked(func() error {
		k.items[itemKey(kind, server, account)] = value
		return nil
	})
}

func (k *memKeychain) get(kind, server, account string) (string, error) {
	var v string
	err := k.locked(func() error {
		var ok bool
		if v, ok = k.items[itemKey(kind, server, account)]; !ok {
			return fmt.Errorf("memKeychain: read: %w", keystore.ErrNotFound)
		}
		return nil
	})
	return v, err
}

// forget deletes every item of kind.
func (k *memKeychain) forget(kind string) error {
	return k.locked(func() error {
		for key := range k.items {
			if strings.HasPrefix(key, kind+" ") {
				delete(k.items, key)
			}
		}
		return nil
	})
}

func (k *memKeychain) SaveRefreshToken(_ context.Context, server, account, token string) error {
	if err := k.set(kindToken, server, account, token); err != nil {
		return err
	}
	return k.locked(func() error {
		k.remembered[server] = account
		return nil
	})
}

func (k *memKeychain) RefreshToken(_ context.Context, server, account string) (string, error) {
	return k.get(kindToken, server, account)
}

func (k *memKeychain) RememberedAccount(_ context.Context, server string) (string, error) {
	var a string
	err := k.locked(func() error {
		var ok bool
		if a, ok = k.remembered[server]; !ok {
			return fmt.Errorf("memKeychain: read: %w", keystore.ErrNotFound)
		}
		return nil
	})
	return a, err
}

func (k *memKeychain) DeleteRefreshToken(_ context.Context, server, account string) error {
	return k.locked(func() error {
		delete(k.items, itemKey(kindToken, server, account))
		if strings.EqualFold(k.remembered[server], account) {
			delete(k.remembered, server)
		}
		return nil
	})
}

func (k *memKeychain) SavePhrase(_ context.Context, server, account, phrase string) error {
	if phrase == "" {
		return k.locked(func() error {
			delete(k.items, itemKey(kindPhrase, server, account))
			return nil
		})
	}
	return k.set(kindPhrase, server, account, phrase)
}

func (k *memKeychain) Phrase(_ context.Context, server, account string) (string, error) {
	return k.get(kindPhrase, server, account)
}

func (k *memKeychain) ForgetPhrases(context.Context) error { return k.forget(kindPhrase) }

func (k *memKeychain) SaveDeviceToken(_ context.Context, server, account, token string) error {
	return k.set(kindDevice, server, account, token)
}

func (k *memKeychain) DeviceToken(_ context.Context, server, account string) (string, error) {
	return k.get(kindDevice, server, account)
}

func (k *memKeychain) ForgetDeviceTokens(context.Context) error { return k.forget(kindDevice) }

func (k *memKeychain) Check(context.Context) error { return k.locked(func() error { return nil }) }
