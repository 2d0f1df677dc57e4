package flow

import (
	"errors"
	"fmt"
	"math/bits"
	"time"
)

// MaxCapacity is the largest Config.Capacity New accepts (16777215 flows):
// entry references are 24 bits in the index and the cookie keeps at least
// 8 generation bits. It is the limit configuration layers validate flow
// capacities against, before any memory or device is set up; New refuses
// more with an error naming the range.
const MaxCapacity = 1<<24 - 1

// Errors returned by Insert.
var (
	ErrFull   = errors.New("flow: table full")
	ErrExists = errors.New("flow: flow already in table")
)

// Ref names an entry of a Table (its position in the entry array).
type Ref uint32

// NoRef is the Ref returned with a miss.
const NoRef Ref = ^Ref(0)

// Result is the outcome of a lookup.
type Result uint8

const (
	// Miss: no entry for the key.
	Miss Result = iota
	// Hit: a live entry that is within its idle timeout.
	Hit
	// Expired: an entry past its idle timeout that Expire has not
	// reclaimed yet. It is still in the table; the engine decides whether
	// the packet may start a new flow (Delete, then Insert) or is dropped.
	Expired
)

func (r Result) String() string {
	switch r {
	case Miss:
		return "miss"
	case Hit:
		return "hit"
	case Expired:
		return "expired"
	}
	return fmt.Sprintf("Result(%d)", uint8(r))
}

// Config sizes and parameterises a Table.
type Config struct {
	// Capacity is the maximum number of flows, 1..MaxCapacity.
	Capacity int
	// Seed keys the flow hash; every node serving the same targets must
	// use the same seed.
	Seed uint64
	// TCPIdleTimeout is the listener's tcp.idle_timeout.seconds
	// (0: DefaultTCPIdleTimeout).
	TCPIdleTimeout time.Duration
	// GoHeap allocates the arrays on the Go heap instead of mmap (for
	// platforms without mmap and for comparison).
	GoHeap bool
	// Worker is the id of the worker that owns the table, 0..Workers-1,
	// and Workers the number of workers of the node (0 or 1: one): the
	// table's cookies carry Worker (see CookieLayout), and Capacity is at
	// most MaxCapacityFor(Workers).
	Worker, Workers int
}

// Stats are the table's own counters.
type Stats struct {
	Inserts  uint64 // flows created
	Full     uint64 // inserts refused because the table was full
	Expired  uint64 // flows reclaimed by Expire or by a full Insert
	Deletes  uint64 // flows removed by Delete
	Capacity int
	Live     int
}

// Table is a fixed-capacity flow table (see the package documentation).
type Table struct {
	slots   []uint32 // 0: empty; else tag<<24 | (ref+1)
	mask    uint32
	entries []Entry

	hasher   Hasher
	idxBits  uint32
	idxMask  uint32
	genMask  uint16
	live     int
	byTarget []uint32 // live flows per Entry.Target value (SetTarget keeps it)
	used     uint32   // entries [0, used) have been handed out at least once
	free     []uint32 // ring (FIFO) of freed entries: reuse the oldest first
	freeHead uint32   // position of the oldest freed entry in free
	freeLen  uint32   // number of freed entries in free
	cursor   uint32   // next entry Expire examines
	timeout  [numClasses]uint32

	stats Stats
	sink  uint32                              // keeps touch loads alive (no prefetch instruction)
	pf    [prefetchGroup * entryLines]uintptr // a batch's prefetch addresses
	big   bool                                // entries exceed the caches: touch ahead in Expire

	release func() // unmaps the arrays

	// cookieFixed holds the worker id in the cookie's top bits; cookieFree
	// masks the bits that vary (entry reference and generation).
	cookieFixed, cookieFree uint32
	worker                  int
}

const (
	refBits = 24
	refMask = 1<<refBits - 1
	tagMask = ^uint32(refMask)
)

// New allocates a table for cfg.Capacity flows.
func New(cfg Config) (*Table, error) {
	if cfg.Capacity < 1 || cfg.Capacity > MaxCapacity {
		return nil, fmt.Errorf("flow: capacity %d out of range: use 1..%d", cfg.Capacity, MaxCapacity)
	}
	if cfg.TCPIdleTimeout == 0 {
		cfg.TCPIdleTimeout = DefaultTCPIdleTimeout
	}
	if err := checkWorker(&cfg); err != nil {
		return nil, err
	}
	t := &Table{hasher: NewHasher(cfg.Seed)}
	if err := t.SetTCPIdleTimeout(cfg.TCPIdleTimeout); err != nil {
		return nil, err
	}
	t.timeout[ClassOther] = uint32(OtherIdleTimeout / time.Second)

	nslots := 1 << bits.Len(uint(2*cfg.Capacity-1)) // power of two >= 2*capacity
	t.mask = uint32(nslots - 1)
	t.setCookieLayout(&cfg)

	if err := t.alloc(nslots, cfg.Capacity, cfg.GoHeap); err != nil {
		return nil, err
	}
	t.byTarget = make([]uint32, 1<<16)
	t.stats.Capacity = cfg.Capacity
	t.big = cfg.Capacity*EntrySize > 16<<20
	return t, nil
}

