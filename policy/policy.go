// Package policy enforces who may see and change what. It implements every codex service
// over the store's implementation: it checks the principal's rights (codex.Principal.Can),
// limits a client user to its company subtree (out-of-scope rows are "not found", lists
// and counts contain only the subtree), strips secret fields for everyone but admins and
// applies PHI/CJIS redaction for callers that must get redacted data. GraphQL, REST, CSV
// export and the sync engine all hold this layer, never the store, so they cannot disagree.
package policy

import (
	"context"
	"slices"
	"sync"

	"github.com/hivematrix/codex/codex"
)

// service is the policy layer; one value implements every codex service interface.
type service struct {
	in codex.Services
}

// New wraps the store's services with the access policy.
func New(inner codex.Services) codex.Services {
	s := &service{in: inner}
	return codex.Services{
		Companies: s, Contacts: s, Assets: s, Network: s,
		Tickets: s, Agents: s, Audit: s, Sync: s, Triage: s, PSA: s, Billing: s, Dashboard: s,
	}
}

var (
	_ codex.CompanyService   = (*service)(nil)
	_ codex.ContactService   = (*service)(nil)
	_ codex.AssetService     = (*service)(nil)
	_ codex.NetworkService   = (*service)(nil)
	_ codex.TicketService    = (*service)(nil)
	_ codex.AgentService     = (*service)(nil)
	_ codex.AuditService     = (*service)(nil)
	_ codex.SyncStore        = (*service)(nil)
	_ codex.DashboardService = (*service)(nil)
)

// requestCache remembers, for one request, what the policy looked up about its principal.
type requestCache struct {
	mu     sync.Mutex
	scopes map[int64][]int64
	// redaction holds each company's level and redactor once loaded, so redacting a
	// streamed export costs two statements per company, not two per row.
	redaction redactors
}

type cacheKey struct{}

// WithRequestCache returns a context in which the policy computes a client's scope once per
// request instead of once per call. The HTTP server installs it for every request.
func WithRequestCache(ctx context.Context) context.Context {
	return context.WithValue(ctx, cacheKey{}, &requestCache{scopes: map[int64][]int64{}, redaction: newRedactors()})
}

// principal returns the caller, or an Unauthenticated error.
func principal(ctx context.Context) (*codex.Principal, error) {
	p := codex.PrincipalFrom(ctx)
	if p == nil {
		return nil, codex.Errorf(codex.Unauthenticated, "authentication required")
	}
	return p, nil
}

var nouns = map[codex.Resource]string{
	codex.ResCompany: "companies", codex.ResBilling: "billing fields", codex.ResLocation: "locations",
	codex.ResContact: "contacts", codex.ResAsset: "assets", codex.ResNetwork: "network equipment, links and subnets",
	codex.ResTicket: "tickets and alerts", codex.ResAgent: "agents", codex.ResAudit: "the audit log",
	codex.ResSync: "integration runs", codex.ResPreferences: "preferences", codex.ResPlan: "billing plans",
}

// allow returns the caller when it may perform action on res, or a Forbidden error.
func allow(ctx context.Context, action codex.Action, res codex.Resource) (*codex.Principal, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if !p.Can(action, res) {
		verb := "read"
		if action == codex.Write {
			verb = "change"
		}
		return nil, codex.Errorf(codex.Forbidden, "you may not %s %s", verb, nouns[res])
	}
	return p, nil
}

// scope returns the company ids p may see, or nil when p is not limited.
func (s *service) scope(ctx context.Context, p *codex.Principal) ([]int64, error) {
	root, limited := p.ScopeRoot()
	if !limited {
		return nil, nil
	}
	cache, _ := ctx.Value(cacheKey{}).(*requestCache)
	if cache != nil {
		cache.mu.Lock()
		ids, ok := cache.scopes[root]
		cache.mu.Unlock()
		if ok {
			return ids, nil
		}
	}
	ids := []int64{}
	if root > 0 {
		sys := codex.WithPrincipal(ctx, codex.SystemPrincipal("policy"))
		if _, err := s.in.Companies.Company(sys, root); err == nil {
			desc, err := s.in.Companies.Descendants(sys, root, 0)
			if err != nil {
				return nil, err
			}
			ids = append(ids, root)
			for _, c := range desc {
				ids = append(ids, c.ID)
			}
			slices.Sort(ids)
		} else if !codex.IsNotFound(err) {
			return nil, err
		}
	}
	if cache != nil {
		cache.mu.Lock()
		cache.scopes[root] = ids
		cache.mu.Unlock()
	}
	return ids, nil
}

// readScope checks the read right on res and returns the caller and its scope.
func (s *service) readScope(ctx context.Context, res codex.Resource) (*codex.Principal, []int64, error) {
	p, err := allow(ctx, codex.Read, res)
	if err != nil {
		return nil, nil, err
	}
	sc, err := s.scope(ctx, p)
	return p, sc, err
}

// inScope reports whether company id is visible in scope (nil = everything).
func inScope(scope []int64, id int64) bool {
	if scope == nil {
		return true
	}
	_, ok := slices.BinarySearch(scope, id)
	return ok
}

// narrow intersects a filter's scope with the caller's.
func narrow(filter, caller []int64) []int64 {
	if caller == nil {
		return filter
	}
	if filter == nil {
		return caller
	}
	out := []int64{}
	for _, id := range filter {
		if inScope(caller, id) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// notFound is the error for a row the caller may not see: the same as for a missing row.
func notFound(entity string, id int64) error {
	return codex.Errorf(codex.NotFound, "%s %d not found", entity, id)
}

// visibleKeys replaces out-of-scope keys by 0 so batch lookups return nothing for them.
func visibleKeys(scope, ids []int64) []int64 {
	if scope == nil {
		return ids
	}
	out := make([]int64, len(ids))
	for i, id := range ids {
		if inScope(scope, id) {
			out[i] = id
		}
	}
	return out
}
