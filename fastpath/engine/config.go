package engine

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"sync/atomic"
)

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
	// RoleRouted is reserved for one-port endpoints with their own address
	// (an EC2 ENI with source/destination check off). Not implemented: such
	// ports drop everything as not_for_us.
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

// Other returns the opposite side.
func (s Side) Other() Side { return s ^ 1 }

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

	// Bump role: which endpoint (index into Config.Endpoints) and side.
	Endpoint int
	Side     Side

	// peer is the other side's port index (bump), filled by NewConfig.
	peer uint16
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
	// ID is the 64-bit number of the endpoint id vpce-<17 hex> (ParseEndpointID).
	ID uint64
	// AttachmentID is carried in Geneve option type 2.
	AttachmentID uint64
	AZ           string
	State        EndpointState
}

var endpointIDPattern = regexp.MustCompile(`^vpce-([0-9a-f]{17})$`)

// ParseEndpointID returns the number in "vpce-<17 hex>" that GWLB carries in
// Geneve option type 1.
func ParseEndpointID(s string) (uint64, error) {
	m := endpointIDPattern.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("endpoint id %q: want vpce- followed by 17 lowercase hex digits", s)
	}
	v, err := strconv.ParseUint(m[1], 16, 64)
	if err != nil {
		return 0, fmt.Errorf("endpoint id %q: %w", s, err)
	}
	return v, nil
}

// FormatEndpointID is the inverse of ParseEndpointID.
func FormatEndpointID(id uint64) string {
	return fmt.Sprintf("vpce-%017x", id)
}

// TargetState is the health/registration state of a target as the engine
// needs it.
type TargetState uint8

const (
	// TargetHealthy targets get new flows.
	TargetHealthy TargetState = iota
	// TargetInitial targets (registration in progress) get no new flows
	// unless no target is healthy.
	TargetInitial
	// TargetUnhealthy targets get no new flows unless none is healthy;
	// existing flows stay (no_rebalance) or move (rebalance).
	TargetUnhealthy
	// TargetDraining targets (deregistration in progress) never get new
	// flows; existing flows stay until the delay ends (no_rebalance) or
	// move (rebalance).
	TargetDraining
	// TargetUnused targets are gone: flows on them are re-balanced.
	TargetUnused
)

var targetStateNames = [...]string{"healthy", "initial", "unhealthy", "draining", "unused"}

func (s TargetState) String() string {
	if int(s) < len(targetStateNames) {
		return targetStateNames[s]
	}
	return "state(" + strconv.Itoa(int(s)) + ")"
}

// Target is one registered target. Its position in Config.Targets is its
// stable index: flows remember it across config snapshots, so serve must
// keep a target at the same index for as long as it exists and not reuse
// an index while flows may still name it (leave the slot TargetUnused).
type Target struct {
	IP netip.Addr // IPv4
	// NextHopMAC is the MAC the outer frame is sent to (the target's, or the
	// gateway's), resolved by serve from the kernel neighbour table. Zero
	// means not resolved yet: packets are dropped as no_neighbor and the
	// worker's counter tells serve to resolve it.
	NextHopMAC [6]byte
	AZ         string
	State      TargetState
	// Rebalance is set by serve when target_failover says rebalance and the
	// deregistration delay (or the unhealthy period) has passed: existing
	// flows on this target move to another target on their next packet.
	Rebalance bool
}

// HasNeighbor reports whether the target's next-hop MAC is known.
func (t *Target) HasNeighbor() bool { return t.NextHopMAC != [6]byte{} }

// Stickiness is the target group's flow key mode.
type Stickiness uint8

const (
	// Stickiness5Tuple is the default (stickiness.enabled=false): 5-tuple
	// for TCP/UDP, 3-tuple for other protocols.
	Stickiness5Tuple Stickiness = iota
	// Stickiness3Tuple is stickiness.type=source_ip_dest_ip_proto.
	Stickiness3Tuple
	// Stickiness2Tuple is stickiness.type=source_ip_dest_ip.
	Stickiness2Tuple
)

func (s Stickiness) String() string {
	switch s {
	case Stickiness5Tuple:
		return "5-tuple"
	case Stickiness3Tuple:
		return "source_ip_dest_ip_proto"
	case Stickiness2Tuple:
		return "source_ip_dest_ip"
	}
	return "stickiness(" + strconv.Itoa(int(s)) + ")"
}

