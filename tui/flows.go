package tui

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/gwlbctl/gwlbctl/control/api"
)

// Columns of the flows table.
const (
	colMark = iota
	colProto
	colSrc
	colDst
	colEndpoint
	colTarget
	colPktsOut
	colPktsIn
	colBytesOut
	colBytesIn
	colRate
	colAge
	colIdle
	numFlowCols
)

// flowCols: on a narrow terminal the tuple, target and bytes stay; rate,
// age, idle, packets and the endpoint follow as width allows. → is the
// initiator's direction, ← the responder's.
var flowCols = []column{
	colMark:     {title: "", min: 1, ideal: 1, prio: 0},
	colProto:    {title: "PROTO", min: 5, ideal: 5, prio: 1},
	colSrc:      {title: "SRC", min: 12, ideal: 21, prio: 1, greedy: true},
	colDst:      {title: "DST", min: 12, ideal: 21, prio: 1, greedy: true},
	colEndpoint: {title: "ENDPOINT", min: 12, ideal: 22, prio: 9},
	colTarget:   {title: "TARGET", min: 9, ideal: 19, prio: 2},
	colPktsOut:  {title: "PKTS→", min: 6, ideal: 6, prio: 8, right: true},
	colPktsIn:   {title: "PKTS←", min: 6, ideal: 6, prio: 8, right: true},
	colBytesOut: {title: "BYTES→", min: 6, ideal: 6, prio: 3, right: true},
	colBytesIn:  {title: "BYTES←", min: 6, ideal: 6, prio: 3, right: true},
	colRate:     {title: "RATE", min: 8, ideal: 8, prio: 4, right: true},
	colAge:      {title: "AGE", min: 6, ideal: 6, prio: 5, right: true},
	colIdle:     {title: "IDLE", min: 6, ideal: 6, prio: 7, right: true},
}

// flowOrder is one order of the flows table. Orders the node ranks
// (server) ask it for the top N flows that way; the others reorder the
// page the node ranked last, here.
type flowOrder struct {
	name   string
	server api.FlowSort
	cols   []int
	cmp    func(a, b *api.Flow) int
}

// flowOrders are the orders s and S cycle through.
var flowOrders = []flowOrder{
	{name: "bytes", server: api.SortBytes, cols: []int{colBytesOut, colBytesIn}},
	{name: "packets", server: api.SortPackets, cols: []int{colPktsOut, colPktsIn}},
	{name: "rate", server: api.SortRate, cols: []int{colRate}},
	{name: "age", server: api.SortAge, cols: []int{colAge}},
	{name: "idle", cols: []int{colIdle}, cmp: func(a, b *api.Flow) int { return cmp.Compare(b.IdleSeconds, a.IdleSeconds) }},
	{name: "proto", cols: []int{colProto}, cmp: func(a, b *api.Flow) int { return cmp.Compare(protoName(a.Proto), protoName(b.Proto)) }},
	{name: "src", cols: []int{colSrc}, cmp: func(a, b *api.Flow) int { return a.Src.Compare(b.Src) }},
	{name: "dst", cols: []int{colDst}, cmp: func(a, b *api.Flow) int { return a.Dst.Compare(b.Dst) }},
	{name: "endpoint", cols: []int{colEndpoint}, cmp: func(a, b *api.Flow) int { return cmp.Compare(a.Endpoint, b.Endpoint) }},
	{name: "target", cols: []int{colTarget}, cmp: func(a, b *api.Flow) int { return cmp.Compare(a.Target, b.Target) }},
}

// orderOf finds a server sort's order.
func orderOf(s api.FlowSort) int {
	for i, o := range flowOrders {
		if o.server == s && s != api.SortNone {
			return i
		}
	}
	return 0
}

// flowKey identifies a flow while it lives: its cookie is unique per
// worker.
type flowKey struct {
	worker int
	cookie uint32
}

func keyOf(f *api.Flow) flowKey { return flowKey{f.Worker, f.Cookie} }

