package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Paths of the API.
const (
	PathInfo      = "/info"
	PathStats     = "/stats"
	PathFlows     = "/flows"
	PathTargets   = "/targets"
	PathEndpoints = "/endpoints"
	PathEvents    = "/events"
	PathLookup    = "/lookup"
	PathMetrics   = "/metrics"
)

var paths = []string{PathInfo, PathStats, PathFlows, PathTargets, PathEndpoints, PathEvents, PathLookup, PathMetrics, PathNodes}

// Limits of the handler. They are enforced here, whatever the backend
// does.
const (
	// DefaultMaxListings is how many GET /flows run at once.
	DefaultMaxListings = 2
	// DefaultMaxRequests is how many other requests run at once.
	DefaultMaxRequests = 16
	// DefaultMaxEventWaiters is how many GET /events long polls wait at
	// once.
	DefaultMaxEventWaiters = 16
	// DefaultRequestTimeout bounds each backend call.
	DefaultRequestTimeout = 5 * time.Second
	// DefaultMaxEventWait bounds a long poll's wait=.
	DefaultMaxEventWait = 30 * time.Second
	// DefaultMaxResponseBytes bounds a response body.
	DefaultMaxResponseBytes = 8 << 20
	// DefaultRetryAfter is the Retry-After of a 503.
	DefaultRetryAfter = time.Second
)

