package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"sesame/authapi"
)

// CodeCheck is what "type today's code" measured besides the verdict.
type CodeCheck struct {
	// ClockOffset is the server's clock minus this computer's, when
	// OffsetKnown; past ClockSkewLimit either way, codes may be refused.
	ClockOffset time.Duration
	OffsetKnown bool
}

// ClockOff reports whether the offset is past ClockSkewLimit.
func (c CodeCheck) ClockOff() bool {
	return c.OffsetKnown && isSkewed(c.ClockOffset)
}

// CheckAuthenticatorCode checks a code of the account's authenticator
// without signing in anywhere: nil when it is right. A wrong one gives
// authapi.ErrInvalidTwoFactorCode and counts toward the lock as at
// sign-in; a right one is spent. The CodeCheck carries the clock offset
// measured on the way, for a wrong code's explanation.
func (a *App) CheckAuthenticatorCode(ctx context.Context, code string) (CodeCheck, error) {
	code = strings.TrimSpace(code)
	if err := authapi.ValidateCode(code); err != nil {
		return a.codeCheck(), err
	}
	sctx, cancel := a.step(ctx)
	defer cancel()
	err := a.client.CheckTwoFactor(sctx, code)
	if err != nil {
		err = a.checkSession(fmt.Errorf("checking the authenticator code: %w", err))
	}
	return a.codeCheck(), err
}

func (a *App) codeCheck() CodeCheck {
	off, ok := a.client.ClockOffset()
	return CodeCheck{ClockOffset: off, OffsetKnown: ok}
}

// RecoveryCodesStatus is the security centre's line on recovery codes.
type RecoveryCodesStatus struct {
	Left     int
	LastUsed time.Time // zero when none of the current set was used
}

// RecoveryCodes reads how many recovery codes are left and when one was
// last used, from the server.
func (a *App) RecoveryCodes(ctx context.Context) (RecoveryCodesStatus, error) {
	me, err := a.Me(ctx)
	if err != nil {
		return RecoveryCodesStatus{}, err
	}
	s := RecoveryCodesStatus{Left: me.RecoveryCodesLeft}
	if me.RecoveryCodeLastUsed != nil {
		s.LastUsed = *me.RecoveryCodeLastUsed
	}
	return s, nil
}
