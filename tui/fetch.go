package tui

import (
	"context"
	"errors"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/gwlbctl/gwlbctl/control/api"
)

// Source is the node API the dashboard reads; *api.Client is one.
type Source interface {
	Info(context.Context) (*api.Info, error)
	Stats(context.Context) (*api.Stats, error)
	Flows(context.Context, api.FlowsRequest) (*api.FlowPage, error)
	Events(context.Context, api.EventsRequest) (*api.EventPage, error)
	Lookup(context.Context, api.LookupRequest) (*api.LookupResult, error)
}

var _ Source = (*api.Client)(nil)

// kind is one kind of request; at most one of each is in flight.
type kind uint8

const (
	kindInfo kind = iota
	kindStats
	kindFlows
	kindEvents
	kindLookup
	numKinds
)

var kindNames = [numKinds]string{"info", "stats", "flows", "events", "lookup"}

func (k kind) String() string { return kindNames[k] }

// Request bounds.
const (
	// requestTimeout bounds each request but the events long poll.
	requestTimeout = 10 * time.Second
	// eventsWait is the events long poll's wait; eventsLimit its page.
	eventsWait  = 10 * time.Second
	eventsLimit = 200
)

// Messages: a tick, and each kind's answer.
type (
	tickMsg struct{}
	infoMsg struct {
		info *api.Info
		err  error
	}
	statsMsg struct {
		stats *api.Stats
		err   error
	}
	flowsMsg struct {
		q    flowQuery
		page *api.FlowPage
		err  error
	}
	eventsMsg struct {
		after uint64
		page  *api.EventPage
		err   error
	}
	lookupMsg struct {
		req api.LookupRequest
		res *api.LookupResult
		err error
	}
)

// requests are the last request of each kind sent and how many were sent
// (the dashboard's own record, which tests read).
type requests struct {
	sent        [numKinds]int
	flows       flowQuery
	eventsAfter uint64
	lookup      api.LookupRequest
}

func (m *Model) tick() tea.Cmd {
	return tea.Tick(m.interval, func(time.Time) tea.Msg { return tickMsg{} })
}

// fetch sends a request of kind k unless one is in flight (nil then, and
// when there is no source).
func (m *Model) fetch(k kind) tea.Cmd {
	if m.src == nil || m.inflight[k] {
		return nil
	}
	src, parent := m.src, m.ctx
	bounded := func() (context.Context, context.CancelFunc) { return context.WithTimeout(parent, requestTimeout) }
	var cmd tea.Cmd
	switch k {
	case kindInfo:
		cmd = func() tea.Msg {
			ctx, cancel := bounded()
			defer cancel()
			i, err := src.Info(ctx)
			return infoMsg{i, err}
		}
	case kindStats:
		cmd = func() tea.Msg {
			ctx, cancel := bounded()
			defer cancel()
			s, err := src.Stats(ctx)
			return statsMsg{s, err}
		}
	case kindFlows:
		q, flt := m.flows.query(), m.filterParsed
		m.req.flows = q
		cmd = func() tea.Msg {
			ctx, cancel := bounded()
			defer cancel()
			p, err := src.Flows(ctx, api.FlowsRequest{Filter: flt, Sort: q.sort, Limit: q.limit})
			return flowsMsg{q, p, err}
		}
	case kindEvents:
		after := m.eventsAfter
		m.req.eventsAfter = after
		cmd = func() tea.Msg {
			ctx, cancel := context.WithTimeout(parent, eventsWait+requestTimeout)
			defer cancel()
			p, err := src.Events(ctx, api.EventsRequest{After: after, Limit: eventsLimit, Wait: eventsWait})
			return eventsMsg{after, p, err}
		}
	case kindLookup:
		if m.detail.kind != detailFlow {
			return nil
		}
		req := m.detail.req
		m.req.lookup = req
		cmd = func() tea.Msg {
			ctx, cancel := bounded()
			defer cancel()
			r, err := src.Lookup(ctx, req)
			return lookupMsg{req, r, err}
		}
	}
	m.inflight[k] = true
	m.req.sent[k]++
	return cmd
}

// fetchAll sends every kind not in flight.
func (m *Model) fetchAll() tea.Cmd {
	cmds := make([]tea.Cmd, 0, numKinds)
	for k := range numKinds {
		cmds = append(cmds, m.fetch(k))
	}
	return tea.Batch(cmds...)
}

// answered ends a request of kind k: an error that is not the node's
// answer (nothing listens, no permission, no answer in time) means the
// node is out of reach until a request succeeds again.
func (m *Model) answered(k kind, err error) {
	m.inflight[k] = false
	d := &m.data
	switch {
	case err == nil:
		if d.conn.err != nil {
			m.log.Info("reconnected", "socket", m.o.Socket)
		}
		d.conn.err = nil
		d.conn.lastOK = m.now()
		d.conn.connected = true
	case m.ctx.Err() != nil:
		// Quitting: requests were cancelled.
	case isNodeAnswer(err):
		m.notice = err.Error()
		m.log.Warn("node refused a request", "kind", k, "err", err)
	default:
		if d.conn.err == nil {
			m.log.Warn("node out of reach", "socket", m.o.Socket, "kind", k, "err", err)
		}
		d.conn.err = err
	}
}

// isNodeAnswer reports whether err is the node's own error answer (it is
// up, but refused).
func isNodeAnswer(err error) bool {
	var e *api.Error
	return errors.As(err, &e)
}
