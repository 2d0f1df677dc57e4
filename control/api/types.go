package api

import (
	"net/netip"
	"time"
)

// Info is GET /info: who the node is and what configuration it runs.
type Info struct {
	// Version is the gwlbctl build that serves (module version or VCS
	// revision).
	Version string `json:"version"`
	// NodeID names this node among the load balancer's nodes.
	NodeID string `json:"node_id"`
	// PID is the serving process.
	PID int `json:"pid"`
	// LoadBalancer is the ARN of the gateway load balancer the node serves.
	LoadBalancer string `json:"load_balancer"`
	// TargetGroup is the ARN of the target group its listener forwards to;
	// empty while the load balancer has no listener.
	TargetGroup string `json:"target_group"`
	// AvailabilityZone is the zone the node stands in.
	AvailabilityZone string `json:"availability_zone"`
	// StartedAt is when the node started; it also identifies the run
	// (cursors of an earlier run are refused).
	StartedAt time.Time `json:"started_at"`
	// UptimeSeconds is the time since StartedAt.
	UptimeSeconds float64 `json:"uptime_seconds"`
	// Revision is the state revision of the published configuration
	// snapshot.
	Revision uint64 `json:"revision"`
	// Workers are the forwarding workers, each with the revision it runs:
	// all equal to Revision once every worker has moved to the new
	// snapshot after a reload.
	Workers []WorkerInfo `json:"workers"`
}

// WorkerInfo is one forwarding worker's identity.
type WorkerInfo struct {
	// ID is the worker's index (the "worker" of flows and counters).
	ID int `json:"id"`
	// Lcore is the DPDK lcore the worker runs on.
	Lcore int `json:"lcore"`
	// Revision is the state revision of the snapshot the worker used for
	// its last burst.
	Revision uint64 `json:"revision"`
}

// Stats is GET /stats: every counter of the node. Counters are cumulative
// since the node started and never decrease while it runs, reloads
// included (see Backend).
type Stats struct {
	// Time is when the counters were read.
	Time time.Time `json:"time"`
	// UptimeSeconds is the time since the node started.
	UptimeSeconds float64 `json:"uptime_seconds"`
	// LoadBalancer is the ARN of the load balancer the node serves.
	LoadBalancer string `json:"load_balancer"`
	// AvailabilityZone is the node's zone.
	AvailabilityZone string `json:"availability_zone"`
	// Revision is the state revision of the published snapshot.
	Revision uint64 `json:"revision"`
	// Totals are the engine's counters summed over workers.
	Totals Totals `json:"totals"`
	// Endpoints and Targets are as GET /endpoints and GET /targets.
	Endpoints []Endpoint `json:"endpoints"`
	Targets   []Target   `json:"targets"`
	// Ports are the DPDK ports' PMD counters, the exception TAP last.
	Ports []Port `json:"ports"`
	// Workers are the forwarding loops' counters.
	Workers []Worker `json:"workers"`
}

// Totals are the engine's counters summed over workers. Bytes are inner IP
// bytes (the packet as the endpoint sent it, without Geneve overhead).
type Totals struct {
	// EncapPackets and EncapBytes: endpoint -> appliance, encapsulated.
	EncapPackets uint64 `json:"encap_packets"`
	EncapBytes   uint64 `json:"encap_bytes"`
	// DecapPackets and DecapBytes: appliance -> endpoint, decapsulated.
	DecapPackets uint64 `json:"decap_packets"`
	DecapBytes   uint64 `json:"decap_bytes"`
	// BridgedPackets are non-IP frames bridged between bump sides;
	// BridgedNDPackets the IPv6 neighbour discovery messages bridged the
	// same way (ICMPv6 133-137, link-local: an appliance that routes never
	// returns them).
	BridgedPackets   uint64 `json:"bridged_packets"`
	BridgedNDPackets uint64 `json:"bridged_nd_packets"`
	// ExceptionPackets were handed to the kernel TAP (ARP, ICMP and health
	// checks for the node's own address).
	ExceptionPackets uint64 `json:"exception_packets"`
	// TCPResets are RSTs sent for TCP packets without a flow
	// (send_tcp_reset.on_idle_timeout.enabled).
	TCPResets uint64 `json:"tcp_resets"`
	// PickedUpFlows are TCP flows started by a packet other than a SYN:
	// connections another node carried, picked up mid-flow (several
	// nodes on one etcd state; engine.Attributes.PickUpTCP).
	PickedUpFlows uint64 `json:"picked_up_flows"`
	// HandedOffPackets arrived on one worker's queue and were handed to
	// the worker that owns their flow (several workers only).
	HandedOffPackets uint64 `json:"handed_off_packets"`
	// NewFlows and ExpiredFlows count flows created and ended by the idle
	// timeout.
	NewFlows     uint64 `json:"new_flows"`
	ExpiredFlows uint64 `json:"expired_flows"`
	// ActiveFlows is a gauge: flows in the tables now.
	ActiveFlows uint64 `json:"active_flows"`
	// Drops are dropped packets by reason; every reason the engine knows is
	// present, zero or not.
	Drops map[string]uint64 `json:"drops"`
	// DroppedTotal is the sum of Drops.
	DroppedTotal uint64 `json:"dropped_total"`
	// EncapRate and DecapRate are the rates over the backend's last
	// sampling interval (RateTracker).
	EncapRate Rates `json:"encap_rate"`
	DecapRate Rates `json:"decap_rate"`
	// NewFlowsPerSecond and DroppedPerSecond likewise.
	NewFlowsPerSecond float64 `json:"new_flows_per_second"`
	DroppedPerSecond  float64 `json:"dropped_per_second"`
}

