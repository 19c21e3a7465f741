package store

import (
	"net"
	"testing"
	"time"
)

// deadlineRecorder is a connection that records the deadlines set on it.
type deadlineRecorder struct {
	net.Conn
	reads, writes []time.Time
}

func (d *deadlineRecorder) SetReadDeadline(t time.Time) error {
	d.reads = append(d.reads, t)
	return nil
}
func (d *deadlineRecorder) SetWriteDeadline(t time.Time) error {
	d.writes = append(d.writes, t)
	return nil
}
func (d *deadlineRecorder) SetDeadline(t time.Time) error {
	d.reads, d.writes = append(d.reads, t), append(d.writes, t)
	return nil
}

func TestCoarseDeadlineConn(t *testing.T) {
	rec := &deadlineRecorder{}
	c := &coarseDeadlineConn{Conn: rec}
	t0 := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	steps := []struct {
		at    time.Time
		apply bool
		why   string
	}{
		{t0, true, "the first deadline"},
		{t0.Add(300 * time.Millisecond), false, "slightly later: the one in force stands"},
		{t0.Add(deadlineSlack), false, "at most the slack later"},
		{t0.Add(deadlineSlack + time.Millisecond), true, "beyond the slack"},
		{t0, true, "earlier always applies"},
		{time.Time{}, true, "clearing always applies"},
		{time.Time{}, false, "already clear"},
		{t0, true, "a deadline after none"},
	}
	for i, s := range steps {
		before := len(rec.reads)
		if err := c.SetReadDeadline(s.at); err != nil {
			t.Fatal(err)
		}
		if applied := len(rec.reads) > before; applied != s.apply {
			t.Errorf("step %d (%s): applied = %v", i, s.why, applied)
		}
		if got := rec.reads[len(rec.reads)-1]; got.After(s.at) && !s.at.IsZero() {
			t.Errorf("step %d (%s): deadline in force %v is later than asked %v", i, s.why, got, s.at)
		}
	}
	// Writes are tracked apart from reads; SetDeadline sets both.
	if err := c.SetWriteDeadline(t0.Add(100 * time.Millisecond)); err != nil || len(rec.writes) != 1 {
		t.Errorf("first write deadline: %v, %d set", err, len(rec.writes))
	}
	if err := c.SetDeadline(t0.Add(time.Hour)); err != nil || len(rec.writes) != 2 || !c.read.Equal(t0.Add(time.Hour)) {
		t.Errorf("SetDeadline: %v, writes %d, read in force %v", err, len(rec.writes), c.read)
	}
}
