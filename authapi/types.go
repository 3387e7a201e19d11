package authapi

import "time"

// Headers and paths of the contract.
const (
	// HeaderClientVersion carries the client's semantic version on every request.
	HeaderClientVersion = "Sesame-Client-Version"
	// BasePath prefixes every endpoint.
	BasePath = "/v1"
	// TokenTypeBearer is the only token type.
	TokenTypeBearer = "Bearer"
)

// Status values of GET /v1/status.
const (
	StatusOK          = "ok"
	StatusDegraded    = "degraded"
	StatusMaintenance = "maintenance"
)

// StatusResponse answers GET /v1/status.
type StatusResponse struct {
	Status              string     `json:"status"`
	Message             string     `json:"message"`
	MaintenanceUntil    *time.Time `json:"maintenance_until"`
	MinClientVersion    string     `json:"min_client_version"`
	LatestClientVersion string     `json:"latest_client_version"`
	DownloadURL         string     `json:"download_url"`
	ServerTime          time.Time  `json:"server_time"`
	// MailFrom is the address the server's mails come from, for the user
	// to search for; empty when the server has none to name.
	MailFrom string `json:"mail_from"`
}

// CreateAccountRequest is the body of POST /v1/accounts and of
// POST /v1/accounts/verify/resend: each is a registration of its own, whose
// mailed code opens the account with this password only.
type CreateAccountRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// VerifyAccountRequest is the body of POST /v1/accounts/verify: the code
// opens the account only with the password of its own registration, so a
// code mailed for someone else's registration of the address opens nothing.
type VerifyAccountRequest struct {
	Email    string `json:"email"`
	Code     string `json:"code"`
	Password string `json:"password"`
}

// EmailCodeRequest is the body of POST /v1/password-resets/verify.
type EmailCodeRequest struct {
	Email string `json:"email"`
	Code  string `json:"code"`
	// DeviceToken, as in CreateSessionRequest: the wrong codes of a known
	// device of the account count against its own budget, so that a
	// stranger who spent the address's budget does not stop its owner.
	DeviceToken string `json:"device_token,omitempty"`
}

// EmailRequest is the body of POST /v1/password-resets, its /sms and POST
// /v1/support-requests/code.
type EmailRequest struct {
	Email string `json:"email"`
	// DeviceToken, as in CreateSessionRequest: the request of a known
	// device of the account has a code slot and mail caps of its own,
	// which a stranger who knows only the address cannot spend or fill.
	DeviceToken string `json:"device_token,omitempty"`
}

// CreateSessionRequest is the body of POST /v1/sessions.
type CreateSessionRequest struct {
	Email      string `json:"email"`
	Password   string `json:"password"`
	DeviceName string `json:"device_name"`
	// DeviceToken is the token a sign-in of this account on this device
	// was given (Tokens.DeviceToken), if any: a known device is not
	// stopped by a lock that failures from elsewhere caused, and a trusted
	// one is not asked for two-factor.
	DeviceToken string `json:"device_token,omitempty"`
}

// TwoFactorSessionRequest is the body of POST /v1/sessions/two-factor: one of
// TOTPCode and RecoveryCode.
type TwoFactorSessionRequest struct {
	ChallengeID  string `json:"challenge_id"`
	TOTPCode     string `json:"totp_code,omitempty"`
	RecoveryCode string `json:"recovery_code,omitempty"`
	// TrustDevice is "Trust this computer for 30 days": two-factor is not
	// asked again on this device (its DeviceToken) for TrustDays.
	TrustDevice bool `json:"trust_device,omitempty"`
}

// TrustDays is how long a trusted device signs in without two-factor.
const TrustDays = 30

// Tokens answers a successful sign-in or refresh.
type Tokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	SessionID    string `json:"session_id"`
	// DeviceToken answers a sign-in (not a refresh): the token of this
	// device for this account, to keep beside the account in the keychain
	// and send with the next sign-in. It is the one sent, if that one was
	// valid.
	DeviceToken string `json:"device_token,omitempty"`
}

// RefreshRequest is the body of POST /v1/tokens/refresh.
type RefreshRequest struct {
	RefreshToken string `json:"refresh_token"`
}

