package server

import (
	"context"
	"errors"
	"net/http"
	"time"

	"sesame/authapi"
	"sesame/server/store"
)

// trustFor is how long "trust this computer" lasts.
const trustFor = authapi.TrustDays * 24 * time.Hour

// accountAndDevice reads the account of email, nil when the address has
// none, and the device of token when it is one of that account's. Both are
// read whatever the address, so that the work does not tell whether it has
// an account.
func (s *Server) accountAndDevice(ctx context.Context, email, token string) (*store.Account, *store.Device, error) {
	var acct *store.Account
	if a, err := s.cfg.Store.AccountByEmail(ctx, email); err == nil {
		acct = &a
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, nil, err
	}
	dev, err := s.knownDevice(ctx, token, acct)
	return acct, dev, err
}

// knownDevice returns the device of token when it is a device of a, or nil:
// no token, an unknown one and one of another account are alike. A token
// is looked up even without an account, so that the answer's timing does
// not tell whether the address has one.
func (s *Server) knownDevice(ctx context.Context, token string, a *store.Account) (*store.Device, error) {
	if token == "" {
		return nil, nil
	}
	d, err := s.cfg.Store.DeviceByToken(ctx, digest("device", token))
	if errors.Is(err, store.ErrNotFound) || (err == nil && (a == nil || d.AccountID != a.ID)) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// lockKey is the lockout key of an attempt: a known device's own, so that
// failures elsewhere do not lock it out, else the address's.
func lockKey(email, deviceID string) string {
	if deviceID != "" {
		return store.DeviceKeyPrefix + deviceID
	}
	return email
}

func deviceID(d *store.Device) string {
	if d == nil {
		return ""
	}
	return d.ID
}

func (s *Server) listDevices(w http.ResponseWriter, r *http.Request, p principal) error {
	list, err := s.cfg.Store.Devices(r.Context(), p.Account.ID)
	if err != nil {
		return err
	}
	now := s.cfg.Now()
	out := authapi.DeviceList{Devices: []authapi.Device{}}
	for _, d := range list {
		var until *time.Time
		if d.Trusted(now) {
			until = &d.TrustedUntil
		}
		out.Devices = append(out.Devices, authapi.Device{
			ID: d.ID, DeviceName: d.DeviceName, CreatedAt: d.CreatedAt, LastSeenAt: d.LastSeenAt,
			TrustedUntil: until, Current: d.ID == p.Session.DeviceID,
		})
	}
	return writeJSON(w, http.StatusOK, out)
}

// forgetDevice makes a device unknown: its token stops working, and with it
// its trust and its own failure budget. It takes the password: a stolen
// access token alone must not strip the owner's devices of their
// protection from a lock (nor its own device of its spent budget).
func (s *Server) forgetDevice(w http.ResponseWriter, r *http.Request, p principal) error {
	var req authapi.PasswordRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	at, err := s.reauthenticate(r, p, "password", req.Password)
	if err != nil {
		return err
	}
	defer at.release()
	// The entry names the device forgotten, not the one forgetting it.
	name, err := s.cfg.Store.ForgetDevice(r.Context(), p.Account.ID, r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		return problem(http.StatusNotFound, authapi.CodeNotFound, "There is no such device of this account.")
	} else if err != nil {
		return err
	}
	s.activity(r.Context(), p.Account.ID, r, name, authapi.ResultDeviceForgotten)
	w.WriteHeader(http.StatusNoContent)
	return nil
}
