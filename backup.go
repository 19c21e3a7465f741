package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hivematrix/codex/config"
)

// sqliteMagic starts every SQLite database file.
const sqliteMagic = "SQLite format 3\x00"

// runBackup writes a backup of the configured database to FILE: a logical export
// (JSON lines, either dialect) when FILE ends in .jsonl, otherwise, on SQLite, an online
// copy of the database file made with VACUUM INTO. It never overwrites FILE.
func runBackup(ctx context.Context, c *cli, args []string) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	if err := c.parse(fs, args, "FILE   (FILE.jsonl: a logical export for either dialect; otherwise an SQLite copy)", true); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("backup needs one FILE")
	}
	path := fs.Arg(0)
	db, err := c.openExisting(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("%s exists: a backup never overwrites a file", path)
	}
	start := time.Now()
	if !strings.HasSuffix(path, ".jsonl") {
		if db.Dialect() == "pg" {
			return usagef("on PostgreSQL, name a .jsonl FILE for a logical export (or use pg_dump; see the README)")
		}
		if err := db.BackupSQLite(ctx, path); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "wrote an SQLite copy of %s to %s in %s\n", c.cfg.Database.ConnectionString, path, time.Since(start).Round(time.Millisecond))
		return nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	rows, err := db.Export(ctx, f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return err
	}
	fmt.Fprintf(c.stdout, "exported %d rows from %s to %s in %s\n", rows, db.Dialect(), path, time.Since(start).Round(time.Millisecond))
	return nil
}

// runRestore loads a backup into the configured database: an export into an empty
// database of either dialect (created and migrated when missing), or an SQLite copy into
// the embedded database's place when no database file is there yet.
func runRestore(ctx context.Context, c *cli, args []string) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	if err := c.parse(fs, args, "FILE   (a .jsonl export into an empty database of either dialect, or an SQLite copy)", true); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("restore needs one FILE")
	}
	path := fs.Arg(0)
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	head := make([]byte, len(sqliteMagic))
	n, _ := io.ReadFull(f, head)
	if err := c.load(); err != nil {
		return err
	}
	if bytes.Equal(head[:n], []byte(sqliteMagic)) {
		return restoreSQLiteCopy(c, f)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	db, err := c.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	st, err := db.Import(ctx, f)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "restored %d rows in %d tables from a %s export into %s (%s) in %s\n", st.Rows, st.Tables, st.Dialect,
		db.Dialect(), config.RedactDSN(c.cfg.Database.ConnectionString), time.Since(start).Round(time.Millisecond))
	return nil
}

// restoreSQLiteCopy copies an SQLite backup to the configured embedded database's path,
// which must not exist (stop Codex and move the old file away first).
func restoreSQLiteCopy(c *cli, src *os.File) error {
	path := sqlitePath(c.cfg.Database.ConnectionString)
	if !c.cfg.Database.Embedded() || path == "" {
		return usagef("an SQLite copy restores only into the embedded database; for PostgreSQL, restore a .jsonl export")
	}
	if _, err := os.Stat(path); !errors.Is(err, iofs.ErrNotExist) {
		return fmt.Errorf("%s exists: stop Codex and move it (and its -wal and -shm files) away before restoring a copy over it", absPath(path))
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := mkdirPrivate(dir); err != nil {
			return err
		}
	}
	if _, err := src.Seek(0, io.SeekStart); err != nil {
		return err
	}
	dst, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		os.Remove(path)
		return err
	}
	if err := dst.Close(); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "restored the SQLite copy to %s; `codex serve` applies any newer migrations\n", path)
	return nil
}
