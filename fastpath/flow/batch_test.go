package flow

import (
	"testing"
	"time"
)

// LookupBatch gives, key for key, what Lookup gives: hits, expired flows,
// misses, and keys whose first tag match in the index is another flow.
func TestLookupBatchMatchesLookup(t *testing.T) {
	const capacity = 4096
	tb, err := New(Config{Capacity: capacity, Seed: 5, GoHeap: true})
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Close()
	keys := benchKeys(3*capacity, 9)
	sec := int64(time.Second)
	// Half the table idle since t=0, half seen at t=200 s (TCP: 350 s).
	for i := 0; i < capacity; i++ {
		now := int64(0)
		if i%2 == 1 {
			now = 200 * sec
		}
		if _, err := tb.Insert(&keys[i], tb.Hash(&keys[i]), now); err != nil {
			t.Fatal(err)
		}
	}
	now := 400 * sec
	var hashes [32]uint64
	var refs [32]Ref
	var res [32]Result
	counts := map[Result]int{}
	collisions := 0
	for off := 0; off+32 <= len(keys); off += 32 {
		ks := keys[off : off+32]
		tb.HashBatch(ks, hashes[:])
		tb.LookupBatch(ks, hashes[:], now, refs[:], res[:])
		for i := range ks {
			r, want := tb.Lookup(&ks[i], hashes[i], now)
			if res[i] != want || (want != Miss && refs[i] != r) {
				t.Fatalf("key %d: LookupBatch gave (%d, %v), Lookup (%d, %v)", off+i, refs[i], res[i], r, want)
			}
			counts[want]++
			if want == Miss && tb.tagCandidate(hashes[i]) {
				collisions++
			}
		}
	}
	if counts[Hit] != capacity/2 || counts[Expired] != capacity/2 || counts[Miss] != 2*capacity {
		t.Fatalf("results %v: want %d hits, %d expired, %d misses", counts, capacity/2, capacity/2, 2*capacity)
	}
	if collisions == 0 {
		t.Fatalf("no absent key met a tag match: the collision path was not exercised")
	}
}

// tagCandidate reports whether the probe run of hash holds a slot with its tag.
func (t *Table) tagCandidate(h uint64) bool {
	tag := uint32(h>>56) << refBits
	for i := uint32(h) & t.mask; t.slots[i] != 0; i = (i + 1) & t.mask {
		if t.slots[i]&tagMask == tag {
			return true
		}
	}
	return false
}
