package server

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"sesame/authapi"
	"sesame/server/mail"
	"sesame/server/store"
)

func (s *Server) me(w http.ResponseWriter, r *http.Request, p principal) error {
	left, err := s.cfg.Store.RecoveryCodesLeft(r.Context(), p.Account.ID)
	if err != nil {
		return err
	}
	number, err := s.phoneNumber(r.Context(), p.Account.ID)
	if err != nil {
		return err
	}
	last, err := s.cfg.Store.RecoveryCodeLastUsed(r.Context(), p.Account.ID)
	if err != nil {
		return err
	}
	a := p.Account
	me := authapi.Me{
		Email: a.Email, Verified: a.Verified, TwoFactorEnabled: a.TOTPEnabled, RecoveryCodesLeft: left,
		AntiPhishingPhrase: a.AntiPhishing, CreatedAt: a.CreatedAt, Language: a.Language,
	}
	if number != "" {
		me.Phone = authapi.MaskPhone(number)
	}
	if !last.IsZero() {
		me.RecoveryCodeLastUsed = &last
	}
	return writeJSON(w, http.StatusOK, me)
}

// setLanguage sets the language of the account's mails; it needs no
// password, as it changes nothing but the mails' words.
func (s *Server) setLanguage(w http.ResponseWriter, r *http.Request, p principal) error {
	var req authapi.LanguageRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if !slices.Contains(mail.Languages(), req.Language) {
		return problemField(http.StatusBadRequest, authapi.CodeInvalidRequest, "language",
			"The language must be one of "+strings.Join(mail.Languages(), ", ")+".")
	}
	if err := s.cfg.Store.SetLanguage(r.Context(), p.Account.ID, req.Language); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// reauthenticate checks the password (named field) that an authenticated
// request carries. It reserves an attempt on the session's lockout key and
// counts a wrong password there as a failed sign-in, so that a stolen
// access token is no password-guessing oracle: 401 invalid_credentials
// with the attempts left, 423 while locked. The returned attempt stays
// reserved for a second factor; the caller releases it.
func (s *Server) reauthenticate(r *http.Request, p principal, field, password string) (*attempt, error) {
	if err := required(field, password); err != nil {
		return nil, err
	}
	if err := s.limit(r.Context(), s.acctRate, "password:"+p.Account.Email); err != nil {
		return nil, err
	}
	ctx := r.Context()
	at, err := s.reserve(ctx, lockKey(p.Account.Email, p.Session.DeviceID))
	if err != nil {
		return nil, err
	}
	ok, err := s.verifyPassword(ctx, hashKeys(r, p.Account.Email), &p.Account, password)
	if err == nil && !ok {
		err = s.failure(ctx, r, &p.Account, at, p.Session.DeviceName, field, authapi.CodeInvalidCredentials,
			authapi.ResultInvalidCredentials, "The password is wrong.")
	}
	if err != nil {
		at.release()
		return nil, err
	}
	return at, nil
}

// changePassword sets a new password and signs out every other session.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request, p principal) error {
	var req authapi.ChangePasswordRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	// The policy is checked first: it costs no hash.
	if err := weak(req.NewPassword, p.Account.Email); err != nil {
		err.(*authapi.Problem).Field = "new_password"
		return err
	}
	at, err := s.reauthenticate(r, p, "current_password", req.CurrentPassword)
	if err != nil {
		return err
	}
	defer at.release()
	hash, err := s.hashPassword(r.Context(), hashKeys(r, p.Account.Email), req.NewPassword)
	if err != nil {
		return err
	}
	settledBy := s.settledBy()
	phoneGoes, err := s.unsettledPhone(r.Context(), p.Account.ID, settledBy)
	if err != nil {
		return err
	}
	err = s.cfg.Store.ChangePassword(r.Context(), p.Account.ID, p.Account.PasswordHash, hash, p.Session.ID, settledBy)
	if errors.Is(err, store.ErrNotFound) {
		return problemField(http.StatusUnauthorized, authapi.CodeInvalidCredentials, "current_password",
			"The password was changed meanwhile; sign in again.")
	} else if err != nil {
		return err
	}
	if phoneGoes {
		s.phoneRemoved(r, p.Account, p.Session.DeviceName)
	}
	s.sendMail(notice(mail.KindPasswordChanged, p.Account))
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) setPhrase(w http.ResponseWriter, r *http.Request, p principal) error {
	var req authapi.AntiPhishingRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if authapi.ValidatePhrase(req.Phrase) != nil {
		return problemField(http.StatusUnprocessableEntity, authapi.CodeInvalidPhrase, "phrase",
			"The anti-phishing phrase must be 1 to 64 printable characters.")
	}
	at, err := s.reauthenticate(r, p, "password", req.Password)
	if err != nil {
		return err
	}
	defer at.release()
	if err := s.cfg.Store.SetAntiPhishing(r.Context(), p.Account.ID, req.Phrase); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// startTwoFactor makes a pending TOTP secret; it is live once confirmed.
func (s *Server) startTwoFactor(w http.ResponseWriter, r *http.Request, p principal) error {
	var req authapi.PasswordRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if p.Account.TOTPEnabled {
		return problem(http.StatusConflict, authapi.CodeTwoFactorAlreadyEnabled, "Two-factor sign-in is already on.")
	}
	at, err := s.reauthenticate(r, p, "password", req.Password)
	if err != nil {
		return err
	}
	defer at.release()
	key, err := newTOTPKey(s.cfg.Issuer, p.Account.Email)
	if err != nil {
		return err
	}
	sealed, err := s.totp.seal(p.Account.ID, key.Secret())
	if err != nil {
		return err
	}
	if err := s.cfg.Store.SetPendingTOTP(r.Context(), p.Account.ID, sealed); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, authapi.TwoFactorSetup{Secret: key.Secret(), OTPAuthURI: key.URL()})
}

