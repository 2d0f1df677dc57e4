package flow

import "unsafe"

// Batched operations: the engine hashes, looks up and touches a whole
// burst at once, so the cache misses of its packets overlap. On amd64 the
// lines are requested with prefetch instructions, one assembly call per
// stage (prefetch_amd64.s); elsewhere with ordinary loads, whose results
// are summed into Table.sink so the compiler keeps them.

// prefetchGroup is the most keys or cookies one prefetch stage covers;
// longer batches are done in groups of it.
const prefetchGroup = 64

// entryLines is how many addresses cover every cache line of an entry:
// its first byte, 64 bytes on and its last byte (an entry of up to 128
// bytes spans at most three lines).
const entryLines = 3

// HashBatch computes the hash of each key into hashes (len(hashes) >=
// len(keys)).
func (t *Table) HashBatch(keys []Key, hashes []uint64) {
	hashes = hashes[:len(keys)]
	for i := range keys {
		hashes[i] = t.hasher.Hash(&keys[i])
	}
}

// entryAddrs appends to a the addresses that cover entry r's cache lines:
// a hit reads or writes them all (key, generation, ports, counters,
// Ethernet addresses).
func (t *Table) entryAddrs(a []uintptr, r Ref) []uintptr {
	p := uintptr(unsafe.Pointer(&t.entries[r]))
	return append(a, p, p+64, p+uintptr(EntrySize-1))
}

// touchEntry loads every cache line of entry r (loads at most 64 bytes
// apart), where there is no prefetch instruction.
func (t *Table) touchEntry(r Ref) uint32 {
	e := &t.entries[r]
	return uint32(e.Key.Endpoint) + uint32(e.Packets[0]) + e.Created
}

// prefetchEntry requests every cache line of entry r.
func (t *Table) prefetchEntry(r Ref) {
	if hasPrefetch {
		prefetch(t.entryAddrs(t.pf[:0], r))
	} else {
		t.sink += t.touchEntry(r)
	}
}

// PrefetchCookies requests the entry each cookie names (every cache line
// of it, its generation included).
func (t *Table) PrefetchCookies(cookies []uint32) {
	for len(cookies) > prefetchGroup {
		t.PrefetchCookies(cookies[:prefetchGroup])
		cookies = cookies[prefetchGroup:]
	}
	a := t.pf[:0]
	var x uint32
	for _, c := range cookies {
		r := c & t.idxMask
		if r < t.used {
			if hasPrefetch {
				a = t.entryAddrs(a, Ref(r))
			} else {
				x += t.touchEntry(Ref(r))
			}
		}
	}
	prefetch(a)
	t.sink += x
}

// LookupBatch looks up each key (with its hash) in three stages, index
// slots, candidate entries, then comparison, so that the misses of the
// whole burst overlap. refs and results receive one value per key.
func (t *Table) LookupBatch(keys []Key, hashes []uint64, now int64, refs []Ref, results []Result) {
	n := len(keys)
	hashes, refs, results = hashes[:n], refs[:n], results[:n]
	for i := 0; i < n; i += prefetchGroup {
		j := min(n, i+prefetchGroup)
		t.lookupGroup(keys[i:j], hashes[i:j], now, refs[i:j], results[i:j])
	}
}

func (t *Table) lookupGroup(keys []Key, hashes []uint64, now int64, refs []Ref, results []Result) {
	var x uint32
	if hasPrefetch {
		a := t.pf[:len(hashes)]
		slots := uintptr(unsafe.Pointer(&t.slots[0]))
		for i, h := range hashes {
			a[i] = slots + uintptr(uint32(h)&t.mask)*4
		}
		prefetch(a)
	} else {
		for _, h := range hashes {
			x += t.slots[uint32(h)&t.mask]
		}
	}
	a := t.pf[:0]
	for i, h := range hashes {
		// Request the first candidate entry whose tag matches and
		// remember it: the comparison stage starts there instead of
		// walking the probe run again. No candidate before an empty slot
		// is a miss.
		tag := uint32(h>>56) << refBits
		refs[i] = NoRef
		for j := uint32(h) & t.mask; ; j = (j + 1) & t.mask {
			s := t.slots[j]
			if s == 0 {
				break
			}
			if s&tagMask == tag {
				r := Ref(s&refMask - 1)
				if hasPrefetch {
					a = t.entryAddrs(a, r)
				} else {
					x += t.touchEntry(r)
				}
				refs[i] = r
				break
			}
		}
	}
	prefetch(a)
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
