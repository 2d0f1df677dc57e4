package node

import (
	"fmt"
	"hash/fnv"
	"net/netip"
	"slices"
	"strconv"
	"time"

	"github.com/gwlbctl/gwlbctl/control"
	"github.com/gwlbctl/gwlbctl/fastpath/balance"
	"github.com/gwlbctl/gwlbctl/fastpath/engine"
	"github.com/gwlbctl/gwlbctl/fastpath/flow"
)

// Port indexes of a node's snapshot: the appliance port first, then each
// configured endpoint's side A and side B, in node config order. The DPDK
// layer opens the ports in the same order, so a port's index is the same
// in both.
const AppliancePortIndex = 0

// SideAPort and SideBPort return the port indexes of the i-th configured
// endpoint when every endpoint is a bump one (Config.EndpointPort in
// general).
func SideAPort(i int) int { return 1 + 2*i }

// SideBPort is the side B port of the i-th configured endpoint.
func SideBPort(i int) int { return 2 + 2*i }

// NeighborFunc returns the MAC address of an IPv4 next hop on the
// appliance network, or false when it is not known (yet).
type NeighborFunc func(netip.Addr) ([6]byte, bool)

// HealthFunc returns the health checker's latest result for a registered
// target (the zero TargetHealth: none yet), the observed health that
// control.State.TargetHealthAt weighs.
type HealthFunc func(tg *control.TargetGroupRecord, rt *control.RegisteredTarget) control.TargetHealth

// Snapshotter turns the control plane's state into engine.Config snapshots
// for one node. It hands each snapshot its predecessor, so the engine keeps
// every target at the stable index flows remember. Not safe for concurrent
// use.
type Snapshotter struct {
	cfg *Config
	// port is what the appliance port says of itself: its MAC and MTU.
	nodeMAC [6]byte
	mtu     int
	// Health gives the observed health of a target; nil takes the one the
	// state records (RegisteredTarget.RecordedHealth), as
	// describe-target-health does.
	Health HealthFunc
	// Detail, when not nil, says what the health checker's last probe of
	// a target found ("connection refused", "status 503"; "" for none).
	Detail func(tg *control.TargetGroupRecord, rt *control.RegisteredTarget) string
	// RoutedPorts says what each routed endpoint's port says of itself
	// (by endpoint index; see SetRoutedPort); Neighbors gives the MACs
	// the kernel resolved on the routed ports' links (nil: none).
	routedPorts map[int]portFacts
	Neighbors   func() []engine.Neighbor
	// Shared is set when other nodes may serve the load balancer too (the
	// store keeps a node registry: etcd); new snapshots then pick up TCP
	// flows mid-flow (engine.Attributes.PickUpTCP).
	Shared bool
	prev   *engine.Config
}

// Snapshot is a built config plus what the reloader and the API need to
// know about it.
type Snapshot struct {
	Config *engine.Config
	// LoadBalancerArn is the resolved load balancer; TargetGroupArn the
	// target group its listener forwards to ("" when none).
	LoadBalancerArn string
	TargetGroupArn  string
	// Targets describe Config.Targets, position by position; Endpoints
	// describe Config.Endpoints (the node config's endpoints, in order).
	Targets   []TargetView
	Endpoints []EndpointView
	// Built is the time the snapshot was built for.
	Built time.Time
	// NextChange is the earliest time the snapshot goes stale without the
	// state changing (a draining target's deregistration delay ends); zero
	// when none.
	NextChange time.Time
	// Unresolved lists targets (or the gateway) whose next-hop MAC is not
	// known: the node asks the kernel to resolve them.
	Unresolved []netip.Addr
	// Warnings describe configuration the node serves in a degraded way
	// (an endpoint missing from the state file, an appliance port MTU that
	// cannot carry GWLB's inner packets, ...).
	Warnings []string

	// For listings: endpoint ids by number, registered target ids by
	// stable index.
	endpointNames map[uint64]string
	targetIDs     []string
}

// TargetView is one registered target as the API and `serve --check` show
// it: the engine's target with the control plane's identity and health.
type TargetView struct {
	// ID is the registered target id (an IP address or an instance id);
	// Port the Geneve port.
	ID   string
	Port int
	// Health is what describe-target-health reports for it
	// (control.State.TargetHealthAt).
	Health control.TargetHealth
	// Detail is the last health probe's finding (Snapshotter.Detail).
	Detail string
}

// EndpointView is one configured endpoint as the API shows it.
type EndpointView struct {
	ID    string
	Mode  string
	State string // the state file's state; "missing" when it has none
	AZ    string
}