// Attributes are the load balancer, listener and target group attributes
// the data plane honours.
type Attributes struct {
	Stickiness Stickiness
	// TCPIdleTimeout is tcp.idle_timeout.seconds (60-6000 s, default 350 s),
	// in nanoseconds. Non-TCP flows use a fixed 120 s.
	TCPIdleTimeout int64
	// SendTCPReset is send_tcp_reset.on_idle_timeout.enabled. Accepted but
	// not implemented: packets of an expired TCP flow are dropped silently.
	SendTCPReset bool
	// CrossZone is load_balancing.cross_zone.enabled: when false a new
	// flow only goes to targets in the endpoint's availability zone.
	CrossZone bool
	// FlowHashSeed seeds the flow hash. Nodes serving the same load
	// balancer must share it so they pick the same target for a flow.
	FlowHashSeed uint64
	// InnerMTU is the largest inner IP packet carried (8500 like GWLB);
	// larger ones are dropped as too_big, never fragmented.
	InnerMTU int
}

// Defaults as documented by AWS.
const (
	DefaultTCPIdleTimeout = 350 * 1e9
	MinTCPIdleTimeout     = 60 * 1e9
	MaxTCPIdleTimeout     = 6000 * 1e9
	DefaultInnerMTU       = 8500
)

// DefaultAttributes returns AWS's defaults.
func DefaultAttributes() Attributes {
	return Attributes{
		Stickiness:     Stickiness5Tuple,
		TCPIdleTimeout: DefaultTCPIdleTimeout,
		InnerMTU:       DefaultInnerMTU,
	}
}

// Limits of a Config, so per-worker arrays can be sized once.
const (
	MaxPorts     = 64
	MaxEndpoints = 1024
	MaxTargets   = 4096
)

// Config is an immutable snapshot of everything a worker needs. Build it
// with NewConfig, publish it with Publisher.Store and never modify it
// afterwards: workers read it without locks.
type Config struct {
	// Revision identifies the state the snapshot was built from (logs,
	// API); the engine does not interpret it.
	Revision  uint64
	Ports     []Port
	Endpoints []Endpoint
	Targets   []Target
	Attr      Attributes

	// filled by NewConfig
	appliancePort int // index of the appliance port, -1 if none
	nodeIP        [4]byte
	nodeMAC       [6]byte
	targetIP      []uint32 // big-endian-as-uint32 outer source check
	targetZone    []uint16
	endpointZone  []uint16
	zones         []string
}

