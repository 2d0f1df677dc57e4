package flow

import (
	"errors"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"time"
	"unsafe"
)

const pinnedHash = 0x55594358d2d2e791

const sec = int64(time.Second)

func v4(a, b, c, d byte) [16]byte { return V4Mapped([4]byte{a, b, c, d}) }

func newTable(t testing.TB, capacity int) *Table {
	t.Helper()
	tb, err := New(Config{Capacity: capacity, Seed: 42})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tb.Close)
	return tb
}

func TestEntrySize(t *testing.T) {
	if EntrySize != 112 || KeySize != 48 {
		t.Fatalf("EntrySize=%d KeySize=%d, want 112 and 48", EntrySize, KeySize)
	}
	t.Logf("entry_bytes=%d", EntrySize) // make bench prints it
}

func TestInsertLookupDelete(t *testing.T) {
	tb := newTable(t, 8)
	k, _ := NewKey(7, FiveTuple, v4(10, 0, 0, 1), v4(10, 0, 0, 2), 1000, 80, ProtoTCP, false)
	h := tb.Hash(&k)
	if _, res := tb.Lookup(&k, h, 0); res != Miss {
		t.Fatalf("lookup in empty table: %v", res)
	}
	r, err := tb.Insert(&k, h, 5*sec)
	if err != nil {
		t.Fatal(err)
	}
	if r2, err := tb.Insert(&k, h, 5*sec); !errors.Is(err, ErrExists) || r2 != r {
		t.Fatalf("second insert: %v %v", r2, err)
	}
	if r2, res := tb.Lookup(&k, h, 6*sec); res != Hit || r2 != r {
		t.Fatalf("lookup: %v %v", r2, res)
	}
	c := tb.Cookie(r)
	if r2, ok := tb.ByCookie(c); !ok || r2 != r {
		t.Fatalf("ByCookie(%#x) = %v %v", c, r2, ok)
	}
	tb.Delete(r)
	if _, res := tb.Lookup(&k, h, 6*sec); res != Miss {
		t.Fatalf("lookup after delete: %v", res)
	}
	if _, ok := tb.ByCookie(c); ok {
		t.Fatal("cookie of a deleted flow matches")
	}
}

func randKey(rng *rand.Rand, v6 bool) (src, dst [16]byte, sp, dp uint16) {
	if v6 {
		for i := range src {
			src[i], dst[i] = byte(rng.IntN(256)), byte(rng.IntN(256))
		}
	} else {
		src = v4(10, byte(rng.IntN(4)), byte(rng.IntN(256)), byte(rng.IntN(256)))
		dst = v4(10, byte(rng.IntN(4)), byte(rng.IntN(256)), byte(rng.IntN(256)))
	}
	return src, dst, uint16(rng.IntN(65536)), uint16(rng.IntN(65536))
}

func TestKeySymmetry(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	h := NewHasher(99)
	protos := []uint8{ProtoTCP, ProtoUDP, 1, 58, 47, 132}
	for _, mode := range []Stickiness{FiveTuple, ThreeTuple, TwoTuple} {
		for i := 0; i < 20000; i++ {
			src, dst, sp, dp := randKey(rng, i%2 == 0)
			if i%97 == 0 {
				dst = src // same address both ways: ports decide
			}
			proto := protos[rng.IntN(len(protos))]
			frag := rng.IntN(8) == 0
			ep := rng.Uint64()
			fwd, of := NewKey(ep, mode, src, dst, sp, dp, proto, frag)
			rev, or := NewKey(ep, mode, dst, src, dp, sp, proto, frag)
			if fwd != rev {
				t.Fatalf("%v: key(A->B)=%+v != key(B->A)=%+v", mode, fwd, rev)
			}
			if h.Hash(&fwd) != h.Hash(&rev) {
				t.Fatalf("%v: hashes differ", mode)
			}
			if of == or && !(src == dst && sp == dp) && fwd.Tuple == 5 {
				t.Fatalf("%v: both directions oriented %v", mode, of)
			}
			// The orientation names the packet's real source.
			if s, p := fwd.Src(of); s != src || (fwd.Tuple == 5 && p != sp) {
				t.Fatalf("%v: Src(%v) = %v:%d, want %v:%d", mode, of, s, p, src, sp)
			}
			if d, _ := rev.Src(or); d != dst {
				t.Fatalf("%v: reverse Src wrong", mode)
			}
			want := uint8(5)
			switch {
			case mode == TwoTuple:
				want = 2
			case mode == ThreeTuple || frag || (proto != ProtoTCP && proto != ProtoUDP):
				want = 3
			}
			if fwd.Tuple != want {
				t.Fatalf("%v proto %d frag %v: tuple %d, want %d", mode, proto, frag, fwd.Tuple, want)
			}
			if want < 5 && (fwd.LoPort != 0 || fwd.HiPort != 0) {
				t.Fatalf("%v: ports kept in a %d-tuple key", mode, want)
			}
			if want == 2 && fwd.Proto != 0 {
				t.Fatalf("2-tuple key keeps the protocol")
			}
			if fwd.Endpoint != ep {
				t.Fatal("endpoint lost")
			}
		}
	}
}

