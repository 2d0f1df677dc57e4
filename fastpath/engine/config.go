package engine

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"sync/atomic"

	"github.com/gwlbctl/gwlbctl/fastpath/balance"
	"github.com/gwlbctl/gwlbctl/fastpath/flow"
	"github.com/gwlbctl/gwlbctl/fastpath/packet"
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
	// CrossZone is load_balancing.cross_zone.enabled: when false a new
	// flow only goes to targets in its endpoint's availability zone (the
	// node's zone: GWLB connects an endpoint to the node in its zone).
	CrossZone bool
	// Failover is target_failover.on_deregistration / on_unhealthy.
	Failover balance.Failover
	// TableSize is the Maglev table size, a prime (0: 65537).
	TableSize int
	// InnerMTU is the largest inner IP packet carried (8500 like GWLB);
	// larger ones are dropped as too_big, never fragmented.
	InnerMTU int
}

// Defaults as documented by AWS.
const (
	DefaultTCPIdleTimeout = int64(350e9)
	MinTCPIdleTimeout     = int64(60e9)
	MaxTCPIdleTimeout     = int64(6000e9)
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
	// Targets in any order; NewConfig gives each a stable index (see
	// TargetIndex) through the balance package.
	Targets []Target
	Attr    Attributes

	// Balance is the target set with its Maglev tables, built by
	// NewConfig. Its indices are what flows store.
	Balance *balance.Set

	// filled by NewConfig
	appliancePort int // index of the appliance port, -1 if none
	nodeIP        [4]byte
	nodeIPWord    uint32
	nodeMAC       [6]byte
	endpointZone  []int       // balance zone of each endpoint
	targets       []targetRun // by balance index, tombstones included
	// geneveHdr is each endpoint's Geneve header with the AWS options,
	// protocol type and flow cookie zero (filled in per packet).
	geneveHdr [][packet.AWSGeneveHeaderLen]byte
}

// outerHdrLen is the outer Ethernet, IPv4 and UDP header of an
// encapsulated packet.
const outerHdrLen = packet.EthernetHeaderLen + packet.OuterIPv4UDPLen

// targetRun is what the fast path needs of a target, by balance index.
type targetRun struct {
	ip    [4]byte
	ipw   uint32 // ip as a big-endian word, for the return source check
	mac   [6]byte
	known bool // index names a target (registered or tombstone)
	state TargetState
	pos   int32 // position in Config.Targets, -1 for a tombstone
	// hdr is the outer Ethernet+IPv4+UDP header of packets to the target
	// (next-hop MAC, node MAC, node and target addresses) with the IPv4
	// total length and checksum, the UDP source port and length zero;
	// hdrSum is the one's complement sum of its IPv4 header words, so a
	// packet's checksum is that sum plus its total length, folded.
	hdr    [outerHdrLen]byte
	hdrSum uint32
}

// setHdr builds r.hdr and r.hdrSum from r's address and MAC.
func (r *targetRun) setHdr(nodeMAC [6]byte, nodeIP [4]byte) {
	h := &r.hdr
	copy(h[0:6], r.mac[:])
	copy(h[6:12], nodeMAC[:])
	binary.BigEndian.PutUint16(h[12:14], packet.EtherTypeIPv4)
	ip := h[packet.EthernetHeaderLen:]
	packet.PutOuterIPv4UDP(ip, nodeIP, r.ip, 0, 0)
	ip[2], ip[3] = 0, 0   // total length
	ip[10], ip[11] = 0, 0 // header checksum
	ip[26], ip[27] = 0, 0 // UDP length
	sum := uint32(0)
	for i := 0; i < packet.IPv4MinHeaderLen; i += 2 {
		sum += uint32(binary.BigEndian.Uint16(ip[i:]))
	}
	r.hdrSum = sum
}

