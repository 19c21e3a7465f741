package codex

import (
	"context"
	"fmt"
	"strings"
)

// Level is a caller's permission level.
type Level string

// The permission levels, from most to least privileged.
const (
	LevelAdmin      Level = "admin"
	LevelTechnician Level = "technician"
	LevelBilling    Level = "billing"
	LevelClient     Level = "client"
)

// Valid reports whether l is one of the known levels.
func (l Level) Valid() bool {
	switch l {
	case LevelAdmin, LevelTechnician, LevelBilling, LevelClient:
		return true
	}
	return false
}

// ParseLevel turns a claim value into a Level, ignoring case and surrounding space.
func ParseLevel(s string) (Level, error) {
	l := Level(strings.ToLower(strings.TrimSpace(s)))
	if !l.Valid() {
		return "", Errorf(Invalid, "unknown permission level %q", s)
	}
	return l, nil
}

// Grant is what a service principal may do, configured per service name.
type Grant struct {
	// Read lets the service read everything except secret fields.
	Read bool
	// Write lets the service change the entities a technician may change.
	Write bool
	// Sync lets the service start integration runs.
	Sync bool
	// Redact forces PHI/CJIS redaction on everything the service reads.
	Redact bool
	// CJIS lets a redacting service read the redacted free text of CJIS companies
	// (tickets, notes, descriptions); without it that text is withheld entirely.
	CJIS bool
	// Platform answers the service in the HiveMatrix platform's shapes where they differ
	// from Codex's documented ones (GET /api/tickets: the {tickets, count, ...} envelope).
	Platform bool
}

// Principal is the authenticated caller of a request: a person (agent) or a service.
type Principal struct {
	// Subject is the token's `sub` claim ("service:ledger" for services).
	Subject string
	// Email identifies a person; empty for services.
	Email string
	// Name is a display name for logs and the audit trail.
	Name string
	// Level is the permission level of a person; empty for services.
	Level Level
	// CompanyID is the company a client user belongs to (their scope root).
	CompanyID int64
	// Service is the calling service's name when the token is a service token.
	Service string
	// Grant holds a service's configured rights; unused for people.
	Grant Grant
	// Redact asks for PHI/CJIS redaction on every read (set per request or by grant).
	Redact bool
	// System marks Codex's own jobs (seed, sync, migrations): full access, audited as such.
	System bool
}

// IsService reports whether p is a service principal.
func (p *Principal) IsService() bool { return p != nil && p.Service != "" }

// Actor is the name recorded in the audit log for p.
func (p *Principal) Actor() string {
	switch {
	case p == nil:
		return "anonymous"
	case p.System:
		return "system:" + p.Name
	case p.Service != "":
		return "service:" + p.Service
	case p.Email != "":
		return p.Email
	default:
		return p.Subject
	}
}

// String describes p for logs.
func (p *Principal) String() string {
	if p == nil {
		return "anonymous"
	}
	if p.Level != "" {
		return fmt.Sprintf("%s (%s)", p.Actor(), p.Level)
	}
	return p.Actor()
}

// SystemPrincipal is the principal of Codex's own jobs, such as "seed" or "sync:freshservice".
func SystemPrincipal(job string) *Principal {
	return &Principal{Subject: "system:" + job, Name: job, System: true, Level: LevelAdmin}
}

type principalKey struct{}
type requestIDKey struct{}

// WithPrincipal returns a context carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal carried by ctx, or nil.
func PrincipalFrom(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}

// WithRequestID returns a context carrying the request id used in logs and the audit log.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// CorrelationIDHeader carries the platform's correlation id: accepted on requests, echoed
// on responses and sent on every outgoing call made on a request's behalf.
const CorrelationIDHeader = "X-Correlation-ID"

type correlationIDKey struct{}

// WithCorrelationID returns a context carrying the platform's correlation id, which spans
// the calls between services that serve one user action.
func WithCorrelationID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, correlationIDKey{}, id)
}

// CorrelationIDFrom returns the correlation id carried by ctx, or "".
func CorrelationIDFrom(ctx context.Context) string {
	s, _ := ctx.Value(correlationIDKey{}).(string)
	return s
}

// RequestIDFrom returns the request id carried by ctx, or "".
func RequestIDFrom(ctx context.Context) string {
	s, _ := ctx.Value(requestIDKey{}).(string)
	return s
}