func TestKeyEndpointAndFragments(t *testing.T) {
	a, b := v4(192, 168, 0, 1), v4(192, 168, 0, 2)
	k1, _ := NewKey(1, FiveTuple, a, b, 1, 2, ProtoUDP, false)
	k2, _ := NewKey(2, FiveTuple, a, b, 1, 2, ProtoUDP, false)
	if k1 == k2 {
		t.Fatal("same tuple on two endpoints gives one key")
	}
	// All fragments of a datagram share a key whatever ports the first
	// fragment carried, in both directions.
	first, _ := NewKey(1, FiveTuple, a, b, 5000, 53, ProtoUDP, true)
	later, _ := NewKey(1, FiveTuple, a, b, 0, 0, ProtoUDP, true)
	back, _ := NewKey(1, FiveTuple, b, a, 0, 0, ProtoUDP, true)
	if first != later || first != back {
		t.Fatalf("fragment keys differ: %+v %+v %+v", first, later, back)
	}
	// With 3-tuple stickiness, fragments share the flow of whole packets.
	whole, _ := NewKey(1, ThreeTuple, a, b, 5000, 53, ProtoUDP, false)
	frag, _ := NewKey(1, ThreeTuple, a, b, 0, 0, ProtoUDP, true)
	if whole != frag {
		t.Fatal("3-tuple: fragment and whole packet keys differ")
	}
}

func TestHashSeed(t *testing.T) {
	k, _ := NewKey(1, FiveTuple, v4(1, 2, 3, 4), v4(5, 6, 7, 8), 1, 2, ProtoTCP, false)
	h1, h2, h3 := NewHasher(1), NewHasher(1), NewHasher(2)
	if h1.Hash(&k) != h2.Hash(&k) {
		t.Fatal("same seed, different hash")
	}
	if h1.Hash(&k) == h3.Hash(&k) {
		t.Fatal("different seeds, same hash")
	}
	// Pinned value: the hash must not change between releases, or nodes
	// running different versions would disagree on targets.
	if h0 := NewHasher(0); h0.Hash(&k) != pinnedHash {
		t.Fatalf("hash of the reference key changed: %#x", h0.Hash(&k))
	}
}

func TestFillToCapacityAndFull(t *testing.T) {
	const n = 1000
	tb := newTable(t, n)
	rng := rand.New(rand.NewPCG(3, 4))
	keys := make([]Key, 0, n)
	refs := map[Ref]bool{}
	for len(keys) < n {
		src, dst, sp, dp := randKey(rng, false)
		k, _ := NewKey(1, FiveTuple, src, dst, sp, dp, ProtoTCP, false)
		r, err := tb.Insert(&k, tb.Hash(&k), 10*sec)
		if errors.Is(err, ErrExists) {
			continue
		}
		if err != nil {
			t.Fatalf("insert %d: %v", len(keys), err)
		}
		if refs[r] {
			t.Fatalf("ref %d handed out twice", r)
		}
		refs[r] = true
		keys = append(keys, k)
	}
	if tb.Len() != n {
		t.Fatalf("Len = %d", tb.Len())
	}
	k, _ := NewKey(2, FiveTuple, v4(1, 1, 1, 1), v4(2, 2, 2, 2), 1, 2, ProtoTCP, false)
	// Full of live flows: a new flow is refused, nothing is evicted, even
	// one second before the flows would time out.
	if _, err := tb.Insert(&k, tb.Hash(&k), 10*sec+349*sec); !errors.Is(err, ErrFull) {
		t.Fatalf("insert into full table: %v", err)
	}
	if tb.Stats().Full != 1 || tb.Len() != n {
		t.Fatalf("stats after refusal: %+v", tb.Stats())
	}
	for i := range keys {
		if _, res := tb.Lookup(&keys[i], tb.Hash(&keys[i]), 11*sec); res != Hit {
			t.Fatalf("flow %d lost: %v", i, res)
		}
	}
	// Once the flows are idle past the TCP timeout, a full insert reclaims
	// expired flows and succeeds.
	if _, err := tb.Insert(&k, tb.Hash(&k), 10*sec+351*sec); err != nil {
		t.Fatalf("insert after timeout: %v", err)
	}
}

