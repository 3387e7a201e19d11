package screens

import "sesame/app"

var _ app.Remedy

// Temporary stub while the screen is written; its writer deletes this file.
func newEnableTwoFactor(s *Shell) *view { return newView("enable 2fa") }
func newUnlockWallet(s *Shell) *view    { return newView("unlock") }
func newSettings(s *Shell) *view        { return newView("settings") }
