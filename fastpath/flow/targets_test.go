package flow

import (
	"testing"
)

// TestTargetFlowsFollowInsertsMovesAndReclaims: the per-target count of
// live flows follows every way a flow gets, changes or loses its target:
// Insert (target 0), SetTarget, Delete, Expire and the reclaim of a full
// Insert.
func TestTargetFlowsFollowInsertsMovesAndReclaims(t *testing.T) {
	tb := newTable(t, 64)
	var refs []Ref
	for i := range 40 {
		k, _ := NewKey(7, FiveTuple, v4(10, 0, 0, 1), v4(10, 0, 1, byte(i)), 1000, 80, ProtoUDP, false)
		r, err := tb.Insert(&k, tb.Hash(&k), 5*sec)
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, r)
	}
	if got := tb.TargetFlows(0); got != 40 {
		t.Fatalf("after 40 inserts target 0 has %d flows, want 40", got)
	}
	for i, r := range refs {
		tb.SetTarget(r, uint16(1+i%3))
	}
	want := func(counts map[uint16]int) {
		t.Helper()
		total := 0
		for tgt, n := range counts {
			if got := tb.TargetFlows(tgt); got != n {
				t.Errorf("target %d: %d flows, want %d", tgt, got, n)
			}
			total += n
		}
		if total != tb.Len() {
			t.Errorf("per-target counts sum to %d, table holds %d", total, tb.Len())
		}
	}
	want(map[uint16]int{0: 0, 1: 14, 2: 13, 3: 13})
	tb.SetTarget(refs[0], 3) // a rebalanced flow
	want(map[uint16]int{1: 13, 2: 13, 3: 14})
	tb.Delete(refs[1]) // target 2
	want(map[uint16]int{1: 13, 2: 12, 3: 14})
	// Every flow idles out: the sweep reclaims them all.
	for tb.Expire(5*sec+int64(OtherIdleTimeout)+2*sec, 1000) > 0 {
	}
	want(map[uint16]int{0: 0, 1: 0, 2: 0, 3: 0})
}

// TestCopyLive: with a floor, a copy holds only the live entries whose
// count in both directions is above it, with their cookies and offsets;
// it examines at most len(dst) slots and stops at Slots(). The zero floor
// copies every live entry.
func TestCopyLive(t *testing.T) {
	tb := newTable(t, 64)
	var refs []Ref
	for i := range 20 {
		k, _ := NewKey(7, FiveTuple, v4(10, 0, 0, 1), v4(10, 0, 1, byte(i)), 1000, 80, ProtoUDP, false)
		r, err := tb.Insert(&k, tb.Hash(&k), 5*sec)
		if err != nil {
			t.Fatal(err)
		}
		// Flow i: i+1 packets of 100 bytes, the last one a reply.
		for p := range i + 1 {
			d := Original
			if p == i && i > 0 {
				d = Reply
			}
			tb.Entry(r).Touch(d, 100, 6*sec)
		}
		refs = append(refs, r)
	}
	tb.Delete(refs[15])
	dst := make([]Entry, 8)
	cookies := make([]uint32, 8)
	offs := make([]uint16, 8)
	check := func(from Ref, floor Floor, wantSeen int, want ...int) {
		t.Helper()
		n, seen := tb.CopyLive(from, floor, dst, cookies, offs)
		if seen != wantSeen || n != len(want) {
			t.Fatalf("CopyLive(%d, %+v): %d copied of %d examined, want %d of %d", from, floor, n, seen, len(want), wantSeen)
		}
		for i, slot := range want {
			r := from + Ref(offs[i])
			if int(r) != slot || dst[i] != *tb.Entry(r) || cookies[i] != tb.Cookie(r) {
				t.Errorf("CopyLive(%d, %+v) copy %d: slot %d (want %d), entry or cookie differs", from, floor, i, r, slot)
			}
		}
	}
	check(10, Floor{}, 8, 10, 11, 12, 13, 14, 16, 17)              // slot 15 is dead
	check(12, Floor{Of: FloorPackets, Min: 16}, 8, 16, 17, 18, 19) // flow i has i+1 packets
	check(0, Floor{Of: FloorBytes, Min: 500}, 8, 5, 6, 7)          // flow i has 100(i+1) bytes
	check(4, Floor{Of: FloorBytes, Min: 500}, 8, 5, 6, 7, 8, 9, 10, 11)
	check(18, Floor{Of: FloorBytes}, 2, 18, 19)
	check(20, Floor{}, 0)
}
