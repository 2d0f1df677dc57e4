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

// TestCopyEntries: a copied slice holds the entries and cookies of its
// slots, dead ones included, and stops at Slots().
func TestCopyEntries(t *testing.T) {
	tb := newTable(t, 64)
	var refs []Ref
	for i := range 10 {
		k, _ := NewKey(7, FiveTuple, v4(10, 0, 0, 1), v4(10, 0, 1, byte(i)), 1000, 80, ProtoUDP, false)
		r, err := tb.Insert(&k, tb.Hash(&k), 5*sec)
		if err != nil {
			t.Fatal(err)
		}
		tb.Entry(r).Touch(Original, 100+i, 6*sec)
		refs = append(refs, r)
	}
	tb.Delete(refs[3])
	if tb.Slots() != 10 {
		t.Fatalf("Slots = %d, want 10", tb.Slots())
	}
	dst := make([]Entry, 4)
	cookies := make([]uint32, 4)
	if n := tb.CopyEntries(8, dst, cookies); n != 2 {
		t.Fatalf("copy from slot 8 of 10: %d entries, want 2", n)
	}
	if n := tb.CopyEntries(10, dst, cookies); n != 0 {
		t.Fatalf("copy from the end: %d entries", n)
	}
	n := tb.CopyEntries(2, dst, cookies)
	if n != 4 {
		t.Fatalf("copied %d, want 4", n)
	}
	for i := range n {
		r := Ref(2 + i)
		if dst[i] != *tb.Entry(r) {
			t.Errorf("slot %d: copy differs from the entry", r)
		}
		if dst[i].Live() != (r != refs[3]) {
			t.Errorf("slot %d: live %v", r, dst[i].Live())
		}
		if dst[i].Live() && cookies[i] != tb.Cookie(r) {
			t.Errorf("slot %d: cookie %#x, want %#x", r, cookies[i], tb.Cookie(r))
		}
	}
}
