// Package reqinfo carries what the handlers of a request learn about it — the GraphQL
// operation name, the principal, the error codes answered, how many SQL statements ran —
// back to the middlewares that log and measure the request. The outermost middleware
// installs an Info with New; everything below records into it through From, whose
// methods do nothing when no Info was installed (tests of a single handler).
package reqinfo

import (
	"context"
	"sync"
	"sync/atomic"
)

// Info is what is known about one request. It is safe for concurrent use: GraphQL
// resolvers run in parallel.
type Info struct {
	statements atomic.Int64

	mu        sync.Mutex
	operation string
	principal string
	errors    []string
}

type key struct{}

// New returns ctx carrying a fresh Info, and the Info.
func New(ctx context.Context) (context.Context, *Info) {
	i := &Info{}
	return context.WithValue(ctx, key{}, i), i
}

// From returns the Info of ctx, or nil (whose methods do nothing).
func From(ctx context.Context) *Info {
	i, _ := ctx.Value(key{}).(*Info)
	return i
}

// SetOperation records the GraphQL operation's name.
func (i *Info) SetOperation(name string) {
	if i == nil {
		return
	}
	i.mu.Lock()
	i.operation = name
	i.mu.Unlock()
}

// Operation returns the GraphQL operation's name, or "".
func (i *Info) Operation() string {
	if i == nil {
		return ""
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.operation
}

// SetPrincipal records who made the request (codex.Principal's actor name).
func (i *Info) SetPrincipal(actor string) {
	if i == nil {
		return
	}
	i.mu.Lock()
	i.principal = actor
	i.mu.Unlock()
}

// Principal returns who made the request, or "" before (or without) authentication.
func (i *Info) Principal() string {
	if i == nil {
		return ""
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.principal
}

// AddError records an error answered to the caller by its code (a codex.Code, or a
// GraphQL extensions.code).
func (i *Info) AddError(code string) {
	if i == nil {
		return
	}
	i.mu.Lock()
	i.errors = append(i.errors, code)
	i.mu.Unlock()
}

// Errors returns the codes of the errors answered, in order.
func (i *Info) Errors() []string {
	if i == nil {
		return nil
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	return append([]string(nil), i.errors...)
}

// AddStatement counts one SQL statement run for the request.
func (i *Info) AddStatement() {
	if i != nil {
		i.statements.Add(1)
	}
}

// Statements returns how many SQL statements ran for the request.
func (i *Info) Statements() int64 {
	if i == nil {
		return 0
	}
	return i.statements.Load()
}
