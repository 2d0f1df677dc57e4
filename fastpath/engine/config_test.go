package engine

import (
	"net/netip"
	"strings"
	"testing"
	"unsafe"
)

func TestFormatEndpointID(t *testing.T) {
	for id, want := range map[uint64]string{0x0123456789abcdef0: "vpce-0123456789abcdef0", 1: "vpce-00000000000000001", 0xffffffffffffffff: "vpce-0ffffffffffffffff"} {
		if got := FormatEndpointID(id); got != want {
			t.Errorf("FormatEndpointID(%#x) = %q, want %q", id, got, want)
		}
	}
}

func TestNewConfigDerived(t *testing.T) {
	cfg := testConfig(t, 3, Attributes{})
	if cfg.AppliancePort() != 0 || cfg.Peer(1) != 2 || cfg.Peer(2) != 1 {
		t.Fatalf("appliance %d, peers %d %d", cfg.AppliancePort(), cfg.Peer(1), cfg.Peer(2))
	}
	if cfg.Attr.TCPIdleTimeout != DefaultTCPIdleTimeout || cfg.Attr.InnerMTU != DefaultInnerMTU {
		t.Fatalf("defaults not applied: %+v", cfg.Attr)
	}
	i := cfg.TargetIndex("i-00000000000000003:6081")
	if _, ip, st, ok := cfg.TargetAt(i); !ok || ip != netip.MustParseAddr("10.0.1.102") || st != TargetHealthy {
		t.Fatalf("TargetAt(%d) = %v %v %v", i, ip, st, ok)
	}
	if cfg.targets[i].ipw != 10<<24|1<<8|102 || cfg.targets[i].mac != targetMAC(2) {
		t.Fatalf("target run %+v", cfg.targets[i])
	}
}

func TestNewConfigErrors(t *testing.T) {
	good := func() Config {
		return Config{
			Ports: []Port{
				{Name: "app", Role: RoleAppliance, NodeIP: nodeIP, NodeMAC: nodeMAC},
				{Name: "a", Role: RoleBump, Endpoint: 0, Side: SideA},
				{Name: "b", Role: RoleBump, Endpoint: 0, Side: SideB},
			},
			Endpoints: []Endpoint{{ID: 1, AZ: "az1"}},
			Targets:   []Target{{ID: "t1", IP: netip.MustParseAddr("10.0.1.2"), AZ: "az1"}},
		}
	}
	cases := []struct {
		name string
		mod  func(*Config)
		want string
	}{
		{"missing side B", func(c *Config) { c.Ports = c.Ports[:2] }, "needs a side A and a side B"},
		{"two side A", func(c *Config) { c.Ports[2].Side = SideA }, "already on port"},
		{"endpoint out of range", func(c *Config) { c.Ports[1].Endpoint = 3 }, "out of range"},
		{"ipv6 target", func(c *Config) { c.Targets[0].IP = netip.MustParseAddr("::1") }, "not IPv4"},
		{"zero endpoint id", func(c *Config) { c.Endpoints[0].ID = 0 }, "id is zero"},
		{"idle timeout", func(c *Config) { c.Attr.TCPIdleTimeout = 30e9 }, "from 60 to 6000"},
		{"empty target id", func(c *Config) { c.Targets[0].ID = "" }, "empty ID"},
		{"mtu", func(c *Config) { c.Attr.InnerMTU = 9000 }, "inner MTU"},
		{"node ipv6", func(c *Config) { c.Ports[0].NodeIP = netip.MustParsePrefix("fd00::1/64") }, "node's IPv4"},
		{"multicast mac", func(c *Config) { c.Ports[0].NodeMAC[0] = 1 }, "unicast MAC"},
		{"gateway outside", func(c *Config) { c.Ports[0].Gateway = netip.MustParseAddr("10.9.9.9") }, "gateway"},
	}
	if _, err := NewConfig(good(), nil); err != nil {
		t.Fatalf("good config rejected: %v", err)
	}
	for _, tc := range cases {
		c := good()
		tc.mod(&c)
		_, err := NewConfig(c, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want it to mention %q", tc.name, err, tc.want)
		}
	}
}

func TestPublisher(t *testing.T) {
	var p Publisher
	if p.Load() != nil {
		t.Fatal("empty publisher returned a config")
	}
	c1 := testConfig(t, 1, Attributes{})
	p.Store(c1)
	if p.Load() != c1 {
		t.Fatal("Load did not return the stored config")
	}
}

func TestCounterBlockLayout(t *testing.T) {
	var b counterBlock
	want := totalsWords + MaxEndpoints*endpointWords + MaxTargets*targetWords
	if got := len(b.words()); got != want || unsafe.Sizeof(b)%8 != 0 {
		t.Fatalf("counterBlock has %d words, want %d", got, want)
	}
	if int(unsafe.Sizeof(Totals{})) != totalsWords*8 || int(unsafe.Sizeof(EndpointCounters{})) != endpointWords*8 || int(unsafe.Sizeof(TargetCounters{})) != targetWords*8 {
		t.Fatal("counter structs and word constants disagree")
	}
}
