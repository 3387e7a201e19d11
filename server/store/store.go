// Package store keeps the auth server's state: accounts, lockouts, mailed
// codes, two-factor secrets and recovery codes, sessions and refresh tokens,
// the activity log, the local outbox, the maintenance switch, the audit
// log of the operator's actions and the rate limits' token buckets.
//
// [Store] is the interface the server uses. Package server/store/sqlite is
// the embedded default, a pure-Go SQLite file with its migrations in the
// binary, and package server/store/postgres the store for servers on
// several machines sharing one PostgreSQL database; both return the errors
// declared here. Every
// method that must be exact under concurrency (failure counting, code
// attempts, TOTP steps, recovery codes, refresh rotation, rate limits) is
// one transaction, so it stays exact across several processes sharing one
// database.
package store

import (
	"context"
	"errors"
	"time"

	"sesame/authapi"
)

// Expected failures.
var (
	// ErrNotFound reports a missing, expired or revoked item.
	ErrNotFound = errors.New("store: not found")
	// ErrExists reports an account that already exists for the address.
	ErrExists = errors.New("store: already exists")
	// ErrLocked reports an address locked after too many failures.
	ErrLocked = errors.New("store: locked")
	// ErrBusy reports an address with as many attempts in flight as its
	// lock allows.
	ErrBusy = errors.New("store: attempts in flight")
	// ErrReused reports a refresh token presented after its rotation; the
	// session has been revoked.
	ErrReused = errors.New("store: refresh token reused")
	// ErrCodesLocked reports an address that spent its budget of wrong
	// mailed codes (CodeBudget).
	ErrCodesLocked = errors.New("store: too many wrong codes")
	// ErrUnknownAction reports an action that is not one of the Action
	// constants.
	ErrUnknownAction = errors.New("store: unknown administration action")
	// ErrUsed reports a single-use token presented again.
	ErrUsed = errors.New("store: already used")
	// ErrTicketLimit reports an account with as many open support
	// requests as it may have.
	ErrTicketLimit = errors.New("store: too many open support requests")
	// ErrTicketPurged reports a support request whose text PurgeTickets
	// deleted: it takes no more replies.
	ErrTicketPurged = errors.New("store: the support request was purged")
	// ErrOldValuesKept reports that RewriteTOTPSecrets rewrote the values
	// but the old ones may stay in the database's files for a while (a
	// write-ahead log another connection reads, a table the database user
	// may not compact).
	ErrOldValuesKept = errors.New("store: the old values may stay in the database's files for a while")
)

// LimitedError reports a Charge refused: its bucket has a token again
// after Wait.
type LimitedError struct{ Wait time.Duration }

func (e *LimitedError) Error() string { return "store: rate limited" }

// Account is one user account.
type Account struct {
	ID           string
	Email        string
	PasswordHash string
	Verified     bool
	Suspended    bool
	CreatedAt    time.Time
	// TOTPSecret and TOTPPending are kept as the server gives them: sealed
	// under its key (see server.Config.TOTPKey).
	TOTPSecret   string
	TOTPPending  string
	TOTPEnabled  bool
	AntiPhishing string
	// Language is the tag of the account's mails (authapi.Languages);
	// CreateAccount stores authapi.DefaultLanguage for "".
	Language string
	// ResetRequired refuses every sign-in until a password reset (set by
	// SecureAccount, cleared by CompleteReset).
	ResetRequired bool
}

// LockPolicy is how failures turn into locks: MaxFailures consecutive
// failures lock for Base, doubling with each further lock up to Max.
type LockPolicy struct {
	MaxFailures int
	Base        time.Duration
	Max         time.Duration
}

// Lockout is the failure count and lock of one address.
type Lockout struct {
	Failures    int
	LockCount   int
	LockedUntil time.Time
}

// Locked reports whether the address is locked at now.
func (l Lockout) Locked(now time.Time) bool { return now.Before(l.LockedUntil) }

// Code purposes.
const (
	PurposeVerify = "verify"
	PurposeReset  = "reset"
	// PurposePhone: the code texted to a phone number being added.
	PurposePhone   = "phone"
	PurposeSupport = "support"
)

