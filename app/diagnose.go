package app

import (
	"context"

	"sesame/check"
)

// CheckConfig is the connection check (package check) of this app's
// server and keychain, for an app of the given version. When signed in it
// asks the server whether the account uses two-factor (within one step's
// time), which decides whether a clock that is off blocks signing in;
// otherwise that is not known.
func (a *App) CheckConfig(ctx context.Context, version string) check.Config {
	cfg := check.Config{Server: a.Server(), Version: version, Keychain: a.cfg.Keychain}
	if a.Account() == "" {
		return cfg
	}
	ctx, cancel := context.WithTimeout(ctx, check.DefaultStepTimeout)
	defer cancel()
	if me, err := a.Me(ctx); err == nil {
		cfg.TwoFactor = check.TwoFactorOff
		if me.TwoFactorEnabled {
			cfg.TwoFactor = check.TwoFactorOn
		}
	}
	return cfg
}
