package engine

import (
	"fmt"
	"net/netip"
	"strconv"

	"github.com/gwlbctl/gwlbctl/fastpath/balance"
	"github.com/gwlbctl/gwlbctl/fastpath/flow"
	"github.com/gwlbctl/gwlbctl/fastpath/packet"
)

// The public model of a snapshot: ports and their roles, endpoints,
// targets, attributes and the limits of a Config.

// PortRole says what a port is for.
type PortRole uint8

const (
	// RoleUnused ports drop everything they receive (counted as not_for_us).
	RoleUnused PortRole = iota
	// RoleAppliance is the load balancer node's port on the appliance
	// network: Geneve to and from targets; ARP, ICMP and anything else
	// addressed to the node go to the kernel (Verdict Exception).
	RoleAppliance
	// RoleBump is one side of a transparent wire for one endpoint: traffic
	// entering side A leaves side B after the appliance, and vice versa.
	RoleBump
	// RoleRouted is a one-port endpoint with its own addresses on a
	// consumer subnet, the next hop consumer route tables point at (an EC2
	// ENI with source/destination check off): ARP, neighbour discovery and
	// packets for its own addresses go to the kernel (Verdict Exception),
	// every other IP packet is the endpoint's traffic; after the appliance
	// it leaves the same port towards its destination's next hop (the
	// port's Routes, longest prefix first, and Config.Neighbors).
	RoleRouted
)

func (r PortRole) String() string {
	switch r {
	case RoleUnused:
		return "unused"
	case RoleAppliance:
		return "appliance"
	case RoleBump:
		return "bump"
	case RoleRouted:
		return "routed"
	}
	return "role(" + strconv.Itoa(int(r)) + ")"
}

// Side names the two ports of a bump endpoint.
type Side uint8

const (
	SideA Side = 0
	SideB Side = 1
)

func (s Side) String() string {
	if s == SideA {
		return "A"
	}
	return "B"
}

// Port is one entry of Config.Ports; its index is Packet.Port.
type Port struct {
	Name string
	Role PortRole

	// Appliance role: the node's address on the appliance network and the
	// port's MAC (the kernel TAP of the exception path has the same ones).
	NodeIP  netip.Prefix
	NodeMAC [6]byte
	// Gateway is optional: targets outside NodeIP's prefix are reached
	// through it (serve then resolves the gateway's MAC as the targets'
	// next hop). The engine only uses Target.NextHopMAC.
	Gateway netip.Addr
	// MTU is the port's IP MTU. Appliance role: the appliance network's;
	// an encapsulated packet is at most this long, so inner packets larger
	// than MTU - 68 (packet.OuterOverhead) are dropped and counted as
	// too_big, never sent to be lost on the wire. 0 means
	// packet.ApplianceMTU (8568), which carries GWLB's 8500-byte inner
	// packets; at least MinApplianceMTU. Bump and routed roles: the
	// endpoint link's; a packet that would leave the port after the
	// appliance longer than MTU is dropped as too_big (0: no limit
	// beyond Config.InnerLimit, which bounds what enters); at least
	// MinEndpointMTU (1280 with Address6).
	MTU int

	// Bump and routed roles: which endpoint (index into Config.Endpoints).
	Endpoint int
	// Bump role: which side of the wire.
	Side Side

	// Routed role. Address is the endpoint's IPv4 address and prefix on
	// its consumer subnet (required); Address6 its IPv6 address and prefix
	// (optional). The connected prefixes are on-link: destinations in them
	// are their own next hop.
	Address  netip.Prefix
	Address6 netip.Prefix
	// MAC is the routed port's MAC, shared by its exception TAP: the
	// source of every frame the engine sends out of the port, and the
	// only unicast destination it accepts (an ENI has one MAC and no
	// promiscuous mode).
	MAC [6]byte
	// Routes are the endpoint's routes beyond the connected prefixes, at
	// most MaxRoutes: a default route or more specific ones through a
	// router on the link. After the appliance a packet follows the
	// longest prefix that contains its destination; none: dropped as
	// no_route.
	Routes []Route

	// peer is the other side's port index (bump) or the port's own index
	// (routed), filled by NewConfig: where a flow's reply direction leaves.
	peer uint16
}

