package balance

import (
	"errors"
	"fmt"
	"hash/fnv"
	"math/bits"
	"sort"
)

// DefaultTableSize is the table size used when Options.TableSize is 0 and
// a table has at most 163 targets; larger tables get the next size in
// autoTableSizes that leaves at least 400 slots per target (131071 up to
// 327 targets), which keeps balance and disruption within their bounds.
const DefaultTableSize = 65537

// MaxTableSize bounds Options.TableSize.
const MaxTableSize = 1<<24 - 3 // 16777213, a prime

// MaxTargets is the number of target indices a Set hands out, including
// tombstones of removed targets.
const MaxTargets = 4096

// Target is a registered target as the control plane reports it.
type Target struct {
	// ID is the target's stable identity, e.g. "i-0abc...:6081" or
	// "10.0.1.5:6081". Tables depend only on IDs.
	ID string
	// IP is the target's address on the appliance network.
	IP [4]byte
	// AZ is the target's availability zone.
	AZ string
	// Healthy: passing health checks (state healthy).
	Healthy bool
	// Draining: deregistration in progress (state draining).
	Draining bool
}

// Failover is the target group's target_failover.on_deregistration and
// target_failover.on_unhealthy value (AWS requires both to be equal).
type Failover uint8

const (
	// NoRebalance keeps existing flows on their target (default).
	NoRebalance Failover = iota
	// Rebalance re-hashes existing flows of failed or deregistered targets.
	Rebalance
)

// ParseFailover maps the attribute value to a Failover.
func ParseFailover(v string) (Failover, error) {
	switch v {
	case "", "no_rebalance":
		return NoRebalance, nil
	case "rebalance":
		return Rebalance, nil
	}
	return NoRebalance, fmt.Errorf("balance: target failover %q is not supported: use no_rebalance or rebalance", v)
}

// Options are the attributes a Set depends on.
type Options struct {
	// CrossZone is load_balancing.cross_zone.enabled.
	CrossZone bool
	// TableSize is the table size, a prime (0: DefaultTableSize, larger
	// for tables of more than 163 targets). It should be at least 100
	// times the number of targets per table for balance within 1%, and
	// 400 times for low disruption.
	TableSize int
	// Failover is the target failover setting.
	Failover Failover
}

// Target flow states kept per target index.
const (
	stateRegistered = 1 << iota // in the current target list
	stateMove                   // existing flows must be re-hashed
	stateHealthy
	stateDraining
)

// Set is the immutable result of a Build: target indices, per-scope
// tables and per-target flow states. It is safe for concurrent readers.
type Set struct {
	opts    Options
	targets []Target // by index; removed targets keep their entry
	state   []uint8  // by index
	removed []uint64 // by index: build sequence at removal, 0 if registered
	seq     uint64
	azs     []string   // sorted zone names; zone i's table is pick[i]
	pick    [][]uint16 // new-flow table per zone (cross-zone: one, at 0)
}

// Build computes the Set for targets under opts. prev (may be nil) is the
// Set currently in use: targets present in both keep their index, so
// existing flows keep pointing at the right target.
func Build(targets []Target, opts Options, prev *Set) (*Set, error) {
	if opts.TableSize != 0 && (opts.TableSize < 3 || opts.TableSize > MaxTableSize || !isPrime(opts.TableSize)) {
		return nil, fmt.Errorf("balance: table size %d must be a prime from 3 to %d (e.g. 65537)", opts.TableSize, MaxTableSize)
	}
	if opts.Failover > Rebalance {
		return nil, fmt.Errorf("balance: unknown failover mode %d", opts.Failover)
	}
	sorted := make([]Target, len(targets))
	copy(sorted, targets)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].ID < sorted[j].ID })
	for i := range sorted {
		if sorted[i].ID == "" {
			return nil, errors.New("balance: target with an empty ID: give every target a stable ID such as instance-id:port")
		}
		if i > 0 && sorted[i].ID == sorted[i-1].ID {
			return nil, fmt.Errorf("balance: target %q listed twice: register each target once", sorted[i].ID)
		}
	}

	s := &Set{opts: opts, seq: 1}
	idx, err := s.assign(sorted, prev)
	if err != nil {
		return nil, err
	}

	// Scopes: one per zone, or one across zones.
	scopeOf := func(t *Target) string {
		if opts.CrossZone {
			return ""
		}
		return t.AZ
	}
	zones := map[string][]int{} // scope -> positions in sorted
	for i := range sorted {
		z := scopeOf(&sorted[i])
		zones[z] = append(zones[z], i)
	}
	for z := range zones {
		s.azs = append(s.azs, z)
	}
	sort.Strings(s.azs)
	if opts.CrossZone {
		s.azs = s.azs[:0]
		for i := range sorted {
			s.azs = appendUnique(s.azs, sorted[i].AZ)
		}
		sort.Strings(s.azs)
	}

	b := &builder{}
	size := func(n int) int {
		if opts.TableSize != 0 {
			return opts.TableSize
		}
		return autoTableSize(n)
	}
	hasHealthy := map[string]bool{}
	tables := map[string][]uint16{}
	var healthy, fallback []uint16
	var healthyIDs, fallbackIDs []string
	for z, members := range zones {
		healthy, fallback = healthy[:0], fallback[:0]
		healthyIDs, fallbackIDs = healthyIDs[:0], fallbackIDs[:0]
		for _, i := range members {
			t := &sorted[i]
			if t.Draining {
				continue
			}
			fallback = append(fallback, idx[i])
			fallbackIDs = append(fallbackIDs, t.ID)
			if t.Healthy {
				healthy = append(healthy, idx[i])
				healthyIDs = append(healthyIDs, t.ID)
			}
		}
		switch {
		case len(healthy) > 0:
			tables[z] = b.build(size(len(healthy)), healthyIDs, healthy)
			hasHealthy[z] = true
		case len(fallback) > 0:
			tables[z] = b.build(size(len(fallback)), fallbackIDs, fallback)
		}
	}
	if opts.CrossZone {
		s.pick = [][]uint16{tables[""]}
	} else {
		s.pick = make([][]uint16, len(s.azs))
		for i, z := range s.azs {
			s.pick[i] = tables[z]
		}
	}

	// Per-target flow states.
	for i := range sorted {
		t := &sorted[i]
		st := uint8(stateRegistered)
		if t.Healthy {
			st |= stateHealthy
		}
		if t.Draining {
			st |= stateDraining
		}
		if opts.Failover == Rebalance && !t.Healthy && hasHealthy[scopeOf(t)] {
			st |= stateMove
		}
		s.state[idx[i]] = st
	}
	for i := range s.targets {
		if s.state[i]&stateRegistered == 0 && opts.Failover == Rebalance {
			s.state[i] = stateMove
		}
	}
	return s, nil
}

