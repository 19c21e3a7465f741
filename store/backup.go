package store

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/migrations"
)

// ExportFormat names Codex's logical export: JSON lines, a header, then per table a line
// naming its columns followed by one JSON array per row, then a trailer with the count.
const ExportFormat = "codex-export/1"

// exportHeader is the first line of an export.
type exportHeader struct {
	Format     string    `json:"format"`
	Dialect    string    `json:"dialect"`
	Migrations []string  `json:"migrations"`
	ExportedAt time.Time `json:"exported_at"`
}

// exportLine is every later line: a table's start, or the trailer.
type exportLine struct {
	Table   string   `json:"table,omitempty"`
	Columns []string `json:"columns,omitempty"`
	End     bool     `json:"end,omitempty"`
	Rows    int64    `json:"rows,omitempty"`
}

// Export writes every table of Codex's (all but bun's migration bookkeeping) from one
// consistent snapshot to w, with the applied migrations, and returns the row count. It
// is dialect-neutral: Import loads it into an empty PostgreSQL or SQLite database.
func (db *DB) Export(ctx context.Context, w io.Writer) (int64, error) {
	ms, err := db.MigrationStatus(ctx)
	if err != nil {
		return 0, err
	}
	var applied []string
	for _, m := range ms {
		if m.Applied {
			applied = append(applied, m.Name)
		}
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	enc := json.NewEncoder(bw)
	if err := enc.Encode(exportHeader{Format: ExportFormat, Dialect: db.Dialect(), Migrations: applied, ExportedAt: db.now()}); err != nil {
		return 0, err
	}
	var rows int64
	opts := &sql.TxOptions{ReadOnly: db.pg}
	if db.pg {
		opts.Isolation = sql.LevelRepeatableRead
	}
	err = db.bun.RunInTx(ctx, opts, func(ctx context.Context, tx bun.Tx) error {
		tables, err := db.tables(ctx, tx)
		if err != nil {
			return err
		}
		for _, t := range tables {
			n, err := exportTable(ctx, tx, enc, t)
			if err != nil {
				return fmt.Errorf("store: export %s: %w", t, err)
			}
			rows += n
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if err := enc.Encode(exportLine{End: true, Rows: rows}); err != nil {
		return 0, err
	}
	return rows, bw.Flush()
}

func exportTable(ctx context.Context, tx bun.Tx, enc *json.Encoder, table string) (int64, error) {
	rs, err := tx.QueryContext(ctx, "SELECT * FROM "+quoteIdent(table)+" ORDER BY 1")
	if err != nil {
		return 0, err
	}
	defer rs.Close()
	cols, err := rs.Columns()
	if err != nil {
		return 0, err
	}
	if err := enc.Encode(exportLine{Table: table, Columns: cols}); err != nil {
		return 0, err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var n int64
	for rs.Next() {
		if err := rs.Scan(ptrs...); err != nil {
			return n, err
		}
		for i, v := range vals {
			switch x := v.(type) {
			case time.Time:
				vals[i] = x.UTC().Format(time.RFC3339Nano)
			case []byte:
				vals[i] = string(x)
			}
		}
		if err := enc.Encode(vals); err != nil {
			return n, err
		}
		n++
	}
	return n, rs.Err()
}

// tables lists Codex's tables (not bun's bookkeeping), sorted by name.
func (db *DB) tables(ctx context.Context, idb bun.IDB) ([]string, error) {
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'bun_%'`
	if db.pg {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()
			AND table_type = 'BASE TABLE' AND table_name NOT LIKE 'bun_%'`
	}
	var out []string
	if err := idb.NewRaw(q).Scan(ctx, &out); err != nil {
		return nil, fmt.Errorf("store: list tables: %w", err)
	}
	slices.Sort(out)
	return out, nil
}

// column is what Import needs to know of a target column.
type column struct {
	kind     string // "bool", "date", "time" or "" (anything else)
	nullable bool
	ref      string // the table a foreign key references, or ""
}

// columns describes table's columns in the target database.
func (db *DB) columns(ctx context.Context, idb bun.IDB, table string) (map[string]*column, error) {
	type info struct {
		Name, Type string
		NotNull    bool
	}
	var infos []info
	var fks []struct{ Column, Ref string }
	if db.pg {
		if err := idb.NewRaw(`SELECT column_name AS name, data_type AS type, is_nullable = 'NO' AS not_null
			FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?`, table).Scan(ctx, &infos); err != nil {
			return nil, err
		}
		if err := idb.NewRaw(`SELECT kcu.column_name AS "column", ccu.table_name AS ref
			FROM information_schema.table_constraints tc
			JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema
			JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = tc.constraint_name AND ccu.table_schema = tc.table_schema
			WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema() AND tc.table_name = ?`, table).Scan(ctx, &fks); err != nil {
			return nil, err
		}
	} else {
		if err := idb.NewRaw(`SELECT name, type, "notnull" AS not_null FROM pragma_table_info(?)`, table).Scan(ctx, &infos); err != nil {
			return nil, err
		}
		if err := idb.NewRaw(`SELECT "from" AS "column", "table" AS ref FROM pragma_foreign_key_list(?)`, table).Scan(ctx, &fks); err != nil {
			return nil, err
		}
	}
	out := make(map[string]*column, len(infos))
	for _, c := range infos {
		t := strings.ToLower(c.Type)
		kind := ""
		switch {
		case strings.Contains(t, "bool"):
			kind = "bool"
		case t == "date":
			kind = "date"
		case strings.Contains(t, "time"):
			kind = "time"
		}
		out[c.Name] = &column{kind: kind, nullable: !c.NotNull}
	}
	for _, fk := range fks {
		if c := out[fk.Column]; c != nil {
			c.ref = fk.Ref
		}
	}
	return out, nil
}

// ImportStats says what Import loaded.
type ImportStats struct {
	// Dialect is the dialect the export was taken from.
	Dialect string
	// Tables and Rows count what was loaded.
	Tables int
	Rows   int64
}

// Import loads an Export into db, which must be migrated to exactly the export's
// migrations and hold no rows. It runs in one transaction: on any error nothing is
// loaded. Rows go in an order where every NOT NULL foreign key finds its row; nullable
// foreign keys (a company's parent, its billing contact) are set afterwards, which also
// covers references within a table and cycles. On PostgreSQL the identity sequences are
// then moved past the largest id, so that new rows do not collide.
func (db *DB) Import(ctx context.Context, r io.Reader) (ImportStats, error) {
	dec := json.NewDecoder(bufio.NewReaderSize(r, 1<<16))
	dec.UseNumber()
	var h exportHeader
	if err := dec.Decode(&h); err != nil || h.Format != ExportFormat {
		return ImportStats{}, codex.Errorf(codex.Invalid, "not a Codex export (want a %s file made by `codex backup FILE.jsonl`)", ExportFormat)
	}
	var known []string
	for _, m := range migrations.Migrations.Sorted() {
		known = append(known, m.Name)
	}
	if !slices.Equal(h.Migrations, known) {
		return ImportStats{}, codex.Errorf(codex.Invalid,
			"the export was taken at migration %s, this Codex is at %s: restore with the Codex version that made it, then upgrade",
			last(h.Migrations), last(known))
	}
	stats := ImportStats{Dialect: h.Dialect}
	err := db.bun.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		tables, err := db.tables(ctx, tx)
		if err != nil {
			return err
		}
		for _, t := range tables {
			var n int
			if err := tx.NewRaw("SELECT count(*) FROM "+quoteIdent(t)).Scan(ctx, &n); err != nil {
				return err
			}
			if n > 0 {
				return codex.Errorf(codex.Conflict, "the database is not empty (table %s holds %d rows): restore needs an empty database", t, n)
			}
		}
		data, err := readTables(dec, tables)
		if err != nil {
			return err
		}
		meta := map[string]map[string]*column{}
		for _, t := range tables {
			if meta[t], err = db.columns(ctx, tx, t); err != nil {
				return fmt.Errorf("store: import: columns of %s: %w", t, err)
			}
		}
		var later []func() error
		for _, t := range loadOrder(tables, meta) {
			d := data[t]
			if d == nil {
				continue
			}
			fix, err := db.insertTable(ctx, tx, t, d, meta[t])
			if err != nil {
				return fmt.Errorf("store: import %s: %w", t, err)
			}
			later = append(later, fix...)
			stats.Tables++
			stats.Rows += int64(len(d.rows))
		}
		for _, f := range later {
			if err := f(); err != nil {
				return fmt.Errorf("store: import: %w", err)
			}
		}
		if db.pg {
			return resetSequences(ctx, tx, tables, meta)
		}
		return nil
	})
	return stats, err
}

func last(ss []string) string {
	if len(ss) == 0 {
		return "(none)"
	}
	return ss[len(ss)-1]
}

// tableData is one table of an export.
type tableData struct {
	columns []string
	rows    [][]any
}

// readTables reads the tables of an export up to its trailer.
func readTables(dec *json.Decoder, tables []string) (map[string]*tableData, error) {
	out := map[string]*tableData{}
	var cur *tableData
	var count int64
	for {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			if errors.Is(err, io.EOF) {
				return nil, codex.Errorf(codex.Invalid, "the export is truncated (no trailer line)")
			}
			return nil, codex.Errorf(codex.Invalid, "the export is malformed: %v", err)
		}
		if len(raw) > 0 && raw[0] == '[' {
			if cur == nil {
				return nil, codex.Errorf(codex.Invalid, "the export is malformed: a row before any table")
			}
			var row []any
			d := json.NewDecoder(strings.NewReader(string(raw)))
			d.UseNumber()
			if err := d.Decode(&row); err != nil || len(row) != len(cur.columns) {
				return nil, codex.Errorf(codex.Invalid, "the export is malformed: a row of %d values for %d columns", len(row), len(cur.columns))
			}
			cur.rows = append(cur.rows, row)
			count++
			continue
		}
		var l exportLine
		if err := json.Unmarshal(raw, &l); err != nil {
			return nil, codex.Errorf(codex.Invalid, "the export is malformed: %v", err)
		}
		if l.End {
			if l.Rows != count {
				return nil, codex.Errorf(codex.Invalid, "the export is damaged: %d rows read, its trailer says %d", count, l.Rows)
			}
			return out, nil
		}
		if !slices.Contains(tables, l.Table) {
			return nil, codex.Errorf(codex.Invalid, "the export holds table %q, which this database lacks", l.Table)
		}
		cur = &tableData{columns: l.Columns}
		out[l.Table] = cur
	}
}

// loadOrder sorts tables so that each comes after the tables its NOT NULL foreign keys
// reference (nullable ones are filled in afterwards); ties stay in name order.
func loadOrder(tables []string, meta map[string]map[string]*column) []string {
	var out []string
	done := map[string]bool{}
	for len(out) < len(tables) {
		progressed := false
		for _, t := range tables {
			if done[t] {
				continue
			}
			ready := true
			for _, c := range meta[t] {
				if c.ref != "" && c.ref != t && !c.nullable && !done[c.ref] {
					ready = false
				}
			}
			if ready {
				out = append(out, t)
				done[t] = true
				progressed = true
			}
		}
		if !progressed { // a cycle of NOT NULL keys: no order satisfies it; let the database say so
			for _, t := range tables {
				if !done[t] {
					out = append(out, t)
					done[t] = true
				}
			}
		}
	}
	return out
}

// insertTable inserts d's rows, with nullable foreign keys left NULL when the table has
// an id, and returns the updates that set them.
func (db *DB) insertTable(ctx context.Context, tx bun.Tx, table string, d *tableData, meta map[string]*column) ([]func() error, error) {
	idCol := slices.Index(d.columns, "id")
	deferred := map[int]bool{}
	for i, name := range d.columns {
		c := meta[name]
		if c == nil {
			return nil, fmt.Errorf("column %q is not in this database", name)
		}
		if c.ref != "" && c.nullable && idCol >= 0 {
			deferred[i] = true
		}
	}
	cols := make([]string, len(d.columns))
	for i, name := range d.columns {
		cols[i] = quoteIdent(name)
	}
	head := "INSERT INTO " + quoteIdent(table) + " (" + strings.Join(cols, ", ") + ") VALUES "
	const batch = 200
	var fixes []func() error
	for start := 0; start < len(d.rows); start += batch {
		rows := d.rows[start:min(start+batch, len(d.rows))]
		var b strings.Builder
		b.WriteString(head)
		args := make([]any, 0, len(rows)*len(cols))
		for r, row := range rows {
			if r > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(" + strings.TrimSuffix(strings.Repeat("?, ", len(row)), ", ") + ")")
			for i, v := range row {
				val, err := db.importValue(v, meta[d.columns[i]])
				if err != nil {
					return nil, fmt.Errorf("column %s: %w", d.columns[i], err)
				}
				if deferred[i] && val != nil {
					id, name, set := row[idCol], d.columns[i], val
					fixes = append(fixes, func() error {
						_, err := tx.NewRaw("UPDATE "+quoteIdent(table)+" SET "+quoteIdent(name)+" = ? WHERE id = ?", set, toInt(id)).Exec(ctx)
						return err
					})
					val = nil
				}
				args = append(args, val)
			}
		}
		if _, err := tx.NewRaw(b.String(), args...).Exec(ctx); err != nil {
			return nil, err
		}
	}
	return fixes, nil
}

// importValue turns an exported JSON value into what the target column takes.
func (db *DB) importValue(v any, c *column) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case json.Number:
		if c.kind == "bool" {
			return x.String() != "0", nil
		}
		if i, err := x.Int64(); err == nil {
			return i, nil
		}
		return x.Float64()
	case bool:
		if !db.pg {
			if x {
				return int64(1), nil
			}
			return int64(0), nil
		}
		return x, nil
	case string:
		if db.pg || (c.kind != "date" && c.kind != "time") {
			return x, nil
		}
		t, err := parseTime(x)
		if err != nil {
			return nil, err
		}
		if c.kind == "date" {
			return t.Format(time.DateOnly), nil
		}
		return t, nil
	}
	return nil, fmt.Errorf("unexpected value %v", v)
}

