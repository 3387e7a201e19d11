package keystore

import (
	"errors"
	"syscall"
)

// credentialErrors name the reasons of the Windows Credential Manager's
// errors (winerror.h); a pure table, tested on every system.
var credentialErrors = map[syscall.Errno]Reason{
	1312: ReasonNoLogonSession, // ERROR_NO_SUCH_LOGON_SESSION
}

// diagnoseCredential names the reason of a failed Credential Manager call.
func diagnoseCredential(err error) Reason {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		if r, ok := credentialErrors[errno]; ok {
			return r
		}
	}
	return ReasonOther
}
