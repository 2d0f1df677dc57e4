package balance

import (
	"flag"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"testing"

	"github.com/gwlbctl/gwlbctl/fastpath/flow"
	"github.com/gwlbctl/gwlbctl/fastpath/internal/cputime"
)

var allVictims = flag.Bool("disruption.all", false, "TestRemovalDisruption: remove every target in turn")

func targets(n int, azs ...string) []Target {
	if len(azs) == 0 {
		azs = []string{"us-east-1a"}
	}
	ts := make([]Target, n)
	for i := range ts {
		ts[i] = Target{
			ID:      fmt.Sprintf("10.0.%d.%d:6081", i/250, i%250+1),
			IP:      [4]byte{10, 0, byte(i / 250), byte(i%250 + 1)},
			AZ:      azs[i%len(azs)],
			Healthy: true,
		}
	}
	return ts
}

func mustBuild(t testing.TB, ts []Target, o Options, prev *Set) *Set {
	t.Helper()
	s, err := Build(ts, o, prev)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// ids returns the target ID of every slot of zone az's table.
func ids(s *Set, az int) []string {
	tab := s.Table(az)
	out := make([]string, len(tab))
	for i, x := range tab {
		tg, _ := s.Target(x)
		out[i] = tg.ID
	}
	return out
}

func counts(s *Set, az int) map[string]int {
	c := map[string]int{}
	for _, id := range ids(s, az) {
		c[id]++
	}
	return c
}

// TestEvenBalance: each of N targets owns M/N slots within 1%:
// |slots - M/N| <= 0.01 * M/N for every target (Maglev gives floor or ceil).
func TestEvenBalance(t *testing.T) {
	for _, n := range []int{10, 11, 20, 50, 100, 150, 163, 164, 200, 250, 300} {
		s := mustBuild(t, targets(n), Options{}, nil)
		c := counts(s, 0)
		if len(c) != n {
			t.Fatalf("N=%d: %d targets own slots", n, len(c))
		}
		m := s.TableSize(0)
		ideal := float64(m) / float64(n)
		lo, hi := m, 0
		for _, v := range c {
			lo, hi = min(lo, v), max(hi, v)
		}
		if float64(hi) > ideal*1.01 || float64(lo) < ideal*0.99 {
			t.Errorf("N=%d: slots per target %d..%d, ideal %.1f: off by more than 1%%", n, lo, hi, ideal)
		}
		t.Logf("N=%3d M=%d: slots per target %d..%d (ideal %.1f, max deviation %.3f%%)", n, m, lo, hi, ideal,
			100*max(float64(hi)-ideal, ideal-float64(lo))/ideal)
	}
}

// TestRemovalDisruption: removing one of N targets moves its own slots
// and at most 1.2/N of the table's slots besides (slots that belonged to
// another target before and after and changed owner), checked for every
// target of the set as the one removed, N = 10..300.
func TestRemovalDisruption(t *testing.T) {
	for _, n := range []int{10, 20, 50, 100, 163, 165, 200, 300} {
		all := targets(n)
		before := ids(mustBuild(t, all, Options{}, nil), 0)
		m := float64(len(before))
		worst, worstTotal := 0.0, 0.0
		// Every target as the victim would take seconds; about 30 spread
		// over the set (every one with -run Disruption -disruption.all).
		step := n/30 + 1
		if *allVictims {
			step = 1
		}
		for victim := 0; victim < n; victim += step {
			rest := append(append([]Target(nil), all[:victim]...), all[victim+1:]...)
			after := ids(mustBuild(t, rest, Options{}, nil), 0)
			removedID := all[victim].ID
			own, other := 0, 0
			for i := range before {
				switch {
				case before[i] == removedID:
					own++
				case before[i] != after[i]:
					other++
				}
			}
			if other == 0 && n > 10 {
				t.Errorf("N=%d: no other slot moved: suspicious", n)
			}
			frac := float64(other) / m * float64(n) // in units of 1/N
			if frac > 1.2 {
				t.Errorf("N=%d, remove %s: %d other slots moved = %.3f/N of %d, limit 1.2/N", n, removedID, other, frac, len(before))
			}
			worst = max(worst, frac)
			worstTotal = max(worstTotal, float64(own+other)/m*float64(n))
		}
		t.Logf("N=%3d M=%d: besides the removed target's slots, at most %.3f/N moved (total %.3f/N)", n, len(before), worst, worstTotal)
	}
}

// TestDeterministic: the table is a pure function of the target set:
// shuffled input, a different index history and a second build agree slot
// by slot, and a pinned fingerprint guards against accidental changes.
func TestDeterministic(t *testing.T) {
	ts := targets(300, "a", "b", "c")
	o := Options{CrossZone: true}
	ref := ids(mustBuild(t, ts, o, nil), 0)
	rng := rand.New(rand.NewPCG(1, 1))
	for round := 0; round < 5; round++ {
		sh := append([]Target(nil), ts...)
		rng.Shuffle(len(sh), func(i, j int) { sh[i], sh[j] = sh[j], sh[i] })
		// A history with other targets gives other indices, same table.
		prev := mustBuild(t, targets(40, "z"), Options{}, nil)
		prev = mustBuild(t, sh[:17], Options{}, prev)
		got := ids(mustBuild(t, sh, o, prev), 0)
		for i := range ref {
			if got[i] != ref[i] {
				t.Fatalf("round %d: slot %d is %s, want %s", round, i, got[i], ref[i])
			}
		}
	}
	f := fnv.New64a()
	for _, id := range ref {
		f.Write([]byte(id))
	}
	if got := f.Sum64(); got != pinnedFingerprint {
		t.Fatalf("table fingerprint %#x changed: nodes running different versions would disagree", got)
	}
}

const pinnedFingerprint = 0xbec2435be27e9c3c

func zoneIDs(s *Set, az int) map[string]bool {
	out := map[string]bool{}
	for _, id := range ids(s, az) {
		out[id] = true
	}
	return out
}

func byID(ts []Target) map[string]Target {
	m := map[string]Target{}
	for _, x := range ts {
		m[x.ID] = x
	}
	return m
}

func TestZones(t *testing.T) {
	ts := targets(30, "us-east-1a", "us-east-1b", "us-east-1c")
	info := byID(ts)
	s := mustBuild(t, ts, Options{}, nil)
	for _, az := range []string{"us-east-1a", "us-east-1b", "us-east-1c"} {
		z := s.Zone(az)
		got := zoneIDs(s, z)
		if len(got) != 10 {
			t.Errorf("%s: %d targets in its table, want 10", az, len(got))
		}
		for id := range got {
			if info[id].AZ != az {
				t.Errorf("%s table holds %s from %s", az, id, info[id].AZ)
			}
		}
		for h := uint64(0); h < 1000; h++ {
			x, ok := s.Lookup(h*0x9e3779b97f4a7c15, z)
			tg, _ := s.Target(x)
			if !ok || tg.AZ != az {
				t.Fatalf("%s: lookup gave %v %v", az, tg, ok)
			}
		}
	}
	// A zone without targets gets none with cross-zone off.
	if z := s.Zone("us-east-1d"); z != -1 {
		t.Fatalf("unknown zone index %d", z)
	}
	if _, ok := s.Lookup(1, -1); ok {
		t.Fatal("target for a zone without targets, cross-zone off")
	}
	// Cross-zone: one table over every zone, whatever the node's zone.
	x := mustBuild(t, ts, Options{CrossZone: true}, nil)
	if got := zoneIDs(x, 0); len(got) != 30 {
		t.Fatalf("cross-zone table has %d targets", len(got))
	}
	if _, ok := x.Lookup(1, -1); !ok {
		t.Fatal("cross-zone lookup from a zone without targets failed")
	}
}

func TestHealthyOnlyAndFallback(t *testing.T) {
	ts := targets(12)
	for i := range ts {
		ts[i].Healthy = i%3 == 0 // 4 healthy
	}
	ts[1].Draining = true
	s := mustBuild(t, ts, Options{}, nil)
	got := zoneIDs(s, 0)
	if len(got) != 4 {
		t.Fatalf("%d targets take new flows, want the 4 healthy", len(got))
	}
	for id := range got {
		if !byID(ts)[id].Healthy {
			t.Fatalf("unhealthy %s takes new flows", id)
		}
	}
	// None healthy: every non-draining target, so each new flow still gets
	// a target (fail open); draining ones still get none.
	for i := range ts {
		ts[i].Healthy = false
	}
	s = mustBuild(t, ts, Options{}, nil)
	got = zoneIDs(s, 0)
	if len(got) != 11 || got[ts[1].ID] {
		t.Fatalf("all unhealthy: %d targets (draining included: %v), want the 11 not draining", len(got), got[ts[1].ID])
	}
	if _, ok := s.Lookup(42, 0); !ok {
		t.Fatal("all unhealthy: no target for a new flow")
	}
	// Only draining targets: no new flows at all.
	for i := range ts {
		ts[i].Draining = true
	}
	s = mustBuild(t, ts, Options{}, nil)
	if _, ok := s.Lookup(42, 0); ok {
		t.Fatal("new flow sent to a draining target")
	}
}

func TestDrainingExcluded(t *testing.T) {
	ts := targets(10)
	ts[4].Draining = true
	s := mustBuild(t, ts, Options{}, nil)
	if zoneIDs(s, 0)[ts[4].ID] {
		t.Fatal("draining target takes new flows")
	}
}

func TestFailover(t *testing.T) {
	ts := targets(6)
	base := mustBuild(t, ts, Options{}, nil)
	idx := map[string]uint16{}
	for i := 0; i < base.Len(); i++ {
		tg, _ := base.Target(uint16(i))
		idx[tg.ID] = uint16(i)
	}
	sick, drain, gone := ts[0], ts[1], ts[2]
	next := append([]Target(nil), ts[:2]...)
	next = append(next, ts[3:]...)
	next[0].Healthy = false
	next[1].Draining = true
	for _, c := range []struct {
		mode                       Failover
		sickMoved, drainMoved, gon bool
	}{
		{NoRebalance, false, false, false},
		{Rebalance, true, false, true},
	} {
		s := mustBuild(t, next, Options{Failover: c.mode}, base)
		if s.Moved(idx[sick.ID]) != c.sickMoved || s.Moved(idx[drain.ID]) != c.drainMoved || s.Moved(idx[gone.ID]) != c.gon {
			t.Errorf("%v: moved unhealthy=%v draining=%v deregistered=%v", c.mode,
				s.Moved(idx[sick.ID]), s.Moved(idx[drain.ID]), s.Moved(idx[gone.ID]))
		}
		for _, x := range ts[3:] {
			if s.Moved(idx[x.ID]) {
				t.Errorf("%v: healthy target %s moved", c.mode, x.ID)
			}
		}
		// The deregistered target keeps its index and address for the
		// flows that stay on it.
		tg, ok := s.Target(idx[gone.ID])
		if !ok || tg.ID != gone.ID || tg.IP != gone.IP || s.Registered(idx[gone.ID]) {
			t.Errorf("%v: tombstone of %s: %+v %v", c.mode, gone.ID, tg, ok)
		}
	}
	// Rebalance with no healthy target left: nothing to move to, flows stay.
	allSick := append([]Target(nil), ts...)
	for i := range allSick {
		allSick[i].Healthy = false
	}
	s := mustBuild(t, allSick, Options{Failover: Rebalance}, base)
	for i := range allSick {
		if s.Moved(idx[allSick[i].ID]) {
			t.Fatalf("all unhealthy: %s marked moved", allSick[i].ID)
		}
	}
	if !s.Moved(9999) {
		t.Fatal("unknown index not reported moved")
	}
}

func TestIndexStability(t *testing.T) {
	ts := targets(5)
	a := mustBuild(t, ts, Options{}, nil)
	b := mustBuild(t, append(targets(8)[5:], ts[1:]...), Options{}, a) // ts[0] removed, 3 added
	for i := 1; i < 5; i++ {
		for j := 0; j < a.Len(); j++ {
			ta, _ := a.Target(uint16(j))
			tb, _ := b.Target(uint16(j))
			if ta.ID == ts[i].ID && tb.ID != ts[i].ID {
				t.Fatalf("%s changed index", ts[i].ID)
			}
		}
	}
	if b.Len() != 8 || b.Registered(0) {
		t.Fatalf("Len %d, removed index registered %v", b.Len(), b.Registered(0))
	}
	// Re-registering a removed target revives its index.
	c := mustBuild(t, targets(8), Options{}, b)
	if tg, _ := c.Target(0); tg.ID != ts[0].ID || !c.Registered(0) || c.Len() != 8 {
		t.Fatalf("re-registered target: %+v", tg)
	}
}

func TestIndexReuseAtLimit(t *testing.T) {
	var s *Set
	// Churn through more than MaxTargets distinct targets, 100 at a time.
	for round := 0; round < MaxTargets/100+5; round++ {
		ts := make([]Target, 100)
		for i := range ts {
			ts[i] = Target{ID: fmt.Sprintf("t-%d-%d", round, i), AZ: "a", Healthy: true}
		}
		var err error
		s, err = Build(ts, Options{}, s)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if s.Len() > MaxTargets {
			t.Fatalf("round %d: %d indices", round, s.Len())
		}
		for i := range ts {
			if z := zoneIDs(s, 0); !z[ts[i].ID] {
				t.Fatalf("round %d: %s not in table", round, ts[i].ID)
			}
			break
		}
	}
}

func TestBuildErrors(t *testing.T) {
	ts := targets(3)
	for _, c := range []struct {
		name string
		ts   []Target
		o    Options
	}{
		{"not prime", ts, Options{TableSize: 65536}},
		{"too small", ts, Options{TableSize: 2}},
		{"duplicate", append(targets(3), targets(1)...), Options{}},
		{"empty id", []Target{{AZ: "a"}}, Options{}},
		{"bad failover", ts, Options{Failover: 7}},
	} {
		if _, err := Build(c.ts, c.o, nil); err == nil {
			t.Errorf("%s: accepted", c.name)
		}
	}
	if s, err := Build(ts, Options{TableSize: 251}, nil); err != nil || s.TableSize(0) != 251 {
		t.Errorf("prime 251 rejected: %v", err)
	}
	if _, err := ParseFailover("sometimes"); err == nil {
		t.Error("ParseFailover accepted a bad value")
	}
	if f, err := ParseFailover("rebalance"); err != nil || f != Rebalance {
		t.Error("ParseFailover(rebalance)")
	}
}

// TestSymmetricTarget: both directions of a flow reach the same target,
// under every stickiness mode.
func TestSymmetricTarget(t *testing.T) {
	s := mustBuild(t, targets(37), Options{}, nil)
	h := flow.NewHasher(5)
	rng := rand.New(rand.NewPCG(9, 9))
	for _, mode := range []flow.Stickiness{flow.FiveTuple, flow.ThreeTuple, flow.TwoTuple} {
		for i := 0; i < 5000; i++ {
			var a, b [4]byte
			for j := range a {
				a[j], b[j] = byte(rng.IntN(256)), byte(rng.IntN(256))
			}
			sp, dp := uint16(rng.IntN(65536)), uint16(rng.IntN(65536))
			proto := []uint8{6, 17, 1}[rng.IntN(3)]
			k1, _ := flow.NewKey(3, mode, flow.V4Mapped(a), flow.V4Mapped(b), sp, dp, proto, false)
			k2, _ := flow.NewKey(3, mode, flow.V4Mapped(b), flow.V4Mapped(a), dp, sp, proto, false)
			t1, _ := s.Lookup(h.Hash(&k1), 0)
			t2, _ := s.Lookup(h.Hash(&k2), 0)
			if t1 != t2 {
				t.Fatalf("%v: directions reach targets %d and %d", mode, t1, t2)
			}
		}
	}
}

func BenchmarkBuild(b *testing.B) {
	for _, n := range []int{10, 100, 300} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			ts := targets(n)
			b.ReportAllocs()
			defer cputime.PerOp(b)()
			for b.Loop() {
				if _, err := Build(ts, Options{}, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkBuildZones: 3 zones x 100 targets, cross-zone off, with the
// previous Set (the reload path).
func BenchmarkBuildZones(b *testing.B) {
	ts := targets(300, "a", "b", "c")
	prev, _ := Build(ts, Options{}, nil)
	b.ReportAllocs()
	defer cputime.PerOp(b)()
	for b.Loop() {
		if _, err := Build(ts, Options{}, prev); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLookup(b *testing.B) {
	s, _ := Build(targets(300), Options{}, nil)
	b.ReportAllocs()
	defer cputime.PerOp(b)()
	var x uint64
	h := uint64(1)
	for b.Loop() {
		h = h*6364136223846793005 + 1442695040888963407
		t, _ := s.Lookup(h, 0)
		x += uint64(t)
		if s.Moved(t) {
			b.Fatal("moved")
		}
	}
	sink = x
}

var sink uint64

// TestRandomSets checks invariants on random target sets: every new flow
// gets a registered, non-draining target of the node's zone (any zone with
// cross-zone), a healthy one whenever the scope has one, and none only
// when the scope has no non-draining target.
func TestRandomSets(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	zones := []string{"a", "b", "c"}
	var prev *Set
	for round := 0; round < 60; round++ {
		n := rng.IntN(40)
		ts := make([]Target, n)
		for i := range ts {
			ts[i] = Target{
				ID:       fmt.Sprintf("t%d", rng.IntN(80)+i*80),
				AZ:       zones[rng.IntN(len(zones))],
				Healthy:  rng.IntN(3) > 0,
				Draining: rng.IntN(6) == 0,
			}
		}
		o := Options{CrossZone: rng.IntN(2) == 0, TableSize: 1009, Failover: Failover(rng.IntN(2))}
		s, err := Build(ts, o, prev)
		if err != nil {
			t.Fatal(err)
		}
		prev = s
		for _, zone := range zones {
			var inScope []Target
			for _, x := range ts {
				if o.CrossZone || x.AZ == zone {
					inScope = append(inScope, x)
				}
			}
			anyHealthy, anyServing := false, false
			for _, x := range inScope {
				anyServing = anyServing || !x.Draining
				anyHealthy = anyHealthy || (!x.Draining && x.Healthy)
			}
			for h := 0; h < 200; h++ {
				idx, ok := s.Lookup(rng.Uint64(), s.Zone(zone))
				if ok != anyServing {
					t.Fatalf("round %d zone %s: ok=%v, scope has a non-draining target: %v", round, zone, ok, anyServing)
				}
				if !ok {
					continue
				}
				x, known := s.Target(idx)
				if !known || !s.Registered(idx) || x.Draining || (!o.CrossZone && x.AZ != zone) || (anyHealthy && !x.Healthy) {
					t.Fatalf("round %d zone %s: picked %+v (registered %v)", round, zone, x, s.Registered(idx))
				}
				if s.Moved(idx) {
					t.Fatalf("round %d: new-flow target %s is marked moved", round, x.ID)
				}
			}
		}
		for i := 0; i < s.Len(); i++ {
			x, _ := s.Target(uint16(i))
			if !s.Registered(uint16(i)) && (x.Healthy || x.Draining) {
				t.Fatalf("tombstone %s keeps health flags", x.ID)
			}
			if o.Failover == NoRebalance && s.Moved(uint16(i)) {
				t.Fatalf("no_rebalance: %s moved", x.ID)
			}
		}
	}
}
