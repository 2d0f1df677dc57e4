package flow

// Batched operations: the engine hashes, looks up and touches a whole
// burst at once, so the cache misses of its packets overlap.

// HashBatch computes the hash of each key into hashes (len(hashes) >=
// len(keys)).
func (t *Table) HashBatch(keys []Key, hashes []uint64) {
	hashes = hashes[:len(keys)]
	for i := range keys {
		hashes[i] = t.hasher.Hash(&keys[i])
	}
}

// PrefetchCookies loads the entry each cookie names: every cache line of
// it (an entry spans two or three; loads at most 59 bytes apart touch
// each), and its generation.
func (t *Table) PrefetchCookies(cookies []uint32) {
	var x uint32
	for _, c := range cookies {
		r := c & t.idxMask
		if r < t.used {
			e := &t.entries[r]
			x += uint32(t.gens[r]) + uint32(e.Key.Endpoint) + uint32(e.Target) + uint32(e.EthSrc[5])
		}
	}
	t.sink += x
}

// LookupBatch looks up each key (with its hash) in three stages, index
// slots, candidate entries, then comparison, so that the misses of the
// whole burst overlap. refs and results receive one value per key.
func (t *Table) LookupBatch(keys []Key, hashes []uint64, now int64, refs []Ref, results []Result) {
	n := len(keys)
	hashes, refs, results = hashes[:n], refs[:n], results[:n]
	var x uint32
	for _, h := range hashes {
		x += t.slots[uint32(h)&t.mask]
	}
	for i, h := range hashes {
		// Touch the first candidate entry whose tag matches and remember
		// it: the comparison stage starts there instead of walking the
		// probe run again. No candidate before an empty slot is a miss.
		tag := uint32(h>>56) << refBits
		refs[i] = NoRef
		for j := uint32(h) & t.mask; ; j = (j + 1) & t.mask {
			s := t.slots[j]
			if s == 0 {
				break
			}
			if s&tagMask == tag {
				// Every cache line of the entry (loads at most 59
				// bytes apart) and its generation: a hit reads or
				// writes them all (ports, counters, cookie).
				r := Ref(s&refMask - 1)
				e := &t.entries[r]
				x += uint32(e.Key.Endpoint) + e.LastSeen + uint32(e.EthSrc[5]) + uint32(t.gens[r])
				refs[i] = r
				break
			}
		}
	}
	t.sink += x
	sec := Seconds(now)
	for i := range keys {
		r := refs[i]
		if r == NoRef {
			results[i] = Miss
			continue
		}
		e := &t.entries[r]
		if !sameKey(e.Key.words(), keys[i].words()) {
			// A tag collision: walk the whole run.
			refs[i], results[i] = t.Lookup(&keys[i], hashes[i], now)
			continue
		}
		results[i] = Hit
		if t.expired(e, sec) {
			results[i] = Expired
		}
	}
}
