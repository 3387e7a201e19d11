package app

// Failures as the screens and the report see them: each error of the flows
// has a [Code] ([ErrorCode]), each code its texts in the translations and
// maybe a [Remedy], and [Explain] gives the screens both with the figures.

import (
	"context"
	"errors"
	"maps"
	"net"
	"slices"
	"time"

	"sesame/authapi"
	"sesame/check"
	"sesame/keystore"
	"sesame/recovery"
	"sesame/wallet"
	"sesame/wallet/keyfile"
)

// Code names a failure: its texts in the translations are "error.<code>"
// and "remedy.<code>"; a code that comes from the server is the wire's
// problem code, one that comes from the connection check its cause.
type Code string

// The codes of this package's failures and of the packages it uses.
const (
	// CodeOther is any error no code names.
	CodeOther Code = "other"
	// CodeAPIProblem is a problem whose code this app does not know.
	CodeAPIProblem Code = "api_problem"

	CodeLocalServerFailed    Code = "local_server_failed"   // ErrLocalServer
	CodeLocalServerKeychain  Code = "local_server_keychain" // ErrLocalServer for want of the keychain
	CodeLocalUnreachable     Code = "local_unreachable"     // a server on this computer refuses the connection
	CodeLocalTimeout         Code = "local_timeout"         // a server on this computer never answers
	CodeWrongPassword        Code = "wrong_password"        // ErrWrongPassword
	CodeAttemptsLocked       Code = "attempts_locked"       // ErrAttemptsLocked
	CodeRecoveryCodeRefused  Code = "recovery_code_refused" // ErrRecoveryCodeRefused
	CodeNotSignedIn          Code = "not_signed_in"         // ErrNotSignedIn
	CodeSignedIn             Code = "signed_in"             // ErrSignedIn
	CodePasswordsDiffer      Code = "passwords_differ"      // ErrPasswordsDiffer
	CodeStepOrder            Code = "step_order"            // ErrStepOrder
	CodeFingerprintMismatch  Code = "fingerprint_mismatch"  // ErrFingerprintMismatch
	CodeKeyHere              Code = "key_here"              // ErrKeyHere
	CodeNoAccount            Code = "no_account"            // ErrNoAccount
	CodeNoWallet             Code = "no_wallet"             // ErrNoWallet
	CodeWalletExists         Code = "wallet_exists"         // ErrWalletExists
	CodeWalletLocked         Code = "wallet_locked"         // ErrWalletLocked
	CodeQuizNotPassed        Code = "quiz_not_passed"       // ErrQuizNotPassed
	CodeNotAPI               Code = "not_api"               // authapi.ErrNotAPI
	CodeNoSession            Code = "no_session"            // authapi.ErrNoSession
	CodeInvalidRecoveryCode  Code = "invalid_recovery_code" // authapi.ErrInvalidRecoveryCode
	CodePhoneCountry         Code = "phone_country"         // authapi.ErrPhoneCountry
	CodePhoneInvalid         Code = "phone_invalid"         // authapi.ErrPhoneInvalid
	CodePhoneNotMobile       Code = "phone_not_mobile"      // authapi.ErrPhoneNotMobile
	CodeKeychainNotFound     Code = "keychain_not_found"    // keystore.ErrNotFound
	CodeKeychainTooLarge     Code = "keychain_too_large"    // keystore.ErrTooLarge
	CodeWalletWrongPassword  Code = "wallet_wrong_password" // keystore.ErrWrongPasswordOrCorrupt
	CodeWalletPasswordEmpty  Code = "wallet_password_empty" // keystore.ErrEmptyPassword
	CodePhraseEmpty          Code = "phrase_empty"          // recovery.ErrEmpty
	CodePhraseUnknownWord    Code = "phrase_unknown_word"   // recovery.ErrUnknownWord
	CodePhraseWordCount      Code = "phrase_word_count"     // recovery.ErrWordCount
	CodePhraseChecksum       Code = "phrase_checksum"       // recovery.ErrChecksum
	CodePhraseMixedLanguages Code = "phrase_mixed_languages"
	CodeQuizWrong            Code = "quiz_wrong"             // recovery.ErrQuizWrong
	CodeFingerprintInvalid   Code = "fingerprint_invalid"    // wallet.ErrFingerprint
	CodeKeyfileWrongPassword Code = "keyfile_wrong_password" // keyfile.ErrMAC
	CodeKeyfileInvalid       Code = "keyfile_invalid"        // a malformed key file
	CodeKeyfileUnsupported   Code = "keyfile_unsupported"    // a key file of a KDF or cipher not supported
	CodeKeyfilePasswordEmpty Code = "keyfile_password_empty" // keyfile.ErrEmptyPassword

	// The server's problem codes this app names.
	CodeInvalidEmail          = Code(authapi.CodeInvalidEmail)
	CodeWeakPassword          = Code(authapi.CodeWeakPassword)
	CodeInvalidPhrase         = Code(authapi.CodeInvalidPhrase)
	CodeInvalidCode           = Code(authapi.CodeInvalidCode)
	CodeCodeExpired           = Code(authapi.CodeCodeExpired)
	CodeInvalidCredentials    = Code(authapi.CodeInvalidCredentials)
	CodeAccountLocked         = Code(authapi.CodeAccountLocked)
	CodeAccountNotVerified    = Code(authapi.CodeAccountNotVerified)
	CodePasswordResetRequired = Code(authapi.CodePasswordResetRequired)
	CodeInvalidTwoFactorCode  = Code(authapi.CodeInvalidTwoFactorCode)
	CodeChallengeExpired      = Code(authapi.CodeChallengeExpired)
	CodeInvalidRefreshToken   = Code(authapi.CodeInvalidRefreshToken)
	CodeRefreshTokenReused    = Code(authapi.CodeRefreshTokenReused)
	CodeUnauthorized          = Code(authapi.CodeUnauthorized)
	CodeResetTokenExpired     = Code(authapi.CodeResetTokenExpired)
	CodeTwoFactorNotPending   = Code(authapi.CodeTwoFactorNotPending)
	CodeSecretInRequest       = Code(authapi.CodeSecretInRequest)
	CodeRateLimited           = Code(authapi.CodeRateLimited)
	CodeMaintenance           = Code(authapi.CodeMaintenance)
	CodeOverloaded            = Code(authapi.CodeOverloaded)
	CodeClientOutdated        = Code(authapi.CodeClientOutdated)
	CodeInternal              = Code(authapi.CodeInternal)

	// The connection check's causes this app names.
	CodeCanceled            = Code(check.CauseCanceled)
	CodeTimeout             = Code(check.CauseTimeout)
	CodeOffline             = Code(check.CauseOffline)
	CodeDNSFailed           = Code(check.CauseDNSFailed)
	CodeInvalidServer       = Code(check.CauseInvalidServer)
	CodePlainHTTP           = Code(check.CausePlainHTTP)
	CodeTLSUnknownAuthority = Code(check.CauseTLSUnknownAuthority)
	CodeTLSExpired          = Code(check.CauseTLSExpired)
	CodeTLSWrongHost        = Code(check.CauseTLSWrongHost)
	CodeTLSFailed           = Code(check.CauseTLSFailed)
	CodeInsecureRedirect    = Code(check.CauseInsecureRedirect)
	CodeNetworkFailed       = Code(check.CauseNetworkFailed)
	CodeKeychainFailed      = Code(check.CauseKeychainFailed)
)