func (s *Server) confirmTwoFactor(w http.ResponseWriter, r *http.Request, p principal) error {
	var req authapi.TOTPRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	a := p.Account
	switch {
	case a.TOTPEnabled:
		return problem(http.StatusConflict, authapi.CodeTwoFactorAlreadyEnabled, "Two-factor sign-in is already on.")
	case a.TOTPPending == "":
		return problem(http.StatusConflict, authapi.CodeTwoFactorNotPending, "Start turning on two-factor sign-in first.")
	}
	if err := required("totp_code", req.TOTPCode); err != nil {
		return err
	}
	if err := s.limit(r.Context(), s.acctRate, "2fa:"+a.Email); err != nil {
		return err
	}
	pending, err := s.totp.open(a.ID, a.TOTPPending)
	if err != nil {
		return err
	}
	step, ok := matchTOTP(pending, req.TOTPCode, s.cfg.Now())
	if ok {
		ok, err := s.cfg.Store.UseTOTPStep(r.Context(), a.ID, step)
		if err != nil {
			return err
		}
		if !ok {
			step = -1
		}
	}
	if !ok || step < 0 {
		return problemField(http.StatusUnauthorized, authapi.CodeInvalidTwoFactorCode, "totp_code",
			"The code is wrong; check the time of this device and the app.")
	}
	codes, hashes := s.newRecoveryCodes(a.ID)
	err = s.cfg.Store.EnableTOTP(r.Context(), a.ID, a.TOTPPending, hashes)
	if errors.Is(err, store.ErrNotFound) {
		return problem(http.StatusConflict, authapi.CodeTwoFactorNotPending,
			"Turning on two-factor sign-in was started again elsewhere; scan the new QR code.")
	} else if err != nil {
		return err
	}
	s.activity(r.Context(), a.ID, r, p.Session.DeviceName, authapi.ResultTwoFactorEnabled)
	s.sendMail(notice(mail.KindTwoFactorEnabled, a))
	return writeJSON(w, http.StatusOK, authapi.RecoveryCodes{RecoveryCodes: codes})
}

func (s *Server) newRecoveryCodes(accountID string) (codes []string, hashes [][]byte) {
	for range authapi.RecoveryCodeCount {
		c := authapi.NewRecoveryCode()
		codes = append(codes, authapi.FormatRecoveryCode(c))
		hashes = append(hashes, digest("recovery", accountID, c))
	}
	return codes, hashes
}

// confirmOwner checks the password and a second factor for a change of the
// two-factor settings; a wrong one counts on the session's lockout key.
func (s *Server) confirmOwner(r *http.Request, p principal, password, totp, recovery string) error {
	if !p.Account.TOTPEnabled {
		return problem(http.StatusConflict, authapi.CodeTwoFactorNotEnabled, "Two-factor sign-in is off.")
	}
	if err := required("password", password); err != nil {
		return err
	}
	if err := oneCode(totp, recovery); err != nil {
		return err
	}
	at, err := s.reauthenticate(r, p, "password", password)
	if err != nil {
		return err
	}
	defer at.release()
	return s.checkSecondFactor(r, p.Account, at, p.Session.DeviceName, totp, recovery)
}

// checkSecondFactor checks a TOTP or recovery code under the reserved
// attempt at, counting a wrong one and writing it to the activity log.
func (s *Server) checkSecondFactor(r *http.Request, a store.Account, at *attempt, device, totp, recovery string) error {
	ok, err := s.secondFactor(r.Context(), a, totp, recovery)
	if err != nil || ok {
		return err
	}
	return s.failure(r.Context(), r, &a, at, device, "totp_code", authapi.CodeInvalidTwoFactorCode,
		authapi.ResultInvalidTwoFactorCode, "The two-factor code is wrong or was already used.")
}

