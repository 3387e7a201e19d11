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

// startReset answers 202 with an empty body whatever the address; a known
// account gets a mailed code, an unknown address a decoy code that never
// matches, so that its code answers go as a known one's do (both do the
// same reads and write; the mail goes in the background). Past the
// address's daily mail cap it does nothing, silently.
func (s *Server) startReset(w http.ResponseWriter, r *http.Request) error {
	var req authapi.EmailRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	email, err := s.emailOf(req.Email)
	if err != nil {
		return err
	}
	if err := s.limit(s.mailRate, email); err != nil {
		return err
	}
	if ok, _ := s.dailyMail.allow(email, s.cfg.Now()); !ok {
		w.WriteHeader(http.StatusAccepted)
		return nil
	}
	ctx := r.Context()
	a, err := s.cfg.Store.AccountByEmail(ctx, email)
	known := err == nil
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	code, hash := newCode(), decoyHash()
	if known {
		hash = s.codeHash(store.PurposeReset, email, code)
	}
	if err := s.cfg.Store.PutCode(ctx, email, store.PurposeReset, hash, s.cfg.Now().Add(s.cfg.CodeTTL), s.cfg.CodeAttempts); err != nil {
		return err
	}
	if known {
		s.sendMail(s.codeMail(mail.KindReset, email, code, a.AntiPhishing))
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

func (s *Server) verifyReset(w http.ResponseWriter, r *http.Request) error {
	var req authapi.EmailCodeRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	email, err := s.codeRequest(req, store.PurposeReset)
	if err != nil {
		return err
	}
	use, err := s.cfg.Store.UseCode(r.Context(), email, store.PurposeReset, s.cfg.Now(), s.cfg.CodeBudget,
		s.matchCode(store.PurposeReset, email, req.Code))
	if err := s.codeAnswer(r, email, use, err); err != nil {
		return err
	}
	a, err := s.cfg.Store.AccountByEmail(r.Context(), email)
	if err != nil {
		return err
	}
	token := randomToken()
	if err := s.cfg.Store.PutResetToken(r.Context(), digest("reset", token), a.ID, s.cfg.Now().Add(resetTTL)); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, authapi.ResetVerifyResponse{ResetToken: token, TwoFactorRequired: a.TOTPEnabled})
}

// completeReset sets the new password, signs out every session and lifts
// any lock.
func (s *Server) completeReset(w http.ResponseWriter, r *http.Request) error {
	var req authapi.ResetCompleteRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if err := required("reset_token", req.ResetToken); err != nil {
		return err
	}
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
	if a.TOTPEnabled {
		if err := s.limit(s.acctRate, "2fa:"+a.Email); err != nil {
			return err
		}
		if err := oneCode(req.TOTPCode, req.RecoveryCode); err != nil {
			return err
		}
	}
	// The hash comes before the second factor is spent: a busy server must
	// not spend it and then fail.
	hash, err := s.hashPassword(ctx, req.NewPassword)
	if err != nil {
		return err
	}
	if a.TOTPEnabled {
		ok, err := s.secondFactor(ctx, a, req.TOTPCode, req.RecoveryCode)
		if err != nil {
			return err
		}
		if !ok {
			return problemField(http.StatusUnauthorized, authapi.CodeInvalidTwoFactorCode, "totp_code",
				"The two-factor code is wrong or was already used.")
		}
	}
	err = s.cfg.Store.CompleteReset(ctx, tokenHash, s.cfg.Now(), a.ID, a.Email, hash)
	if errors.Is(err, store.ErrNotFound) {
		return expired
	} else if err != nil {
		return err
	}
	if req.RecoveryCode != "" && a.TOTPEnabled {
		s.activity(ctx, a.ID, r, "", authapi.ResultRecoveryCodeUsed)
	}
	s.activity(ctx, a.ID, r, "", authapi.ResultPasswordReset)
	s.sendMail(mail.Compose(mail.KindPasswordChanged, a.Email, mail.Data{Phrase: a.AntiPhishing}))
	w.WriteHeader(http.StatusNoContent)
	return nil
}