// Route is one entry of a routed endpoint's route table: packets to Dst
// go to the router Via, or on-link to their destination itself when Via
// is the zero Addr. Dst and Via are of one family; Via is on the port's
// link: inside a connected prefix, or an IPv6 link-local address.
type Route struct {
	Dst netip.Prefix
	Via netip.Addr
}

// Neighbor is the MAC of one address on a routed port's link (its router
// or an on-link host), as the kernel resolved it through the port's
// exception TAP (or as configured statically). A decapsulated packet
// whose next hop has no entry is dropped as no_neighbor and the next hop
// reported by Worker.EndpointNeighborMisses.
type Neighbor struct {
	Port int // index into Config.Ports of a routed port
	IP   netip.Addr
	MAC  [6]byte
}

// EndpointState mirrors the gateway load balancer endpoint's state. Only
// available endpoints pass traffic.
type EndpointState uint8

const (
	EndpointAvailable EndpointState = iota
	EndpointPendingAcceptance
	EndpointPending
	EndpointRejected
	EndpointDeleting
	EndpointDeleted
	EndpointFailed
)

var endpointStateNames = [...]string{"available", "pendingAcceptance", "pending", "rejected", "deleting", "deleted", "failed"}

func (s EndpointState) String() string {
	if int(s) < len(endpointStateNames) {
		return endpointStateNames[s]
	}
	return "state(" + strconv.Itoa(int(s)) + ")"
}

// ParseEndpointState maps the AWS state name to an EndpointState.
func ParseEndpointState(s string) (EndpointState, error) {
	for i, n := range endpointStateNames {
		if n == s {
			return EndpointState(i), nil
		}
	}
	return 0, fmt.Errorf("unknown endpoint state %q: want one of %v", s, endpointStateNames)
}

// Endpoint is a gateway load balancer endpoint served by this node.
type Endpoint struct {
	// ID is the 64-bit number of the endpoint id vpce-<17 hex>
	// (control.ParseEndpointID).
	ID uint64
	// AttachmentID is carried in Geneve option type 2.
	AttachmentID uint64
	AZ           string
	State        EndpointState
}

// FormatEndpointID writes the number GWLB carries in Geneve option type 1
// as the endpoint id "vpce-<17 hex>", for messages and listings. Ids are
// parsed by the node (control.ParseEndpointID), which hands the engine
// numbers.
func FormatEndpointID(id uint64) string {
	return fmt.Sprintf("vpce-%017x", id)
}

// TargetState is the health/registration state of a target as the engine
// needs it (the balance package decides what each state means for new and
// existing flows).
type TargetState uint8

const (
	// TargetHealthy targets get new flows.
	TargetHealthy TargetState = iota
	// TargetInitial targets (registration in progress) get no new flows
	// unless no target in scope is healthy.
	TargetInitial
	// TargetUnhealthy targets get no new flows unless none is healthy;
	// their existing flows stay (no_rebalance) or move (rebalance).
	TargetUnhealthy
	// TargetDraining targets (deregistration in progress) never get new
	// flows; existing flows stay for the deregistration delay.
	TargetDraining
	// TargetUnused targets are treated as deregistered: left out of the
	// balance tables; flows on them stay (no_rebalance) or move (rebalance).
	TargetUnused
)

var targetStateNames = [...]string{"healthy", "initial", "unhealthy", "draining", "unused"}

func (s TargetState) String() string {
	if int(s) < len(targetStateNames) {
		return targetStateNames[s]
	}
	return "state(" + strconv.Itoa(int(s)) + ")"
}

// Target is one registered target of the load balancer's target group.
type Target struct {
	// ID is the target's stable identity, e.g. "i-0abc...:6081" or
	// "10.0.1.5:6081": the Maglev tables depend only on IDs, so nodes with
	// the same targets choose the same target for a flow.
	ID string
	IP netip.Addr // IPv4: Geneve to targets is IPv4 only
	// NextHopMAC is the MAC the outer frame is sent to (the target's, or
	// the gateway's), resolved by serve from the kernel neighbour table.
	// Zero means not resolved yet: packets are dropped as no_neighbor and
	// the worker reports the target in NeighborMisses.
	NextHopMAC [6]byte
	AZ         string
	State      TargetState
}