// parseTime reads the time formats an export holds: RFC 3339 and SQLite's text forms.
func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999Z07:00",
		"2006-01-02 15:04:05.999999999", time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time", s)
}

func toInt(v any) any {
	if n, ok := v.(json.Number); ok {
		if i, err := n.Int64(); err == nil {
			return i
		}
	}
	return v
}

// resetSequences moves each table's id sequence past its largest id.
func resetSequences(ctx context.Context, tx bun.Tx, tables []string, meta map[string]map[string]*column) error {
	for _, t := range tables {
		if meta[t]["id"] == nil {
			continue
		}
		var seq sql.NullString
		if err := tx.NewRaw("SELECT pg_get_serial_sequence(?, 'id')", t).Scan(ctx, &seq); err != nil {
			return err
		}
		if !seq.Valid {
			continue
		}
		if _, err := tx.NewRaw("SELECT setval(?, COALESCE((SELECT max(id) FROM "+quoteIdent(t)+"), 1), (SELECT max(id) IS NOT NULL FROM "+quoteIdent(t)+"))", seq.String).Exec(ctx); err != nil {
			return fmt.Errorf("reset the sequence of %s: %w", t, err)
		}
	}
	return nil
}

// quoteIdent quotes a table or column name read from the database's own catalogue.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// BackupSQLite writes an online, consistent copy of an SQLite database to path with
// VACUUM INTO (readers and writers go on meanwhile); path must not exist.
func (db *DB) BackupSQLite(ctx context.Context, path string) error {
	if db.pg {
		return codex.Errorf(codex.Invalid, "VACUUM INTO is SQLite's: on PostgreSQL, export with a .jsonl file or use pg_dump")
	}
	if _, err := db.bun.ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	return nil
}
