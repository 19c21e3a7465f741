package codex

import (
	"context"

	"github.com/uptrace/bun/schema"
)

// Lists and maps are never null: a company without domains has [] and an asset without
// custom fields {}, in the database, in JSON (the REST API's documented shape) and in Go.
// Both bun hooks below fill them in, so a row read back (AfterScanRow) and a row written
// (BeforeAppendModel, which also fixes the value the caller holds and returns) agree. A
// (An asset's SecretFields become nil again when the policy hides them from a caller:
// hidden is not the same as none.) A sync run has no hooks: while it runs, nil Problems
// tells FinishSyncRun to keep the problems saved along the way, so the REST API fills a
// copy in when it shows one (FillEmpty).

var (
	_ schema.AfterScanRowHook      = (*Company)(nil)
	_ schema.BeforeAppendModelHook = (*Company)(nil)
	_ schema.AfterScanRowHook      = (*Contact)(nil)
	_ schema.BeforeAppendModelHook = (*Contact)(nil)
	_ schema.AfterScanRowHook      = (*Asset)(nil)
	_ schema.BeforeAppendModelHook = (*Asset)(nil)
)

// FillEmpty replaces c's nil lists and maps with empty ones.
func (c *Company) FillEmpty() {
	c.Domains = nonNilSlice(c.Domains)
	c.Settings = nonNilMap(c.Settings)
}

// AfterScanRow implements bun's hook: see FillEmpty.
func (c *Company) AfterScanRow(context.Context) error { c.FillEmpty(); return nil }

// BeforeAppendModel implements bun's hook: see FillEmpty.
func (c *Company) BeforeAppendModel(context.Context, schema.Query) error { c.FillEmpty(); return nil }

// FillEmpty replaces c's nil lists with empty ones.
func (c *Contact) FillEmpty() {
	c.Roles = nonNilSlice(c.Roles)
	c.SecondaryEmails = nonNilSlice(c.SecondaryEmails)
}

// AfterScanRow implements bun's hook: see FillEmpty.
func (c *Contact) AfterScanRow(context.Context) error { c.FillEmpty(); return nil }

// BeforeAppendModel implements bun's hook: see FillEmpty.
func (c *Contact) BeforeAppendModel(context.Context, schema.Query) error { c.FillEmpty(); return nil }

// FillEmpty replaces a's nil lists and maps with empty ones.
func (a *Asset) FillEmpty() {
	a.IPAddresses = nonNilSlice(a.IPAddresses)
	a.CustomFields = nonNilMap(a.CustomFields)
	a.SecretFields = nonNilMap(a.SecretFields)
}

// AfterScanRow implements bun's hook: see FillEmpty.
func (a *Asset) AfterScanRow(context.Context) error { a.FillEmpty(); return nil }

// BeforeAppendModel implements bun's hook: see FillEmpty.
func (a *Asset) BeforeAppendModel(context.Context, schema.Query) error { a.FillEmpty(); return nil }

// FillEmpty replaces r's nil lists and maps with empty ones.
func (r *SyncRun) FillEmpty() {
	r.Counts = nonNilMap(r.Counts)
	r.Problems = nonNilSlice(r.Problems)
}

func nonNilSlice[E any](s []E) []E {
	if s == nil {
		return []E{}
	}
	return s
}

func nonNilMap[K comparable, V any](m map[K]V) map[K]V {
	if m == nil {
		return map[K]V{}
	}
	return m
}
