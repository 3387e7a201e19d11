package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"sesame/authapi"
	"sesame/server/mail"
	"sesame/server/sms"
	"sesame/server/store"
)

// A phone number is a second way back into an account: a password reset
// may text its code to the account's verified number. It is never a second
// factor (NIST SP 800-63B restricts SMS). The server texts only a number
// that a signed-in owner typed with her password (to verify it) or the
// verified number of an account (a reset), never a number a stranger
// names, and at most SMSPerDay messages a day to any number.

// dailySMSKey is the key of a phone number's daily cap of text messages,
// totalSMSKey the server's.
func dailySMSKey(number string) string { return "sms-day:" + number }

// smsSlotKey is the key of the share of number's daily cap that slot
// takes: the requests without a known device have one, the known devices
// of every account together another, which strangers cannot spend; not
// one per device, which an account that signs in again and again would
// multiply (toll fraud).
func smsSlotKey(number, slot string) string {
	if slot == store.AnySlot {
		return dailySMSKey(number)
	}
	return dailySMSKey(number) + "@devices"
}

const totalSMSKey = "sms-day-total"

// smsCountriesOf is the set of the regions of Config.SMSCountries, nil
// for all; an unknown region is an error.
func smsCountriesOf(regions []string) (map[string]bool, error) {
	if len(regions) == 0 {
		return nil, nil
	}
	set := map[string]bool{}
	for _, r := range regions {
		r = strings.ToUpper(strings.TrimSpace(r))
		if !authapi.IsPhoneRegion(r) {
			return nil, fmt.Errorf("server: %q is not a country of phone numbers (ISO 3166, such as CN)", r)
		}
		set[r] = true
	}
	return set, nil
}

// textable reports whether the server texts number's country.
func (s *Server) textable(number string) bool {
	return s.smsCountries == nil || s.smsCountries[authapi.PhoneRegion(number)]
}

// phonePurpose binds a texted code to the number it went to.
func phonePurpose(number string) string { return store.PurposePhone + ":" + number }

// smsOn answers 404 when the server sends no text messages.
func (s *Server) smsOn() error {
	if s.cfg.SMS == nil {
		return problem(http.StatusNotFound, authapi.CodeNotFound, "This server sends no text messages.")
	}
	return nil
}

// sendSMS delivers m, unless the server does not text its country, the
// number had its daily cap of messages (slot's share of it: see
// smsSlotKey) or the server its daily total; sent is false when it did not
// go (withheld, or the delivery failed), which the log and the metrics
// tell by reason.
func (s *Server) sendSMS(ctx context.Context, m sms.Message, slot string) (sent bool, err error) {
	reason, err := s.smsWithheld(ctx, m.To, slot)
	if err != nil {
		return false, err
	}
	var failure error
	if reason == "" {
		if failure = s.cfg.SMS.Send(ctx, m); failure == nil {
			return true, nil
		}
		reason = smsFailed
	}
	s.metrics.smsWithheld.WithLabelValues(reason).Inc()
	s.log.Warn("text message not sent", "reason", reason, "err", failure)
	return false, nil
}

// smsWithheld is why a text to number may not go ("" when it may): the
// reason of the first cap that has no token left, whose token it takes.
func (s *Server) smsWithheld(ctx context.Context, number, slot string) (string, error) {
	if !s.textable(number) {
		return smsCountry, nil
	}
	for _, c := range []struct {
		reason, key string
		limit       store.Limit
	}{{smsNumber, smsSlotKey(number, slot), s.dailySMS}, {smsTotal, totalSMSKey, s.totalSMS}} {
		if ok, _, err := s.cfg.Store.TakeToken(ctx, c.key, c.limit, s.cfg.Now()); err != nil || !ok {
			return c.reason, err
		}
	}
	return "", nil
}

// settledBy is when a number must have been verified to have settled
// (Config.PhoneSettle; every number has when it is negative): reset
// codes go to it by SMS, and a password change or reset keeps it.
func (s *Server) settledBy() time.Time { return s.cfg.Now().Add(-max(s.cfg.PhoneSettle, 0)) }

// unsettledPhone reports whether the account has a number verified
// after by, which a password change or reset removes.
func (s *Server) unsettledPhone(ctx context.Context, accountID string, by time.Time) (bool, error) {
	p, err := s.cfg.Store.Phone(ctx, accountID)
	return p.Number != "" && p.VerifiedAt.After(by), err
}

// phoneRemoved tells the owner of a that her number was removed, from
// device: in the activity log and by a notice.
func (s *Server) phoneRemoved(r *http.Request, a store.Account, device string) {
	s.activity(r.Context(), a.ID, r, device, authapi.ResultPhoneRemoved)
	s.sendMail(notice(mail.KindPhoneRemoved, a))
}

// phoneNumber is the verified number of an account, "" when it has none.
func (s *Server) phoneNumber(ctx context.Context, accountID string) (string, error) {
	p, err := s.cfg.Store.Phone(ctx, accountID)
	return p.Number, err
}