// AnySlot is the code slot of the requests that no known device of the
// account makes: anyone's, the owner's on a new computer and strangers'.
// A known device's requests have a slot of their own, named by its id,
// that strangers cannot fill.
const AnySlot = ""

// LongSlot is the slot of the long codes (authapi.NewLongCode), which
// UseCode never tries, and which no device's id names: only UseLongCode
// reads it.
const LongSlot = "long"

// KeptCodes is how many codes of a purpose an address keeps in one slot:
// the newest, any of which matches, so that a stranger's request does not
// spend the code its owner is typing (see docs/security.md).
const KeptCodes = 3

// CodeBudget bounds the wrong mailed codes of one address, verification and
// reset together: at most Misses in any Window.
type CodeBudget struct {
	Misses int
	Window time.Duration
}

// CodeUse is the outcome of one attempt on the mailed codes of an address.
type CodeUse struct {
	// OK: the code matched.
	OK bool
	// AttemptsLeft, after a miss, is what the address may still try: the
	// most attempts any of its live codes has left, at most the budget's
	// misses left.
	AttemptsLeft int
	// Exhausted: this miss spent the address's budget.
	Exhausted bool
}

// Registration is a pending account: a password bound to a mailed code of
// its own. The accounts table holds only verified accounts.
type Registration struct {
	Email string
	// PasswordHash, when empty, makes a registration that never becomes an
	// account and never matches a sign-in.
	PasswordHash  string
	CodeHash      []byte
	CodeExpiresAt time.Time
	Attempts      int
	CreatedAt     time.Time
	// Language is the tag of the mails of the account it becomes;
	// PutRegistration stores authapi.DefaultLanguage for "".
	Language string
}

// Registrations live RegistrationTTL after their creation; an address keeps
// its MaxRegistrations newest.
const (
	RegistrationTTL  = 7 * 24 * time.Hour
	MaxRegistrations = 3
)

// Challenge is a pending two-factor sign-in.
type Challenge struct {
	AccountID  string
	DeviceName string
	// DeviceID is the known device the password came from, if any.
	DeviceID  string
	ExpiresAt time.Time
}

// Session is one signed-in device.
type Session struct {
	ID         string
	AccountID  string
	DeviceName string
	// DeviceID is the known device the session was started on; empty for
	// sessions from before devices were known, or whose device was
	// forgotten.
	DeviceID   string
	IP         string
	CreatedAt  time.Time
	LastSeenAt time.Time
}

// Device is a device known by the token a sign-in gave it.
type Device struct {
	ID         string
	AccountID  string
	TokenHash  []byte
	DeviceName string
	CreatedAt  time.Time
	LastSeenAt time.Time
	// TrustedUntil ends "trust this computer"; zero when not trusted.
	TrustedUntil time.Time
}

// DeviceIdle is how long a device that is not trusted stays known unseen;
// Purge forgets it then.
const DeviceIdle = 180 * 24 * time.Hour

// Trusted reports whether the device skips two-factor at now.
func (d Device) Trusted(now time.Time) bool { return now.Before(d.TrustedUntil) }

// DeviceKeyPrefix starts the lockout key of a device: a sign-in from a
// known device counts its failures under DeviceKeyPrefix+ID, not under the
// account's address.
const DeviceKeyPrefix = "device:"

// ResetKeyPrefix starts the lockout key of the two-factor codes of a reset's
// completion from a device that is not known: ResetKeyPrefix+email. It is
// not the address's own key, so that wrong passwords from a stranger who
// knows only the address cannot stop its owner's reset.
const ResetKeyPrefix = "reset:"

// RefreshToken is the state of a refresh token.
type RefreshToken struct {
	ExpiresAt time.Time
	Used      bool
}

// Spendable reports why the token cannot be spent at now: ErrReused when
// it was spent before (its session is then revoked), or ErrNotFound when
// it expired.
func (t RefreshToken) Spendable(now time.Time) error {
	switch {
	case t.Used:
		return ErrReused
	case !now.Before(t.ExpiresAt):
		return ErrNotFound
	}
	return nil
}

