package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// maxClientBody bounds what the client reads of one response (above the
// handler's own bound).
const maxClientBody = 2 * DefaultMaxResponseBytes

// Client is a typed client of a node's API. Every method honours its
// context (a long poll's wait should be shorter than the context).
type Client struct {
	socket string // unix socket path; "" for TCP
	addr   string // TCP address when socket is ""
	base   string
	hc     *http.Client
}

// NewClient returns a client of the API on the unix socket path.
func NewClient(socket string) *Client {
	d := &net.Dialer{}
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return d.DialContext(ctx, "unix", socket)
		},
		MaxIdleConns:       2,
		IdleConnTimeout:    DefaultIdleTimeout / 2,
		DisableCompression: true,
	}
	return &Client{socket: socket, base: "http://gwlbctl", hc: &http.Client{Transport: tr}}
}

// NewTCPClient returns a client of an API served on TCP at addr
// (host:port), as tests and the metrics listener use.
func NewTCPClient(addr string) *Client {
	tr := &http.Transport{MaxIdleConns: 2, IdleConnTimeout: DefaultIdleTimeout / 2, DisableCompression: true}
	return &Client{addr: addr, base: "http://" + addr, hc: &http.Client{Transport: tr}}
}

// Close releases the client's idle connections.
func (c *Client) Close() { c.hc.CloseIdleConnections() }

// Errors a client returns when it cannot reach the API (test with
// errors.Is; the error itself says what to do).
var (
	// ErrNotServing: nothing listens (serve is not running, or the path is
	// wrong).
	ErrNotServing = errors.New("no gwlbctl serve is listening")
	// ErrPermission: the socket exists but the user may not use it.
	ErrPermission = errors.New("permission denied on the API socket")
)

// DialError is a failure to reach the API.
type DialError struct {
	// Socket is the socket path (or TCP address).
	Socket string
	// Group is the socket's group (on ErrPermission).
	Group string
	// Kind is ErrNotServing or ErrPermission.
	Kind error
	// Err is the underlying error.
	Err error
}

func (e *DialError) Error() string {
	switch {
	case e.Kind == ErrNotServing:
		return fmt.Sprintf("no gwlbctl serve is listening on %s (is serve running? --node / api.socket)", e.Socket)
	case e.Kind == ErrPermission && e.Group != "":
		return fmt.Sprintf("cannot read %s: join group %s (the socket's group) or run as root", e.Socket, e.Group)
	case e.Kind == ErrPermission:
		return fmt.Sprintf("cannot read %s: its directory is not accessible to you (%v); ask for access or run as root", e.Socket, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Socket, e.Err)
}

func (e *DialError) Is(target error) bool { return target != nil && target == e.Kind }
func (e *DialError) Unwrap() error        { return e.Err }

// dialError explains err from reaching the API.
func (c *Client) dialError(err error) error {
	where := c.socket
	if where == "" {
		where = c.addr
	}
	switch {
	case errors.Is(err, syscall.ENOENT), errors.Is(err, syscall.ECONNREFUSED):
		return &DialError{Socket: where, Kind: ErrNotServing, Err: err}
	case errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM):
		e := &DialError{Socket: where, Kind: ErrPermission, Err: err}
		if fi, serr := os.Stat(c.socket); serr == nil {
			if st, ok := fi.Sys().(*syscall.Stat_t); ok {
				e.Group = groupName(int(st.Gid))
			}
		}
		return e
	}
	return err
}

func (c *Client) get(ctx context.Context, path string, q url.Values, v any) error {
	u := c.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %w", path, ctx.Err())
		}
		return c.dialError(err)
	}
	defer resp.Body.Close()
	body := io.LimitReader(resp.Body, maxClientBody)
	if resp.StatusCode != http.StatusOK {
		return responseError(resp, body)
	}
	if b, ok := v.(*[]byte); ok {
		*b, err = io.ReadAll(body)
		return err
	}
	if err := json.NewDecoder(body).Decode(v); err != nil {
		return fmt.Errorf("%s: reading the node's answer: %w", path, err)
	}
	return nil
}