// Stickiness is the target group's flow key mode (flow.FiveTuple default,
// flow.ThreeTuple = source_ip_dest_ip_proto, flow.TwoTuple =
// source_ip_dest_ip).
type Stickiness = flow.Stickiness

// Attributes are the load balancer, listener and target group attributes
// the data plane honours.
type Attributes struct {
	Stickiness Stickiness
	// TCPIdleTimeout is tcp.idle_timeout.seconds (60-6000 s, default 350 s)
	// in nanoseconds. Non-TCP flows use a fixed 120 s.
	TCPIdleTimeout int64
	// SendTCPReset is send_tcp_reset.on_idle_timeout.enabled: a TCP packet
	// (other than a SYN or RST) without a flow, e.g. after the idle
	// timeout, is answered with a RST sent back to its sender; without it
	// such packets are dropped silently. (AWS also resets the target's
	// side; gwlbctl only answers the packet it received.)
	SendTCPReset bool
	// PickUpTCP is mid-flow pickup, as Katran does it: a TCP packet other
	// than a SYN or RST for which the table has no entry at all starts a
	// flow on the target the hash gives, instead of being dropped as
	// no_flow. A node sets it when it shares its load balancer with other
	// nodes (the state is on etcd): when one fails, the router moves its
	// connections to another, which has never seen them, and every node's
	// hash gives the same target. An entry still in the table whose idle
	// timeout passed keeps AWS's rule (only a SYN restarts it); one the
	// expiry sweep already reclaimed is picked up like a flow never seen.
	PickUpTCP bool
	// CrossZone is load_balancing.cross_zone.enabled: when false a new
	// flow only goes to targets in its endpoint's availability zone (the
	// node's zone: GWLB connects an endpoint to the node in its zone).
	CrossZone bool
	// Failover is target_failover.on_deregistration / on_unhealthy.
	Failover balance.Failover
	// TableSize is the Maglev table size, a prime (0: 65537).
	TableSize int
	// InnerMTU is the largest inner IP packet carried (0: 8500 like
	// GWLB); larger ones are dropped as too_big, never fragmented. An
	// appliance port MTU below InnerMTU + 68 lowers the limit further
	// (Config.InnerLimit).
	InnerMTU int
}

// Defaults as documented by AWS. The TCP idle timeout bounds are the flow
// table's (flow.CheckTCPIdleTimeout), in nanoseconds.
const (
	DefaultTCPIdleTimeout = int64(flow.DefaultTCPIdleTimeout)
	MinTCPIdleTimeout     = int64(flow.MinTCPIdleTimeout)
	MaxTCPIdleTimeout     = int64(flow.MaxTCPIdleTimeout)
	DefaultInnerMTU       = packet.InnerMTU
)

// DefaultAttributes returns AWS's defaults.
func DefaultAttributes() Attributes {
	return Attributes{
		Stickiness:     flow.FiveTuple,
		TCPIdleTimeout: DefaultTCPIdleTimeout,
		InnerMTU:       DefaultInnerMTU,
	}
}

// Limits of a Config, so per-worker arrays can be sized once.
const (
	MaxPorts     = 64
	MaxEndpoints = 1024
	MaxTargets   = balance.MaxTargets
	// MaxRoutes bounds each routed port's Routes: the route lookup scans
	// them, longest prefix first (an endpoint needs a handful: the
	// connected prefixes and a default route).
	MaxRoutes = 64
	// MaxNeighbors bounds Config.Neighbors.
	MaxNeighbors = 1 << 16
)

// MinEndpointMTU is the smallest bump or routed port MTU a Config
// accepts: the IPv4 minimum every host must accept (RFC 791); a routed
// port with an IPv6 address needs 1280 (RFC 8200).
const MinEndpointMTU = 576

// minIPv6MTU is the IPv6 link MTU minimum (RFC 8200).
const minIPv6MTU = 1280

// MinApplianceMTU is the smallest appliance port MTU a Config accepts: it
// carries a 576-byte inner packet (the IPv4 minimum every host must
// accept) with GWLB's 68 bytes of encapsulation.
const MinApplianceMTU = 576 + packet.OuterOverhead

// maxApplianceMTU is the largest IPv4 packet.
const maxApplianceMTU = 65535
