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
// endpoint.
func SideAPort(i int) int { return 1 + 2*i }

// SideBPort is the side B port of the i-th configured endpoint.
func SideBPort(i int) int { return 2 + 2*i }

// NeighborFunc returns the MAC address of an IPv4 next hop on the
// appliance network, or false when it is not known (yet).
type NeighborFunc func(netip.Addr) ([6]byte, bool)

// Snapshotter turns the control plane's state into engine.Config snapshots
// for one node. It hands each snapshot its predecessor, so the engine keeps
// every target at the stable index flows remember. Not safe for concurrent
// use.
type Snapshotter struct {
	cfg     *Config
	nodeMAC [6]byte
	prev    *engine.Config
}

// Snapshot is a built config plus what the reloader needs to know about it.
type Snapshot struct {
	Config *engine.Config
	// LoadBalancerArn is the resolved load balancer.
	LoadBalancerArn string
	// NextChange is the earliest time the snapshot goes stale without the
	// state file changing (a draining target's deregistration delay ends);
	// zero when none.
	NextChange time.Time
	// Unresolved lists targets (or the gateway) whose next-hop MAC is not
	// known: the node asks the kernel to resolve them.
	Unresolved []netip.Addr
	// Warnings describe configuration the node serves in a degraded way
	// (an endpoint missing from the state file, instance targets...).
	Warnings []string
}

// NewSnapshotter returns a builder for the validated cfg; nodeMAC is the
// appliance port's MAC address.
func NewSnapshotter(cfg *Config, nodeMAC [6]byte) *Snapshotter {
	return &Snapshotter{cfg: cfg, nodeMAC: nodeMAC}
}