// Session describes one signed-in device.
type Session struct {
	ID         string    `json:"id"`
	DeviceName string    `json:"device_name"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	IP         string    `json:"ip"`
	Current    bool      `json:"current"`
}

// SessionList answers GET /v1/sessions.
type SessionList struct {
	Sessions []Session `json:"sessions"`
}

// ResetVerifyResponse answers POST /v1/password-resets/verify.
type ResetVerifyResponse struct {
	ResetToken        string `json:"reset_token"`
	TwoFactorRequired bool   `json:"two_factor_required"`
}

// ResetCompleteRequest is the body of POST /v1/password-resets/complete.
type ResetCompleteRequest struct {
	ResetToken   string `json:"reset_token"`
	NewPassword  string `json:"new_password"`
	TOTPCode     string `json:"totp_code,omitempty"`
	RecoveryCode string `json:"recovery_code,omitempty"`
	// DeviceToken, as in CreateSessionRequest: wrong two-factor codes
	// count against this device's budget instead of the account's.
	DeviceToken string `json:"device_token,omitempty"`
	// DeviceName names the resetting device, which becomes the account's
	// one known device (the reset forgets the others), as in
	// CreateSessionRequest.
	DeviceName string `json:"device_name,omitempty"`
}

// DeviceTokenHeader carries, in the 204 answer of POST
// /v1/password-resets/complete, the token of the device that reset: the
// sign-in that follows, sending it, counts its failures on the device's
// own lock, which a stranger's wrong passwords on the address do not hold.
// A header, so that the answer stays the 204 older clients expect.
const DeviceTokenHeader = "Sesame-Device-Token"

// Me answers GET /v1/me.
type Me struct {
	Email              string    `json:"email"`
	Verified           bool      `json:"verified"`
	TwoFactorEnabled   bool      `json:"two_factor_enabled"`
	RecoveryCodesLeft  int       `json:"recovery_codes_left"`
	AntiPhishingPhrase string    `json:"anti_phishing_phrase"`
	CreatedAt          time.Time `json:"created_at"`
	// Language is the tag of the account's mails: "en" or "zh-Hans".
	Language string `json:"language"`
	// Phone is the account's verified phone number, masked
	// (authapi.MaskPhone: +86 138 **** 8000); absent when it has none.
	Phone string `json:"phone,omitempty"`
	// RecoveryCodeLastUsed is when a code of the current set of recovery
	// codes was last spent; absent when none was.
	RecoveryCodeLastUsed *time.Time `json:"recovery_code_last_used,omitempty"`
}

// ChangePasswordRequest is the body of POST /v1/me/password.
type ChangePasswordRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// AntiPhishingRequest is the body of PUT /v1/me/anti-phishing-phrase; the
// password re-authenticates the change.
type AntiPhishingRequest struct {
	Phrase   string `json:"phrase"`
	Password string `json:"password"`
}

// LanguageRequest is the body of PUT /v1/me/language.
type LanguageRequest struct {
	Language string `json:"language"`
}

// PasswordRequest is the body of POST /v1/me/two-factor: the password
// re-authenticates the request, so that a stolen access token alone cannot
// turn two-factor on.
type PasswordRequest struct {
	Password string `json:"password"`
}

// PhoneRequest is the body of POST /v1/me/phone: a number in E.164
// (ParsePhone) to be verified by a texted code; the password
// re-authenticates the request, since the number can reset the password.
type PhoneRequest struct {
	Phone    string `json:"phone"`
	Password string `json:"password"`
}

// CodeRequest is the body of POST /v1/me/phone/verify: the texted code.
type CodeRequest struct {
	Code string `json:"code"`
}

// TwoFactorSetup answers POST /v1/me/two-factor.
type TwoFactorSetup struct {
	Secret     string `json:"secret"`
	OTPAuthURI string `json:"otpauth_uri"`
}

// TOTPRequest is the body of POST /v1/me/two-factor/confirm and
// POST /v1/me/two-factor/check.
type TOTPRequest struct {
	TOTPCode string `json:"totp_code"`
}

// RecoveryCodes answers two-factor confirmation and regeneration.
type RecoveryCodes struct {
	RecoveryCodes []string `json:"recovery_codes"`
}

// DisableTwoFactorRequest is the body of DELETE /v1/me/two-factor: the
// password and one of TOTPCode and RecoveryCode.
type DisableTwoFactorRequest struct {
	Password     string `json:"password"`
	TOTPCode     string `json:"totp_code,omitempty"`
	RecoveryCode string `json:"recovery_code,omitempty"`
}

// RegenerateCodesRequest is the body of POST /v1/me/recovery-codes.
type RegenerateCodesRequest struct {
	Password string `json:"password"`
	TOTPCode string `json:"totp_code"`
}

// Device is a device the account signed in on, known by its device token.
type Device struct {
	ID         string    `json:"id"`
	DeviceName string    `json:"device_name"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	// TrustedUntil is when "Trust this computer" ends; null when the
	// device is not trusted.
	TrustedUntil *time.Time `json:"trusted_until"`
	Current      bool       `json:"current"`
}

// DeviceList answers GET /v1/devices.
type DeviceList struct {
	Devices []Device `json:"devices"`
}

// Mail is one message of the local outbox.
type Mail struct {
	ID      string `json:"id"`
	To      string `json:"to"`
	Subject string `json:"subject"`
	Text    string `json:"text"`
	// HTML is the mail's HTML alternative, empty for a plain-text mail.
	HTML   string    `json:"html,omitempty"`
	SentAt time.Time `json:"sent_at"`
	// SMS: a text message to the phone number To, with no subject and no
	// HTML.
	SMS bool `json:"sms,omitempty"`
}

