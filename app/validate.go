package app

import "sesame/authapi"

// The validators the screens share with the app and the server: one pure
// function for each field, so a form's button is enabled exactly when the
// server would accept what it sends.
var (
	// ValidateEmail checks an address's form.
	ValidateEmail = authapi.ValidateEmail
	// ValidateCode checks a mailed or authenticator code: six digits.
	ValidateCode = authapi.ValidateCode
	// ValidateMailedCode checks a reset or support code as typed or
	// pasted: six digits, or the long code a mail brings.
	ValidateMailedCode = func(code string) error {
		_, _, err := authapi.MailedCode(code)
		return err
	}
	// ValidatePhrase checks an anti-phishing phrase.
	ValidatePhrase = authapi.ValidatePhrase
	// CheckPassword applies the password policy; its error is a
	// *WeakPasswordError with the reasons.
	CheckPassword = authapi.CheckPassword
	// Strength scores a new password from 0 (refused) to 4.
	Strength = authapi.Strength
	// NormalizeRecoveryCode checks a two-factor recovery code and returns
	// it in its canonical form.
	NormalizeRecoveryCode = authapi.NormalizeRecoveryCode
	// FormatRecoveryCode groups a recovery code for display.
	FormatRecoveryCode = authapi.FormatRecoveryCode
)

// The types of the API that the screens show, under this package's name.
type (
	// Reason is why the password policy refused a password.
	Reason = authapi.Reason
	// WeakPasswordError lists the Reasons of a refused password.
	WeakPasswordError = authapi.WeakPasswordError
	// Me is the signed-in account.
	Me = authapi.Me
	// Session is one signed-in device.
	Session = authapi.Session
	// ActivityEvent is one sign-in attempt of the account.
	ActivityEvent = authapi.ActivityEvent
	// Device is a device the account signed in on, with its trust.
	Device = authapi.Device
	// Mail is one mail of a local server's outbox.
	Mail = authapi.Mail
)

// TrustDays is how long "trust this computer" skips two-factor.
const TrustDays = authapi.TrustDays

// The reasons a password is refused.
const (
	ReasonTooShort     = authapi.ReasonTooShort
	ReasonTooLong      = authapi.ReasonTooLong
	ReasonCommon       = authapi.ReasonCommon
	ReasonContainsMail = authapi.ReasonContainsMail
	ReasonControlChars = authapi.ReasonControlChars
)

// ValidateSecondFactor checks a second factor as typed: a 6-digit
// authenticator code, or a recovery code in any case, with or without
// hyphens. Its error is the recovery code's.
func ValidateSecondFactor(code string) error {
	var totp, recovery string
	return secondFactor(code, &totp, &recovery)
}
