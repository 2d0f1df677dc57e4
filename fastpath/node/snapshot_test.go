package node

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/gwlbctl/gwlbctl/control"
	"github.com/gwlbctl/gwlbctl/fastpath/balance"
	"github.com/gwlbctl/gwlbctl/fastpath/engine"
	"github.com/gwlbctl/gwlbctl/fastpath/flow"
)

const (
	testLBArn  = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/gwy/gwlb-a/0123456789abcdef"
	testTGArn  = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/apps/0123456789abcdef"
	testEP     = "vpce-0123456789abcdef0"
	testSvcID  = "vpce-svc-0123456789abcdef0"
	testVpcID  = "vpc-0123456789abcdef0"
	testZoneA  = "us-east-1a"
	testZoneB  = "us-east-1b"
	testTarget = "10.9.0.11"
)

// testState is a load balancer with a listener, a target group of two
// address targets in zones a and b, and one available endpoint.
func testState() *control.State {
	return &control.State{
		Subnets: []*control.Subnet{
			{SubnetId: "subnet-a", VpcId: testVpcID, CidrBlock: "10.9.0.0/24", AvailabilityZone: testZoneA},
			{SubnetId: "subnet-b", VpcId: testVpcID, CidrBlock: "10.9.1.0/24", AvailabilityZone: testZoneB},
		},
		LoadBalancers: []*control.LoadBalancerRecord{{
			LoadBalancer: control.LoadBalancer{
				LoadBalancerArn:   testLBArn,
				LoadBalancerName:  "gwlb-a",
				AvailabilityZones: []control.AvailabilityZone{{ZoneName: testZoneA, SubnetId: "subnet-a"}, {ZoneName: testZoneB, SubnetId: "subnet-b"}},
			},
			Attributes: []control.Attribute{{Key: control.AttrCrossZoneEnabled, Value: "false"}},
		}},
		TargetGroups: []*control.TargetGroupRecord{{
			TargetGroup: control.TargetGroup{TargetGroupArn: testTGArn, TargetGroupName: "apps", Port: 6081, VpcId: testVpcID, LoadBalancerArns: []string{testLBArn}},
			Targets: []*control.RegisteredTarget{
				{Target: control.TargetDescription{Id: testTarget}, HealthViews: []control.HealthView{{Node: "node-a", Health: control.TargetHealth{State: control.TargetHealthHealthy}}}},
				{Target: control.TargetDescription{Id: "10.9.1.12"}},
			},
		}},
		Listeners: []*control.ListenerRecord{{
			Listener: control.Listener{ListenerArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/gwy/gwlb-a/0123456789abcdef/0123456789abcdef", LoadBalancerArn: testLBArn, DefaultActions: []control.Action{{Type: "forward", TargetGroupArn: testTGArn}}},
		}},
		EndpointServices: []*control.EndpointServiceRecord{{
			Service: control.ServiceConfiguration{ServiceId: testSvcID, GatewayLoadBalancerArns: []string{testLBArn}},
		}},
		Endpoints: []*control.EndpointRecord{{
			Endpoint:         control.VpcEndpoint{VpcEndpointId: testEP, State: control.EndpointStateAvailable},
			ServiceId:        testSvcID,
			AvailabilityZone: testZoneA,
			AttachmentId:     0xfeed,
		}},
	}
}

func testNodeConfig(t testing.TB) *Config {
	t.Helper()
	c := validConfig()
	c.LoadBalancer = "gwlb-a"
	c.Appliance.Address = "10.9.0.10/24"
	c.Appliance.Gateway = "10.9.0.1"
	c.Endpoints[0].ID = testEP
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	return &c
}

var nodeMAC = [6]byte{2, 0, 0, 0, 0, 0x0a}

func macOf(last byte) [6]byte { return [6]byte{2, 0, 0, 0, 0, last} }

// neighbors knows 10.9.0.11 and the gateway 10.9.0.1.
func neighbors(a netip.Addr) ([6]byte, bool) {
	switch a.String() {
	case testTarget:
		return macOf(0x11), true
	case "10.9.0.1":
		return macOf(0x01), true
	}
	return [6]byte{}, false
}

func TestBuildSnapshot(t *testing.T) {
	cfg := testNodeConfig(t)
	s := NewSnapshotter(cfg, nodeMAC, 0)
	now := time.Unix(1_800_000_000, 0)
	snap, err := s.Build(testState(), 7, now, neighbors)
	if err != nil {
		t.Fatal(err)
	}
	c := snap.Config
	if c.Revision != 7 || snap.LoadBalancerArn != testLBArn {
		t.Errorf("revision %d arn %s", c.Revision, snap.LoadBalancerArn)
	}
	if len(c.Ports) != 3 || c.Ports[AppliancePortIndex].Role != engine.RoleAppliance ||
		c.Ports[SideAPort(0)].Side != engine.SideA || c.Ports[SideBPort(0)].Side != engine.SideB ||
		c.AppliancePort() != 0 || c.Peer(SideAPort(0)) != SideBPort(0) {
		t.Errorf("ports = %+v", c.Ports)
	}
	if c.Ports[0].NodeMAC != nodeMAC || c.Ports[0].NodeIP.String() != "10.9.0.10/24" {
		t.Errorf("appliance port = %+v", c.Ports[0])
	}
	if len(c.Endpoints) != 1 || c.Endpoints[0].State != engine.EndpointAvailable || c.Endpoints[0].AttachmentID != 0xfeed || c.Endpoints[0].AZ != testZoneA {
		t.Errorf("endpoints = %+v", c.Endpoints)
	}
	if len(c.Targets) != 2 || c.TargetIndex("10.9.0.11:6081") < 0 || c.TargetIndex("10.9.1.12:6081") < 0 {
		t.Fatalf("targets = %+v", c.Targets)
	}
	t0 := targetByID(c, "10.9.0.11:6081")
	if t0.State != engine.TargetHealthy || t0.AZ != testZoneA || t0.NextHopMAC != macOf(0x11) {
		t.Errorf("target 10.9.0.11 = %+v", t0)
	}
	// 10.9.1.12 is outside the node's subnet: reached through the gateway;
	// never health checked: initial; its zone comes from the VPC's subnet.
	t1 := targetByID(c, "10.9.1.12:6081")
	if t1.State != engine.TargetInitial || t1.AZ != testZoneB || t1.NextHopMAC != macOf(0x01) {
		t.Errorf("target 10.9.1.12 = %+v", t1)
	}
	if c.Attr.CrossZone || c.Attr.Stickiness != flow.FiveTuple || c.Attr.Failover != balance.NoRebalance {
		t.Errorf("attributes = %+v", c.Attr)
	}
	if len(snap.Warnings) != 0 || len(snap.Unresolved) != 0 {
		t.Errorf("warnings %q unresolved %v", snap.Warnings, snap.Unresolved)
	}
}

func targetByID(c *engine.Config, id string) engine.Target {
	for _, t := range c.Targets {
		if t.ID == id {
			return t
		}
	}
	return engine.Target{State: engine.TargetUnused}
}

func TestBuildKeepsTargetIndexesStable(t *testing.T) {
	cfg := testNodeConfig(t)
	s := NewSnapshotter(cfg, nodeMAC, 0)
	now := time.Unix(1_800_000_000, 0)
	st := testState()
	snap, err := s.Build(st, 1, now, neighbors)
	if err != nil {
		t.Fatal(err)
	}
	const a, b, c = "10.9.0.11:6081", "10.9.1.12:6081", "10.9.0.13:6081"
	ia, ib := snap.Config.TargetIndex(a), snap.Config.TargetIndex(b)

	// Deregister a (draining for 300 s), register c.
	until := control.Timestamp{Time: now.Add(300 * time.Second)}
	tg := st.TargetGroups[0]
	tg.Targets[0].DrainUntil = &until
	tg.Targets = append(tg.Targets, &control.RegisteredTarget{Target: control.TargetDescription{Id: "10.9.0.13"}})
	snap, err = s.Build(st, 2, now.Add(time.Second), neighbors)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Config.TargetIndex(a) != ia || snap.Config.TargetIndex(b) != ib {
		t.Fatalf("indexes moved: %d,%d -> %d,%d", ia, ib, snap.Config.TargetIndex(a), snap.Config.TargetIndex(b))
	}
	if got := targetByID(snap.Config, a).State; got != engine.TargetDraining {
		t.Errorf("deregistered target state = %v, want draining", got)
	}
	if !snap.NextChange.Equal(until.Time) {
		t.Errorf("NextChange = %v, want %v", snap.NextChange, until.Time)
	}
	if ic := snap.Config.TargetIndex(c); ic == ia || ic == ib || ic < 0 {
		t.Errorf("new target index %d reuses %d/%d", ic, ia, ib)
	}
	if len(snap.Unresolved) != 1 || snap.Unresolved[0] != netip.MustParseAddr("10.9.0.13") {
		t.Errorf("unresolved = %v, want [10.9.0.13]", snap.Unresolved)
	}

	// After the delay the target is gone from the snapshot; its index is
	// kept as a tombstone so flows naming it are moved, not misrouted.
	snap, err = s.Build(st, 3, until.Time.Add(time.Second), neighbors)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, state, ok := snap.Config.TargetAt(ia); ok && state != engine.TargetUnused {
		t.Errorf("gone target at %d: state %v", ia, state)
	}
	if snap.Config.TargetIndex(b) != ib {
		t.Errorf("remaining target moved")
	}
}

func TestBuildAttributesAndEndpointStates(t *testing.T) {
	cfg := testNodeConfig(t)
	st := testState()
	st.LoadBalancers[0].Attributes = []control.Attribute{{Key: control.AttrCrossZoneEnabled, Value: "true"}}
	st.TargetGroups[0].Attributes = []control.Attribute{
		{Key: control.AttrStickinessEnabled, Value: "true"},
		{Key: control.AttrStickinessType, Value: "source_ip_dest_ip"},
		{Key: control.AttrFailoverOnDeregistration, Value: "rebalance"},
		{Key: control.AttrFailoverOnUnhealthy, Value: "rebalance"},
	}
	st.TargetGroups[0].Targets[0].HealthViews[0].Health.State = control.TargetHealthUnhealthy
	st.Listeners[0].Attributes = []control.Attribute{{Key: "tcp.idle_timeout.seconds", Value: "120"}}
	st.Endpoints[0].Endpoint.State = control.EndpointStatePendingAcceptance
	snap, err := NewSnapshotter(cfg, nodeMAC, 0).Build(st, 1, time.Now(), neighbors)
	if err != nil {
		t.Fatal(err)
	}
	c := snap.Config
	if !c.Attr.CrossZone || c.Attr.Stickiness != flow.TwoTuple || c.Attr.TCPIdleTimeout != 120e9 || c.Attr.Failover != balance.Rebalance {
		t.Errorf("attributes = %+v", c.Attr)
	}
	if c.Endpoints[0].State != engine.EndpointPendingAcceptance {
		t.Errorf("endpoint state = %v", c.Endpoints[0].State)
	}
	if u := targetByID(c, "10.9.0.11:6081"); u.State != engine.TargetUnhealthy {
		t.Errorf("unhealthy target = %+v", u)
	}
}

func TestBuildDegradedAndFatal(t *testing.T) {
	cfg := testNodeConfig(t)
	now := time.Now()

	st := testState()
	st.Endpoints = nil
	st.Listeners = nil
	snap, err := NewSnapshotter(cfg, nodeMAC, 0).Build(st, 1, now, neighbors)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Config.Endpoints[0].State == engine.EndpointAvailable || len(snap.Config.Targets) != 0 {
		t.Errorf("missing endpoint/listener served: %+v", snap.Config)
	}
	if w := strings.Join(snap.Warnings, "\n"); !strings.Contains(w, "not in the state file") || !strings.Contains(w, "no listener") {
		t.Errorf("warnings = %q", w)
	}

	st = testState()
	st.EndpointServices[0].Service.GatewayLoadBalancerArns = []string{"arn:other"}
	snap, err = NewSnapshotter(cfg, nodeMAC, 0).Build(st, 1, now, neighbors)
	if err != nil || snap.Config.Endpoints[0].State != engine.EndpointRejected {
		t.Errorf("foreign endpoint: err %v state %v", err, snap.Config.Endpoints[0].State)
	}

	cfg2 := *cfg
	cfg2.LoadBalancer = "missing"
	if _, err := NewSnapshotter(&cfg2, nodeMAC, 0).Build(testState(), 1, now, neighbors); err == nil || !strings.Contains(err.Error(), `"missing" is not in the state file`) {
		t.Errorf("missing LB: %v", err)
	}
	cfg3 := *cfg
	cfg3.AvailabilityZone = "us-east-1c"
	if _, err := NewSnapshotter(&cfg3, nodeMAC, 0).Build(testState(), 1, now, neighbors); err == nil || !strings.Contains(err.Error(), "no subnet in us-east-1c") {
		t.Errorf("foreign zone: %v", err)
	}
	// The load balancer may be named by its ARN.
	cfg4 := *cfg
	cfg4.LoadBalancer = testLBArn
	if _, err := NewSnapshotter(&cfg4, nodeMAC, 0).Build(testState(), 1, now, neighbors); err != nil {
		t.Errorf("by ARN: %v", err)
	}
}

// TestBuildInnerLimitFromApplianceMTU: the appliance port's MTU reaches
// the engine; one that cannot carry GWLB's 8500-byte inner packets lowers
// the limit and says so.
func TestBuildInnerLimitFromApplianceMTU(t *testing.T) {
	cfg := testNodeConfig(t)
	for _, c := range []struct {
		mtu, limit int
		warn       bool
	}{{0, 8500, false}, {9001, 8500, false}, {8568, 8500, false}, {1500, 1432, true}} {
		snap, err := NewSnapshotter(cfg, nodeMAC, c.mtu).Build(testState(), 1, time.Now(), neighbors)
		if err != nil {
			t.Fatal(err)
		}
		warned := strings.Contains(strings.Join(snap.Warnings, "\n"), "dropped and counted as too_big")
		if snap.Config.Ports[AppliancePortIndex].MTU != c.mtu || snap.Config.InnerLimit() != c.limit || warned != c.warn {
			t.Errorf("MTU %d: port MTU %d, inner limit %d, warned %v; want %d, %v", c.mtu, snap.Config.Ports[0].MTU, snap.Config.InnerLimit(), warned, c.limit, c.warn)
		}
	}
}

// TestBuildTargetStateIsDescribeTargetHealth: the data path acts on the
// health describe-target-health reports, target by target.
func TestBuildTargetStateIsDescribeTargetHealth(t *testing.T) {
	cfg := testNodeConfig(t)
	now := time.Unix(1_800_000_000, 0)
	st := testState()
	tg := st.TargetGroups[0]
	until := control.Timestamp{Time: now.Add(time.Minute)}
	tg.Targets = append(tg.Targets,
		&control.RegisteredTarget{Target: control.TargetDescription{Id: "10.9.0.21"}, HealthViews: []control.HealthView{{Node: "node-a", Health: control.TargetHealth{State: control.TargetHealthUnhealthy, Reason: control.ReasonTimeout}}}},
		&control.RegisteredTarget{Target: control.TargetDescription{Id: "10.9.0.22"}, HealthViews: []control.HealthView{{Node: "node-a", Health: control.TargetHealth{State: control.TargetHealthUnavailable}}}},
		&control.RegisteredTarget{Target: control.TargetDescription{Id: "10.9.0.23"}, HealthViews: []control.HealthView{{Node: "node-a", Health: control.TargetHealth{State: control.TargetHealthHealthy}}}, DrainUntil: &until},
		&control.RegisteredTarget{Target: control.TargetDescription{Id: "10.9.0.24", AvailabilityZone: "us-east-1f"}, HealthViews: []control.HealthView{{Node: "node-a", Health: control.TargetHealth{State: control.TargetHealthHealthy}}}},
	)
	want := map[string]engine.TargetState{
		testTarget: engine.TargetHealthy, "10.9.1.12": engine.TargetInitial, "10.9.0.21": engine.TargetUnhealthy,
		"10.9.0.22": engine.TargetUnhealthy, "10.9.0.23": engine.TargetDraining, "10.9.0.24": engine.TargetUnused,
	}
	snap, err := NewSnapshotter(cfg, nodeMAC, 0).Build(st, 1, now, neighbors)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Targets) != len(want) {
		t.Fatalf("%d targets, want %d", len(snap.Targets), len(want))
	}
	for i, v := range snap.Targets {
		rt := tg.Target(v.ID)
		rec, _ := rt.RecordedHealth()
		if d := st.TargetHealthAt(tg, rt, rec.Health, now); v.Health != d {
			t.Errorf("target %s: snapshot health %+v, describe-target-health %+v", v.ID, v.Health, d)
		}
		if got := snap.Config.Targets[i].State; got != want[v.ID] {
			t.Errorf("target %s (%s): engine state %v, want %v", v.ID, v.Health.State, got, want[v.ID])
		}
	}
	// A target group no load balancer uses is not in use (a draining
	// target still drains).
	tg.TargetGroup.LoadBalancerArns = nil
	snap, err = NewSnapshotter(cfg, nodeMAC, 0).Build(st, 2, now, neighbors)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range snap.Targets {
		state := snap.Config.Targets[i].State
		if v.ID == "10.9.0.23" {
			if state != engine.TargetDraining {
				t.Errorf("draining target of an unused group: %v", state)
			}
			continue
		}
		if v.Health.Reason != control.ReasonNotInUse || state != engine.TargetUnused {
			t.Errorf("target %s of an unused group: %+v, engine %v", v.ID, v.Health, state)
		}
	}
}

