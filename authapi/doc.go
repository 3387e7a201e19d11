// Package authapi is the wire protocol between the Sesame client and its auth
// server: the request and response types of every endpoint ([Tokens], [Me],
// ...), the problem codes ([Code]) with problem+json encoding
// ([WriteProblem], [ParseProblem]), and the validators that the screens, the
// app and the server share ([CheckPassword], [ValidateEmail], [ValidateCode],
// [NormalizeRecoveryCode]). Both sides import it; it imports neither.
package authapi
