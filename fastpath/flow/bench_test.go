package flow

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/gwlbctl/gwlbctl/fastpath/internal/cputime"
)

// benchKeys returns n distinct 5-tuple keys in random order.
func benchKeys(n int, seed uint64) []Key {
	rng := rand.New(rand.NewPCG(seed, 1))
	keys := make([]Key, n)
	for i := range keys {
		// Distinct by construction: i spreads over address and port.
		src := v4(10, byte(i>>24), byte(i>>16), byte(i>>8))
		dst := v4(172, 16, byte(rng.IntN(256)), byte(rng.IntN(256)))
		keys[i], _ = NewKey(uint64(1+i%4), FiveTuple, src, dst, uint16(1024+i&0xff), 443, ProtoTCP, false)
	}
	rng.Shuffle(n, func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
	return keys
}

func filledTable(b *testing.B, n int, keys []Key) *Table {
	tb, err := New(Config{Capacity: n, Seed: 7})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(tb.Close)
	for i := range keys {
		if _, err := tb.Insert(&keys[i], tb.Hash(&keys[i]), 0); err != nil {
			b.Fatal(err)
		}
	}
	return tb
}

var sizes = []struct {
	name string
	n    int
}{{"4k", 4096}, {"1M", 1 << 20}}

func BenchmarkNewKeyHash(b *testing.B) {
	h := NewHasher(1)
	src, dst := v4(10, 0, 0, 1), v4(10, 0, 0, 2)
	b.ReportAllocs()
	var x uint64
	for i := 0; b.Loop(); i++ {
		k, _ := NewKey(uint64(i), FiveTuple, src, dst, uint16(i), 80, ProtoTCP, false)
		x += h.Hash(&k)
	}
	sinkU64 = x
}

var sinkU64 uint64

// BenchmarkLookupHit: hash + lookup of an established flow, one at a time.
func BenchmarkLookupHit(b *testing.B) {
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			keys := benchKeys(sz.n, 1)
			tb := filledTable(b, sz.n, keys)
			b.ReportAllocs()
			b.ResetTimer()
			defer cputime.PerOp(b)()
			for i := 0; i < b.N; i++ {
				k := &keys[i&(sz.n-1)]
				r, res := tb.Lookup(k, tb.Hash(k), 0)
				if res != Hit {
					b.Fatal("miss")
				}
				tb.Entry(r).Touch(Original, 100, 0)
			}
		})
	}
}

// BenchmarkLookupBatch: bursts of 32 through HashBatch + LookupBatch (the
// staged path the engine uses); ns/op is per packet.
func BenchmarkLookupBatch(b *testing.B) {
	const burst = 32
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			keys := benchKeys(sz.n, 1)
			tb := filledTable(b, sz.n, keys)
			var hashes [burst]uint64
			var refs [burst]Ref
			var res [burst]Result
			b.ReportAllocs()
			b.ResetTimer()
			defer cputime.PerOp(b)()
			for i := 0; i < b.N; i += burst {
				off := i & (sz.n - 1)
				ks := keys[off : off+burst]
				tb.HashBatch(ks, hashes[:])
				tb.LookupBatch(ks, hashes[:], 0, refs[:], res[:])
				for j := range ks {
					if res[j] != Hit {
						b.Fatal("miss")
					}
					tb.Entry(refs[j]).Touch(Original, 100, 0)
				}
			}
		})
	}
}

// BenchmarkByCookie: return-path lookup by cookie, random order.
func BenchmarkByCookie(b *testing.B) {
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			keys := benchKeys(sz.n, 1)
			tb := filledTable(b, sz.n, keys)
			cookies := make([]uint32, sz.n)
			for i := range keys {
				r, _ := tb.Lookup(&keys[i], tb.Hash(&keys[i]), 0)
				cookies[i] = tb.Cookie(r)
			}
			// Entries were allocated in key order: shuffle to visit them randomly.
			rand.New(rand.NewPCG(5, 5)).Shuffle(len(cookies), func(i, j int) { cookies[i], cookies[j] = cookies[j], cookies[i] })
			b.ReportAllocs()
			b.ResetTimer()
			defer cputime.PerOp(b)()
			for i := 0; i < b.N; i++ {
				r, ok := tb.ByCookie(cookies[i&(sz.n-1)])
				if !ok {
					b.Fatal("cookie rejected")
				}
				tb.Entry(r).Touch(Reply, 100, 0)
			}
		})
	}
}

// BenchmarkNewFlow: lookup miss + insert of a new flow, in steady state:
// the clock advances so that each flow goes idle after about n newer flows,
// and Expire (4 entries examined per new flow) reclaims it, so the cost
// includes the flow's eventual reclaim. The table holds n to 2n flows.
func BenchmarkNewFlow(b *testing.B) {
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			keys := benchKeys(4*sz.n, 2)
			tb, err := New(Config{Capacity: 2 * sz.n, Seed: 7})
			if err != nil {
				b.Fatal(err)
			}
			defer tb.Close()
			step := int64(OtherIdleTimeout) / int64(sz.n) // UDP-like flows below
			for i := range keys {
				keys[i].Proto = ProtoUDP
			}
			mask := len(keys) - 1
			now := int64(0)
			insert := func(i int) {
				k := &keys[i&mask]
				h := tb.Hash(k)
				if _, res := tb.Lookup(k, h, now); res != Miss {
					b.Fatalf("flow %d: %v", i, res)
				}
				if _, err := tb.Insert(k, h, now); err != nil {
					b.Fatalf("flow %d: %v (%d live)", i, err, tb.Len())
				}
				tb.Expire(now, 4)
				now += step
			}
			// Warm up to steady state (untimed).
			for i := 0; i < 2*sz.n; i++ {
				insert(i)
			}
			b.ReportAllocs()
			b.ResetTimer()
			defer cputime.PerOp(b)()
			for i := 0; i < b.N; i++ {
				insert(i + 2*sz.n)
			}
			b.ReportMetric(float64(tb.Len()), "live-flows")
		})
	}
}

