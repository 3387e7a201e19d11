package app

import (
	"context"
	"errors"
	"fmt"

	"sesame/authapi"
	"sesame/recovery"
)

// Support requests: [App.CheckSupportText] is the form's guard;
// [App.SendSupportRequest] and [App.SupportRequests] file and list the
// signed-in account's requests, or, given a [SupportLogin], those of a
// user who cannot sign in and proved her address with a mailed code
// ([App.StartSupport], then [SupportLogin.Verify]).

// SupportTicket is a support request with its replies; SecretKind names
// the secret a text was refused for.
type (
	SupportTicket = authapi.SupportTicket
	SecretKind    = authapi.SecretKind
)

// SecretKindOf is the secret err refused a support request for: the
// guard's (*recovery.SecretError) or the server's (secret_in_request);
// "" for another error.
func SecretKindOf(err error) SecretKind {
	var se *recovery.SecretError
	if errors.As(err, &se) {
		return se.Kind
	}
	if p, ok := authapi.ProblemOf(err); ok && p.Code == authapi.CodeSecretInRequest {
		return p.Secret
	}
	return ""
}

// SupportTopics are the topics of a request, in the form's order.
func SupportTopics() []string { return authapi.SupportTopics }

// CheckSupportText refuses text that holds a secret, with a
// *recovery.SecretError naming it: a recovery phrase, a recovery code, a
// 6-digit code next to "code", or one of passwords (what the user typed in
// this run of the app, such as the sign-in form's password). The server
// checks the same but for the password, which it cannot know.
func CheckSupportText(text string, passwords ...string) error {
	return recovery.FindSecret(text, passwords...)
}

// SupportLogin is the support flow of a user who is not signed in: a code
// mailed to her address opens her account's requests.
type SupportLogin struct {
	Email string
	Mailed
	a     *App
	token string
}

// StartSupport asks the server to mail a support code. It answers alike
// for every address, so this cannot tell whether the account exists.
func (a *App) StartSupport(ctx context.Context, email string) (*SupportLogin, error) {
	if err := authapi.ValidateEmail(email); err != nil {
		return nil, err
	}
	l := &SupportLogin{Email: authapi.NormalizeEmail(email), a: a}
	return l, l.Resend(ctx)
}

// Resend asks for a new support code.
func (l *SupportLogin) Resend(ctx context.Context) error {
	req := l.a.codeRequest(ctx, l.Email)
	sctx, cancel := l.a.step(ctx)
	defer cancel()
	if err := l.a.client.StartSupport(sctx, req); err != nil {
		return fmt.Errorf("asking for a support code: %w", err)
	}
	l.sent(ctx, l.a)
	return nil
}

// Verify checks the mailed code, 6 digits or a long code typed or pasted
// (authapi.MailedCode); the requests are then open for 30 minutes.
func (l *SupportLogin) Verify(ctx context.Context, code string) error {
	code, _, err := authapi.MailedCode(code)
	if err != nil {
		return err
	}
	req := authapi.EmailCodeRequest{Email: l.Email, Code: code, DeviceToken: l.a.deviceToken(ctx, l.Email)}
	sctx, cancel := l.a.step(ctx)
	defer cancel()
	acc, err := l.a.client.VerifySupport(sctx, req)
	if err != nil {
		return fmt.Errorf("checking the support code: %w", err)
	}
	l.token = acc.SupportToken
	return nil
}

// supportToken is the token of login, "" for the signed-in account;
// ErrStepOrder before Verify, ErrNotSignedIn with neither.
func (a *App) supportToken(login *SupportLogin) (string, error) {
	switch {
	case login != nil && login.token == "":
		return "", ErrStepOrder
	case login != nil:
		return login.token, nil
	case a.Account() == "":
		return "", ErrNotSignedIn
	}
	return "", nil
}

// SendSupportRequest files a request with the report the user saw, for
// the signed-in account (login nil) or the verified login's. The text is
// checked first with CheckSupportText and passwords.
func (a *App) SendSupportRequest(ctx context.Context, login *SupportLogin, topic, description, report string, passwords ...string) (*authapi.SupportTicket, error) {
	for _, text := range []string{description, report} {
		if err := CheckSupportText(text, passwords...); err != nil {
			return nil, err
		}
	}
	token, err := a.supportToken(login)
	if err != nil {
		return nil, err
	}
	sctx, cancel := a.step(ctx)
	defer cancel()
	t, err := a.client.CreateSupportRequest(sctx, token, authapi.SupportRequest{Topic: topic, Description: description, Report: report})
	if err != nil {
		return nil, fmt.Errorf("sending the support request: %w", a.supportError(login, err))
	}
	return t, nil
}

// SupportRequests lists the requests with their replies, the newest
// first, as SendSupportRequest names them.
func (a *App) SupportRequests(ctx context.Context, login *SupportLogin) ([]authapi.SupportTicket, error) {
	token, err := a.supportToken(login)
	if err != nil {
		return nil, err
	}
	sctx, cancel := a.step(ctx)
	defer cancel()
	list, err := a.client.SupportRequests(sctx, token)
	if err != nil {
		return nil, fmt.Errorf("listing the support requests: %w", a.supportError(login, err))
	}
	return list, nil
}

// supportError forgets an expired support token, so that the flow asks
// for a new code, and checks a session's end.
func (a *App) supportError(login *SupportLogin, err error) error {
	if login == nil {
		return a.checkSession(err)
	}
	if p, ok := authapi.ProblemOf(err); ok && p.Code == authapi.CodeSupportTokenExpired {
		login.token = ""
	}
	return err
}