// Build converts st (at revision rev) into a snapshot at time now, with
// next hops from neighbor. It fails only when the node cannot serve at all
// (its load balancer is missing, or not in the node's zone); problems with
// single resources become warnings and the resource passes no traffic.
func (s *Snapshotter) Build(st *control.State, rev uint64, now time.Time, neighbor NeighborFunc) (*Snapshot, error) {
	lb := st.LoadBalancerByArn(s.cfg.LoadBalancer)
	if lb == nil {
		lb = st.LoadBalancerByName(s.cfg.LoadBalancer)
	}
	if lb == nil {
		return nil, fmt.Errorf("load balancer %q is not in the state file: create it (gwlbctl elbv2 create-load-balancer --type gateway) or fix load-balancer in the node config", s.cfg.LoadBalancer)
	}
	lbArn := lb.LoadBalancer.LoadBalancerArn
	zoneOK := false
	for _, z := range lb.LoadBalancer.AvailabilityZones {
		zoneOK = zoneOK || z.ZoneName == s.cfg.AvailabilityZone
	}
	if !zoneOK {
		return nil, fmt.Errorf("load balancer %s has no subnet in %s, the node's availability-zone: add one (gwlbctl elbv2 set-subnets) or fix availability-zone", lb.LoadBalancer.LoadBalancerName, s.cfg.AvailabilityZone)
	}
	snap := &Snapshot{LoadBalancerArn: lbArn}
	warn := func(format string, args ...any) { snap.Warnings = append(snap.Warnings, fmt.Sprintf(format, args...)) }

	attr := engine.DefaultAttributes()
	attr.CrossZone = lb.Attribute(control.AttrCrossZoneEnabled) == "true"

	var tg *control.TargetGroupRecord
	if l := st.ListenerOf(lbArn); l != nil {
		if v := l.Attribute("tcp.idle_timeout.seconds"); v != "" {
			if sec, err := strconv.Atoi(v); err == nil && sec >= 60 && sec <= 6000 {
				attr.TCPIdleTimeout = int64(sec) * int64(time.Second)
			} else {
				warn("listener attribute tcp.idle_timeout.seconds=%q is not 60-6000; using %ds", v, attr.TCPIdleTimeout/1e9)
			}
		}
		if arn := forwardTarget(l.Listener.DefaultActions); arn != "" {
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
		if tg.Attribute(control.AttrStickinessEnabled) == "true" {
			switch tg.Attribute(control.AttrStickinessType) {
			case "source_ip_dest_ip_proto":
				attr.Stickiness = flow.ThreeTuple
			case "source_ip_dest_ip":
				attr.Stickiness = flow.TwoTuple
			}
		}
		// AWS requires on_deregistration and on_unhealthy to be equal.
		if f, err := balance.ParseFailover(tg.Attribute(control.AttrFailoverOnDeregistration)); err == nil {
			attr.Failover = f
		} else {
			warn("target group %s: %v; using no_rebalance", tg.TargetGroup.TargetGroupName, err)
		}
		for _, rt := range tg.Targets {
			addr, err := netip.ParseAddr(rt.Target.Id)
			if err != nil || !addr.Is4() {
				warn("target %s: only IPv4 address targets carry traffic (Geneve to the target is IPv4); it gets no flows", rt.Target.Id)
				continue
			}
			port := tg.TargetGroup.Port
			if rt.Target.Port != nil {
				port = *rt.Target.Port
			}
			t := engine.Target{ID: addr.String() + ":" + strconv.Itoa(port), IP: addr, AZ: s.targetZone(st, tg, rt, addr)}
			switch {
			case rt.Gone(now):
				// The delay is over: left out, the engine keeps its index
				// as a tombstone and moves its flows.
				continue
			case rt.Draining(now):
				t.State = engine.TargetDraining
				if snap.NextChange.IsZero() || rt.DrainUntil.Time.Before(snap.NextChange) {
					snap.NextChange = rt.DrainUntil.Time
				}
			default:
				switch rt.Health.State {
				case control.TargetHealthHealthy:
					t.State = engine.TargetHealthy
				case control.TargetHealthUnhealthy, control.TargetHealthUnavailable, control.TargetHealthUnused:
					t.State = engine.TargetUnhealthy
				default: // not checked yet: initial
					t.State = engine.TargetInitial
				}
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
			}
			targets = append(targets, t)
		}
	}

	ports := []engine.Port{{
		Name:    "appliance",
		Role:    engine.RoleAppliance,
		NodeIP:  s.cfg.nodeIP,
		NodeMAC: s.nodeMAC,
		Gateway: s.cfg.gateway,
	}}
	endpoints := make([]engine.Endpoint, 0, len(s.cfg.Endpoints))
	for i, ep := range s.cfg.Endpoints {
		id, err := engine.ParseEndpointID(ep.ID)
		if err != nil {
			return nil, fmt.Errorf("endpoints[%d]: %w", i, err)
		}
		e := engine.Endpoint{ID: id, AZ: s.cfg.AvailabilityZone, State: engine.EndpointDeleted}
		rec := st.Endpoint(ep.ID)
		switch {
		case rec == nil:
			warn("endpoint %s is not in the state file: its ports pass nothing (create it with gwlbctl ec2 create-vpc-endpoint, then fix endpoints[%d].id)", ep.ID, i)
		case !servesLoadBalancer(st, rec, lbArn):
			warn("endpoint %s belongs to an endpoint service that is not associated with load balancer %s: its ports pass nothing", ep.ID, lb.LoadBalancer.LoadBalancerName)
			e.State = engine.EndpointRejected
		default:
			e.AttachmentID = rec.AttachmentId
			if rec.AvailabilityZone != "" {
				e.AZ = rec.AvailabilityZone
			}
			if e.AZ != s.cfg.AvailabilityZone {
				warn("endpoint %s is in %s but this node serves %s: serving it anyway (GWLB serves an endpoint from the node in its own zone)", ep.ID, e.AZ, s.cfg.AvailabilityZone)
			}
			st, err := engine.ParseEndpointState(rec.Endpoint.State)
			if err != nil {
				warn("endpoint %s: %v; it passes nothing", ep.ID, err)
				st = engine.EndpointFailed
			}
			e.State = st
		}
		endpoints = append(endpoints, e)
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
	}, s.prev)
	if err != nil {
		return nil, err
	}
	s.prev = c
	snap.Config = c
	return snap, nil
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