// checkTwoFactor checks an authenticator code of the signed-in account
// without signing in anywhere, for the security centre's "type today's
// code". It is not an oracle: a wrong code counts toward the sign-in lock
// of the session's device as at sign-in, and a right one is spent, so it
// cannot be replayed.
func (s *Server) checkTwoFactor(w http.ResponseWriter, r *http.Request, p principal) error {
	var req authapi.TOTPRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if !p.Account.TOTPEnabled {
		return problem(http.StatusConflict, authapi.CodeTwoFactorNotEnabled, "Two-factor sign-in is off.")
	}
	if err := required("totp_code", req.TOTPCode); err != nil {
		return err
	}
	if err := s.limit(r.Context(), s.acctRate, "2fa:"+p.Account.Email); err != nil {
		return err
	}
	at, err := s.reserve(r.Context(), lockKey(p.Account.Email, p.Session.DeviceID))
	if err != nil {
		return err
	}
	defer at.release()
	if err := s.checkSecondFactor(r, p.Account, at, p.Session.DeviceName, req.TOTPCode, ""); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) disableTwoFactor(w http.ResponseWriter, r *http.Request, p principal) error {
	var req authapi.DisableTwoFactorRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if err := s.confirmOwner(r, p, req.Password, req.TOTPCode, req.RecoveryCode); err != nil {
		return err
	}
	if err := s.cfg.Store.DisableTOTP(r.Context(), p.Account.ID); err != nil {
		return err
	}
	s.activity(r.Context(), p.Account.ID, r, p.Session.DeviceName, authapi.ResultTwoFactorDisabled)
	s.sendMail(notice(mail.KindTwoFactorDisabled, p.Account))
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) regenerateCodes(w http.ResponseWriter, r *http.Request, p principal) error {
	var req authapi.RegenerateCodesRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if err := required("totp_code", req.TOTPCode); err != nil && p.Account.TOTPEnabled {
		return err
	}
	if err := s.confirmOwner(r, p, req.Password, req.TOTPCode, ""); err != nil {
		return err
	}
	codes, hashes := s.newRecoveryCodes(p.Account.ID)
	if err := s.cfg.Store.ReplaceRecoveryCodes(r.Context(), p.Account.ID, hashes); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, authapi.RecoveryCodes{RecoveryCodes: codes})
}

func (s *Server) listActivity(w http.ResponseWriter, r *http.Request, p principal) error {
	limit := 20
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return problemField(http.StatusBadRequest, authapi.CodeInvalidRequest, "limit", "limit must be a number from 1 to 100.")
		}
		limit = n
	}
	events, err := s.cfg.Store.Activity(r.Context(), p.Account.ID, limit)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, authapi.ActivityList{Events: events})
}

func (s *Server) status(w http.ResponseWriter, r *http.Request) error {
	m, err := s.maintenanceState(r.Context())
	if err != nil {
		// The status always answers: a store that cannot be read is a
		// degraded server.
		s.log.Error("reading the maintenance switch failed", "err", err)
		m = store.Maintenance{}
	}
	st := authapi.StatusResponse{
		Status: authapi.StatusOK, MinClientVersion: s.cfg.MinClientVersion, LatestClientVersion: s.cfg.LatestClientVersion,
		DownloadURL: s.cfg.DownloadURL, ServerTime: s.cfg.Now().UTC().Truncate(1e9), MailFrom: s.cfg.MailFrom,
	}
	switch {
	case m.On:
		st.Status, st.Message, st.MaintenanceUntil = authapi.StatusMaintenance, m.Message, m.Until
	case err != nil:
		st.Status, st.Message = authapi.StatusDegraded, "The server cannot read its database."
	case s.cfg.Now().Unix()-s.mailFail.Load() < 600:
		st.Status, st.Message = authapi.StatusDegraded, "Mail delivery is failing; codes may arrive late."
	}
	return writeJSON(w, http.StatusOK, st)
}

// mailbox serves the local outbox, only when enabled and asked from
// loopback.
// Whether it exists at all is decided in gate.
func (s *Server) mailbox(w http.ResponseWriter, r *http.Request) error {
	to := r.URL.Query().Get("to")
	if err := required("to", to); err != nil {
		return err
	}
	mails, err := s.cfg.Store.Mails(r.Context(), authapi.NormalizeEmail(to))
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return writeJSON(w, http.StatusOK, authapi.Mailbox{Mails: mails})
}