// NewConfig validates c, builds its balance tables and derived fields and
// returns a snapshot ready to publish. prev is the snapshot currently
// published (nil at start): targets present in both keep their index, and
// deregistered targets keep theirs (with their last address and MAC) so
// flows still pinned to them are served. The slices of c are owned by the
// returned Config afterwards.
func NewConfig(c Config, prev *Config) (*Config, error) {
	cfg := c
	cfg.Balance = nil
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if len(cfg.Ports) > MaxPorts {
		add("%d ports: at most %d are supported", len(cfg.Ports), MaxPorts)
	}
	if len(cfg.Endpoints) > MaxEndpoints {
		add("%d endpoints: at most %d are supported", len(cfg.Endpoints), MaxEndpoints)
	}
	if cfg.Attr.TCPIdleTimeout == 0 {
		cfg.Attr.TCPIdleTimeout = DefaultTCPIdleTimeout
	}
	if cfg.Attr.TCPIdleTimeout < MinTCPIdleTimeout || cfg.Attr.TCPIdleTimeout > MaxTCPIdleTimeout || cfg.Attr.TCPIdleTimeout%1e9 != 0 {
		add("tcp idle timeout %vs: must be whole seconds from 60 to 6000", float64(cfg.Attr.TCPIdleTimeout)/1e9)
	}
	if cfg.Attr.InnerMTU == 0 {
		cfg.Attr.InnerMTU = DefaultInnerMTU
	}
	if cfg.Attr.InnerMTU < 576 || cfg.Attr.InnerMTU > DefaultInnerMTU {
		add("inner MTU %d: must be 576-%d", cfg.Attr.InnerMTU, DefaultInnerMTU)
	}
	if cfg.Attr.Stickiness > flow.TwoTuple {
		add("stickiness %d: unknown mode", cfg.Attr.Stickiness)
	}

	seenEndpoint := map[uint64]int{}
	for i, e := range cfg.Endpoints {
		if e.ID == 0 {
			add("endpoint %d: id is zero; set it from vpce-<17 hex> with ParseEndpointID", i)
		} else if j, dup := seenEndpoint[e.ID]; dup {
			add("endpoint %d: id %s repeats endpoint %d", i, FormatEndpointID(e.ID), j)
		}
		seenEndpoint[e.ID] = i
		if e.AZ == "" {
			add("endpoint %s: availability zone is empty", FormatEndpointID(e.ID))
		}
		if e.State > EndpointFailed {
			add("endpoint %s: unknown state %d", FormatEndpointID(e.ID), e.State)
		}
	}

	bt := make([]balance.Target, 0, len(cfg.Targets))
	btPos := make([]int, 0, len(cfg.Targets))
	for i, t := range cfg.Targets {
		if t.ID == "" {
			add("target %d (%v): empty ID; give it a stable ID such as instance-id:port", i, t.IP)
			continue
		}
		if !t.IP.Is4() {
			add("target %s: address %v is not IPv4 (Geneve to targets is IPv4 only)", t.ID, t.IP)
			continue
		}
		if t.AZ == "" {
			add("target %s: availability zone is empty", t.ID)
		}
		if t.State > TargetUnused {
			add("target %s: unknown state %d", t.ID, t.State)
		}
		if t.State == TargetUnused {
			continue // deregistered: becomes (or stays) a tombstone
		}
		bt = append(bt, balance.Target{
			ID: t.ID, IP: t.IP.As4(), AZ: t.AZ,
			Healthy:  t.State == TargetHealthy,
			Draining: t.State == TargetDraining,
		})
		btPos = append(btPos, i)
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
			cfg.nodeIPWord = binary.BigEndian.Uint32(cfg.nodeIP[:])
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

	var prevSet *balance.Set
	if prev != nil {
		prevSet = prev.Balance
	}
	set, err := balance.Build(bt, balance.Options{CrossZone: cfg.Attr.CrossZone, TableSize: cfg.Attr.TableSize, Failover: cfg.Attr.Failover}, prevSet)
	if err != nil {
		return nil, fmt.Errorf("invalid data-plane config: %w", err)
	}
	cfg.Balance = set
	byID := make(map[string]int, len(cfg.Targets))
	for i, t := range cfg.Targets {
		byID[t.ID] = i
	}
	cfg.targets = make([]targetRun, set.Len())
	for i := range cfg.targets {
		bt, ok := set.Target(uint16(i))
		if !ok || bt.ID == "" {
			continue
		}
		r := &cfg.targets[i]
		r.known = true
		r.ip = bt.IP
		r.ipw = binary.BigEndian.Uint32(bt.IP[:])
		r.pos = -1
		r.state = TargetUnused
		if pos, ok := byID[bt.ID]; ok {
			t := &cfg.Targets[pos]
			r.mac, r.state, r.pos = t.NextHopMAC, t.State, int32(pos)
		} else if prev != nil && i < len(prev.targets) && prev.targets[i].ip == bt.IP {
			r.mac = prev.targets[i].mac // tombstone: keep the last known next hop
		}
		r.setHdr(cfg.nodeMAC, cfg.nodeIP)
	}
	cfg.geneveHdr = make([][packet.AWSGeneveHeaderLen]byte, len(cfg.Endpoints))
	for i, e := range cfg.Endpoints {
		packet.PutGeneveAWS(cfg.geneveHdr[i][:], 0, e.ID, e.AttachmentID, 0)
	}
	cfg.endpointZone = make([]int, len(cfg.Endpoints))
	for i, e := range cfg.Endpoints {
		cfg.endpointZone[i] = set.Zone(e.AZ)
	}
	return &cfg, nil
}

// TargetIndex returns the stable index (what flows and counters use) of
// the target with the given ID, or -1.
func (c *Config) TargetIndex(id string) int {
	for i := range c.targets {
		if t, ok := c.Balance.Target(uint16(i)); ok && t.ID == id {
			return i
		}
	}
	return -1
}

// TargetAt describes the target at stable index i: its ID, address and
// state (TargetUnused for a deregistered target flows may still use).
func (c *Config) TargetAt(i int) (id string, ip netip.Addr, state TargetState, ok bool) {
	if i < 0 || i >= len(c.targets) || !c.targets[i].known {
		return "", netip.Addr{}, 0, false
	}
	t, _ := c.Balance.Target(uint16(i))
	return t.ID, netip.AddrFrom4(c.targets[i].ip), c.targets[i].state, true
}

// NumTargetIndices is the number of stable target indices in use
// (tombstones included): the length of per-target counter slices.
func (c *Config) NumTargetIndices() int { return len(c.targets) }

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