func TestExpireIdle(t *testing.T) {
	tb := newTable(t, 64)
	mk := func(i int, proto uint8) Key {
		k, _ := NewKey(1, FiveTuple, v4(10, 0, 0, byte(i)), v4(10, 0, 1, 1), 1000, 443, proto, false)
		return k
	}
	var tcp, udp [8]Key
	for i := range tcp {
		tcp[i], udp[i] = mk(i, ProtoTCP), mk(i, ProtoUDP)
		if _, err := tb.Insert(&tcp[i], tb.Hash(&tcp[i]), 0); err != nil {
			t.Fatal(err)
		}
		if _, err := tb.Insert(&udp[i], tb.Hash(&udp[i]), 0); err != nil {
			t.Fatal(err)
		}
	}
	// Keep tcp[0] alive with traffic.
	r0, _ := tb.Lookup(&tcp[0], tb.Hash(&tcp[0]), 0)
	tb.Entry(r0).Touch(Original, 100, 300*sec)
	if got := tb.Expire(119*sec, 1000); got != 0 {
		t.Fatalf("expired %d flows before any timeout", got)
	}
	// Past 120 s the UDP flows are expired for Lookup even before Expire.
	if _, res := tb.Lookup(&udp[1], tb.Hash(&udp[1]), 121*sec); res != Expired {
		t.Fatalf("udp lookup at 121 s: %v", res)
	}
	if _, res := tb.Lookup(&tcp[1], tb.Hash(&tcp[1]), 121*sec); res != Hit {
		t.Fatalf("tcp lookup at 121 s: %v", res)
	}
	// Budget bounds the work: 4 entries examined per call.
	total := 0
	for i := 0; i < 4; i++ {
		n := tb.Expire(121*sec, 4)
		if n > 4 {
			t.Fatalf("reclaimed %d with budget 4", n)
		}
		total += n
	}
	if total != 8 || tb.Len() != 8 {
		t.Fatalf("reclaimed %d, %d left; want 8, 8", total, tb.Len())
	}
	if got := tb.Expire(351*sec, 1000); got != 7 {
		t.Fatalf("TCP expiry at 351 s reclaimed %d, want 7", got)
	}
	if _, res := tb.Lookup(&tcp[0], tb.Hash(&tcp[0]), 351*sec); res != Hit {
		t.Fatalf("active flow: %v", res)
	}
	// A configured TCP timeout applies to existing flows.
	if err := tb.SetTCPIdleTimeout(60 * time.Second); err != nil {
		t.Fatal(err)
	}
	if _, res := tb.Lookup(&tcp[0], tb.Hash(&tcp[0]), 361*sec); res != Expired {
		t.Fatalf("after lowering the timeout: %v", res)
	}
	for _, d := range []time.Duration{59 * time.Second, 6001 * time.Second, 1500 * time.Millisecond} {
		if tb.SetTCPIdleTimeout(d) == nil {
			t.Errorf("SetTCPIdleTimeout(%v) accepted", d)
		}
	}
}

func TestStaleCookieAfterReuse(t *testing.T) {
	tb := newTable(t, 1) // one entry: every insert reuses it
	seen := map[uint32]bool{}
	var prev uint32
	for i := 0; i < 5000; i++ {
		k, _ := NewKey(uint64(i), FiveTuple, v4(1, 1, 1, 1), v4(2, 2, 2, 2), 1, 2, ProtoUDP, false)
		r, err := tb.Insert(&k, tb.Hash(&k), 0)
		if err != nil {
			t.Fatal(err)
		}
		c := tb.Cookie(r)
		if c == 0 {
			t.Fatal("cookie 0 issued")
		}
		if i > 0 {
			// 15 generation bits: no wrap within 5000 reuses.
			if _, ok := tb.ByCookie(prev); ok {
				t.Fatalf("stale cookie %#x matched after reuse %d", prev, i)
			}
		}
		if got, ok := tb.ByCookie(c); !ok || got != r {
			t.Fatal("live cookie rejected")
		}
		seen[c] = true
		prev = c
		tb.Delete(r)
		if _, ok := tb.ByCookie(c); ok {
			t.Fatal("cookie of a freed entry matched")
		}
	}
	if _, ok := tb.ByCookie(0); ok {
		t.Fatal("cookie 0 matched")
	}
}