// Close releases the table's memory. The table must not be used afterwards.
func (t *Table) Close() {
	if t.release != nil {
		t.release()
		t.release = nil
	}
	t.slots, t.entries, t.free, t.byTarget = nil, nil, nil, nil
}

// Hash returns the flow hash of k under the table's seed.
func (t *Table) Hash(k *Key) uint64 { return t.hasher.Hash(k) }

// Len returns the number of live flows.
func (t *Table) Len() int { return t.live }

// Cap returns the table's capacity.
func (t *Table) Cap() int { return len(t.entries) }

// Stats returns the table's counters.
func (t *Table) Stats() Stats {
	s := t.stats
	s.Live = t.live
	return s
}

// IndexBits is the number of cookie bits that hold the entry reference;
// the remaining bits (at most 15) hold the generation.
func (t *Table) IndexBits() int { return int(t.idxBits) }

// Entry returns the entry r names. r must come from this table.
func (t *Table) Entry(r Ref) *Entry { return &t.entries[r] }

// Lookup finds the flow of k, whose hash is hash, at time now (monotonic ns).
// hash must be t.Hash(k) (or from HashBatch), as for Insert.
func (t *Table) Lookup(k *Key, hash uint64, now int64) (Ref, Result) {
	tag := uint32(hash>>56) << refBits
	kw := k.words()
	for i := uint32(hash) & t.mask; ; i = (i + 1) & t.mask {
		s := t.slots[i]
		if s == 0 {
			return NoRef, Miss
		}
		if s&tagMask != tag {
			continue
		}
		r := Ref(s&refMask - 1)
		e := &t.entries[r]
		if sameKey(e.Key.words(), kw) {
			if t.expired(e, Seconds(now)) {
				return r, Expired
			}
			return r, Hit
		}
	}
}

// Insert creates a flow for k, whose hash must be t.Hash(k) (deletion
// recomputes it), at time now. The new entry has the default
// timeout class for its protocol, zero counters and orientation LoToHi;
// the caller fills in target, ports, Ethernet addresses and initiator.
// It fails with ErrExists (returning the existing entry) if k is present,
// and with ErrFull if every entry holds a live, unexpired flow.
func (t *Table) Insert(k *Key, hash uint64, now int64) (Ref, error) {
	i, r, found := t.probe(k, hash)
	if found {
		return r, ErrExists
	}
	if t.freeLen == 0 && int(t.used) == len(t.entries) {
		// Reclaim idle flows before refusing; never evict live ones.
		if t.Expire(now, fullReclaimBudget) == 0 {
			t.stats.Full++
			return NoRef, ErrFull
		}
		// Reclaiming shifted index slots: find the free slot again.
		i, _, _ = t.probe(k, hash)
	}
	tag := uint32(hash>>56) << refBits
	if t.freeLen != 0 {
		r = Ref(t.free[t.freeHead])
		t.freeHead++
		if int(t.freeHead) == len(t.free) {
			t.freeHead = 0
		}
		t.freeLen--
		if t.freeLen > insertLookahead {
			// Request the entry a later Insert will take, so its cache
			// miss overlaps with this one's work.
			ahead := t.freeHead + insertLookahead
			if int(ahead) >= len(t.free) {
				ahead -= uint32(len(t.free))
			}
			t.prefetchEntry(Ref(t.free[ahead]))
		}
	} else {
		r = Ref(t.used)
		t.used++
	}
	e := &t.entries[r]
	gen := (e.gen + 1) & t.genMask
	if gen == 0 {
		gen = 1
	}
	sec := Seconds(now)
	class := ClassOther
	if k.Proto == ProtoTCP {
		class = ClassTCP
	}
	*e = Entry{Key: *k, Created: sec, LastSeen: sec, Class: class, gen: genLive | gen}
	t.slots[i] = tag | uint32(r+1)
	t.live++
	t.byTarget[0]++
	t.stats.Inserts++
	return r, nil
}

// insertLookahead is how many allocations ahead Insert touches the entry
// it will hand out.
const insertLookahead = 8

// probe returns k's index slot if present (found), else the empty slot
// that ends its probe run.
func (t *Table) probe(k *Key, hash uint64) (slot uint32, r Ref, found bool) {
	tag := uint32(hash>>56) << refBits
	kw := k.words()
	i := uint32(hash) & t.mask
	for ; ; i = (i + 1) & t.mask {
		s := t.slots[i]
		if s == 0 {
			return i, NoRef, false
		}
		if s&tagMask == tag {
			r := Ref(s&refMask - 1)
			if sameKey(t.entries[r].Key.words(), kw) {
				return i, r, true
			}
		}
	}
}

// Cookie returns the flow cookie of the live entry r.
func (t *Table) Cookie(r Ref) uint32 {
	return t.cookieFixed | uint32(t.entries[r].gen&^genLive)<<t.idxBits | uint32(r)
}