// flowQuery is what the table asks the node for; a page answering another
// query is stale.
type flowQuery struct {
	filter string // canonical text
	sort   api.FlowSort
	limit  int
}

// flowsPane is the flows table: the top N of the node's flows, N the rows
// it shows.
type flowsPane struct {
	c       *common
	w, h    int
	focused bool
	list

	order  int          // into flowOrders
	basis  api.FlowSort // the node's ranking of the page
	filter string       // canonical text of the applied filter
	page   *api.FlowPage
	rows   []api.Flow // the page in the table's order
	sel    flowKey
	err    error
}

func newFlowsPane(c *common, sort api.FlowSort) *flowsPane {
	if sort == api.SortNone {
		sort = api.SortBytes
	}
	return &flowsPane{c: c, order: orderOf(sort), basis: sort}
}

func (p *flowsPane) SetSize(w, h int) {
	p.w, p.h = w, h
	p.setRows(len(p.rows), p.rowsShown())
}

func (p *flowsPane) SetFocused(f bool) { p.focused = f }

// rowsShown is how many flows fit: the limit asked of the node.
func (p *flowsPane) rowsShown() int { return max(p.h-2, 0) }

func (p *flowsPane) query() flowQuery {
	return flowQuery{filter: p.filter, sort: p.basis, limit: max(p.rowsShown(), 1)}
}

// cycle moves to the next (d=1) or previous (d=-1) order.
func (p *flowsPane) cycle(d int) {
	p.order = (p.order + d + len(flowOrders)) % len(flowOrders)
	if s := flowOrders[p.order].server; s != api.SortNone {
		p.basis = s
	}
	p.reorder()
}

// setPage shows a page the node answered, keeping the selection on the
// same flow when it is still there.
func (p *flowsPane) setPage(pg *api.FlowPage) {
	p.page, p.err = pg, nil
	p.reorder()
}

func (p *flowsPane) reorder() {
	if p.page == nil {
		return
	}
	p.rows = append(p.rows[:0], p.page.Flows...)
	if o := flowOrders[p.order]; o.cmp != nil {
		slices.SortStableFunc(p.rows, func(a, b api.Flow) int { return o.cmp(&a, &b) })
	}
	p.setRows(len(p.rows), p.rowsShown())
	for i := range p.rows {
		if keyOf(&p.rows[i]) == p.sel {
			p.list.sel = i
			p.clamp()
			break
		}
	}
	p.remember()
}

func (p *flowsPane) remember() {
	if f := p.selected(); f != nil {
		p.sel = keyOf(f)
	}
}

// selected is the selected flow, nil when there is none.
func (p *flowsPane) selected() *api.Flow {
	if p.list.sel < len(p.rows) {
		return &p.rows[p.list.sel]
	}
	return nil
}

// HandleKey moves the selection.
func (p *flowsPane) HandleKey(k *KeyMap, msg tea.KeyMsg) bool {
	if !moveList(&p.list, k, msg) {
		return false
	}
	p.remember()
	return true
}

// moveList applies a movement key to l.
func moveList(l *list, k *KeyMap, msg tea.KeyMsg) bool {
	switch {
	case key.Matches(msg, k.Up):
		l.move(-1)
	case key.Matches(msg, k.Down):
		l.move(1)
	case key.Matches(msg, k.PageUp):
		l.move(-max(l.h-1, 1))
	case key.Matches(msg, k.PageDown):
		l.move(max(l.h-1, 1))
	case key.Matches(msg, k.Top):
		l.top()
	case key.Matches(msg, k.Bottom):
		l.bottom()
	default:
		return false
	}
	return true
}

func (p *flowsPane) title() string {
	o := flowOrders[p.order]
	n := p.rowsShown()
	if p.page != nil {
		n = len(p.page.Flows)
	}
	by := fmt.Sprintf("top %d by %s", n, p.basis)
	if o.server == api.SortNone {
		by += ", ordered by " + o.name
	}
	parts := []string{by}
	if d := p.c.data; d.stats != nil {
		parts = append(parts, "of "+Count(d.stats.Totals.ActiveFlows)+" active")
	}
	if p.filter != "" {
		parts = append(parts, "filter: "+p.filter)
	}
	if p.page != nil && p.page.Partial {
		parts = append(parts, "partial: the node bounded its walk")
	}
	return strings.Join(parts, " · ")
}

