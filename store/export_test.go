package store

// SetFailpoint makes db call fn at the named points inside its write transactions, so a
// test can fail a write half-way ("contact.inserted", "contact.updated", "asset.inserted").
func SetFailpoint(db *DB, fn func(name string) error) { db.failpoint = fn }

// SQLiteDSN exposes sqliteDSN to tests.
var SQLiteDSN = sqliteDSN
