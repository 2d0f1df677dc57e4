package node

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gwlbctl/gwlbctl/fastpath/dpdk"
	"github.com/gwlbctl/gwlbctl/fastpath/engine"
)

// Stats is the node's JSON stats document (the stats file, GET /stats and
// the final stats at exit).
type Stats struct {
	Time          time.Time          `json:"time"`
	UptimeSeconds float64            `json:"uptime_seconds"`
	LoadBalancer  string             `json:"load_balancer"`
	Revision      uint64             `json:"revision"`
	Totals        TotalStats         `json:"totals"`
	Endpoints     []EndpointStats    `json:"endpoints"`
	Targets       []TargetStats      `json:"targets"`
	Ports         []PortStats        `json:"ports"`
	Workers       []dpdk.WorkerStats `json:"workers"`
	// FirstPassMpps is the rate of the first replay pass when measured
	// (StartOptions.PassPackets; benchmarks).
	FirstPassMpps float64 `json:"first_pass_mpps,omitempty"`
}

// TotalStats are the engine's counters summed over workers.
type TotalStats struct {
	EncapPackets     uint64            `json:"encap_packets"`
	EncapBytes       uint64            `json:"encap_bytes"`
	DecapPackets     uint64            `json:"decap_packets"`
	DecapBytes       uint64            `json:"decap_bytes"`
	BridgedPackets   uint64            `json:"bridged_packets"`
	ExceptionPackets uint64            `json:"exception_packets"`
	NewFlows         uint64            `json:"new_flows"`
	ExpiredFlows     uint64            `json:"expired_flows"`
	ActiveFlows      uint64            `json:"active_flows"`
	Drops            map[string]uint64 `json:"drops"`
	DroppedTotal     uint64            `json:"dropped_total"`
}

// EndpointStats are one endpoint's state and counters.
type EndpointStats struct {
	ID    string `json:"id"`
	State string `json:"state"`
	engine.EndpointCounters
}

// TargetStats are one target's state and counters.
type TargetStats struct {
	Index int    `json:"index"`
	ID    string `json:"id"`
	IP    string `json:"ip"`
	State string `json:"state"`
	engine.TargetCounters
}

// PortStats are one DPDK port's PMD counters.
type PortStats struct {
	Name   string `json:"name"`
	Device string `json:"device"`
	Role   string `json:"role"`
	dpdk.PortStats
}

// collectStats assembles the document from the workers, the ports and the
// current snapshot.
func collectStats(start time.Time, lbArn string, cfg *engine.Config, workers []*engine.Worker, fw *dpdk.Forwarder, portNames []string) *Stats {
	now := time.Now()
	s := &Stats{Time: now.UTC(), UptimeSeconds: now.Sub(start).Seconds(), LoadBalancer: lbArn}
	var sum engine.Stats
	for _, w := range workers {
		sum.Add(w.Stats())
	}
	t := &s.Totals
	t.EncapPackets, t.EncapBytes = sum.Totals.EncapPkts, sum.Totals.EncapBytes
	t.DecapPackets, t.DecapBytes = sum.Totals.DecapPkts, sum.Totals.DecapBytes
	t.BridgedPackets, t.ExceptionPackets = sum.Totals.BridgedPkts, sum.Totals.ExceptionPkt
	t.NewFlows, t.ExpiredFlows, t.ActiveFlows = sum.Totals.NewFlows, sum.Totals.ExpiredFlows, sum.Totals.ActiveFlows
	t.Drops = map[string]uint64{}
	for r := engine.Reason(0); r < engine.NumReasons; r++ {
		t.Drops[r.String()] = sum.Totals.Drops[r]
		t.DroppedTotal += sum.Totals.Drops[r]
	}
	if cfg != nil {
		s.Revision = cfg.Revision
		for i, e := range cfg.Endpoints {
			es := EndpointStats{ID: engine.FormatEndpointID(e.ID), State: e.State.String()}
			if i < len(sum.Endpoints) {
				es.EndpointCounters = sum.Endpoints[i]
			}
			s.Endpoints = append(s.Endpoints, es)
		}
		for i := 0; i < cfg.NumTargetIndices(); i++ {
			id, ip, state, ok := cfg.TargetAt(i)
			if !ok {
				continue
			}
			ts := TargetStats{Index: i, ID: id, IP: ip.String(), State: state.String()}
			if i < len(sum.Targets) {
				ts.TargetCounters = sum.Targets[i]
			}
			s.Targets = append(s.Targets, ts)
		}
	}
	if fw != nil {
		s.Workers = fw.Stats()
		for i, p := range fw.Ports() {
			ps := PortStats{Name: portNames[i], Device: p.Name()}
			if cfg != nil && i < len(cfg.Ports) {
				ps.Role = cfg.Ports[i].Role.String()
			}
			if st, err := p.Stats(); err == nil {
				ps.PortStats = st
			}
			s.Ports = append(s.Ports, ps)
		}
		for _, x := range fw.Exceptions() {
			ps := PortStats{Name: portNames[x.Port] + "/exception", Device: x.TAP.Name(), Role: "exception"}
			if st, err := x.TAP.Stats(); err == nil {
				ps.PortStats = st
			}
			s.Ports = append(s.Ports, ps)
		}
	}
	return s
}

// LogLine is the periodic one-line summary.
func (s *Stats) LogLine() []any {
	var drops []string
	for r, n := range s.Totals.Drops {
		if n > 0 {
			drops = append(drops, fmt.Sprintf("%s=%d", r, n))
		}
	}
	return []any{
		"revision", s.Revision,
		"encap", s.Totals.EncapPackets, "decap", s.Totals.DecapPackets,
		"bridged", s.Totals.BridgedPackets, "exception", s.Totals.ExceptionPackets,
		"active_flows", s.Totals.ActiveFlows, "new_flows", s.Totals.NewFlows,
		"dropped", s.Totals.DroppedTotal, "drops", strings.Join(drops, ","),
	}
}

// writeJSONAtomic writes v to path through a temporary file and a rename,
// so a reader never sees a half-written document.
func writeJSONAtomic(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".stats-*")
	if err != nil {
		return fmt.Errorf("stats file %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("stats file %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("stats file %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