// EndpointMissing is the state of a configured endpoint the state file
// does not have.
const EndpointMissing = "missing"

// NewSnapshotter returns a builder for the validated cfg; nodeMAC and mtu
// are the appliance port's MAC address and MTU (0: not known, GWLB's 8500
// inner packets assumed to fit).
func NewSnapshotter(cfg *Config, nodeMAC [6]byte, mtu int) *Snapshotter {
	return &Snapshotter{cfg: cfg, nodeMAC: nodeMAC, mtu: mtu}
}

// Build converts st (at revision rev) into a snapshot at time now, with
// next hops from neighbor. It fails only when the node cannot serve at all
// (its load balancer is missing, or not in the node's zone); problems with
// single resources become warnings and the resource passes no traffic.
func (s *Snapshotter) Build(st *control.State, rev uint64, now time.Time, neighbor NeighborFunc) (*Snapshot, error) {
	lb, err := findLoadBalancer(st, s.cfg)
	if err != nil {
		return nil, err
	}
	lbArn := lb.LoadBalancer.LoadBalancerArn
	snap := &Snapshot{LoadBalancerArn: lbArn, Built: now}
	warn := func(format string, args ...any) { snap.Warnings = append(snap.Warnings, fmt.Sprintf(format, args...)) }

	attr := engine.DefaultAttributes()
	attr.CrossZone = lb.Attribute(control.AttrCrossZoneEnabled) == "true"
	attr.PickUpTCP = s.Shared

	var tg *control.TargetGroupRecord
	if l := st.ListenerOf(lbArn); l != nil {
		sec, err := l.TCPIdleTimeout()
		if err != nil {
			warn("listener: %v; using %ds", err, sec)
		}
		attr.TCPIdleTimeout = int64(sec) * int64(time.Second)
		if arn := forwardTarget(l.Listener.DefaultActions); arn != "" {
			snap.TargetGroupArn = arn
			tg = st.TargetGroupByArn(arn)
			if tg == nil {
				warn("listener forwards to target group %s, which is not in the state file: no targets", arn)
			}
		}
	} else {
		warn("load balancer %s has no listener: new flows have no target (gwlbctl elbv2 create-listener)", lb.LoadBalancer.LoadBalancerName)
	}

	var targets []engine.Target
	unresolved := map[netip.Addr]bool{}
	if tg != nil {
		stick, err := stickiness(tg)
		if err != nil {
			warn("target group %s: %v; using 5-tuple", tg.TargetGroup.TargetGroupName, err)
		}
		attr.Stickiness = stick
		// AWS requires on_deregistration and on_unhealthy to be equal.
		if f, err := balance.ParseFailover(tg.Attribute(control.AttrFailoverOnDeregistration)); err == nil {
			attr.Failover = f
		} else {
			warn("target group %s: %v; using %s", tg.TargetGroup.TargetGroupName, err, control.FailoverNoRebalance)
		}
		for _, rt := range tg.Targets {
			if rt.Gone(now) {
				// The delay is over: left out, the engine keeps its index
				// as a tombstone and moves its flows.
				continue
			}
			addr, err := netip.ParseAddr(rt.Target.Id)
			if err != nil || !addr.Is4() {
				warn("target %s: only IPv4 address targets carry traffic (Geneve to the target is IPv4); it gets no flows", rt.Target.Id)
				continue
			}
			port := tg.TargetGroup.Port
			if rt.Target.Port != nil {
				port = *rt.Target.Port
			}
			v, _ := rt.RecordedHealth()
			observed := v.Health
			if s.Health != nil {
				observed = s.Health(tg, rt)
			}
			h := st.TargetHealthAt(tg, rt, observed, now)
			t := engine.Target{ID: addr.String() + ":" + strconv.Itoa(port), IP: addr, AZ: s.targetZone(st, tg, rt, addr), State: engineState(h.State)}
			if t.State == engine.TargetDraining && (snap.NextChange.IsZero() || rt.DrainUntil.Time.Before(snap.NextChange)) {
				snap.NextChange = rt.DrainUntil.Time
			}
			hop := t.IP
			if !s.cfg.nodeIP.Contains(hop) && s.cfg.gateway.IsValid() {
				hop = s.cfg.gateway
			}
			if mac, ok := neighbor(hop); ok {
				t.NextHopMAC = mac
			} else if !unresolved[hop] {
				unresolved[hop] = true
				snap.Unresolved = append(snap.Unresolved, hop)
				if s.cfg.Appliance.TAP == "" {
					warn("target %s: next hop %s has no MAC address, and without appliance.tap the kernel cannot resolve it: list it in appliance.neighbors (its packets are dropped as no_neighbor)", rt.Target.Id, hop)
				}
			}
			targets = append(targets, t)
			view := TargetView{ID: rt.Target.Id, Port: port, Health: h}
			if s.Detail != nil {
				view.Detail = s.Detail(tg, rt)
			}
			snap.Targets = append(snap.Targets, view)
		}
	}

	ports := []engine.Port{{
		Name:    "appliance",
		Role:    engine.RoleAppliance,
		NodeIP:  s.cfg.nodeIP,
		NodeMAC: s.nodeMAC,
		Gateway: s.cfg.gateway,
		MTU:     s.mtu,
	}}
	endpoints := make([]engine.Endpoint, 0, len(s.cfg.Endpoints))
	for i, ep := range s.cfg.Endpoints {
		e := engine.Endpoint{ID: s.cfg.endpointIDs[i], AZ: s.cfg.AvailabilityZone, State: engine.EndpointDeleted}
		view := EndpointView{ID: ep.ID, Mode: ep.Mode, State: EndpointMissing, AZ: s.cfg.AvailabilityZone}
		rec := st.Endpoint(ep.ID)
		switch {
		case rec == nil:
			warn("endpoint %s is not in the state file: its ports pass nothing (create it with gwlbctl ec2 create-vpc-endpoint, then fix endpoints[%d].id)", ep.ID, i)
		case !servesLoadBalancer(st, rec, lbArn):
			warn("endpoint %s belongs to an endpoint service that is not associated with load balancer %s: its ports pass nothing", ep.ID, lb.LoadBalancer.LoadBalancerName)
			e.State = engine.EndpointRejected
			view.State = rec.Endpoint.State
		default:
			e.AttachmentID = rec.AttachmentId
			if rec.AvailabilityZone != "" {
				e.AZ = rec.AvailabilityZone
			}
			if e.AZ != s.cfg.AvailabilityZone {
				warn("endpoint %s is in %s but this node serves %s: serving it anyway (GWLB serves an endpoint from the node in its own zone)", ep.ID, e.AZ, s.cfg.AvailabilityZone)
			}
			es, err := engine.ParseEndpointState(rec.Endpoint.State)
			if err != nil {
				warn("endpoint %s: %v; it passes nothing", ep.ID, err)
				es = engine.EndpointFailed
			}
			e.State = es
			view.State = rec.Endpoint.State
			view.AZ = e.AZ
		}
		endpoints = append(endpoints, e)
		snap.Endpoints = append(snap.Endpoints, view)
		if r := s.cfg.routed[i]; r != nil {
			ports = append(ports, s.routedPort(i, r))
			if msg := routedSubnetProblem(s.cfg, i, st); msg != "" {
				warn("endpoints[%d].address: %s", i, msg)
			}
			continue
		}
		ports = append(ports,
			engine.Port{Name: ep.ID + "/A", Role: engine.RoleBump, Endpoint: i, Side: engine.SideA},
			engine.Port{Name: ep.ID + "/B", Role: engine.RoleBump, Endpoint: i, Side: engine.SideB})
	}

	c, err := engine.NewConfig(engine.Config{
		Revision:  rev,
		Ports:     ports,
		Endpoints: endpoints,
		Targets:   targets,
		Attr:      attr,
		Neighbors: s.routedNeighbors(),
	}, s.prev)
	if err != nil {
		return nil, err
	}
	if lim := c.InnerLimit(); lim < c.Attr.InnerMTU {
		warn("the appliance port's MTU %d carries inner packets of at most %d bytes (%d + 68 bytes of Geneve): larger ones are dropped and counted as too_big; GWLB carries %d (raise appliance.mtu and the appliance network's MTU to %d)",
			s.mtu, lim, lim, c.Attr.InnerMTU, c.Attr.InnerMTU+68)
	}
	s.prev = c
	snap.Config = c
	snap.endpointNames = make(map[uint64]string, len(c.Endpoints))
	for i, e := range c.Endpoints {
		snap.endpointNames[e.ID] = s.cfg.Endpoints[i].ID
	}
	snap.targetIDs = make([]string, c.NumTargetIndices())
	for i := range snap.targetIDs {
		if _, ip, _, ok := c.TargetAt(i); ok {
			snap.targetIDs[i] = ip.String() // an IP target's id; deregistered ones keep it
		}
	}
	for i, t := range c.Targets {
		if idx := c.TargetIndex(t.ID); idx >= 0 {
			snap.targetIDs[idx] = snap.Targets[i].ID
		}
	}
	return snap, nil
}