func appendUnique(l []string, v string) []string {
	for _, x := range l {
		if x == v {
			return l
		}
	}
	return append(l, v)
}

// assign gives every target in sorted an index, keeping prev's indices and
// tombstones; it fills s.targets, s.state and s.removed.
func (s *Set) assign(sorted []Target, prev *Set) ([]uint16, error) {
	idx := make([]uint16, len(sorted))
	prevIdx := map[string]int{}
	if prev != nil {
		s.seq = prev.seq + 1
		s.targets = append(s.targets, prev.targets...)
		s.removed = append(s.removed, prev.removed...)
		for i := range prev.targets {
			if prev.targets[i].ID != "" {
				prevIdx[prev.targets[i].ID] = i
			}
		}
	}
	s.state = make([]uint8, len(s.targets), max(len(s.targets), len(sorted)))
	present := make([]bool, len(s.targets))
	var fresh []int
	for i := range sorted {
		if j, ok := prevIdx[sorted[i].ID]; ok {
			idx[i] = uint16(j)
			s.targets[j] = sorted[i]
			s.removed[j] = 0
			present[j] = true
		} else {
			fresh = append(fresh, i)
		}
	}
	// Targets no longer listed become tombstones.
	for j := range s.targets {
		if !present[j] && s.targets[j].ID != "" && s.removed[j] == 0 {
			s.removed[j] = s.seq
			// Deregistered: keep ID and address for the flows still on it.
			s.targets[j].Healthy, s.targets[j].Draining = false, false
		}
	}
	for _, i := range fresh {
		j := len(s.targets)
		if j >= MaxTargets {
			// Reuse the oldest tombstone.
			j = -1
			for k := range s.targets {
				if !present[k] && s.removed[k] != 0 && (j < 0 || s.removed[k] < s.removed[j]) {
					j = k
				}
			}
			if j < 0 {
				return nil, fmt.Errorf("balance: %d targets exceed the limit of %d", len(sorted), MaxTargets)
			}
			s.targets[j] = sorted[i]
			s.removed[j] = 0
			present[j] = true
		} else {
			s.targets = append(s.targets, sorted[i])
			s.removed = append(s.removed, 0)
			s.state = append(s.state, 0)
			present = append(present, true)
		}
		idx[i] = uint16(j)
	}
	return idx, nil
}

// builder holds the scratch space of table builds.
type builder struct {
	walkers []walker
	rank    []uint64
	order   []int
}

// walker is one target's progress along its preference list.
type walker struct {
	cur, skip, quota uint32
	index            uint16
}

// permutation returns target id's preference list for table size m: slot
// offset + j*skip (mod m) is its j-th preference. rank orders targets for
// the remainder slots.
func permutation(id string, m int) (offset, skip uint32, rank uint64) {
	f := fnv.New64a()
	_, _ = f.Write([]byte(id))
	h := f.Sum64()
	h1 := mix64(h ^ 0x6a09e667f3bcc908)
	h2 := mix64(h ^ 0xbb67ae8584caa73b)
	return uint32(h1 % uint64(m)), uint32(h2%uint64(m-1)) + 1, mix64(h ^ 0x3c6ef372fe94f82b)
}

