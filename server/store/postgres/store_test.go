package postgres_test

import (
	"testing"

	"sesame/internal/storetest"
	"sesame/internal/testdb"
)

// TestStore runs the stores' behaviour suite on PostgreSQL (skipped
// without $SESAME_TEST_POSTGRES: see testdb.Require).
func TestStore(t *testing.T) { storetest.Run(t, testdb.Postgres) }
