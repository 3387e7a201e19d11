package server

// Route is one endpoint the server registers.
type Route struct {
	Method  string
	Pattern string // a net/http ServeMux path pattern, e.g. /v1/sessions/{id}
	Auth    bool   // needs a bearer access token
}

// table binds every endpoint of the contract to its handler, in the order
// of auth-api.md.
func (s *Server) table() []route {
	return []route{
		{Route{"GET", "/v1/status", false}, s.status},
		{Route{"POST", "/v1/accounts", false}, s.register},
		{Route{"POST", "/v1/accounts/verify", false}, s.verifyAccount},
		{Route{"POST", "/v1/accounts/verify/resend", false}, s.register},
		{Route{"POST", "/v1/sessions", false}, s.signIn},
		{Route{"POST", "/v1/sessions/two-factor", false}, s.signInTwoFactor},
		{Route{"POST", "/v1/tokens/refresh", false}, s.refresh},
		{Route{"GET", "/v1/sessions", true}, s.authed(s.listSessions)},
		{Route{"DELETE", "/v1/sessions/{id}", true}, s.authed(s.revokeSession)},
		{Route{"DELETE", "/v1/sessions/current", true}, s.authed(s.revokeCurrent)},
		{Route{"DELETE", "/v1/sessions", true}, s.authed(s.revokeOthers)},
		{Route{"GET", "/v1/devices", true}, s.authed(s.listDevices)},
		{Route{"DELETE", "/v1/devices/{id}", true}, s.authed(s.forgetDevice)},
		{Route{"POST", "/v1/password-resets", false}, s.startReset},
		{Route{"POST", "/v1/password-resets/verify", false}, s.verifyReset},
		{Route{"POST", "/v1/password-resets/complete", false}, s.completeReset},
		{Route{"GET", "/v1/me", true}, s.authed(s.me)},
		{Route{"POST", "/v1/me/password", true}, s.authed(s.changePassword)},
		{Route{"PUT", "/v1/me/anti-phishing-phrase", true}, s.authed(s.setPhrase)},
		{Route{"PUT", "/v1/me/language", true}, s.authed(s.setLanguage)},
		{Route{"POST", "/v1/me/two-factor", true}, s.authed(s.startTwoFactor)},
		{Route{"POST", "/v1/me/two-factor/confirm", true}, s.authed(s.confirmTwoFactor)},
		{Route{"POST", "/v1/me/two-factor/check", true}, s.authed(s.checkTwoFactor)},
		{Route{"DELETE", "/v1/me/two-factor", true}, s.authed(s.disableTwoFactor)},
		{Route{"POST", "/v1/me/recovery-codes", true}, s.authed(s.regenerateCodes)},
		{Route{"GET", "/v1/dev/mailbox", false}, s.mailbox},
		{Route{"GET", "/v1/me/activity", true}, s.authed(s.listActivity)},
		{Route{"GET", PathWasntMe, false}, s.wasntMePage},
		{Route{"POST", PathWasntMe, false}, s.wasntMe},
		{Route{"POST", "/v1/me/phone", true}, s.authed(s.addPhone)},
		{Route{"POST", "/v1/me/phone/verify", true}, s.authed(s.verifyPhone)},
		{Route{"DELETE", "/v1/me/phone", true}, s.authed(s.removePhone)},
		{Route{"POST", "/v1/password-resets/sms", false}, s.startResetSMS},
		{Route{"POST", "/v1/support-requests/code", false}, s.startSupport},
		{Route{"POST", "/v1/support-requests/verify", false}, s.verifySupport},
		{Route{"POST", "/v1/support-requests", false}, s.fileSupportRequest},
		{Route{"GET", "/v1/support-requests", false}, s.listSupportRequests},
		{Route{"POST", "/v1/me/support-requests", true}, s.authed(s.fileMySupportRequest)},
		{Route{"GET", "/v1/me/support-requests", true}, s.authed(s.listMySupportRequests)},
	}
}

// Routes lists every endpoint the server registers.
func Routes() []Route {
	var s *Server
	var out []Route
	for _, rt := range s.table() {
		out = append(out, rt.Route)
	}
	return out
}
