package store

// SetFailpoint makes db call fn at the named points inside its write transactions, so a
// test can fail a write half-way ("contact.inserted", "contact.updated", "asset.inserted").
func SetFailpoint(db *DB, fn func(name string) error) { db.failpoint = fn }

// SQLiteDSN exposes sqliteDSN to tests.
var SQLiteDSN = sqliteDSN

// DirectColumns lists the columns of entity ("contact", "company", "asset", "equipment")
// that the batch lookups scan without bun (fastscan.go).
func DirectColumns(entity string) []string {
	var out []string
	add := func(m map[string]bool) {
		for c := range m {
			out = append(out, c)
		}
	}
	switch entity {
	case "contact":
		add(keysOf(contactFields))
	case "company":
		add(keysOf(companyFields))
	case "asset":
		add(keysOf(assetFields))
	case "equipment":
		add(keysOf(equipmentFields))
	}
	return out
}

func keysOf[T any](fs fields[T]) map[string]bool {
	m := map[string]bool{}
	for c := range fs {
		m[c] = true
	}
	return m
}

// DirectScans counts the batch statements db scanned without bun.
func DirectScans(db *DB) int64 { return db.directScans.Load() }
