package keystore

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
)

// Vault file format, version 1 (integers big-endian):
//
//	offset size
//	     0   12  magic "SESAME-VAULT"
//	    12    1  version = 1
//	    13    4  Argon2id passes (Params.Time)
//	    17    4  Argon2id memory in KiB (Params.MemoryKiB)
//	    21    1  Argon2id lanes (Params.Threads)
//	    22   32  salt
//	    54   24  XChaCha20-Poly1305 nonce
//	    78    8  creation time, Unix seconds
//	    86    4  ciphertext length n
//	    90    n  ciphertext of the payload, with its 16-byte tag
//
// The 90 header bytes are the AEAD's additional data, so every byte of the
// file is authenticated. The key is Argon2id(password, salt, params, 32).
const (
	vaultMagic    = "SESAME-VAULT"
	vaultVersion  = 1
	saltSize      = 32
	keySize       = chacha20poly1305.KeySize
	nonceSize     = chacha20poly1305.NonceSizeX
	tagSize       = chacha20poly1305.Overhead
	headerSize    = len(vaultMagic) + 1 + 4 + 4 + 1 + saltSize + nonceSize + 8 + 4
	maxPayload    = 64 << 10
	maxVaultBytes = headerSize + maxPayload + tagSize
)

// Params are the Argon2id costs of a vault, stored in its header.
type Params struct {
	Time      uint32 // passes over the memory
	MemoryKiB uint32 // memory in KiB
	Threads   uint8  // lanes
}

func (p Params) String() string {
	return fmt.Sprintf("argon2id t=%d m=%dKiB p=%d", p.Time, p.MemoryKiB, p.Threads)
}

// The KDF costs: new vaults use defaultParams (OWASP's Argon2id
// configuration: 64 MiB, 3 passes, 4 lanes); a file below minParams or above
// maxParams does not open. Lanes add no cost to an attacker, so the floor
// asks for one. The ceiling bounds what a damaged header can make Open
// allocate before authentication fails: four times the default memory.
// Tests lower all three through export_test.go.
var (
	defaultParams = Params{Time: 3, MemoryKiB: 64 << 10, Threads: 4}
	minParams     = Params{Time: 3, MemoryKiB: 64 << 10, Threads: 1}
	maxParams     = Params{Time: 16, MemoryKiB: 256 << 10, Threads: 64}
)

// DefaultParams returns the KDF costs [Save] and [ChangePassword] use.
func DefaultParams() Params { return defaultParams }

// MinParams returns the weakest KDF costs a vault may have and still open.
func MinParams() Params { return minParams }

// Vault errors. Match them with errors.Is. Only ErrWrongPasswordOrCorrupt
// depends on the password; the others are told from the file alone.
var (
	// ErrNotVault: the file does not start with the vault magic.
	ErrNotVault = errors.New("not a Sesame vault file")
	// ErrUnsupportedVersion: a vault version this build cannot read.
	ErrUnsupportedVersion = errors.New("unsupported vault version")
	// ErrTruncated: the file ends inside its header or before the length
	// the header declares.
	ErrTruncated = errors.New("vault file is truncated")
	// ErrMalformed: a header field is impossible or data follows the end.
	ErrMalformed = errors.New("vault file is malformed")
	// ErrWeakParams: the file's KDF costs are below MinParams (a
	// downgraded or foreign file); it is not opened.
	ErrWeakParams = errors.New("vault KDF parameters are weaker than allowed")
	// ErrUnsupportedParams: the file's KDF costs are above what this
	// build runs; it is not opened.
	ErrUnsupportedParams = errors.New("vault KDF parameters are above the supported maximum")
	// ErrWrongPasswordOrCorrupt: authentication failed. A wrong password
	// and a modified file cannot be told apart.
	ErrWrongPasswordOrCorrupt = errors.New("wrong password or damaged vault file")
	// ErrEmptyPassword: the vault needs a non-empty password.
	ErrEmptyPassword = errors.New("empty vault password")
	// ErrPayloadTooLarge: the payload is over 64 KiB.
	ErrPayloadTooLarge = errors.New("vault payload too large")
	// ErrVerifyFailed: the new file did not read back as written; the old
	// vault was left in place.
	ErrVerifyFailed = errors.New("written vault does not read back")
	// ErrUnsafeFolder: the vault's folder is shared (sticky, like /tmp)
	// and cannot be made private.
	ErrUnsafeFolder = errors.New("vault folder is shared")
)

// Info is a vault's non-secret metadata, readable without the password.
type Info struct {
	Version int
	Params  Params
	Created time.Time // set by Save, kept by ChangePassword
}

// header is the decoded fixed part of a vault file.
type header struct {
	params  Params
	salt    [saltSize]byte
	nonce   [nonceSize]byte
	created int64
	ctLen   uint32
}