// Rates are a counter pair's rates, from the deltas between the backend's
// two most recent samples (RateTracker), never counted per packet.
type Rates struct {
	// PPS is packets per second.
	PPS float64 `json:"pps"`
	// BPS is bits per second (bytes x 8).
	BPS float64 `json:"bps"`
}

// Port is one DPDK port's PMD counters (rte_eth_stats and xstats).
type Port struct {
	// Name is the port's name in the node config ("exception" for the TAP).
	Name string `json:"name"`
	// Device is the DPDK device (net_af_packet0, 0000:00:06.0, ...).
	Device string `json:"device"`
	// Role is the port's role (the engine's name: appliance, bump, routed,
	// unused), or exception for the TAP.
	Role string `json:"role"`
	// RxPackets ... RxNoMbuf are rte_eth_stats: ipackets, opackets,
	// ibytes, obytes (wire bytes), imissed (rx ring full), ierrors,
	// oerrors, rx_nombuf (mbuf allocation failures).
	RxPackets uint64 `json:"rx_packets"`
	TxPackets uint64 `json:"tx_packets"`
	RxBytes   uint64 `json:"rx_bytes"`
	TxBytes   uint64 `json:"tx_bytes"`
	RxMissed  uint64 `json:"rx_missed"`
	RxErrors  uint64 `json:"rx_errors"`
	TxErrors  uint64 `json:"tx_errors"`
	RxNoMbuf  uint64 `json:"rx_nombuf"`
	// Queues are per-queue counters for the first 16 queues (drivers that
	// do not keep them report zeros).
	Queues []Queue `json:"queues,omitempty"`
	// XStats are every extended statistic the driver reports, by its name
	// (ENA: bw_in_allowance_exceeded, pps_allowance_exceeded, ...).
	XStats map[string]uint64 `json:"xstats,omitempty"`
	// RxRate and TxRate are wire rates over the last sampling interval.
	RxRate Rates `json:"rx_rate"`
	TxRate Rates `json:"tx_rate"`
	// Error says why the counters could not be read (they are then zero
	// and left out of the metrics).
	Error string `json:"error,omitempty"`
}

// Queue is one queue's counters.
type Queue struct {
	RxPackets uint64 `json:"rx_packets"`
	TxPackets uint64 `json:"tx_packets"`
	RxBytes   uint64 `json:"rx_bytes"`
	TxBytes   uint64 `json:"tx_bytes"`
	RxErrors  uint64 `json:"rx_errors"`
}

// PassGap is one bucket of Worker.PassGaps: the gaps shorter than Below
// (and not shorter than the previous bucket's Below); the last bucket has
// no Below.
type PassGap struct {
	Below time.Duration `json:"below_ns,omitempty"`
	Count uint64        `json:"count"`
}

// PassGapSqUnit is the unit of Worker.PassGapSq in ns²: each gap is
// counted in whole 1024 ns.
const PassGapSqUnit = 1 << 20

// PassWait is the mean time a packet arriving at a random instant waited
// for worker's next poll between two readings of its counters: the sum of
// the squared gaps over twice their sum.
func PassWait(from, to *Worker) time.Duration {
	ns := to.PassGapNs - from.PassGapNs
	if ns == 0 {
		return 0
	}
	return time.Duration(float64(to.PassGapSq-from.PassGapSq) * PassGapSqUnit / (2 * float64(ns)))
}

