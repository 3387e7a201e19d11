package server

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"sesame/authapi"
	"sesame/server/mail"
	"sesame/server/passhash"
	"sesame/server/store"
)

// challengeTTL is how long a two-factor challenge waits for its code.
const challengeTTL = 5 * time.Minute

// principal is who an authenticated request comes from.
type principal struct {
	Account store.Account
	Session store.Session
}

type authedHandler func(w http.ResponseWriter, r *http.Request, p principal) error

// signedIn marks the context of a request whose access token was valid.
type signedIn struct{}

// authed resolves the bearer access token before h.
func (s *Server) authed(h authedHandler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		unauthorized := problem(http.StatusUnauthorized, authapi.CodeUnauthorized,
			"Sign in again: the access token is missing, expired or revoked.")
		scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		if !ok || !strings.EqualFold(scheme, authapi.TokenTypeBearer) || token == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="sesame"`)
			return unauthorized
		}
		se, err := s.cfg.Store.SessionByAccess(r.Context(), digest("access", token), s.cfg.Now())
		if errors.Is(err, store.ErrNotFound) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="sesame", error="invalid_token"`)
			return unauthorized
		}
		if err != nil {
			return err
		}
		a, err := s.sessionAccount(r.Context(), se, unauthorized)
		if err != nil {
			if err == unauthorized {
				w.Header().Set("WWW-Authenticate", `Bearer realm="sesame", error="invalid_token"`)
			}
			return err
		}
		// The authenticated requests' limit bounds load only (every guess
		// made under a session has a limit of its own), so it fails open:
		// a database that refuses writes still serves the account's reads.
		if err := s.limit(r.Context(), s.authRate, "account:"+a.ID); err != nil {
			var p *authapi.Problem
			if errors.As(err, &p) {
				return err
			}
			s.log.Error("checking the authenticated requests' rate limit failed", "err", err)
		}
		r = r.WithContext(context.WithValue(r.Context(), signedIn{}, true))
		return h(w, r, principal{Account: a, Session: se})
	}
}

// sessionAccount returns the account of a session that may still be used:
// a session older than SessionMaxAge is deleted and answered with tooOld,
// a suspended account with 403.
func (s *Server) sessionAccount(ctx context.Context, se store.Session, tooOld *authapi.Problem) (store.Account, error) {
	if !s.cfg.Now().Before(se.CreatedAt.Add(s.cfg.SessionMaxAge)) {
		if err := s.cfg.Store.RevokeSession(ctx, se.AccountID, se.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return store.Account{}, err
		}
		return store.Account{}, tooOld
	}
	a, err := s.cfg.Store.AccountByID(ctx, se.AccountID)
	if err != nil {
		return a, err
	}
	if a.Suspended {
		return a, suspended()
	}
	return a, nil
}

func suspended() error {
	return problem(http.StatusForbidden, authapi.CodeAccountSuspended, "This account is suspended; contact support.")
}

