package keystore

// sessionBus has nothing to check: the Credential Manager is reached
// through advapi32, not D-Bus.
func sessionBus() error { return nil }

// diagnose names the reason of a failed Credential Manager call.
func diagnose(err error) Reason { return diagnoseCredential(err) }
