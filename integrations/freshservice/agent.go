package freshservice

import (
	"context"
	"time"
)

// Agent is a Freshservice agent: a technician of the MSP.
type Agent struct {
	ID        int64     `json:"id"`
	FirstName string    `json:"first_name"`
	LastName  string    `json:"last_name"`
	Email     string    `json:"email"`
	JobTitle  string    `json:"job_title"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Agents calls fn with each page of agents.
func (c *Client) Agents(ctx context.Context, fn func(Page[Agent]) error) error {
	return list(ctx, c, "/agents", nil, "agents", func(a *Agent) int64 { return a.ID }, fn)
}
