package node

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gwlbctl/gwlbctl/control"
	"github.com/gwlbctl/gwlbctl/control/api"
	"github.com/gwlbctl/gwlbctl/fastpath/dpdk"
	"github.com/gwlbctl/gwlbctl/fastpath/engine"
)

// The stats document is control/api's Stats: GET /stats, the stats file
// and the final stats at exit are one document. The engine's counters
// reach it through the engine's metric tables: each metric has one field
// of the document (the maps below; a test checks every metric has one),
// so a counter the engine adds cannot be left out silently.

// totalsField is where each node-wide engine metric goes in api.Totals,
// by metric name.
var totalsField = map[string]func(*api.Totals) *uint64{
	"encap_packets":      func(t *api.Totals) *uint64 { return &t.EncapPackets },
	"encap_bytes":        func(t *api.Totals) *uint64 { return &t.EncapBytes },
	"decap_packets":      func(t *api.Totals) *uint64 { return &t.DecapPackets },
	"decap_bytes":        func(t *api.Totals) *uint64 { return &t.DecapBytes },
	"bridged_packets":    func(t *api.Totals) *uint64 { return &t.BridgedPackets },
	"bridged_nd_packets": func(t *api.Totals) *uint64 { return &t.BridgedNDPackets },
	"exception_packets":  func(t *api.Totals) *uint64 { return &t.ExceptionPackets },
	"new_flows":          func(t *api.Totals) *uint64 { return &t.NewFlows },
	"expired_flows":      func(t *api.Totals) *uint64 { return &t.ExpiredFlows },
	"picked_up_flows":    func(t *api.Totals) *uint64 { return &t.PickedUpFlows },
	"tcp_resets":         func(t *api.Totals) *uint64 { return &t.TCPResets },
	"handed_off_packets": func(t *api.Totals) *uint64 { return &t.HandedOffPackets },
	"active_flows":       func(t *api.Totals) *uint64 { return &t.ActiveFlows },
}

// endpointField is where each per-endpoint engine metric goes in
// api.Endpoint.
var endpointField = map[string]func(*api.Endpoint) *uint64{
	"in_packets":        func(e *api.Endpoint) *uint64 { return &e.InPackets },
	"in_bytes":          func(e *api.Endpoint) *uint64 { return &e.InBytes },
	"out_packets":       func(e *api.Endpoint) *uint64 { return &e.OutPackets },
	"out_bytes":         func(e *api.Endpoint) *uint64 { return &e.OutBytes },
	"dropped_packets":   func(e *api.Endpoint) *uint64 { return &e.DroppedPackets },
	"new_flows":         func(e *api.Endpoint) *uint64 { return &e.NewFlows },
	"no_neighbor_drops": func(e *api.Endpoint) *uint64 { return &e.NoNeighbor },
}

// targetField is where each per-target engine metric goes in api.Target.
var targetField = map[string]func(*api.Target) *uint64{
	"tx_packets":        func(t *api.Target) *uint64 { return &t.TxPackets },
	"tx_bytes":          func(t *api.Target) *uint64 { return &t.TxBytes },
	"rx_packets":        func(t *api.Target) *uint64 { return &t.RxPackets },
	"rx_bytes":          func(t *api.Target) *uint64 { return &t.RxBytes },
	"new_flows":         func(t *api.Target) *uint64 { return &t.NewFlows },
	"no_neighbor_drops": func(t *api.Target) *uint64 { return &t.NoNeighbor },
	"active_flows":      func(t *api.Target) *uint64 { return &t.ActiveFlows },
}

// counterSet is one reading of every counter: the engine's summed over
// workers, the ports' and the workers'.
type counterSet struct {
	at      time.Time
	engine  engine.Stats
	snap    *Snapshot
	workers []dpdk.WorkerStats
	ports   []api.Port
}

// readCounters reads every counter once.
func (n *Node) readCounters() *counterSet {
	cs := &counterSet{at: time.Now(), snap: n.snap.Load()}
	for _, w := range n.workers {
		cs.engine.Add(w.Stats())
	}
	if fw := n.fw; fw != nil {
		cs.workers = fw.Stats()
		for i, p := range fw.Ports() {
			ap := api.Port{Name: n.names[i], Device: p.Name(), Role: portRole(cs.snap, i)}
			readPort(&ap, p)
			cs.ports = append(cs.ports, ap)
		}
		for _, x := range fw.Exceptions() {
			ap := api.Port{Name: n.names[x.Port] + "/exception", Device: x.TAP.Name(), Role: "exception"}
			readPort(&ap, x.TAP)
			cs.ports = append(cs.ports, ap)
		}
	}
	return cs
}

func portRole(s *Snapshot, i int) string {
	if s == nil || i >= len(s.Config.Ports) {
		return ""
	}
	return s.Config.Ports[i].Role.String()
}

// readPort fills a port's PMD counters and xstats; what cannot be read is
// said in Error (and left out of the metrics).
func readPort(ap *api.Port, p *dpdk.Port) {
	st, err := p.Stats()
	if err != nil {
		ap.Error = err.Error()
		return
	}
	ap.RxPackets, ap.TxPackets, ap.RxBytes, ap.TxBytes = st.RxPackets, st.TxPackets, st.RxBytes, st.TxBytes
	ap.RxMissed, ap.RxErrors, ap.TxErrors, ap.RxNoMbuf = st.RxMissed, st.RxErrors, st.TxErrors, st.RxNoMbuf
	for _, q := range st.Queues {
		ap.Queues = append(ap.Queues, api.Queue{RxPackets: q.RxPackets, TxPackets: q.TxPackets, RxBytes: q.RxBytes, TxBytes: q.TxBytes, RxErrors: q.RxErrors})
	}
	if xs, err := p.XStats(); err == nil && len(xs) > 0 {
		ap.XStats = make(map[string]uint64, len(xs))
		for _, x := range xs {
			ap.XStats[x.Name] = x.Value
		}
	}
}

