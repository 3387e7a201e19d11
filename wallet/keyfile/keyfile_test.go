package keyfile

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
)

// lightScrypt is the cost of the tests' own files (geth's veryLightScryptN).
var lightScrypt = Scrypt{N: 2, R: 8, P: 1}

// vector is one case of testdata/v3_test_vector.json.
type vector struct {
	JSON     json.RawMessage `json:"json"`
	Password string          `json:"password"`
	Priv     string          `json:"priv"`
}

func loadVectors(t testing.TB) map[string]vector {
	t.Helper()
	b, err := os.ReadFile("testdata/v3_test_vector.json")
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]vector
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if len(v) != 4 {
		t.Fatalf("%d vectors, want 4", len(v))
	}
	return v
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestVectors(t *testing.T) {
	for name, v := range loadVectors(t) {
		t.Run(name, func(t *testing.T) {
			k, err := Decrypt(v.JSON, []byte(v.Password))
			if err != nil {
				t.Fatal(err)
			}
			want, _ := hex.DecodeString(v.Priv)
			if got := hex.EncodeToString(k.Private); got != strings.Repeat("00", 32-len(want))+v.Priv {
				t.Errorf("key = %s, want %s", got, v.Priv)
			}
			if _, err := Decrypt(v.JSON, []byte(v.Password+"x")); !errors.Is(err, ErrMAC) {
				t.Errorf("wrong password: %v, want ErrMAC", err)
			}
		})
	}
}

// The wiki's key is the one of its published address.
func TestVectorAddress(t *testing.T) {
	k, err := Decrypt(loadVectors(t)["wikipage_test_vector_pbkdf2"].JSON, []byte("testpassword"))
	if err != nil {
		t.Fatal(err)
	}
	if k.Address != "0x008AeEda4D805471dF9b2A5B0f38A0C3bCBA786b" {
		t.Errorf("address = %s", k.Address)
	}
	info, err := Parse(readFile(t, "very-light-scrypt.json"))
	if err != nil || !strings.EqualFold(info.Address, "0x45dea0fb0bba44f4fcf290bba71fd57d7117cbb8") || info.KDF != "scrypt" {
		t.Errorf("Parse = %+v, %v", info, err)
	}
	if k, err := Decrypt(readFile(t, "very-light-scrypt.json"), nil); err != nil || k.Address != info.Address {
		t.Errorf("very light file: %+v, %v", k, err)
	}
}

func TestEncryptRoundTrip(t *testing.T) {
	priv, _ := hex.DecodeString("1ab42cc412b618bdea3a599e3c9bae199ebf030895b039e9db1e30dafb12b727")
	data, err := Encrypt(priv, []byte("file password"), lightScrypt)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), hex.EncodeToString(priv)) {
		t.Fatal("the file holds the key in clear")
	}
	var f map[string]any
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	if f["version"] != 3.0 || f["address"] != "9858effd232b4033e47d90003d41ec34ecaeda94" || len(f["id"].(string)) != 36 || f["id"].(string)[14] != '4' {
		t.Errorf("file fields: %v", f)
	}
	k, err := Decrypt(data, []byte("file password"))
	if err != nil || hex.EncodeToString(k.Private) != hex.EncodeToString(priv) || k.Address != "0x9858EfFD232B4033E47d90003D41EC34EcaEda94" {
		t.Fatalf("round trip: %+v, %v", k, err)
	}
	if _, err := Decrypt(data, []byte("file passwore")); !errors.Is(err, ErrMAC) {
		t.Errorf("wrong password: %v", err)
	}
	again, _ := Encrypt(priv, []byte("file password"), lightScrypt)
	if string(again) == string(data) {
		t.Error("two files of one key are identical: no fresh salt, IV or id")
	}
	if _, err := Encrypt(priv, nil, lightScrypt); !errors.Is(err, ErrEmptyPassword) {
		t.Errorf("empty password: %v", err)
	}
	if _, err := Encrypt(make([]byte, 32), []byte("pw"), lightScrypt); !errors.Is(err, ErrKey) {
		t.Errorf("zero key: %v", err)
	}
	if _, err := Encrypt(priv, []byte("pw"), Scrypt{N: 3, R: 8, P: 1}); !errors.Is(err, ErrKDFParams) {
		t.Errorf("n=3: %v", err)
	}
}

func TestStandardScrypt(t *testing.T) {
	if StandardScrypt != (Scrypt{N: 262144, R: 8, P: 1}) {
		t.Errorf("StandardScrypt = %+v, want geth's n=262144 r=8 p=1", StandardScrypt)
	}
	if err := checkScrypt(StandardScrypt, dkLen); err != nil {
		t.Errorf("the standard cost is refused: %v", err)
	}
}

// badCase is a damaged key file and the error it must give; the table
// seeds the fuzz target too.
type badCase struct {
	name string
	json string
	want error
}

// light is the very light file with old replaced by new.
func light(t testing.TB, old, new string) string {
	s := string(readFile(t, "very-light-scrypt.json"))
	if !strings.Contains(s, old) {
		t.Fatalf("%q not in the file", old)
	}
	return strings.Replace(s, old, new, 1)
}

