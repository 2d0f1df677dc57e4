package engine

import "unsafe"

// The metric tables describe every counter the engine keeps: its name,
// help text, kind and unit, and where its value lives. The stats document,
// the periodic log line and the Prometheus exposition are generated from
// them, so a counter added here appears everywhere and one missing here
// appears nowhere (a test checks every counter field is described).

// Kind says how a metric's value behaves.
type Kind uint8

const (
	// KindCounter only grows, from 0 when a worker starts.
	KindCounter Kind = iota
	// KindGauge is a level that goes up and down.
	KindGauge
)

func (k Kind) String() string {
	if k == KindGauge {
		return "gauge"
	}
	return "counter"
}

// Unit is what a metric counts.
type Unit uint8

const (
	UnitPackets Unit = iota
	UnitBytes
	UnitFlows
)

func (u Unit) String() string {
	switch u {
	case UnitBytes:
		return "bytes"
	case UnitFlows:
		return "flows"
	}
	return "packets"
}

// Scope says what a metric is counted per, and so which struct holds it.
type Scope uint8

const (
	// ScopeNode: one value per worker, summed for the node (Totals).
	ScopeNode Scope = iota
	// ScopeEndpoint: one value per endpoint (EndpointCounters).
	ScopeEndpoint
	// ScopeTarget: one value per target (TargetCounters).
	ScopeTarget
)

func (s Scope) String() string {
	switch s {
	case ScopeEndpoint:
		return "endpoint"
	case ScopeTarget:
		return "target"
	}
	return "node"
}

// Metric describes one counter.
type Metric struct {
	// Name is the snake_case name, unique within its scope: the key of a
	// node-wide counter in the stats document and the log line, and the
	// stem of its Prometheus name.
	Name string
	// Key is the metric's key in the stats document. It is Name for
	// node-wide counters; per-endpoint and per-target counters keep the
	// keys the document has always had (InPkts, TxPkts, NewFlows, ...).
	Key   string
	Help  string
	Kind  Kind
	Unit  Unit
	Scope Scope
	off   uintptr // byte offset of the value in its struct
}

// DropMetric describes the node-wide drop counters (Totals.Drops) as one
// family with a value per Reason: the stats document's "drops", keyed by
// Reason.String, each explained by Reason.Help.
func DropMetric() Metric {
	return Metric{Name: "drops", Key: "drops", Help: "packets dropped, by reason", Kind: KindCounter, Unit: UnitPackets, Scope: ScopeNode}
}

var (
	t0 Totals
	e0 EndpointCounters
	g0 TargetCounters
)

var nodeMetrics = [...]Metric{
	{Name: "encap_packets", Help: "IP packets from endpoints encapsulated to a target", Unit: UnitPackets, off: unsafe.Offsetof(t0.EncapPkts)},
	{Name: "encap_bytes", Help: "inner IP bytes of the encapsulated packets", Unit: UnitBytes, off: unsafe.Offsetof(t0.EncapBytes)},
	{Name: "decap_packets", Help: "Geneve returns from targets accepted, decapsulated and sent to an endpoint side", Unit: UnitPackets, off: unsafe.Offsetof(t0.DecapPkts)},
	{Name: "decap_bytes", Help: "inner IP bytes of the decapsulated packets", Unit: UnitBytes, off: unsafe.Offsetof(t0.DecapBytes)},
	{Name: "bridged_packets", Help: "non-IP frames (ARP, LLDP, stacked VLANs, ...) bridged between bump sides", Unit: UnitPackets, off: unsafe.Offsetof(t0.BridgedPkts)},
	{Name: "bridged_nd_packets", Help: "IPv6 neighbour discovery messages (ICMPv6 133-137, hop limit 255) bridged between bump sides", Unit: UnitPackets, off: unsafe.Offsetof(t0.BridgedNDPkts)},
	{Name: "exception_packets", Help: "frames for the node or a routed endpoint's own addresses handed to the kernel (ARP, neighbour discovery, ICMP, health checks)", Unit: UnitPackets, off: unsafe.Offsetof(t0.ExceptionPkt)},
	{Name: "new_flows", Help: "flows created", Unit: UnitFlows, off: unsafe.Offsetof(t0.NewFlows)},
	{Name: "picked_up_flows", Help: "TCP flows started mid-flow by a packet other than a SYN (mid-flow pickup, several nodes: a connection another node carried)", Unit: UnitFlows, off: unsafe.Offsetof(t0.PickedUpFlows)},
	{Name: "expired_flows", Help: "flows reclaimed after their idle timeout", Unit: UnitFlows, off: unsafe.Offsetof(t0.ExpiredFlows)},
	{Name: "tcp_resets", Help: "TCP resets sent for TCP packets without a flow (send_tcp_reset.on_idle_timeout)", Unit: UnitPackets, off: unsafe.Offsetof(t0.TCPResets)},
	{Name: "handed_off_packets", Help: "packets handed to the worker that owns their flow (their return's cookie, or their flow hash, names another worker than the one whose queue they arrived on)", Unit: UnitPackets, off: unsafe.Offsetof(t0.HandoffPkts)},
	{Name: "active_flows", Help: "flows in the flow tables at the last counter flush", Kind: KindGauge, Unit: UnitFlows, off: unsafe.Offsetof(t0.ActiveFlows)},
}