func responseError(resp *http.Response, body io.Reader) error {
	e := &Error{Status: resp.StatusCode}
	if s := resp.Header.Get("Retry-After"); s != "" {
		if n, err := strconv.Atoi(s); err == nil {
			e.RetryAfter = time.Duration(n) * time.Second
		}
	}
	raw, _ := io.ReadAll(io.LimitReader(body, 64<<10))
	var eb ErrorBody
	if json.Unmarshal(raw, &eb) == nil && eb.Error != "" {
		e.Message = eb.Error
	} else {
		e.Message = fmt.Sprintf("node answered %s: %s", resp.Status, strings.TrimSpace(string(raw)))
	}
	return e
}

// Info is GET /info.
func (c *Client) Info(ctx context.Context) (*Info, error) {
	var v Info
	return &v, c.get(ctx, PathInfo, nil, &v)
}

// Stats is GET /stats.
func (c *Client) Stats(ctx context.Context) (*Stats, error) {
	var v Stats
	return &v, c.get(ctx, PathStats, nil, &v)
}

// FlowsRequest is one GET /flows.
type FlowsRequest struct {
	Filter FlowFilter
	// Sort asks for the top Limit flows (no paging).
	Sort FlowSort
	// Limit is the page size (0: the node's default; more than the
	// maximum is clamped).
	Limit int
	// Cursor is the previous page's NextCursor ("": the first page).
	Cursor string
}

// Values is the request as query parameters.
func (r *FlowsRequest) Values() url.Values {
	v := r.Filter.Values()
	if r.Sort != SortNone {
		v.Set("sort", r.Sort.String())
	}
	if r.Limit > 0 {
		v.Set("limit", strconv.Itoa(r.Limit))
	}
	if r.Cursor != "" {
		v.Set("cursor", r.Cursor)
	}
	return v
}

// Flows is GET /flows.
func (c *Client) Flows(ctx context.Context, r FlowsRequest) (*FlowPage, error) {
	var v FlowPage
	return &v, c.get(ctx, PathFlows, r.Values(), &v)
}

// Targets is GET /targets.
func (c *Client) Targets(ctx context.Context) ([]Target, error) {
	var v TargetList
	err := c.get(ctx, PathTargets, nil, &v)
	return v.Targets, err
}

// Endpoints is GET /endpoints.
func (c *Client) Endpoints(ctx context.Context) ([]Endpoint, error) {
	var v EndpointList
	err := c.get(ctx, PathEndpoints, nil, &v)
	return v.Endpoints, err
}

// EventsRequest is one GET /events.
type EventsRequest struct {
	// After is the Seq of the last event seen (0: from the oldest kept).
	After uint64
	// Limit is the page size (0: the node's default).
	Limit int
	// Wait, when there is no event after After yet, waits up to this long
	// for one (bounded by the node).
	Wait time.Duration
}

// Events is GET /events. To follow the node, pass each page's Next as the
// next request's After.
func (c *Client) Events(ctx context.Context, r EventsRequest) (*EventPage, error) {
	q := url.Values{}
	q.Set("after", strconv.FormatUint(r.After, 10))
	if r.Limit > 0 {
		q.Set("limit", strconv.Itoa(r.Limit))
	}
	if r.Wait > 0 {
		q.Set("wait", r.Wait.String())
	}
	var v EventPage
	return &v, c.get(ctx, PathEvents, q, &v)
}

// Lookup is GET /lookup: which target the flow gets.
func (c *Client) Lookup(ctx context.Context, r LookupRequest) (*LookupResult, error) {
	var v LookupResult
	return &v, c.get(ctx, PathLookup, r.Values(), &v)
}

// Metrics is GET /metrics: the Prometheus text exposition.
func (c *Client) Metrics(ctx context.Context) ([]byte, error) {
	var b []byte
	return b, c.get(ctx, PathMetrics, nil, &b)
}