// ByCookie finds the live flow a cookie names. A cookie of a freed or
// reused entry, or one that names no entry, does not match.
func (t *Table) ByCookie(c uint32) (Ref, bool) {
	r := c & t.idxMask
	if r >= t.used || c&^t.cookieFree != t.cookieFixed {
		return NoRef, false
	}
	if uint32(t.entries[r].gen) != genLive|(c&t.cookieFree)>>t.idxBits {
		return NoRef, false
	}
	return Ref(r), true
}

// Delete removes the live flow r from the table.
func (t *Table) Delete(r Ref) {
	e := &t.entries[r]
	if !e.Live() {
		panic("flow: Delete of a free entry")
	}
	t.unlink(r, e, t.hasher.Hash(&e.Key))
	t.stats.Deletes++
}

// unlink removes live entry r, whose key hashes to h, from the index and
// frees it.
func (t *Table) unlink(r Ref, e *Entry, h uint64) {
	want := uint32(r + 1)
	i := uint32(h) & t.mask
	for t.slots[i]&refMask != want {
		if t.slots[i] == 0 {
			panic("flow: live entry missing from the index")
		}
		i = (i + 1) & t.mask
	}
	// Backward-shift deletion: move later members of the probe run into
	// the hole when their home position allows it.
	for j := (i + 1) & t.mask; ; j = (j + 1) & t.mask {
		s := t.slots[j]
		if s == 0 {
			break
		}
		home := uint32(t.hasher.Hash(&t.entries[s&refMask-1].Key)) & t.mask
		// s may move to i if its home is not cyclically within (i, j].
		if (j-home)&t.mask >= (j-i)&t.mask {
			t.slots[i] = s
			i = j
		}
	}
	t.slots[i] = 0

	e.flags = 0
	e.gen &^= genLive
	t.byTarget[e.Target]--
	tail := t.freeHead + t.freeLen
	if int(tail) >= len(t.free) {
		tail -= uint32(len(t.free))
	}
	t.free[tail] = uint32(r)
	t.freeLen++
	t.live--
}

// SetTarget gives live flow r the target at index target (a new flow has
// target 0 until then). Flows per target are counted (TargetFlows), so
// Entry.Target must only change through SetTarget.
func (t *Table) SetTarget(r Ref, target uint16) {
	e := &t.entries[r]
	t.byTarget[e.Target]--
	t.byTarget[target]++
	e.Target = target
}

// TargetFlows returns the number of live flows (expired ones not yet
// reclaimed included) whose target is at index target.
func (t *Table) TargetFlows(target uint16) int { return int(t.byTarget[target]) }

// Slots is the number of entries handed out so far: every live flow's Ref
// is below it, and listings walk [0, Slots()).
func (t *Table) Slots() int { return int(t.used) }

// Floor selects, for CopyLive, the live entries whose count in both
// directions is above Min: bytes (FloorBytes) or packets (FloorPackets).
// The zero Floor selects every live entry.
type Floor struct {
	Of  FloorOf
	Min uint64
}

// FloorOf is the count a Floor compares.
type FloorOf uint8

const (
	FloorNone FloorOf = iota
	FloorBytes
	FloorPackets
)

// below reports whether e fails floor f.
func (f Floor) below(e *Entry) bool {
	switch f.Of {
	case FloorBytes:
		return e.Bytes[0]+e.Bytes[1] <= f.Min
	case FloorPackets:
		return e.Packets[0]+e.Packets[1] <= f.Min
	}
	return false
}

// CopyLive examines the entries from Ref from on, at most len(dst) of them
// and stopping at Slots(), and copies into dst those live and not below
// floor, each one's cookie into cookies and its distance from from into
// offs (both as long as dst; at most 65536 entries are examined, the
// range of an offset). It returns how many it copied and how many it
// examined. It is the listings' copy, made on the table's goroutine and
// read elsewhere; the zero Floor copies every live entry, and a top-N
// listing passes the N-th best count so far: the entries that cannot
// enter it are read but not copied.
func (t *Table) CopyLive(from Ref, floor Floor, dst []Entry, cookies []uint32, offs []uint16) (copied, examined int) {
	if uint32(from) >= t.used {
		return 0, 0
	}
	src := t.entries[from:min(t.used, uint32(from)+uint32(min(len(dst), 1<<16)))]
	cookies, offs = cookies[:len(dst)], offs[:len(dst)]
	for i := range src {
		e := &src[i]
		if !e.Live() || floor.below(e) {
			continue
		}
		dst[copied] = *e
		cookies[copied] = t.Cookie(from + Ref(i))
		offs[copied] = uint16(i)
		copied++
	}
	return copied, len(src)
}

// Range calls fn for each live flow, in entry order, until fn returns
// false. It must run on the goroutine that owns the table.
func (t *Table) Range(fn func(r Ref, e *Entry) bool) {
	for r := uint32(0); r < t.used; r++ {
		e := &t.entries[r]
		if e.Live() && !fn(Ref(r), e) {
			return
		}
	}
}
