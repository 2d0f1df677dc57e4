package tui

import (
	"fmt"
	"strings"

	"github.com/gwlbctl/gwlbctl/control/api"
)

type detailKind uint8

const (
	detailNone detailKind = iota
	detailFlow
	detailTarget
)

// detail shows one flow or one target in full, over the panes.
type detail struct {
	c    *common
	w, h int
	kind detailKind

	// A flow: as last seen (the table or the lookup), the /lookup asked
	// and its answer, and the rate between the last two readings.
	flow      api.Flow
	ended     bool
	req       api.LookupRequest
	lookup    *api.LookupResult
	lookupErr error
	now       api.Rates
	nowKnown  bool

	// A target: its id (read from the latest stats).
	target string
}

func (d *detail) SetSize(w, h int) { d.w, d.h = w, h }

func (d *detail) open() bool { return d.kind != detailNone }

func (d *detail) close() { *d = detail{c: d.c, w: d.w, h: d.h} }

func (d *detail) showFlow(f *api.Flow) {
	d.close()
	d.kind, d.flow = detailFlow, *f
	d.req = api.LookupRequest{Endpoint: f.Endpoint, Proto: f.Proto, Src: f.Src, Dst: f.Dst}
}

func (d *detail) showTarget(id string) {
	d.close()
	d.kind, d.target = detailTarget, id
}

// seen updates the flow from a newer reading of it, deriving its current
// rate from the two readings (their age tells the time between them, on
// the node's clock).
func (d *detail) seen(f *api.Flow) {
	if d.kind != detailFlow || keyOf(f) != keyOf(&d.flow) {
		return
	}
	if dt := f.AgeSeconds - d.flow.AgeSeconds; dt > 0 {
		dp := float64(f.Packets[0]+f.Packets[1]) - float64(d.flow.Packets[0]+d.flow.Packets[1])
		db := float64(f.Bytes[0]+f.Bytes[1]) - float64(d.flow.Bytes[0]+d.flow.Bytes[1])
		d.now, d.nowKnown = api.Rates{PPS: max(dp, 0) / dt, BPS: 8 * max(db, 0) / dt}, true
	}
	if f.AgeSeconds >= d.flow.AgeSeconds {
		d.flow, d.ended = *f, false
	}
}

// answered takes a /lookup answer for the flow shown.
func (d *detail) answered(res *api.LookupResult, err error) {
	d.lookup, d.lookupErr = res, err
	if err != nil {
		return
	}
	if res.Flow != nil {
		d.seen(res.Flow)
	} else {
		d.ended = true
	}
}

func (d *detail) Lines() []string {
	var lines []string
	switch d.kind {
	case detailFlow:
		lines = d.flowLines()
	case detailTarget:
		lines = d.targetLines()
	}
	out := make([]string, 0, d.h)
	for _, l := range lines {
		out = append(out, fit(l, d.w))
	}
	return padLines(out, d.w, d.h)
}

