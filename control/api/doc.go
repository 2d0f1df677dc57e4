// Package api owns a node's local API: the wire types (JSON, snake_case
// names), the HTTP handler over the Backend interface a node implements,
// the unix socket it is served on, a typed client, and the Prometheus
// exposition of the same counters.
//
// # Paths (all GET; JSON unless noted)
//
//	/info       Info: version, node id, load balancer, zone, uptime, the
//	            revision of the published snapshot and of each worker
//	/stats      Stats: totals, drops by reason, endpoints, targets, ports
//	            (PMD counters and xstats), workers
//	/flows      FlowPage: ?limit=N&cursor=C (paged), or ?sort=bytes|
//	            packets|rate|age&limit=N (top N), with filter parameters
//	/targets    TargetList: health, reason, since, flows, counters, rates
//	/endpoints  EndpointList: state, counters, rates
//	/events     EventPage: ?after=SEQ&limit=N&wait=30s (long poll)
//	/lookup     LookupResult: ?endpoint=vpce-..&proto=tcp&src=A:P&dst=A:P
//	/metrics    Prometheus text exposition (see Metrics)
//
// Errors are a status with {"error": "what was wrong and what to do"}:
// 400 for a bad parameter (unknown key, bad filter, foreign cursor), 404
// for an unknown path, 405 for a method other than GET, 503 with
// Retry-After when too many requests of a kind run at once or the backend
// does not answer in time, 500 when the node fails.
//
// # Flows: paging, top N, filters
//
// A paged listing walks the node's flow tables in their order: each page
// has at most limit flows (default DefaultPageLimit; a limit above the
// node's maximum, MaxPageLimit at most, is clamped and the page says
// limit_clamped) and a next_cursor while there is more. Following the
// cursors visits every flow that lives through the walk exactly once; flows
// that start or end meanwhile may or may not appear. A page can be short,
// even empty, and still have a cursor: follow it. A cursor is opaque and
// valid only for the node's run and the filter it was issued with.
//
// sort= returns one page: the top limit flows by bytes or packets (both
// directions), mean rate, or age, largest first, over every flow matching
// the filter.
//
// Filters are query parameters (see FlowFilter for the text syntax a
// person types, which the client turns into these):
//
//	endpoint=vpce-...       target=i-...|IP         addr=IP|PREFIX
//	src=IP|PREFIX           dst=IP|PREFIX           proto=tcp|udp|...|N
//	port=N|LO-HI
//
// Values separated by commas, or a repeated parameter, are alternatives;
// different keys must all match.
//
// # Events
//
// Events are numbered from 1 per node run. GET /events?after=N returns
// those after N, oldest first, and next (the after of the following
// request). With wait=D and nothing new, the request waits up to D (at
// most the node's bound) for the next event. A page says missed when the
// node's bounded log no longer holds some events the client had not seen,
// and reset when after is beyond the newest event (the node restarted).
//
// # Limits
//
// The handler enforces its own limits, whatever the backend does: a hard
// page maximum, a bounded number of concurrent listings, requests and long
// polls (503 with Retry-After beyond), a timeout on every backend call, a
// bound on every response's size; the server (NewHTTPServer) bounds header
// reading and closes idle keep-alive connections.
package api
