package flow

import (
	"testing"
)

// TestCookieWorkerRoundTrip: a table's cookies name its worker, are found
// by that table, and are refused by the tables of the node's other workers
// (same capacity, same seed, same entry).
func TestCookieWorkerRoundTrip(t *testing.T) {
	for _, c := range []struct{ workers, capacity int }{{1, 1000}, {2, 1000}, {2, MaxCapacityFor(2)}, {3, 70000}, {16, 5}, {16, MaxCapacityFor(16)}} {
		if testing.Short() && c.capacity > 1<<20 {
			continue
		}
		l := NewCookieLayout(c.workers)
		tables := make([]*Table, c.workers)
		for w := range tables {
			tb, err := New(Config{Capacity: c.capacity, Seed: 7, GoHeap: true, Worker: w, Workers: c.workers})
			if err != nil {
				t.Fatal(err)
			}
			defer tb.Close()
			tables[w] = tb
		}
		for w, tb := range tables {
			if tb.Worker() != w {
				t.Fatalf("Worker() = %d, want %d", tb.Worker(), w)
			}
			for i := 0; i < 3; i++ {
				k, _ := NewKey(1, FiveTuple, v4(10, 0, 0, byte(i)), v4(10, 0, 1, 1), 1000, 53, ProtoUDP, false)
				r, err := tb.Insert(&k, tb.Hash(&k), 0)
				if err != nil {
					t.Fatal(err)
				}
				ck := tb.Cookie(r)
				if got := l.Worker(ck); got != w {
					t.Fatalf("%d workers, capacity %d: cookie %#x names worker %d, want %d", c.workers, c.capacity, ck, got, w)
				}
				if r2, ok := tb.ByCookie(ck); !ok || r2 != r {
					t.Fatalf("ByCookie(%#x) = %v, %v on its own table", ck, r2, ok)
				}
				for o, other := range tables {
					if o == w {
						continue
					}
					if _, ok := other.ByCookie(ck); ok {
						t.Fatalf("worker %d's cookie %#x matched on worker %d", w, ck, o)
					}
				}
			}
		}
	}
}

func TestCookieWorkerLimits(t *testing.T) {
	for _, c := range []struct{ n, bits, max int }{{0, 0, MaxCapacity}, {1, 0, MaxCapacity}, {2, 1, 1<<23 - 1}, {3, 2, 1<<22 - 1}, {4, 2, 1<<22 - 1}, {16, 4, 1<<20 - 1}} {
		if got := WorkerBits(c.n); got != c.bits {
			t.Errorf("WorkerBits(%d) = %d, want %d", c.n, got, c.bits)
		}
		if got := MaxCapacityFor(c.n); got != c.max {
			t.Errorf("MaxCapacityFor(%d) = %d, want %d", c.n, got, c.max)
		}
	}
	for _, cfg := range []Config{
		{Capacity: MaxCapacityFor(2) + 1, Workers: 2},
		{Capacity: 10, Workers: MaxWorkers + 1},
		{Capacity: 10, Worker: 2, Workers: 2},
		{Capacity: 10, Worker: -1, Workers: 2},
		{Capacity: 10, Worker: 1},
	} {
		cfg.GoHeap = true
		if tb, err := New(cfg); err == nil {
			tb.Close()
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
}

// FuzzCookieWorker: for any layout and any cookie, a cookie the table
// accepts names the table's worker and is the cookie of the entry it
// finds; the cookies the table hands out round-trip.
func FuzzCookieWorker(f *testing.F) {
	f.Add(uint8(2), uint8(1), uint16(100), uint32(0x80000001), uint8(3))
	f.Add(uint8(16), uint8(15), uint16(4), uint32(0xf0000101), uint8(1))
	f.Add(uint8(1), uint8(0), uint16(1), uint32(1), uint8(0))
	f.Fuzz(func(t *testing.T, workers, worker uint8, capacity uint16, c uint32, inserts uint8) {
		n := int(workers%MaxWorkers) + 1
		w := int(worker) % n
		tb, err := New(Config{Capacity: int(capacity) + 1, Seed: 3, GoHeap: true, Worker: w, Workers: n})
		if err != nil {
			t.Fatal(err)
		}
		defer tb.Close()
		l := NewCookieLayout(n)
		for i := 0; i < int(inserts%32) && tb.Len() < tb.Cap(); i++ {
			k, _ := NewKey(2, FiveTuple, v4(10, 0, 0, byte(i)), v4(10, 0, 1, 1), 1000, 53, ProtoUDP, false)
			r, err := tb.Insert(&k, tb.Hash(&k), 0)
			if err != nil {
				t.Fatal(err)
			}
			ck := tb.Cookie(r)
			if l.Worker(ck) != w {
				t.Fatalf("cookie %#x names worker %d, want %d", ck, l.Worker(ck), w)
			}
			if r2, ok := tb.ByCookie(ck); !ok || r2 != r {
				t.Fatalf("ByCookie(%#x) = %v %v, want %v", ck, r2, ok, r)
			}
		}
		if r, ok := tb.ByCookie(c); ok {
			if l.Worker(c) != w || tb.Cookie(r) != c {
				t.Fatalf("cookie %#x accepted for entry %d (cookie %#x) of worker %d", c, r, tb.Cookie(r), w)
			}
		}
	})
}
