package app

import (
	"errors"
	"time"

	"sesame/authapi"
	"sesame/check"
)

// Remedy is the action that fixes a failure, offered as a button.
type Remedy int

// The remedies.
const (
	RemedyNone Remedy = iota
	// RemedyResetPassword opens the forgot-password flow.
	RemedyResetPassword
	// RemedyVerifyEmail asks for the mailed code (or a new one).
	RemedyVerifyEmail
	// RemedyNewCode asks for a new mailed code.
	RemedyNewCode
	// RemedyRetry tries again; with Until set, by itself when it comes.
	RemedyRetry
	// RemedyDownload opens DownloadURL.
	RemedyDownload
	// RemedyConnectionCheck runs the connection check.
	RemedyConnectionCheck
	// RemedySignIn goes back to the sign-in screen.
	RemedySignIn
	// RemedyRestoreWallet opens the restore from the recovery phrase.
	RemedyRestoreWallet
)

// Failure is an error of the flows as the screens explain it: Code names
// the message and its fix in the translations ("error.<Code>",
// "remedy.<Code>"), the other fields are the figures they show. It holds
// nothing of the error's text, so no secret can reach the screen through it.
type Failure struct {
	Code   string
	Remedy Remedy
	// AttemptsLeft is set when the server counted a wrong try.
	AttemptsLeft *int
	// Until is when a lock ends, or when to try again after a wait, for
	// a live countdown.
	Until time.Time
	// MaintenanceUntil is the announced end of a maintenance.
	MaintenanceUntil time.Time
	// Reasons says why a new password was refused.
	Reasons []authapi.Reason
	// MinVersion and DownloadURL name the version to install.
	MinVersion, DownloadURL string
	// Message is the server operator's maintenance message.
	Message string
}

// remedies maps codes to their remedy; a code not here has none.
var remedies = map[string]Remedy{
	string(authapi.CodeAccountLocked):         RemedyResetPassword,
	string(authapi.CodePasswordResetRequired): RemedyResetPassword,
	string(authapi.CodeInvalidCredentials):    RemedyResetPassword,
	"wrong_password":                          RemedyResetPassword,
	string(authapi.CodeAccountNotVerified):    RemedyVerifyEmail,
	string(authapi.CodeCodeExpired):           RemedyNewCode,
	string(authapi.CodeClientOutdated):        RemedyDownload,
	string(authapi.CodeMaintenance):           RemedyRetry,
	string(authapi.CodeOverloaded):            RemedyRetry,
	string(authapi.CodeRateLimited):           RemedyRetry,
	string(authapi.CodeInternal):              RemedyRetry,
	string(authapi.CodeChallengeExpired):      RemedySignIn,
	string(authapi.CodeUnauthorized):          RemedySignIn,
	string(authapi.CodeInvalidRefreshToken):   RemedySignIn,
	string(authapi.CodeRefreshTokenReused):    RemedySignIn,
	string(authapi.CodeResetTokenExpired):     RemedyResetPassword,
	string(check.CauseOffline):                RemedyConnectionCheck,
	codeLocalUnreachable:                      RemedyConnectionCheck,
	codeLocalTimeout:                          RemedyConnectionCheck,
	string(check.CauseDNSFailed):              RemedyConnectionCheck,
	string(check.CauseTimeout):                RemedyConnectionCheck,
	string(check.CauseTLSUnknownAuthority):    RemedyConnectionCheck,
	string(check.CauseTLSExpired):             RemedyConnectionCheck,
	string(check.CauseTLSWrongHost):           RemedyConnectionCheck,
	string(check.CauseTLSFailed):              RemedyConnectionCheck,
	string(check.CauseInsecureRedirect):       RemedyConnectionCheck,
	string(check.CauseNetworkFailed):          RemedyConnectionCheck,
	"not_api":                                 RemedyConnectionCheck,
	"wallet_wrong_password":                   RemedyRestoreWallet,
}

// Explain describes err for the screens by its type and code only.
func Explain(err error) Failure {
	f := Failure{Code: ErrorCode(err)}
	f.Remedy = remedies[f.Code]
	var weak *authapi.WeakPasswordError
	if errors.As(err, &weak) {
		f.Reasons = weak.Reasons
	}
	p, ok := authapi.ProblemOf(err)
	if !ok {
		return f
	}
	f.AttemptsLeft, f.MinVersion, f.DownloadURL, f.Message = p.AttemptsLeft, p.MinVersion, p.DownloadURL, p.Message
	if p.Reasons != nil {
		f.Reasons = p.Reasons
	}
	if p.MaintenanceUntil != nil {
		f.MaintenanceUntil = *p.MaintenanceUntil
	}
	if p.LockedUntil != nil {
		f.Until = *p.LockedUntil
	} else if d, ok := authapi.RetryAfter(err); ok {
		f.Until = time.Now().Add(d)
	}
	return f
}
