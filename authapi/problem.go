package authapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"time"
)

// ProblemContentType is the media type of every error answer (RFC 9457).
const ProblemContentType = "application/problem+json"

// Code is the stable, machine-readable name of a problem. Clients branch on
// it, never on Title or Detail.
type Code string

// The problem codes of the contract.
const (
	// Request problems (400, 404, 405, 413, 415, 421, 422).
	CodeInvalidRequest       Code = "invalid_request"
	CodeUnsupportedMediaType Code = "unsupported_media_type"
	CodeBodyTooLarge         Code = "body_too_large"
	CodeNotFound             Code = "not_found"
	CodeMethodNotAllowed     Code = "method_not_allowed"
	CodeMisdirectedRequest   Code = "misdirected_request"
	CodeMissingClientVersion Code = "missing_client_version"
	CodeInvalidEmail         Code = "invalid_email"
	CodeWeakPassword         Code = "weak_password"
	CodeInvalidPhrase        Code = "invalid_phrase"

	// Mailed codes.
	CodeInvalidCode Code = "invalid_code"
	CodeCodeExpired Code = "code_expired"

	// Sign-in.
	CodeInvalidCredentials Code = "invalid_credentials"
	CodeAccountLocked      Code = "account_locked"
	CodeAccountNotVerified Code = "account_not_verified"
	CodeAccountSuspended   Code = "account_suspended"
	// CodePasswordResetRequired: the right password of an account that a
	// "this wasn't me" link locked; a password reset lifts it.
	CodePasswordResetRequired Code = "password_reset_required"
	CodeTwoFactorRequired     Code = "two_factor_required"
	CodeInvalidTwoFactorCode  Code = "invalid_two_factor_code"
	CodeChallengeExpired      Code = "challenge_expired"

	// Tokens and sessions.
	CodeInvalidRefreshToken Code = "invalid_refresh_token"
	CodeRefreshTokenReused  Code = "refresh_token_reused"
	CodeUnauthorized        Code = "unauthorized"
	CodeResetTokenExpired   Code = "reset_token_expired"

	// Two-factor management.
	CodeTwoFactorAlreadyEnabled Code = "two_factor_already_enabled"
	CodeTwoFactorNotEnabled     Code = "two_factor_not_enabled"
	CodeTwoFactorNotPending     Code = "two_factor_not_pending"

	// Support requests. CodeSecretInRequest: the description or the
	// report holds a secret (Problem.Secret names it); CodeSupportLimit:
	// the account has as many open requests as it may;
	// CodeSupportTokenExpired: the support token expired or is not one.
	CodeSecretInRequest     Code = "secret_in_request"
	CodeSupportLimit        Code = "support_limit"
	CodeSupportTokenExpired Code = "support_token_expired"

	// Phone numbers. CodePhoneNotServed: the server texts no number of
	// the number's country.
	CodePhoneNotServed Code = "phone_not_served"

	// Service state.
	CodeRateLimited    Code = "rate_limited"
	CodeMaintenance    Code = "maintenance"
	CodeOverloaded     Code = "overloaded"
	CodeClientOutdated Code = "client_outdated"
	CodeInternal       Code = "internal_error"
)

// Codes lists every problem code, for specs and tests.
var Codes = []Code{
	CodeInvalidRequest, CodeUnsupportedMediaType, CodeBodyTooLarge, CodeNotFound,
	CodeMethodNotAllowed, CodeMisdirectedRequest, CodeMissingClientVersion, CodeInvalidEmail, CodeWeakPassword,
	CodeInvalidPhrase, CodeInvalidCode, CodeCodeExpired, CodeInvalidCredentials,
	CodeAccountLocked, CodeAccountNotVerified, CodeAccountSuspended, CodePasswordResetRequired, CodeTwoFactorRequired,
	CodeInvalidTwoFactorCode, CodeChallengeExpired, CodeInvalidRefreshToken,
	CodeRefreshTokenReused, CodeUnauthorized, CodeResetTokenExpired,
	CodeTwoFactorAlreadyEnabled, CodeTwoFactorNotEnabled, CodeTwoFactorNotPending,
	CodeSecretInRequest, CodeSupportLimit, CodeSupportTokenExpired, CodePhoneNotServed,
	CodeRateLimited, CodeMaintenance, CodeOverloaded, CodeClientOutdated, CodeInternal,
}

