package tui

import (
	"cmp"
	"fmt"
	"slices"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/gwlbctl/gwlbctl/control/api"
)

// pane is a focusable component of the dashboard.
type pane interface {
	SetSize(w, h int)
	SetFocused(bool)
	// Lines are exactly h lines of exactly w cells.
	Lines() []string
	// HandleKey acts on a movement key; false when it is not one.
	HandleKey(*KeyMap, tea.KeyMsg) bool
}

// listPane is what the targets, endpoints, drops and events panes share: a
// size, the focus and a scrolled list under a title line.
type listPane struct {
	c       *common
	w, h    int
	focused bool
	list
	// count is the number of rows the data has now.
	count func() int
}

func (p *listPane) SetSize(w, h int) {
	p.w, p.h = w, h
	p.setRows(p.n, max(h-2, 0))
}

func (p *listPane) SetFocused(f bool) { p.focused = f }

func (p *listPane) HandleKey(k *KeyMap, msg tea.KeyMsg) bool {
	if p.count != nil {
		p.n = p.count()
	}
	return moveList(&p.list, k, msg)
}

// render draws the title, the optional column header and rows from..to of
// a table (row renders row i's cells), marking the selection when focused.
func (p *listPane) render(title, info string, cols []column, row func(i int, cells []cell), empty string) []string {
	st := p.c.st
	out := []string{titleLine(st, title, info, p.w, p.focused)}
	widths := layoutColumns(cols, p.w)
	out = append(out, headerRow(st, cols, widths, nil, p.w))
	rows := p.h - 2
	p.setRows(p.n, rows)
	if p.n == 0 && empty != "" && rows > 0 {
		out = append(out, st.Dim.Render(fit("  "+empty, p.w)))
	}
	from, to := p.visible()
	cells := make([]cell, len(cols))
	for i := from; i < to; i++ {
		clear(cells)
		row(i, cells)
		if cols[0].title == "" {
			cells[0].text = " "
			if p.focused && i == p.list.sel {
				cells[0].text = ">"
			}
		}
		line := renderRow(cols, widths, cells, p.w)
		if p.focused && i == p.list.sel {
			line = st.Selected.Render(line)
		}
		out = append(out, line)
	}
	return padLines(out, p.w, p.h)
}

// Keys of the rates the dashboard derives from successive /stats.
const (
	ratePackets = "packets" // encap + decap
	rateBytes   = "bytes"
	rateNew     = "new_flows"
	rateDrops   = "drops"
)

func targetRate(id, counter string) string   { return "target/" + id + "/" + counter }
func endpointRate(id, counter string) string { return "endpoint/" + id + "/" + counter }
func dropRate(reason string) string          { return "drop/" + reason }

// rateCounters are the counters of s that rates are derived from.
func rateCounters(s *api.Stats) map[string]uint64 {
	t := &s.Totals
	m := map[string]uint64{
		ratePackets: t.EncapPackets + t.DecapPackets,
		rateBytes:   t.EncapBytes + t.DecapBytes,
		rateNew:     t.NewFlows,
		rateDrops:   t.DroppedTotal,
	}
	for _, tg := range s.Targets {
		m[targetRate(tg.ID, "tx_packets")] = tg.TxPackets
		m[targetRate(tg.ID, "tx_bytes")] = tg.TxBytes
		m[targetRate(tg.ID, "rx_packets")] = tg.RxPackets
		m[targetRate(tg.ID, "rx_bytes")] = tg.RxBytes
	}
	for _, e := range s.Endpoints {
		m[endpointRate(e.ID, "in_packets")] = e.InPackets
		m[endpointRate(e.ID, "in_bytes")] = e.InBytes
		m[endpointRate(e.ID, "out_packets")] = e.OutPackets
		m[endpointRate(e.ID, "out_bytes")] = e.OutBytes
		m[endpointRate(e.ID, "dropped")] = e.DroppedPackets
	}
	for r, n := range t.Drops {
		m[dropRate(r)] = n
	}
	return m
}

// Targets pane.
const (
	tcMark = iota
	tcID
	tcState
	tcReason
	tcFlows
	tcTx
	tcPPS
	tcRx
	tcIP
	tcZone
)

var targetCols = []column{
	tcMark:   {title: "", min: 1, ideal: 1, prio: 0},
	tcID:     {title: "TARGET", min: 10, ideal: 19, prio: 1, greedy: true},
	tcState:  {title: "STATE", min: 9, ideal: 11, prio: 1},
	tcReason: {title: "REASON", min: 8, ideal: 26, prio: 4, greedy: true},
	tcFlows:  {title: "FLOWS", min: 5, ideal: 6, prio: 2, right: true},
	tcTx:     {title: "TX", min: 8, ideal: 8, prio: 3, right: true},
	tcPPS:    {title: "TX PPS", min: 7, ideal: 7, prio: 6, right: true},
	tcRx:     {title: "RX", min: 8, ideal: 8, prio: 5, right: true},
	tcIP:     {title: "IP", min: 9, ideal: 15, prio: 7},
	tcZone:   {title: "ZONE", min: 10, ideal: 10, prio: 8},
}

// targetsPane lists the target group's targets with health and traffic.
type targetsPane struct{ listPane }

func (p *targetsPane) targets() []api.Target {
	if s := p.c.data.stats; s != nil {
		return s.Targets
	}
	return nil
}

// selected is the selected target, nil when there is none.
func (p *targetsPane) selected() *api.Target {
	ts := p.targets()
	if p.list.sel < len(ts) {
		return &ts[p.list.sel]
	}
	return nil
}

