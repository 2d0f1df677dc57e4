package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// flowID identifies a flow across pages.
type flowID struct {
	worker int
	cookie uint32
}

// walk follows cursors from the first page and returns the flows and the
// number of pages.
func walk(t *testing.T, c *Client, r FlowsRequest, between func(page int)) ([]Flow, int) {
	t.Helper()
	var out []Flow
	pages := 0
	for {
		p, err := c.Flows(context.Background(), r)
		if err != nil {
			t.Fatalf("page %d: %v", pages, err)
		}
		pages++
		out = append(out, p.Flows...)
		if p.NextCursor == "" {
			return out, pages
		}
		if pages > 100000 {
			t.Fatal("the walk does not end")
		}
		r.Cursor = p.NextCursor
		if between != nil {
			between(pages)
		}
	}
}

func ids(fs []Flow) map[flowID]int {
	m := map[flowID]int{}
	for _, f := range fs {
		m[flowID{f.Worker, f.Cookie}]++
	}
	return m
}

func TestFlowsPagingVisitsEachFlowOnce(t *testing.T) {
	m := newMemBackend(10000, 2)
	c, _ := newTestClient(t, m, Options{})
	want := ids(m.allFlows())
	if len(want) != 10000 {
		t.Fatalf("fixture has %d flows", len(want))
	}
	for _, limit := range []int{1000, 337, 1} {
		if limit == 1 {
			m.mu.Lock()
			m.tables[0], m.tables[1] = m.tables[0][:400], m.tables[1][:400] // a short walk
			m.mu.Unlock()
			want = ids(m.allFlows())
		}
		got, pages := walk(t, c, FlowsRequest{Limit: limit}, nil)
		seen := ids(got)
		for id, n := range seen {
			if n != 1 {
				t.Errorf("limit %d: flow %+v listed %d times", limit, id, n)
			}
		}
		if !reflect.DeepEqual(keys(seen), keys(want)) {
			t.Errorf("limit %d: listed %d distinct flows, want %d", limit, len(seen), len(want))
		}
		if min := (len(want) + limit - 1) / limit; pages < min || pages > min+1 {
			t.Errorf("limit %d: %d pages for %d flows", limit, pages, len(want))
		}
		t.Logf("limit %d: %d flows in %d pages", limit, len(got), pages)
	}
}

func keys(m map[flowID]int) []flowID {
	out := make([]flowID, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b flowID) int {
		if a.worker != b.worker {
			return a.worker - b.worker
		}
		return int(a.cookie) - int(b.cookie)
	})
	return out
}

// TestFlowsPagingWhileTablesChange removes and adds flows between pages:
// every flow live for the whole walk is listed exactly once, and no flow
// is listed twice.
func TestFlowsPagingWhileTablesChange(t *testing.T) {
	m := newMemBackend(10000, 3)
	c, _ := newTestClient(t, m, Options{})
	all := m.allFlows()
	removed := map[flowID]bool{}
	cookie := uint32(1 << 30)
	got, _ := walk(t, c, FlowsRequest{Limit: 500}, func(page int) {
		// Remove a flow somewhere, add two (they take free slots anywhere).
		m.mu.Lock()
		w := page % 2
		for s := range m.tables[w] {
			if e := &m.tables[w][s]; e.live && (s*7+page)%13 == 0 {
				e.live = false
				removed[flowID{w, e.cookie}] = true
				break
			}
		}
		m.mu.Unlock()
		for i := 0; i < 2; i++ {
			cookie++
			m.add(i, memFlow{endpoint: 0, target: 0, proto: 6, tuple: 5, v4: true, cookie: cookie, sport: 1, dport: 2})
		}
	})
	seen := ids(got)
	for id, n := range seen {
		if n != 1 {
			t.Errorf("flow %+v listed %d times", id, n)
		}
	}
	stayed := 0
	for _, f := range all {
		id := flowID{f.Worker, f.Cookie}
		if removed[id] {
			continue
		}
		stayed++
		if seen[id] != 1 {
			t.Errorf("flow %+v lived through the walk but was listed %d times", id, seen[id])
		}
	}
	t.Logf("%d flows stayed, %d removed, %d listed", stayed, len(removed), len(seen))
}

// TestFlowsBoundedWalk: a backend that examines at most 700 slots per call
// answers short pages with a cursor; the walk still lists each flow once.
func TestFlowsBoundedWalk(t *testing.T) {
	m := newMemBackend(3000, 4)
	m.budget = 700
	c, _ := newTestClient(t, m, Options{})
	got, pages := walk(t, c, FlowsRequest{Limit: 1000}, nil)
	want := ids(m.allFlows())
	seen := ids(got)
	if !reflect.DeepEqual(keys(seen), keys(want)) || len(got) != len(want) {
		t.Errorf("listed %d (%d distinct), want %d", len(got), len(seen), len(want))
	}
	if slots := 2 * 3000; pages < slots/700 {
		t.Errorf("%d pages for %d slots at 700 a call", pages, slots)
	}
}