// keychainCodes are the codes of keychain failures: the keychain step's
// causes (Secret Service and Credential Manager) and the keystore's own.
var keychainCodes = func() map[Code]bool {
	m := map[Code]bool{CodeKeychainNotFound: true, CodeKeychainTooLarge: true}
	def, _ := check.Lookup(check.StepKeychain)
	for _, c := range def.Causes {
		m[Code(c)] = true
	}
	return m
}()

// Keychain reports whether c names a failure of the OS keychain.
func (c Code) Keychain() bool { return keychainCodes[c] }

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

// remedies maps codes to their remedy; a code not here has none.
var remedies = map[Code]Remedy{
	CodeAccountLocked:         RemedyResetPassword,
	CodePasswordResetRequired: RemedyResetPassword,
	CodeInvalidCredentials:    RemedyResetPassword,
	CodeWrongPassword:         RemedyResetPassword,
	CodeResetTokenExpired:     RemedyResetPassword,
	CodeAccountNotVerified:    RemedyVerifyEmail,
	CodeCodeExpired:           RemedyNewCode,
	CodeClientOutdated:        RemedyDownload,
	CodeMaintenance:           RemedyRetry,
	CodeOverloaded:            RemedyRetry,
	CodeRateLimited:           RemedyRetry,
	CodeInternal:              RemedyRetry,
	CodeChallengeExpired:      RemedySignIn,
	CodeUnauthorized:          RemedySignIn,
	CodeInvalidRefreshToken:   RemedySignIn,
	CodeRefreshTokenReused:    RemedySignIn,
	CodeOffline:               RemedyConnectionCheck,
	CodeLocalUnreachable:      RemedyConnectionCheck,
	CodeLocalTimeout:          RemedyConnectionCheck,
	CodeDNSFailed:             RemedyConnectionCheck,
	CodeTimeout:               RemedyConnectionCheck,
	CodeTLSUnknownAuthority:   RemedyConnectionCheck,
	CodeTLSExpired:            RemedyConnectionCheck,
	CodeTLSWrongHost:          RemedyConnectionCheck,
	CodeTLSFailed:             RemedyConnectionCheck,
	CodeInsecureRedirect:      RemedyConnectionCheck,
	CodeNetworkFailed:         RemedyConnectionCheck,
	CodeNotAPI:                RemedyConnectionCheck,
	CodeWalletWrongPassword:   RemedyRestoreWallet,
}