func (p *targetsPane) Lines() []string {
	ts := p.targets()
	p.n = len(ts)
	healthy := 0
	for _, t := range ts {
		if t.State == "healthy" {
			healthy++
		}
	}
	info := fmt.Sprintf("%d/%d healthy", healthy, len(ts))
	if i := p.c.data.info; i != nil && i.TargetGroup != "" {
		info += " · " + shortARN(i.TargetGroup)
	}
	// Ids and reasons as wide as they are.
	cols := slices.Clone(targetCols)
	idw, rw := 6, 6
	for _, t := range ts {
		idw, rw = max(idw, width(t.ID)), max(rw, width(t.Reason))
	}
	cols[tcID].ideal, cols[tcReason].ideal = idw, rw
	st, r := p.c.st, p.c.data.rates
	return p.render("Targets", info, cols, func(i int, c []cell) {
		t := &ts[i]
		hs := st.health(t.State)
		c[tcID] = cell{text: t.ID}
		c[tcState] = cell{text: t.State, style: &hs}
		c[tcReason] = cell{text: t.Reason}
		c[tcFlows] = cell{text: Count(t.ActiveFlows)}
		c[tcTx] = cell{text: BitRate(8 * r.Rate(targetRate(t.ID, "tx_bytes")))}
		c[tcPPS] = cell{text: SI(r.Rate(targetRate(t.ID, "tx_packets")))}
		c[tcRx] = cell{text: BitRate(8 * r.Rate(targetRate(t.ID, "rx_bytes")))}
		c[tcIP] = cell{text: t.IP.String()}
		c[tcZone] = cell{text: t.AvailabilityZone}
	}, "no targets registered")
}

// Endpoints pane.
const (
	ecID = iota
	ecState
	ecIn
	ecOut
	ecDrops
	ecNew
	ecMode
	ecZone
)

var endpointCols = []column{
	ecID:    {title: "ENDPOINT", min: 12, ideal: 22, prio: 1},
	ecState: {title: "STATE", min: 9, ideal: 17, prio: 1},
	ecIn:    {title: "IN", min: 8, ideal: 8, prio: 2, right: true},
	ecOut:   {title: "OUT", min: 8, ideal: 8, prio: 3, right: true},
	ecDrops: {title: "DROPS", min: 6, ideal: 6, prio: 4, right: true},
	ecNew:   {title: "FLOWS+", min: 6, ideal: 6, prio: 6, right: true},
	ecMode:  {title: "MODE", min: 6, ideal: 6, prio: 7},
	ecZone:  {title: "ZONE", min: 10, ideal: 10, prio: 8},
}

// endpointsPane lists the endpoints the node serves.
type endpointsPane struct{ listPane }

func (p *endpointsPane) Lines() []string {
	var es []api.Endpoint
	if s := p.c.data.stats; s != nil {
		es = s.Endpoints
	}
	p.n = len(es)
	avail := 0
	for _, e := range es {
		if e.State == "available" {
			avail++
		}
	}
	st, r := p.c.st, p.c.data.rates
	widths := layoutColumns(endpointCols, p.w)
	return p.render("Endpoints", fmt.Sprintf("%d/%d available", avail, len(es)), endpointCols, func(i int, c []cell) {
		e := &es[i]
		ss := st.endpointState(e.State)
		c[ecID] = cell{text: abbrevID(e.ID, widths[ecID])}
		c[ecState] = cell{text: e.State, style: &ss}
		c[ecIn] = cell{text: BitRate(8 * r.Rate(endpointRate(e.ID, "in_bytes")))}
		c[ecOut] = cell{text: BitRate(8 * r.Rate(endpointRate(e.ID, "out_bytes")))}
		c[ecDrops] = cell{text: Count(e.DroppedPackets)}
		c[ecNew] = cell{text: Count(e.NewFlows)}
		c[ecMode] = cell{text: e.Mode}
		c[ecZone] = cell{text: e.AvailabilityZone}
	}, "no endpoints")
}

// Drops pane.
var dropCols = []column{
	{title: "REASON", min: 10, ideal: 24, prio: 1},
	{title: "COUNT", min: 6, ideal: 6, prio: 1, right: true},
	{title: "/S", min: 5, ideal: 6, prio: 2, right: true},
}

// dropsPane lists the drop reasons with packets counted, most first.
type dropsPane struct{ listPane }

type dropRow struct {
	reason string
	n      uint64
}

func (p *dropsPane) rows() []dropRow {
	s := p.c.data.stats
	if s == nil {
		return nil
	}
	var rows []dropRow
	for r, n := range s.Totals.Drops {
		if n > 0 {
			rows = append(rows, dropRow{r, n})
		}
	}
	slices.SortFunc(rows, func(a, b dropRow) int {
		if c := cmp.Compare(b.n, a.n); c != 0 {
			return c
		}
		return cmp.Compare(a.reason, b.reason)
	})
	return rows
}

func (p *dropsPane) Lines() []string {
	rows := p.rows()
	p.n = len(rows)
	info := ""
	if s := p.c.data.stats; s != nil {
		info = Count(s.Totals.DroppedTotal) + " total"
	}
	r := p.c.data.rates
	return p.render("Drops", info, dropCols, func(i int, c []cell) {
		c[0] = cell{text: rows[i].reason}
		c[1] = cell{text: Count(rows[i].n)}
		c[2] = cell{text: SI(r.Rate(dropRate(rows[i].reason)))}
	}, "no drops")
}
