package api

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// Backend is what a node implements for the API: each method is one
// snapshot read, and the handler (NewHandler) does the rest — parsing,
// validation, limits, paging cursors, encoding, metrics.
//
// Contract, for every method:
//   - It is called from the API's goroutines, never from a worker; it must
//     not slow the workers (read per-worker counters and snapshots, take no
//     lock a worker takes per packet) and must honour ctx (the handler
//     bounds each request in time).
//   - Counters are cumulative since the node started and never decrease
//     while it runs: a reload, a new snapshot or a port restart must not
//     reset them (keep a base and add to it). Prometheus counters and
//     RateTracker rates depend on it. A target or endpoint that leaves the
//     configuration may leave the answers; when it comes back its counters
//     continue from where they were.
//   - Gauges (active flows, health, states) are the current values.
//   - Rates (Rates fields) come from a RateTracker the backend samples
//     periodically, never from per-packet work.
//   - An error that is the caller's fault is returned as an *Error with
//     its Status (400, 404); any other error becomes a 500 naming it.
type Backend interface {
	// Info is the node's identity and the revision each worker runs.
	Info(ctx context.Context) (Info, error)
	// Stats are all counters.
	Stats(ctx context.Context) (Stats, error)
	// Flows answers a listing (see FlowQuery, FlowResult). A backend that
	// walks tables in position order implements it with a Listing. A flow
	// live for the whole of a paged walk must appear exactly once; flows
	// that start or end during it may appear or not. On ctx expiry a
	// backend may return what it found with Listing.Stop at the position
	// reached.
	Flows(ctx context.Context, q FlowQuery) (FlowResult, error)
	// Targets are the targets of the load balancer's target group, with
	// health and counters.
	Targets(ctx context.Context) ([]Target, error)
	// Endpoints are the endpoints the node serves, with state and counters.
	Endpoints(ctx context.Context) ([]Endpoint, error)
	// Events returns up to limit events with Seq > after (an EventLog's
	// Read).
	Events(ctx context.Context, after uint64, limit int) (EventPage, error)
	// Lookup says which target a flow gets.
	Lookup(ctx context.Context, r LookupRequest) (LookupResult, error)
}

// Error is an error answer of the API: the client returns one for every
// non-2xx response, and a backend returns one to choose the status. The
// message says what was wrong and what to do.
type Error struct {
	// Status is the HTTP status.
	Status int
	// Message is the server's message.
	Message string
	// RetryAfter is the server's Retry-After on a 503 (0: none).
	RetryAfter time.Duration
}

func (e *Error) Error() string { return e.Message }

func errorf(status int, format string, args ...any) *Error {
	return &Error{Status: status, Message: fmt.Sprintf(format, args...)}
}

func badRequest(err error) *Error {
	return &Error{Status: http.StatusBadRequest, Message: err.Error()}
}