// endpointName is the endpoint id of an endpoint number.
func (s *Snapshot) endpointName(id uint64) string {
	if n, ok := s.endpointNames[id]; ok {
		return n
	}
	return control.FormatEndpointID(id)
}

// targetID is the registered id of the target at a stable index.
func (s *Snapshot) targetID(i int) string {
	if i >= 0 && i < len(s.targetIDs) {
		return s.targetIDs[i]
	}
	return ""
}

// stickiness is the flow key mode of the target group's stickiness
// attributes.
func stickiness(tg *control.TargetGroupRecord) (flow.Stickiness, error) {
	if tg.Attribute(control.AttrStickinessEnabled) != "true" {
		return flow.FiveTuple, nil
	}
	switch v := tg.Attribute(control.AttrStickinessType); v {
	case control.StickinessSourceDestProto:
		return flow.ThreeTuple, nil
	case control.StickinessSourceDest:
		return flow.TwoTuple, nil
	default:
		return flow.FiveTuple, fmt.Errorf("%s %q is not supported: use %s or %s", control.AttrStickinessType, v, control.StickinessSourceDestProto, control.StickinessSourceDest)
	}
}

// engineState is the engine's state for a describe-target-health state.
func engineState(state string) engine.TargetState {
	switch state {
	case control.TargetHealthHealthy:
		return engine.TargetHealthy
	case control.TargetHealthUnhealthy, control.TargetHealthUnavailable:
		return engine.TargetUnhealthy
	case control.TargetHealthDraining:
		return engine.TargetDraining
	case control.TargetHealthUnused:
		return engine.TargetUnused
	}
	return engine.TargetInitial
}

