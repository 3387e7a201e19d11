package main

import (
	"context"
	"errors"
	"flag"
	"os"
	"regexp"
	"time"

	"sesame/server/store"
	"sesame/server/store/postgres"
	"sesame/server/store/sqlite"
)

// keywordDSN matches a PostgreSQL connection string of key=value pairs
// ("host=db user=sesame password=..."), which --db does not take.
var keywordDSN = regexp.MustCompile(`(^|\s)(host|hostaddr|port|dbname|user|password|sslmode)\s*=`)

// dbEnv holds the database when --db is not given, so that the password
// of a PostgreSQL URL stays out of the process list.
const dbEnv = "SESAME_DB"

const dbUsage = "the database (`file|URL`): a SQLite file, created if missing, that the servers of one machine may share,\n" +
	"or a postgres:// URL of a database that servers on several machines may share;\n" +
	"read from $" + dbEnv + " when unset"

// openStore opens the database of --db, or of $SESAME_DB when fs was
// given no --db: PostgreSQL for a postgres:// or postgresql:// URL,
// SQLite otherwise.
func openStore(ctx context.Context, fs *flag.FlagSet, db string) (store.Store, error) {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == "db" })
	if env := os.Getenv(dbEnv); !given && env != "" {
		db = env
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if keywordDSN.MatchString(db) {
		// Taken as a file name, it would make a SQLite file named after
		// the connection string, password included.
		return nil, errors.New("the database looks like a PostgreSQL key=value connection string: give it as a postgres:// URL")
	}
	if postgres.IsURL(db) {
		st, err := postgres.Open(ctx, db)
		if err != nil {
			return nil, err
		}
		return st, nil
	}
	return sqlite.Open(ctx, db)
}