// Tokens are the hashes of a session's current token pair.
type Tokens struct {
	Access         []byte
	AccessExpires  time.Time
	Refresh        []byte
	RefreshExpires time.Time
}

// NewSession is a sign-in that passed every check.
type NewSession struct {
	Session      Session
	Tokens       Tokens
	PasswordHash string // the hash the password was checked against
	Email        string // whose failure count is cleared
	// LockKey is the lockout key the attempt was reserved on: the email,
	// whose failures and lock are then cleared, or a device's key, whose
	// failures and lock are cleared while the email keeps its lock.
	LockKey   string
	AttemptID string // the reservation it ends
	// Device is the device signing in (Session.DeviceID is its ID): a new
	// one is made, a known one (Known) gets its name and last_seen_at,
	// its trusted_until when that is not zero and its token_hash when that
	// is not nil.
	Device Device
	Known  bool
}

// NoticeEvery is the least time between two security notices of one kind
// to an account.
const NoticeEvery = time.Hour

// WasntMeTTL is how long a "this wasn't me" link of a security notice
// works.
const WasntMeTTL = 7 * 24 * time.Hour

// WasntMeToken is the single-use token of a "this wasn't me" link, kept
// under its digest.
type WasntMeToken struct {
	AccountID string
	ExpiresAt time.Time
	// UsedAt is when the link was used; zero while it is not.
	UsedAt time.Time
}

// Spendable reports why the token cannot be spent at now: ErrUsed, or
// ErrNotFound when it expired.
func (t WasntMeToken) Spendable(now time.Time) error {
	switch {
	case !t.UsedAt.IsZero():
		return ErrUsed
	case !now.Before(t.ExpiresAt):
		return ErrNotFound
	}
	return nil
}

// Phone is the phone numbers of an account, in E.164.
type Phone struct {
	// Number is the verified number; empty while there is none.
	Number     string
	VerifiedAt time.Time
	// Pending is the number waiting for its texted code; empty when none
	// waits.
	Pending string
}

// Maintenance is the server-wide maintenance switch.
type Maintenance struct {
	On      bool
	Message string
	Until   *time.Time
}

// AuditEntry is one operator action in the audit log (sesame-authd admin).
type AuditEntry struct {
	Seq       int64
	At        time.Time
	Operator  string
	Action    string
	AccountID string
	// Email is the account's address; empty once the account is deleted.
	Email   string
	Reason  string
	Outcome string
}

// The operator's actions on an account (see Store.Administer).
const (
	// ActionSuspend suspends the account and ends every session, pending
	// two-factor sign-in and device trust of it.
	ActionSuspend = "suspend"
	// ActionUnsuspend reinstates a suspended account.
	ActionUnsuspend = "unsuspend"
	// ActionUnlock clears the failures, locks and wrong-code budgets of the
	// account's address, its reset key and its devices; the lock counts
	// stay, so that the next lock still lasts longer.
	ActionUnlock = "unlock"
	// ActionRevokeSessions ends every session and pending two-factor
	// sign-in of the account.
	ActionRevokeSessions = "revoke-sessions"
	// ActionDelete erases the account and every row about it or its
	// address, and its address from the audit log.
	ActionDelete = "delete"
	// ActionExport changes nothing: it records that the account's data
	// was exported.
	ActionExport = "export"
	// ActionTicketReply adds the staff's reply to a support request of
	// the account (see Store.AnswerTicket); ActionTicketClose closes one,
	// with a last reply or none.
	ActionTicketReply = "ticket-reply"
	ActionTicketClose = "ticket-close"
)