func mix64(z uint64) uint64 {
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// autoTableSizes are the table sizes chosen when Options.TableSize is 0:
// the first with at least minSlotsPerTarget slots per target.
var autoTableSizes = []int{65537, 131071, 262139, 524287, 1048573}

const minSlotsPerTarget = 400

func autoTableSize(n int) int {
	for _, m := range autoTableSizes {
		if m >= minSlotsPerTarget*n {
			return m
		}
	}
	return autoTableSizes[len(autoTableSizes)-1]
}

// build returns a table of m slots for the targets with the given IDs (in
// ID order) and indices.
//
// Each target owns exactly floor(m/n) or ceil(m/n) slots (its quota; the
// m mod n targets first in rank order get the larger one). Targets walk
// their preference lists in lockstep: in round j every target that has not
// filled its quota looks at its j-th preference and takes it if free
// (within a round, in ID order). This differs from the paper's fill (where a
// target skips ahead to its next free slot in its turn): comparing all
// targets at the same depth of their lists, with fixed quotas, halves the
// slots that move besides a removed target's own (see TestRemovalDisruption).
func (b *builder) build(m int, ids []string, index []uint16) []uint16 {
	n := len(ids)
	mm := uint32(m)
	b.walkers, b.rank, b.order = b.walkers[:0], b.rank[:0], b.order[:0]
	for i, id := range ids {
		o, k, r := permutation(id, m)
		b.walkers = append(b.walkers, walker{cur: o, skip: k, quota: mm / uint32(n), index: index[i]})
		b.rank = append(b.rank, r)
		b.order = append(b.order, i)
	}
	sort.Slice(b.order, func(x, y int) bool {
		rx, ry := b.rank[b.order[x]], b.rank[b.order[y]]
		if rx != ry {
			return rx < ry
		}
		return b.order[x] < b.order[y]
	})
	for _, i := range b.order[:mm%uint32(n)] {
		b.walkers[i].quota++
	}
	const empty = 0xffff
	table := make([]uint16, m)
	for i := range table {
		table[i] = empty
	}
	// active keeps ID order as it shrinks, which is the tie-break order.
	active := b.walkers
	for filled := uint32(0); filled < mm; {
		k := 0
		for _, w := range active {
			c := w.cur
			w.cur += w.skip
			if w.cur >= mm {
				w.cur -= mm
			}
			if table[c] == empty {
				table[c] = w.index
				filled++
				w.quota--
				if w.quota == 0 {
					continue // quota filled: leaves the active list
				}
			}
			active[k] = w
			k++
		}
		active = active[:k]
	}
	return table
}

func isPrime(n int) bool {
	if n < 2 {
		return false
	}
	for d := 2; d*d <= n; d++ {
		if n%d == 0 {
			return false
		}
	}
	return true
}

// Lookup returns the target index for a new flow with hash h at a node in
// zone az (an index from Zone; ignored with cross-zone). ok is false when
// the scope has no target that may take new flows.
func (s *Set) Lookup(h uint64, az int) (target uint16, ok bool) {
	var tab []uint16
	if s.opts.CrossZone {
		tab = s.pick[0]
	} else if uint(az) < uint(len(s.pick)) {
		tab = s.pick[az]
	}
	if tab == nil {
		return 0, false
	}
	i, _ := bits.Mul64(h, uint64(len(tab)))
	return tab[i], true
}

// Zone returns the index of availability zone name for Lookup, or -1 if no
// target is registered in it.
func (s *Set) Zone(name string) int {
	for i, z := range s.azs {
		if z == name {
			return i
		}
	}
	return -1
}

// Moved reports whether the flows of target index t must be re-hashed now
// (failover rebalance). Indices the Set does not know count as moved.
func (s *Set) Moved(t uint16) bool {
	if int(t) >= len(s.state) {
		return true
	}
	return s.state[t]&stateMove != 0
}

// Target returns the target at index t (removed targets keep their entry
// while flows may point at them), and whether t is a known index.
func (s *Set) Target(t uint16) (*Target, bool) {
	if int(t) >= len(s.targets) {
		return nil, false
	}
	return &s.targets[t], true
}

// Registered reports whether target index t is in the current target list.
func (s *Set) Registered(t uint16) bool {
	return int(t) < len(s.state) && s.state[t]&stateRegistered != 0
}

// Len returns the number of target indices in use (tombstones included).
func (s *Set) Len() int { return len(s.targets) }

// TableSize returns the size of zone az's table (0 if it has none).
func (s *Set) TableSize(az int) int { return len(s.Table(az)) }

// Options returns the options the Set was built with.
func (s *Set) Options() Options { return s.opts }

// Table returns the new-flow table of zone az (cross-zone: any az), nil if
// it has none. Callers must not modify it.
func (s *Set) Table(az int) []uint16 {
	if s.opts.CrossZone {
		return s.pick[0]
	}
	if uint(az) < uint(len(s.pick)) {
		return s.pick[az]
	}
	return nil
}