func (h *header) encode() []byte {
	b := make([]byte, 0, headerSize)
	b = append(b, vaultMagic...)
	b = append(b, vaultVersion)
	b = binary.BigEndian.AppendUint32(b, h.params.Time)
	b = binary.BigEndian.AppendUint32(b, h.params.MemoryKiB)
	b = append(b, h.params.Threads)
	b = append(b, h.salt[:]...)
	b = append(b, h.nonce[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(h.created))
	b = binary.BigEndian.AppendUint32(b, h.ctLen)
	return b
}

func (h *header) info() Info {
	return Info{Version: vaultVersion, Params: h.params, Created: time.Unix(h.created, 0).UTC()}
}

// decode checks everything that can be checked without the password and
// returns the header and the ciphertext (a sub-slice of data).
func decode(data []byte) (*header, []byte, error) {
	n := min(len(data), len(vaultMagic))
	if string(data[:n]) != vaultMagic[:n] {
		return nil, nil, ErrNotVault
	}
	if len(data) <= len(vaultMagic) {
		return nil, nil, ErrTruncated
	}
	if v := data[len(vaultMagic)]; v != vaultVersion {
		return nil, nil, fmt.Errorf("%w: version %d", ErrUnsupportedVersion, v)
	}
	if len(data) < headerSize {
		return nil, nil, ErrTruncated
	}
	h := new(header)
	b := data[len(vaultMagic)+1 : headerSize]
	h.params.Time = binary.BigEndian.Uint32(b)
	h.params.MemoryKiB = binary.BigEndian.Uint32(b[4:])
	h.params.Threads = b[8]
	b = b[9:]
	b = b[copy(h.salt[:], b):]
	b = b[copy(h.nonce[:], b):]
	h.created = int64(binary.BigEndian.Uint64(b))
	h.ctLen = binary.BigEndian.Uint32(b[8:])
	if err := checkParams(h.params); err != nil {
		return nil, nil, err
	}
	if h.ctLen < tagSize || h.ctLen > maxPayload+tagSize {
		return nil, nil, fmt.Errorf("%w: ciphertext length %d", ErrMalformed, h.ctLen)
	}
	ct := data[headerSize:]
	switch {
	case len(ct) < int(h.ctLen):
		return nil, nil, ErrTruncated
	case len(ct) > int(h.ctLen):
		return nil, nil, fmt.Errorf("%w: %d bytes after the end", ErrMalformed, len(ct)-int(h.ctLen))
	}
	return h, ct, nil
}

func checkParams(p Params) error {
	lo, hi := minParams, maxParams
	switch {
	case p.Time == 0 || p.Threads == 0, // argon2 panics on these
		p.Time < lo.Time || p.MemoryKiB < lo.MemoryKiB || p.Threads < lo.Threads:
		return fmt.Errorf("%w: %v, floor %v", ErrWeakParams, p, lo)
	case p.Time > hi.Time || p.MemoryKiB > hi.MemoryKiB || p.Threads > hi.Threads:
		return fmt.Errorf("%w: %v, maximum %v", ErrUnsupportedParams, p, hi)
	}
	return nil
}

// deriveKey returns the 32-byte key; the caller zeroes it.
func deriveKey(password, salt []byte, p Params) []byte {
	return argon2.IDKey(password, salt, p.Time, p.MemoryKiB, p.Threads, keySize)
}

// sealAEAD appends the XChaCha20-Poly1305 ciphertext of plaintext to dst.
// The AEAD value keeps its own copy of the key, unreachable once the call
// returns; the key bytes the package holds are zeroed by their owners.
func sealAEAD(dst, key, nonce, plaintext, ad []byte) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, err
	}
	return aead.Seal(dst, nonce, plaintext, ad), nil
}

// openAEAD decrypts and authenticates ciphertext.
func openAEAD(key, nonce, ciphertext, ad []byte) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, err
	}
	return aead.Open(nil, nonce, ciphertext, ad)
}

// openData decrypts a whole vault file held in memory.
func openData(data, password []byte) ([]byte, *header, error) {
	if len(password) == 0 {
		return nil, nil, ErrEmptyPassword
	}
	h, ct, err := decode(data)
	if err != nil {
		return nil, nil, err
	}
	key := deriveKey(password, h.salt[:], h.params)
	defer clear(key)
	payload, err := openAEAD(key, h.nonce[:], ct, data[:headerSize])
	if err != nil {
		return nil, nil, ErrWrongPasswordOrCorrupt
	}
	return payload, h, nil
}