// totals is the engine's node-wide counters as api.Totals (rates apart).
func totals(s *engine.Stats) api.Totals {
	var t api.Totals
	for _, m := range engine.NodeMetrics() {
		*totalsField[m.Name](&t) = s.Totals.Value(m)
	}
	t.Drops = make(map[string]uint64, engine.NumReasons)
	for r := engine.Reason(0); r < engine.NumReasons; r++ {
		t.Drops[r.String()] = s.Drop(r)
	}
	t.DroppedTotal = s.TotalDrops()
	return t
}

// endpoints is the configured endpoints with their counters.
func endpoints(s *Snapshot, st *engine.Stats) []api.Endpoint {
	if s == nil {
		return nil
	}
	out := make([]api.Endpoint, 0, len(s.Endpoints))
	for i, v := range s.Endpoints {
		e := api.Endpoint{ID: v.ID, State: v.State, AvailabilityZone: v.AZ, Mode: v.Mode}
		if i < len(st.Endpoints) {
			for _, m := range engine.EndpointMetrics() {
				*endpointField[m.Name](&e) = st.Endpoints[i].Value(m)
			}
		}
		out = append(out, e)
	}
	return out
}

// targets is every target of the snapshot's target group with its health
// and counters, and deregistered targets flows still use (unused), by
// stable index.
func targets(s *Snapshot, st *engine.Stats, since map[string]time.Time) []api.Target {
	if s == nil {
		return nil
	}
	c := s.Config
	type view struct {
		v  *TargetView
		az string
	}
	views := make(map[string]view, len(s.Targets))
	for i := range c.Targets {
		views[c.Targets[i].ID] = view{&s.Targets[i], c.Targets[i].AZ}
	}
	var out []api.Target
	for i := 0; i < c.NumTargetIndices(); i++ {
		id, ip, _, ok := c.TargetAt(i)
		if !ok {
			continue
		}
		// A target no longer registered that flows may still use: for
		// an IP target its id is its address.
		t := api.Target{Index: i, ID: ip.String(), IP: ip, State: control.TargetHealthUnused, Reason: control.ReasonNotRegistered,
			Description: "Target is not registered to the target group"}
		if v, ok := views[id]; ok {
			t.ID, t.AvailabilityZone = v.v.ID, v.az
			t.State, t.Reason, t.Description = v.v.Health.State, v.v.Health.Reason, v.v.Health.Description
		}
		t.Since = since[id]
		if i < len(st.Targets) {
			for _, m := range engine.TargetMetrics() {
				*targetField[m.Name](&t) = st.Targets[i].Value(m)
			}
		}
		out = append(out, t)
	}
	return out
}

// workerStats is the forwarding loops' counters as api.Worker.
func workerStats(ws []dpdk.WorkerStats, names []string) []api.Worker {
	out := make([]api.Worker, 0, len(ws))
	for i, w := range ws {
		aw := api.Worker{ID: i, Lcore: w.Lcore, Passes: w.Passes, Rx: w.Rx, MultiSegment: w.MultiSegment, Dropped: w.Dropped,
			Exception: w.Exception, KernelOut: w.KernelOut, KernelMultiSegment: w.KernelMultiSegment, BadFrame: w.BadFrame, CPUTimeNs: w.CPUTimeNs,
			PassGapNs: w.PassGapNs, PassGapSq: w.PassGapSq}
		for b, n := range w.PassGaps {
			aw.PassGaps = append(aw.PassGaps, api.PassGap{Below: dpdk.PassGapTop(b), Count: n})
		}
		for p, tx := range w.Tx {
			name := strconv.Itoa(p)
			if p < len(names) {
				name = names[p]
			}
			aw.Tx = append(aw.Tx, api.Tx{Port: name, Sent: tx.Sent, Unsent: tx.Unsent})
		}
		for _, x := range w.Exceptions {
			aw.ExceptionTx.Sent += x.ToKernel.Sent
			aw.ExceptionTx.Unsent += x.ToKernel.Unsent
		}
		for _, h := range w.Handoff {
			aw.HandoffOut.Sent += h.Sent
			aw.HandoffOut.Unsent += h.Unsent
		}
		aw.HandoffIn = w.HandoffIn
		out = append(out, aw)
	}
	return out
}

// logLine is the periodic one-line summary: the revision, every node-wide
// counter of engine.NodeMetrics except byte counts, the drop total and the
// non-zero drops by reason.
func logLine(rev uint64, s *engine.Stats) []any {
	kv := []any{"revision", rev}
	for _, m := range engine.NodeMetrics() {
		if m.Unit != engine.UnitBytes {
			kv = append(kv, m.Name, s.Totals.Value(m))
		}
	}
	var drops []string
	for r := engine.Reason(0); r < engine.NumReasons; r++ {
		if v := s.Drop(r); v > 0 {
			drops = append(drops, fmt.Sprintf("%s=%d", r, v))
		}
	}
	return append(kv, "dropped_total", s.TotalDrops(), "drops", strings.Join(drops, ","))
}