// TestBuildStickiness: the stickiness attributes, by control's names; a
// type the data path does not know is a warning and 5-tuple.
func TestBuildStickiness(t *testing.T) {
	cfg := testNodeConfig(t)
	for _, c := range []struct {
		enabled, typ string
		want         flow.Stickiness
		warn         bool
	}{
		{"false", control.StickinessSourceDest, flow.FiveTuple, false},
		{"true", control.StickinessSourceDestProto, flow.ThreeTuple, false},
		{"true", control.StickinessSourceDest, flow.TwoTuple, false},
		{"true", "lb_cookie", flow.FiveTuple, true},
	} {
		st := testState()
		st.TargetGroups[0].Attributes = []control.Attribute{{Key: control.AttrStickinessEnabled, Value: c.enabled}, {Key: control.AttrStickinessType, Value: c.typ}}
		snap, err := NewSnapshotter(cfg, nodeMAC, 0).Build(st, 1, time.Now(), neighbors)
		if err != nil {
			t.Fatal(err)
		}
		warned := strings.Contains(strings.Join(snap.Warnings, "\n"), `stickiness.type "lb_cookie" is not supported`)
		if snap.Config.Attr.Stickiness != c.want || warned != c.warn {
			t.Errorf("%s/%s: %v, warned %v; want %v, %v", c.enabled, c.typ, snap.Config.Attr.Stickiness, warned, c.want, c.warn)
		}
	}
}
