package codex

import (
	"errors"
	"time"
)

// Optimistic concurrency. A row's version is its updated_at, to the microsecond, as an
// RFC 3339 string in UTC: every write of a row moves updated_at forward (the store makes
// sure it changes even when the clock has not), so the version changes with each write.
// REST shows it as the ETag of a row and takes it back in If-Match; GraphQL shows it as
// the `version` field and takes it back in an update's `expectedVersion`. A patch's
// ExpectedVersion is compared with the row's version inside the write's transaction, with
// the row locked, so a caller's change never silently overwrites one it has not seen.

// ErrChanged is the cause of the Conflict error of a write whose expected version is not
// the row's: someone changed the row after the caller read it.
var ErrChanged = errors.New("the row has a newer version")

// VersionOf returns the version token of a row last written at updatedAt.
func VersionOf(updatedAt time.Time) string {
	return updatedAt.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)
}

// CheckVersion returns a Conflict error wrapping ErrChanged when expected is set and is
// not the version of a row last written at updatedAt.
func CheckVersion(expected string, updatedAt time.Time) error {
	if expected == "" || expected == VersionOf(updatedAt) {
		return nil
	}
	return &Error{Code: Conflict, Message: "changed by someone else since you loaded it: reload it and apply your change again", Err: ErrChanged}
}

// NextWrite returns the updated_at of a row's next write at now: now, or one microsecond
// after the previous write when the clock has not moved past it, so the version changes.
func NextWrite(previous, now time.Time) time.Time {
	if !now.After(previous) {
		return previous.Add(time.Microsecond)
	}
	return now
}

// Version returns the company's version token (see VersionOf).
func (c *Company) Version() string { return VersionOf(c.UpdatedAt) }

// Version returns the location's version token (see VersionOf).
func (l *Location) Version() string { return VersionOf(l.UpdatedAt) }

// Version returns the contact's version token (see VersionOf).
func (c *Contact) Version() string { return VersionOf(c.UpdatedAt) }

// Version returns the asset's version token (see VersionOf).
func (a *Asset) Version() string { return VersionOf(a.UpdatedAt) }

// Version returns the equipment's version token (see VersionOf).
func (e *NetworkEquipment) Version() string { return VersionOf(e.UpdatedAt) }

// Version returns the subnet's version token (see VersionOf).
func (s *Subnet) Version() string { return VersionOf(s.UpdatedAt) }