func TestFlowsLimitClamped(t *testing.T) {
	m := newMemBackend(3000, 5)
	c, _ := newTestClient(t, m, Options{})
	p, err := c.Flows(context.Background(), FlowsRequest{Limit: 5000})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Flows) != MaxPageLimit || p.Limit != MaxPageLimit || !p.LimitClamped || p.RequestedLimit != 5000 {
		t.Errorf("limit 5000: %d flows, limit %d, clamped %v, requested %d", len(p.Flows), p.Limit, p.LimitClamped, p.RequestedLimit)
	}
	// A lower configured maximum clamps too.
	c2, _ := newTestClient(t, m, Options{PageLimit: 10})
	p, err = c2.Flows(context.Background(), FlowsRequest{Limit: 11})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Flows) != 10 || !p.LimitClamped {
		t.Errorf("page limit 10, limit 11: %d flows, clamped %v", len(p.Flows), p.LimitClamped)
	}
	p, err = c.Flows(context.Background(), FlowsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Flows) != DefaultPageLimit || p.LimitClamped {
		t.Errorf("no limit: %d flows, clamped %v", len(p.Flows), p.LimitClamped)
	}
}

// bruteTop is the reference top-N: rank every flow, largest first, ties by
// position.
func bruteTop(all []Flow, s FlowSort, f FlowFilter, n int) []Flow {
	var fs []Flow
	for _, x := range all {
		if f.Match(&x) {
			fs = append(fs, x)
		}
	}
	slices.SortStableFunc(fs, func(a, b Flow) int {
		ka, kb := s.key(&a), s.key(&b)
		switch {
		case ka > kb:
			return -1
		case ka < kb:
			return 1
		}
		return 0
	})
	if len(fs) > n {
		fs = fs[:n]
	}
	return fs
}

func TestFlowsTopN(t *testing.T) {
	m := newMemBackend(5000, 6)
	c, _ := newTestClient(t, m, Options{})
	all := m.allFlows()
	for _, s := range []FlowSort{SortBytes, SortPackets, SortRate, SortAge} {
		for _, ft := range []string{"", "proto=udp", "endpoint=" + testE2 + " port=443"} {
			f, err := ParseFlowFilter(ft)
			if err != nil {
				t.Fatal(err)
			}
			p, err := c.Flows(context.Background(), FlowsRequest{Sort: s, Limit: 25, Filter: f})
			if err != nil {
				t.Fatal(err)
			}
			want := bruteTop(all, s, f, 25)
			for i := range want {
				want[i].PPS, want[i].BPS = want[i].MeanRates()
			}
			if !reflect.DeepEqual(p.Flows, want) {
				t.Errorf("sort=%s filter %q: got %d flows, not the reference top %d", s, ft, len(p.Flows), len(want))
			}
			if p.NextCursor != "" || p.Sort != s.String() || len(want) != 25 {
				t.Errorf("sort=%s filter %q: cursor %q, sort %q, %d flows", s, ft, p.NextCursor, p.Sort, len(want))
			}
		}
	}
}

