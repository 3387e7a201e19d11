package server

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"

	"sesame/authapi"
	"sesame/server/mail"
	"sesame/server/store"
)

// register answers POST /v1/accounts and POST /v1/accounts/verify/resend
// with 202 whether or not the address has an account. Each request is a
// registration of its own: its mailed code opens the account with its
// password only. A verified address gets a decoy registration (no
// password, a code no one has) and a mail saying it has an account, so
// that its code answers go as a new address's do.
func (s *Server) register(w http.ResponseWriter, r *http.Request) error {
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
	if err := s.limitMail(email); err != nil {
		return err
	}
	hash, err := s.hashPassword(r.Context(), req.Password)
	if err != nil {
		return err
	}
	ctx := r.Context()
	a, err := s.cfg.Store.AccountByEmail(ctx, email)
	known := err == nil
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	now := s.cfg.Now().UTC()
	code := newCode()
	reg := store.Registration{Email: email, PasswordHash: hash, CodeHash: s.codeHash(store.PurposeVerify, email, code),
		CodeExpiresAt: now.Add(s.cfg.CodeTTL), Attempts: s.cfg.CodeAttempts, CreatedAt: now}
	if known {
		reg.PasswordHash, reg.CodeHash = "", decoyHash()
	}
	if err := s.cfg.Store.PutRegistration(ctx, reg); err != nil {
		return err
	}
	if known {
		s.sendMail(mail.Compose(mail.KindAccountExists, email, mail.Data{Phrase: a.AntiPhishing}))
	} else {
		s.sendMail(s.codeMail(mail.KindVerify, email, code, ""))
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// verifyAccount opens the account of the registration whose code matches.
func (s *Server) verifyAccount(w http.ResponseWriter, r *http.Request) error {
	var req authapi.EmailCodeRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	email, err := s.codeRequest(req, store.PurposeVerify)
	if err != nil {
		return err
	}
	use, err := s.cfg.Store.VerifyRegistration(r.Context(), email, s.cfg.Now(), s.cfg.CodeBudget,
		s.matchCode(store.PurposeVerify, email, req.Code), randomID())
	if err := s.codeAnswer(r, email, use, err); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// pendingRegistration reports whether password is the one of a live
// registration of an address that has no account (newest first).
func (s *Server) pendingRegistration(ctx context.Context, email, password string) (bool, error) {
	rs, err := s.cfg.Store.Registrations(ctx, email, s.cfg.Now())
	if err != nil {
		return false, err
	}
	for _, reg := range rs {
		ok, err := s.verifyPassword(ctx, &store.Account{PasswordHash: reg.PasswordHash}, password)
		if ok || err != nil {
			return ok, err
		}
	}
	return false, nil
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

func randomID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return fmt.Sprintf("%x", b)
}