func (s *Server) signIn(w http.ResponseWriter, r *http.Request) error {
	var req authapi.CreateSessionRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	email, err := s.emailOf(req.Email)
	if err != nil {
		return err
	}
	if err := required("password", req.Password); err != nil {
		return err
	}
	device, err := deviceName(req.DeviceName)
	if err != nil {
		return err
	}
	ctx := r.Context()
	if err := s.limit(ctx, s.acctRate, "signin:"+email); err != nil {
		return err
	}
	acct, dev, err := s.accountAndDevice(ctx, email, req.DeviceToken)
	if err != nil {
		return err
	}
	at, err := s.reserve(ctx, lockKey(email, deviceID(dev)))
	if err != nil {
		return err
	}
	defer at.release()
	at.trusted = dev != nil && dev.Trusted(s.cfg.Now())
	keys := hashKeys(r, email)
	ok, err := s.verifyPassword(ctx, keys, acct, req.Password)
	if err != nil {
		return err
	}
	if !ok {
		if pending, err := s.pendingRegistration(ctx, keys, email, req.Password); err != nil {
			return err
		} else if pending {
			return notVerified()
		}
	}
	if !ok {
		return s.failure(ctx, r, acct, at, device, "", authapi.CodeInvalidCredentials,
			authapi.ResultInvalidCredentials, "The email or the password is wrong.")
	}
	a := *acct
	if passhash.NeedsRehash(a.PasswordHash, s.cfg.Hash) {
		if h, err := s.hashPassword(ctx, keys, req.Password); err == nil {
			// Only if no reset or change came in between.
			if err := s.cfg.Store.ReplacePasswordHash(ctx, a.ID, a.PasswordHash, h); err == nil {
				a.PasswordHash = h
			} else if !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
	}
	switch {
	case a.Suspended:
		return suspended()
	case a.ResetRequired:
		return problem(http.StatusForbidden, authapi.CodePasswordResetRequired,
			"A \"this wasn't me\" link of a security notice locked this account: reset the password to sign in.")
	case !a.Verified:
		return notVerified()
	case a.TOTPEnabled && (dev == nil || !dev.Trusted(s.cfg.Now())):
		id := randomToken()
		exp := s.cfg.Now().Add(challengeTTL)
		if err := s.cfg.Store.PutChallenge(ctx, digest("challenge", id), store.Challenge{
			AccountID: a.ID, DeviceName: device, DeviceID: deviceID(dev), ExpiresAt: exp,
		}); err != nil {
			return err
		}
		p := problem(http.StatusUnauthorized, authapi.CodeTwoFactorRequired,
			"Enter the code of your authenticator app or a recovery code.")
		p.ChallengeID, p.ChallengeExpiresAt = id, authapi.Time(exp)
		p.Methods = []string{authapi.MethodTOTP, authapi.MethodRecoveryCode}
		return p
	}
	return s.startSession(w, r, a, device, dev, req.DeviceToken, false, at)
}

// notVerified answers the right password of a registration not verified yet.
func notVerified() error {
	return problem(http.StatusForbidden, authapi.CodeAccountNotVerified,
		"This account's email address is not verified yet; enter the code we mailed.")
}

// attempt is a reserved attempt on a lockout key (see lockKey): its
// password or code may be checked, and a failure is counted by fail.
type attempt struct {
	s       *Server
	id, key string
	done    bool
	// trusted marks an attempt from the owner's trusted device: a lock it
	// takes sends no notice.
	trusted bool
}

// reserve reserves an attempt on key before its password or code is
// checked: 423 while the key is locked, 429 while as many attempts as
// the lock allows are already being checked.
func (s *Server) reserve(ctx context.Context, key string) (*attempt, error) {
	id, l, err := s.cfg.Store.ReserveAttempt(ctx, key, s.cfg.Now(), time.Minute, s.cfg.Lock)
	switch {
	case errors.Is(err, store.ErrLocked):
		return nil, locked(l)
	case errors.Is(err, store.ErrBusy):
		p := problem(http.StatusTooManyRequests, authapi.CodeRateLimited,
			"Other sign-in attempts for this account are being checked; try again in a moment.")
		p.RetryAfterSeconds = authapi.Int(1)
		return nil, p
	case err != nil:
		return nil, err
	}
	return &attempt{s: s, id: id, key: key}, nil
}

// fail counts the attempt as failed.
func (at *attempt) fail(ctx context.Context) (store.Lockout, error) {
	at.done = true
	return at.s.cfg.Store.FinishAttempt(ctx, at.id, at.key, true, at.s.cfg.Now(), at.s.cfg.Lock)
}

// release ends the attempt without counting it, unless fail did.
func (at *attempt) release() {
	if at.done {
		return
	}
	at.done = true
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := at.s.cfg.Store.FinishAttempt(ctx, at.id, at.key, false, at.s.cfg.Now(), at.s.cfg.Lock); err != nil {
		at.s.log.Error("releasing a sign-in attempt failed", "err", err)
	}
}

func locked(l store.Lockout) error {
	p := problem(http.StatusLocked, authapi.CodeAccountLocked,
		"Too many wrong attempts: sign-in is locked for a while. Resetting the password unlocks it.")
	p.LockedUntil = authapi.Time(l.LockedUntil)
	return p
}

// failure counts a wrong password or code and answers 401 (naming field,
// if any) with the attempts left, or 423 when this failure locked the key.
func (s *Server) failure(ctx context.Context, r *http.Request, acct *store.Account, at *attempt, device, field string,
	code authapi.Code, result, detail string) error {
	l, err := at.fail(ctx)
	if err != nil {
		return err
	}
	isLocked := l.Locked(s.cfg.Now())
	if acct != nil {
		if isLocked {
			result = authapi.ResultLocked
		}
		s.activity(ctx, acct.ID, r, device, result)
	}
	if isLocked {
		s.metrics.locks.WithLabelValues(lockSignIn).Inc()
		if acct != nil && !at.trusted {
			s.notify(r, mail.KindLocked, *acct, device, func(_ context.Context, d *mail.Data) error {
				d.LockedUntil = l.LockedUntil
				return nil
			})
		}
		return locked(l)
	}
	p := problemField(http.StatusUnauthorized, code, field, detail)
	p.AttemptsLeft = authapi.Int(s.cfg.Lock.MaxFailures - l.Failures)
	return p
}

func (s *Server) signInTwoFactor(w http.ResponseWriter, r *http.Request) error {
	var req authapi.TwoFactorSessionRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if err := required("challenge_id", req.ChallengeID); err != nil {
		return err
	}
	if err := oneCode(req.TOTPCode, req.RecoveryCode); err != nil {
		return err
	}
	ctx := r.Context()
	expired := problem(http.StatusGone, authapi.CodeChallengeExpired,
		"The sign-in took too long or was already completed; sign in again.")
	idHash := digest("challenge", req.ChallengeID)
	ch, err := s.cfg.Store.Challenge(ctx, idHash, s.cfg.Now())
	if errors.Is(err, store.ErrNotFound) {
		return expired
	} else if err != nil {
		return err
	}
	a, err := s.cfg.Store.AccountByID(ctx, ch.AccountID)
	if err != nil {
		return err
	}
	if err := s.limit(ctx, s.acctRate, "2fa:"+a.Email); err != nil {
		return err
	}
	at, err := s.reserve(ctx, lockKey(a.Email, ch.DeviceID))
	if err != nil {
		return err
	}
	defer at.release()
	ok, err := s.secondFactor(ctx, a, req.TOTPCode, req.RecoveryCode)
	if err != nil {
		return err
	}
	if !ok {
		// The challenge proves the password: a trusted device gets none.
		s.notify(r, mail.KindTwoFactorFailed, a, ch.DeviceName, nil)
		return s.failure(ctx, r, &a, at, ch.DeviceName, "", authapi.CodeInvalidTwoFactorCode,
			authapi.ResultInvalidTwoFactorCode, "The code is wrong or was already used.")
	}
	if err := s.cfg.Store.DeleteChallenge(ctx, idHash); errors.Is(err, store.ErrNotFound) {
		return expired
	} else if err != nil {
		return err
	}
	if req.RecoveryCode != "" {
		s.activity(ctx, a.ID, r, ch.DeviceName, authapi.ResultRecoveryCodeUsed)
		s.notify(r, mail.KindRecoveryCodeUsed, a, ch.DeviceName, func(ctx context.Context, d *mail.Data) (err error) {
			d.Count, err = s.cfg.Store.RecoveryCodesLeft(ctx, a.ID)
			return err
		})
	}
	var dev *store.Device
	if ch.DeviceID != "" {
		dev = &store.Device{ID: ch.DeviceID}
	}
	return s.startSession(w, r, a, ch.DeviceName, dev, "", req.TrustDevice, at)
}

// oneCode checks that exactly one of a TOTP code and a recovery code is given.
func oneCode(totp, recovery string) error {
	if (totp == "") == (recovery == "") {
		return problemField(http.StatusBadRequest, authapi.CodeInvalidRequest, "totp_code",
			"Send either totp_code or recovery_code.")
	}
	return nil
}

// secondFactor checks a TOTP code (spending its step) or spends a recovery
// code. A TOTP secret that does not open fails with ErrTOTPSecret.
func (s *Server) secondFactor(ctx context.Context, a store.Account, totp, recovery string) (bool, error) {
	if !a.TOTPEnabled {
		return false, nil
	}
	if totp != "" {
		secret, err := s.totp.open(a.ID, a.TOTPSecret)
		if err != nil {
			return false, err
		}
		step, ok := matchTOTP(secret, totp, s.cfg.Now())
		if !ok {
			return false, nil
		}
		return s.cfg.Store.UseTOTPStep(ctx, a.ID, step)
	}
	code, err := authapi.NormalizeRecoveryCode(recovery)
	if err != nil {
		return false, nil
	}
	return s.cfg.Store.UseRecoveryCode(ctx, a.ID, digest("recovery", a.ID, code), s.cfg.Now())
}

// startSession issues a session and its first token pair on the device
// dev (a new one when nil), ends the attempt and forgets the failures
// counted on its key and on the address. token is dev's token as the
// request sent it; without it dev gets a new one. trust trusts the device
// for TrustDays. A password changed (or a device forgotten) since it was
// checked is answered as a wrong password.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, a store.Account, device string,
	dev *store.Device, token string, trust bool, at *attempt) error {
	ctx := r.Context()
	now := s.cfg.Now().UTC()
	access, refresh := randomToken(), randomToken()
	se := store.Session{ID: randomID(), AccountID: a.ID, DeviceName: device, IP: clientIP(r), CreatedAt: now, LastSeenAt: now}
	d := store.Device{ID: deviceID(dev), DeviceName: device, CreatedAt: now, LastSeenAt: now}
	if d.ID == "" {
		d.ID = randomID()
	}
	// The token sent is kept only when it is a known device's; an unknown
	// one (forgotten, of another account, made up) gets a new one.
	if dev == nil || token == "" {
		token = randomToken()
		d.TokenHash = digest("device", token)
	}
	if trust {
		d.TrustedUntil = now.Add(trustFor)
	}
	err := s.cfg.Store.CreateSession(ctx, store.NewSession{
		Session: se, Tokens: s.tokens(access, refresh, now), PasswordHash: a.PasswordHash,
		Email: a.Email, LockKey: at.key, AttemptID: at.id, Device: d, Known: dev != nil,
	})
	if errors.Is(err, store.ErrNotFound) {
		return problem(http.StatusUnauthorized, authapi.CodeInvalidCredentials,
			"The password was changed, or this device forgotten, while signing in; sign in again.")
	} else if err != nil {
		return err
	}
	at.done = true
	if dev == nil {
		s.notifyNewDevice(r, a, device)
	}
	t := s.tokenAnswer(access, refresh, se.ID)
	t.DeviceToken = token
	return writeJSON(w, http.StatusCreated, t)
}

