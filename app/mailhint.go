package app

import (
	"context"
	"strings"
)

// MailProvider is a mail provider whose folder for unwanted mail the app
// names; ProviderOther is any other.
type MailProvider string

// The providers the app knows.
const (
	ProviderOther   MailProvider = ""
	ProviderQQ      MailProvider = "qq"
	ProviderNetEase MailProvider = "netease"
	ProviderGmail   MailProvider = "gmail"
	ProviderOutlook MailProvider = "outlook"
)

// providerDomains maps an address's domain to its provider.
var providerDomains = map[string]MailProvider{
	"qq.com": ProviderQQ, "foxmail.com": ProviderQQ,
	"163.com": ProviderNetEase, "126.com": ProviderNetEase, "yeah.net": ProviderNetEase,
	"gmail.com": ProviderGmail, "googlemail.com": ProviderGmail,
	"outlook.com": ProviderOutlook, "hotmail.com": ProviderOutlook, "live.com": ProviderOutlook, "msn.com": ProviderOutlook,
}

// MailProviderOf is the provider of the address email, by its domain.
func MailProviderOf(email string) MailProvider {
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return ProviderOther
	}
	domain := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(email[at+1:])), ".")
	return providerDomains[domain]
}

// mailFrom asks the server which address its mails come from; empty when
// it names none or does not answer, which only leaves the sender unnamed.
func (a *App) mailFrom(ctx context.Context) string {
	sctx, cancel := a.step(ctx)
	defer cancel()
	st, err := a.client.Status(sctx)
	if err != nil {
		return ""
	}
	return st.MailFrom
}
