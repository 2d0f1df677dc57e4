package flow

import (
	"errors"
	"testing"
	"time"
)

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
