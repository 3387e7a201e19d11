package passhash

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"
)

// vectors are Argon2id v=0x13 vectors of the reference implementation
// (phc-winner-argon2 src/test.c), password "password", salt "somesalt",
// written as the PHC strings Verify reads.
var vectors = []struct {
	m, t uint32
	p    uint8
	key  string
}{
	{256, 2, 1, "9dfeb910e80bad0311fee20f9c0e2b12c17987b4cac90c2ef54d5b3021c68bfe"},
	{256, 2, 2, "6d093c501fd5999645e0ea3bf620d7b8be7fd2db59c20d9fff9539da2bf57037"},
	{65536, 1, 1, "f6a5adc1ba723dddef9b5ac1d464e180fcd9dffc9d1cbf76cca2fed795d9ca98"},
}

func phc(m, t uint32, p uint8, key string) string {
	k, _ := hex.DecodeString(key)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", m, t, p, b64.EncodeToString([]byte("somesalt")), b64.EncodeToString(k))
}

func TestReferenceVectors(t *testing.T) {
	for _, v := range vectors {
		s := phc(v.m, v.t, v.p, v.key)
		if ok, err := Verify("password", s); !ok || err != nil {
			t.Errorf("%s: %v %v", s, ok, err)
		}
		if ok, _ := Verify("Password", s); ok {
			t.Errorf("%s accepts another password", s)
		}
	}
}

func TestHashVerifyRehash(t *testing.T) {
	h := Hash("correct horse", OWASP)
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q", h)
	}
	if h == Hash("correct horse", OWASP) {
		t.Fatal("two hashes share a salt")
	}
	if ok, err := Verify("correct horse", h); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if NeedsRehash(h, OWASP) {
		t.Fatal("a hash at the configured costs needs a rehash")
	}
	for _, p := range []Params{{OWASP.Memory * 2, 2, 1}, {OWASP.Memory, 3, 1}, {OWASP.Memory, 2, 2}} {
		if !NeedsRehash(h, p) {
			t.Errorf("a hash weaker than %+v does not need a rehash", p)
		}
	}
	if err := (Params{Memory: 16 * 1024, Time: 2, Threads: 1}).Validate(); err == nil {
		t.Fatal("parameters below OWASP's minimum are accepted")
	}
}

var malformed = []string{
	"",
	"password",
	"$argon2i$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
	"$argon2id$v=16$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
	"$argon2id$v=19$m=0,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
	"$argon2id$v=19$m=99999999,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
	"$argon2id$v=19$m=256,t=2,p=1$c29t$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
	"$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$short",
	"$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$!!!",
	"$argon2id$v=19$m=256,t=2$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
}

func TestMalformed(t *testing.T) {
	for _, s := range malformed {
		if ok, err := Verify("password", s); ok || err != ErrMalformed {
			t.Errorf("%q: %v %v", s, ok, err)
		}
		if !NeedsRehash(s, OWASP) {
			t.Errorf("%q does not need a rehash", s)
		}
	}
}

func FuzzVerify(f *testing.F) {
	for _, s := range malformed {
		f.Add(s)
	}
	f.Add(phc(vectors[0].m, vectors[0].t, vectors[0].p, vectors[0].key))
	f.Fuzz(func(t *testing.T, s string) {
		if ok, err := Verify("password", s); ok && err != nil {
			t.Fatal("accepted with an error")
		}
	})
}

// TestVerifyAtHardensRuntime counts the argon2id work (KiB × passes) that a
// verification does: a hash made under weaker costs than the configured
// ones costs what a hash at the configured costs does, right or wrong.
func TestVerifyAtHardensRuntime(t *testing.T) {
	var done uint64
	idKey = func(pw, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
		done += uint64(time) * uint64(memory)
		return argon2.IDKey(pw, salt, time, memory, threads, keyLen)
	}
	defer func() { idKey = argon2.IDKey }()
	cur := Params{Memory: 1024, Time: 4, Threads: 1}
	for _, c := range []struct {
		stored Params
		want   uint64
	}{
		{cur, 4096},
		{Params{Memory: 1024, Time: 1, Threads: 1}, 4096}, // whole passes missing
		{Params{Memory: 1000, Time: 3, Threads: 1}, 4096}, // part of a pass missing
		{Params{Memory: 256, Time: 2, Threads: 1}, 4096},
		{Params{Memory: 2048, Time: 4, Threads: 1}, 8192}, // stronger than configured: nothing added
	} {
		h := Hash("correct horse", c.stored)
		for _, pw := range []string{"correct horse", "wrong horse"} {
			done = 0
			ok, err := VerifyAt(pw, h, cur)
			if err != nil || ok != (pw == "correct horse") {
				t.Fatalf("%+v %q: %v %v", c.stored, pw, ok, err)
			}
			if done != c.want {
				t.Errorf("stored %+v, %q: work %d, want %d", c.stored, pw, done, c.want)
			}
		}
	}
}