func badCases(t testing.TB) []badCase {
	good := string(readFile(t, "very-light-scrypt.json"))
	return []badCase{
		{"empty", "", ErrMalformed},
		{"truncated", good[:len(good)/2], ErrMalformed},
		{"not an object", `[1,2]`, ErrMalformed},
		{"version 1", light(t, `"version": 3`, `"version": 1`), ErrVersion},
		{"no version", `{"crypto":{}}`, ErrVersion},
		{"unknown kdf", light(t, `"kdf": "scrypt"`, `"kdf": "argon2id"`), ErrUnsupportedKDF},
		{"pbkdf2 with sha512", strings.Replace(string(loadVectors(t)["wikipage_test_vector_pbkdf2"].JSON), "hmac-sha256", "hmac-sha512", 1), ErrUnsupportedKDF},
		{"unknown cipher", light(t, `"aes-128-ctr"`, `"aes-256-gcm"`), ErrUnsupportedCipher},
		{"short iv", light(t, `"dc4926b48a105133d2f16b96833abf1e"`, `"dc4926b48a105133d2f16b96833abf"`), ErrMalformed},
		{"iv not hex", light(t, `"dc4926b48a105133d2f16b96833abf1e"`, `"zz4926b48a105133d2f16b96833abf1e"`), ErrMalformed},
		{"no ciphertext", light(t, `"b87781948a1befd247bff51ef4063f716cf6c2d3481163e9a8f42e1f9bb74145"`, `""`), ErrMalformed},
		{"long ciphertext", light(t, `"b87781948a1befd247bff51ef4063f716cf6c2d3481163e9a8f42e1f9bb74145"`, `"b87781948a1befd247bff51ef4063f716cf6c2d3481163e9a8f42e1f9bb7414500"`), ErrMalformed},
		{"short mac", light(t, `"39990c1684557447940d4c69e06b1b82b2aceacb43f284df65c956daf3046b85"`, `"39990c16"`), ErrMalformed},
		{"n not a power of 2", light(t, `"n": 2,`, `"n": 3,`), ErrKDFParams},
		{"n huge", light(t, `"n": 2,`, `"n": 1073741824,`), ErrKDFParams},
		{"p huge", light(t, `"p": 1,`, `"p": 1000000,`), ErrKDFParams},
		{"dklen 16", light(t, `"dklen": 32`, `"dklen": 16`), ErrKDFParams},
		{"n a string", light(t, `"n": 2,`, `"n": "2",`), ErrMalformed},
		{"no kdfparams", light(t, `"kdfparams"`, `"kdfparamz"`), ErrMalformed},
		{"bad address", light(t, `"45dea0fb0bba44f4fcf290bba71fd57d7117cbb8"`, `"45dea0fb"`), ErrMalformed},
	}
}

func TestBadFiles(t *testing.T) {
	for _, c := range badCases(t) {
		t.Run(c.name, func(t *testing.T) {
			_, err := Decrypt([]byte(c.json), nil)
			if !errors.Is(err, c.want) {
				t.Fatalf("Decrypt: %v, want %v", err, c.want)
			}
			if _, perr := Parse([]byte(c.json)); !errors.Is(perr, c.want) {
				t.Errorf("Parse: %v, want %v", perr, c.want)
			}
		})
	}
	// Found only once the MAC matches.
	other := light(t, `"45dea0fb0bba44f4fcf290bba71fd57d7117cbb8"`, `"9858effd232b4033e47d90003d41ec34ecaeda94"`)
	if _, err := Decrypt([]byte(other), nil); !errors.Is(err, ErrAddress) {
		t.Errorf("another address: %v", err)
	}
	if _, err := Decrypt([]byte(light(t, `"mac": "3`, `"mac": "4`)), nil); !errors.Is(err, ErrMAC) {
		t.Errorf("damaged mac: %v", err)
	}
	if _, err := Decrypt([]byte(strings.Repeat(" ", maxFileBytes+1)), nil); !errors.Is(err, ErrMalformed) {
		t.Errorf("too large: %v", err)
	}
}

// No error quotes the file or the password.
func TestErrorsQuoteNothing(t *testing.T) {
	for _, c := range badCases(t) {
		_, err := Decrypt([]byte(c.json), []byte("secret password"))
		if err == nil {
			t.Fatalf("%s: no error", c.name)
		}
		for _, s := range []string{"secret", "dc4926b4", "b8778194", "004244bb", "39990c16"} {
			if strings.Contains(err.Error(), s) {
				t.Errorf("%s: error %q quotes %s", c.name, err, s)
			}
		}
	}
}

var sentinels = []error{ErrMalformed, ErrVersion, ErrUnsupportedKDF, ErrUnsupportedCipher, ErrKDFParams}

func FuzzParse(f *testing.F) {
	for _, v := range loadVectors(f) {
		f.Add([]byte(v.JSON))
	}
	f.Add(readFile(f, "very-light-scrypt.json"))
	for _, c := range badCases(f) {
		f.Add([]byte(c.json))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := Parse(data)
		if err == nil {
			if info.KDF != "scrypt" && info.KDF != "pbkdf2" {
				t.Fatalf("accepted kdf %q", info.KDF)
			}
			return
		}
		for _, s := range sentinels {
			if errors.Is(err, s) {
				return
			}
		}
		t.Fatalf("error %v wraps no sentinel", err)
	})
}
