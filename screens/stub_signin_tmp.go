package screens

import "sesame/app"

var _ app.Remedy

// Temporary stub while the screen is written; its writer deletes this file.
func newSignIn(s *Shell, prior error) *view                   { return newView("sign in") }
func newTwoFactorChallenge(s *Shell, ch *app.Challenge) *view { return newView("2fa") }
