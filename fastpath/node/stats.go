package node

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
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

// TotalStats are the engine's node-wide counters summed over workers. In
// JSON they are one object: each counter of engine.NodeMetrics under its
// key, in the table's order, then "drops" (by reason) and "dropped_total".
type TotalStats struct {
	Counters     map[string]uint64 // by engine.Metric.Key
	Drops        map[string]uint64 // by engine.Reason name
	DroppedTotal uint64
}

// EndpointStats are one endpoint's state and counters (engine.EndpointMetrics,
// by key, after "id" and "state" in JSON).
type EndpointStats struct {
	ID       string
	State    string
	Counters map[string]uint64
}

// TargetStats are one target's state and counters (engine.TargetMetrics,
// by key, after "index", "id", "ip" and "state" in JSON).
type TargetStats struct {
	Index    int
	ID       string
	IP       string
	State    string
	Counters map[string]uint64
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
	s.setEngine(&sum, cfg)
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

// setEngine fills the engine's part of the document from the workers'
// summed counters and the snapshot, walking the engine's metric tables.
func (s *Stats) setEngine(sum *engine.Stats, cfg *engine.Config) {
	s.Totals = TotalStats{
		Counters:     counters(engine.NodeMetrics(), sum.Totals.Value),
		Drops:        make(map[string]uint64, engine.NumReasons),
		DroppedTotal: sum.TotalDrops(),
	}
	for r := engine.Reason(0); r < engine.NumReasons; r++ {
		s.Totals.Drops[r.String()] = sum.Drop(r)
	}
	if cfg == nil {
		return
	}
	s.Revision = cfg.Revision
	for i, e := range cfg.Endpoints {
		var c engine.EndpointCounters
		if i < len(sum.Endpoints) {
			c = sum.Endpoints[i]
		}
		s.Endpoints = append(s.Endpoints, EndpointStats{ID: engine.FormatEndpointID(e.ID), State: e.State.String(),
			Counters: counters(engine.EndpointMetrics(), c.Value)})
	}
	for i := 0; i < cfg.NumTargetIndices(); i++ {
		id, ip, state, ok := cfg.TargetAt(i)
		if !ok {
			continue
		}
		var c engine.TargetCounters
		if i < len(sum.Targets) {
			c = sum.Targets[i]
		}
		s.Targets = append(s.Targets, TargetStats{Index: i, ID: id, IP: ip.String(), State: state.String(),
			Counters: counters(engine.TargetMetrics(), c.Value)})
	}
}

// counters reads every metric of ms, by key.
func counters(ms []engine.Metric, value func(engine.Metric) uint64) map[string]uint64 {
	c := make(map[string]uint64, len(ms))
	for _, m := range ms {
		c[m.Key] = value(m)
	}
	return c
}

// LogLine is the periodic one-line summary: the revision, every node-wide
// counter of engine.NodeMetrics except byte counts, the drop total and the
// non-zero drops by reason.
func (s *Stats) LogLine() []any {
	kv := []any{"revision", s.Revision}
	for _, m := range engine.NodeMetrics() {
		if m.Unit != engine.UnitBytes {
			kv = append(kv, m.Name, s.Totals.Counters[m.Key])
		}
	}
	var drops []string
	for r := engine.Reason(0); r < engine.NumReasons; r++ {
		if n := s.Totals.Drops[r.String()]; n > 0 {
			drops = append(drops, fmt.Sprintf("%s=%d", r, n))
		}
	}
	return append(kv, "dropped_total", s.Totals.DroppedTotal, "drops", strings.Join(drops, ","))
}

// The counter objects are written in the metric table's order, with the
// fields that name the object first.

func (t TotalStats) MarshalJSON() ([]byte, error) {
	var o jsonObject
	o.counters(engine.NodeMetrics(), t.Counters)
	o.add("drops", t.Drops)
	o.add("dropped_total", t.DroppedTotal)
	return o.finish()
}

func (t *TotalStats) UnmarshalJSON(b []byte) error {
	*t = TotalStats{}
	c, err := readObject(b, map[string]any{"drops": &t.Drops, "dropped_total": &t.DroppedTotal})
	t.Counters = c
	return err
}

func (e EndpointStats) MarshalJSON() ([]byte, error) {
	var o jsonObject
	o.add("id", e.ID)
	o.add("state", e.State)
	o.counters(engine.EndpointMetrics(), e.Counters)
	return o.finish()
}

func (e *EndpointStats) UnmarshalJSON(b []byte) error {
	*e = EndpointStats{}
	c, err := readObject(b, map[string]any{"id": &e.ID, "state": &e.State})
	e.Counters = c
	return err
}

func (t TargetStats) MarshalJSON() ([]byte, error) {
	var o jsonObject
	o.add("index", t.Index)
	o.add("id", t.ID)
	o.add("ip", t.IP)
	o.add("state", t.State)
	o.counters(engine.TargetMetrics(), t.Counters)
	return o.finish()
}

func (t *TargetStats) UnmarshalJSON(b []byte) error {
	*t = TargetStats{}
	c, err := readObject(b, map[string]any{"index": &t.Index, "id": &t.ID, "ip": &t.IP, "state": &t.State})
	t.Counters = c
	return err
}

// jsonObject writes a JSON object with its keys in the order added.
type jsonObject struct {
	buf []byte
	err error
}

func (o *jsonObject) add(key string, v any) {
	if o.err != nil {
		return
	}
	k, err := json.Marshal(key)
	if err != nil {
		o.err = err
		return
	}
	val, err := json.Marshal(v)
	if err != nil {
		o.err = fmt.Errorf("%s: %w", key, err)
		return
	}
	if len(o.buf) == 0 {
		o.buf = append(o.buf, '{')
	} else {
		o.buf = append(o.buf, ',')
	}
	o.buf = append(append(append(o.buf, k...), ':'), val...)
}

// counters adds c's counters: those of ms in the table's order, then any
// other (a document from a newer engine read back) in key order.
func (o *jsonObject) counters(ms []engine.Metric, c map[string]uint64) {
	known := make(map[string]bool, len(ms))
	for _, m := range ms {
		known[m.Key] = true
		o.add(m.Key, c[m.Key])
	}
	var rest []string
	for k := range c {
		if !known[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		o.add(k, c[k])
	}
}

func (o *jsonObject) finish() ([]byte, error) {
	if o.err != nil {
		return nil, o.err
	}
	if len(o.buf) == 0 {
		return []byte("{}"), nil
	}
	return append(o.buf, '}'), nil
}

// readObject decodes a counter object: the keys of fixed into their
// pointers, every other key as a counter.
func readObject(b []byte, fixed map[string]any) (map[string]uint64, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	c := map[string]uint64{}
	for k, v := range raw {
		if dst, ok := fixed[k]; ok {
			if err := json.Unmarshal(v, dst); err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			continue
		}
		var n uint64
		if err := json.Unmarshal(v, &n); err != nil {
			return nil, fmt.Errorf("counter %s: %w", k, err)
		}
		c[k] = n
	}
	return c, nil
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