// addPhone texts a code to the number that is to be the account's; the
// password re-authenticates the request, since the number can reset it.
// The account's mail caps bound the messages it has sent; a number of a
// country the server does not text (Config.SMSCountries) answers 400.
func (s *Server) addPhone(w http.ResponseWriter, r *http.Request, p principal) error {
	if err := s.smsOn(); err != nil {
		return err
	}
	var req authapi.PhoneRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	number, err := authapi.ParsePhone(req.Phone, "")
	if err != nil {
		return problemField(http.StatusBadRequest, authapi.CodeInvalidRequest, "phone",
			"The phone number must be a mobile number in E.164, such as +8613800138000.")
	}
	if !s.textable(number) {
		return problemField(http.StatusBadRequest, authapi.CodePhoneNotServed, "phone",
			"This server sends no text messages to the number's country.")
	}
	at, err := s.reauthenticate(r, p, "password", req.Password)
	if err != nil {
		return err
	}
	at.release()
	ctx, a := r.Context(), p.Account
	if err := s.limitMail(ctx, a.Email); err != nil {
		return err
	}
	code := newCode()
	if err := s.cfg.Store.SetPendingPhone(ctx, a.ID, number); err != nil {
		return err
	}
	err = s.cfg.Store.PutCode(ctx, a.Email, store.PurposePhone, store.AnySlot, s.codeHash(phonePurpose(number), a.Email, code),
		s.cfg.Now().Add(s.cfg.CodeTTL), s.cfg.CodeAttempts)
	if err != nil {
		return err
	}
	m := sms.Compose(sms.KindVerifyPhone, number, a.Language, code, int(s.cfg.CodeTTL.Minutes()))
	s.background(func(ctx context.Context) error {
		_, err := s.sendSMS(ctx, m, store.AnySlot)
		return err
	})
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// verifyPhone makes the number addPhone texted the code to the account's,
// in place of the one before. Its wrong codes count as mailed codes' do.
func (s *Server) verifyPhone(w http.ResponseWriter, r *http.Request, p principal) error {
	if err := s.smsOn(); err != nil {
		return err
	}
	var req authapi.CodeRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	ctx, a := r.Context(), p.Account
	email, _, _, err := s.codeRequest(ctx, authapi.EmailCodeRequest{Email: a.Email, Code: req.Code}, store.PurposePhone, false)
	if err != nil {
		return err
	}
	ph, err := s.cfg.Store.Phone(ctx, a.ID)
	if err != nil {
		return err
	}
	use, err := store.CodeUse{}, store.ErrNotFound
	if ph.Pending != "" {
		use, err = s.cfg.Store.UseCode(ctx, email, store.PurposePhone, store.AnySlot, lockKey(email, p.Session.DeviceID), s.cfg.Now(), s.cfg.CodeBudget,
			s.matchCode(phonePurpose(ph.Pending), email, req.Code))
	}
	if err == nil && use.OK {
		// The number may have been replaced since it was read.
		err = s.cfg.Store.ConfirmPhone(ctx, a.ID, ph.Pending, s.cfg.Now())
	}
	if err := s.codeAnswer(r, email, nil, use, err); err != nil {
		return err
	}
	s.activity(ctx, a.ID, r, p.Session.DeviceName, authapi.ResultPhoneAdded)
	// A notice with its "this wasn't me" link, every time: a thief who
	// knows the password binds his phone to take the next reset.
	d := s.noticeData(r, p.Session.DeviceName)
	s.background(func(ctx context.Context) error {
		s.mailNotice(ctx, mail.KindPhoneAdded, a, d)
		return nil
	})
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// removePhone removes the account's phone number, verified or pending, with
// its password.
func (s *Server) removePhone(w http.ResponseWriter, r *http.Request, p principal) error {
	var req authapi.PasswordRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	at, err := s.reauthenticate(r, p, "password", req.Password)
	if err != nil {
		return err
	}
	at.release()
	err = s.cfg.Store.RemovePhone(r.Context(), p.Account.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return err
	default:
		s.phoneRemoved(r, p.Account, p.Session.DeviceName)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// startResetSMS answers as startReset does, with the same caps and
// enumeration rules: a known account's code goes by SMS to its verified
// number, or by mail when it has none, it is the account's for less than
// Config.PhoneSettle, or the text did not go (the
// number's daily cap, which anyone can spend by typing the number to add
// it, or a failed delivery); the request names no number.
func (s *Server) startResetSMS(w http.ResponseWriter, r *http.Request) error {
	if err := s.smsOn(); err != nil {
		return err
	}
	return s.startCode(w, r, store.PurposeReset, mail.KindReset, func(ctx context.Context, a store.Account, code, slot string) error {
		p, err := s.cfg.Store.Phone(ctx, a.ID)
		if err == nil && p.Number != "" && !p.VerifiedAt.After(s.settledBy()) {
			var sent bool
			sent, err = s.sendSMS(ctx, sms.Compose(sms.KindReset, p.Number, a.Language, code, int(s.cfg.CodeTTL.Minutes())), slot)
			if sent {
				return nil
			}
		}
		s.sendMail(s.codeMail(mail.KindReset, a.Email, code, accountData(a)))
		return err
	})
}