func (s *Server) tokens(access, refresh string, now time.Time) store.Tokens {
	return store.Tokens{
		Access: digest("access", access), AccessExpires: now.Add(s.cfg.AccessTTL),
		Refresh: digest("refresh", refresh), RefreshExpires: now.Add(s.cfg.RefreshTTL),
	}
}

func (s *Server) tokenAnswer(access, refresh, sessionID string) authapi.Tokens {
	return authapi.Tokens{
		AccessToken: access, RefreshToken: refresh, TokenType: authapi.TokenTypeBearer,
		ExpiresIn: int(s.cfg.AccessTTL.Seconds()), SessionID: sessionID,
	}
}

func (s *Server) refresh(w http.ResponseWriter, r *http.Request) error {
	var req authapi.RefreshRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if err := required("refresh_token", req.RefreshToken); err != nil {
		return err
	}
	now := s.cfg.Now().UTC()
	access, refresh := randomToken(), randomToken()
	// A valid token's session keeps its bucket in the row the rotation
	// updates anyway, which costs a refresh no statement of its own; only
	// a token that names no live session spends its address's.
	se, err := s.cfg.Store.RotateRefresh(r.Context(), digest("refresh", req.RefreshToken), now, s.tokens(access, refresh, now),
		s.sessRate, store.Charge{Key: addrKey(clientIP(r)), Limit: s.ipRate})
	var limited *store.LimitedError
	switch {
	case errors.As(err, &limited):
		return rateLimited(limited.Wait)
	case errors.Is(err, store.ErrReused):
		s.activity(r.Context(), se.AccountID, r, se.DeviceName, authapi.ResultRefreshTokenReused)
		return problem(http.StatusUnauthorized, authapi.CodeRefreshTokenReused,
			"This sign-in was used twice, which can mean it was stolen; the session is now signed out. Sign in again.")
	case errors.Is(err, store.ErrNotFound):
		return invalidRefresh()
	case err != nil:
		return err
	}
	if _, err := s.sessionAccount(r.Context(), se, invalidRefresh()); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, s.tokenAnswer(access, refresh, se.ID))
}

