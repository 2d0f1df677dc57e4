package flow

import (
	"encoding/binary"
	"errors"
	"testing"
)

// FuzzTableOps interprets the input as a sequence of table operations on a
// small table and checks every result against a map model: lookups agree,
// live cookies match, stale cookies do not, live flows are never lost.
func FuzzTableOps(f *testing.F) {
	f.Add([]byte{0, 1, 0, 2, 0, 3, 1, 1, 2, 1, 4, 9, 3, 0})
	f.Add([]byte{0, 1, 0, 1, 2, 1, 0, 1, 1, 1})
	f.Add([]byte{0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8, 0, 9, 4, 200, 3, 16, 0, 10})
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) > 4096 {
			ops = ops[:4096]
		}
		capacity := 8
		if len(ops) > 0 {
			capacity = int(ops[0]%16) + 1
			ops = ops[1:]
		}
		tb, err := New(Config{Capacity: capacity, Seed: 1, GoHeap: true})
		if err != nil {
			t.Fatal(err)
		}
		type flowState struct {
			ref    Ref
			cookie uint32
			last   int64
			tcp    bool
		}
		model := map[Key]*flowState{}
		var stale []uint32
		now := int64(0)
		keyOf := func(b byte) Key {
			proto := uint8(ProtoUDP)
			if b&1 == 0 {
				proto = ProtoTCP
			}
			k, _ := NewKey(uint64(b>>5), FiveTuple, v4(10, 0, 0, b), v4(10, 0, 0, 200), uint16(b), 53, proto, false)
			return k
		}
		idle := func(fs *flowState) bool {
			to := int64(tb.Timeout(ClassOther))
			if fs.tcp {
				to = int64(tb.Timeout(ClassTCP))
			}
			return now-fs.last > to
		}
		reconcile := func() {
			for k, fs := range model {
				if _, ok := tb.ByCookie(fs.cookie); ok {
					continue
				}
				if !idle(fs) {
					t.Fatalf("live flow reclaimed")
				}
				stale = append(stale, fs.cookie)
				delete(model, k)
			}
		}
		for len(ops) >= 2 {
			op, arg := ops[0]%6, ops[1]
			ops = ops[2:]
			k := keyOf(arg)
			h := tb.Hash(&k)
			switch op {
			case 0: // insert
				r, err := tb.Insert(&k, h, now)
				switch fs := model[k]; {
				case fs != nil:
					if !errors.Is(err, ErrExists) || r != fs.ref {
						t.Fatalf("insert of present key: %v %v", r, err)
					}
				case errors.Is(err, ErrFull):
					if len(model) != capacity {
						t.Fatalf("ErrFull with %d of %d", len(model), capacity)
					}
				case err != nil:
					t.Fatal(err)
				default:
					model[k] = &flowState{ref: r, cookie: tb.Cookie(r), last: now, tcp: k.Proto == ProtoTCP}
				}
				reconcile()
			case 1: // lookup
				r, res := tb.Lookup(&k, h, now)
				fs := model[k]
				switch {
				case fs == nil && res != Miss:
					t.Fatalf("absent key: %v", res)
				case fs != nil && (r != fs.ref || (res == Expired) != idle(fs) || res == Miss):
					t.Fatalf("present key: %v %v", r, res)
				case fs != nil && res == Hit:
					tb.Entry(r).Touch(Reply, 1, now)
					fs.last = now
				}
			case 2: // delete
				if fs := model[k]; fs != nil {
					tb.Delete(fs.ref)
					stale = append(stale, fs.cookie)
					delete(model, k)
				}
			case 3: // expire
				tb.Expire(now, int(arg))
				reconcile()
			case 4: // time passes
				now += int64(arg) * sec
			case 5: // forged cookie
				c := binary.LittleEndian.Uint32([]byte{arg, arg ^ 0x5a, arg, 1})
				if r, ok := tb.ByCookie(c); ok && (!tb.Entry(r).Live() || tb.Cookie(r) != c) {
					t.Fatalf("cookie %#x matched a non-matching entry", c)
				}
			}
			if tb.Len() != len(model) {
				t.Fatalf("Len %d, model %d", tb.Len(), len(model))
			}
			for _, c := range stale {
				if _, ok := tb.ByCookie(c); ok {
					live := false
					for _, fs := range model {
						live = live || fs.cookie == c
					}
					if !live {
						t.Fatalf("stale cookie %#x matched", c)
					}
				}
			}
		}
		for b := 0; b < 256; b++ {
			k := keyOf(byte(b))
			_, res := tb.Lookup(&k, tb.Hash(&k), now)
			if (res == Miss) != (model[k] == nil) {
				t.Fatalf("final lookup of %d: %v", b, res)
			}
		}
	})
}