var endpointMetrics = [...]Metric{
	{Name: "in_packets", Key: "InPkts", Help: "IP packets received from the endpoint's sides (bump) or port (routed)", Unit: UnitPackets, off: unsafe.Offsetof(e0.InPkts)},
	{Name: "in_bytes", Key: "InBytes", Help: "inner IP bytes received from the endpoint's sides (bump) or port (routed)", Unit: UnitBytes, off: unsafe.Offsetof(e0.InBytes)},
	{Name: "out_packets", Key: "OutPkts", Help: "IP packets sent out of the endpoint's sides (bump) or port (routed) after the appliance", Unit: UnitPackets, off: unsafe.Offsetof(e0.OutPkts)},
	{Name: "out_bytes", Key: "OutBytes", Help: "inner IP bytes sent out of the endpoint's sides (bump) or port (routed) after the appliance", Unit: UnitBytes, off: unsafe.Offsetof(e0.OutBytes)},
	{Name: "dropped_packets", Key: "Drops", Help: "dropped packets attributed to the endpoint", Unit: UnitPackets, off: unsafe.Offsetof(e0.Drops)},
	{Name: "new_flows", Key: "NewFlows", Help: "flows created on the endpoint", Unit: UnitFlows, off: unsafe.Offsetof(e0.NewFlows)},
	{Name: "no_neighbor_drops", Key: "NoNeighbor", Help: "packets of a routed endpoint dropped after the appliance because their next hop's MAC was not resolved", Unit: UnitPackets, off: unsafe.Offsetof(e0.NoNeighbor)},
}

var targetMetrics = [...]Metric{
	{Name: "tx_packets", Key: "TxPkts", Help: "packets encapsulated to the target", Unit: UnitPackets, off: unsafe.Offsetof(g0.TxPkts)},
	{Name: "tx_bytes", Key: "TxBytes", Help: "inner IP bytes encapsulated to the target", Unit: UnitBytes, off: unsafe.Offsetof(g0.TxBytes)},
	{Name: "rx_packets", Key: "RxPkts", Help: "returns from the target accepted", Unit: UnitPackets, off: unsafe.Offsetof(g0.RxPkts)},
	{Name: "rx_bytes", Key: "RxBytes", Help: "inner IP bytes of the returns from the target accepted", Unit: UnitBytes, off: unsafe.Offsetof(g0.RxBytes)},
	{Name: "new_flows", Key: "NewFlows", Help: "flows given to the target", Unit: UnitFlows, off: unsafe.Offsetof(g0.NewFlows)},
	{Name: "no_neighbor_drops", Key: "NoNeighbor", Help: "packets to the target dropped because its next-hop MAC was not resolved", Unit: UnitPackets, off: unsafe.Offsetof(g0.NoNeighbor)},
	{Name: "active_flows", Key: "ActiveFlows", Help: "the target's flows in the flow tables at the last counter flush", Kind: KindGauge, Unit: UnitFlows, off: unsafe.Offsetof(g0.ActiveFlows)},
}

func init() {
	for _, t := range []struct {
		ms    []Metric
		scope Scope
	}{{nodeMetrics[:], ScopeNode}, {endpointMetrics[:], ScopeEndpoint}, {targetMetrics[:], ScopeTarget}} {
		for i := range t.ms {
			m := &t.ms[i]
			m.Scope = t.scope
			if m.Key == "" {
				m.Key = m.Name
			}
		}
	}
}

// NodeMetrics describes the node-wide counters (Totals) other than the
// drops (DropMetric), in the order the stats document lists them.
func NodeMetrics() []Metric { return append([]Metric(nil), nodeMetrics[:]...) }

// EndpointMetrics describes the per-endpoint counters (EndpointCounters).
func EndpointMetrics() []Metric { return append([]Metric(nil), endpointMetrics[:]...) }

// TargetMetrics describes the per-target counters (TargetCounters).
func TargetMetrics() []Metric { return append([]Metric(nil), targetMetrics[:]...) }

// Value returns the node-wide counter m (from NodeMetrics).
func (t *Totals) Value(m Metric) uint64 { return value(t, m, ScopeNode) }

// Value returns the per-endpoint counter m (from EndpointMetrics).
func (c *EndpointCounters) Value(m Metric) uint64 { return value(c, m, ScopeEndpoint) }

// Value returns the per-target counter m (from TargetMetrics).
func (c *TargetCounters) Value(m Metric) uint64 { return value(c, m, ScopeTarget) }

func value[T counterStruct](p *T, m Metric, scope Scope) uint64 {
	if m.Scope != scope {
		panic("engine: " + m.Scope.String() + " metric " + m.Name + " read from " + scope.String() + " counters")
	}
	return words(p)[m.off/8]
}
