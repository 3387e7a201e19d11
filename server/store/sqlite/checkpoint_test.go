package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"sesame/server/store"
	"sesame/server/store/sqlite"
)

// TestRewriteTOTPSecretsCheckpointBusy: when another connection reads the
// database while the secrets are rewritten, the write-ahead log cannot be
// emptied, and RewriteTOTPSecrets says so rather than claiming the old
// values are gone; the rewrite itself stands. (The checkpoint waits for
// the reader for the store's busy timeout, 15 s, hence Parallel.)
func TestRewriteTOTPSecretsCheckpointBusy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sesame.db")
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a := store.Account{ID: "acc-1", Email: "a@example.org", PasswordHash: "h", Verified: true, CreatedAt: time.Now()}
	if err := st.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := st.SetPendingTOTP(ctx, a.ID, "PLAINSECRET"); err != nil {
		t.Fatal(err)
	}

	// A reader in another connection holds a snapshot of the database.
	reader, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	tx, err := reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM accounts`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("the reader sees %d accounts: %v", n, err)
	}

	seal := func(_, v string) (string, error) { return "v1:" + v, nil }
	got, err := st.RewriteTOTPSecrets(ctx, "v1:", seal)
	if !errors.Is(err, store.ErrOldValuesKept) || got != 1 {
		t.Fatalf("RewriteTOTPSecrets with a reader: %d, %v", got, err)
	}
	acc, err := st.AccountByID(ctx, a.ID)
	if err != nil || acc.TOTPPending != "v1:PLAINSECRET" {
		t.Fatalf("after the rewrite: %+v, %v", acc, err)
	}
}
