package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// newTestClient serves b's API on a loopback TCP port and returns a
// client of it and the base URL.
func newTestClient(t testing.TB, b Backend, o Options) (*Client, string) {
	t.Helper()
	srv := httptest.NewServer(NewHandler(b, o))
	t.Cleanup(srv.Close)
	c := NewTCPClient(srv.Listener.Addr().String())
	t.Cleanup(c.Close)
	return c, srv.URL
}

// getRaw GETs base+pathQuery and returns the status, body and headers.
func getRaw(t *testing.T, base, pathQuery string) (int, string, http.Header) {
	t.Helper()
	resp, err := http.Get(base + pathQuery)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b), resp.Header
}

func TestInfoStatsTargetsEndpoints(t *testing.T) {
	m := newMemBackend(50, 1)
	c, _ := newTestClient(t, m, Options{})
	ctx := context.Background()

	info, err := c.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := m.Info(ctx)
	info.UptimeSeconds, want.UptimeSeconds = 0, 0
	if !reflect.DeepEqual(*info, want) {
		t.Errorf("info:\n got %+v\nwant %+v", *info, want)
	}

	st, err := c.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ws, _ := m.Stats(ctx)
	st.Time, ws.Time, st.UptimeSeconds, ws.UptimeSeconds = time.Time{}, time.Time{}, 0, 0
	if !reflect.DeepEqual(*st, ws) {
		t.Errorf("stats:\n got %+v\nwant %+v", *st, ws)
	}

	ts, err := c.Targets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ts, m.targets) {
		t.Errorf("targets:\n got %+v\nwant %+v", ts, m.targets)
	}
	es, err := c.Endpoints(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(es, m.endpoints) {
		t.Errorf("endpoints:\n got %+v\nwant %+v", es, m.endpoints)
	}
}

// TestStatsFieldNames pins the JSON names scripts and the end-to-end test
// read from the stats document.
func TestStatsFieldNames(t *testing.T) {
	m := newMemBackend(10, 1)
	_, base := newTestClient(t, m, Options{})
	code, body, _ := getRaw(t, base, "/stats")
	if code != 200 {
		t.Fatalf("GET /stats: %d %s", code, body)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatal(err)
	}
	has := func(obj map[string]any, keys ...string) {
		t.Helper()
		for _, k := range keys {
			if _, ok := obj[k]; !ok {
				t.Errorf("no %q in %v", k, obj)
			}
		}
	}
	has(doc, "time", "uptime_seconds", "load_balancer", "revision", "totals", "endpoints", "targets", "ports", "workers")
	has(doc["totals"].(map[string]any), "encap_packets", "decap_packets", "bridged_packets", "new_flows", "active_flows", "drops", "dropped_total", "tcp_resets")
	has(doc["endpoints"].([]any)[0].(map[string]any), "id", "state")
	has(doc["targets"].([]any)[1].(map[string]any), "ip", "state", "new_flows", "reason", "since", "tx_rate")
	has(doc["ports"].([]any)[0].(map[string]any), "tx_packets", "rx_packets", "xstats")
}

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

func TestFlowsConcurrencyLimit(t *testing.T) {
	m := newMemBackend(100, 10)
	m.gate, m.entered = make(chan struct{}), make(chan struct{}, 8)
	c, _ := newTestClient(t, m, Options{MaxListings: 2})
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Flows(context.Background(), FlowsRequest{Limit: 5})
			errs <- err
		}()
	}
	<-m.entered
	<-m.entered // both listings are in the backend
	_, err := c.Flows(context.Background(), FlowsRequest{Limit: 5})
	var ae *Error
	if !errors.As(err, &ae) || ae.Status != http.StatusServiceUnavailable || ae.RetryAfter != time.Second ||
		!strings.Contains(ae.Message, "2 flow listings are running (the API allows 2 at once)") {
		t.Errorf("third listing: %v (%+v), want 503 with Retry-After 1", err, ae)
	}
	// Other paths are not held up by listings.
	if _, err := c.Info(context.Background()); err != nil {
		t.Errorf("info during listings: %v", err)
	}
	close(m.gate)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("held listing: %v", err)
		}
	}
	if _, err := c.Flows(context.Background(), FlowsRequest{Limit: 5}); err != nil {
		t.Errorf("after the listings: %v", err)
	}
}

func TestBackendTimeout(t *testing.T) {
	m := newMemBackend(10, 11)
	m.gate, m.entered = make(chan struct{}), make(chan struct{}, 1) // never opens
	c, _ := newTestClient(t, m, Options{RequestTimeout: 20 * time.Millisecond})
	_, err := c.Flows(context.Background(), FlowsRequest{})
	var ae *Error
	if !errors.As(err, &ae) || ae.Status != 503 || !strings.Contains(ae.Message, "did not answer within 20ms") {
		t.Errorf("slow backend: %v", err)
	}
}

