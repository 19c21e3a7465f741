package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// clockTicks is USER_HZ, the unit of the CPU times in /proc/<pid>/stat: 100 on Linux.
const clockTicks = 100

// process reads the server's CPU time and memory from /proc; 0 is "no process given".
type process int

var errNoProcess = errors.New("no server pid")

// cpuTicks returns the process's user + system CPU time in clock ticks.
func (p process) cpuTicks() (int64, error) {
	if p == 0 {
		return 0, errNoProcess
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces: count fields after its closing ")".
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: no command name", p)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", p, len(f))
	}
	// f[0] is field 3 (state), so utime (14) and stime (15) are f[11] and f[12].
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return utime + stime, nil
}

// status returns a /proc/<pid>/status memory line (VmRSS, VmHWM) in bytes.
func (p process) status(key string) (int64, error) {
	if p == 0 {
		return 0, errNoProcess
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p))
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("/proc/%d/status: no %s", p, key)
}

// rss returns the resident set size now.
func (p process) rss() (int64, error) { return p.status("VmRSS") }

// hwm returns the process's peak resident set size so far.
func (p process) hwm() (int64, error) { return p.status("VmHWM") }

// sampler records the highest RSS seen while it runs.
type sampler struct {
	done chan struct{}
	wg   sync.WaitGroup
	peak int64
}

// sampleRSS starts sampling the RSS every interval; stop returns the highest (0 when
// the process cannot be read).
func (p process) sampleRSS(interval time.Duration) *sampler {
	s := &sampler{done: make(chan struct{})}
	if p == 0 {
		return s
	}
	s.wg.Go(func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			if v, err := p.rss(); err == nil {
				s.peak = max(s.peak, v)
			}
			select {
			case <-s.done:
				return
			case <-t.C:
			}
		}
	})
	return s
}

func (s *sampler) stop() int64 {
	close(s.done)
	s.wg.Wait()
	return s.peak
}