// recheckCodes name a problem in a step's own words: a step that re-checks
// the password or a two-factor code outside the sign-in (see recheck), a
// refused recovery code (see recoveryRefused). They come before the
// problem's own code.
var recheckCodes = []struct {
	err  error
	code Code
}{
	{ErrWrongPassword, CodeWrongPassword},
	{ErrAttemptsLocked, CodeAttemptsLocked},
	{ErrRecoveryCodeRefused, CodeRecoveryCodeRefused},
}

// errorCodes names the sentinels of the packages app uses, first match
// wins; each sentinel is here once.
var errorCodes = []struct {
	err  error
	code Code
}{
	{context.Canceled, CodeCanceled},
	{context.DeadlineExceeded, CodeTimeout},
	{authapi.ErrOffline, CodeOffline},
	{authapi.ErrDNS, CodeDNSFailed},
	{authapi.ErrTimeout, CodeTimeout},
	{authapi.ErrNotAPI, CodeNotAPI},
	{authapi.ErrInsecureRedirect, CodeInsecureRedirect},
	{authapi.ErrNetwork, CodeNetworkFailed},
	{authapi.ErrNoSession, CodeNoSession},
	{authapi.ErrInvalidBaseURL, CodeInvalidServer},
	{authapi.ErrPlainHTTP, CodePlainHTTP},
	{authapi.ErrInvalidEmail, CodeInvalidEmail},
	{authapi.ErrWeakPassword, CodeWeakPassword},
	{authapi.ErrInvalidCode, CodeInvalidCode},
	{authapi.ErrInvalidPhrase, CodeInvalidPhrase},
	{authapi.ErrInvalidRecoveryCode, CodeInvalidRecoveryCode},
	{authapi.ErrPhoneCountry, CodePhoneCountry},
	{authapi.ErrPhoneInvalid, CodePhoneInvalid},
	{authapi.ErrPhoneNotMobile, CodePhoneNotMobile},
	{keystore.ErrNotFound, CodeKeychainNotFound},
	{keystore.ErrTooLarge, CodeKeychainTooLarge},
	{keystore.ErrWrongPasswordOrCorrupt, CodeWalletWrongPassword},
	{keystore.ErrEmptyPassword, CodeWalletPasswordEmpty},
	{recovery.ErrEmpty, CodePhraseEmpty},
	{recovery.ErrUnknownWord, CodePhraseUnknownWord},
	{recovery.ErrWordCount, CodePhraseWordCount},
	{recovery.ErrChecksum, CodePhraseChecksum},
	{recovery.ErrMixedLanguages, CodePhraseMixedLanguages},
	{recovery.ErrQuizWrong, CodeQuizWrong},
	{recovery.ErrSecret, CodeSecretInRequest},
	{ErrNotSignedIn, CodeNotSignedIn},
	{ErrSignedIn, CodeSignedIn},
	{ErrPasswordsDiffer, CodePasswordsDiffer},
	{ErrStepOrder, CodeStepOrder},
	{ErrFingerprintMismatch, CodeFingerprintMismatch},
	{keyfile.ErrMAC, CodeKeyfileWrongPassword},
	{keyfile.ErrMalformed, CodeKeyfileInvalid},
	{keyfile.ErrVersion, CodeKeyfileInvalid},
	{keyfile.ErrAddress, CodeKeyfileInvalid},
	{keyfile.ErrKey, CodeKeyfileInvalid},
	{keyfile.ErrUnsupportedKDF, CodeKeyfileUnsupported},
	{keyfile.ErrUnsupportedCipher, CodeKeyfileUnsupported},
	{keyfile.ErrKDFParams, CodeKeyfileUnsupported},
	{keyfile.ErrEmptyPassword, CodeKeyfilePasswordEmpty},
	{ErrKeyHere, CodeKeyHere},
	{ErrNoAccount, CodeNoAccount},
	{wallet.ErrFingerprint, CodeFingerprintInvalid},
	{ErrNoWallet, CodeNoWallet},
	{ErrWalletExists, CodeWalletExists},
	{ErrWalletLocked, CodeWalletLocked},
	{ErrQuizNotPassed, CodeQuizNotPassed},
}