// Worker is one forwarding loop's counters.
type Worker struct {
	// ID is the worker's index; Lcore the lcore it runs on.
	ID    int `json:"id"`
	Lcore int `json:"lcore"`
	// Passes are poll passes over the worker's rx queues.
	Passes uint64 `json:"passes"`
	// PassGaps counts the times between the ends of two passes by bucket,
	// shortest first; PassGapNs is their sum and PassGapSq the sum of
	// their squares in PassGapSqUnit. A packet that arrives during a long
	// gap waits for its end: PassWait gives the mean wait between two
	// readings.
	PassGaps  []PassGap `json:"pass_gaps,omitempty"`
	PassGapNs uint64    `json:"pass_gap_ns"`
	PassGapSq uint64    `json:"pass_gap_sq"`
	// Rx are packets handed to the engine.
	Rx uint64 `json:"rx"`
	// MultiSegment are chained mbufs dropped before the engine.
	MultiSegment uint64 `json:"multi_segment"`
	// Dropped are packets freed: drop verdicts, invalid output ports, bad
	// frames.
	Dropped uint64 `json:"dropped"`
	// Exception are packets handed to the kernel TAP.
	Exception uint64 `json:"exception"`
	// KernelOut are frames from the TAP sent on the appliance port;
	// KernelMultiSegment those dropped as chained mbufs.
	KernelOut          uint64 `json:"kernel_out"`
	KernelMultiSegment uint64 `json:"kernel_multi_segment"`
	// BadFrame are frames whose offsets were outside the buffer after the
	// engine (dropped).
	BadFrame uint64 `json:"bad_frame"`
	// CPUTimeNs is the worker thread's CPU time in completed runs.
	CPUTimeNs uint64 `json:"cpu_time_ns"`
	// Tx are the transmit counters per output port (the TAP excluded);
	// ExceptionTx the TAP's.
	Tx          []Tx `json:"tx"`
	ExceptionTx Tx   `json:"exception_tx"`
	// HandoffOut counts the packets this worker handed to the workers
	// owning their flows (Sent; Unsent were refused by a full inbox and
	// freed), HandoffIn those it took from its own inbox (several
	// workers only).
	HandoffOut Tx     `json:"handoff_out"`
	HandoffIn  uint64 `json:"handoff_in"`
}

// Tx counts one transmit buffer's packets.
type Tx struct {
	// Port is the output port's name.
	Port string `json:"port"`
	// Sent were accepted by the PMD; Unsent refused (and freed).
	Sent   uint64 `json:"sent"`
	Unsent uint64 `json:"unsent"`
}

// Target is one target of GET /targets: its health and traffic.
type Target struct {
	// Index is the target's stable index (Flow.TargetIndex).
	Index int `json:"index"`
	// ID is the registered target id: an instance id or an IP address.
	ID string `json:"id"`
	// IP is the address Geneve is sent to.
	IP netip.Addr `json:"ip"`
	// AvailabilityZone is the target's zone.
	AvailabilityZone string `json:"availability_zone,omitempty"`
	// State, Reason and Description are as describe-target-health prints
	// them (control.TargetHealth*: initial, healthy, unhealthy, unused,
	// draining, unavailable; reason codes such as Target.Timeout).
	State       string `json:"state"`
	Reason      string `json:"reason,omitempty"`
	Description string `json:"description,omitempty"`
	// Since is when the target entered State (zero when unknown).
	Since time.Time `json:"since"`
	// ActiveFlows is a gauge: live flows on this target.
	ActiveFlows uint64 `json:"active_flows"`
	// NewFlows counts flows given to this target.
	NewFlows uint64 `json:"new_flows"`
	// TxPackets and TxBytes were encapsulated to the target; RxPackets and
	// RxBytes are accepted returns from it (inner bytes).
	TxPackets uint64 `json:"tx_packets"`
	TxBytes   uint64 `json:"tx_bytes"`
	RxPackets uint64 `json:"rx_packets"`
	RxBytes   uint64 `json:"rx_bytes"`
	// NoNeighbor are drops because the target's next-hop MAC was unknown.
	NoNeighbor uint64 `json:"no_neighbor"`
	// TxRate and RxRate are over the last sampling interval.
	TxRate Rates `json:"tx_rate"`
	RxRate Rates `json:"rx_rate"`
}

// Endpoint is one Gateway Load Balancer endpoint of GET /endpoints.
type Endpoint struct {
	// ID is the endpoint id, vpce-<17 hex>.
	ID string `json:"id"`
	// State is the endpoint's connection state (available,
	// pendingAcceptance, rejected, ...): only available endpoints forward.
	State string `json:"state"`
	// AvailabilityZone is the endpoint's zone.
	AvailabilityZone string `json:"availability_zone,omitempty"`
	// Mode is how the endpoint is attached: bump or routed.
	Mode string `json:"mode,omitempty"`
	// InPackets and InBytes were received from the endpoint's side(s);
	// OutPackets and OutBytes sent back out after the appliance (inner
	// bytes).
	InPackets  uint64 `json:"in_packets"`
	InBytes    uint64 `json:"in_bytes"`
	OutPackets uint64 `json:"out_packets"`
	OutBytes   uint64 `json:"out_bytes"`
	// DroppedPackets are drops attributed to this endpoint.
	DroppedPackets uint64 `json:"dropped_packets"`
	// NewFlows counts flows the endpoint started.
	NewFlows uint64 `json:"new_flows"`
	// NoNeighbor are a routed endpoint's drops after the appliance because
	// the next hop's MAC was unknown.
	NoNeighbor uint64 `json:"no_neighbor"`
	// InRate and OutRate are over the last sampling interval.
	InRate  Rates `json:"in_rate"`
	OutRate Rates `json:"out_rate"`
}