func TestFlowsFilters(t *testing.T) {
	m := newMemBackend(4000, 7)
	c, _ := newTestClient(t, m, Options{})
	all := m.allFlows()
	cases := []struct {
		filter string
		want   func(f *Flow) bool
	}{
		{"endpoint=" + testEP, func(f *Flow) bool { return f.Endpoint == testEP }},
		{"endpoint=" + testEP + "," + testE2, func(f *Flow) bool { return true }},
		{"target=i-0123456789abcdef0", func(f *Flow) bool { return f.Target == "i-0123456789abcdef0" }},
		{"target=10.0.1.12", func(f *Flow) bool { return f.TargetIP.String() == "10.0.1.12" }},
		{"target=10.0.1.11", func(f *Flow) bool { return f.Target == "10.0.1.11" }},
		{"addr=10.1.2.0/24", func(f *Flow) bool { return strings.HasPrefix(f.Src.Addr().String(), "10.1.2.") }},
		{"addr=10.2.3.0/24", func(f *Flow) bool { return strings.HasPrefix(f.Dst.Addr().String(), "10.2.3.") }},
		{"src=fd00::/16", func(f *Flow) bool { return f.Src.Addr().Is6() }},
		{"dst=10.2.0.0/16", func(f *Flow) bool { return f.Dst.Addr().Is4() }},
		{"dst=10.1.0.0/16", func(f *Flow) bool { return false }},
		{"proto=tcp", func(f *Flow) bool { return f.Proto == 6 }},
		{"proto=udp,icmp", func(f *Flow) bool { return f.Proto == 17 || f.Proto == 1 }},
		{"proto=17", func(f *Flow) bool { return f.Proto == 17 }},
		{"port=443", func(f *Flow) bool { return f.Dst.Port() == 443 || f.Src.Port() == 443 }},
		{"port=50-90", func(f *Flow) bool { return f.Dst.Port() == 53 || f.Dst.Port() == 80 }},
		{"tcp 10.1.0.0/16 443", func(f *Flow) bool {
			return f.Proto == 6 && f.Src.Addr().Is4() && f.Dst.Port() == 443
		}},
		{"endpoint=" + testE2 + " proto=udp port=53", func(f *Flow) bool {
			return f.Endpoint == testE2 && f.Proto == 17 && f.Dst.Port() == 53
		}},
	}
	for _, tc := range cases {
		f, err := ParseFlowFilter(tc.filter)
		if err != nil {
			t.Fatalf("%q: %v", tc.filter, err)
		}
		var want []Flow
		for i := range all {
			if tc.want(&all[i]) {
				want = append(want, all[i])
			}
		}
		got, _ := walk(t, c, FlowsRequest{Filter: f, Limit: 400}, nil)
		if len(got) != len(want) || !reflect.DeepEqual(keys(ids(got)), keys(ids(want))) {
			t.Errorf("filter %q: %d flows, want %d", tc.filter, len(got), len(want))
		}
		if tc.filter != "dst=10.1.0.0/16" && tc.filter != "endpoint="+testEP+","+testE2 && (len(want) == 0 || len(want) == len(all)) {
			t.Errorf("filter %q selects %d of %d flows: the case tests nothing", tc.filter, len(want), len(all))
		}
		for _, fl := range got {
			if !tc.want(&fl) {
				t.Errorf("filter %q listed %+v", tc.filter, fl)
				break
			}
		}
	}
}

func TestFlowsBadInput(t *testing.T) {
	m := newMemBackend(100, 8)
	c, base := newTestClient(t, m, Options{})
	cases := []struct{ query, msg string }{
		{"proto=tcpp", `filter proto="tcpp": want icmp, tcp, udp`},
		{"port=99999", `filter port="99999": want a port 1-65535`},
		{"port=90-80", `range 90-80 is empty`},
		{"addr=10.0.0.0/33", `filter addr="10.0.0.0/33": want an IP address or prefix`},
		{"endpoint=vpc-123", `filter endpoint="vpc-123": want an endpoint id`},
		{"target=web1", `filter target="web1": want a target id`},
		{"port=", `filter port="": empty value`},
		{"colour=red", `unknown parameter "colour" for /flows; parameters: limit, cursor, sort, endpoint`},
		{"limit=0", `limit="0": want a number 1 or more (at most 1000 per page)`},
		{"limit=ten", `limit="ten": want a number`},
		{"limit=1&limit=2", `parameter "limit" given 2 times`},
		{"sort=size", `sort="size": want one of bytes, packets, rate, age`},
		{"sort=bytes&cursor=abc", `cursor= and sort= do not go together`},
		{"cursor=not-a-cursor", `cursor: not one this node issued`},
	}
	for _, tc := range cases {
		code, body, _ := getRaw(t, base, "/flows?"+tc.query)
		var eb ErrorBody
		if err := json.Unmarshal([]byte(body), &eb); err != nil {
			t.Errorf("%s: body %q: %v", tc.query, body, err)
			continue
		}
		if code != http.StatusBadRequest || !strings.Contains(eb.Error, tc.msg) {
			t.Errorf("%s: %d %q, want 400 containing %q", tc.query, code, eb.Error, tc.msg)
		}
		// The client reports the server's message as it is.
		q, _ := url.ParseQuery(tc.query)
		var p FlowPage
		err := c.get(context.Background(), PathFlows, q, &p)
		var ae *Error
		if !errors.As(err, &ae) || ae.Status != 400 || err.Error() != eb.Error {
			t.Errorf("%s: client error %v, want the server's %q", tc.query, err, eb.Error)
		}
	}
	// The text syntax reports the same errors.
	if _, err := ParseFlowFilter("proto=tcpp"); err == nil || !strings.Contains(err.Error(), `filter proto="tcpp"`) {
		t.Errorf("ParseFlowFilter: %v", err)
	}
	if _, err := ParseFlowFilter("web1"); err == nil || !strings.Contains(err.Error(), `filter term "web1": not a protocol`) {
		t.Errorf("ParseFlowFilter bare word: %v", err)
	}
}

