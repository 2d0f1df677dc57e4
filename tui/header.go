package tui

import (
	"fmt"
	"strings"
)

// sparkBlocks draw a sparkline, lowest to highest.
var sparkBlocks = []rune("▁▂▃▄▅▆▇█")

// history is a bounded series of rate samples, oldest first.
type history struct {
	vals []float64
}

const historySize = 256

func (h *history) add(v float64) {
	if len(h.vals) == historySize {
		copy(h.vals, h.vals[1:])
		h.vals = h.vals[:historySize-1]
	}
	h.vals = append(h.vals, v)
}

func (h *history) reset() { h.vals = h.vals[:0] }

// sparkline draws the last w samples scaled to their maximum, right-aligned
// (blank where there is no sample yet).
func sparkline(vals []float64, w int) string {
	if w <= 0 {
		return ""
	}
	if len(vals) > w {
		vals = vals[len(vals)-w:]
	}
	peak := 0.0
	for _, v := range vals {
		peak = max(peak, v)
	}
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", w-len(vals)))
	for _, v := range vals {
		i := 0
		if peak > 0 {
			i = min(int(v/peak*float64(len(sparkBlocks)-1)+0.5), len(sparkBlocks)-1)
		}
		b.WriteRune(sparkBlocks[i])
	}
	return b.String()
}

// header is the top two lines: who the node is and its totals with rate
// sparklines.
type header struct {
	c *common
	w int
}

func (h *header) SetSize(w, _ int) { h.w = w }

// Lines are the header's two lines.
func (h *header) Lines() []string {
	return []string{h.identity(), h.totals()}
}

func (h *header) identity() string {
	c, st := h.c, h.c.st
	d := c.data
	parts := []string{st.TitleFocused.Render("gwlbctl top")}
	if d.info != nil {
		i := d.info
		parts = append(parts, "node "+i.NodeID, shortARN(i.LoadBalancer), i.AvailabilityZone)
	} else if d.stats != nil {
		parts = append(parts, shortARN(d.stats.LoadBalancer), d.stats.AvailabilityZone)
	}
	if d.stats != nil {
		parts = append(parts, "up "+Duration(d.stats.UptimeSeconds))
	}
	if d.info != nil {
		parts = append(parts, revision(d))
	}
	line := strings.Join(parts, " · ")
	state := h.connState()
	if n := width(line) + 2 + width(state); n <= h.w {
		return line + blank(h.w-n+2) + state
	}
	return fit(line, h.w)
}

// revision is "rev N", with the workers' revisions when some still run an
// older snapshot.
func revision(d *nodeData) string {
	s := fmt.Sprintf("rev %d", d.info.Revision)
	var behind []string
	for _, w := range d.info.Workers {
		if w.Revision != d.info.Revision {
			behind = append(behind, fmt.Sprintf("w%d:%d", w.ID, w.Revision))
		}
	}
	if len(behind) > 0 {
		s += " (" + strings.Join(behind, " ") + ")"
	}
	return s
}

func (h *header) connState() string {
	d, st := h.c.data, h.c.st
	switch {
	case h.c.once && d.stats != nil:
		return "at " + d.stats.Time.In(h.c.loc).Format("2006-01-02 15:04:05")
	case d.conn.err != nil && d.stats != nil:
		return st.Error.Render("DISCONNECTED " + since(d.conn.lastOK, h.c.now()) + " ago")
	case d.conn.err != nil:
		return st.Error.Render("NOT CONNECTED")
	case d.stats == nil:
		return st.Dim.Render("connecting…")
	}
	return st.OK.Render("● live")
}

func (h *header) totals() string {
	d, st := h.c.data, h.c.st
	if d.stats == nil {
		return blank(h.w)
	}
	t := &d.stats.Totals
	r := d.rates
	flows := fmt.Sprintf("flows %s +%s/s", Count(t.ActiveFlows), SI(r.Rate(rateNew)))
	pkts := "pkts " + Count(t.EncapPackets+t.DecapPackets)
	drops := fmt.Sprintf("drops %s +%s/s", Count(t.DroppedTotal), SI(r.Rate(rateDrops)))
	pps := PacketRate(r.Rate(ratePackets))
	bps := BitRate(8 * r.Rate(rateBytes))
	fixed := []string{flows, pkts, pps, bps, drops}
	n := 4 * width(" · ")
	for _, s := range fixed {
		n += width(s)
	}
	// Two sparklines, each after a space.
	spark := min((h.w-n)/2-1, 30)
	if spark < 4 || h.c.once {
		// No room for sparklines (or a snapshot: no history): the
		// numbers alone.
		return fit(strings.Join(fixed, " · "), h.w)
	}
	line := strings.Join([]string{
		flows, pkts,
		pps + " " + st.Spark.Render(sparkline(d.pps.vals, spark)),
		bps + " " + st.Spark.Render(sparkline(d.bps.vals, spark)),
		drops,
	}, " · ")
	return fit(line, h.w)
}