// Options tune the handler; zero fields take the defaults above.
type Options struct {
	// PageLimit is the maximum flows or events per response (at most
	// MaxPageLimit); a larger limit= is clamped and the response says so.
	PageLimit int
	// MaxListings bounds concurrent GET /flows; more get 503 with
	// Retry-After.
	MaxListings int
	// MaxRequests bounds concurrent requests of the other paths (an event
	// long poll does not hold one while it waits).
	MaxRequests int
	// MaxEventWaiters bounds concurrent GET /events long polls.
	MaxEventWaiters int
	// RequestTimeout bounds each backend call; a call that takes longer is
	// answered 503.
	RequestTimeout time.Duration
	// MaxEventWait bounds wait= of GET /events.
	MaxEventWait time.Duration
	// MaxResponseBytes bounds a response body; a larger one is refused
	// with 500 rather than sent.
	MaxResponseBytes int
	// RetryAfter is the Retry-After of a 503.
	RetryAfter time.Duration
	// Log receives server-side failures (nil: slog.Default()).
	Log *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.PageLimit <= 0 || o.PageLimit > MaxPageLimit {
		o.PageLimit = MaxPageLimit
	}
	if o.MaxListings <= 0 {
		o.MaxListings = DefaultMaxListings
	}
	if o.MaxRequests <= 0 {
		o.MaxRequests = DefaultMaxRequests
	}
	if o.MaxEventWaiters <= 0 {
		o.MaxEventWaiters = DefaultMaxEventWaiters
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = DefaultRequestTimeout
	}
	if o.MaxEventWait <= 0 {
		o.MaxEventWait = DefaultMaxEventWait
	}
	if o.MaxResponseBytes <= 0 {
		o.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if o.RetryAfter <= 0 {
		o.RetryAfter = DefaultRetryAfter
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return o
}

type handler struct {
	b        Backend
	o        Options
	mux      *http.ServeMux
	listings semaphore
	requests semaphore
	waiters  semaphore
	// niceFailed is set once a listing's thread priority could not be
	// set (logged once).
	niceFailed atomic.Bool
}

// semaphore is a counting semaphore that never blocks.
type semaphore chan struct{}

func (s semaphore) tryAcquire() bool {
	select {
	case s <- struct{}{}:
		return true
	default:
		return false
	}
}

func (s semaphore) release() { <-s }

// NewHandler serves the API of b (paths above; see the package doc).
func NewHandler(b Backend, o Options) http.Handler {
	o = o.withDefaults()
	h := &handler{
		b: b, o: o, mux: http.NewServeMux(),
		listings: make(semaphore, o.MaxListings),
		requests: make(semaphore, o.MaxRequests),
		waiters:  make(semaphore, o.MaxEventWaiters),
	}
	h.route(PathInfo, h.requests, nil, func(ctx context.Context, _ url.Values) (any, error) {
		info, err := b.Info(ctx)
		return &info, err
	})
	h.route(PathStats, h.requests, nil, func(ctx context.Context, _ url.Values) (any, error) {
		s, err := b.Stats(ctx)
		return &s, err
	})
	h.route(PathTargets, h.requests, nil, func(ctx context.Context, _ url.Values) (any, error) {
		ts, err := b.Targets(ctx)
		return &TargetList{Targets: orEmpty(ts)}, err
	})
	h.route(PathEndpoints, h.requests, nil, func(ctx context.Context, _ url.Values) (any, error) {
		es, err := b.Endpoints(ctx)
		return &EndpointList{Endpoints: orEmpty(es)}, err
	})
	h.route(PathFlows, h.listings, flowParams, h.flows)
	h.route(PathLookup, h.requests, lookupParams, func(ctx context.Context, q url.Values) (any, error) {
		req, err := ParseLookupValues(q)
		if err != nil {
			return nil, badRequest(err)
		}
		res, err := b.Lookup(ctx, req)
		return &res, err
	})
	h.mux.HandleFunc("GET "+PathEvents, h.events)
	h.routeNodes()
	metrics := MetricsHandler(b, o)
	h.mux.HandleFunc("GET "+PathMetrics, func(w http.ResponseWriter, r *http.Request) {
		if !h.requests.tryAcquire() {
			h.busy(w, "requests", o.MaxRequests)
			return
		}
		defer h.requests.release()
		metrics.ServeHTTP(w, r)
	})
	h.mux.HandleFunc("/", h.notFound)
	return h
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

var (
	flowParams   = append([]string{"limit", "cursor", "sort"}, filterKeys...)
	lookupParams = []string{"endpoint", "proto", "src", "dst"}
	eventParams  = []string{"after", "limit", "wait"}
)

// route registers GET path: check the parameters, take a slot of sem, call
// fn with a bounded context, write its answer.
func (h *handler) route(path string, sem semaphore, params []string, fn func(context.Context, url.Values) (any, error)) {
	h.mux.HandleFunc("GET "+path, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if err := checkParams(path, q, params); err != nil {
			h.writeError(w, badRequest(err))
			return
		}
		if !sem.tryAcquire() {
			what := "requests"
			if path == PathFlows {
				what = "flow listings"
			}
			h.busy(w, what, cap(sem))
			return
		}
		// A page's slot is given back just before its last bytes go out,
		// so that a client that asks for the next page on reading them
		// finds it free.
		released := false
		release := func() {
			if !released {
				released = true
				sem.release()
			}
		}
		defer release()
		ctx, cancel := context.WithTimeout(r.Context(), h.o.RequestTimeout)
		defer cancel()
		abort := false
		answer := func() {
			v, err := fn(ctx, q)
			if err != nil {
				h.backendError(w, ctx, path, err)
				return
			}
			if p, ok := v.(*FlowPage); ok {
				abort = h.writeFlowPage(w, p, release)
				releasePage(p.Flows)
				return
			}
			h.writeJSON(w, http.StatusOK, v)
		}
		if path != PathFlows {
			answer()
			return
		}
		if !inBackground(answer) && !h.niceFailed.Swap(true) {
			h.o.Log.Warn("api: flow listings run at the process's own priority: setting a thread's nice failed", "nice", ListingNice)
		}
		if abort {
			panic(http.ErrAbortHandler) // net/http cuts the connection, without a stack trace
		}
	})
}

// ListingNice is the nice value of the thread a flow listing runs on:
// ranking, converting and encoding up to a page of flows is bulk work,
// and on the main lcore's CPU it must yield at once to what forwarding
// needs there (the kernel's side of the ports, health checks, reloads).
// TestAPIListingLoad measures what listings still cost the packets.
const ListingNice = 10

func (h *handler) notFound(w http.ResponseWriter, r *http.Request) {
	if slices.Contains(paths, r.URL.Path) {
		w.Header().Set("Allow", "GET")
		h.writeError(w, errorf(http.StatusMethodNotAllowed, "%s %s: the API is read-only; use GET", r.Method, r.URL.Path))
		return
	}
	h.writeError(w, errorf(http.StatusNotFound, "no such path %q; paths: %s", r.URL.Path, strings.Join(paths, " ")))
}

func checkParams(path string, q url.Values, allowed []string) error {
	for k, vs := range q {
		if !slices.Contains(allowed, k) {
			if len(allowed) == 0 {
				return fmt.Errorf("unknown parameter %q: %s takes none", k, path)
			}
			return fmt.Errorf("unknown parameter %q for %s; parameters: %s", k, path, strings.Join(allowed, ", "))
		}
		if len(vs) > 1 && !slices.Contains(filterKeys, k) {
			return fmt.Errorf("parameter %q given %d times: give it once", k, len(vs))
		}
	}
	return nil
}

// pageLimit parses limit= (default def), clamped to the page maximum.
func (h *handler) pageLimit(s string, def int) (limit, requested int, err error) {
	if s == "" {
		return min(def, h.o.PageLimit), 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, 0, fmt.Errorf("limit=%q: want a number 1 or more (at most %d per page)", s, h.o.PageLimit)
	}
	if n > h.o.PageLimit {
		return h.o.PageLimit, n, nil
	}
	return n, 0, nil
}

func (h *handler) flows(ctx context.Context, q url.Values) (any, error) {
	limit, requested, err := h.pageLimit(q.Get("limit"), DefaultPageLimit)
	if err != nil {
		return nil, badRequest(err)
	}
	sort, err := ParseFlowSort(q.Get("sort"))
	if err != nil {
		return nil, badRequest(err)
	}
	filter, err := FlowFilterFromValues(q)
	if err != nil {
		return nil, badRequest(err)
	}
	cursor := q.Get("cursor")
	if cursor != "" && sort != SortNone {
		return nil, badRequest(errors.New("cursor= and sort= do not go together: a top-N listing is one page; drop cursor"))
	}
	info, err := h.b.Info(ctx)
	if err != nil {
		return nil, err
	}
	run, fh := info.StartedAt.UnixNano(), filterHash(&filter)
	var after FlowCursor
	if cursor != "" {
		if after, err = decodeCursor(cursor, run, fh); err != nil {
			return nil, badRequest(err)
		}
	}
	res, err := h.b.Flows(ctx, FlowQuery{Filter: filter, Sort: sort, Limit: limit, After: after})
	if err != nil {
		return nil, err
	}
	if len(res.Flows) > limit {
		return nil, fmt.Errorf("backend returned %d flows for a limit of %d", len(res.Flows), limit)
	}
	if res.Next != nil && !after.less(*res.Next) {
		return nil, fmt.Errorf("backend's next position %+v does not advance past %+v", *res.Next, after)
	}
	p := &FlowPage{
		Flows: orEmpty(res.Flows), Sort: sort.String(), Filter: filter.String(),
		Limit: limit, LimitClamped: requested > 0, RequestedLimit: requested, Partial: res.Partial,
	}
	for i := range p.Flows {
		p.Flows[i].PPS, p.Flows[i].BPS = p.Flows[i].MeanRates()
	}
	if res.Next != nil && sort == SortNone {
		p.NextCursor = encodeCursor(run, fh, *res.Next)
	}
	return p, nil
}

// events serves GET /events?after=N&limit=N&wait=D: the events after N; with
// wait, when there are none yet, it waits up to D (bounded by
// MaxEventWait) for the next one.
func (h *handler) events(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := checkParams(PathEvents, q, eventParams); err != nil {
		h.writeError(w, badRequest(err))
		return
	}
	var after uint64
	if s := q.Get("after"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			h.writeError(w, badRequest(fmt.Errorf("after=%q: want the seq of the last event seen (0 for the oldest kept)", s)))
			return
		}
		after = n
	}
	limit, requested, err := h.pageLimit(q.Get("limit"), DefaultPageLimit)
	if err != nil {
		h.writeError(w, badRequest(err))
		return
	}
	wait, err := parseWait(q.Get("wait"), h.o.MaxEventWait)
	if err != nil {
		h.writeError(w, badRequest(err))
		return
	}
	read := func() (EventPage, bool) {
		if !h.requests.tryAcquire() {
			h.busy(w, "requests", h.o.MaxRequests)
			return EventPage{}, false
		}
		defer h.requests.release()
		ctx, cancel := context.WithTimeout(r.Context(), h.o.RequestTimeout)
		defer cancel()
		p, err := h.b.Events(ctx, after, limit)
		if err != nil {
			h.backendError(w, ctx, PathEvents, err)
			return p, false
		}
		if len(p.Events) > limit {
			h.backendError(w, ctx, PathEvents, fmt.Errorf("backend returned %d events for a limit of %d", len(p.Events), limit))
			return p, false
		}
		return p, true
	}
	p, ok := read()
	if !ok {
		return
	}
	if len(p.Events) == 0 && !p.Reset && wait > 0 && p.Wake != nil {
		if !h.waiters.tryAcquire() {
			h.busy(w, "event waits", h.o.MaxEventWaiters)
			return
		}
		t := time.NewTimer(wait)
		select {
		case <-p.Wake:
		case <-t.C:
		case <-r.Context().Done():
		}
		t.Stop()
		h.waiters.release()
		if r.Context().Err() != nil {
			return
		}
		if p, ok = read(); !ok {
			return
		}
	}
	p.Events = orEmpty(p.Events)
	p.Limit, p.LimitClamped, p.RequestedLimit = limit, requested > 0, requested
	h.writeJSON(w, http.StatusOK, &p)
}

// parseWait reads wait= as a duration ("10s", "500ms") or whole seconds
// ("10"), clamped to max.
func parseWait(s string, max time.Duration) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		n, err2 := strconv.ParseUint(s, 10, 32)
		if err2 != nil {
			return 0, fmt.Errorf("wait=%q: want a duration such as 30s or 500ms (at most %v)", s, max)
		}
		d = time.Duration(n) * time.Second
	}
	if d < 0 {
		return 0, fmt.Errorf("wait=%q: want a duration of 0 or more", s)
	}
	return min(d, max), nil
}

