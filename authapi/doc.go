// Package authapi is the wire protocol between the Sesame client and its auth
// server: the request and response types of every endpoint ([Tokens], [Me],
// ...), the problem codes ([Code]) with problem+json encoding
// ([WriteProblem], [ParseProblem]) and one sentinel per code
// ([ErrAccountLocked], ...), the validators that the screens, the app and
// the server share ([CheckPassword], [ValidateEmail], [ValidateCode],
// [MailedCode], [NormalizeRecoveryCode]), and the client ([NewClient],
// [Client]) whose transport failures are typed by cause ([OfflineError],
// [DNSError], [TimeoutError], [TLSError], [NotAPIError],
// [InsecureRedirectError]).
package authapi