// Mailbox answers GET /v1/dev/mailbox.
type Mailbox struct {
	Mails []Mail `json:"mails"`
}

// Activity results.
const (
	ResultSuccess              = "success"
	ResultInvalidCredentials   = "invalid_credentials"
	ResultInvalidTwoFactorCode = "invalid_two_factor_code"
	ResultLocked               = "locked"
	ResultRecoveryCodeUsed     = "recovery_code_used"
	ResultPasswordReset        = "password_reset"
	ResultTwoFactorEnabled     = "two_factor_enabled"
	ResultTwoFactorDisabled    = "two_factor_disabled"
	ResultSessionRevoked       = "session_revoked"
	ResultRefreshTokenReused   = "refresh_token_reused"
	// ResultCodesLocked: too many wrong mailed codes; the address takes
	// no more for a day.
	ResultCodesLocked = "codes_locked"
	// ResultDeviceForgotten: a known device was forgotten (and so no
	// longer trusted).
	ResultDeviceForgotten = "device_forgotten"
	// ResultAccountSecured: a "this wasn't me" link of a security notice
	// signed out every device, ended their trust and cancelled pending
	// resets; the next sign-in needs a password reset.
	ResultAccountSecured = "account_secured"
	// ResultPhoneAdded: a phone number was verified and bound to the
	// account.
	ResultPhoneAdded = "phone_added"
	// ResultPhoneRemoved: the account's phone number was removed.
	ResultPhoneRemoved = "phone_removed"
)

// ActivityEvent is one entry of the sign-in activity log.
type ActivityEvent struct {
	At         time.Time `json:"at"`
	IP         string    `json:"ip"`
	DeviceName string    `json:"device_name"`
	Result     string    `json:"result"`
	// Claimed: the device name is only what a request that proved
	// nothing said (a failed attempt), not a device of the account.
	Claimed bool `json:"claimed"`
}

// ActivityList answers GET /v1/me/activity.
type ActivityList struct {
	Events []ActivityEvent `json:"events"`
}

// Two-factor methods named in a two_factor_required problem.
const (
	MethodTOTP         = "totp"
	MethodRecoveryCode = "recovery_code"
)

// Support requests.

// HeaderSupportToken carries the token of POST /v1/support-requests/verify
// on the support requests of an address whose owner is not signed in.
const HeaderSupportToken = "Sesame-Support-Token"

// The topics of a support request.
const (
	TopicSignIn        = "sign_in"
	TopicLocked        = "locked"
	TopicPasswordReset = "password_reset"
	TopicTwoFactor     = "two_factor"
	TopicMail          = "mail"
	TopicWallet        = "wallet"
	TopicOther         = "other"
)

// SupportTopics lists the topics, in the order a form offers them.
var SupportTopics = []string{TopicSignIn, TopicLocked, TopicPasswordReset, TopicTwoFactor, TopicMail, TopicWallet, TopicOther}

// The largest description and report of a support request, in bytes.
const (
	MaxSupportDescription = 4000
	MaxSupportReport      = 8000
)

// SupportRequest is the body of POST /v1/me/support-requests and of
// POST /v1/support-requests: a topic of SupportTopics, the user's
// description and the app's redacted report. Neither may hold a secret
// (recovery.FindSecret): the server answers secret_in_request.
type SupportRequest struct {
	Topic       string `json:"topic"`
	Description string `json:"description"`
	Report      string `json:"report,omitempty"`
}

// SupportAccess answers POST /v1/support-requests/verify: the token that
// files and lists the address's support requests for ExpiresIn seconds.
type SupportAccess struct {
	SupportToken string `json:"support_token"`
	ExpiresIn    int    `json:"expires_in"`
}

// The states of a support request.
const (
	TicketOpen     = "open"
	TicketAnswered = "answered"
	TicketClosed   = "closed"
)

// SupportReply is the staff's answer to a support request.
type SupportReply struct {
	At   time.Time `json:"at"`
	Text string    `json:"text"`
}

// SupportTicket is a support request as its owner sees it. Staff quote
// its Number and StaffPhrase, so that she knows they are Sesame's.
type SupportTicket struct {
	Number      string         `json:"number"`
	StaffPhrase string         `json:"staff_phrase"`
	Topic       string         `json:"topic"`
	Description string         `json:"description"`
	Status      string         `json:"status"`
	CreatedAt   time.Time      `json:"created_at"`
	UpdatedAt   time.Time      `json:"updated_at"`
	Replies     []SupportReply `json:"replies"`
}

// SupportTicketList answers GET /v1/me/support-requests and
// GET /v1/support-requests, the newest first; a request closed longer than
// the server's ticket retention is purged and not listed.
type SupportTicketList struct {
	Tickets []SupportTicket `json:"tickets"`
}
