package app

// DataDirOn is DataDir on another system, with its environment and home.
var DataDirOn = dataDir

// KeychainCauseOn is the cause of a keychain's reason on another system.
var KeychainCauseOn = keychainCauseOn
