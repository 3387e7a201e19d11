package server

import (
	"context"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"time"

	"sesame/authapi"
	"sesame/server/mail"
	"sesame/server/store"
)

// The infos that derive keys from the TOTP key. codeKeyInfo keys the
// mailed codes' hashes, so that a copy of the database without the key does
// not give the codes (10^6 values are quickly tried against an unkeyed
// hash); linkKeyInfo signs the "this wasn't me" links.
const (
	codeKeyInfo = "sesame mailed codes v1"
	linkKeyInfo = "sesame wasnt-me links v1"
)

// devKey stands in for the TOTP key of a development server without one
// (Config.PlainTOTPSecrets).
var devKey = []byte("sesame development mailed codes!")

// deriveKey derives the key of info from the TOTP key, or from devKey
// without one.
func deriveKey(totpKey []byte, info string) ([]byte, error) {
	if len(totpKey) == 0 {
		totpKey = devKey
	}
	return hkdf.Key(sha256.New, totpKey, nil, info, sha256.Size)
}

// codeHash is how a mailed code is stored: HMAC-SHA256 under the code key,
// bound to the purpose and the address.
func (s *Server) codeHash(purpose, email, code string) []byte {
	m := hmac.New(sha256.New, s.codeKey)
	for _, p := range []string{purpose, email, code} {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return m.Sum(nil)
}

// decoyHash is stored where an address must look as if it had a code:
// random bytes no code's hash equals.
func decoyHash() []byte {
	b := make([]byte, sha256.Size)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return b
}

// newCode makes a random 6-digit code.
func newCode() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return fmt.Sprintf("%06d", n.Int64())
}

// codeMail is the mail that carries code, in the language and with the
// phrase of d; a long code (d.Long) goes in groups.
func (s *Server) codeMail(kind mail.Kind, email, code string, d mail.Data) mail.Message {
	d.Code, d.ValidMinutes = code, int(s.codeTTL(d.Long).Minutes())
	if d.Long {
		d.Code = authapi.FormatLongCode(code)
	}
	return mail.Compose(kind, email, d)
}

// codeTTL is how long a mailed code lives: Config.CodeTTL, or
// longCodeTTL for a long code.
func (s *Server) codeTTL(long bool) time.Duration {
	if long {
		return longCodeTTL
	}
	return s.cfg.CodeTTL
}

// accountData is what every mail to an account carries: its language and
// its anti-phishing phrase.
func accountData(a store.Account) mail.Data {
	return mail.Data{Language: a.Language, Phrase: a.AntiPhishing}
}

// notice is the mail of kind k to the account a.
func notice(k mail.Kind, a store.Account) mail.Message {
	return mail.Compose(k, a.Email, accountData(a))
}

// requestLanguage is the mail language that the request's Accept-Language
// prefers.
func requestLanguage(r *http.Request) string {
	return authapi.MatchLanguage(r.Header.Get(authapi.HeaderAcceptLanguage), mail.Languages())
}

// codeRequest checks a code request and its rate and returns the address
// and the code; when longOK the code may be a long code
// (authapi.MailedCode), in its canonical form with long set.
func (s *Server) codeRequest(ctx context.Context, req authapi.EmailCodeRequest, purpose string, longOK bool) (email, code string, long bool, err error) {
	if email, err = s.emailOf(req.Email); err != nil {
		return "", "", false, err
	}
	if err := required("code", req.Code); err != nil {
		return "", "", false, err
	}
	code, long, err = req.Code, false, authapi.ValidateCode(req.Code)
	detail := "A code is 6 digits."
	if longOK {
		code, long, err = authapi.MailedCode(req.Code)
		detail = "A code is 6 digits, or the long code of a mail."
	}
	if err != nil {
		return "", "", false, problemField(http.StatusBadRequest, authapi.CodeInvalidRequest, "code", detail)
	}
	return email, code, long, s.limit(ctx, s.acctRate, purpose+":"+email)
}

