// Package migrations holds Codex's schema changes, embedded in the binary and applied in
// order by bun/migrate on both databases. Each migration keeps its PostgreSQL and SQLite
// statements side by side so they are changed together.
package migrations

import (
	"context"
	"fmt"
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/migrate"
)

// Migrations is the ordered set of Codex migrations.
var Migrations = migrate.NewMigrations()

// ddl is one migration's statements for each dialect.
type ddl struct {
	pg, sqlite string
}

// up returns a migration step that runs the statements of the database's dialect in one
// transaction. Register it from the migration's own file, whose name gives the migration's
// name and order: Migrations.MustRegister(up(ddl{...}), down).
func up(d ddl) migrate.MigrationFunc {
	return func(ctx context.Context, db *bun.DB) error {
		script := d.sqlite
		if db.Dialect().Name() == dialect.PG {
			script = d.pg
		}
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			for _, stmt := range split(script) {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return fmt.Errorf("%w\n%s", err, stmt)
				}
			}
			return nil
		})
	}
}

// down is every migration's down step: none. Codex never loses data by migrating back;
// a mistake is corrected by a new migration.
func down(ctx context.Context, db *bun.DB) error { return nil }

// split cuts a script into statements at semicolons that end a line.
func split(script string) []string {
	var out []string
	for _, s := range strings.Split(script, ";\n") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
