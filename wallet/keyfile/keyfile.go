// Package keyfile reads and writes Web3 Secret Storage files (keystore
// v3), the encrypted key files of geth, MetaMask and most Ethereum
// wallets.
//
// [Encrypt] writes a private key as a file protected by its own password
// (scrypt at [StandardScrypt], geth's standard cost, and AES-128-CTR);
// [Decrypt] reads one made with scrypt or PBKDF2-HMAC-SHA256 and checks its
// MAC before anything else. [Parse] checks a file's form without the
// password. Every error wraps one of this package's sentinels.
package keyfile

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/scrypt"
	"golang.org/x/crypto/sha3"

	"sesame/wallet"
)

// Errors. Match them with errors.Is.
var (
	// ErrMalformed: the file is not a key file's JSON (truncated, a field
	// missing or of the wrong type or length, or too large).
	ErrMalformed = errors.New("keyfile: not a valid key file")
	// ErrVersion: the file's version is not 3.
	ErrVersion = errors.New("keyfile: unsupported key file version")
	// ErrUnsupportedKDF: the key derivation is neither scrypt nor
	// PBKDF2-HMAC-SHA256.
	ErrUnsupportedKDF = errors.New("keyfile: unsupported key derivation")
	// ErrUnsupportedCipher: the cipher is not aes-128-ctr.
	ErrUnsupportedCipher = errors.New("keyfile: unsupported cipher")
	// ErrKDFParams: the key derivation's costs are invalid or above what
	// this package runs (a hostile file could ask for gigabytes).
	ErrKDFParams = errors.New("keyfile: key derivation parameters out of range")
	// ErrMAC: the MAC does not match: a wrong password, or a damaged file.
	ErrMAC = errors.New("keyfile: wrong password or damaged key file (MAC mismatch)")
	// ErrKey: the decrypted bytes are not a secp256k1 private key.
	ErrKey = errors.New("keyfile: the file holds an invalid private key")
	// ErrAddress: the file's address is not the one of its key.
	ErrAddress = errors.New("keyfile: the file's address is not its key's")
	// ErrEmptyPassword: a key file written by Sesame needs a password.
	ErrEmptyPassword = errors.New("keyfile: empty password")
)

// Scrypt are scrypt's costs.
type Scrypt struct{ N, R, P int }

// The costs of scrypt: new files use StandardScrypt (geth's
// StandardScryptN and StandardScryptP); Decrypt refuses a file past
// maxScryptMemory or maxScryptWork, and a PBKDF2 file past maxPBKDF2Rounds.
var (
	StandardScrypt = Scrypt{N: 1 << 18, R: 8, P: 1}
)

const (
	maxScryptMemory = 512 << 20 // bytes: 128·N·r
	maxScryptWork   = 1 << 23   // N·r·p, four times the standard
	maxPBKDF2Rounds = 1 << 24
	maxFileBytes    = 64 << 10
	dkLen           = 32
	keyLen          = 32
)

// Key is a decrypted key file.
type Key struct {
	// Private is the 32-byte secp256k1 private key; the caller zeroes it.
	Private []byte
	// Address is its EIP-55 Ethereum address.
	Address string
	// ID is the file's UUID.
	ID string
}

// file is the JSON of a key file.
type file struct {
	Address string     `json:"address,omitempty"`
	Crypto  cryptoJSON `json:"crypto"`
	ID      string     `json:"id"`
	Version int        `json:"version"`
}

type cryptoJSON struct {
	Cipher       string          `json:"cipher"`
	CipherText   string          `json:"ciphertext"`
	CipherParams cipherParams    `json:"cipherparams"`
	KDF          string          `json:"kdf"`
	KDFParams    json.RawMessage `json:"kdfparams"`
	MAC          string          `json:"mac"`
}

type cipherParams struct {
	IV string `json:"iv"`
}

type scryptParams struct {
	DKLen int    `json:"dklen"`
	N     int    `json:"n"`
	P     int    `json:"p"`
	R     int    `json:"r"`
	Salt  string `json:"salt"`
}

type pbkdf2Params struct {
	C     int    `json:"c"`
	DKLen int    `json:"dklen"`
	PRF   string `json:"prf"`
	Salt  string `json:"salt"`
}

// parsed is a key file after every check that needs no password.
type parsed struct {
	address   string // EIP-55, "" when the file has none
	id        string
	iv, ct    []byte
	mac       []byte
	deriveKey func(password []byte) ([]byte, error)
	kdf       string
}

// Info is what a key file says without its password.
type Info struct {
	Address string // EIP-55, "" when the file does not name it
	ID      string
	KDF     string // "scrypt" or "pbkdf2"
}

