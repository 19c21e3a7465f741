// Package seed fills a Codex database with data to look at or to measure: Demo writes a
// small, believable MSP through the services (validated and audited, as system:seed);
// Scale writes a large deterministic synthetic data set with bulk inserts for benchmarks.
// Both expect an empty database; Reset empties one.
package seed

import (
	"context"
	"fmt"
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
)

// IsEmpty reports whether the database holds no companies (and so, as every other row
// hangs off a company, no data).
func IsEmpty(ctx context.Context, db bun.IDB) (bool, error) {
	n, err := db.NewSelect().Table("companies").Limit(1).Count(ctx)
	if err != nil {
		return false, fmt.Errorf("seed: count companies: %w", err)
	}
	return n == 0, nil
}

// dataTables returns every table of Codex's schema except the migrations' own
// bookkeeping, so that Reset keeps up with new migrations.
func dataTables(ctx context.Context, db bun.IDB, pg bool) ([]string, error) {
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name NOT LIKE 'bun\_%' ESCAPE '\' ORDER BY name`
	if pg {
		q = `SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename NOT LIKE 'bun\_%' ORDER BY tablename`
	}
	var tables []string
	if err := db.NewRaw(q).Scan(ctx, &tables); err != nil {
		return nil, err
	}
	return tables, nil
}

// Reset deletes every row of every table but the migrations', audit log included, and
// restarts the id sequences. It is for `codex seed --reset` on development and benchmark
// databases; nothing in Codex's normal operation deletes data.
func Reset(ctx context.Context, db *bun.DB) error {
	pg := db.Dialect().Name() == dialect.PG
	err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		tables, err := dataTables(ctx, tx, pg)
		if err != nil || len(tables) == 0 {
			return err
		}
		if pg {
			_, err := tx.ExecContext(ctx, "TRUNCATE "+strings.Join(tables, ", ")+" RESTART IDENTITY")
			return err
		}
		// Rows refer to each other (companies and contacts both ways): check the foreign
		// keys at commit, when every table is empty, rather than after each DELETE.
		if _, err := tx.ExecContext(ctx, "PRAGMA defer_foreign_keys = ON"); err != nil {
			return err
		}
		for _, t := range tables {
			if _, err := tx.ExecContext(ctx, "DELETE FROM "+t); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM sqlite_sequence WHERE name IN ("+quoteAll(tables)+")")
		return err
	})
	if err != nil {
		return fmt.Errorf("seed: reset: %w", err)
	}
	return nil
}

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "'" + n + "'"
	}
	return strings.Join(q, ", ")
}
