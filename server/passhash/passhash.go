// Package passhash hashes account passwords with argon2id and stores them as
// PHC strings ("$argon2id$v=19$m=19456,t=2,p=1$salt$hash"), so that the
// parameters travel with each hash and can grow: [NeedsRehash] tells when a
// stored hash is weaker than the configured [Params].
package passhash

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's costs. Memory is in KiB.
type Params struct {
	Memory  uint32
	Time    uint32
	Threads uint8
}

// OWASP is OWASP's minimum for argon2id: 19 MiB, 2 passes, 1 lane.
var OWASP = Params{Memory: 19 * 1024, Time: 2, Threads: 1}

const (
	saltLen = 16
	keyLen  = 32
)

// ErrMalformed reports a stored hash that is not an argon2id PHC string.
var ErrMalformed = errors.New("passhash: malformed hash")

// Validate refuses parameters below OWASP's minimum.
func (p Params) Validate() error {
	if p.Memory < OWASP.Memory || p.Time < OWASP.Time || p.Threads < 1 {
		return fmt.Errorf("argon2id parameters m=%d t=%d p=%d are below the minimum m=%d t=%d p=%d",
			p.Memory, p.Time, p.Threads, OWASP.Memory, OWASP.Time, OWASP.Threads)
	}
	return nil
}

// Hash returns the PHC string of password under p.
func Hash(password string, p Params) string {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	key := idKey([]byte(password), salt, p.Time, p.Memory, p.Threads, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// Verify reports whether password matches the PHC string, comparing in
// constant time.
func Verify(password, phc string) (bool, error) {
	p, salt, key, err := parse(phc)
	if err != nil {
		return false, err
	}
	got := idKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// VerifyAt is Verify for a server whose hashes are made under p: when phc
// was made with less argon2id work (memory × passes) than p, it then runs
// the missing work, whatever the result, so that an account with an
// old-cost hash takes as long to check as an unknown address, whose dummy
// hash is made under p (Django's harden_runtime).
func VerifyAt(password, phc string, p Params) (bool, error) {
	ok, err := Verify(password, phc)
	if err != nil {
		return ok, err
	}
	old, salt, _, _ := parse(phc)
	if work(old) >= work(p) {
		return ok, nil
	}
	missing := work(p) - work(old)
	// Full passes over p's memory, then one pass over what is left, if
	// argon2id can run on that little memory (8 KiB per lane).
	if passes := missing / uint64(p.Memory); passes > 0 {
		idKey(nil, salt, uint32(passes), p.Memory, p.Threads, keyLen)
		missing -= passes * uint64(p.Memory)
	}
	if missing >= 8*uint64(p.Threads) {
		idKey(nil, salt, 1, uint32(missing), p.Threads, keyLen)
	}
	return ok, nil
}

// work is the argon2id work of p: KiB of memory filled, times passes.
func work(p Params) uint64 { return uint64(p.Memory) * uint64(p.Time) }

// idKey is argon2.IDKey; tests count the work through it.
var idKey = argon2.IDKey

// NeedsRehash reports whether phc was made with weaker parameters than p.
func NeedsRehash(phc string, p Params) bool {
	old, _, _, err := parse(phc)
	return err != nil || old.Memory < p.Memory || old.Time < p.Time || old.Threads < p.Threads
}

func parse(phc string) (p Params, salt, key []byte, err error) {
	f := strings.Split(phc, "$")
	if len(f) != 6 || f[0] != "" || f[1] != "argon2id" || f[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return p, nil, nil, ErrMalformed
	}
	if _, err := fmt.Sscanf(f[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil ||
		p.Memory == 0 || p.Time == 0 || p.Threads == 0 || p.Memory > 1<<20 || p.Time > 64 {
		return p, nil, nil, ErrMalformed
	}
	b64 := base64.RawStdEncoding
	if salt, err = b64.DecodeString(f[4]); err != nil || len(salt) < 8 {
		return p, nil, nil, ErrMalformed
	}
	if key, err = b64.DecodeString(f[5]); err != nil || len(key) < 16 || len(key) > 64 {
		return p, nil, nil, ErrMalformed
	}
	return p, salt, key, nil
}