func (d *detail) flowLines() []string {
	st := d.c.st
	f := &d.flow
	tuple := fmt.Sprintf("%s %s → %s", protoName(f.Proto), flowEnd(f.Src, f.Proto), flowEnd(f.Dst, f.Proto))
	lines := []string{
		titleLine(st, "Flow", tuple, d.w, true),
		"",
		fmt.Sprintf("  endpoint   %-24s worker %d   cookie 0x%08x", f.Endpoint, f.Worker, f.Cookie),
		fmt.Sprintf("  target     %s (%s), index %d", f.Target, f.TargetIP, f.TargetIndex),
		fmt.Sprintf("  tuple      %d fields   age %s   idle %s", f.Tuple, Duration(f.AgeSeconds), Duration(f.IdleSeconds)),
	}
	if d.ended {
		lines = append(lines, st.Warn.Render("  ended: the node has no live flow with this tuple any more (last reading below)"))
	}
	pps, bps := f.MeanRates()
	lines = append(lines,
		"",
		fmt.Sprintf("  %-28s %15s %17s", "direction", "packets", "bytes"),
		fmt.Sprintf("  %-28s %15s %17s", "→ initiator to responder", Grouped(f.Packets[0]), Grouped(f.Bytes[0])),
		fmt.Sprintf("  %-28s %15s %17s", "← responder to initiator", Grouped(f.Packets[1]), Grouped(f.Bytes[1])),
		fmt.Sprintf("  %-28s %15s %17s", "  both", Grouped(f.Packets[0]+f.Packets[1]), Grouped(f.Bytes[0]+f.Bytes[1])),
		"",
		fmt.Sprintf("  mean rate  %-10s %-10s over the flow's life", PacketRate(pps), BitRate(bps)),
	)
	if d.nowKnown {
		lines = append(lines, fmt.Sprintf("  now        %-10s %-10s between the last two readings", PacketRate(d.now.PPS), BitRate(d.now.BPS)))
	} else {
		lines = append(lines, st.Dim.Render("  now        (after the next reading)"))
	}
	lines = append(lines, "")
	switch {
	case d.lookupErr != nil:
		lines = append(lines, para(st.Error.Render, 13, "lookup", d.lookupErr.Error(), d.w)...)
	case d.lookup == nil:
		lines = append(lines, para(st.Dim.Render, 13, "lookup", "asking the node which target a new flow with this tuple gets…", d.w)...)
	case d.lookup.Target == nil:
		lines = append(lines, para(nil, 13, "lookup", fmt.Sprintf("a new flow with this tuple gets no target now: %s (revision %d)",
			d.lookup.Reason, d.lookup.Revision), d.w)...)
	default:
		t := d.lookup.Target
		text := fmt.Sprintf("a new flow with this tuple gets %s (%s) now: %d-tuple hash, revision %d.",
			t.ID, t.IP, d.lookup.Tuple, d.lookup.Revision)
		if t.ID != f.Target {
			text += " This flow stays on " + f.Target + ": a flow keeps the target it started with."
		}
		lines = append(lines, para(nil, 13, "lookup", text, d.w)...)
	}
	return append(lines, "", st.Dim.Render("  esc: back"))
}

func (d *detail) targetLines() []string {
	st := d.c.st
	var t *api.Target
	var now = d.c.now()
	if s := d.c.data.stats; s != nil {
		now = s.Time
		for i := range s.Targets {
			if s.Targets[i].ID == d.target {
				t = &s.Targets[i]
			}
		}
	}
	lines := []string{titleLine(st, "Target", d.target, d.w, true), ""}
	if t == nil {
		return append(lines, st.Warn.Render("  no longer registered in the target group"), "", st.Dim.Render("  esc: back"))
	}
	hs := st.health(t.State)
	state := "  state        " + hs.Render(t.State)
	if !t.Since.IsZero() {
		state += fmt.Sprintf("  since %s (%s ago)", t.Since.In(d.c.loc).Format("2006-01-02 15:04:05"), since(t.Since, now))
	}
	r := d.c.data.rates
	lines = append(lines,
		state,
		"  reason       "+orDash(t.Reason),
	)
	lines = append(lines, para(nil, 15, "description", orDash(t.Description), d.w)...)
	lines = append(lines,
		fmt.Sprintf("  address      %s   zone %s   index %d", t.IP, orDash(t.AvailabilityZone), t.Index),
		fmt.Sprintf("  flows        %s active, %s given to it", Grouped(t.ActiveFlows), Grouped(t.NewFlows)),
		"",
		fmt.Sprintf("  %-14s %15s %17s %10s %10s", "", "packets", "bytes", "pps", "bps"),
		fmt.Sprintf("  %-14s %15s %17s %10s %10s", "to target", Grouped(t.TxPackets), Grouped(t.TxBytes),
			SI(r.Rate(targetRate(t.ID, "tx_packets"))), SI(8*r.Rate(targetRate(t.ID, "tx_bytes")))),
		fmt.Sprintf("  %-14s %15s %17s %10s %10s", "from target", Grouped(t.RxPackets), Grouped(t.RxBytes),
			SI(r.Rate(targetRate(t.ID, "rx_packets"))), SI(8*r.Rate(targetRate(t.ID, "rx_bytes")))),
		"",
		fmt.Sprintf("  no neighbor  %s packets dropped: the target's next-hop MAC was unknown", Grouped(t.NoNeighbor)),
		"", st.Dim.Render("  esc: back"),
	)
	return lines
}

// para is a labelled paragraph wrapped to w cells, its text indent
// cells in (render styles each line; nil: plain).
func para(render func(...string) string, indent int, label, text string, w int) []string {
	var out []string
	for i, l := range wrap(text, w-indent-1) {
		head := fmt.Sprintf("  %-*s", indent-2, label)
		if i > 0 {
			head = blank(indent)
		}
		if render != nil {
			l = render(l)
		}
		out = append(out, head+l)
	}
	return out
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}