func TestCookieGenerationBits(t *testing.T) {
	for _, c := range []struct{ capacity, idx int }{{1, 1}, {2, 1}, {1000, 10}, {1 << 20, 20}, {1<<20 + 1, 21}} {
		tb, err := New(Config{Capacity: c.capacity, GoHeap: true})
		if err != nil {
			t.Fatal(err)
		}
		if tb.IndexBits() != c.idx {
			t.Errorf("capacity %d: %d index bits, want %d", c.capacity, tb.IndexBits(), c.idx)
		}
	}
	if _, err := New(Config{Capacity: MaxCapacity + 1}); err == nil {
		t.Error("capacity above MaxCapacity accepted")
	}
	if _, err := New(Config{Capacity: 0}); err == nil {
		t.Error("capacity 0 accepted")
	}
}

// TestCookieReuseSpread checks that freed entries are reused in FIFO order,
// so a stale cookie stays rejected for as long as possible.
func TestCookieReuseSpread(t *testing.T) {
	tb := newTable(t, 16)
	var ks [16]Key
	var cookies [16]uint32
	for i := range ks {
		ks[i], _ = NewKey(uint64(i), FiveTuple, v4(1, 1, 1, 1), v4(2, 2, 2, 2), 1, 2, ProtoUDP, false)
		r, _ := tb.Insert(&ks[i], tb.Hash(&ks[i]), 0)
		cookies[i] = tb.Cookie(r)
	}
	for i := range ks {
		r, _ := tb.Lookup(&ks[i], tb.Hash(&ks[i]), 0)
		tb.Delete(r)
	}
	k, _ := NewKey(99, FiveTuple, v4(1, 1, 1, 1), v4(2, 2, 2, 2), 1, 2, ProtoUDP, false)
	r, _ := tb.Insert(&k, tb.Hash(&k), 0)
	if r != 0 {
		t.Fatalf("reused entry %d, want the first freed (0)", r)
	}
	for _, c := range cookies {
		if _, ok := tb.ByCookie(c); ok {
			t.Fatalf("old cookie %#x matched", c)
		}
	}
}

// TestModel runs random operations against the table and a map model.
func TestModel(t *testing.T) {
	for _, capacity := range []int{1, 7, 64, 1000} {
		runModel(t, capacity, rand.New(rand.NewPCG(uint64(capacity), 7)), 20000)
	}
}

type modelFlow struct {
	ref    Ref
	cookie uint32
	last   int64
	proto  uint8
}

func runModel(t testing.TB, capacity int, rng *rand.Rand, steps int) {
	tb, err := New(Config{Capacity: capacity, Seed: rng.Uint64()})
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Close()
	// A small key space so that operations collide often.
	space := 3 * capacity
	keyOf := func(i int) Key {
		proto := uint8(ProtoTCP)
		if i%3 == 0 {
			proto = ProtoUDP
		}
		k, _ := NewKey(uint64(i%5), FiveTuple, v4(10, 0, byte(i>>8), byte(i)), v4(10, 1, 0, 1), uint16(i), 80, proto, false)
		return k
	}
	model := map[Key]*modelFlow{}
	var stale []uint32
	now := int64(0)
	for step := 0; step < steps; step++ {
		k := keyOf(rng.IntN(space))
		h := tb.Hash(&k)
		switch op := rng.IntN(10); {
		case op < 4: // insert
			r, err := tb.Insert(&k, h, now)
			mf := model[k]
			switch {
			case mf != nil:
				if !errors.Is(err, ErrExists) || r != mf.ref {
					t.Fatalf("step %d: insert of present key: %v %v", step, r, err)
				}
			case errors.Is(err, ErrFull):
				// Allowed only when every entry holds a flow (idle flows
				// not yet reached by the reclaim budget count).
				if len(model) != capacity {
					t.Fatalf("step %d: ErrFull with %d of %d", step, len(model), capacity)
				}
			case err != nil:
				t.Fatalf("step %d: insert: %v", step, err)
			default:
				model[k] = &modelFlow{ref: r, cookie: tb.Cookie(r), last: now, proto: k.Proto}
			}
			// Insert may have reclaimed expired flows to make room.
			syncExpired(t, tb, model, &stale, now)
		case op < 7: // lookup and touch
			r, res := tb.Lookup(&k, h, now)
			mf := model[k]
			switch {
			case mf == nil:
				if res != Miss {
					t.Fatalf("step %d: lookup of absent key: %v", step, res)
				}
			case now-mf.last > timeoutOf(tb, mf.proto):
				if res != Expired || r != mf.ref {
					t.Fatalf("step %d: lookup of idle flow: %v", step, res)
				}
			default:
				if res != Hit || r != mf.ref {
					t.Fatalf("step %d: lookup: %v %v, want hit %v", step, r, res, mf.ref)
				}
				tb.Entry(r).Touch(Original, 64, now)
				mf.last = now
			}
		case op < 8: // delete
			if mf := model[k]; mf != nil {
				tb.Delete(mf.ref)
				stale = append(stale, mf.cookie)
				delete(model, k)
			}
		case op < 9: // expire
			tb.Expire(now, rng.IntN(capacity+1))
			syncExpired(t, tb, model, &stale, now)
		default: // time passes
			now += int64(rng.IntN(200)) * sec
		}
		if tb.Len() != len(model) {
			t.Fatalf("step %d: Len %d, model %d", step, tb.Len(), len(model))
		}
		for _, mf := range model {
			if r, ok := tb.ByCookie(mf.cookie); !ok || r != mf.ref {
				t.Fatalf("step %d: live cookie rejected", step)
			}
		}
		for _, c := range stale {
			if r, ok := tb.ByCookie(c); ok && !liveCookie(model, c) {
				t.Fatalf("step %d: stale cookie %#x matched entry %d", step, c, r)
			}
		}
		if len(stale) > 64 {
			stale = stale[len(stale)-64:]
		}
	}
	// Every model key is found, every other key is not.
	for i := 0; i < space; i++ {
		k := keyOf(i)
		_, res := tb.Lookup(&k, tb.Hash(&k), now)
		if (res == Miss) != (model[k] == nil) {
			t.Fatalf("final: key %d: %v, in model %v", i, res, model[k] != nil)
		}
	}
}