// BenchmarkNewFlowBurst: the engine's way: bursts of 32 new flows hashed
// and looked up together (misses overlap), then inserted, then one Expire
// pass of 128 entries per burst; steady state as in BenchmarkNewFlow.
func BenchmarkNewFlowBurst(b *testing.B) {
	const burst = 32
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			keys := benchKeys(4*sz.n, 2)
			for i := range keys {
				keys[i].Proto = ProtoUDP
			}
			tb, err := New(Config{Capacity: 2 * sz.n, Seed: 7})
			if err != nil {
				b.Fatal(err)
			}
			defer tb.Close()
			step := int64(OtherIdleTimeout) / int64(sz.n)
			var hashes [burst]uint64
			var refs [burst]Ref
			var res [burst]Result
			now := int64(0)
			next := 0
			run := func() {
				off := next & (len(keys) - 1)
				next += burst
				ks := keys[off : off+burst]
				tb.HashBatch(ks, hashes[:])
				tb.LookupBatch(ks, hashes[:], now, refs[:], res[:])
				for j := range ks {
					if res[j] != Miss {
						b.Fatalf("flow %d: %v", off+j, res[j])
					}
					if _, err := tb.Insert(&ks[j], hashes[j], now); err != nil {
						b.Fatalf("flow %d: %v (%d live)", off+j, err, tb.Len())
					}
				}
				tb.Expire(now, 4*burst)
				now += burst * step
			}
			for next < 2*sz.n {
				run()
			}
			b.ReportAllocs()
			b.ResetTimer()
			defer cputime.PerOp(b)()
			for i := 0; i < b.N; i += burst {
				run()
			}
			b.ReportMetric(float64(tb.Len()), "live-flows")
		})
	}
}

// BenchmarkInsert: insert only, into a table that is emptied (untimed)
// when full.
func BenchmarkInsert(b *testing.B) {
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			keys := benchKeys(sz.n, 3)
			tb, err := New(Config{Capacity: sz.n, Seed: 7})
			if err != nil {
				b.Fatal(err)
			}
			defer tb.Close()
			b.ReportAllocs()
			b.ResetTimer()
			defer cputime.PerOp(b)()
			for i := 0; i < b.N; i++ {
				j := i & (sz.n - 1)
				if j == 0 && i > 0 {
					b.StopTimer()
					tb.Range(func(r Ref, _ *Entry) bool { tb.Delete(r); return true })
					b.StartTimer()
				}
				if _, err := tb.Insert(&keys[j], tb.Hash(&keys[j]), 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkExpire: cost per examined entry of the incremental sweep over a
// table of live flows (nothing to reclaim).
func BenchmarkExpire(b *testing.B) {
	keys := benchKeys(1<<20, 1)
	tb := filledTable(b, 1<<20, keys)
	b.ReportAllocs()
	b.ResetTimer()
	defer cputime.PerOp(b)()
	for i := 0; i < b.N; i += 64 {
		tb.Expire(0, 64)
	}
}

// BenchmarkMemory fills a 1M-flow table and reports bytes per flow: from
// the array sizes, and as the measured growth of the process RSS.
func BenchmarkMemory(b *testing.B) {
	const n = 1 << 20
	keys := benchKeys(n, 1)
	for _, goHeap := range []bool{false, true} {
		b.Run(fmt.Sprintf("goheap=%v", goHeap), func(b *testing.B) {
			// One fill whatever b.N (a fixed -benchtime would otherwise
			// repeat it): the figures are the metrics, not ns/op.
			for i := 0; i < 1; i++ {
				runtime.GC()
				before := rss()
				tb, err := New(Config{Capacity: n, Seed: 7, GoHeap: goHeap})
				if err != nil {
					b.Fatal(err)
				}
				for j := range keys {
					if _, err := tb.Insert(&keys[j], tb.Hash(&keys[j]), 0); err != nil {
						b.Fatal(err)
					}
				}
				after := rss()
				b.ReportMetric(float64(len(tb.slots)*4+len(tb.entries)*EntrySize+len(tb.free)*4)/n, "B/flow")
				b.ReportMetric(float64(after-before)/n, "RSS-B/flow")
				tb.Close()
			}
		})
	}
}

func rss() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// BenchmarkCopyBatch: one listing batch of 4096 slots of a 1M-flow table,
// the batches walking the table in order (out of cache, as a listing of a
// big table is): every live flow copied (the zero Floor, a paged listing),
// or only those above a floor no flow reaches (a top-N listing once its
// heap is full).
// ns/op is per batch; 0 allocations.
func BenchmarkCopyBatch(b *testing.B) {
	const n, batch = 1 << 20, 4096
	tb := filledTable(b, n, benchKeys(n, 5))
	dst := make([]Entry, batch)
	cookies := make([]uint32, batch)
	offs := make([]uint16, batch)
	b.Run("all", func(b *testing.B) {
		b.ReportAllocs()
		defer cputime.PerOp(b)()
		for i := 0; i < b.N; i++ {
			tb.CopyLive(Ref(i*batch%n), Floor{}, dst, cookies, offs)
		}
	})
	b.Run("floor", func(b *testing.B) {
		b.ReportAllocs()
		defer cputime.PerOp(b)()
		for i := 0; i < b.N; i++ {
			tb.CopyLive(Ref(i*batch%n), Floor{Of: FloorBytes, Min: 1 << 40}, dst, cookies, offs)
		}
	})
}