// matchCode compares stored hashes with the hash of code, in constant time.
func (s *Server) matchCode(purpose, email, code string) func([]byte) bool {
	want := s.codeHash(purpose, email, code)
	return func(stored []byte) bool { return hmac.Equal(stored, want) }
}

// noLiveCode is the answer to a code of an address with none to match.
func noLiveCode() error {
	return problem(http.StatusGone, authapi.CodeCodeExpired,
		"There is no live code for this address: it expired, was used, or had too many wrong tries. Ask for a new one.")
}

// wrongCode is the answer to a code that matched none of the live ones.
func wrongCode() *authapi.Problem {
	return problemField(http.StatusBadRequest, authapi.CodeInvalidCode, "code", "The code is not the one we sent.")
}

// codeAnswer turns the outcome of a code attempt into the answer: 410
// code_expired with no live code, past the address's budget or for an
// address that has an account already; 400 invalid_code with the attempts
// left after a miss. The miss that spends the budget tells the owner of
// the address, if it has an account; dev is the known device the code
// came from, if any.
func (s *Server) codeAnswer(r *http.Request, email string, dev *store.Device, use store.CodeUse, err error) error {
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrCodesLocked), errors.Is(err, store.ErrExists):
		return noLiveCode()
	case err != nil:
		return err
	case use.OK:
		return nil
	}
	if use.Exhausted {
		s.metrics.locks.WithLabelValues(lockCodes).Inc()
		d := s.noticeData(r, "")
		if dev != nil {
			d.Device = dev.DeviceName
		}
		own := dev != nil && dev.Trusted(s.cfg.Now())
		s.background(func(ctx context.Context) error { return s.codesLocked(ctx, email, d, own) })
	}
	p := wrongCode()
	p.AttemptsLeft = authapi.Int(use.AttemptsLeft)
	return p
}

// codesLocked tells the owner of an address that spent its budget of wrong
// codes in the activity log and, unless the codes came from the owner's
// trusted device (own), by a notice with d.
func (s *Server) codesLocked(ctx context.Context, email string, d mail.Data, own bool) error {
	a, err := s.cfg.Store.AccountByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	if err := s.cfg.Store.AddActivity(ctx, a.ID, authapi.ActivityEvent{At: d.At, IP: d.IP, DeviceName: d.Device, Result: authapi.ResultCodesLocked}); err != nil {
		return err
	}
	if own {
		return nil
	}
	return s.sendNotice(ctx, mail.KindCodesLocked, a, d)
}

// longMails caps the long-code mails to an address: store.KeptCodes a
// day, as many as store.LongSlot keeps.
var longMails = dailyLimit(store.KeptCodes)

// longCodeTTL is how long a long code lives: as long as longMails takes to
// grant one more mail. Whenever a request gets no long code because
// strangers spent the cap, the newest long-code mail to the address went
// less than longCodeTTL ago and its code still works (see
// docs/security.md).
const longCodeTTL = 24 * time.Hour / store.KeptCodes

// longMailKey is the key of the daily cap of long-code mails to an address.
func longMailKey(email string) string { return "mail-long:" + email }

