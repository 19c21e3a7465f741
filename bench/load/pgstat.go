package main

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/uptrace/bun/driver/pgdriver"
)

// statementCounter reads how many statements PostgreSQL has run in the server's database,
// from pg_stat_statements (the benchmark cluster preloads it; bench/compare.sh creates
// the extension in the database). A nil counter counts nothing.
type statementCounter struct {
	db *sql.DB
}

// callsSQL sums the calls of every statement run in this database, leaving out the
// counter's own reads (which name pg_stat_statements).
const callsSQL = `SELECT coalesce(sum(calls), 0)::bigint FROM pg_stat_statements
WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND query NOT LIKE '%pg_stat_statements%'`

// openStatementCounter connects to dsn when it is a PostgreSQL URL whose database has
// pg_stat_statements; otherwise it returns nil and why SQL statements are "n/a".
func openStatementCounter(ctx context.Context, dsn string) (*statementCounter, string) {
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		return nil, "n/a (the database is not PostgreSQL)"
	}
	db := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(dsn)))
	db.SetMaxOpenConns(1)
	var ok bool
	err := db.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements')").Scan(&ok)
	switch {
	case err != nil:
		db.Close()
		return nil, "n/a (" + err.Error() + ")"
	case !ok:
		db.Close()
		return nil, "n/a (pg_stat_statements is not installed in this database)"
	}
	s := &statementCounter{db: db}
	if _, err := s.calls(ctx); err != nil {
		db.Close()
		return nil, "n/a (" + err.Error() + ")"
	}
	return s, "pg_stat_statements calls in the server's database"
}

var errNoCounter = errors.New("no statement counter")

// calls returns the statements run in the database so far.
func (s *statementCounter) calls(ctx context.Context) (int64, error) {
	if s == nil {
		return 0, errNoCounter
	}
	var n int64
	err := s.db.QueryRowContext(ctx, callsSQL).Scan(&n)
	return n, err
}

// Close closes the connection.
func (s *statementCounter) Close() error { return s.db.Close() }
