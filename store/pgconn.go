package store

import (
	"context"
	"database/sql"
	"net"
	"sync"
	"time"

	"github.com/uptrace/bun/driver/pgdriver"
)

// openPostgres opens a pool of pgdriver connections to dsn, tuned for Codex's reads:
//
//   - a 32 KiB read buffer (pgdriver's default is 4 KiB), so that a batch of a few
//     thousand rows arrives in a few reads rather than hundreds;
//   - connections whose deadlines are re-armed only when they move (coarseDeadlineConn).
func openPostgres(dsn string) *sql.DB {
	c := pgdriver.NewConnector(pgdriver.WithDSN(dsn), pgdriver.WithBufferSize(32<<10))
	conf := c.Config()
	dial := conf.Dialer
	conf.Dialer = func(ctx context.Context, network, addr string) (net.Conn, error) {
		nc, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &coarseDeadlineConn{Conn: nc}, nil
	}
	return sql.OpenDB(c)
}

// deadlineSlack is how much later than asked a connection's deadline may fall due.
const deadlineSlack = time.Second

// coarseDeadlineConn is a network connection that skips a new deadline when the one in
// force is no later and at most deadlineSlack earlier: pgdriver sets "now + read timeout"
// before every row it reads, and re-arming the runtime's timer for each row of a large
// batch took about 5% of the CPU of a deep company tree (BENCHMARKS.md). A read then times
// out at most a second early (of pgdriver's 10 s), never late: an earlier deadline (a
// request's context ending sooner) and clearing the deadline always apply.
type coarseDeadlineConn struct {
	net.Conn
	mu          sync.Mutex
	read, write time.Time // the deadlines in force (zero: none)
}

// covers reports whether deadline cur may stand for t.
func covers(cur, t time.Time) bool {
	if cur.IsZero() || t.IsZero() {
		return cur.IsZero() && t.IsZero()
	}
	d := t.Sub(cur)
	return d >= 0 && d <= deadlineSlack
}

func (c *coarseDeadlineConn) SetReadDeadline(t time.Time) error {
	return c.set(&c.read, t, c.Conn.SetReadDeadline)
}

func (c *coarseDeadlineConn) SetWriteDeadline(t time.Time) error {
	return c.set(&c.write, t, c.Conn.SetWriteDeadline)
}

// set applies deadline t through apply unless the one in force, *cur, covers it.
func (c *coarseDeadlineConn) set(cur *time.Time, t time.Time, apply func(time.Time) error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if covers(*cur, t) {
		return nil
	}
	*cur = t
	return apply(t)
}

func (c *coarseDeadlineConn) SetDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.read, c.write = t, t
	return c.Conn.SetDeadline(t)
}