func TestFlowsCursorBoundToRunAndFilter(t *testing.T) {
	m := newMemBackend(500, 9)
	c, _ := newTestClient(t, m, Options{})
	ctx := context.Background()
	tcp, _ := ParseFlowFilter("proto=tcp")
	p, err := c.Flows(ctx, FlowsRequest{Limit: 10, Filter: tcp})
	if err != nil || p.NextCursor == "" {
		t.Fatalf("first page: %v, cursor %q", err, p.NextCursor)
	}
	udp, _ := ParseFlowFilter("proto=udp")
	_, err = c.Flows(ctx, FlowsRequest{Limit: 10, Filter: udp, Cursor: p.NextCursor})
	if err == nil || !strings.Contains(err.Error(), "issued for another filter") {
		t.Errorf("other filter: %v", err)
	}
	m.mu.Lock()
	m.info.StartedAt = m.info.StartedAt.Add(time.Hour) // the node restarted
	m.mu.Unlock()
	_, err = c.Flows(ctx, FlowsRequest{Limit: 10, Filter: tcp, Cursor: p.NextCursor})
	if err == nil || !strings.Contains(err.Error(), "earlier run") {
		t.Errorf("restarted node: %v", err)
	}
}

// TestListingFloor: a top-N listing by bytes or packets that is offered
// only the flows above its Floor (as a node's workers skip the others)
// returns exactly what it returns when offered every flow, ties at the
// N-th place included; Floor is not ok before the listing holds N flows,
// nor for the sorts by rate or age.
func TestListingFloor(t *testing.T) {
	all := newMemBackend(3000, 9).allFlows()
	// Few distinct counts, one apart: many ties, and flows one above the
	// N-th's count as the walk goes on.
	for i := range all {
		all[i].Packets = [2]uint64{uint64(i * 7 % 113), uint64(i % 2)}
		all[i].Bytes = [2]uint64{uint64(i * 13 % 127), uint64(i % 3)}
	}
	count := func(s FlowSort, f *Flow) uint64 {
		if s == SortBytes {
			return f.Bytes[0] + f.Bytes[1]
		}
		return f.Packets[0] + f.Packets[1]
	}
	for _, s := range []FlowSort{SortBytes, SortPackets, SortRate, SortAge} {
		for _, ft := range []string{"", "proto=udp"} {
			filter, err := ParseFlowFilter(ft)
			if err != nil {
				t.Fatal(err)
			}
			every := NewListing(FlowQuery{Sort: s, Limit: 25, Filter: filter})
			floored := NewListing(FlowQuery{Sort: s, Limit: 25, Filter: filter})
			skipped := 0
			for i := range all {
				at := FlowCursor{Worker: all[i].Worker, Slot: uint64(i)}
				every.Offer(at, &all[i])
				fs, min, ok := floored.Floor()
				if ok && (fs != s || s != SortBytes && s != SortPackets) {
					t.Fatalf("sort=%s: Floor gave sort %s", s, fs)
				}
				if ok && i < 25 {
					t.Fatalf("sort=%s: Floor ok after %d flows, fewer than the 25 asked for", s, i)
				}
				if ok && count(s, &all[i]) <= min {
					skipped++
					continue
				}
				floored.Offer(at, &all[i])
			}
			if got, want := floored.Result().Flows, every.Result().Flows; !reflect.DeepEqual(got, want) {
				t.Errorf("sort=%s filter %q: the floored listing's top 25 differs from the full one's", s, ft)
			}
			if (s == SortBytes || s == SortPackets) != (skipped > len(all)/2) {
				t.Errorf("sort=%s filter %q: the floor skipped %d of %d flows", s, ft, skipped, len(all))
			}
		}
	}
}

// TestListingWanted: a paged listing with no filter wants what fills its
// page, then nothing; one with a filter, or a top N, may want any number.
func TestListingWanted(t *testing.T) {
	all := newMemBackend(20, 2).allFlows()
	l := NewListing(FlowQuery{Limit: 10})
	for i := range 13 {
		if got, want := l.Wanted(), max(10-i, 0); got != want {
			t.Fatalf("after %d flows offered: Wanted %d, want %d", i, got, want)
		}
		l.Offer(FlowCursor{Slot: uint64(i)}, &all[i])
	}
	f, err := ParseFlowFilter("proto=udp")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []FlowQuery{{Limit: 10, Filter: f}, {Limit: 10, Sort: SortBytes}} {
		if got := NewListing(q).Wanted(); got != 0 {
			t.Errorf("%+v: Wanted %d, want 0", q, got)
		}
	}
	stopped := NewListing(FlowQuery{Limit: 10})
	stopped.Stop(FlowCursor{Slot: 3})
	if got := stopped.Wanted(); got != 0 {
		t.Errorf("a stopped listing: Wanted %d, want 0", got)
	}
}
