package server

import (
	"testing"
	"time"
)

// MatchTOTP exposes matchTOTP to the tests.
func MatchTOTP(secret, code string, now time.Time) bool {
	_, ok := matchTOTP(secret, code, now)
	return ok
}

// SealTOTP and OpenTOTP expose the sealer of a server with key (plain
// when key is nil) to the tests.
func SealTOTP(key []byte, accountID, secret string) (string, error) {
	s, err := newSealer(key)
	if err != nil {
		return "", err
	}
	return s.seal(accountID, secret)
}

func OpenTOTP(key []byte, accountID, stored string) (string, error) {
	s, err := newSealer(key)
	if err != nil {
		return "", err
	}
	return s.open(accountID, stored)
}

// ResolveOrigin exposes resolveOrigin to the tests.
var ResolveOrigin = resolveOrigin

// CheckPublicURL is the check New makes of Config.PublicURL.
func CheckPublicURL(u string) error {
	_, err := parsePublicURL(u)
	return err
}

// HoldHashes takes every hashing slot of s until the returned func.
func HoldHashes(t testing.TB, s *Server) (free func()) { return holdSlots(t, s.hashq) }

// WaitHashQueue waits until n requests of s wait for a hashing slot.
func WaitHashQueue(t testing.TB, s *Server, n int) { waitQueue(t, s.hashq, n) }

// Waiting lists the keys of the requests of s that wait for a hashing
// slot, in arrival order.
func Waiting(s *Server) [][]string {
	q := s.hashq
	q.mu.Lock()
	defer q.mu.Unlock()
	keys := make([][]string, len(q.waiting))
	for i, w := range q.waiting {
		keys[i] = w.keys
	}
	return keys
}

// WaitBackground waits for the work that s runs in the background (mails,
// notices) for the answers given so far.
func WaitBackground(s *Server) { s.mails.Wait() }

// MaintenanceRead is how long the server keeps a reading of the
// maintenance switch.
const MaintenanceRead = maintenanceRead
