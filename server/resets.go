package server

import (
	"errors"
	"net/http"
	"time"

	"sesame/authapi"
	"sesame/server/mail"
	"sesame/server/store"
)

// resetTTL is how long a verified reset waits for the new password.
const resetTTL = 15 * time.Minute

// startReset mails a reset code: see startCode.
func (s *Server) startReset(w http.ResponseWriter, r *http.Request) error {
	return s.startCode(w, r, store.PurposeReset, mail.KindReset, nil)
}

// verifyReset trades a mailed reset code for a reset token.
func (s *Server) verifyReset(w http.ResponseWriter, r *http.Request) error {
	a, err := s.useMailedCode(w, r, store.PurposeReset)
	if err != nil {
		return err
	}
	token := randomToken()
	if err := s.cfg.Store.PutResetToken(r.Context(), digest("reset", token), a.ID, s.cfg.Now().Add(resetTTL)); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, authapi.ResetVerifyResponse{ResetToken: token, TwoFactorRequired: a.TOTPEnabled})
}

// completeReset sets the new password, signs out every session, forgets
// every device and lifts any lock; the resetting device becomes the
// account's one known device, whose token it answers, so that a stranger
// who locks the address again does not stop the sign-in that follows.
func (s *Server) completeReset(w http.ResponseWriter, r *http.Request) error {
	var req authapi.ResetCompleteRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if err := required("reset_token", req.ResetToken); err != nil {
		return err
	}
	name, err := deviceName(req.DeviceName)
	if err != nil {
		return err
	}
	now, devToken := s.cfg.Now().UTC(), randomToken()
	dev := store.Device{ID: randomID(), TokenHash: digest("device", devToken), DeviceName: name, CreatedAt: now, LastSeenAt: now}
	ctx := r.Context()
	expired := problem(http.StatusGone, authapi.CodeResetTokenExpired,
		"The reset took too long or was already used; start again.")
	tokenHash := digest("reset", req.ResetToken)
	id, err := s.cfg.Store.ResetToken(ctx, tokenHash, s.cfg.Now())
	if errors.Is(err, store.ErrNotFound) {
		return expired
	} else if err != nil {
		return err
	}
	a, err := s.cfg.Store.AccountByID(ctx, id)
	if err != nil {
		return err
	}
	if err := weak(req.NewPassword, a.Email); err != nil {
		p := err.(*authapi.Problem)
		if p.Field == "password" {
			p.Field = "new_password"
		}
		return p
	}
	var at *attempt
	var device string
	if a.TOTPEnabled {
		if err := s.limit(ctx, s.acctRate, "2fa:"+a.Email); err != nil {
			return err
		}
		if err := oneCode(req.TOTPCode, req.RecoveryCode); err != nil {
			return err
		}
		// Wrong codes count like a sign-in's, on the device's key when
		// the request names a known device of the account, else on the
		// reset key of the address (not its sign-in key, which anyone who
		// knows the address can lock).
		dev, err := s.knownDevice(ctx, req.DeviceToken, &a)
		if err != nil {
			return err
		}
		key := store.ResetKeyPrefix + a.Email
		if dev != nil {
			device, key = dev.DeviceName, lockKey(a.Email, dev.ID)
		}
		if at, err = s.reserve(ctx, key); err != nil {
			return err
		}
		defer at.release()
	}
	// The hash comes before the second factor is spent: a busy server must
	// not spend it and then fail.
	hash, err := s.hashPassword(ctx, hashKeys(r, a.Email), req.NewPassword)
	if err != nil {
		return err
	}
	if a.TOTPEnabled {
		if err := s.checkSecondFactor(r, a, at, device, req.TOTPCode, req.RecoveryCode); err != nil {
			return err
		}
	}
	settledBy := s.settledBy()
	phoneGoes, err := s.unsettledPhone(ctx, a.ID, settledBy)
	if err != nil {
		return err
	}
	err = s.cfg.Store.CompleteReset(ctx, tokenHash, s.cfg.Now(), a.ID, a.Email, hash, settledBy, &dev)
	if errors.Is(err, store.ErrNotFound) {
		return expired
	} else if err != nil {
		return err
	}
	if phoneGoes {
		s.phoneRemoved(r, a, device)
	}
	if req.RecoveryCode != "" && a.TOTPEnabled {
		s.activity(ctx, a.ID, r, device, authapi.ResultRecoveryCodeUsed)
	}
	s.activity(ctx, a.ID, r, device, authapi.ResultPasswordReset)
	s.sendMail(notice(mail.KindPasswordChanged, a))
	w.Header().Set(authapi.DeviceTokenHeader, devToken)
	w.WriteHeader(http.StatusNoContent)
	return nil
}
