package keystore

import (
	"sync/atomic"

	"github.com/zalando/go-keyring"
)

// mocked is set once a test of a caller replaced the OS keychain with
// go-keyring's in-memory mock; the session-bus check is then skipped.
var mocked atomic.Bool

// MockInit replaces the OS keychain with go-keyring's in-memory mock, for
// the tests of this package's callers. keystore's own tests never use it.
func MockInit() {
	keyring.MockInit()
	mocked.Store(true)
}

// MockInitWithError makes every keychain call fail with err, for the tests
// of callers that must carry on without a keychain.
func MockInitWithError(err error) {
	keyring.MockInitWithError(err)
	mocked.Store(true)
}
