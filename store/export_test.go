package store

import (
	"maps"
	"slices"
)

// SetFailpoint makes db call fn at the named points inside its write transactions, so a
// test can fail a write half-way ("contact.inserted", "contact.updated", "asset.inserted").
func SetFailpoint(db *DB, fn func(name string) error) { db.failpoint = fn }

// SQLiteDSN exposes sqliteDSN to tests.
var SQLiteDSN = sqliteDSN

// DirectColumns lists the columns of entity ("contact", "company", "asset", "equipment")
// that the batch lookups scan without bun (fastscan.go).
func DirectColumns(entity string) []string {
	switch entity {
	case "contact":
		return slices.Collect(maps.Keys(contactFields))
	case "company":
		return slices.Collect(maps.Keys(companyFields))
	case "asset":
		return slices.Collect(maps.Keys(assetFields))
	case "equipment":
		return slices.Collect(maps.Keys(equipmentFields))
	}
	return nil
}

// DirectScans counts the batch statements db scanned without bun.
func DirectScans(db *DB) int64 { return db.directScans.Load() }