func invalidRefresh() *authapi.Problem {
	return problem(http.StatusUnauthorized, authapi.CodeInvalidRefreshToken,
		"The remembered sign-in expired or was signed out; sign in again.")
}

func (s *Server) listSessions(w http.ResponseWriter, r *http.Request, p principal) error {
	list, err := s.cfg.Store.Sessions(r.Context(), p.Account.ID)
	if err != nil {
		return err
	}
	out := authapi.SessionList{Sessions: []authapi.Session{}}
	for _, se := range list {
		out.Sessions = append(out.Sessions, authapi.Session{
			ID: se.ID, DeviceName: se.DeviceName, CreatedAt: se.CreatedAt, LastSeenAt: se.LastSeenAt,
			IP: se.IP, Current: se.ID == p.Session.ID,
		})
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *Server) revokeSession(w http.ResponseWriter, r *http.Request, p principal) error {
	return s.revoke(w, r, p, r.PathValue("id"))
}

func (s *Server) revokeCurrent(w http.ResponseWriter, r *http.Request, p principal) error {
	return s.revoke(w, r, p, p.Session.ID)
}

func (s *Server) revoke(w http.ResponseWriter, r *http.Request, p principal, id string) error {
	err := s.cfg.Store.RevokeSession(r.Context(), p.Account.ID, id)
	if errors.Is(err, store.ErrNotFound) {
		return problem(http.StatusNotFound, authapi.CodeNotFound, "There is no such session of this account.")
	} else if err != nil {
		return err
	}
	s.activity(r.Context(), p.Account.ID, r, p.Session.DeviceName, authapi.ResultSessionRevoked)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) revokeOthers(w http.ResponseWriter, r *http.Request, p principal) error {
	n, err := s.cfg.Store.RevokeSessions(r.Context(), p.Account.ID, p.Session.ID)
	if err != nil {
		return err
	}
	if n > 0 {
		s.activity(r.Context(), p.Account.ID, r, p.Session.DeviceName, authapi.ResultSessionRevoked)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func deviceName(d string) (string, error) {
	if d == "" {
		return "Unknown device", nil
	}
	if authapi.ValidateDeviceName(d) != nil {
		return "", problemField(http.StatusBadRequest, authapi.CodeInvalidRequest, "device_name",
			"The device name must be 1 to 64 printable characters.")
	}
	return d, nil
}
