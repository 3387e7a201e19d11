package server

import "time"

// MatchTOTP exposes matchTOTP to the tests.
func MatchTOTP(secret, code string, now time.Time) bool {
	_, ok := matchTOTP(secret, code, now)
	return ok
}
