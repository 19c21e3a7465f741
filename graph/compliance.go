package graph

import (
	"context"

	"github.com/hivematrix/codex/codex"
)

// The compliance fields of tickets, contacts and assets. The policy layer stamps rows
// with their company's level wherever that is free (redacted reads and top-level lists);
// rows of nested lists, loaded in batches for callers who read plain data, carry none,
// and the level comes from the company loader instead, only when a query asks for it.

// complianceOf returns the level stamped on a row, or its company's.
func complianceOf[T any](ctx context.Context, r *Resolver, obj *T, stamped codex.ComplianceLevel, rel string,
	key func(*T) (int64, bool)) (codex.ComplianceLevel, error) {
	if stamped != "" {
		return stamped, nil
	}
	c, err := companyOf(ctx, r, obj, rel, key)
	if codex.IsNotFound(err) || err == nil && c == nil {
		return codex.ComplianceCJIS, nil // unknown: the strictest level
	}
	if err != nil {
		return "", err
	}
	return c.ComplianceLevel, nil
}

// Compliance is the level of the ticket's company.
func (r *ticketResolver) Compliance(ctx context.Context, obj *codex.Ticket) (codex.ComplianceLevel, error) {
	return complianceOf(ctx, r.Resolver, obj, obj.CompanyComplianceLevel, "Ticket.compliance",
		func(t *codex.Ticket) (int64, bool) { return t.CompanyID, true })
}

// Compliance is the level of the company the contact is listed for.
func (r *contactResolver) Compliance(ctx context.Context, obj *codex.Contact) (codex.ComplianceLevel, error) {
	return complianceOf(ctx, r.Resolver, obj, obj.CompanyComplianceLevel, "Contact.compliance",
		func(c *codex.Contact) (int64, bool) {
			if c.ForCompanyID != 0 {
				return c.ForCompanyID, true
			}
			return c.CompanyID, true
		})
}

// Compliance is the level of the asset's company.
func (r *assetResolver) Compliance(ctx context.Context, obj *codex.Asset) (codex.ComplianceLevel, error) {
	return complianceOf(ctx, r.Resolver, obj, obj.CompanyComplianceLevel, "Asset.compliance",
		func(a *codex.Asset) (int64, bool) { return a.CompanyID, true })
}
