package api

import (
	"testing"
	"time"
)

func TestRateTracker(t *testing.T) {
	var r RateTracker[string]
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	r.Sample(t0, map[string]uint64{"pkts": 100, "bytes": 1000})
	if got := r.Rate("pkts"); got != 0 {
		t.Errorf("one sample: rate %v", got)
	}
	counters := map[string]uint64{"pkts": 300, "bytes": 5000, "new": 7}
	r.Sample(t0.Add(2*time.Second), counters)
	counters["pkts"] = 1 << 40 // the tracker keeps its own copy
	if got := r.Rates("pkts", "bytes"); got != (Rates{PPS: 100, BPS: 16000}) {
		t.Errorf("rates %+v", got)
	}
	if got := r.Rate("new"); got != 0 {
		t.Errorf("new counter: %v", got)
	}
	// A sample not later than the last is ignored.
	r.Sample(t0.Add(2*time.Second), map[string]uint64{"pkts": 1 << 30})
	if got := r.Rate("pkts"); got != 100 {
		t.Errorf("after an ignored sample: %v", got)
	}
	// A counter that went down has no rate; one that left is forgotten.
	r.Sample(t0.Add(3*time.Second), map[string]uint64{"pkts": 250, "new": 17})
	if r.Rate("pkts") != 0 || r.Rate("new") != 10 || r.Rate("bytes") != 0 {
		t.Errorf("pkts %v new %v bytes %v", r.Rate("pkts"), r.Rate("new"), r.Rate("bytes"))
	}
	r.Sample(t0.Add(4*time.Second), map[string]uint64{"bytes": 9000})
	if r.Rate("bytes") != 0 {
		t.Errorf("a counter back after leaving starts again: %v", r.Rate("bytes"))
	}
}