func liveCookie(model map[Key]*modelFlow, c uint32) bool {
	for _, f := range model {
		if f.cookie == c {
			return true
		}
	}
	return false
}

func timeoutOf(tb *Table, proto uint8) int64 {
	if proto == ProtoTCP {
		return int64(tb.Timeout(ClassTCP))
	}
	return int64(tb.Timeout(ClassOther))
}

// syncExpired drops from the model the flows the table reclaimed, checking
// that only expired flows went.
func syncExpired(t testing.TB, tb *Table, model map[Key]*modelFlow, stale *[]uint32, now int64) {
	for k, mf := range model {
		if _, ok := tb.ByCookie(mf.cookie); ok {
			continue
		}
		if now-mf.last <= timeoutOf(tb, mf.proto) {
			t.Fatalf("live flow reclaimed (idle %ds)", (now-mf.last)/sec)
		}
		*stale = append(*stale, mf.cookie)
		delete(model, k)
	}
}

// TestOutsideGoHeap: a mapped table does not grow the Go heap, so the
// garbage collector neither scans it nor counts it towards its target.
func TestOutsideGoHeap(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	tb := newTable(t, 1<<20)
	for i := 0; i < 100000; i++ {
		k, _ := NewKey(uint64(i), FiveTuple, v4(10, 0, byte(i>>8), byte(i)), v4(10, 1, 0, 1), 1, 2, ProtoTCP, false)
		if _, err := tb.Insert(&k, tb.Hash(&k), 0); err != nil {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > 1<<20 {
		t.Fatalf("Go heap grew by %d bytes for a mapped table", grew)
	}
	if tb.Len() != 100000 {
		t.Fatal("flows lost")
	}
}

func TestEntryLayout(t *testing.T) {
	var e Entry
	if off := unsafe.Offsetof(e.gen) + 2; off > 64 {
		t.Fatalf("key, last-seen, flags, class, target, ports and generation end at byte %d, beyond the first 64 bytes", off)
	}
	if EntrySize != 112 {
		t.Fatalf("EntrySize = %d, the package documentation says 112", EntrySize)
	}
}

func TestCheckTCPIdleTimeout(t *testing.T) {
	for _, d := range []time.Duration{MinTCPIdleTimeout, DefaultTCPIdleTimeout, MaxTCPIdleTimeout} {
		if err := CheckTCPIdleTimeout(d); err != nil {
			t.Errorf("CheckTCPIdleTimeout(%v): %v", d, err)
		}
	}
	for _, d := range []time.Duration{0, MinTCPIdleTimeout - time.Second, MaxTCPIdleTimeout + time.Second, 90*time.Second + time.Millisecond} {
		err := CheckTCPIdleTimeout(d)
		if err == nil || !strings.Contains(err.Error(), "from 60 to 6000") {
			t.Errorf("CheckTCPIdleTimeout(%v) = %v, want an error naming the range", d, err)
		}
	}
}
