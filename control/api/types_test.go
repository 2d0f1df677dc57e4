package api

import (
	"testing"
	"time"
)

// TestPassWait: the mean wait of a packet arriving at a random instant is
// half a gap when the gaps are all alike, and the long gaps weigh in by
// their square when they are not.
func TestPassWait(t *testing.T) {
	reading := func(gaps ...time.Duration) *Worker {
		w := &Worker{}
		for _, g := range gaps {
			w.PassGapNs += uint64(g)
			u := uint64(g) >> 10 // PassGapSqUnit: whole 1024 ns
			w.PassGapSq += u * u
		}
		return w
	}
	var even []time.Duration
	for range 1000 {
		even = append(even, time.Millisecond)
	}
	if got := PassWait(&Worker{}, reading(even...)); got < 495*time.Microsecond || got > 500*time.Microsecond {
		t.Errorf("gaps of 1 ms: a mean wait of %v, want half of 1 ms", got)
	}
	// 999 gaps of 10 us and one of 10 ms: half the time is in the long
	// gap, so the mean wait is about a quarter of it.
	var uneven []time.Duration
	for range 999 {
		uneven = append(uneven, 10*time.Microsecond)
	}
	uneven = append(uneven, 10*time.Millisecond)
	if got := PassWait(&Worker{}, reading(uneven...)); got < 2400*time.Microsecond || got > 2600*time.Microsecond {
		t.Errorf("one long gap: a mean wait of %v, want about 2.5 ms", got)
	}
	if got := PassWait(reading(even...), reading(even...)); got != 0 {
		t.Errorf("no pass between the readings: %v, want 0", got)
	}
}
