package server

import (
	"crypto/subtle"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TOTP is RFC 6238 with SHA-1, 6 digits and 30-second steps; a code of the
// step before or after the current one is accepted too.
const totpPeriod = 30

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// matchTOTP finds the step within ±1 of now whose code is code. Every
// candidate is computed and compared in constant time.
func matchTOTP(secret, code string, now time.Time) (int64, bool) {
	cur := now.Unix() / totpPeriod
	var step int64
	found := 0
	for _, s := range []int64{cur - 1, cur, cur + 1} {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*totpPeriod, 0), totpOpts)
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			step, found = s, 1
		}
	}
	return step, found == 1
}

// newTOTPKey makes a fresh 160-bit secret for account.
func newTOTPKey(issuer, account string) (*otp.Key, error) {
	return totp.Generate(totp.GenerateOpts{
		Issuer: issuer, AccountName: account, Period: totpPeriod,
		SecretSize: 20, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1,
	})
}