// knownCodes are the codes ErrorCode can return: the API's problem codes,
// the check's causes, CodeOther, CodeAPIProblem, the codes of the
// built-in and local servers and those of the tables.
var knownCodes = func() map[Code]bool {
	m := map[Code]bool{CodeOther: true, CodeAPIProblem: true, CodeLocalServerFailed: true,
		CodeLocalServerKeychain: true, CodeLocalUnreachable: true, CodeLocalTimeout: true}
	for _, c := range authapi.Codes {
		m[Code(c)] = true
	}
	for _, c := range check.Causes() {
		m[Code(c)] = true
	}
	for _, c := range append(recheckCodes, errorCodes...) {
		m[c.code] = true
	}
	return m
}()

// ErrorCodes returns, sorted, every code [ErrorCode] can return: the
// screens need "error.<code>" and "remedy.<code>" for each. It is also
// what ErrorCode accepts of an API problem's code.
func ErrorCodes() []Code {
	return slices.Sorted(maps.Keys(knownCodes))
}

// ErrorCode returns the code of an error of the flows: the problem code of
// an API answer, or the name of a transport, keychain, recovery-phrase,
// wallet or flow failure; CodeOther for anything else, "" for nil. It
// never returns text from the error's message.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	// The built-in server's failures come first: one for want of the
	// keychain would otherwise read as a keychain problem, whose text says
	// that signing in still works.
	if errors.Is(err, ErrLocalServer) {
		var ue *keystore.UnavailableError
		if errors.As(err, &ue) {
			return CodeLocalServerKeychain
		}
		return CodeLocalServerFailed
	}
	if c := localCode(err); c != "" {
		return c
	}
	for _, c := range recheckCodes {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	if p, ok := authapi.ProblemOf(err); ok {
		if knownCodes[Code(p.Code)] {
			return Code(p.Code)
		}
		return CodeAPIProblem
	}
	var tlsErr *authapi.TLSError
	if errors.As(err, &tlsErr) {
		return Code(check.TLSCause(tlsErr.Reason))
	}
	var ue *keystore.UnavailableError
	if errors.As(err, &ue) {
		return Code(check.KeychainCause(ue))
	}
	for _, c := range errorCodes {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	return CodeOther
}

// localCode is the code of err when it is a refused or unanswered
// connection to a server on this computer, else "": no network is
// involved, so the advice is not about Wi-Fi or cables.
func localCode(err error) Code {
	var oe *authapi.OfflineError
	var te *authapi.TimeoutError
	switch {
	case errors.As(err, &oe) && check.IsLoopback(hostOnly(oe.Host)):
		return CodeLocalUnreachable
	case errors.As(err, &te) && check.IsLoopback(hostOnly(te.Host)):
		return CodeLocalTimeout
	}
	return ""
}

// hostOnly is host without its port, if it has one.
func hostOnly(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		return h
	}
	return host
}

// Failure is an error of the flows as the screens explain it: Code names
// the message and its fix in the translations, the other fields are the
// figures they show. It holds nothing of the error's text, so no secret
// can reach the screen through it.
type Failure struct {
	Code   Code
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