// Parse checks the form of a key file without its password.
func Parse(data []byte) (Info, error) {
	p, err := parse(data)
	if err != nil {
		return Info{}, err
	}
	return Info{Address: p.address, ID: p.id, KDF: p.kdf}, nil
}

func parse(data []byte) (*parsed, error) {
	if len(data) > maxFileBytes {
		return nil, fmt.Errorf("%w: over %d bytes", ErrMalformed, maxFileBytes)
	}
	var f file
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, jsonReason(err, len(data)))
	}
	if f.Version != 3 {
		return nil, fmt.Errorf("%w: %d", ErrVersion, f.Version)
	}
	c := f.Crypto
	if c.Cipher != "aes-128-ctr" {
		return nil, fmt.Errorf("%w: %q", ErrUnsupportedCipher, c.Cipher)
	}
	p := &parsed{id: f.ID, kdf: c.KDF}
	var err error
	if f.Address != "" {
		if p.address, err = parseAddress(f.Address); err != nil {
			return nil, err
		}
	}
	if p.iv, err = hexField("cipherparams.iv", c.CipherParams.IV, aes.BlockSize); err != nil {
		return nil, err
	}
	if p.ct, err = hexField("ciphertext", c.CipherText, -1); err != nil {
		return nil, err
	}
	// geth reads keys of fewer than 32 bytes as numbers (its 30- and
	// 31-byte test vectors); none is longer.
	if len(p.ct) == 0 || len(p.ct) > keyLen {
		return nil, fmt.Errorf("%w: ciphertext of %d bytes", ErrMalformed, len(p.ct))
	}
	if p.mac, err = hexField("mac", c.MAC, sha256.Size); err != nil {
		return nil, err
	}
	if len(c.KDFParams) == 0 {
		return nil, fmt.Errorf("%w: no kdfparams", ErrMalformed)
	}
	switch c.KDF {
	case "scrypt":
		p.deriveKey, err = scryptKDF(c.KDFParams)
	case "pbkdf2":
		p.deriveKey, err = pbkdf2KDF(c.KDFParams)
	default:
		err = fmt.Errorf("%w: %q", ErrUnsupportedKDF, c.KDF)
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

func scryptKDF(raw json.RawMessage) (func([]byte) ([]byte, error), error) {
	var sp scryptParams
	if err := json.Unmarshal(raw, &sp); err != nil {
		return nil, fmt.Errorf("%w: kdfparams: %v", ErrMalformed, jsonReason(err, len(raw)))
	}
	salt, err := hexField("kdfparams.salt", sp.Salt, -1)
	if err != nil {
		return nil, err
	}
	if err := checkScrypt(Scrypt{N: sp.N, R: sp.R, P: sp.P}, sp.DKLen); err != nil {
		return nil, err
	}
	return func(password []byte) ([]byte, error) {
		return scrypt.Key(password, salt, sp.N, sp.R, sp.P, dkLen)
	}, nil
}

func checkScrypt(s Scrypt, dklen int) error {
	switch {
	case dklen != dkLen:
		return fmt.Errorf("%w: dklen %d, want %d", ErrKDFParams, dklen, dkLen)
	case s.N < 2 || s.N&(s.N-1) != 0 || s.R < 1 || s.P < 1:
		return fmt.Errorf("%w: scrypt n=%d r=%d p=%d", ErrKDFParams, s.N, s.R, s.P)
	case s.N > maxScryptMemory/128/s.R || s.N > maxScryptWork/s.R/s.P:
		return fmt.Errorf("%w: scrypt n=%d r=%d p=%d is above the supported cost", ErrKDFParams, s.N, s.R, s.P)
	}
	return nil
}

func pbkdf2KDF(raw json.RawMessage) (func([]byte) ([]byte, error), error) {
	var pp pbkdf2Params
	if err := json.Unmarshal(raw, &pp); err != nil {
		return nil, fmt.Errorf("%w: kdfparams: %v", ErrMalformed, jsonReason(err, len(raw)))
	}
	if pp.PRF != "hmac-sha256" {
		return nil, fmt.Errorf("%w: pbkdf2 with %q", ErrUnsupportedKDF, pp.PRF)
	}
	salt, err := hexField("kdfparams.salt", pp.Salt, -1)
	if err != nil {
		return nil, err
	}
	switch {
	case pp.DKLen != dkLen:
		return nil, fmt.Errorf("%w: dklen %d, want %d", ErrKDFParams, pp.DKLen, dkLen)
	case pp.C < 1 || pp.C > maxPBKDF2Rounds:
		return nil, fmt.Errorf("%w: pbkdf2 c=%d", ErrKDFParams, pp.C)
	}
	return func(password []byte) ([]byte, error) {
		return pbkdf2.Key(sha256.New, string(password), salt, pp.C, dkLen)
	}, nil
}

// Decrypt opens a key file with its password. A wrong password gives
// ErrMAC.
func Decrypt(data, password []byte) (*Key, error) {
	p, err := parse(data)
	if err != nil {
		return nil, err
	}
	dk, err := p.deriveKey(password)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKDFParams, err)
	}
	defer clear(dk)
	if subtle.ConstantTimeCompare(mac(dk, p.ct), p.mac) != 1 {
		return nil, ErrMAC
	}
	priv := make([]byte, keyLen)
	// Left-padded: a shorter key is a number with leading zero bytes.
	if err := aesCTR(dk[:16], p.iv, priv[keyLen-len(p.ct):], p.ct); err != nil {
		return nil, err
	}
	addr, err := wallet.EthereumAddressOfKey(priv)
	if err != nil {
		clear(priv)
		return nil, ErrKey
	}
	if p.address != "" && p.address != addr {
		clear(priv)
		return nil, fmt.Errorf("%w: file says %s, key is %s", ErrAddress, p.address, addr)
	}
	return &Key{Private: priv, Address: addr, ID: p.id}, nil
}

