package keystore_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"sesame/keystore"
)

var update = flag.Bool("update", false, "rewrite testdata/v1.vault")

// testdata/v1.vault is a version 1 vault made with goldenParams (below the
// shipped floor: it opens only under the test costs).
const (
	goldenFile     = "testdata/v1.vault"
	goldenPassword = "correct horse battery staple"
	goldenCreated  = 1767225600 // 2026-01-01T00:00:00Z
)

var (
	goldenPayload = []byte("sesame vault v1 test payload")
	goldenParams  = keystore.Params{Time: 1, MemoryKiB: 64, Threads: 1}
)

// Offsets of the version 1 header fields (see vault.go).
const (
	offVersion = 12
	offTime    = 13
	offMemory  = 17
	offThreads = 21
	offSalt    = 22
	offNonce   = 54
	offCreated = 78
	offLength  = 86
	offCipher  = 90
)

func readGolden(t testing.TB) []byte {
	t.Helper()
	if *update {
		b, err := keystore.SealWithParams([]byte(goldenPassword), goldenPayload, goldenParams, goldenCreated)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(goldenFile, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(goldenFile)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Edits of the golden file.
func same(b []byte) []byte { return b }

func with(b []byte) func([]byte) []byte { return func([]byte) []byte { return b } }

func cut(n int) func([]byte) []byte {
	return func(b []byte) []byte {
		if n < 0 {
			return b[:len(b)+n]
		}
		return b[:n]
	}
}

func setByte(off int, v byte) func([]byte) []byte {
	return func(b []byte) []byte { b[off] = v; return b }
}

func put32(off int, v uint32) func([]byte) []byte {
	return func(b []byte) []byte { binary.BigEndian.PutUint32(b[off:], v); return b }
}

func addLength(d int) func([]byte) []byte {
	return func(b []byte) []byte {
		n := binary.BigEndian.Uint32(b[offLength:])
		binary.BigEndian.PutUint32(b[offLength:], uint32(int(n)+d))
		return b
	}
}

// flip inverts the lowest bit of byte off (negative: from the end).
func flip(off int) func([]byte) []byte {
	return func(b []byte) []byte {
		if off < 0 {
			off += len(b)
		}
		b[off] ^= 1
		return b
	}
}

// vaultCases drive TestOpenCases and seed FuzzOpen. The params cases are
// relative to the test costs set in TestMain (floor t=1 m=8 p=1, ceiling
// t=3 m=256 p=2).
var vaultCases = []struct {
	name     string
	edit     func([]byte) []byte
	password string
	want     error // nil: opens to goldenPayload
}{
	{"golden", same, goldenPassword, nil},
	{"wrong password", same, "correct horse battery stapl", keystore.ErrWrongPasswordOrCorrupt},
	{"empty password", same, "", keystore.ErrEmptyPassword},
	{"empty file", with([]byte{}), goldenPassword, keystore.ErrTruncated},
	{"half the magic", cut(6), goldenPassword, keystore.ErrTruncated},
	{"magic only", cut(12), goldenPassword, keystore.ErrTruncated},
	{"zip file", with([]byte("PK\x03\x04\x14\x00\x00\x00\x08\x00")), goldenPassword, keystore.ErrNotVault},
	{"text file", with([]byte("hello, this is not a vault\n")), goldenPassword, keystore.ErrNotVault},
	{"magic in lower case", setByte(0, 's'), goldenPassword, keystore.ErrNotVault},
	{"version 0", setByte(offVersion, 0), goldenPassword, keystore.ErrUnsupportedVersion},
	{"version 2", setByte(offVersion, 2), goldenPassword, keystore.ErrUnsupportedVersion},
	{"header cut", cut(50), goldenPassword, keystore.ErrTruncated},
	{"header only", cut(offCipher), goldenPassword, keystore.ErrTruncated},
	{"last byte cut", cut(-1), goldenPassword, keystore.ErrTruncated},
	{"byte appended", func(b []byte) []byte { return append(b, 0) }, goldenPassword, keystore.ErrMalformed},
	{"length one more", addLength(1), goldenPassword, keystore.ErrTruncated},
	{"length one less", addLength(-1), goldenPassword, keystore.ErrMalformed},
	{"length below the tag", put32(offLength, 15), goldenPassword, keystore.ErrMalformed},
	{"length above the maximum", put32(offLength, 1<<20), goldenPassword, keystore.ErrMalformed},
	{"time 0", put32(offTime, 0), goldenPassword, keystore.ErrWeakParams},
	{"memory below the floor", put32(offMemory, 7), goldenPassword, keystore.ErrWeakParams},
	{"threads 0", setByte(offThreads, 0), goldenPassword, keystore.ErrWeakParams},
	{"time above the ceiling", put32(offTime, 4), goldenPassword, keystore.ErrUnsupportedParams},
	{"memory above the ceiling", put32(offMemory, 1<<31), goldenPassword, keystore.ErrUnsupportedParams},
	{"threads above the ceiling", setByte(offThreads, 3), goldenPassword, keystore.ErrUnsupportedParams},
	{"time raised", put32(offTime, 2), goldenPassword, keystore.ErrWrongPasswordOrCorrupt},
	{"memory raised", put32(offMemory, 128), goldenPassword, keystore.ErrWrongPasswordOrCorrupt},
	{"threads raised", setByte(offThreads, 2), goldenPassword, keystore.ErrWrongPasswordOrCorrupt},
	{"salt flipped", flip(offSalt), goldenPassword, keystore.ErrWrongPasswordOrCorrupt},
	{"nonce flipped", flip(offNonce + 23), goldenPassword, keystore.ErrWrongPasswordOrCorrupt},
	{"creation time changed", flip(offCreated + 7), goldenPassword, keystore.ErrWrongPasswordOrCorrupt},
	{"ciphertext flipped", flip(offCipher), goldenPassword, keystore.ErrWrongPasswordOrCorrupt},
	{"tag flipped", flip(-1), goldenPassword, keystore.ErrWrongPasswordOrCorrupt},
}

// passwordFree are the errors told from the file alone: ReadInfo gives them
// too.
var passwordFree = []error{
	keystore.ErrNotVault, keystore.ErrUnsupportedVersion, keystore.ErrTruncated,
	keystore.ErrMalformed, keystore.ErrWeakParams, keystore.ErrUnsupportedParams,
}

func isAny(err error, targets ...error) bool {
	for _, t := range targets {
		if errors.Is(err, t) {
			return true
		}
	}
	return false
}

func writeTemp(t *testing.T, data []byte) string {
	t.Helper()
	path := filepath.Join(tempDir(t), "wallet.vault")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestGoldenVault(t *testing.T) {
	g := readGolden(t)
	if len(g) != keystore.HeaderSize+len(goldenPayload)+16 {
		t.Fatalf("golden file is %d bytes", len(g))
	}
	if string(g[:12]) != "SESAME-VAULT" || g[offVersion] != 1 {
		t.Fatalf("golden header starts %q", g[:13])
	}
	path := writeTemp(t, g)
	got, err := keystore.Open(path, []byte(goldenPassword))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, goldenPayload) {
		t.Fatalf("payload %q", got)
	}
	info, err := keystore.ReadInfo(path)
	if err != nil {
		t.Fatal(err)
	}
	want := keystore.Info{Version: 1, Params: goldenParams, Created: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	if info != want {
		t.Fatalf("ReadInfo = %+v, want %+v", info, want)
	}
}

func TestOpenCases(t *testing.T) {
	g := readGolden(t)
	for _, c := range vaultCases {
		t.Run(c.name, func(t *testing.T) {
			path := writeTemp(t, c.edit(bytes.Clone(g)))
			got, err := keystore.Open(path, []byte(c.password))
			if c.want == nil {
				if err != nil || !bytes.Equal(got, goldenPayload) {
					t.Fatalf("Open = %q, %v", got, err)
				}
				return
			}
			if !errors.Is(err, c.want) || got != nil {
				t.Fatalf("Open = %q, %v; want %v", got, err, c.want)
			}
			if strings.Contains(err.Error(), goldenPassword) {
				t.Fatalf("error holds the password: %v", err)
			}
			_, err = keystore.ReadInfo(path)
			if isAny(c.want, passwordFree...) {
				if !errors.Is(err, c.want) {
					t.Fatalf("ReadInfo: %v, want %v", err, c.want)
				}
			} else if err != nil {
				t.Fatalf("ReadInfo: %v", err)
			}
		})
	}
}

func TestWrongPasswordAndTamperingLookAlike(t *testing.T) {
	g := readGolden(t)
	_, errPassword := keystore.Open(writeTemp(t, g), []byte("not the password"))
	_, errTamper := keystore.Open(writeTemp(t, flip(offCipher+3)(bytes.Clone(g))), []byte(goldenPassword))
	_, errHeader := keystore.Open(writeTemp(t, flip(offSalt)(bytes.Clone(g))), []byte(goldenPassword))
	for _, err := range []error{errPassword, errTamper, errHeader} {
		if !errors.Is(err, keystore.ErrWrongPasswordOrCorrupt) {
			t.Fatalf("got %v", err)
		}
	}
	if errPassword.Error() != errTamper.Error() || errTamper.Error() != errHeader.Error() {
		t.Fatalf("errors differ: %q, %q, %q", errPassword, errTamper, errHeader)
	}
}

// The shipped costs: OWASP's Argon2id configuration, and a floor that
// refuses anything weaker in time or memory.
func TestShippedParams(t *testing.T) {
	if want := (keystore.Params{Time: 3, MemoryKiB: 64 << 10, Threads: 4}); keystore.RealDefaultParams != want {
		t.Errorf("default %v, want %v", keystore.RealDefaultParams, want)
	}
	if want := (keystore.Params{Time: 3, MemoryKiB: 64 << 10, Threads: 1}); keystore.RealMinParams != want {
		t.Errorf("floor %v, want %v", keystore.RealMinParams, want)
	}
	if want := (keystore.Params{Time: 16, MemoryKiB: 256 << 10, Threads: 64}); keystore.RealMaxParams != want {
		t.Errorf("ceiling %v, want %v", keystore.RealMaxParams, want)
	}
}

// Under the shipped floor the golden file (t=1, 64 KiB) is refused before
// any key is derived, with the right password.
func TestShippedFloorRefusesWeakFile(t *testing.T) {
	g := readGolden(t)
	restore := keystore.SetParams(keystore.RealDefaultParams, keystore.RealMinParams, keystore.RealMaxParams)
	defer restore()
	path := writeTemp(t, g)
	if _, err := keystore.Open(path, []byte(goldenPassword)); !errors.Is(err, keystore.ErrWeakParams) {
		t.Fatalf("Open: %v, want ErrWeakParams", err)
	}
	if _, err := keystore.ReadInfo(path); !errors.Is(err, keystore.ErrWeakParams) {
		t.Fatalf("ReadInfo: %v, want ErrWeakParams", err)
	}
	// One cost short of the floor is enough to refuse.
	for _, p := range []keystore.Params{
		{Time: 2, MemoryKiB: 64 << 10, Threads: 4},
		{Time: 3, MemoryKiB: 64<<10 - 1, Threads: 4},
	} {
		b := bytes.Clone(g)
		binary.BigEndian.PutUint32(b[offTime:], p.Time)
		binary.BigEndian.PutUint32(b[offMemory:], p.MemoryKiB)
		b[offThreads] = p.Threads
		if _, err := keystore.Open(writeTemp(t, b), []byte(goldenPassword)); !errors.Is(err, keystore.ErrWeakParams) {
			t.Fatalf("%v: %v, want ErrWeakParams", p, err)
		}
	}
}

// A genuine file (right password, intact) made with costs below the floor
// does not open: the floor, not the AEAD, refuses it.
func TestDowngradedFileRefused(t *testing.T) {
	weak := keystore.Params{Time: 1, MemoryKiB: 64, Threads: 1}
	b, err := keystore.SealWithParams([]byte("pw"), []byte("seed"), weak, 0)
	if err != nil {
		t.Fatal(err)
	}
	path := writeTemp(t, b)
	if got, err := keystore.Open(path, []byte("pw")); err != nil || string(got) != "seed" {
		t.Fatalf("under the test floor: %q, %v", got, err)
	}
	restore := keystore.SetParams(testDefault, keystore.Params{Time: 2, MemoryKiB: 8, Threads: 1}, testMax)
	defer restore()
	_, err = keystore.Open(path, []byte("pw"))
	if !errors.Is(err, keystore.ErrWeakParams) {
		t.Fatalf("Open: %v, want ErrWeakParams", err)
	}
}

// Every single-bit flip and every inverted byte of a vault is refused.
func TestBitFlipsRefused(t *testing.T) {
	path := filepath.Join(tempDir(t), "wallet.vault")
	if err := keystore.Save(path, []byte("pw"), []byte("entropy+en+0")); err != nil {
		t.Fatal(err)
	}
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	known := append([]error{keystore.ErrWrongPasswordOrCorrupt}, passwordFree...)
	n := 0
	for i := range orig {
		for _, mask := range []byte{1, 2, 4, 8, 16, 32, 64, 128, 0xff} {
			b := bytes.Clone(orig)
			b[i] ^= mask
			got, err := keystore.OpenData(b, []byte("pw"))
			if err == nil || got != nil || !isAny(err, known...) {
				t.Fatalf("byte %d ^ %#x: Open = %q, %v", i, mask, got, err)
			}
			n++
		}
	}
	t.Logf("%d altered files refused", n)
}

func TestSaveOpen(t *testing.T) {
	dir := filepath.Join(tempDir(t), "a", "b")
	path := filepath.Join(dir, "wallet.vault")
	password := []byte("pw")
	payload := []byte("entropy+en+1")
	if ok, err := keystore.Exists(path); ok || err != nil {
		t.Fatalf("Exists before Save = %v, %v", ok, err)
	}
	before := time.Now().Truncate(time.Second)
	if err := keystore.Save(path, password, payload); err != nil {
		t.Fatal(err)
	}
	after := time.Now()
	if string(password) != "pw" || string(payload) != "entropy+en+1" {
		t.Fatal("Save changed its arguments")
	}
	if ok, err := keystore.Exists(path); !ok || err != nil {
		t.Fatalf("Exists after Save = %v, %v", ok, err)
	}
	got, err := keystore.Open(path, password)
	if err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("Open = %q, %v", got, err)
	}
	info, err := keystore.ReadInfo(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Version != 1 || info.Params != testDefault || info.Created.Before(before) || info.Created.After(after) {
		t.Fatalf("ReadInfo = %+v", info)
	}
	if runtime.GOOS != "windows" {
		checkMode(t, path, 0o600)
		checkMode(t, dir, 0o700)
	}
	onlyFile(t, dir, "wallet.vault")

	if err := keystore.Save(path, []byte("pw2"), []byte("second")); err != nil {
		t.Fatal(err)
	}
	if got, err := keystore.Open(path, []byte("pw2")); err != nil || string(got) != "second" {
		t.Fatalf("after overwrite: %q, %v", got, err)
	}
	if _, err := keystore.Open(path, password); !errors.Is(err, keystore.ErrWrongPasswordOrCorrupt) {
		t.Fatalf("old password: %v", err)
	}
}

func TestSaveRefusals(t *testing.T) {
	dir := tempDir(t)
	path := filepath.Join(dir, "wallet.vault")
	if err := keystore.Save(path, nil, []byte("x")); !errors.Is(err, keystore.ErrEmptyPassword) {
		t.Fatalf("empty password: %v", err)
	}
	if err := keystore.Save(path, []byte("pw"), make([]byte, 64<<10+1)); !errors.Is(err, keystore.ErrPayloadTooLarge) {
		t.Fatalf("large payload: %v", err)
	}
	onlyFile(t, dir)
	if err := keystore.Save(path, []byte("pw"), make([]byte, 64<<10)); err != nil {
		t.Fatalf("64 KiB payload: %v", err)
	}
	if got, err := keystore.Open(path, []byte("pw")); err != nil || len(got) != 64<<10 {
		t.Fatalf("64 KiB payload: %d bytes, %v", len(got), err)
	}
	// A folder in the way of the file.
	blocked := filepath.Join(dir, "folder.vault")
	if err := os.Mkdir(blocked, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := keystore.Save(blocked, []byte("pw"), []byte("x")); err == nil {
		t.Fatal("Save over a folder succeeded")
	}
	if ok, err := keystore.Exists(blocked); ok || !errors.Is(err, keystore.ErrNotVault) {
		t.Fatalf("Exists(folder) = %v, %v", ok, err)
	}
	onlyFile(t, dir, "folder.vault", "wallet.vault")
}

func TestSaveFolderMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix modes")
	}
	dir := filepath.Join(tempDir(t), "open")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := keystore.Save(filepath.Join(dir, "wallet.vault"), []byte("pw"), []byte("x")); err != nil {
		t.Fatal(err)
	}
	checkMode(t, dir, 0o700)

	shared := filepath.Join(tempDir(t), "shared")
	if err := os.Mkdir(shared, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(shared, 0o777|fs.ModeSticky); err != nil {
		t.Fatal(err)
	}
	err := keystore.Save(filepath.Join(shared, "wallet.vault"), []byte("pw"), []byte("x"))
	if !errors.Is(err, keystore.ErrUnsafeFolder) {
		t.Fatalf("sticky folder: %v", err)
	}
	onlyFile(t, shared)
}

func TestSaveRemovesStaleTempFiles(t *testing.T) {
	dir := tempDir(t)
	path := filepath.Join(dir, "wallet.vault")
	for _, name := range []string{".wallet.vault.tmp-123", ".wallet.vault.tmp-abc"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, ".other.vault.tmp-1"), []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := keystore.Save(path, []byte("pw"), []byte("x")); err != nil {
		t.Fatal(err)
	}
	onlyFile(t, dir, ".other.vault.tmp-1", "wallet.vault")
}

func TestChangePassword(t *testing.T) {
	g := readGolden(t)
	path := writeTemp(t, g)
	if err := keystore.ChangePassword(path, []byte("wrong"), []byte("new")); !errors.Is(err, keystore.ErrWrongPasswordOrCorrupt) {
		t.Fatalf("wrong old password: %v", err)
	}
	if err := keystore.ChangePassword(path, []byte(goldenPassword), nil); !errors.Is(err, keystore.ErrEmptyPassword) {
		t.Fatalf("empty new password: %v", err)
	}
	if b, _ := os.ReadFile(path); !bytes.Equal(b, g) {
		t.Fatal("a refused change altered the file")
	}
	if err := keystore.ChangePassword(path, []byte(goldenPassword), []byte("new password")); err != nil {
		t.Fatal(err)
	}
	if _, err := keystore.Open(path, []byte(goldenPassword)); !errors.Is(err, keystore.ErrWrongPasswordOrCorrupt) {
		t.Fatalf("old password still opens: %v", err)
	}
	got, err := keystore.Open(path, []byte("new password"))
	if err != nil || !bytes.Equal(got, goldenPayload) {
		t.Fatalf("new password: %q, %v", got, err)
	}
	info, err := keystore.ReadInfo(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Created.Unix() != goldenCreated || info.Params != testDefault {
		t.Fatalf("ReadInfo = %+v", info)
	}
	b, _ := os.ReadFile(path)
	if bytes.Equal(b[offSalt:offCreated], g[offSalt:offCreated]) {
		t.Fatal("salt and nonce were reused")
	}
	onlyFile(t, filepath.Dir(path), "wallet.vault")
}

func TestOpenMissing(t *testing.T) {
	path := filepath.Join(tempDir(t), "none.vault")
	if _, err := keystore.Open(path, []byte("pw")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Open: %v", err)
	}
	if _, err := keystore.ReadInfo(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("ReadInfo: %v", err)
	}
	if err := keystore.ChangePassword(path, []byte("a"), []byte("b")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("ChangePassword: %v", err)
	}
}

func FuzzOpen(f *testing.F) {
	g := readGolden(f)
	for _, c := range vaultCases {
		f.Add(c.edit(bytes.Clone(g)), []byte(c.password))
	}
	known := append([]error{keystore.ErrWrongPasswordOrCorrupt, keystore.ErrEmptyPassword}, passwordFree...)
	f.Fuzz(func(t *testing.T, data, password []byte) {
		got, err := keystore.OpenData(data, password)
		if err != nil {
			if got != nil || !isAny(err, known...) {
				t.Fatalf("Open = %q, %v", got, err)
			}
			return
		}
		// Every byte is authenticated: only the golden file opens.
		if !bytes.Equal(data, g) || !bytes.Equal(got, goldenPayload) {
			t.Fatalf("an altered file opened: %q", got)
		}
	})
}

// BenchmarkOpen measures Open with the shipped costs (one Argon2id
// derivation, 64 MiB, 3 passes, 4 lanes).
func BenchmarkOpen(b *testing.B) {
	restore := keystore.SetParams(keystore.RealDefaultParams, keystore.RealMinParams, keystore.RealMaxParams)
	defer restore()
	path := filepath.Join(b.TempDir(), "wallet.vault")
	if err := keystore.Save(path, []byte("benchmark password"), make([]byte, 33)); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := keystore.Open(path, []byte("benchmark password")); err != nil {
			b.Fatal(err)
		}
	}
}

func checkMode(t *testing.T, path string, want fs.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != want {
		t.Fatalf("%s: mode %o, want %o", path, got, want)
	}
}

// onlyFile checks that dir holds exactly the names given.
func onlyFile(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if strings.Join(got, ",") != strings.Join(names, ",") {
		t.Fatalf("%s holds %q, want %q", dir, got, names)
	}
}
