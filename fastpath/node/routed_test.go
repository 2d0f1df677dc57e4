package node

import (
	"errors"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gwlbctl/gwlbctl/control"
	"github.com/gwlbctl/gwlbctl/fastpath/engine"
	"github.com/gwlbctl/gwlbctl/fastpath/kernel"
)

// routedConfig is validConfig with a routed endpoint after the bump one.
func routedConfig() Config {
	c := validConfig()
	c.Endpoints = append(c.Endpoints, EndpointPorts{
		ID:      "vpce-0123456789abcdef1",
		Mode:    ModeRouted,
		Device:  "net_af_packet3,iface=rt0",
		Address: "10.30.1.10/24",
		Gateway: "10.30.1.1",
		Routes:  []RouteConfig{{Dst: "10.50.0.0/16", Via: "10.30.1.254"}},
		MTU:     9001,
		TAP:     "gwlbe0",
	})
	return c
}

func TestValidateRoutedMixedWithBump(t *testing.T) {
	c := routedConfig()
	if err := c.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if got := c.EndpointPort(0); got != 1 {
		t.Errorf("bump endpoint's first port = %d, want 1", got)
	}
	if got := c.EndpointPort(1); got != 3 {
		t.Errorf("routed endpoint's port = %d, want 3 (after the bump endpoint's two)", got)
	}
	if got := c.deviceKey(3); got != "endpoints[1].device" {
		t.Errorf("deviceKey(3) = %q", got)
	}
	if got := len(c.Devices()); got != 4 {
		t.Errorf("%d devices, want 4", got)
	}
	r := c.routed[1]
	want := []engine.Route{
		{Dst: netip.MustParsePrefix("0.0.0.0/0"), Via: netip.MustParseAddr("10.30.1.1")},
		{Dst: netip.MustParsePrefix("10.50.0.0/16"), Via: netip.MustParseAddr("10.30.1.254")},
	}
	if len(r.routes) != len(want) || r.routes[0] != want[0] || r.routes[1] != want[1] {
		t.Errorf("routes = %v, want %v", r.routes, want)
	}
	if len(r.hops) != 2 {
		t.Errorf("hops = %v, want the gateway and the route's router", r.hops)
	}
}