// Encrypt writes priv as a key file under password with scrypt at s
// (StandardScrypt but in tests), a fresh salt, IV and UUID.
func Encrypt(priv, password []byte, s Scrypt) ([]byte, error) {
	if len(password) == 0 {
		return nil, ErrEmptyPassword
	}
	if err := checkScrypt(s, dkLen); err != nil {
		return nil, err
	}
	addr, err := wallet.EthereumAddressOfKey(priv)
	if err != nil {
		return nil, ErrKey
	}
	var salt [32]byte
	var iv [aes.BlockSize]byte
	var id [16]byte
	for _, b := range [][]byte{salt[:], iv[:], id[:]} {
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
	}
	dk, err := scrypt.Key(password, salt[:], s.N, s.R, s.P, dkLen)
	if err != nil {
		return nil, err
	}
	defer clear(dk)
	ct := make([]byte, len(priv))
	if err := aesCTR(dk[:16], iv[:], ct, priv); err != nil {
		return nil, err
	}
	params, err := json.Marshal(scryptParams{DKLen: dkLen, N: s.N, P: s.P, R: s.R, Salt: hex.EncodeToString(salt[:])})
	if err != nil {
		return nil, err
	}
	return json.Marshal(file{
		Address: strings.ToLower(addr[2:]),
		Crypto: cryptoJSON{
			Cipher:       "aes-128-ctr",
			CipherText:   hex.EncodeToString(ct),
			CipherParams: cipherParams{IV: hex.EncodeToString(iv[:])},
			KDF:          "scrypt",
			KDFParams:    params,
			MAC:          hex.EncodeToString(mac(dk, ct)),
		},
		ID:      uuid4(id),
		Version: 3,
	})
}

// mac is Keccak-256 of the derived key's second half and the ciphertext.
func mac(dk, ct []byte) []byte {
	h := sha3.NewLegacyKeccak256()
	h.Write(dk[16:32])
	h.Write(ct)
	return h.Sum(nil)
}

func aesCTR(key, iv, dst, src []byte) error {
	b, err := aes.NewCipher(key)
	if err != nil {
		return err
	}
	cipher.NewCTR(b, iv).XORKeyStream(dst, src)
	return nil
}

// uuid4 formats 16 random bytes as a version 4 UUID.
func uuid4(b [16]byte) string {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// hexField decodes a hex field of n bytes (any length but 0 when n < 0).
func hexField(name, s string, n int) ([]byte, error) {
	b, err := hex.DecodeString(strings.TrimPrefix(s, "0x"))
	switch {
	case err != nil:
		return nil, fmt.Errorf("%w: %s is not hex", ErrMalformed, name)
	case n >= 0 && len(b) != n, n < 0 && len(b) == 0:
		return nil, fmt.Errorf("%w: %s is %d bytes", ErrMalformed, name, len(b))
	}
	return b, nil
}

// parseAddress reads the file's address: 40 hex digits, "0x" optional,
// in any case (geth writes lower case).
func parseAddress(s string) (string, error) {
	b, err := hexField("address", s, 20)
	if err != nil {
		return "", err
	}
	return wallet.EIP55([20]byte(b)), nil
}

// jsonReason says what is wrong with the JSON of n bytes without quoting
// it.
func jsonReason(err error, n int) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn) && syn.Offset >= int64(n):
		return "the JSON is truncated"
	case errors.As(err, &syn):
		return fmt.Sprintf("JSON syntax error at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("field %s is not a %s", typ.Field, typ.Type)
	}
	return "invalid JSON"
}
