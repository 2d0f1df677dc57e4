package engine

import (
	"testing"
	"time"
)

// The expiry sweep is paced by the engine clock: capacity entries per
// expireSweep, at most ExpireBudget per call, nothing for repeated calls
// at one instant.
func TestExpireQuotaPacing(t *testing.T) {
	pub := &Publisher{}
	w, err := NewWorker(WorkerOptions{Config: pub, FlowCapacity: 1 << 20, GoHeap: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	now := int64(time.Hour)
	if got := w.expireQuota(now); got != w.expireBudget {
		t.Fatalf("first call after a long pause: %d entries, want the budget %d", got, w.expireBudget)
	}
	if got := w.expireQuota(now); got != 0 {
		t.Fatalf("second call at the same instant: %d entries, want 0", got)
	}
	// 2^20 entries per second: 1.048576 per microsecond, remainders
	// carried over.
	total := 0
	for i := 0; i < 2000; i++ {
		now += 500
		total += w.expireQuota(now)
	}
	if total != 1048 {
		t.Fatalf("1 ms in 500 ns steps: %d entries examined, want 1048", total)
	}
	if got := w.expireQuota(now - 1); got != 0 {
		t.Fatalf("clock going back: %d entries, want 0", got)
	}
}
