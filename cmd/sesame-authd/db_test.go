package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sesame/authapi"
	"sesame/internal/testdb"
)

// TestDatabaseFromEnvironment: without --db, $SESAME_DB names the
// database; --db wins over it.
func TestDatabaseFromEnvironment(t *testing.T) {
	dir := t.TempDir()
	env, flagged := filepath.Join(dir, "env.db"), filepath.Join(dir, "flag.db")
	t.Setenv(dbEnv, env)
	if err := run(context.Background(), []string{"maintenance", "on"}, io.Discard, io.Discard, nil); err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), []string{"maintenance", "on", "--db", flagged}, io.Discard, io.Discard, nil); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{env, flagged} {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("no database at %s: %v", filepath.Base(p), err)
		}
	}
}

// TestPostgresURLsStayOutOfErrors: a PostgreSQL URL that does not parse or
// does not connect is refused without its password.
func TestPostgresURLsStayOutOfErrors(t *testing.T) {
	for _, url := range []string{
		"postgres://sesame:hunter2hunter2@[::1/sesame",
		"postgresql://sesame:hunter2hunter2@127.0.0.1:1/sesame?connect_timeout=5",
		"postgres://sesame:hunter2hunter2@127.0.0.1:1/sesame?sslmode=sideways",
	} {
		err := run(context.Background(), []string{"maintenance", "on", "--db", url}, io.Discard, io.Discard, nil)
		if err == nil || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%v", err)
		}
	}
}

// TestKeywordConnectionStringRefused: a key=value connection string is
// refused, not taken as the name of a SQLite file holding its password.
func TestKeywordConnectionStringRefused(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, db := range []string{"host=db.example.org user=sesame password=hunter2hunter2", "dbname=sesame password = hunter2hunter2"} {
		err := run(context.Background(), []string{"maintenance", "on", "--db", db}, io.Discard, io.Discard, nil)
		if err == nil || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%q: %v", db, err)
		}
	}
	if files, _ := os.ReadDir(dir); len(files) > 0 {
		t.Fatalf("files made: %v", files)
	}
}

// TestServeOnPostgres runs the program on PostgreSQL named by $SESAME_DB
// and switches its maintenance mode through --db.
func TestServeOnPostgres(t *testing.T) {
	db := testdb.New(t, testdb.Postgres)
	t.Setenv(dbEnv, db.Source)
	ctx, cancel := context.WithCancel(context.Background())
	ready, done := make(chan string, 1), make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--listen", "127.0.0.1:0", "--local-mailbox", "--dev-plain-totp-secrets", "--drain-wait", "0"}, io.Discard, io.Discard, ready)
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	var base string
	select {
	case addr := <-ready:
		base = "http://" + addr
	case err := <-done:
		t.Fatal(err)
	}
	if err := run(ctx, []string{"maintenance", "on", "--db", db.Source}, io.Discard, io.Discard, nil); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", base+"/v1/status", nil)
	req.Header.Set(authapi.HeaderClientVersion, "1.0.0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if m, err := db.Open(t).Maintenance(ctx); err != nil || !m.On || resp.StatusCode != 200 {
		t.Fatalf("status %d, maintenance %+v %v", resp.StatusCode, m, err)
	}
}

func TestHelpExplainsTheDatabase(t *testing.T) {
	var out strings.Builder
	run(context.Background(), []string{"--help"}, io.Discard, &out, nil)
	for _, want := range []string{"$" + dbEnv, "postgres://", "PGPASSWORD", "SQLite"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("--help does not mention %q", want)
		}
	}
}
