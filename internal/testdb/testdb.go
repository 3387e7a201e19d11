// Package testdb gives a test an empty database of its own for the auth
// server's store: a SQLite file in t.TempDir(), or a fresh schema on the
// PostgreSQL server that $SESAME_TEST_POSTGRES names (scripts/postgres-session
// starts one and sets it). Only tests import it.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"sesame/server/store"
	"sesame/server/store/postgres"
	"sesame/server/store/sqlite"
)

// The kinds of store.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// Kinds are the stores every store behaviour is tested on.
var Kinds = []string{SQLite, Postgres}

// Environment variables: EnvPostgres is the URL of a PostgreSQL database
// the tests may make schemas in; EnvStore chooses the store of the test
// servers (internal/testserver), SQLite unless it is "postgres".
const (
	EnvPostgres = "SESAME_TEST_POSTGRES"
	EnvStore    = "SESAME_TEST_STORE"
)

// ServerKind is the kind of store the test servers use.
func ServerKind() string {
	if os.Getenv(EnvStore) == Postgres {
		return Postgres
	}
	return SQLite
}

// DB is an empty database of a test.
type DB struct {
	Kind string
	// Source is the SQLite file or the PostgreSQL URL.
	Source string
}

// Require skips the test when kind is PostgreSQL and $SESAME_TEST_POSTGRES
// is unset, or fails it if $SESAME_TEST_STORE asked for PostgreSQL.
func Require(t testing.TB, kind string) {
	t.Helper()
	if kind != Postgres || os.Getenv(EnvPostgres) != "" {
		return
	}
	if ServerKind() == Postgres {
		t.Fatalf("%s=postgres needs %s: run the tests under scripts/postgres-session", EnvStore, EnvPostgres)
	}
	t.Skipf("no PostgreSQL: %s is unset (run the tests under scripts/postgres-session)", EnvPostgres)
}

// New makes an empty database of kind, removed when the test ends; see
// Require for a PostgreSQL one.
func New(t testing.TB, kind string) DB {
	t.Helper()
	if kind == SQLite {
		return DB{kind, filepath.Join(t.TempDir(), "sesame.db")}
	}
	Require(t, kind)
	base := os.Getenv(EnvPostgres)
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s does not parse as a URL", EnvPostgres)
	}
	schema := "test_" + strings.ToLower(rand.Text())
	ctx := context.Background()
	run := func(sql string) {
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	run("CREATE SCHEMA " + schema)
	t.Cleanup(func() { run("DROP SCHEMA " + schema + " CASCADE") })
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return DB{kind, u.String()}
}

// Open opens a handle on the database, as one server process does, closed
// when the test ends.
func (d DB) Open(t testing.TB) store.Admin {
	t.Helper()
	st, err := d.Connect()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// Connect opens a handle on the database that the caller closes.
func (d DB) Connect() (store.Admin, error) {
	var st store.Admin
	var err error
	if d.Kind == Postgres {
		st, err = postgres.Open(context.Background(), d.Source)
	} else {
		st, err = sqlite.Open(context.Background(), d.Source)
	}
	if err != nil {
		return nil, err
	}
	return st, nil
}

// Mentions lists, as "table: needle", every table of the database that
// has a row holding one of the needles in a text or binary column: a test
// sees what is left of an account, whatever tables the schema has.
func (d DB) Mentions(t testing.TB, needles ...string) []string {
	t.Helper()
	var tables, hits []string
	// rows runs a query and calls f with each row's values.
	var rows func(query string, f func([]any)) error
	if d.Kind == Postgres {
		conn, err := pgx.Connect(context.Background(), d.Source)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		rows = func(query string, f func([]any)) error {
			r, err := conn.Query(context.Background(), query)
			if err != nil {
				return err
			}
			defer r.Close()
			for r.Next() {
				v, err := r.Values()
				if err != nil {
					return err
				}
				f(v)
			}
			return r.Err()
		}
	} else {
		db, err := sql.Open("sqlite", d.Source)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		rows = func(query string, f func([]any)) error {
			r, err := db.Query(query)
			if err != nil {
				return err
			}
			defer r.Close()
			cols, err := r.Columns()
			if err != nil {
				return err
			}
			for r.Next() {
				v := make([]any, len(cols))
				p := make([]any, len(cols))
				for i := range v {
					p[i] = &v[i]
				}
				if err := r.Scan(p...); err != nil {
					return err
				}
				f(v)
			}
			return r.Err()
		}
	}
	list := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`
	if d.Kind == Postgres {
		list = `SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1`
	}
	if err := rows(list, func(v []any) { tables = append(tables, v[0].(string)) }); err != nil {
		t.Fatal(err)
	}
	for _, table := range tables {
		found := map[string]bool{}
		err := rows(`SELECT * FROM `+table, func(v []any) {
			for _, x := range v {
				var s string
				switch x := x.(type) {
				case string:
					s = x
				case []byte:
					s = string(x)
				default:
					continue
				}
				for _, n := range needles {
					if strings.Contains(s, n) {
						found[n] = true
					}
				}
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range needles {
			if found[n] {
				hits = append(hits, table+": "+n)
			}
		}
	}
	return hits
}
