package server

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"math/big"
	"net/http"

	"sesame/authapi"
	"sesame/server/mail"
	"sesame/server/store"
)

// createAccount answers 202 whether or not the address has an account: a new
// address gets a verification code, a known one a mail saying so.
func (s *Server) createAccount(w http.ResponseWriter, r *http.Request) error {
	var req authapi.CreateAccountRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	email, err := s.emailOf(req.Email)
	if err != nil {
		return err
	}
	if err := weak(req.Password, email); err != nil {
		return err
	}
	if err := s.limit(s.mailRate, email); err != nil {
		return err
	}
	hash, err := s.hashPassword(r.Context(), req.Password)
	if err != nil {
		return err
	}
	ctx := r.Context()
	err = s.cfg.Store.CreateAccount(ctx, store.Account{
		ID: randomID(), Email: email, PasswordHash: hash, CreatedAt: s.cfg.Now().UTC(),
	})
	switch {
	case errors.Is(err, store.ErrExists):
		a, err := s.cfg.Store.AccountByEmail(ctx, email)
		if err != nil {
			return err
		}
		if a.Verified {
			s.sendMail(mail.Compose(mail.KindAccountExists, email, mail.Data{Phrase: a.AntiPhishing}))
			break
		}
		// An unverified account keeps its first password, so a second
		// registration cannot take it over; its owner gets a new code, and
		// a forgotten first password is reset by mail.
		if err := s.mailCode(ctx, email, store.PurposeVerify, a.AntiPhishing); err != nil {
			return err
		}
	case err != nil:
		return err
	default:
		if err := s.mailCode(ctx, email, store.PurposeVerify, ""); err != nil {
			return err
		}
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

func (s *Server) verifyAccount(w http.ResponseWriter, r *http.Request) error {
	var req authapi.EmailCodeRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	email, err := s.useCode(r, req, store.PurposeVerify)
	if err != nil {
		return err
	}
	a, err := s.cfg.Store.AccountByEmail(r.Context(), email)
	if err != nil {
		return err
	}
	if err := s.cfg.Store.SetVerified(r.Context(), a.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// resendVerification answers 202 whatever the address.
func (s *Server) resendVerification(w http.ResponseWriter, r *http.Request) error {
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
	s.background(func(ctx context.Context) error {
		a, err := s.cfg.Store.AccountByEmail(ctx, email)
		if errors.Is(err, store.ErrNotFound) || (err == nil && a.Verified) {
			return nil
		} else if err != nil {
			return err
		}
		return s.mailCode(ctx, email, store.PurposeVerify, a.AntiPhishing)
	})
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// emailOf normalises and checks an address.
func (s *Server) emailOf(raw string) (string, error) {
	if err := required("email", raw); err != nil {
		return "", err
	}
	if authapi.ValidateEmail(raw) != nil {
		return "", problemField(http.StatusUnprocessableEntity, authapi.CodeInvalidEmail, "email", "This is not a valid email address.")
	}
	return authapi.NormalizeEmail(raw), nil
}

// weak answers 422 weak_password with the policy's reasons.
func weak(password, email string) error {
	if err := required("password", password); err != nil {
		return err
	}
	var we *authapi.WeakPasswordError
	if errors.As(authapi.CheckPassword(password, email), &we) {
		p := problemField(http.StatusUnprocessableEntity, authapi.CodeWeakPassword, "password",
			"The password does not meet the password policy.")
		p.Reasons = we.Reasons
		return p
	}
	return nil
}

// mailCode makes a new code for the address and purpose and mails it.
func (s *Server) mailCode(ctx context.Context, email, purpose, phrase string) error {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return err
	}
	code := fmt.Sprintf("%06d", n.Int64())
	if err := s.cfg.Store.PutCode(ctx, email, purpose, digest(purpose, email, code),
		s.cfg.Now().Add(s.cfg.CodeTTL), s.cfg.CodeAttempts); err != nil {
		return err
	}
	kind := mail.KindVerify
	if purpose == store.PurposeReset {
		kind = mail.KindReset
	}
	s.sendMail(mail.Compose(kind, email, mail.Data{
		Code: code, ValidMinutes: int(s.cfg.CodeTTL.Minutes()), Phrase: phrase,
	}))
	return nil
}

// useCode spends one attempt on the live code of the address and purpose.
func (s *Server) useCode(r *http.Request, req authapi.EmailCodeRequest, purpose string) (string, error) {
	email, err := s.emailOf(req.Email)
	if err != nil {
		return "", err
	}
	if err := required("code", req.Code); err != nil {
		return "", err
	}
	if authapi.ValidateCode(req.Code) != nil {
		return "", problemField(http.StatusBadRequest, authapi.CodeInvalidRequest, "code", "A code is 6 digits.")
	}
	if err := s.limit(s.acctRate, purpose+":"+email); err != nil {
		return "", err
	}
	want := digest(purpose, email, req.Code)
	ok, left, err := s.cfg.Store.UseCode(r.Context(), email, purpose, s.cfg.Now(), func(stored []byte) bool {
		return subtle.ConstantTimeCompare(stored, want) == 1
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return "", problem(http.StatusGone, authapi.CodeCodeExpired,
			"There is no live code for this address: it expired, was used, or had too many wrong tries. Ask for a new one.")
	case err != nil:
		return "", err
	case !ok:
		p := problemField(http.StatusBadRequest, authapi.CodeInvalidCode, "code", "The code is not the one we sent.")
		p.AttemptsLeft = authapi.Int(left)
		return "", p
	}
	return email, nil
}

func randomID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return fmt.Sprintf("%x", b)
}