// Problem is an RFC 9457 problem document with the contract's extension
// members. It carries no secret: servers put only figures and codes in it.
type Problem struct {
	Type   string `json:"type,omitempty"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Code   Code   `json:"code"`

	// Field names the request member that is wrong, for request problems.
	Field string `json:"field,omitempty"`
	// AttemptsLeft counts the tries left before a lock or a dead code.
	AttemptsLeft *int `json:"attempts_left,omitempty"`
	// LockedUntil is when an account lock ends.
	LockedUntil *time.Time `json:"locked_until,omitempty"`
	// RetryAfterSeconds repeats the Retry-After header.
	RetryAfterSeconds *int `json:"retry_after_seconds,omitempty"`
	// MaintenanceUntil is the announced end of a maintenance window.
	MaintenanceUntil *time.Time `json:"maintenance_until,omitempty"`
	// Message is the operator's own maintenance message.
	Message string `json:"message,omitempty"`
	// ChallengeID, ChallengeExpiresAt and Methods describe a two-factor challenge.
	ChallengeID        string     `json:"challenge_id,omitempty"`
	ChallengeExpiresAt *time.Time `json:"challenge_expires_at,omitempty"`
	Methods            []string   `json:"methods,omitempty"`
	// Reasons lists why a password was refused (Reason values).
	Reasons []Reason `json:"reasons,omitempty"`
	// Secret names the secret a support request was refused for.
	Secret SecretKind `json:"secret,omitempty"`
	// MinVersion and DownloadURL tell an outdated client what to install.
	MinVersion  string `json:"min_version,omitempty"`
	DownloadURL string `json:"download_url,omitempty"`
}

// Error returns the problem's code and detail; never a secret.
func (p *Problem) Error() string {
	return fmt.Sprintf("%s (%d): %s", p.Code, p.Status, p.Detail)
}

// Is lets errors.Is match a *Problem against another by code.
func (p *Problem) Is(target error) bool {
	t, ok := target.(*Problem)
	return ok && t.Code == p.Code
}

// Int returns a pointer to n, for the optional figures of a Problem.
func Int(n int) *int { return &n }

// Time returns a pointer to the UTC form of t, for the optional times of a Problem.
func Time(t time.Time) *time.Time { u := t.UTC().Truncate(time.Second); return &u }

// WriteProblem sends p as application/problem+json. It sets Retry-After when
// RetryAfterSeconds is present.
func WriteProblem(w http.ResponseWriter, p *Problem) {
	if p.Title == "" {
		p.Title = http.StatusText(p.Status)
	}
	if p.RetryAfterSeconds != nil {
		w.Header().Set("Retry-After", strconv.Itoa(*p.RetryAfterSeconds))
	}
	body, err := json.Marshal(p)
	if err != nil {
		// A Problem holds only plain members; this cannot fail.
		panic(err)
	}
	w.Header().Set("Content-Type", ProblemContentType)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	_, _ = w.Write(append(body, '\n'))
}

// ErrNotProblem reports an answer that is not a problem document of this API.
var ErrNotProblem = errors.New("authapi: answer is not a problem document")

// ParseProblem decodes an error answer. It returns ErrNotProblem (wrapped)
// when the media type is not problem+json, the body is not a JSON object with
// a known-looking code and a matching status, so that a captive portal's page
// is never mistaken for an answer of the API.
func ParseProblem(status int, contentType string, body []byte) (*Problem, error) {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil || mt != ProblemContentType {
		return nil, fmt.Errorf("%w: content type %q", ErrNotProblem, contentType)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	var p Problem
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotProblem, err)
	}
	if p.Code == "" {
		return nil, fmt.Errorf("%w: no code", ErrNotProblem)
	}
	if p.Status != status {
		return nil, fmt.Errorf("%w: status %d in a %d answer", ErrNotProblem, p.Status, status)
	}
	return &p, nil
}

// One sentinel per problem code, for errors.Is: a *Problem matches the
// sentinel of its code. The codes invalid_email, weak_password,
// invalid_phrase and invalid_code share the validation sentinels of
// validate.go (ErrInvalidEmail, ErrWeakPassword, ErrInvalidPhrase,
// ErrInvalidCode), so one errors.Is covers the local check and the server's
// answer alike.
var (
	ErrInvalidRequest          = &Problem{Code: CodeInvalidRequest}
	ErrUnsupportedMediaType    = &Problem{Code: CodeUnsupportedMediaType}
	ErrBodyTooLarge            = &Problem{Code: CodeBodyTooLarge}
	ErrNotFound                = &Problem{Code: CodeNotFound}
	ErrMethodNotAllowed        = &Problem{Code: CodeMethodNotAllowed}
	ErrMisdirectedRequest      = &Problem{Code: CodeMisdirectedRequest}
	ErrMissingClientVersion    = &Problem{Code: CodeMissingClientVersion}
	ErrCodeExpired             = &Problem{Code: CodeCodeExpired}
	ErrInvalidCredentials      = &Problem{Code: CodeInvalidCredentials}
	ErrAccountLocked           = &Problem{Code: CodeAccountLocked}
	ErrAccountNotVerified      = &Problem{Code: CodeAccountNotVerified}
	ErrAccountSuspended        = &Problem{Code: CodeAccountSuspended}
	ErrPasswordResetRequired   = &Problem{Code: CodePasswordResetRequired}
	ErrTwoFactorRequired       = &Problem{Code: CodeTwoFactorRequired}
	ErrInvalidTwoFactorCode    = &Problem{Code: CodeInvalidTwoFactorCode}
	ErrChallengeExpired        = &Problem{Code: CodeChallengeExpired}
	ErrInvalidRefreshToken     = &Problem{Code: CodeInvalidRefreshToken}
	ErrRefreshTokenReused      = &Problem{Code: CodeRefreshTokenReused}
	ErrUnauthorized            = &Problem{Code: CodeUnauthorized}
	ErrResetTokenExpired       = &Problem{Code: CodeResetTokenExpired}
	ErrTwoFactorAlreadyEnabled = &Problem{Code: CodeTwoFactorAlreadyEnabled}
	ErrTwoFactorNotEnabled     = &Problem{Code: CodeTwoFactorNotEnabled}
	ErrTwoFactorNotPending     = &Problem{Code: CodeTwoFactorNotPending}
	ErrSecretInRequest         = &Problem{Code: CodeSecretInRequest}
	ErrSupportLimit            = &Problem{Code: CodeSupportLimit}
	ErrSupportTokenExpired     = &Problem{Code: CodeSupportTokenExpired}
	ErrPhoneNotServed          = &Problem{Code: CodePhoneNotServed}
	ErrRateLimited             = &Problem{Code: CodeRateLimited}
	ErrMaintenance             = &Problem{Code: CodeMaintenance}
	ErrOverloaded              = &Problem{Code: CodeOverloaded}
	ErrClientOutdated          = &Problem{Code: CodeClientOutdated}
	ErrInternal                = &Problem{Code: CodeInternal}
)

// Unwrap returns the validation sentinel that a problem's code shares, if any.
func (p *Problem) Unwrap() error {
	switch p.Code {
	case CodeInvalidEmail:
		return ErrInvalidEmail
	case CodeWeakPassword:
		return ErrWeakPassword
	case CodeInvalidPhrase:
		return ErrInvalidPhrase
	case CodeInvalidCode:
		return ErrInvalidCode
	}
	return nil
}
