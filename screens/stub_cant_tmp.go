package screens

import "sesame/app"

var _ app.Remedy

// Temporary stub while the screen is written; its writer deletes this file.
func newCantSignIn(s *Shell, runCheck bool) *view { return newView("cant") }
