package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"
)

// csvResult is one CSV export.
type csvResult struct {
	Rows          int      `json:"rows"`
	Bytes         int64    `json:"bytes"`
	Seconds       float64  `json:"seconds"`
	FirstByteMs   float64  `json:"first_byte_ms"`
	RowsPerSecond float64  `json:"rows_per_second"`
	RSSBeforeMB   *float64 `json:"rss_before_mb,omitempty"`
	RSSPeakMB     *float64 `json:"rss_peak_mb,omitempty"`
	RSSGrowthMB   *float64 `json:"rss_growth_mb,omitempty"`
}

// runCSV downloads the asset export c.csvRuns times, one after another.
func runCSV(ctx context.Context, c *config, proc process) ([]csvResult, error) {
	client := newClient(1, 0)
	defer client.CloseIdleConnections()
	var out []csvResult
	for range c.csvRuns {
		r, err := exportOnce(ctx, client, c, proc)
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
	return out, nil
}

func exportOnce(ctx context.Context, client *http.Client, c *config, proc process) (csvResult, error) {
	var res csvResult
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url+"/api/assets?format=csv", nil)
	if err != nil {
		return res, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	before, rssErr := proc.rss()
	s := proc.sampleRSS(20 * time.Millisecond)
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		s.stop()
		return res, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		s.stop()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
		return res, fmt.Errorf("status %d: %s", resp.StatusCode, b)
	}
	var rc recordCounter
	buf := make([]byte, 64<<10)
	for {
		n, err := resp.Body.Read(buf)
		if n > 0 {
			if res.Bytes == 0 {
				res.FirstByteMs = ms(time.Since(start))
			}
			res.Bytes += int64(n)
			rc.count(buf[:n])
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			s.stop()
			return res, err
		}
	}
	elapsed := time.Since(start)
	peak := s.stop()
	res.Rows = max(0, rc.records()-1) // the header row
	res.Seconds = elapsed.Seconds()
	res.RowsPerSecond = float64(res.Rows) / res.Seconds
	if rssErr == nil && peak > 0 {
		res.RSSBeforeMB, res.RSSPeakMB = ptr(mb(before)), ptr(mb(peak))
		res.RSSGrowthMB = ptr(mb(max(0, peak-before)))
	}
	return res, nil
}

// recordCounter counts RFC 4180 records: line ends outside quoted fields.
type recordCounter struct {
	quoted  bool
	n       int
	partial bool // bytes seen since the last record end
}

func (r *recordCounter) count(b []byte) {
	for _, c := range b {
		switch c {
		case '"':
			r.quoted = !r.quoted // "" inside a quoted field toggles twice
		case '\n':
			if !r.quoted {
				r.n++
				r.partial = false
				continue
			}
		}
		r.partial = true
	}
}

// records returns the records seen, a last one without a line end included.
func (r *recordCounter) records() int {
	if r.partial {
		return r.n + 1
	}
	return r.n
}

func printCSV(out io.Writer, rs []csvResult) {
	for i, r := range rs {
		fmt.Fprintf(out, "csv export %d: %d rows, %.1f MB in %.3f s = %.0f rows/s (first byte %.1f ms); server RSS %s -> peak %s MB (growth %s MB)\n",
			i+1, r.Rows, float64(r.Bytes)/(1<<20), r.Seconds, r.RowsPerSecond, r.FirstByteMs,
			optF(r.RSSBeforeMB, 1), optF(r.RSSPeakMB, 1), optF(r.RSSGrowthMB, 1))
	}
	if len(rs) > 1 {
		rates := make([]float64, len(rs))
		growth := 0.0
		for i, r := range rs {
			rates[i] = r.RowsPerSecond
			if r.RSSGrowthMB != nil {
				growth = max(growth, *r.RSSGrowthMB)
			}
		}
		slices.Sort(rates)
		fmt.Fprintf(out, "csv export: median %.0f rows/s over %d exports, largest RSS growth %.1f MB\n", rates[len(rates)/2], len(rs), growth)
	}
}
