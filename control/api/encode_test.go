package api

import (
	"bytes"
	"encoding/json"
	"math"
	"net/netip"
	"reflect"
	"testing"
)

func sampleFlows() []Flow {
	return []Flow{
		{Worker: 1, Endpoint: "vpce-0a1b2c3d4e5f60718", Proto: 6, Tuple: 5, Src: netip.MustParseAddrPort("10.1.0.5:34567"),
			Dst: netip.MustParseAddrPort("10.2.0.9:443"), Target: "i-0123456789abcdef0", TargetIndex: 3, TargetIP: netip.MustParseAddr("10.0.1.10"),
			Cookie: 0xdeadbeef, Packets: [2]uint64{12, 1 << 63}, Bytes: [2]uint64{0, math.MaxUint64}, AgeSeconds: 3601, IdleSeconds: 0.5},
		{Proto: 58, Tuple: 3, Src: netip.MustParseAddrPort("[fd00::1]:0"), Dst: netip.MustParseAddrPort("[fe80::1%eth0]:0"),
			AgeSeconds: 1e-7, IdleSeconds: 1e21},
		{}, // zero addresses encode as ""
		{Endpoint: "odd \"name\" <&> \\ \n\t\x01 \u2028 é \xff", Target: "\u2029"},
	}
}

// TestAppendFlowPageMatchesJSON: the flows encoder writes exactly what
// encoding/json writes for the same page.
func TestAppendFlowPageMatchesJSON(t *testing.T) {
	pages := []FlowPage{
		{Flows: sampleFlows(), NextCursor: "AQID", Sort: "bytes", Filter: "proto=tcp port=1-2", Limit: 1000, LimitClamped: true, RequestedLimit: 5000, Partial: true},
		{Flows: []Flow{}, Limit: 100},
		{Limit: 1},
	}
	for i := range pages {
		p := &pages[i]
		for j := range p.Flows {
			p.Flows[j].PPS, p.Flows[j].BPS = p.Flows[j].MeanRates()
		}
		want, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		got := appendFlowPage(nil, p)
		if !bytes.Equal(got, want) {
			t.Errorf("page %d:\n got %s\nwant %s", i, got, want)
		}
		var back FlowPage
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("page %d: %v", i, err)
		}
		if i == 0 {
			// Round trip of what survives JSON (zones and invalid UTF-8 do not).
			if !reflect.DeepEqual(back.Flows[0], p.Flows[0]) || back.NextCursor != p.NextCursor || back.RequestedLimit != 5000 {
				t.Errorf("round trip:\n got %+v\nwant %+v", back.Flows[0], p.Flows[0])
			}
		}
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", "\"\\<>&", "\x00\x1f\x7f", "\u2028\u2029", "\xff\xfe", "é€😀"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := appendString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("%q: got %s, want %s", s, got, want)
		}
	})
}

func FuzzAppendFloat(f *testing.F) {
	for _, v := range []float64{0, math.Copysign(0, -1), 1, -1, -3601, 1 << 53, 1e-7, 1e21, 123.456, math.MaxFloat64, math.SmallestNonzeroFloat64} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v float64) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return
		}
		want, _ := json.Marshal(v)
		if got := appendFloat(nil, v); !bytes.Equal(got, want) {
			t.Fatalf("%v: got %s, want %s", v, got, want)
		}
	})
}

// BenchmarkAppendFlowPage encodes a page of 1000 flows into a reused
// buffer (zero allocations), with encoding/json as the baseline.
func BenchmarkAppendFlowPage(b *testing.B) {
	m := newMemBackend(2000, 1)
	p := &FlowPage{Flows: m.allFlows()[:1000], NextCursor: "AQIDBAUGBwgJ", Limit: 1000}
	b.Run("append", func(b *testing.B) {
		b.ReportAllocs()
		buf := appendFlowPage(nil, p)
		b.SetBytes(int64(len(buf)))
		for b.Loop() {
			buf = appendFlowPage(buf[:0], p)
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(p); err != nil {
				b.Fatal(err)
			}
		}
	})
}