// Lines are the pane: title, column header, rows.
func (p *flowsPane) Lines() []string {
	st := p.c.st
	out := make([]string, 0, p.h)
	out = append(out, titleLine(st, "Flows", p.title(), p.w, p.focused))
	if p.h < 2 {
		return padLines(out, p.w, p.h)
	}
	cols := p.columns()
	widths := layoutColumns(cols, p.w)
	out = append(out, headerRow(st, cols, widths, flowOrders[p.order].cols, p.w))
	switch {
	case p.err != nil && p.page == nil:
		out = append(out, st.Error.Render(fit("  "+p.err.Error(), p.w)))
	case p.page == nil:
		out = append(out, st.Dim.Render(fit("  waiting for the node…", p.w)))
	case len(p.rows) == 0 && p.filter != "":
		out = append(out, st.Dim.Render(fit("  no flow matches "+p.filter, p.w)))
	case len(p.rows) == 0:
		out = append(out, st.Dim.Render(fit("  no flows", p.w)))
	}
	from, to := p.visible()
	cells := make([]cell, numFlowCols)
	for i := from; i < to; i++ {
		f := &p.rows[i]
		p.cells(f, widths, cells)
		line := renderRow(cols, widths, cells, p.w)
		if p.focused && i == p.list.sel {
			line = st.Selected.Render(line)
		}
		out = append(out, line)
	}
	return padLines(out, p.w, p.h)
}

// columns are flowCols with the tuple's columns as wide as the page's
// addresses need (an IPv6 tuple takes more room than an IPv4 one), and
// the columns of the order kept right after the target.
func (p *flowsPane) columns() []column {
	cols := slices.Clone(flowCols)
	for _, i := range flowOrders[p.order].cols {
		cols[i].prio = min(cols[i].prio, cols[colTarget].prio)
	}
	src, dst := 0, 0
	for i := range p.rows {
		f := &p.rows[i]
		src = max(src, width(flowEnd(f.Src, f.Proto)))
		dst = max(dst, width(flowEnd(f.Dst, f.Proto)))
	}
	for _, c := range []struct {
		i, w int
	}{{colSrc, src}, {colDst, dst}} {
		if c.w > 0 {
			cols[c.i].ideal = min(c.w, 47)
			cols[c.i].min = min(cols[c.i].min, cols[c.i].ideal)
		}
	}
	return cols
}

func (p *flowsPane) cells(f *api.Flow, widths []int, cells []cell) {
	mark := " "
	if p.focused && p.list.sel < len(p.rows) && f == &p.rows[p.list.sel] {
		mark = ">"
	}
	cells[colMark] = cell{text: mark}
	cells[colProto] = cell{text: protoName(f.Proto)}
	cells[colSrc] = cell{text: flowEnd(f.Src, f.Proto)}
	cells[colDst] = cell{text: flowEnd(f.Dst, f.Proto)}
	cells[colEndpoint] = cell{text: abbrevID(f.Endpoint, widths[colEndpoint])}
	cells[colTarget] = cell{text: targetCell(f.Target, f.TargetIP.String(), widths[colTarget])}
	cells[colPktsOut] = cell{text: Count(f.Packets[0])}
	cells[colPktsIn] = cell{text: Count(f.Packets[1])}
	cells[colBytesOut] = cell{text: Count(f.Bytes[0])}
	cells[colBytesIn] = cell{text: Count(f.Bytes[1])}
	cells[colRate] = cell{text: BitRate(f.BPS)}
	cells[colAge] = cell{text: Duration(f.AgeSeconds)}
	cells[colIdle] = cell{text: Duration(f.IdleSeconds)}
}
