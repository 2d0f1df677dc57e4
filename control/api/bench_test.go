package api

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"sync"
	"testing"
)

// discardWriter is a ResponseWriter that keeps the status and the body in
// reused memory.
type discardWriter struct {
	h      http.Header
	status int
	body   []byte
}

func (w *discardWriter) Header() http.Header { return w.h }
func (w *discardWriter) WriteHeader(s int)   { w.status = s }
func (w *discardWriter) Write(b []byte) (int, error) {
	w.body = append(w.body, b...)
	return len(b), nil
}

// nextCursor finds next_cursor in a flows page body ("" when none).
func nextCursor(body []byte) string {
	const key = `"next_cursor":"`
	i := bytes.LastIndex(body, []byte(key)) // it follows the flows
	if i < 0 {
		return ""
	}
	rest := body[i+len(key):]
	return string(rest[:bytes.IndexByte(rest, '"')])
}

var (
	millionOnce sync.Once
	million     *memBackend
)

// millionFlows is a backend with 1M flows over two workers (tables half
// full), built once per test binary.
func millionFlows() *memBackend {
	millionOnce.Do(func() { million = newMemBackend(1<<20, 42) })
	return million
}

// BenchmarkFlowsPage is the cost of serving GET /flows?limit=1000 pages
// (walking the cursors through 1M flows) through the handler, response
// encoding included; "backend" is the memory backend's share alone, so
// handler = total - backend.
func BenchmarkFlowsPage(b *testing.B) {
	m := millionFlows()
	h := NewHandler(m, Options{})
	b.Run("handler", func(b *testing.B) {
		w := &discardWriter{h: http.Header{}}
		cursor := ""
		b.ReportAllocs()
		size := 0
		for b.Loop() {
			u := "/flows?limit=1000"
			if cursor != "" {
				u += "&cursor=" + url.QueryEscape(cursor)
			}
			r, _ := http.NewRequest(http.MethodGet, u, nil)
			w.body, w.status = w.body[:0], 0
			h.ServeHTTP(w, r)
			if w.status != 200 {
				b.Fatalf("status %d: %s", w.status, w.body)
			}
			size += len(w.body)
			cursor = nextCursor(w.body)
		}
		b.ReportMetric(float64(size)/float64(b.N), "bytes/page")
	})
	b.Run("backend", func(b *testing.B) {
		b.ReportAllocs()
		var after FlowCursor
		for b.Loop() {
			res, err := m.Flows(context.Background(), FlowQuery{Limit: 1000, After: after})
			if err != nil {
				b.Fatal(err)
			}
			after = FlowCursor{}
			if res.Next != nil {
				after = *res.Next
			}
		}
	})
}

// BenchmarkFlowsTopN is GET /flows?sort=bytes&limit=1000 over 1M flows: a
// full walk per request (reported per flow walked too).
func BenchmarkFlowsTopN(b *testing.B) {
	m := millionFlows()
	h := NewHandler(m, Options{})
	w := &discardWriter{h: http.Header{}}
	r, _ := http.NewRequest(http.MethodGet, "/flows?sort=bytes&limit=1000", nil)
	b.ReportAllocs()
	for b.Loop() {
		w.status = 0
		h.ServeHTTP(w, r)
		if w.status != 200 {
			b.Fatalf("status %d", w.status)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(1<<20), "ns/flow")
}

// BenchmarkListingOffer is the per-flow cost of a Listing in a backend's
// walk (what a node's worker pays per live entry besides building the
// Flow): paged with no filter, paged with a filter that rejects, top-N.
func BenchmarkListingOffer(b *testing.B) {
	fs := newMemBackend(1<<14, 7).allFlows()
	flt, _ := ParseFlowFilter("proto=udp port=53")
	for _, tc := range []struct {
		name string
		q    FlowQuery
	}{
		{"paged", FlowQuery{Limit: MaxPageLimit}},
		{"filtered", FlowQuery{Limit: MaxPageLimit, Filter: flt}},
		{"top-bytes", FlowQuery{Limit: MaxPageLimit, Sort: SortBytes}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			l := NewListing(tc.q)
			i := 0
			for b.Loop() {
				if !l.Offer(FlowCursor{Slot: uint64(i)}, &fs[i%len(fs)]) {
					l = NewListing(tc.q)
				}
				i++
			}
		})
	}
}
