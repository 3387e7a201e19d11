package sqlite_test

import (
	"testing"

	"sesame/internal/storetest"
	"sesame/internal/testdb"
)

// TestStore runs the stores' behaviour suite on SQLite.
func TestStore(t *testing.T) { storetest.Run(t, testdb.SQLite) }
