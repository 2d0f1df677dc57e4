package flow

import (
	"fmt"
	"math/bits"
)

// MaxWorkers is the most workers whose tables a node may run side by side:
// a cookie carries its worker's id in WorkerBits(MaxWorkers) = 4 bits.
const MaxWorkers = 16

// minGenerationBits is the fewest generation bits a cookie keeps (see the
// package documentation, "Cookies").
const minGenerationBits = 8

// WorkerBits is the number of cookie bits that name the worker in a node
// of n workers: 0 for one worker, else the bits needed for n-1.
func WorkerBits(n int) int {
	if n <= 1 {
		return 0
	}
	return bits.Len(uint(n - 1))
}

// MaxCapacityFor is the largest Config.Capacity of a table in a node of
// n workers: MaxCapacity for one worker, half of it (rounded down to one
// less than a power of two) for each bit the worker id takes from the
// entry reference.
func MaxCapacityFor(n int) int {
	return 1<<(refBits-WorkerBits(n)) - 1
}

// CookieLayout reads the worker id out of the cookies of the tables of a
// node of n workers: the id sits in the cookie's top WorkerBits(n) bits, so
// any worker (and the node's hand-off) tells a cookie's owner without its
// table.
type CookieLayout struct {
	shift uint8
}

// NewCookieLayout returns the layout of a node of n workers (1..MaxWorkers).
func NewCookieLayout(n int) CookieLayout {
	return CookieLayout{shift: uint8(32 - WorkerBits(n))}
}

// Worker returns the worker id cookie c names (0 in a one-worker node).
// A forged cookie may name a worker the node does not run: the caller
// checks the id against its worker count.
func (l CookieLayout) Worker(c uint32) int {
	return int(uint64(c) >> l.shift) // shift 32: no worker bits
}

// checkWorker validates Config.Worker and Config.Workers against capacity.
func checkWorker(cfg *Config) error {
	n := max(cfg.Workers, 1)
	if n > MaxWorkers {
		return fmt.Errorf("flow: %d workers: at most %d", cfg.Workers, MaxWorkers)
	}
	if cfg.Worker < 0 || cfg.Worker >= n {
		return fmt.Errorf("flow: worker %d out of range: use 0..%d for %d workers", cfg.Worker, n-1, n)
	}
	if limit := MaxCapacityFor(n); cfg.Capacity > limit {
		return fmt.Errorf("flow: capacity %d out of range for %d workers: use 1..%d (the cookie's worker id takes %d bits from the entry reference)", cfg.Capacity, n, limit, WorkerBits(n))
	}
	return nil
}

// setCookieLayout fixes the table's cookie fields: index bits for the
// capacity, the worker id in the top bits, generation bits in between
// (at most 15, at least minGenerationBits given checkWorker).
func (t *Table) setCookieLayout(cfg *Config) {
	t.idxBits = uint32(bits.Len32(uint32(cfg.Capacity - 1)))
	if t.idxBits == 0 {
		t.idxBits = 1
	}
	t.idxMask = 1<<t.idxBits - 1
	wb := uint32(WorkerBits(cfg.Workers))
	genBits := min(32-t.idxBits-wb, 15)
	t.genMask = uint16(1<<genBits - 1)
	t.worker = cfg.Worker
	t.cookieFixed = uint32(uint64(cfg.Worker) << (32 - wb))
	t.cookieFree = t.idxMask | uint32(t.genMask)<<t.idxBits
}

// Worker returns the id of the worker the table belongs to (Config.Worker).
func (t *Table) Worker() int { return t.worker }