// busy answers 503: too many requests of one kind at once.
func (h *handler) busy(w http.ResponseWriter, what string, max int) {
	e := errorf(http.StatusServiceUnavailable, "node busy: %d %s are running (the API allows %d at once); retry after %v", max, what, max, h.o.RetryAfter)
	e.RetryAfter = h.o.RetryAfter
	h.writeError(w, e)
}

func (h *handler) backendError(w http.ResponseWriter, ctx context.Context, path string, err error) {
	var e *Error
	switch {
	case errors.As(err, &e):
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		e = errorf(http.StatusServiceUnavailable, "%s: the node did not answer within %v; retry after %v", path, h.o.RequestTimeout, h.o.RetryAfter)
		e.RetryAfter = h.o.RetryAfter
	default:
		h.o.Log.Warn("api: backend", "path", path, "err", err)
		e = errorf(http.StatusInternalServerError, "%s: %v", path, err)
	}
	h.writeError(w, e)
}

func (h *handler) writeError(w http.ResponseWriter, e *Error) {
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(e.RetryAfter.Seconds()))))
	}
	h.writeJSON(w, e.Status, &ErrorBody{Error: e.Message})
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

// maxPooledBuffer is the largest buffer kept for reuse, so a rare large
// response does not pin its memory.
const maxPooledBuffer = 1 << 20

