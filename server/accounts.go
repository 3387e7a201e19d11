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
// password only. A verified address gets a decoy registration (its
// password, a code hash no code has, so it never becomes an account) and a
// mail saying it has an account, so that its code answers, and the sign-in
// answers to its password, go as a new address's do.
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
	if err := s.limitMail(r.Context(), email); err != nil {
		return err
	}
	hash, err := s.hashPassword(r.Context(), hashKeys(r, email), req.Password)
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
	lang := requestLanguage(r)
	reg := store.Registration{Email: email, PasswordHash: hash, CodeHash: s.codeHash(store.PurposeVerify, email, code),
		CodeExpiresAt: now.Add(s.cfg.CodeTTL), Attempts: s.cfg.CodeAttempts, CreatedAt: now, Language: lang}
	if known {
		reg.CodeHash = decoyHash()
	}
	if err := s.cfg.Store.PutRegistration(ctx, reg); err != nil {
		return err
	}
	if known {
		s.sendMail(notice(mail.KindAccountExists, a))
	} else {
		s.sendMail(s.codeMail(mail.KindVerify, email, code, mail.Data{Language: lang}))
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// verifyAccount opens the account of the registration whose code and
// password both match: an attacker's registration of the address mails
// its code to the address's owner too, and that code must not open the
// account with the attacker's password when she types it.
//
// The password is checked first, outside the store's transaction, against
// the registration whose code matches, or against the dummy hash when none
// does, so that every attempt costs one hash; the transaction then accepts
// only that registration.
func (s *Server) verifyAccount(w http.ResponseWriter, r *http.Request) error {
	var req authapi.VerifyAccountRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	email, _, _, err := s.codeRequest(r.Context(), authapi.EmailCodeRequest{Email: req.Email, Code: req.Code}, store.PurposeVerify, false)
	if err != nil {
		return err
	}
	if err := required("password", req.Password); err != nil {
		return err
	}
	ctx := r.Context()
	rs, err := s.cfg.Store.Registrations(ctx, email, s.cfg.Now())
	if err != nil {
		return err
	}
	code := s.matchCode(store.PurposeVerify, email, req.Code)
	var cand *store.Account
	for _, reg := range rs {
		if code(reg.CodeHash) {
			cand = &store.Account{PasswordHash: reg.PasswordHash}
			break
		}
	}
	ok, err := s.verifyPassword(ctx, hashKeys(r, email), cand, req.Password)
	if err != nil {
		return err
	}
	match := func(codeHash []byte, passwordHash string) bool {
		return ok && code(codeHash) && passwordHash == cand.PasswordHash
	}
	use, err := s.cfg.Store.VerifyRegistration(ctx, email, s.cfg.Now(), s.cfg.CodeBudget, match, randomID())
	if err := s.codeAnswer(r, email, nil, use, err); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// pendingRegistration reports whether password is the one of a live
// registration of the address (newest first), decoys included: a stranger
// who registered an address and signs in with his password is answered
// account_not_verified whether or not the address has an account.
func (s *Server) pendingRegistration(ctx context.Context, keys []string, email, password string) (bool, error) {
	rs, err := s.cfg.Store.Registrations(ctx, email, s.cfg.Now())
	if err != nil {
		return false, err
	}
	for _, reg := range rs {
		ok, err := s.verifyPassword(ctx, keys, &store.Account{PasswordHash: reg.PasswordHash}, password)
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