// NewConfig validates the parts, completes derived fields and returns a
// snapshot ready to publish. The slices are owned by the Config afterwards.
func NewConfig(c Config) (*Config, error) {
	cfg := c
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if len(cfg.Ports) > MaxPorts {
		add("%d ports: at most %d are supported", len(cfg.Ports), MaxPorts)
	}
	if len(cfg.Endpoints) > MaxEndpoints {
		add("%d endpoints: at most %d are supported", len(cfg.Endpoints), MaxEndpoints)
	}
	if len(cfg.Targets) > MaxTargets {
		add("%d targets: at most %d are supported", len(cfg.Targets), MaxTargets)
	}
	if cfg.Attr.TCPIdleTimeout == 0 {
		cfg.Attr.TCPIdleTimeout = DefaultTCPIdleTimeout
	}
	if cfg.Attr.TCPIdleTimeout < MinTCPIdleTimeout || cfg.Attr.TCPIdleTimeout > MaxTCPIdleTimeout {
		add("tcp idle timeout %ds: must be 60-6000 s", cfg.Attr.TCPIdleTimeout/1e9)
	}
	if cfg.Attr.InnerMTU == 0 {
		cfg.Attr.InnerMTU = DefaultInnerMTU
	}
	if cfg.Attr.InnerMTU < 576 || cfg.Attr.InnerMTU > DefaultInnerMTU {
		add("inner MTU %d: must be 576-%d", cfg.Attr.InnerMTU, DefaultInnerMTU)
	}
	if cfg.Attr.Stickiness > Stickiness2Tuple {
		add("stickiness %d: unknown mode", cfg.Attr.Stickiness)
	}

	zone := map[string]uint16{}
	zoneOf := func(az string) uint16 {
		z, ok := zone[az]
		if !ok {
			z = uint16(len(cfg.zones))
			zone[az] = z
			cfg.zones = append(cfg.zones, az)
		}
		return z
	}

	seenEndpoint := map[uint64]int{}
	cfg.endpointZone = make([]uint16, len(cfg.Endpoints))
	for i, e := range cfg.Endpoints {
		if e.ID == 0 {
			add("endpoint %d: id is zero; set it from vpce-<17 hex> with ParseEndpointID", i)
		}
		if j, dup := seenEndpoint[e.ID]; dup && e.ID != 0 {
			add("endpoint %d: id %s repeats endpoint %d", i, FormatEndpointID(e.ID), j)
		}
		seenEndpoint[e.ID] = i
		if e.AZ == "" {
			add("endpoint %s: availability zone is empty", FormatEndpointID(e.ID))
		}
		if e.State > EndpointFailed {
			add("endpoint %s: unknown state %d", FormatEndpointID(e.ID), e.State)
		}
		cfg.endpointZone[i] = zoneOf(e.AZ)
	}

	cfg.targetIP = make([]uint32, len(cfg.Targets))
	cfg.targetZone = make([]uint16, len(cfg.Targets))
	for i, t := range cfg.Targets {
		if t.State == TargetUnused && !t.IP.IsValid() {
			continue // free slot
		}
		if !t.IP.Is4() {
			add("target %d: address %v is not IPv4 (Geneve to targets is IPv4 only)", i, t.IP)
			continue
		}
		if t.AZ == "" {
			add("target %d (%v): availability zone is empty", i, t.IP)
		}
		if t.State > TargetUnused {
			add("target %d (%v): unknown state %d", i, t.IP, t.State)
		}
		a := t.IP.As4()
		cfg.targetIP[i] = uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
		cfg.targetZone[i] = zoneOf(t.AZ)
	}

	cfg.appliancePort = -1
	sides := map[int][2]int{}
	for i := range cfg.Ports {
		p := &cfg.Ports[i]
		switch p.Role {
		case RoleUnused, RoleRouted:
		case RoleAppliance:
			if cfg.appliancePort >= 0 {
				add("port %d (%s): a second appliance port; only one is supported (port %d)", i, p.Name, cfg.appliancePort)
				continue
			}
			if !p.NodeIP.IsValid() || !p.NodeIP.Addr().Is4() {
				add("port %d (%s): appliance port needs the node's IPv4 address/prefix, got %v", i, p.Name, p.NodeIP)
				continue
			}
			if p.NodeMAC == [6]byte{} || p.NodeMAC[0]&1 != 0 {
				add("port %d (%s): appliance port needs a unicast MAC, got %x", i, p.Name, p.NodeMAC)
			}
			if p.Gateway.IsValid() && (!p.Gateway.Is4() || !p.NodeIP.Contains(p.Gateway)) {
				add("port %d (%s): gateway %v is not an IPv4 address in %v", i, p.Name, p.Gateway, p.NodeIP)
			}
			cfg.appliancePort = i
			cfg.nodeIP = p.NodeIP.Addr().As4()
			cfg.nodeMAC = p.NodeMAC
		case RoleBump:
			if p.Endpoint < 0 || p.Endpoint >= len(cfg.Endpoints) {
				add("port %d (%s): endpoint index %d out of range (%d endpoints)", i, p.Name, p.Endpoint, len(cfg.Endpoints))
				continue
			}
			if p.Side > SideB {
				add("port %d (%s): side %d is neither A nor B", i, p.Name, p.Side)
				continue
			}
			s, ok := sides[p.Endpoint]
			if !ok {
				s = [2]int{-1, -1}
			}
			if s[p.Side] >= 0 {
				add("port %d (%s): endpoint %s side %v already on port %d", i, p.Name, FormatEndpointID(cfg.Endpoints[p.Endpoint].ID), p.Side, s[p.Side])
				continue
			}
			s[p.Side] = i
			sides[p.Endpoint] = s
		default:
			add("port %d (%s): unknown role %d", i, p.Name, p.Role)
		}
	}
	for ep, s := range sides {
		if s[0] < 0 || s[1] < 0 {
			add("endpoint %s: bump mode needs a side A and a side B port", FormatEndpointID(cfg.Endpoints[ep].ID))
			continue
		}
		cfg.Ports[s[0]].peer = uint16(s[1])
		cfg.Ports[s[1]].peer = uint16(s[0])
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("invalid data-plane config: %w", errors.Join(errs...))
	}
	return &cfg, nil
}

// AppliancePort returns the index of the appliance port, or -1.
func (c *Config) AppliancePort() int { return c.appliancePort }

// Peer returns the other side's port index of a bump port.
func (c *Config) Peer(port int) int { return int(c.Ports[port].peer) }

// Publisher holds the current Config. Serve stores a new snapshot; each
// worker loads it once per burst. A replaced snapshot is simply left to
// the garbage collector: a worker that still holds it finishes its burst
// with a consistent (old) view and takes the new one on the next burst.
type Publisher struct {
	p atomic.Pointer[Config]
}

// Store publishes c (nil is allowed: workers then drop everything as
// not_for_us).
func (p *Publisher) Store(c *Config) { p.p.Store(c) }

// Load returns the current snapshot.
func (p *Publisher) Load() *Config { return p.p.Load() }