func (h *handler) writeJSON(w http.ResponseWriter, status int, v any) {
	bp := bufPool.Get().(*[]byte)
	b := (*bp)[:0]
	defer func() {
		if cap(b) <= maxPooledBuffer {
			*bp = b[:0]
			bufPool.Put(bp)
		}
	}()
	enc, err := json.Marshal(v)
	if err != nil {
		h.o.Log.Warn("api: encode", "err", err)
		status, enc = http.StatusInternalServerError, []byte(`{"error":"cannot encode the response"}`)
	}
	b = append(append(b, enc...), '\n')
	h.writeBody(w, status, b, nil)
}

// writeBody sends b (a JSON document and a newline) with its length, or a
// 500 in its place when it is a 200 larger than MaxResponseBytes; last,
// when not nil, runs just before the body is written.
func (h *handler) writeBody(w http.ResponseWriter, status int, b []byte, last func()) {
	if len(b) > h.o.MaxResponseBytes && status == http.StatusOK {
		h.o.Log.Warn("api: response too large", "bytes", len(b), "max", h.o.MaxResponseBytes)
		msg, _ := json.Marshal(&ErrorBody{Error: fmt.Sprintf("response of %d bytes exceeds the API's limit of %d", len(b), h.o.MaxResponseBytes)})
		status, b = http.StatusInternalServerError, append(msg, '\n')
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	if last != nil {
		last()
	}
	_, _ = w.Write(b)
}

// flowChunk is how much of a flow page is encoded before any of it is
// sent. A page that fits is sent whole with its length (and refused when
// larger than MaxResponseBytes); a larger one is sent as it is encoded,
// about flowChunk at a time, so that a listing holds one chunk of JSON
// rather than the whole page (about 290 KB for 1000 flows).
const flowChunk = 64 << 10

// writeFlowPage sends p, calling last just before its last bytes. It
// reports true when a streamed page grew past MaxResponseBytes: the status
// is sent by then, so the caller must abort the connection (the client
// sees a cut response, not a short page).
func (h *handler) writeFlowPage(w http.ResponseWriter, p *FlowPage, last func()) (abort bool) {
	bp := bufPool.Get().(*[]byte)
	b := (*bp)[:0]
	defer func() {
		if cap(b) <= maxPooledBuffer {
			*bp = b[:0]
			bufPool.Put(bp)
		}
	}()
	i := 0
	encode := func() {
		for ; i < len(p.Flows) && len(b) < flowChunk; i++ {
			b = appendFlowPageItem(b, p, i)
		}
		if i == len(p.Flows) {
			b = append(appendFlowPageTail(b, p), '\n')
		}
	}
	b = appendFlowPageHead(b, p)
	encode()
	if i == len(p.Flows) || len(b) > h.o.MaxResponseBytes {
		h.writeBody(w, http.StatusOK, b, last)
		return false
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	for sent := 0; ; {
		if i == len(p.Flows) {
			last()
		}
		if _, err := w.Write(b); err != nil {
			return false // the client went away
		}
		sent += len(b)
		if i == len(p.Flows) {
			return false
		}
		b = b[:0]
		encode()
		if sent+len(b) > h.o.MaxResponseBytes {
			h.o.Log.Warn("api: flow page too large; its connection is cut", "bytes", sent+len(b), "max", h.o.MaxResponseBytes)
			return true
		}
	}
}
