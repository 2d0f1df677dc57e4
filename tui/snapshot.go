package tui

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/gwlbctl/gwlbctl/control/api"
)

// Snapshot is one reading of a node, as `gwlbctl top --once` prints it.
type Snapshot struct {
	// Time is when the node read its counters (Stats.Time).
	Time time.Time `json:"time"`
	Info *api.Info `json:"info"`
	// Totals are the engine's counters; their rates are the node's own
	// (over its last sampling interval), as are the targets' and
	// endpoints'.
	Totals    api.Totals     `json:"totals"`
	Flows     *api.FlowPage  `json:"flows"`
	Targets   []api.Target   `json:"targets"`
	Endpoints []api.Endpoint `json:"endpoints"`
	// Drops are the reasons with packets dropped, most first.
	Drops []DropCount `json:"drops"`
	// Events are the node's most recent events, oldest first.
	Events []api.Event `json:"events"`

	stats *api.Stats
}

// DropCount is one drop reason's count.
type DropCount struct {
	Reason  string `json:"reason"`
	Packets uint64 `json:"packets"`
}

// SnapshotRequest says what a Snapshot holds.
type SnapshotRequest struct {
	// Filter and Sort select the flows; Limit is how many (0: 20).
	Filter api.FlowFilter
	Sort   api.FlowSort
	Limit  int
	// Events is how many recent events (0: 10).
	Events int
}

// Defaults of a SnapshotRequest.
const (
	DefaultSnapshotFlows  = 20
	DefaultSnapshotEvents = 10
)

// TakeSnapshot reads a Snapshot from the node. Sort SortNone is bytes.
func TakeSnapshot(ctx context.Context, src Source, r SnapshotRequest) (*Snapshot, error) {
	if r.Limit <= 0 {
		r.Limit = DefaultSnapshotFlows
	}
	if r.Events <= 0 {
		r.Events = DefaultSnapshotEvents
	}
	if r.Sort == api.SortNone {
		r.Sort = api.SortBytes
	}
	info, err := src.Info(ctx)
	if err != nil {
		return nil, err
	}
	stats, err := src.Stats(ctx)
	if err != nil {
		return nil, err
	}
	flows, err := src.Flows(ctx, api.FlowsRequest{Filter: r.Filter, Sort: r.Sort, Limit: r.Limit})
	if err != nil {
		return nil, err
	}
	// The newest events: the first page tells the newest seq.
	head, err := src.Events(ctx, api.EventsRequest{Limit: 1})
	if err != nil {
		return nil, err
	}
	after := uint64(0)
	if head.Latest > uint64(r.Events) {
		after = head.Latest - uint64(r.Events)
	}
	events, err := src.Events(ctx, api.EventsRequest{After: after, Limit: r.Events})
	if err != nil {
		return nil, err
	}
	s := &Snapshot{
		Time: stats.Time, Info: info, Totals: stats.Totals, Flows: flows,
		Targets: orEmpty(stats.Targets), Endpoints: orEmpty(stats.Endpoints), Drops: []DropCount{},
		Events: orEmpty(events.Events), stats: stats,
	}
	for reason, n := range stats.Totals.Drops {
		if n > 0 {
			s.Drops = append(s.Drops, DropCount{reason, n})
		}
	}
	slices.SortFunc(s.Drops, func(a, b DropCount) int {
		if c := cmp.Compare(b.Packets, a.Packets); c != 0 {
			return c
		}
		return cmp.Compare(a.Reason, b.Reason)
	})
	return s, nil
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// nodeRates are the node's own rates of a Stats, under rateCounters' keys.
type nodeRates map[string]float64

func (r nodeRates) Rate(k string) float64 { return r[k] }

func ratesOf(s *api.Stats) nodeRates {
	t := &s.Totals
	r := nodeRates{
		ratePackets: t.EncapRate.PPS + t.DecapRate.PPS,
		rateBytes:   (t.EncapRate.BPS + t.DecapRate.BPS) / 8,
		rateNew:     t.NewFlowsPerSecond,
		rateDrops:   t.DroppedPerSecond,
	}
	for _, tg := range s.Targets {
		r[targetRate(tg.ID, "tx_packets")] = tg.TxRate.PPS
		r[targetRate(tg.ID, "tx_bytes")] = tg.TxRate.BPS / 8
		r[targetRate(tg.ID, "rx_packets")] = tg.RxRate.PPS
		r[targetRate(tg.ID, "rx_bytes")] = tg.RxRate.BPS / 8
	}
	for _, e := range s.Endpoints {
		r[endpointRate(e.ID, "in_packets")] = e.InRate.PPS
		r[endpointRate(e.ID, "in_bytes")] = e.InRate.BPS / 8
		r[endpointRate(e.ID, "out_packets")] = e.OutRate.PPS
		r[endpointRate(e.ID, "out_bytes")] = e.OutRate.BPS / 8
	}
	return r
}

// WriteSnapshot prints s as the dashboard's panes one below the other,
// width cells wide, without colour; times in loc (nil: time.Local).
func WriteSnapshot(w io.Writer, s *Snapshot, width int, loc *time.Location) error {
	if loc == nil {
		loc = time.Local
	}
	width = max(width, MinWidth)
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	stats := s.stats
	if stats == nil {
		stats = &api.Stats{Time: s.Time, Totals: s.Totals, Targets: s.Targets, Endpoints: s.Endpoints}
		if s.Info != nil {
			stats.LoadBalancer, stats.AvailabilityZone, stats.Revision = s.Info.LoadBalancer, s.Info.AvailabilityZone, s.Info.Revision
			stats.UptimeSeconds = s.Info.UptimeSeconds
		}
	}
	data := &nodeData{info: s.Info, stats: stats, rates: ratesOf(stats)}
	data.conn.connected, data.conn.lastOK = true, s.Time
	c := &common{st: NewStyles(r), keys: DefaultKeyMap(), now: func() time.Time { return s.Time }, loc: loc, data: data, once: true}

	var lines []string
	h := header{c: c, w: width}
	lines = append(lines, h.Lines()...)

	fp := newFlowsPane(c, api.SortNone)
	if s.Flows != nil {
		if srt, err := api.ParseFlowSort(s.Flows.Sort); err == nil && srt != api.SortNone {
			fp.order, fp.basis = orderOf(srt), srt
		}
		fp.filter = s.Flows.Filter
		fp.SetSize(width, 2+max(len(s.Flows.Flows), 1))
		fp.setPage(s.Flows)
	}
	fp.SetSize(width, 2+max(len(fp.rows), 1))
	lines = append(lines, "")
	lines = append(lines, fp.Lines()...)

	tp := &targetsPane{listPane{c: c}}
	tp.SetSize(width, 2+max(len(s.Targets), 1))
	ep := &endpointsPane{listPane{c: c}}
	ep.SetSize(width, 2+max(len(s.Endpoints), 1))
	dp := &dropsPane{listPane{c: c}}
	dp.SetSize(width, 2+max(len(s.Drops), 1))
	ev := &eventsPane{listPane: listPane{c: c}}
	ev.add(&api.EventPage{Events: s.Events})
	ev.SetSize(width, 2+max(len(s.Events), 1))
	for _, p := range []pane{tp, ep, dp, ev} {
		lines = append(lines, "")
		lines = append(lines, p.Lines()...)
	}
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " ")
	}
	_, err := fmt.Fprintln(w, strings.Join(lines, "\n"))
	return err
}
