package engine

import (
	"fmt"
	"net/netip"
	"testing"
)

// The routed test node: port 0 appliance, ports 1/2 a bump endpoint
// (endpoint 0), port 3 a routed endpoint (endpoint 1) on the consumer
// subnet 10.20.0.0/24 and fd00:20::/64, whose router is 10.20.0.1 and
// fe80::1; a second router 10.20.0.254 leads to 10.99.0.0/16; hosts
// 10.20.0.50 and fd00:20::50 are on-link.

const routedPortIdx = 3

var (
	routedEP     = uint64(0x0fedcba9876543210) // vpce-0fedcba9876543210
	routedAttach = uint64(0x99aabbccddeeff00)
	routedMAC    = [6]byte{0x02, 0xe0, 0, 0, 0, 0x10}
	routerMAC    = [6]byte{0x02, 0x10, 0, 0, 0, 0x01}
	router2MAC   = [6]byte{0x02, 0x10, 0, 0, 0, 0xfe}
	hostMAC      = [6]byte{0x02, 0x40, 0, 0, 0, 0x50}

	routedAddr  = netip.MustParsePrefix("10.20.0.10/24")
	routedAddr6 = netip.MustParsePrefix("fd00:20::10/64")
	router4     = netip.MustParseAddr("10.20.0.1")
	router6     = netip.MustParseAddr("fe80::1")
	router2     = netip.MustParseAddr("10.20.0.254")
	host4       = netip.MustParseAddr("10.20.0.50")
	host6       = netip.MustParseAddr("fd00:20::50")

	internet4 = netip.MustParseAddr("198.51.100.7") // beyond the default route
	app4      = netip.MustParseAddr("10.30.0.5")    // another subnet, via the router
	far4      = netip.MustParseAddr("10.99.1.1")    // via the second router
	internet6 = netip.MustParseAddr("2001:db8::7")
)

// routedPorts returns the routed node's ports (ports 0-3).
func routedPorts(routes []Route) []Port {
	return []Port{
		{Name: "appliance", Role: RoleAppliance, NodeIP: nodeIP, NodeMAC: nodeMAC},
		{Name: "ep-a", Role: RoleBump, Endpoint: 0, Side: SideA},
		{Name: "ep-b", Role: RoleBump, Endpoint: 0, Side: SideB},
		{Name: "routed", Role: RoleRouted, Endpoint: 1, Address: routedAddr, Address6: routedAddr6, MAC: routedMAC, Routes: routes},
	}
}

func defaultRoutes() []Route {
	return []Route{
		{Dst: netip.MustParsePrefix("0.0.0.0/0"), Via: router4},
		{Dst: netip.MustParsePrefix("10.99.0.0/16"), Via: router2},
		{Dst: netip.MustParsePrefix("::/0"), Via: router6},
	}
}

func defaultNeighbors() []Neighbor {
	return []Neighbor{
		{Port: routedPortIdx, IP: router4, MAC: routerMAC},
		{Port: routedPortIdx, IP: router6, MAC: routerMAC},
		{Port: routedPortIdx, IP: router2, MAC: router2MAC},
		{Port: routedPortIdx, IP: host4, MAC: hostMAC},
		{Port: routedPortIdx, IP: host6, MAC: hostMAC},
	}
}

// routedBase is the routed node's Config before NewConfig, n targets.
func routedBase(n int) Config {
	c := Config{
		Revision: 1,
		Ports:    routedPorts(defaultRoutes()),
		Endpoints: []Endpoint{
			{ID: testEP, AttachmentID: testAttach, AZ: "us-east-1a", State: EndpointAvailable},
			{ID: routedEP, AttachmentID: routedAttach, AZ: "us-east-1a", State: EndpointAvailable},
		},
		Neighbors: defaultNeighbors(),
	}
	for i := 0; i < n; i++ {
		c.Targets = append(c.Targets, Target{
			ID: fmt.Sprintf("i-%017x:6081", i+1), IP: netip.AddrFrom4([4]byte{10, 0, 1, byte(100 + i)}),
			NextHopMAC: targetMAC(i), AZ: "us-east-1a", State: TargetHealthy,
		})
	}
	return c
}

func routedConfig(t testing.TB, mod func(*Config)) *Config {
	t.Helper()
	c := routedBase(4)
	if mod != nil {
		mod(&c)
	}
	cfg, err := NewConfig(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// fromRouter is an IP packet as the router hands it to the routed port.
func fromRouter(ip []byte) []byte { return ipEther(routedMAC, routerMAC, 0, ip) }

// withTTL sets the TTL (IPv4, checksum fixed) or hop limit (IPv6) of ip.
func withTTL(ip []byte, ttl byte) []byte {
	ip = append([]byte(nil), ip...)
	if ip[0]>>4 == 4 {
		ip[8] = ttl
		ip[10], ip[11] = 0, 0
		c := csumFold(csumAdd(ip[:20], 0))
		ip[10], ip[11] = byte(c>>8), byte(c)
	} else {
		ip[7] = ttl
	}
	return ip
}
