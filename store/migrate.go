package store

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun/migrate"

	"github.com/hivematrix/codex/migrations"
)

// migrateLockKey is the pg_advisory_lock key of Codex's migrations ("codex" in ASCII).
const migrateLockKey = 0x636f646578

// Migration is one migration and whether it has been applied.
type Migration struct {
	Name       string
	Comment    string
	Applied    bool
	GroupID    int64
	MigratedAt time.Time
}

// Migrate applies the pending migrations. It holds bun/migrate's table lock while it
// runs and, on PostgreSQL, a session advisory lock first, so that two processes starting
// at once wait for each other instead of racing (the second finds nothing to do).
func (db *DB) Migrate(ctx context.Context) error {
	db.migrateMu.Lock()
	defer db.migrateMu.Unlock()
	release, err := db.advisoryLock(ctx)
	if err != nil {
		return err
	}
	defer release()

	// A migration is recorded as applied only once it succeeded (bun's default marks it
	// first, so a failed migration would be skipped, silently, by the next run).
	m := migrate.NewMigrator(db.bun, migrations.Migrations, migrate.WithMarkAppliedOnSuccess(true))
	if err := m.Init(ctx); err != nil {
		return fmt.Errorf("store: migrate: init: %w", err)
	}
	if db.pg {
		// We hold the advisory lock, so no other Codex is migrating: a row left in the
		// locks table is stale, from a process that died while migrating.
		if err := m.Unlock(ctx); err != nil {
			return fmt.Errorf("store: migrate: clear stale lock: %w", err)
		}
	}
	if err := m.Lock(ctx); err != nil {
		return fmt.Errorf("store: migrate: %w (if no other Codex is migrating, a crashed run left the lock: delete the row from bun_migration_locks)", err)
	}
	defer m.Unlock(context.WithoutCancel(ctx)) //nolint:errcheck // best effort; a stale row is cleared next time on PostgreSQL

	if _, err := m.Migrate(ctx); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	return nil
}

// MigrationStatus lists every known migration in order with whether it is applied.
func (db *DB) MigrationStatus(ctx context.Context) ([]Migration, error) {
	m := migrate.NewMigrator(db.bun, migrations.Migrations)
	if err := m.Init(ctx); err != nil {
		return nil, fmt.Errorf("store: migration status: %w", err)
	}
	ms, err := m.MigrationsWithStatus(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: migration status: %w", err)
	}
	out := make([]Migration, len(ms))
	for i, x := range ms {
		out[i] = Migration{Name: x.Name, Comment: x.Comment, Applied: x.IsApplied(), GroupID: x.GroupID, MigratedAt: x.MigratedAt}
	}
	return out, nil
}

// advisoryLock takes the PostgreSQL session advisory lock of migrations on a dedicated
// connection, polling with pg_try_advisory_lock so that waiting respects ctx and no
// driver read timeout. On SQLite it does nothing.
func (db *DB) advisoryLock(ctx context.Context) (release func(), err error) {
	if !db.pg {
		return func() {}, nil
	}
	conn, err := db.bun.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: migrate: %w", err)
	}
	for {
		var ok bool
		if err := conn.NewRaw("SELECT pg_try_advisory_lock(?)", int64(migrateLockKey)).Scan(ctx, &ok); err != nil {
			conn.Close()
			return nil, fmt.Errorf("store: migrate: advisory lock: %w", err)
		}
		if ok {
			break
		}
		select {
		case <-ctx.Done():
			conn.Close()
			return nil, fmt.Errorf("store: migrate: waiting for another migration: %w", ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
	return func() {
		var ok bool
		_ = conn.NewRaw("SELECT pg_advisory_unlock(?)", int64(migrateLockKey)).Scan(context.WithoutCancel(ctx), &ok)
		conn.Close()
	}, nil
}

// PendingMigrations returns how many known migrations are not applied (the readiness
// check): one statement on bun's migrations table.
func (db *DB) PendingMigrations(ctx context.Context) (int, error) {
	var applied []string
	if err := db.bun.NewSelect().Table("bun_migrations").Column("name").Scan(ctx, &applied); err != nil {
		return 0, fmt.Errorf("store: pending migrations: %w", err)
	}
	done := make(map[string]bool, len(applied))
	for _, n := range applied {
		done[n] = true
	}
	pending := 0
	for _, m := range migrations.Migrations.Sorted() {
		if !done[m.Name] {
			pending++
		}
	}
	return pending, nil
}
