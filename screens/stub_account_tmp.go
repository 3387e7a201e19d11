package screens

import "sesame/app"

var _ app.Remedy

// Temporary stub while the screen is written; its writer deletes this file.
func newForgotPassword(s *Shell, email string) *view                      { return newView("forgot") }
func newCreateAccount(s *Shell, email string) *view                       { return newView("create") }
func newVerifyEmail(s *Shell, reg *app.Registration, remember bool) *view { return newView("verify") }
