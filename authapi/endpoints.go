package authapi

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
)

// The endpoints of the contract, in the order of auth-api.md. An API error
// is returned as the decoded *Problem; transport failures as the typed
// errors of errors.go.

// Status answers GET /v1/status, which works in maintenance and for
// outdated clients too.
func (c *Client) Status(ctx context.Context) (*StatusResponse, error) {
	var out StatusResponse
	err := c.do(ctx, call{method: http.MethodGet, path: "/v1/status", retry: true,
		want: http.StatusOK, out: &out, need: []string{"status", "min_client_version"}})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// CreateAccount starts an account; a verification code is mailed.
func (c *Client) CreateAccount(ctx context.Context, req CreateAccountRequest) error {
	return c.do(ctx, call{method: http.MethodPost, path: "/v1/accounts", in: req, want: http.StatusAccepted})
}

// VerifyAccount confirms an account with its mailed code and the password
// of the registration the code was mailed for.
func (c *Client) VerifyAccount(ctx context.Context, req VerifyAccountRequest) error {
	return c.do(ctx, call{method: http.MethodPost, path: "/v1/accounts/verify", in: req, want: http.StatusNoContent})
}

// ResendVerification mails a new verification code. It is a registration
// of its own: its code opens the account with req.Password only.
func (c *Client) ResendVerification(ctx context.Context, req CreateAccountRequest) error {
	return c.do(ctx, call{method: http.MethodPost, path: "/v1/accounts/verify/resend", in: req, want: http.StatusAccepted})
}

// SignIn signs in with a password and holds the new tokens. An account with
// two-factor sign-in answers ErrTwoFactorRequired, whose *Problem carries
// the ChallengeID for SignInTwoFactor.
func (c *Client) SignIn(ctx context.Context, req CreateSessionRequest) (Tokens, error) {
	return c.session(ctx, "/v1/sessions", req)
}

// SignInTwoFactor completes a two-factor challenge and holds the new tokens.
func (c *Client) SignInTwoFactor(ctx context.Context, req TwoFactorSessionRequest) (Tokens, error) {
	return c.session(ctx, "/v1/sessions/two-factor", req)
}

func (c *Client) session(ctx context.Context, path string, req any) (Tokens, error) {
	var tok Tokens
	err := c.do(ctx, call{method: http.MethodPost, path: path, in: req, want: http.StatusCreated, out: &tok, need: tokenMembers})
	if err != nil {
		return Tokens{}, err
	}
	c.signedIn(tok)
	return tok, nil
}

// Sessions lists the account's sessions.
func (c *Client) Sessions(ctx context.Context) ([]Session, error) {
	var out SessionList
	err := c.do(ctx, call{method: http.MethodGet, path: "/v1/sessions", auth: true, retry: true,
		want: http.StatusOK, out: &out, need: []string{"sessions"}})
	if err != nil {
		return nil, err
	}
	return out.Sessions, nil
}

// RevokeSession signs out the session id of the account.
func (c *Client) RevokeSession(ctx context.Context, id string) error {
	return c.do(ctx, call{method: http.MethodDelete, path: "/v1/sessions/" + url.PathEscape(id), auth: true, retry: true,
		want: http.StatusNoContent})
}

// SignOut ends the current session and forgets the tokens, even when the
// server could not be told.
func (c *Client) SignOut(ctx context.Context) error {
	defer c.ClearTokens()
	if _, ok := c.Tokens(); !ok {
		return nil
	}
	return c.do(ctx, call{method: http.MethodDelete, path: "/v1/sessions/current", auth: true, retry: true,
		want: http.StatusNoContent})
}

// RevokeOtherSessions signs out every session but the current one.
func (c *Client) RevokeOtherSessions(ctx context.Context) error {
	return c.do(ctx, call{method: http.MethodDelete, path: "/v1/sessions", auth: true, retry: true,
		want: http.StatusNoContent})
}

// StartPasswordReset mails a reset code, if the account exists. A request
// with the device token of the account (req.DeviceToken) has the device's
// own codes and caps, which strangers cannot spend.
func (c *Client) StartPasswordReset(ctx context.Context, req EmailRequest) error {
	return c.do(ctx, call{method: http.MethodPost, path: "/v1/password-resets",
		in: req, want: http.StatusAccepted})
}

// StartPasswordResetSMS sends a new reset code by SMS to the phone number
// bound to the account, or by mail when it has none. The server answers
// the same whatever the address.
func (c *Client) StartPasswordResetSMS(ctx context.Context, req EmailRequest) error {
	return c.do(ctx, call{method: http.MethodPost, path: "/v1/password-resets/sms",
		in: req, want: http.StatusAccepted})
}

// VerifyPasswordReset trades a mailed reset code for a reset token.
func (c *Client) VerifyPasswordReset(ctx context.Context, req EmailCodeRequest) (*ResetVerifyResponse, error) {
	var out ResetVerifyResponse
	err := c.do(ctx, call{method: http.MethodPost, path: "/v1/password-resets/verify", in: req,
		want: http.StatusOK, out: &out, need: []string{"reset_token", "two_factor_required"}})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// CompletePasswordReset sets the new password; every session is signed
// out and every device forgotten. It returns the token of this device, now
// the account's one known device ("" from a server that gives none).
func (c *Client) CompletePasswordReset(ctx context.Context, req ResetCompleteRequest) (deviceToken string, err error) {
	var h http.Header
	err = c.do(ctx, call{method: http.MethodPost, path: "/v1/password-resets/complete", in: req,
		want: http.StatusNoContent, answered: &h})
	if err != nil {
		return "", err
	}
	return h.Get(DeviceTokenHeader), nil
}

// Me describes the signed-in account.
func (c *Client) Me(ctx context.Context) (*Me, error) {
	var out Me
	err := c.do(ctx, call{method: http.MethodGet, path: "/v1/me", auth: true, retry: true,
		want: http.StatusOK, out: &out, need: []string{"email", "two_factor_enabled"}})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ChangePassword sets a new password; other sessions are signed out.
func (c *Client) ChangePassword(ctx context.Context, req ChangePasswordRequest) error {
	return c.do(ctx, call{method: http.MethodPost, path: "/v1/me/password", in: req, auth: true, want: http.StatusNoContent})
}

// SetAntiPhishingPhrase sets the phrase that every mail of the server
// names; req.Password re-authenticates the change.
func (c *Client) SetAntiPhishingPhrase(ctx context.Context, req AntiPhishingRequest) error {
	return c.do(ctx, call{method: http.MethodPut, path: "/v1/me/anti-phishing-phrase", in: req,
		auth: true, want: http.StatusNoContent})
}

// SetLanguage sets the language of the account's mails ("en", "zh-Hans").
func (c *Client) SetLanguage(ctx context.Context, language string) error {
	return c.do(ctx, call{method: http.MethodPut, path: "/v1/me/language", in: LanguageRequest{Language: language},
		auth: true, retry: true, want: http.StatusNoContent})
}

// StartTwoFactor makes a pending TOTP secret, live once confirmed; the
// password re-authenticates the request.
func (c *Client) StartTwoFactor(ctx context.Context, password string) (*TwoFactorSetup, error) {
	var out TwoFactorSetup
	err := c.do(ctx, call{method: http.MethodPost, path: "/v1/me/two-factor", in: PasswordRequest{Password: password}, auth: true,
		want: http.StatusOK, out: &out, need: []string{"secret", "otpauth_uri"}})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ConfirmTwoFactor turns two-factor sign-in on and returns the recovery codes.
func (c *Client) ConfirmTwoFactor(ctx context.Context, code string) ([]string, error) {
	return c.recoveryCodes(ctx, "/v1/me/two-factor/confirm", TOTPRequest{TOTPCode: code})
}

// CheckTwoFactor checks an authenticator code without signing in: nil
// when it is right. A wrong code counts toward the lock, as at sign-in,
// and a right one is spent.
func (c *Client) CheckTwoFactor(ctx context.Context, code string) error {
	return c.do(ctx, call{method: http.MethodPost, path: "/v1/me/two-factor/check", in: TOTPRequest{TOTPCode: code}, auth: true, want: http.StatusNoContent})
}

// DisableTwoFactor turns two-factor sign-in off.
func (c *Client) DisableTwoFactor(ctx context.Context, req DisableTwoFactorRequest) error {
	return c.do(ctx, call{method: http.MethodDelete, path: "/v1/me/two-factor", in: req, auth: true, want: http.StatusNoContent})
}

// RegenerateRecoveryCodes replaces the recovery codes.
func (c *Client) RegenerateRecoveryCodes(ctx context.Context, req RegenerateCodesRequest) ([]string, error) {
	return c.recoveryCodes(ctx, "/v1/me/recovery-codes", req)
}

func (c *Client) recoveryCodes(ctx context.Context, path string, req any) ([]string, error) {
	var out RecoveryCodes
	err := c.do(ctx, call{method: http.MethodPost, path: path, in: req, auth: true,
		want: http.StatusOK, out: &out, need: []string{"recovery_codes"}})
	if err != nil {
		return nil, err
	}
	return out.RecoveryCodes, nil
}

// Devices lists the devices the account signed in on, known by their
// device tokens.
func (c *Client) Devices(ctx context.Context) ([]Device, error) {
	var out DeviceList
	err := c.do(ctx, call{method: http.MethodGet, path: "/v1/devices", auth: true, retry: true,
		want: http.StatusOK, out: &out, need: []string{"devices"}})
	if err != nil {
		return nil, err
	}
	return out.Devices, nil
}

// ForgetDevice forgets the device id of the account, with the account's
// password: its device token stops working, its trust with it.
func (c *Client) ForgetDevice(ctx context.Context, id, password string) error {
	return c.do(ctx, call{method: http.MethodDelete, path: "/v1/devices/" + url.PathEscape(id), auth: true,
		in: PasswordRequest{Password: password}, want: http.StatusNoContent})
}

// Activity lists the account's latest sign-in events, newest first; a limit
// of 0 takes the server's default.
func (c *Client) Activity(ctx context.Context, limit int) ([]ActivityEvent, error) {
	q := url.Values{}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	var out ActivityList
	err := c.do(ctx, call{method: http.MethodGet, path: "/v1/me/activity", query: q, auth: true, retry: true,
		want: http.StatusOK, out: &out, need: []string{"events"}})
	if err != nil {
		return nil, err
	}
	return out.Events, nil
}

// Mailbox lists the mails a local server holds for to, newest first. Only
// a server with its local outbox on loopback answers it.
func (c *Client) Mailbox(ctx context.Context, to string) ([]Mail, error) {
	var out Mailbox
	err := c.do(ctx, call{method: http.MethodGet, path: "/v1/dev/mailbox", query: url.Values{"to": {to}}, retry: true,
		want: http.StatusOK, out: &out, need: []string{"mails"}})
	if err != nil {
		return nil, err
	}
	return out.Mails, nil
}

// AddPhone texts a code to req.Phone (E.164, see ParsePhone); VerifyPhone
// binds the number to the account with it. The password re-authenticates
// the request.
func (c *Client) AddPhone(ctx context.Context, req PhoneRequest) error {
	return c.do(ctx, call{method: http.MethodPost, path: "/v1/me/phone", in: req, auth: true, want: http.StatusAccepted})
}

// VerifyPhone binds the number AddPhone texted code to to the account, in
// place of its phone number before.
func (c *Client) VerifyPhone(ctx context.Context, code string) error {
	return c.do(ctx, call{method: http.MethodPost, path: "/v1/me/phone/verify", in: CodeRequest{Code: code}, auth: true,
		want: http.StatusNoContent})
}

// RemovePhone removes the account's phone number, with its password.
func (c *Client) RemovePhone(ctx context.Context, password string) error {
	return c.do(ctx, call{method: http.MethodDelete, path: "/v1/me/phone", in: PasswordRequest{Password: password}, auth: true,
		want: http.StatusNoContent})
}

// StartSupport mails a code that opens the support requests of email, if
// it has an account, to its owner who cannot sign in.
func (c *Client) StartSupport(ctx context.Context, req EmailRequest) error {
	return c.do(ctx, call{method: http.MethodPost, path: "/v1/support-requests/code",
		in: req, want: http.StatusAccepted})
}

// VerifySupport trades the mailed code for a support token.
func (c *Client) VerifySupport(ctx context.Context, req EmailCodeRequest) (*SupportAccess, error) {
	var out SupportAccess
	err := c.do(ctx, call{method: http.MethodPost, path: "/v1/support-requests/verify", in: req,
		want: http.StatusOK, out: &out, need: []string{"support_token", "expires_in"}})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// supportCall is a call on the support requests: of the signed-in account
// when token is empty, else of the address the support token opens.
func supportCall(method, token string) call {
	if token == "" {
		return call{method: method, path: "/v1/me/support-requests", auth: true}
	}
	return call{method: method, path: "/v1/support-requests", header: http.Header{HeaderSupportToken: {token}}}
}

// CreateSupportRequest files a support request (see supportCall for
// token) and returns it with its number and staff phrase.
func (c *Client) CreateSupportRequest(ctx context.Context, token string, req SupportRequest) (*SupportTicket, error) {
	var out SupportTicket
	r := supportCall(http.MethodPost, token)
	r.in, r.want, r.out, r.need = req, http.StatusCreated, &out, []string{"number", "staff_phrase"}
	if err := c.do(ctx, r); err != nil {
		return nil, err
	}
	return &out, nil
}

// SupportRequests lists the support requests (see supportCall for token)
// with their replies, the newest first.
func (c *Client) SupportRequests(ctx context.Context, token string) ([]SupportTicket, error) {
	var out SupportTicketList
	r := supportCall(http.MethodGet, token)
	r.retry, r.want, r.out, r.need = true, http.StatusOK, &out, []string{"tickets"}
	if err := c.do(ctx, r); err != nil {
		return nil, err
	}
	return out.Tickets, nil
}