// Ticket is a support request of an account.
type Ticket struct {
	// Number is the request's public name, random (see server).
	Number    string
	AccountID string
	// Email is the account's address when the request was made.
	Email string
	// Language is the tag of the mails about it.
	Language    string
	Topic       string
	Description string
	// Report is the app's redacted report, as the user saw it.
	Report string
	// StaffPhrase is what staff quote, so that the user knows them.
	StaffPhrase string
	// Status is authapi.TicketOpen, TicketAnswered or TicketClosed.
	Status string
	// SignedIn: made in a session, not after a mailed code.
	SignedIn  bool
	CreatedAt time.Time
	// UpdatedAt is the last reply or closing: a closed ticket's closing.
	UpdatedAt time.Time
	// PurgedAt is when PurgeTickets emptied it, or zero.
	PurgedAt time.Time
	// Replies are the staff's, oldest first; the lists of FindTickets
	// leave them out.
	Replies []TicketReply
}

// TicketReply is one reply of the staff to a ticket.
type TicketReply struct {
	At       time.Time
	Operator string
	Text     string
}

// Limit is a token bucket: it holds Burst tokens at most (at least one),
// refilled PerSecond; a request takes one. PerSecond 0 is no limit.
type Limit struct {
	PerSecond float64
	Burst     int
}

// Charge is a token of key's bucket under Limit (see TakeToken) that a
// write takes in its own transaction: when the bucket has none, the write
// does nothing and returns a *LimitedError. The zero Charge takes nothing.
type Charge struct {
	Key   string
	Limit Limit
}