func TestResponseSizeBounded(t *testing.T) {
	m := newMemBackend(200, 12)
	c, _ := newTestClient(t, m, Options{MaxResponseBytes: 4000})
	_, err := c.Flows(context.Background(), FlowsRequest{Limit: 100})
	var ae *Error
	if !errors.As(err, &ae) || ae.Status != 500 || !strings.Contains(ae.Message, "exceeds the API's limit of 4000") {
		t.Errorf("large page: %v", err)
	}
	if _, err := c.Flows(context.Background(), FlowsRequest{Limit: 2}); err != nil {
		t.Errorf("small page: %v", err)
	}
}

// lyingBackend answers Flows with a fixed result.
type lyingBackend struct {
	*memBackend
	res FlowResult
}

func (b *lyingBackend) Flows(ctx context.Context, q FlowQuery) (FlowResult, error) { return b.res, nil }

func TestBackendAnswersChecked(t *testing.T) {
	m := newMemBackend(50, 13)
	all := m.allFlows()
	for _, tc := range []struct {
		name string
		res  FlowResult
		msg  string
	}{
		{"too many", FlowResult{Flows: all[:11]}, "backend returned 11 flows for a limit of 10"},
		{"no progress", FlowResult{Flows: all[:1], Next: &FlowCursor{}}, "does not advance"},
	} {
		c, _ := newTestClient(t, &lyingBackend{m, tc.res}, Options{})
		_, err := c.Flows(context.Background(), FlowsRequest{Limit: 10})
		var ae *Error
		if !errors.As(err, &ae) || ae.Status != 500 || !strings.Contains(ae.Message, tc.msg) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

func TestNotFoundMethodParams(t *testing.T) {
	_, base := newTestClient(t, newMemBackend(1, 14), Options{})
	code, body, _ := getRaw(t, base, "/nope")
	if code != 404 || !strings.Contains(body, `no such path \"/nope\"; paths: /info /stats /flows`) {
		t.Errorf("GET /nope: %d %s", code, body)
	}
	resp, err := http.Post(base+"/flows", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 405 || resp.Header.Get("Allow") != "GET" || !strings.Contains(string(b), "read-only") {
		t.Errorf("POST /flows: %d %s", resp.StatusCode, b)
	}
	code, body, _ = getRaw(t, base, "/targets?x=1")
	if code != 400 || !strings.Contains(body, `unknown parameter \"x\": /targets takes none`) {
		t.Errorf("GET /targets?x=1: %d %s", code, body)
	}
}

func TestEventsInOrder(t *testing.T) {
	m := newMemBackend(1, 15)
	for i, k := range []string{EventReload, EventHealth, EventEndpoint, EventWarning, EventHealth} {
		m.events.Append(Event{Kind: k, Message: k, Revision: uint64(i)})
	}
	c, _ := newTestClient(t, m, Options{})
	ctx := context.Background()
	var got []uint64
	var after uint64
	for {
		p, err := c.Events(ctx, EventsRequest{After: after, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Events) == 0 {
			if p.Next != after || p.Latest != 5 {
				t.Errorf("empty page: next %d latest %d", p.Next, p.Latest)
			}
			break
		}
		for _, e := range p.Events {
			got = append(got, e.Seq)
			if e.Time.IsZero() || e.Kind == "" {
				t.Errorf("event %+v not stamped", e)
			}
		}
		after = p.Next
	}
	if !reflect.DeepEqual(got, []uint64{1, 2, 3, 4, 5}) {
		t.Errorf("followed %v", got)
	}
	p, err := c.Events(ctx, EventsRequest{After: 3})
	if err != nil || len(p.Events) != 2 || p.Events[0].Seq != 4 || p.Events[0].Kind != EventWarning {
		t.Errorf("after 3: %+v %v", p, err)
	}
	p, err = c.Events(ctx, EventsRequest{After: 99})
	if err != nil || !p.Reset || len(p.Events) != 5 {
		t.Errorf("after beyond latest: %+v %v", p, err)
	}
	p, err = c.Events(ctx, EventsRequest{Limit: 5000})
	if err != nil || !p.LimitClamped || p.Limit != MaxPageLimit {
		t.Errorf("limit 5000: %+v %v", p, err)
	}
}

func TestEventsLongPollWakes(t *testing.T) {
	m := newMemBackend(1, 16)
	m.events.Append(Event{Kind: EventReload, Message: "first"})
	c, _ := newTestClient(t, m, Options{MaxEventWait: time.Hour})
	done := make(chan *EventPage, 1)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	go func() {
		p, err := c.Events(ctx, EventsRequest{After: 1, Wait: time.Hour})
		if err != nil {
			t.Error(err)
		}
		done <- p
	}()
	// Wait until the handler has read (and found nothing): it then waits on
	// the Wake channel of that read, which the next Append closes.
	for m.eventReads.Load() < 1 {
		time.Sleep(time.Millisecond)
	}
	m.events.Append(Event{Kind: EventHealth, Target: "i-0123456789abcdef0", From: "initial", To: "healthy", Message: "healthy"})
	p := <-done
	if p == nil || len(p.Events) != 1 || p.Events[0].Seq != 2 || p.Events[0].To != "healthy" || p.Next != 2 {
		t.Errorf("woken poll: %+v", p)
	}
}

func TestEventsLongPollTimesOut(t *testing.T) {
	m := newMemBackend(1, 17)
	c, _ := newTestClient(t, m, Options{})
	p, err := c.Events(context.Background(), EventsRequest{Wait: 5 * time.Millisecond})
	if err != nil || len(p.Events) != 0 || p.Next != 0 {
		t.Errorf("poll with nothing to say: %+v %v", p, err)
	}
	if m.eventReads.Load() != 2 {
		t.Errorf("%d reads: want one before and one after the wait", m.eventReads.Load())
	}
	_, base := newTestClient(t, m, Options{})
	for q, msg := range map[string]string{
		"wait=soon": `wait="soon": want a duration`, "wait=-1s": `wait="-1s": want a duration of 0 or more`,
		"after=x": `after="x": want the seq`,
	} {
		if code, body, _ := getRaw(t, base, "/events?"+q); code != 400 || !strings.Contains(body, strings.ReplaceAll(msg, `"`, `\"`)) {
			t.Errorf("%s: %d %s", q, code, body)
		}
	}
}

func TestEventWaitersLimit(t *testing.T) {
	m := newMemBackend(1, 18)
	c, _ := newTestClient(t, m, Options{MaxEventWaiters: 1, MaxEventWait: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	errs := make(chan error, 2)
	for i := 0; i < 2; i++ {
		go func() {
			_, err := c.Events(ctx, EventsRequest{Wait: time.Hour})
			errs <- err
		}()
	}
	// One of the two finds the only wait slot taken and is refused at
	// once; the other waits until an event comes.
	first := <-errs
	var ae *Error
	if !errors.As(first, &ae) || ae.Status != 503 || !strings.Contains(ae.Message, "event waits") {
		t.Errorf("second waiter: %v", first)
	}
	m.events.Append(Event{Kind: EventWarning, Message: "x"})
	if err := <-errs; err != nil {
		t.Errorf("first waiter: %v", err)
	}
}

func TestLookup(t *testing.T) {
	m := newMemBackend(300, 19)
	c, base := newTestClient(t, m, Options{})
	ctx := context.Background()
	var f Flow
	for _, x := range m.allFlows() {
		if x.Proto == 6 && x.Endpoint == testEP {
			f = x
			break
		}
	}
	req := LookupRequest{Endpoint: testEP, Proto: 6, Src: f.Src, Dst: f.Dst}
	res, err := c.Lookup(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := m.Lookup(ctx, req)
	if !reflect.DeepEqual(*res, want) || res.Flow == nil || res.Flow.Cookie != f.Cookie || res.Target == nil || res.Tuple != 5 {
		t.Errorf("lookup:\n got %+v\nwant %+v", *res, want)
	}
	// The reverse direction is the same flow and the same target.
	rev, err := c.Lookup(ctx, LookupRequest{Endpoint: testEP, Proto: 6, Src: f.Dst, Dst: f.Src})
	if err != nil || rev.Flow == nil || rev.Flow.Cookie != f.Cookie || *rev.Target != *res.Target {
		t.Errorf("reverse lookup: %+v %v", rev, err)
	}
	// An endpoint not accepted gets no target.
	res, err = c.Lookup(ctx, LookupRequest{Endpoint: testE2, Proto: 1, Src: f.Src, Dst: f.Dst})
	if err != nil || res.Target != nil || res.Reason != "endpoint_not_available" {
		t.Errorf("pending endpoint: %+v %v", res, err)
	}
	for q, msg := range map[string]string{
		"proto=tcp&src=10.0.0.1:1&dst=10.0.0.2:2":                             "endpoint= is required",
		"endpoint=" + testEP + "&src=10.0.0.1:1&dst=10.0.0.2:2":               "proto= is required",
		"endpoint=" + testEP + "&proto=tcp&src=10.0.0.1&dst=10.0.0.2:2":       `filter src=\"10.0.0.1\": want ADDR:PORT for tcp`,
		"endpoint=" + testEP + "&proto=icmp&src=10.0.0.1:5&dst=10.0.0.2":      `ports do not apply to icmp`,
		"endpoint=" + testEP + "&proto=udp&src=10.0.0.1:5&dst=[fd00::1]:53":   "different address families",
		"endpoint=" + testEP + "&proto=tcp&src=10.0.0.1:1":                    "dst= is required",
		"endpoint=" + testEP + "&proto=tcp&src=10.0.0.1:1&dst=10.0.0.2:2&x=1": `unknown parameter \"x\" for /lookup`,
	} {
		if code, body, _ := getRaw(t, base, "/lookup?"+q); code != 400 || !strings.Contains(body, msg) {
			t.Errorf("%s: %d %s, want 400 with %q", q, code, body, msg)
		}
	}
	// The backend's own *Error keeps its status.
	_, err = c.Lookup(ctx, LookupRequest{Endpoint: "vpce-0000000000000000f", Proto: 6, Src: f.Src, Dst: f.Dst})
	var ae *Error
	if !errors.As(err, &ae) || ae.Status != 404 || !strings.Contains(ae.Message, "not served by this node") {
		t.Errorf("unknown endpoint: %v", err)
	}
}