// startCode answers 202 with an empty body whatever the address; the
// account of a known address gets a code of purpose, which deliver sends in
// the background (nil: a mail of kind), an unknown address a decoy code
// that never matches, so that its code answers go as a known one's do
// (both do the same reads and writes). A request with the token of a known
// device of the account (authapi.EmailRequest.DeviceToken) has a code slot,
// a budget and mail caps of the device's own, which strangers' requests
// cannot spend or fill; the others share the address's (store.AnySlot).
// When the slot's budget of wrong codes is spent, or its daily mail cap
// reached, a short code would not do: the request gets a long code instead
// (store.LongSlot), always mailed, which needs no budget; past the
// address's daily cap of long-code mails it does nothing, silently.
func (s *Server) startCode(w http.ResponseWriter, r *http.Request, purpose string, kind mail.Kind,
	deliver func(ctx context.Context, a store.Account, code, slot string) error) error {
	var req authapi.EmailRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	email, err := s.emailOf(req.Email)
	if err != nil {
		return err
	}
	ctx := r.Context()
	a, dev, err := s.accountAndDevice(ctx, email, req.DeviceToken)
	if err != nil {
		return err
	}
	slot := deviceID(dev)
	if err := s.limit(ctx, s.mailRate, slotKey(mailKey(email), slot)); err != nil {
		return err
	}
	long, err := s.longCodeDue(ctx, email, slot)
	if err != nil {
		return err
	}
	code, codeSlot := newCode(), slot
	if long {
		if ok, _, err := s.cfg.Store.TakeToken(ctx, longMailKey(email), longMails, s.cfg.Now()); err != nil {
			return err
		} else if !ok {
			w.WriteHeader(http.StatusAccepted)
			return nil
		}
		code, codeSlot = authapi.NewLongCode(), store.LongSlot
	}
	hash := decoyHash()
	if a != nil {
		hash = s.codeHash(purpose, email, code)
	}
	if err := s.cfg.Store.PutCode(ctx, email, purpose, codeSlot, hash, s.cfg.Now().Add(s.codeTTL(long)), s.cfg.CodeAttempts); err != nil {
		return err
	}
	if a != nil {
		if long || deliver == nil {
			deliver = s.mailsCode(kind, long)
		}
		s.background(func(ctx context.Context) error { return deliver(ctx, *a, code, slot) })
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// longCodeDue reports whether a code request of slot gets a long code:
// its budget of wrong codes is spent, or (taking one of its code mails
// otherwise) its daily mail cap is reached.
func (s *Server) longCodeDue(ctx context.Context, email, slot string) (bool, error) {
	if locked, err := s.cfg.Store.CodesLocked(ctx, lockKey(email, slot), s.cfg.Now(), s.cfg.CodeBudget); err != nil || locked {
		return locked, err
	}
	ok, _, err := s.cfg.Store.TakeToken(ctx, slotKey(dailyMailKey(email), slot), s.dailyMail, s.cfg.Now())
	return !ok, err
}

// mailsCode is startCode's delivery of a code, long or not, in a mail of
// kind.
func (s *Server) mailsCode(kind mail.Kind, long bool) func(context.Context, store.Account, string, string) error {
	return func(_ context.Context, a store.Account, code, _ string) error {
		d := accountData(a)
		d.Long = long
		s.sendMail(s.codeMail(kind, a.Email, code, d))
		return nil
	}
}

// useMailedCode checks the code of purpose that the request's body
// (authapi.EmailCodeRequest) carries, on the budgets of every mailed code,
// or, for a long code, outside them, and returns the account it opens.
func (s *Server) useMailedCode(w http.ResponseWriter, r *http.Request, purpose string) (store.Account, error) {
	var req authapi.EmailCodeRequest
	if err := decode(w, r, &req); err != nil {
		return store.Account{}, err
	}
	ctx := r.Context()
	email, code, long, err := s.codeRequest(ctx, req, purpose, true)
	if err != nil {
		return store.Account{}, err
	}
	acct, dev, err := s.accountAndDevice(ctx, email, req.DeviceToken)
	if err != nil {
		return store.Account{}, err
	}
	match := s.matchCode(purpose, email, code)
	if long {
		err = longCodeAnswer(s.cfg.Store.UseLongCode(ctx, email, purpose, s.cfg.Now(), match))
	} else {
		use, uerr := s.cfg.Store.UseCode(ctx, email, purpose, deviceID(dev), lockKey(email, deviceID(dev)), s.cfg.Now(), s.cfg.CodeBudget, match)
		err = s.codeAnswer(r, email, dev, use, uerr)
	}
	if err != nil {
		return store.Account{}, err
	}
	if acct == nil {
		return store.Account{}, fmt.Errorf("a %s code matched for an address without an account", purpose)
	}
	return *acct, nil
}

// longCodeAnswer turns the outcome of a long code's attempt into the
// answer: as codeAnswer's, with no attempts left to tell, since a long
// code's misses spend no budget.
func longCodeAnswer(ok bool, err error) error {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return noLiveCode()
	case err != nil:
		return err
	case !ok:
		return wrongCode()
	}
	return nil
}