// findLoadBalancer resolves load-balancer (an ARN or a name) in st and
// checks it has a subnet in the node's zone.
func findLoadBalancer(st *control.State, cfg *Config) (*control.LoadBalancerRecord, error) {
	lb := st.LoadBalancerByArn(cfg.LoadBalancer)
	if lb == nil {
		lb = st.LoadBalancerByName(cfg.LoadBalancer)
	}
	if lb == nil {
		return nil, fmt.Errorf("load balancer %q is not in the state file: create it (gwlbctl elbv2 create-load-balancer --type gateway) or fix load-balancer in the node config", cfg.LoadBalancer)
	}
	zoneOK := false
	for _, z := range lb.LoadBalancer.AvailabilityZones {
		zoneOK = zoneOK || z.ZoneName == cfg.AvailabilityZone
	}
	if !zoneOK {
		return nil, fmt.Errorf("load balancer %s has no subnet in %s, the node's availability-zone: add one (gwlbctl elbv2 set-subnets) or fix availability-zone", lb.LoadBalancer.LoadBalancerName, cfg.AvailabilityZone)
	}
	return lb, nil
}

// forwardTarget returns the target group a gateway listener forwards to.
func forwardTarget(actions []control.Action) string {
	for _, a := range actions {
		if a.Type != "forward" {
			continue
		}
		if a.TargetGroupArn != "" {
			return a.TargetGroupArn
		}
		if a.ForwardConfig != nil && len(a.ForwardConfig.TargetGroups) > 0 {
			return a.ForwardConfig.TargetGroups[0].TargetGroupArn
		}
	}
	return ""
}

// targetZone is the target's availability zone: the one given at
// registration, else the zone of the target group VPC's subnet holding the
// address. "all" (an address outside the VPC) and unknown addresses count
// as the node's own zone, so they serve this node's endpoints.
func (s *Snapshotter) targetZone(st *control.State, tg *control.TargetGroupRecord, rt *control.RegisteredTarget, addr netip.Addr) string {
	if z := rt.Target.AvailabilityZone; z != "" && z != "all" {
		return z
	}
	for _, sn := range st.Subnets {
		if sn.VpcId != tg.TargetGroup.VpcId {
			continue
		}
		if p, err := netip.ParsePrefix(sn.CidrBlock); err == nil && p.Contains(addr) {
			return sn.AvailabilityZone
		}
	}
	return s.cfg.AvailabilityZone
}

// servesLoadBalancer reports whether rec's endpoint service fronts lbArn.
func servesLoadBalancer(st *control.State, rec *control.EndpointRecord, lbArn string) bool {
	svc := st.EndpointService(rec.ServiceId)
	return svc != nil && slices.Contains(svc.Service.GatewayLoadBalancerArns, lbArn)
}

// FlowSeed is the flow hash seed of a load balancer's workers: every node
// of a load balancer must pick the same target for a flow, so the seed is a
// function of the load balancer alone.
func FlowSeed(lbArn string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(lbArn))
	return h.Sum64()
}
