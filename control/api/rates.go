package api

import (
	"sync"
	"time"
)

// RateTracker turns cumulative counters into rates: the backend feeds it a
// snapshot of its counters with the time they were read (once a second,
// say), and reads each counter's rate over the interval between the last
// two snapshots. Nothing is counted per packet. A counter seen for the
// first time has rate 0 until the next snapshot; a counter absent from a
// snapshot is forgotten (so memory follows the live set); a counter that
// went down (a contract breach: counters are cumulative) has rate 0 for
// that interval. It is safe for concurrent use.
type RateTracker[K comparable] struct {
	mu    sync.Mutex
	at    time.Time
	last  map[K]uint64
	spare map[K]uint64
	rates map[K]float64
}

// Sample records counters read at t. A snapshot not later than the
// previous one is ignored.
func (r *RateTracker[K]) Sample(t time.Time, counters map[K]uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.last != nil && !t.After(r.at) {
		return
	}
	dt := t.Sub(r.at).Seconds()
	rates := make(map[K]float64, len(counters))
	if r.last != nil {
		for k, v := range counters {
			if p, ok := r.last[k]; ok && v >= p {
				rates[k] = float64(v-p) / dt
			}
		}
	}
	// Keep a copy: the caller may reuse its map.
	next := r.spare
	if next == nil {
		next = make(map[K]uint64, len(counters))
	}
	clear(next)
	for k, v := range counters {
		next[k] = v
	}
	r.spare, r.last, r.at, r.rates = r.last, next, t, rates
}

// Rate is k's rate per second over the last interval (0 when unknown).
func (r *RateTracker[K]) Rate(k K) float64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.rates[k]
}

// Rates is the packet and bit rates of a packet counter and a byte
// counter.
func (r *RateTracker[K]) Rates(packets, bytes K) Rates {
	r.mu.Lock()
	defer r.mu.Unlock()
	return Rates{PPS: r.rates[packets], BPS: 8 * r.rates[bytes]}
}
