package screens

import "sesame/app"

var _ app.Remedy

// Temporary stub while the screen is written; its writer deletes this file.
func newCreateWallet(s *Shell) *view  { return newView("create wallet") }
func newRestoreWallet(s *Shell) *view { return newView("restore") }