func TestValidateRoutedRejects(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(e *EndpointPorts, c *Config)
		want   string
	}{
		{"no address", func(e *EndpointPorts, _ *Config) { e.Address = "" }, "endpoints[1].address: required in routed mode"},
		{"address without prefix", func(e *EndpointPorts, _ *Config) { e.Address = "10.30.1.10" }, `endpoints[1].address: "10.30.1.10" is not an IPv4 address/prefix`},
		{"host route", func(e *EndpointPorts, _ *Config) { e.Address = "10.30.1.10/32" }, "endpoints[1].address: 10.30.1.10/32: the prefix must be /1 to /31"},
		{"network address", func(e *EndpointPorts, _ *Config) { e.Address = "10.30.1.0/24" }, "endpoints[1].address: 10.30.1.0/24 is its subnet's network address"},
		{"no device", func(e *EndpointPorts, _ *Config) { e.Device = "" }, "endpoints[1].device: required"},
		{"sides", func(e *EndpointPorts, _ *Config) { e.SideA = "net_ring0" }, "endpoints[1]: side-a and side-b are the two ports of a bump endpoint"},
		{"gateway outside", func(e *EndpointPorts, _ *Config) { e.Gateway = "10.30.2.1" }, "endpoints[1].gateway: 10.30.2.1 is outside endpoints[1].address 10.30.1.10/24"},
		{"gateway is the endpoint", func(e *EndpointPorts, _ *Config) { e.Gateway = "10.30.1.10" }, "endpoints[1].gateway: 10.30.1.10 is the endpoint's own address"},
		{"gateway6 without address6", func(e *EndpointPorts, _ *Config) { e.Gateway6 = "fe80::1" }, "endpoints[1].gateway6: needs address6"},
		{"bad address6", func(e *EndpointPorts, _ *Config) { e.Address6 = "fe80::10/64" }, "endpoints[1].address6: fe80::10/64 must be a global or unique-local"},
		{"route via off-link", func(e *EndpointPorts, _ *Config) { e.Routes[0].Via = "10.99.0.1" }, "endpoints[1].routes[0].via: 10.99.0.1 is not a router on the endpoint's subnet"},
		{"route host bits", func(e *EndpointPorts, _ *Config) { e.Routes[0].Dst = "10.50.1.0/16" }, "endpoints[1].routes[0].dst: 10.50.1.0/16 has host bits set; did you mean 10.50.0.0/16?"},
		{"route repeats default", func(e *EndpointPorts, _ *Config) { e.Routes[0].Dst = "0.0.0.0/0" }, "endpoints[1].routes[0].dst: 0.0.0.0/0 repeats a route"},
		{"bad mac", func(e *EndpointPorts, _ *Config) { e.MAC = "01:00:5e:00:00:01" }, "endpoints[1].mac: 01:00:5e:00:00:01 is not a unicast address"},
		{"small mtu", func(e *EndpointPorts, _ *Config) { e.MTU = 500 }, "endpoints[1].mtu: 500 is out of range 576-9216"},
		{"no tap", func(e *EndpointPorts, _ *Config) { e.TAP = "" }, "endpoints[1].tap: required in routed mode"},
		{"tap shared with the appliance", func(e *EndpointPorts, _ *Config) { e.TAP = "gwlb0" }, "endpoints[1].tap: gwlb0 is already the TAP of appliance.tap"},
		{"tap is a port", func(e *EndpointPorts, _ *Config) { e.TAP = "epa" }, "endpoints[1].tap: epa is also the interface of endpoints[0].side-a"},
		{"port given twice", func(e *EndpointPorts, _ *Config) { e.Device = "net_af_packet3,iface=epb" }, "endpoints[1].device: DPDK devices"},
		{"subnet overlaps the appliance network", func(e *EndpointPorts, _ *Config) { e.Address, e.Gateway = "10.9.0.200/16", "" },
			"endpoints[1]: subnet 10.9.0.0/16 overlaps appliance.address 10.9.0.0/24"},
		{"overlapping routed subnets", func(e *EndpointPorts, c *Config) {
			o := *e
			o.ID, o.Device, o.TAP = "vpce-0123456789abcdef2", "net_af_packet4,iface=rt1", "gwlbe1"
			o.Address = "10.30.1.20/24"
			c.Endpoints = append(c.Endpoints, o)
		}, "endpoints[2]: subnet 10.30.1.0/24 overlaps endpoints[1].address 10.30.1.0/24"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := routedConfig()
			tt.mutate(&c.Endpoints[1], &c)
			err := c.Validate()
			if err == nil {
				t.Fatalf("Validate accepted %+v", c.Endpoints)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

// routedState is testState with the routed endpoint in a consumer
// subnet.
func routedState() *control.State {
	st := testState()
	st.Subnets = append(st.Subnets, &control.Subnet{SubnetId: "subnet-c", VpcId: "vpc-c", CidrBlock: "10.30.1.0/24", AvailabilityZone: testZoneA})
	st.Endpoints = append(st.Endpoints, &control.EndpointRecord{
		Endpoint:         control.VpcEndpoint{VpcEndpointId: "vpce-0123456789abcdef1", State: control.EndpointStateAvailable, SubnetIds: []string{"subnet-c"}},
		ServiceId:        testSvcID,
		AvailabilityZone: testZoneA,
		AttachmentId:     0xbeef,
	})
	return st
}

func TestSnapshotRoutedPort(t *testing.T) {
	c := routedConfig()
	c.Endpoints[0].ID = testEP
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	st := routedState()
	if err := checkRoutedSubnets(&c, st); err != nil {
		t.Fatalf("checkRoutedSubnets: %v", err)
	}
	s := NewSnapshotter(&c, nodeMAC, 9000)
	s.SetRoutedPort(1, macOf(0x33), 1500)
	gw := netip.MustParseAddr("10.30.1.1")
	s.Neighbors = func() []engine.Neighbor { return []engine.Neighbor{{Port: 3, IP: gw, MAC: macOf(0x01)}} }
	snap, err := s.Build(st, 1, time.Now(), func(netip.Addr) ([6]byte, bool) { return macOf(0x11), true })
	if err != nil {
		t.Fatal(err)
	}
	ports := snap.Config.Ports
	if len(ports) != 4 {
		t.Fatalf("%d ports, want appliance, bump A and B, routed", len(ports))
	}
	p := ports[3]
	if p.Role != engine.RoleRouted || p.Endpoint != 1 || p.MAC != macOf(0x33) || p.MTU != 9001 || p.Address.String() != "10.30.1.10/24" {
		t.Errorf("routed port = %+v", p)
	}
	if hop, ok := snap.Config.RouteFor(3, netip.MustParseAddr("203.0.113.9")); !ok || hop != gw {
		t.Errorf("RouteFor(internet) = %v %v, want the gateway", hop, ok)
	}
	if hop, ok := snap.Config.RouteFor(3, netip.MustParseAddr("10.50.3.4")); !ok || hop.String() != "10.30.1.254" {
		t.Errorf("RouteFor(10.50.3.4) = %v %v, want the route's router", hop, ok)
	}
	if hop, ok := snap.Config.RouteFor(3, netip.MustParseAddr("10.30.1.77")); !ok || hop.String() != "10.30.1.77" {
		t.Errorf("RouteFor(on-link) = %v %v, want the destination itself", hop, ok)
	}
	if len(snap.Config.Neighbors) != 1 {
		t.Errorf("Neighbors = %v", snap.Config.Neighbors)
	}
	if len(snap.Warnings) != 0 {
		t.Errorf("warnings: %v", snap.Warnings)
	}

	// The address outside the endpoint's subnet: an error at start, a
	// warning when the state changes under a running node.
	st.Subnets[len(st.Subnets)-1].CidrBlock = "10.30.2.0/24"
	err = checkRoutedSubnets(&c, st)
	if err == nil || !strings.Contains(err.Error(), "endpoints[1].address: 10.30.1.10 is outside the subnets of endpoint vpce-0123456789abcdef1 ([subnet-c 10.30.2.0/24])") {
		t.Errorf("checkRoutedSubnets = %v", err)
	}
	snap, err = s.Build(st, 2, time.Now(), func(netip.Addr) ([6]byte, bool) { return macOf(0x11), true })
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Warnings) != 1 || !strings.Contains(snap.Warnings[0], "is outside the subnets") {
		t.Errorf("warnings: %v", snap.Warnings)
	}
}

// TestLocksRefuseASecondNodeOnTheRoutedTAP: a routed endpoint's TAP is
// locked like the appliance TAP.
func TestLocksRefuseASecondNodeOnTheRoutedTAP(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run", "gwlbctl")
	c := routedConfig()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	first, err := acquireLocks(dir, &c)
	if err != nil {
		t.Fatal(err)
	}
	defer first.release()
	second := routedConfig()
	second.Appliance.Device, second.Appliance.TAP = "net_null0", "gwlb9"
	second.Endpoints = second.Endpoints[1:]
	second.Endpoints[0].Device = "net_null1"
	if err := second.Validate(); err != nil {
		t.Fatal(err)
	}
	_, err = acquireLocks(dir, &second)
	var inUse *kernel.InUseError
	if !errors.As(err, &inUse) || !strings.Contains(err.Error(), "endpoints[0].tap: exception TAP gwlbe0 is in use by") {
		t.Fatalf("err = %v; want the routed TAP in use", err)
	}
}
