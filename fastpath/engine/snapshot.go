package engine

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/gwlbctl/gwlbctl/fastpath/balance"
	"github.com/gwlbctl/gwlbctl/fastpath/flow"
	"github.com/gwlbctl/gwlbctl/fastpath/packet"
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
	// Neighbors are the MACs of next hops on routed ports' links (routers
	// and on-link hosts); unresolved ones (zero MAC) may be listed and are
	// left out. A later entry for the same port and address wins.
	Neighbors []Neighbor

	// Balance is the target set with its Maglev tables, built by
	// NewConfig. Its indices are what flows store.
	Balance *balance.Set

	// filled by NewConfig
	appliancePort int // index of the appliance port, -1 if none
	innerLimit    int // largest inner IP packet encapsulated (InnerLimit)
	nodeIP        [4]byte
	nodeIPWord    uint32
	nodeMAC       [6]byte
	endpointZone  []int       // balance zone of each endpoint
	targets       []targetRun // by balance index, tombstones included
	// geneveHdr is each endpoint's Geneve header template.
	geneveHdr []geneveTemplate
	// routed is each routed port's route and neighbour tables, by port
	// index (ok false for other ports).
	routed []routedPort
}

// targetRun is what the fast path needs of a target, by balance index.
type targetRun struct {
	ip    [4]byte
	ipw   uint32 // ip as a big-endian word, for the return source check
	mac   [6]byte
	known bool // index names a target (registered or tombstone)
	state TargetState
	pos   int32 // position in Config.Targets, -1 for a tombstone
	// tmpl is the outer header of packets to the target.
	tmpl outerTemplate
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
	if err := flow.CheckTCPIdleTimeout(time.Duration(cfg.Attr.TCPIdleTimeout)); err != nil {
		add("%w", err)
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
			add("endpoint %d: id is zero; set it from vpce-<17 hex> (the number of its 17 hex digits)", i)
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
	routedEP := map[int]int{} // endpoint index -> its routed port
	cfg.routed = make([]routedPort, len(cfg.Ports))
	for i := range cfg.Ports {
		p := &cfg.Ports[i]
		switch p.Role {
		case RoleUnused:
		case RoleRouted:
			cfg.routed[i] = checkRouted(i, p, len(cfg.Endpoints), add)
			if p.Endpoint < 0 || p.Endpoint >= len(cfg.Endpoints) {
				continue
			}
			if j, dup := routedEP[p.Endpoint]; dup {
				add("port %d (%s): endpoint %s already has routed port %d; a routed endpoint has one port", i, p.Name, FormatEndpointID(cfg.Endpoints[p.Endpoint].ID), j)
				continue
			}
			routedEP[p.Endpoint] = i
			p.peer = uint16(i)
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
			if p.MTU != 0 && (p.MTU < MinApplianceMTU || p.MTU > maxApplianceMTU) {
				add("port %d (%s): appliance MTU %d: must be %d-%d (0: %d)", i, p.Name, p.MTU, MinApplianceMTU, maxApplianceMTU, packet.ApplianceMTU)
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
			if p.MTU != 0 && (p.MTU < MinEndpointMTU || p.MTU > maxApplianceMTU) {
				add("port %d (%s): MTU %d: must be %d-%d (0: no limit beyond the inner MTU)", i, p.Name, p.MTU, MinEndpointMTU, maxApplianceMTU)
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
		if j, both := routedEP[ep]; both {
			add("endpoint %s: has routed port %d and bump ports; an endpoint is attached in one mode", FormatEndpointID(cfg.Endpoints[ep].ID), j)
			continue
		}
		if s[0] < 0 || s[1] < 0 {
			add("endpoint %s: bump mode needs a side A and a side B port", FormatEndpointID(cfg.Endpoints[ep].ID))
			continue
		}
		cfg.Ports[s[0]].peer = uint16(s[1])
		cfg.Ports[s[1]].peer = uint16(s[0])
	}
	buildNeighbors(cfg.routed, cfg.Neighbors, add)
	if len(errs) > 0 {
		return nil, fmt.Errorf("invalid data-plane config: %w", errors.Join(errs...))
	}
	cfg.innerLimit = cfg.Attr.InnerMTU
	if cfg.appliancePort >= 0 {
		if mtu := cfg.Ports[cfg.appliancePort].MTU; mtu != 0 {
			cfg.innerLimit = min(cfg.innerLimit, mtu-packet.OuterOverhead)
		}
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
		r.tmpl.build(r.mac, cfg.nodeMAC, cfg.nodeIP, r.ip)
	}
	cfg.geneveHdr = make([]geneveTemplate, len(cfg.Endpoints))
	for i := range cfg.Endpoints {
		cfg.geneveHdr[i] = newGeneveTemplate(&cfg.Endpoints[i])
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

// Peer returns the other side's port index of a bump port (a routed
// port's own index).
func (c *Config) Peer(port int) int { return int(c.Ports[port].peer) }

// Publisher holds the current Config. Serve stores a new snapshot; each
// worker loads it once per burst. A replaced snapshot is simply left to
// the garbage collector: a worker that still holds it finishes its burst
// with a consistent (old) view and takes the new one on the next burst.
type Publisher struct {
	p atomic.Pointer[Config]
}

// Store publishes c. nil is allowed: workers then drop every packet,
// counted as no_config.
func (p *Publisher) Store(c *Config) { p.p.Store(c) }

// Load returns the current snapshot.
func (p *Publisher) Load() *Config { return p.p.Load() }

// InnerLimit returns the largest inner IP packet the snapshot carries:
// Attributes.InnerMTU, or less when the appliance port's MTU cannot carry
// it with the encapsulation (MTU - 68). Larger packets are dropped as
// too_big.
func (c *Config) InnerLimit() int { return c.innerLimit }
