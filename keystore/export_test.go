package keystore

// Test-only hooks. The KDF costs are lowered here, never through a
// user-visible setting.

// RealDefaultParams, RealMinParams and RealMaxParams are the shipped costs.
var (
	RealDefaultParams = defaultParams
	RealMinParams     = minParams
	RealMaxParams     = maxParams
)

// SetParams replaces the default, floor and ceiling KDF costs and returns a
// func that puts the previous ones back.
func SetParams(def, lo, hi Params) (restore func()) {
	d, l, h := defaultParams, minParams, maxParams
	defaultParams, minParams, maxParams = def, lo, hi
	return func() { defaultParams, minParams, maxParams = d, l, h }
}

const HeaderSize = headerSize

var (
	DeriveKey       = deriveKey
	SealAEAD        = sealAEAD
	OpenAEAD        = openAEAD
	NormalizeServer = normalizeServer
	ItemKeys        = itemKeys
)

// OpenData decrypts a vault file held in memory.
func OpenData(data, password []byte) ([]byte, error) {
	payload, _, err := openData(data, password)
	return payload, err
}

// SealWithParams builds a vault file with any costs, bypassing the floor.
func SealWithParams(password, payload []byte, p Params, created int64) ([]byte, error) {
	file, key, err := seal(password, payload, p, created)
	clear(key)
	return file, err
}

// SetSyncDir makes every folder sync also call seen, and returns a func that
// puts the plain sync back.
func SetSyncDir(seen func(dir string)) (restore func()) {
	old := syncDir
	syncDir = func(dir string) error {
		seen(dir)
		return old(dir)
	}
	return func() { syncDir = old }
}

var DiagnoseCredential = diagnoseCredential