// seal encrypts payload into a whole vault file with a fresh salt and
// nonce. It also returns the key (the caller zeroes it) to verify the file
// once written.
func seal(password, payload []byte, p Params, created int64) (file, key []byte, err error) {
	h := &header{params: p, created: created, ctLen: uint32(len(payload) + tagSize)}
	if _, err := rand.Read(h.salt[:]); err != nil {
		return nil, nil, err
	}
	if _, err := rand.Read(h.nonce[:]); err != nil {
		return nil, nil, err
	}
	key = deriveKey(password, h.salt[:], p)
	ad := h.encode()
	file = make([]byte, headerSize, headerSize+len(payload)+tagSize)
	copy(file, ad)
	file, err = sealAEAD(file, key, h.nonce[:], payload, ad)
	if err != nil {
		clear(key)
		return nil, nil, err
	}
	return file, key, nil
}

// readVault reads at most maxVaultBytes+1 bytes of path: enough for decode
// to refuse anything longer.
func readVault(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, int64(maxVaultBytes)+1))
}

// Open decrypts the vault at path and returns its payload; the caller
// zeroes it after use.
func Open(path string, password []byte) ([]byte, error) {
	payload, _, err := open(path, password)
	return payload, err
}

func open(path string, password []byte) ([]byte, *header, error) {
	data, err := readVault(path)
	if err != nil {
		return nil, nil, fmt.Errorf("keystore: open vault: %w", err)
	}
	payload, h, err := openData(data, password)
	if err != nil {
		return nil, nil, fmt.Errorf("keystore: open vault: %w", err)
	}
	return payload, h, nil
}

// ReadInfo returns the metadata of the vault at path after the checks that
// need no password.
func ReadInfo(path string) (Info, error) {
	data, err := readVault(path)
	if err != nil {
		return Info{}, fmt.Errorf("keystore: read vault: %w", err)
	}
	h, _, err := decode(data)
	if err != nil {
		return Info{}, fmt.Errorf("keystore: read vault: %w", err)
	}
	return h.info(), nil
}

// Exists reports whether a regular file is at path. An error other than
// "does not exist" is returned, never taken for "no vault".
func Exists(path string) (bool, error) {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("keystore: %w", err)
	case !fi.Mode().IsRegular():
		return false, fmt.Errorf("keystore: %s: %w", path, ErrNotVault)
	}
	return true, nil
}

// VaultPath returns the path in dir of the vault of account on server:
// the hex of the first 16 bytes of SHA-256 of the account's keychain name
// (the normalised server and the lower-case account), then ".vault". It
// fails with [ErrInvalidServer] or [ErrInvalidAccount].
func VaultPath(dir, server, account string) (string, error) {
	key, err := accountKey(server, account)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(dir, hex.EncodeToString(sum[:16])+".vault"), nil
}

// Save encrypts payload (at most 64 KiB) under password with
// [DefaultParams] and atomically replaces the vault at path. The folder is
// created with mode 0700, or an existing one set to 0700 (a shared sticky
// folder such as /tmp is refused: [ErrUnsafeFolder]). The new file is read
// back and decrypted before it replaces the old one, and temporary files a
// crashed save left beside it are removed. Save never modifies password or
// payload; zeroing them is the caller's.
func Save(path string, password, payload []byte) error {
	if err := save(path, password, payload, time.Now().Unix()); err != nil {
		return fmt.Errorf("keystore: save vault: %w", err)
	}
	return nil
}

// ChangePassword re-encrypts the vault at path under newPassword (with a
// fresh salt and nonce, and DefaultParams), keeping its payload and
// creation time; the file is replaced the same way as by [Save].
func ChangePassword(path string, oldPassword, newPassword []byte) error {
	if len(newPassword) == 0 {
		return fmt.Errorf("keystore: change vault password: %w", ErrEmptyPassword)
	}
	payload, h, err := open(path, oldPassword)
	if err != nil {
		return err
	}
	defer clear(payload)
	if err := save(path, newPassword, payload, h.created); err != nil {
		return fmt.Errorf("keystore: change vault password: %w", err)
	}
	return nil
}

func save(path string, password, payload []byte, created int64) error {
	if len(password) == 0 {
		return ErrEmptyPassword
	}
	if len(payload) > maxPayload {
		return ErrPayloadTooLarge
	}
	file, key, err := seal(password, payload, defaultParams, created)
	if err != nil {
		return err
	}
	defer clear(key)
	return writeAtomic(path, file, func(written []byte) error {
		return verify(written, file, key, payload)
	})
}

// verify checks that the bytes read back from the temporary file are the
// ones sealed and decrypt to payload.
func verify(written, file, key, payload []byte) error {
	if !bytes.Equal(written, file) {
		return ErrVerifyFailed
	}
	h, ct, err := decode(written)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrVerifyFailed, err)
	}
	got, err := openAEAD(key, h.nonce[:], ct, written[:headerSize])
	if err != nil {
		return ErrVerifyFailed
	}
	defer clear(got)
	if subtle.ConstantTimeCompare(got, payload) != 1 {
		return ErrVerifyFailed
	}
	return nil
}
