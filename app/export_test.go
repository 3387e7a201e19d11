package app

import "sesame/wallet/keyfile"

// SetKeyfileScrypt sets the scrypt cost of exported key files, for tests;
// restore puts the standard one back.
func SetKeyfileScrypt(s keyfile.Scrypt) (restore func()) {
	old := keyfileScrypt
	keyfileScrypt = s
	return func() { keyfileScrypt = old }
}

// KeyfileScrypt is the cost exported key files use.
func KeyfileScrypt() keyfile.Scrypt { return keyfileScrypt }

// DataDirOn is DataDir on another system, with its environment and home.
var DataDirOn = dataDir

// HostDeviceName is the device name of host in language.
var HostDeviceName = hostDeviceName