// Store is the server's storage.
type Store interface {
	Close() error

	CreateAccount(ctx context.Context, a Account) error
	AccountByEmail(ctx context.Context, email string) (Account, error)
	AccountByID(ctx context.Context, id string) (Account, error)
	// ReplacePasswordHash swaps old for new only if old is still the
	// account's hash (a rehash must not undo a concurrent change).
	ReplacePasswordHash(ctx context.Context, id, old, new string) error
	// ChangePassword swaps old for new like ReplacePasswordHash and ends
	// every other session and pending challenge of the account, forgets
	// every device but keepSession's and removes a phone number verified
	// after settledBy: a thief who signed in with the old password keeps
	// no device token and no number that has not settled.
	ChangePassword(ctx context.Context, id, old, new, keepSession string, settledBy time.Time) error
	SetAntiPhishing(ctx context.Context, id, phrase string) error
	// SetLanguage sets the tag of the account's mails.
	SetLanguage(ctx context.Context, id, language string) error

	// ReserveAttempt reserves an attempt on email before its password or
	// code is checked. It answers ErrLocked (with the lock) while the
	// address is locked, and ErrBusy while the failures counted plus the
	// attempts in flight reach the policy's limit, so that no more
	// attempts are checked than the lock allows however many arrive at
	// once. The reservation lives until FinishAttempt, or ttl.
	ReserveAttempt(ctx context.Context, email string, now time.Time, ttl time.Duration, p LockPolicy) (id string, l Lockout, err error)
	// FinishAttempt ends a reservation; a failed attempt is counted, and
	// locks the address when the count reaches the limit.
	FinishAttempt(ctx context.Context, id, email string, failed bool, now time.Time, p LockPolicy) (Lockout, error)

	// PutCode adds a code of an address and purpose to slot (AnySlot, or
	// a known device's id) and drops the oldest codes of the slot beyond
	// KeptCodes.
	PutCode(ctx context.Context, email, purpose, slot string, hash []byte, expires time.Time, attempts int) error
	// UseCode spends one attempt, under the budget of budgetKey (the
	// address, or a known device of its account, which a stranger's misses
	// on the address do not stop), on the live codes of the address and
	// purpose in AnySlot and in slot: a match deletes every code of the
	// address and purpose, a miss counts each of those down and against
	// the budget. ErrNotFound: no live code;
	// ErrCodesLocked: the budget is spent (checked first).
	UseCode(ctx context.Context, email, purpose, slot, budgetKey string, now time.Time, b CodeBudget, match func(stored []byte) bool) (CodeUse, error)
	// CodesLocked reports whether the budget of budgetKey is spent at now.
	CodesLocked(ctx context.Context, budgetKey string, now time.Time, b CodeBudget) (bool, error)
	// UseLongCode tries match on the live codes of the address and
	// purpose in LongSlot, outside any budget: a match deletes every code
	// of the address and purpose (true), a miss writes nothing (false).
	// ErrNotFound: no live long code.
	UseLongCode(ctx context.Context, email, purpose string, now time.Time, match func(stored []byte) bool) (bool, error)

	// PutRegistration stores a registration, expiring RegistrationTTL
	// after its creation, and drops the oldest of the address beyond
	// MaxRegistrations.
	PutRegistration(ctx context.Context, r Registration) error
	// Registrations lists the live registrations of an address that have
	// a password hash, newest first.
	Registrations(ctx context.Context, email string, now time.Time) ([]Registration, error)
	// VerifyRegistration spends one attempt on the live codes of the
	// address's registrations under its budget, as UseCode does. The
	// registration that match accepts (by its code hash and password hash)
	// becomes the verified account
	// accountID with its password hash, and every registration of the
	// address goes, in one transaction; a miss spends one attempt of
	// every live code. ErrNotFound: no live code; ErrCodesLocked: the
	// budget is spent; ErrExists: the address has an account already.
	VerifyRegistration(ctx context.Context, email string, now time.Time, b CodeBudget, match func(codeHash []byte, passwordHash string) bool, accountID string) (CodeUse, error)

	// Purge deletes what expired by now: mailed codes, registrations,
	// counted code misses, challenges, sessions whose every refresh token
	// expired, spent refresh tokens, reset tokens, attempt reservations,
	// the lockouts of addresses with no failure and no lock for a day, the
	// devices unseen for DeviceIdle that are not trusted, the rate
	// limits' buckets that are full again, the "this wasn't me" tokens
	// that expired, used or not, and the notices older than NoticeEvery.
	Purge(ctx context.Context, now time.Time) error

	SetPendingTOTP(ctx context.Context, accountID, secret string) error
	// RewriteTOTPSecrets replaces every non-empty TOTP secret and pending
	// secret that does not start with prefix by f(accountID, value), in
	// one transaction, and returns how many values it replaced; an error
	// of f changes nothing. The server seals the plain secrets of an older
	// database with it at start. The old values should not stay readable
	// in the database's files where the database allows it.
	RewriteTOTPSecrets(ctx context.Context, prefix string, f func(accountID, value string) (string, error)) (int, error)
	// SealedTOTPSecret returns one non-empty TOTP secret or pending
	// secret that starts with prefix, and its account; ErrNotFound when
	// there is none. The server checks its key against it at start.
	SealedTOTPSecret(ctx context.Context, prefix string) (accountID, value string, err error)
	// EnableTOTP makes the pending secret live with fresh recovery codes,
	// if it is still secret (the one the confirming code was checked with),
	// and ends the trust of every device of the account.
	EnableTOTP(ctx context.Context, accountID, secret string, codeHashes [][]byte) error
	// DisableTOTP turns two-factor off and ends the trust of every device
	// of the account.
	DisableTOTP(ctx context.Context, accountID string) error
	// UseTOTPStep records step as used; false if it or a later step was used.
	UseTOTPStep(ctx context.Context, accountID string, step int64) (bool, error)
	// UseRecoveryCode spends an unused code; false if there is none.
	UseRecoveryCode(ctx context.Context, accountID string, hash []byte, now time.Time) (bool, error)
	ReplaceRecoveryCodes(ctx context.Context, accountID string, hashes [][]byte) error
	RecoveryCodesLeft(ctx context.Context, accountID string) (int, error)
	// RecoveryCodeLastUsed is when a code of the account's current set was
	// last spent; zero when none was.
	RecoveryCodeLastUsed(ctx context.Context, accountID string) (time.Time, error)

	PutChallenge(ctx context.Context, idHash []byte, c Challenge) error
	Challenge(ctx context.Context, idHash []byte, now time.Time) (Challenge, error)
	DeleteChallenge(ctx context.Context, idHash []byte) error

	// CreateSession starts a session, makes or updates its device, ends
	// its sign-in attempt, clears the failures (see NewSession.LockKey) and
	// records the success, in one transaction; if the account's password
	// hash is no longer the one the sign-in checked, the account was
	// suspended, made to require a reset or a known device was forgotten
	// meanwhile, it does nothing and returns ErrNotFound.
	CreateSession(ctx context.Context, n NewSession) error
	SessionByAccess(ctx context.Context, hash []byte, now time.Time) (Session, error)
	// RotateRefresh spends a refresh token and installs the next pair,
	// taking a token of the session's own bucket under per, kept in its
	// row (a *LimitedError, nothing rotated, when it has none). A token
	// spent before revokes its session and returns ErrReused; an unknown
	// or expired one returns ErrNotFound; both take junk's token instead,
	// and when its bucket has none do nothing and return a *LimitedError.
	RotateRefresh(ctx context.Context, hash []byte, now time.Time, next Tokens, per Limit, junk Charge) (Session, error)
	Sessions(ctx context.Context, accountID string) ([]Session, error)
	RevokeSession(ctx context.Context, accountID, id string) error
	// RevokeSessions ends every session of the account but except.
	RevokeSessions(ctx context.Context, accountID, except string) (int, error)

	// Devices.

	// DeviceByToken returns the device whose token hashes to hash, of any
	// account; ErrNotFound when there is none.
	DeviceByToken(ctx context.Context, hash []byte) (Device, error)
	// Devices lists the account's devices, the last seen first.
	Devices(ctx context.Context, accountID string) ([]Device, error)
	// ForgetDevice deletes a device of the account (its token stops
	// working, its trust ends, its sessions stay) and its lockout, and
	// returns its name; ErrNotFound when the account has no such device.
	ForgetDevice(ctx context.Context, accountID, id string) (name string, err error)

	PutResetToken(ctx context.Context, hash []byte, accountID string, expires time.Time) error
	ResetToken(ctx context.Context, hash []byte, now time.Time) (accountID string, err error)
	// CompleteReset spends the reset token (ErrNotFound when it is spent or
	// expired), sets the password, clears ResetRequired, spends every other
	// reset token, ends every session and challenge, forgets every device,
	// lifts the locks of the account and of its devices and removes a
	// phone number verified after settledBy (as ChangePassword does), in
	// one transaction; dev, if not nil, then becomes the account's one
	// known device (the one that reset, not trusted).
	CompleteReset(ctx context.Context, tokenHash []byte, now time.Time, accountID, email, passwordHash string, settledBy time.Time, dev *Device) error

	// "This wasn't me" links.

	// PutWasntMeToken stores a token under its digest hash.
	PutWasntMeToken(ctx context.Context, hash []byte, t WasntMeToken) error
	// WasntMeToken returns the token whose digest is hash, used or not,
	// expired or not, until Purge deletes it; ErrNotFound when there is
	// none.
	WasntMeToken(ctx context.Context, hash []byte) (WasntMeToken, error)
	// SecureAccount spends the token whose digest is hash (ErrUsed when it
	// was used, ErrNotFound when it is unknown or expired at now, and
	// nothing changes) and, in the same transaction, ends every session
	// and challenge of its account and the trust of every device of it,
	// deletes its reset tokens, the address's mailed reset codes and its
	// phone number (verified or pending: a thief's phone would take the
	// next reset), sets ResetRequired and records e in its activity. It
	// returns the account's id.
	SecureAccount(ctx context.Context, hash []byte, now time.Time, e authapi.ActivityEvent) (accountID string, err error)

	// ClaimNotice records that a security notice of kind goes to the
	// account at now, unless one went within NoticeEvery before: false
	// then, and nothing changes. Of concurrent claims, one wins.
	ClaimNotice(ctx context.Context, accountID, kind string, now time.Time) (bool, error)

	AddActivity(ctx context.Context, accountID string, e authapi.ActivityEvent) error
	Activity(ctx context.Context, accountID string, limit int) ([]authapi.ActivityEvent, error)

	AddMail(ctx context.Context, m authapi.Mail) error
	// Mails lists the newest 100 mails to an address, or to anyone when
	// to is empty, newest first.
	Mails(ctx context.Context, to string) ([]authapi.Mail, error)

	Maintenance(ctx context.Context) (Maintenance, error)
	SetMaintenance(ctx context.Context, m Maintenance) error
	// Ping checks that the database answers a query.
	Ping(ctx context.Context) error

	// Administration: the operator's commands (sesame-authd admin).

	// FindAccounts lists at most limit accounts whose address contains
	// text, the newest first.
	FindAccounts(ctx context.Context, text string, limit int) ([]Account, error)
	// Lockout returns the failure count and lock of a lockout key: an
	// address, or one made with DeviceKeyPrefix or ResetKeyPrefix.
	Lockout(ctx context.Context, key string) (Lockout, error)
	// Administer does e.Action (an Action constant) to the account
	// e.AccountID at e.At and writes e to the audit log, with the
	// account's address and the outcome, in the same transaction; it
	// returns the entry written. ErrNotFound: no such account, and nothing
	// is written.
	Administer(ctx context.Context, e AuditEntry) (AuditEntry, error)
	// AuditLog lists at most limit audit entries, the newest first: those
	// whose account id or address is account, or all when it is empty.
	AuditLog(ctx context.Context, account string, limit int) ([]AuditEntry, error)

	// Rate limits.

	// TakeToken takes a token of key's bucket under l at now, in one
	// statement, exact however many servers share the database; when the
	// bucket has none it takes nothing and says how long until it has one.
	// The key is stored as its digest (LimitKey). A Limit with no rate
	// takes nothing and allows.
	TakeToken(ctx context.Context, key string, l Limit, now time.Time) (ok bool, wait time.Duration, err error)

	// Phones.

	// SetPendingPhone makes number the account's phone number waiting for
	// its texted code, in place of any before; the verified one stays.
	SetPendingPhone(ctx context.Context, accountID, number string) error
	// Phone returns the account's phone numbers: the zero Phone when it
	// has none.
	Phone(ctx context.Context, accountID string) (Phone, error)
	// ConfirmPhone makes the pending number the verified one, verified at
	// now, if it is still number; ErrNotFound otherwise.
	ConfirmPhone(ctx context.Context, accountID, number string, now time.Time) error
	// RemovePhone removes the account's verified and pending numbers;
	// ErrNotFound when it had neither.
	RemovePhone(ctx context.Context, accountID string) error

	// Tickets: support requests.

	// CreateTicket stores t, whose Status is authapi.TicketOpen, unless its
	// account has maxOpen tickets that are not closed: ErrTicketLimit.
	// ErrExists: its number is taken.
	CreateTicket(ctx context.Context, t Ticket, maxOpen int) error
	// Tickets lists the tickets of an account that are not purged, with
	// their replies, the newest first.
	Tickets(ctx context.Context, accountID string) ([]Ticket, error)
	// Ticket returns a ticket with its replies; ErrNotFound.
	Ticket(ctx context.Context, number string) (Ticket, error)
	// FindTickets lists at most limit tickets of status (every status when
	// empty) without their replies, the least recently updated first.
	FindTickets(ctx context.Context, status string, limit int) ([]Ticket, error)
	// AnswerTicket does e.Action to the ticket number at e.At: with
	// ActionTicketReply, adds the reply text (not empty) and makes it
	// answered; with ActionTicketClose, adds text when not empty and
	// closes it. In the same transaction it writes e to the audit log with
	// the ticket's account and address, the ticket's number in front of
	// e.Reason, and the outcome, and returns the entry. ErrNotFound: no
	// such ticket, ErrTicketPurged: a purged one; nothing is written.
	AnswerTicket(ctx context.Context, number, text string, e AuditEntry) (AuditEntry, error)
	// PurgeTickets empties the tickets closed before closedBefore (their
	// UpdatedAt) that are not purged yet: it deletes their description,
	// report, staff phrase, address and replies, and sets PurgedAt to now.
	// Their number, account, topic, status and dates stay, since the
	// audit log names the number. It returns how many it purged.
	PurgeTickets(ctx context.Context, closedBefore, now time.Time) (int, error)
}