// TargetList is the body of GET /targets.
type TargetList struct {
	Targets []Target `json:"targets"`
}

// EndpointList is the body of GET /endpoints.
type EndpointList struct {
	Endpoints []Endpoint `json:"endpoints"`
}

// Event kinds.
const (
	// EventHealth is a target's health transition (From -> To, Reason).
	EventHealth = "health"
	// EventReload is a new configuration snapshot (Revision).
	EventReload = "reload"
	// EventEndpoint is an endpoint's state change: accepted (-> available),
	// rejected, deleted (From -> To).
	EventEndpoint = "endpoint"
	// EventWarning is anything an operator should see (a misconfiguration,
	// a port that cannot be read, ...).
	EventWarning = "warning"
)

// Event is one entry of GET /events.
type Event struct {
	// Seq numbers events from 1 in the order they happened, per node run.
	Seq uint64 `json:"seq"`
	// Time is when the event happened.
	Time time.Time `json:"time"`
	// Kind is EventHealth, EventReload, EventEndpoint or EventWarning.
	Kind string `json:"kind"`
	// Message says what happened, for people.
	Message string `json:"message"`
	// Target and Endpoint name the object concerned, if any.
	Target   string `json:"target,omitempty"`
	Endpoint string `json:"endpoint,omitempty"`
	// From and To are the states before and after (health or endpoint
	// state).
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
	// Reason is the reason code of a health transition.
	Reason string `json:"reason,omitempty"`
	// Revision is the state revision of a reload.
	Revision uint64 `json:"revision,omitempty"`
}

// EventPage is the body of GET /events.
type EventPage struct {
	// Events have Seq > the request's after, oldest first.
	Events []Event `json:"events"`
	// Next is the after of the next request: the last Seq returned (the
	// request's after when none was).
	Next uint64 `json:"next"`
	// Latest is the newest Seq the node holds (0: none yet).
	Latest uint64 `json:"latest"`
	// Missed counts events after the request's after that the node no
	// longer holds (its log is bounded): the client fell behind.
	Missed uint64 `json:"missed,omitempty"`
	// Reset is set when after was beyond Latest: the node restarted and
	// numbers from 1 again; the page starts from its oldest event.
	Reset bool `json:"reset,omitempty"`
	// Limit is the page size used (set by the handler); LimitClamped says
	// the request asked for more (RequestedLimit) than the maximum.
	Limit          int  `json:"limit"`
	LimitClamped   bool `json:"limit_clamped,omitempty"`
	RequestedLimit int  `json:"requested_limit,omitempty"`
	// Wake is closed when an event newer than the page is appended (for
	// the handler's long poll; not sent).
	Wake <-chan struct{} `json:"-"`
}

// LookupRequest asks which target a flow gets (GET /lookup).
type LookupRequest struct {
	// Endpoint is the endpoint id the flow enters through.
	Endpoint string `json:"endpoint"`
	// Proto is the IP protocol.
	Proto uint8 `json:"proto"`
	// Src and Dst are the initiator's and the responder's ends (ports zero
	// for protocols without ports).
	Src netip.AddrPort `json:"src"`
	Dst netip.AddrPort `json:"dst"`
}

// LookupResult answers a LookupRequest. Nodes of one load balancer that
// run the same revision give the same Target for the same request: a
// flow's target is a pure function of the target set and the tuple.
type LookupResult struct {
	// Request is the request as the node understood it.
	Request LookupRequest `json:"request"`
	// Tuple is how many fields the target group's stickiness hashes: 5, 3
	// or 2.
	Tuple uint8 `json:"tuple"`
	// Target is the target a new flow with this tuple gets now; nil when
	// none (Reason says why).
	Target *TargetRef `json:"target,omitempty"`
	// Reason is why there is no target: the drop reason a new flow would be
	// counted under (no_target, endpoint_not_available, ...).
	Reason string `json:"reason,omitempty"`
	// Flow is the live flow of this tuple on this node, if any; its target
	// may differ from Target (it was chosen when the flow started).
	Flow *Flow `json:"flow,omitempty"`
	// Revision is the state revision the answer was computed with.
	Revision uint64 `json:"revision"`
}

// TargetRef names a target.
type TargetRef struct {
	Index int        `json:"index"`
	ID    string     `json:"id"`
	IP    netip.Addr `json:"ip"`
}

// ErrorBody is the body of every error response.
type ErrorBody struct {
	// Error says what was wrong and what to do.
	Error string `json:"error"`
}
