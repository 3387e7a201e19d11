package server

import (
	"context"
	"errors"
	"net/http"

	"sesame/server/mail"
	"sesame/server/store"
)

// Security notices tell an account's owner of a sign-in from a new device,
// a lock, the right password followed by a wrong two-factor code, a spent
// recovery code, a spent budget of mailed codes and a phone number bound
// to the account. Each is sent in the background, so that it neither
// delays nor changes an answer, with the time, the device, the client's
// address and a "this wasn't me" link; at most once per
// store.NoticeEvery of its kind and none for what the owner's trusted
// device does, but for a bound phone number, told every time (addPhone's
// mail caps bound them): a thief's number must not hide behind the
// owner's.

// errNoNews stops a notice that would tell the owner nothing.
var errNoNews = errors.New("server: nothing to tell")

// notify sends the notice k to a in the background, of what the request
// r did on device ("" when unknown). more, if not nil, adds what the kind
// tells, or returns errNoNews to send nothing.
func (s *Server) notify(r *http.Request, k mail.Kind, a store.Account, device string, more func(ctx context.Context, d *mail.Data) error) {
	d := s.noticeData(r, device)
	s.background(func(ctx context.Context) error {
		if more != nil {
			if err := more(ctx, &d); errors.Is(err, errNoNews) {
				return nil
			} else if err != nil {
				return err
			}
		}
		return s.sendNotice(ctx, k, a, d)
	})
}

// noticeData is the time, device and address of what r does now.
func (s *Server) noticeData(r *http.Request, device string) mail.Data {
	return mail.Data{At: s.cfg.Now().UTC(), Device: device, IP: clientIP(r)}
}

// sendNotice mails the notice k with d to a, with a "this wasn't me" link,
// unless one of its kind went to a within store.NoticeEvery.
func (s *Server) sendNotice(ctx context.Context, k mail.Kind, a store.Account, d mail.Data) error {
	send, err := s.cfg.Store.ClaimNotice(ctx, a.ID, k.String(), d.At)
	if err != nil || !send {
		return err
	}
	s.mailNotice(ctx, k, a, d)
	return nil
}

// mailNotice mails the notice k with d to a, with a "this wasn't me" link.
func (s *Server) mailNotice(ctx context.Context, k mail.Kind, a store.Account, d mail.Data) {
	var err error
	ad := accountData(a)
	d.Language, d.Phrase = ad.Language, ad.Phrase
	// A notice without its link still tells.
	if d.Link, err = s.WasntMeLink(ctx, a.ID, a.Language); err != nil {
		s.log.Error("making a \"this wasn't me\" link failed", "kind", k, "err", err)
	}
	s.sendMail(mail.Compose(k, a.Email, d))
}

// notifyNewDevice tells of a sign-in that made a new device, unless it is
// the account's only one: its first sign-in, after the registration.
func (s *Server) notifyNewDevice(r *http.Request, a store.Account, device string) {
	s.notify(r, mail.KindNewDevice, a, device, func(ctx context.Context, _ *mail.Data) error {
		devs, err := s.cfg.Store.Devices(ctx, a.ID)
		if err == nil && len(devs) < 2 {
			return errNoNews
		}
		return err
	})
}
