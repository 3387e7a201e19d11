package app_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"sesame/app"
	"sesame/keystore"
)

func TestValidateServer(t *testing.T) {
	for _, c := range []struct {
		address string
		code    app.Code
	}{
		{"https://auth.example.com", ""},
		{"https://auth.example.com:8443/sesame", ""},
		{"http://127.0.0.1:8080", ""},
		{"http://localhost:8080", ""},
		{"http://[::1]:8080", ""},
		{"http://auth.example.com", "plain_http"},
		{"ftp://auth.example.com", "invalid_server"},
		{"auth.example.com", "invalid_server"},
		{"https://user@auth.example.com", "invalid_server"},
		{"", "invalid_server"},
	} {
		err := app.ValidateServer(c.address)
		if got := app.ErrorCode(err); got != c.code {
			t.Errorf("ValidateServer(%q) = %v, code %q; want %q", c.address, err, got, c.code)
		}
	}
}

func TestDeleteWallet(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	if err := f.app.DeleteWallet(); err != nil {
		t.Fatalf("no wallet: %v", err)
	}
	m, err := f.app.ParsePhrase("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.RestoreWallet(ctx, m, "", "wallet pw 1", "wallet pw 1", false); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(f.dataDir, ".wallet.vault.tmp-123")
	if err := os.WriteFile(stale, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if s, _ := f.app.WalletState(); s != app.WalletUnlocked {
		t.Fatalf("state before %v", s)
	}
	if err := f.app.DeleteWallet(); err != nil {
		t.Fatal(err)
	}
	if s, err := f.app.WalletState(); s != app.WalletNone || err != nil {
		t.Fatalf("state after %v %v", s, err)
	}
	if _, err := f.app.Addresses(); !errors.Is(err, app.ErrWalletLocked) {
		t.Fatalf("addresses after delete: %v", err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the stale temporary file stayed: %v", err)
	}
}

func TestForgetRememberedSignIn(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.register("remembered@example.org", true)
	_, other := f.newApp()
	if got := other.RememberedAccount(ctx); got != "remembered@example.org" {
		t.Fatalf("remembered %q", got)
	}
	if err := other.ForgetRememberedSignIn(ctx); err != nil {
		t.Fatal(err)
	}
	if got := other.RememberedAccount(ctx); got != "" {
		t.Fatalf("still remembered %q", got)
	}
	if _, err := f.kc.RefreshToken(ctx, f.url, "remembered@example.org"); !errors.Is(err, keystore.ErrNotFound) {
		t.Fatalf("the token stayed: %v", err)
	}
	if ok, err := other.Resume(ctx); ok || err != nil {
		t.Fatalf("resumed %v %v", ok, err)
	}
	if err := other.ForgetRememberedSignIn(ctx); err != nil {
		t.Fatalf("nothing to forget: %v", err)
	}
}
