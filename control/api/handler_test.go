package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
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

// niceBackend records the nice value of the thread each call runs on.
type niceBackend struct {
	*memBackend
	flows, stats atomic.Int64
}

func (n *niceBackend) Flows(ctx context.Context, q FlowQuery) (FlowResult, error) {
	v, err := threadNice()
	if err != nil {
		return FlowResult{}, err
	}
	n.flows.Store(int64(v))
	return n.memBackend.Flows(ctx, q)
}

func (n *niceBackend) Stats(ctx context.Context) (Stats, error) {
	v, err := threadNice()
	if err != nil {
		return Stats{}, err
	}
	n.stats.Store(int64(v))
	return n.memBackend.Stats(ctx)
}

// TestListingsRunAtListingNice: a flow listing runs on a thread at nice
// ListingNice; other requests at the process's own.
func TestListingsRunAtListingNice(t *testing.T) {
	own, err := threadNice()
	if err != nil {
		t.Fatal(err)
	}
	if own >= ListingNice {
		t.Skipf("the test runs at nice %d already, not below ListingNice (%d)", own, ListingNice)
	}
	b := &niceBackend{memBackend: newMemBackend(100, 3)}
	b.flows.Store(-100)
	b.stats.Store(-100)
	c, _ := newTestClient(t, b, Options{})
	for range 3 { // on one connection: the handler's goroutine keeps its priority
		if _, err := c.Flows(context.Background(), FlowsRequest{Sort: SortBytes, Limit: 5}); err != nil {
			t.Fatal(err)
		}
		if got := b.flows.Load(); got != ListingNice {
			t.Fatalf("a flow listing ran at nice %d, want %d", got, ListingNice)
		}
		if _, err := c.Stats(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := b.stats.Load(); got != int64(own) {
			t.Fatalf("GET /stats after a listing ran at nice %d, want the process's %d", got, own)
		}
	}
}

// TestLargeFlowPageIsStreamed: a page larger than flowChunk is sent as it
// is encoded (no Content-Length), byte for byte what appendFlowPage makes
// of it; a small page is sent whole with its length; a streamed page that
// grows past MaxResponseBytes has its connection cut, so the client sees
// an error rather than a short page.
func TestLargeFlowPageIsStreamed(t *testing.T) {
	m := newMemBackend(1500, 4)
	_, base := newTestClient(t, m, Options{})
	get := func(base, q string) (*http.Response, []byte, error) {
		resp, err := http.Get(base + PathFlows + q)
		if err != nil {
			return nil, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp, b, err
	}
	resp, body, err := get(base, "?limit=1000")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("a page of 1000: %v %v", resp, err)
	}
	if resp.ContentLength != -1 || len(body) <= flowChunk {
		t.Errorf("a page of %d bytes came with Content-Length %d, want it streamed", len(body), resp.ContentLength)
	}
	var p FlowPage
	if err := json.Unmarshal(body, &p); err != nil || len(p.Flows) != 1000 {
		t.Fatalf("the streamed page: %d flows, %v", len(p.Flows), err)
	}
	if want := append(appendFlowPage(nil, &p), '\n'); string(body) != string(want) {
		t.Errorf("the streamed page differs from appendFlowPage's encoding of it (%d bytes, want %d)", len(body), len(want))
	}
	resp, body, err = get(base, "?limit=10")
	if err != nil || resp.StatusCode != 200 || resp.ContentLength != int64(len(body)) {
		t.Errorf("a page of 10: Content-Length %d for %d bytes, %v", resp.ContentLength, len(body), err)
	}

	_, small := newTestClient(t, m, Options{MaxResponseBytes: 100 << 10})
	if resp, body, err := get(small, "?limit=1000"); err == nil {
		t.Errorf("a page past MaxResponseBytes came through: status %d, %d bytes", resp.StatusCode, len(body))
	}
}

// threadNice is the calling thread's nice value.
func threadNice() (int, error) {
	// getpriority(2) returns 20-nice, as the raw system call does.
	p, err := syscall.Getpriority(syscall.PRIO_PROCESS, syscall.Gettid())
	return 20 - p, err
}
