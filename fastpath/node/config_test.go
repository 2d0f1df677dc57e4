package node

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/gwlbctl/gwlbctl/control"
	"github.com/gwlbctl/gwlbctl/control/store"
)

func validConfig() Config {
	return Config{
		LoadBalancer:     "gwlb-a",
		AvailabilityZone: "us-east-1a",
		State:            "/tmp/state.json",
		Appliance: ApplianceConfig{
			Device:    "net_af_packet0,iface=app0",
			Address:   "10.9.0.10/24",
			Gateway:   "10.9.0.1",
			MAC:       "02:00:00:00:00:0a",
			TAP:       "gwlb0",
			Neighbors: []Neighbor{{IP: "10.9.0.11", MAC: "02:00:00:00:00:11"}},
		},
		Endpoints: []EndpointPorts{{
			ID:    "vpce-0123456789abcdef0",
			SideA: "net_af_packet1,iface=epa",
			SideB: "net_af_packet2,iface=epb",
		}},
	}
}

func TestValidateAcceptsAndFillsDefaults(t *testing.T) {
	c := validConfig()
	if err := c.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if c.Endpoints[0].Mode != ModeBump {
		t.Errorf("mode default = %q, want bump", c.Endpoints[0].Mode)
	}
	if c.Flows.Capacity != DefaultFlowCapacity {
		t.Errorf("flows.capacity default = %d", c.Flows.Capacity)
	}
	if got := c.NodeIP().String(); got != "10.9.0.10/24" {
		t.Errorf("NodeIP = %s", got)
	}
	if got := c.Gateway().String(); got != "10.9.0.1" {
		t.Errorf("Gateway = %s", got)
	}
	if got := c.MAC().String(); got != "02:00:00:00:00:0a" {
		t.Errorf("MAC = %s", got)
	}
	if len(c.StaticNeighbors()) != 1 {
		t.Errorf("StaticNeighbors = %v", c.StaticNeighbors())
	}
}

func TestValidateRejects(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Config)
		want   string
	}{
		{"no load balancer", func(c *Config) { c.LoadBalancer = "" }, "load-balancer: required"},
		{"no zone", func(c *Config) { c.AvailabilityZone = " " }, "availability-zone: required"},
		{"no state", func(c *Config) { c.State = "" }, "state: required"},
		{"no appliance device", func(c *Config) { c.Appliance.Device = "" }, "appliance.device: required"},
		{"bad address", func(c *Config) { c.Appliance.Address = "10.9.0.10" }, "appliance.address: \"10.9.0.10\" is not an IPv4 address/prefix"},
		{"v6 address", func(c *Config) { c.Appliance.Address = "fd00::1/64" }, "appliance.address"},
		{"gateway outside", func(c *Config) { c.Appliance.Gateway = "10.8.0.1" }, "outside appliance.address"},
		{"bad gateway", func(c *Config) { c.Appliance.Gateway = "gw" }, "appliance.gateway: \"gw\""},
		{"multicast mac", func(c *Config) { c.Appliance.MAC = "01:00:5e:00:00:01" }, "not a unicast address"},
		{"bad mac", func(c *Config) { c.Appliance.MAC = "zz" }, "appliance.mac: \"zz\""},
		{"long tap", func(c *Config) { c.Appliance.TAP = "a-very-long-interface-name" }, "appliance.tap"},
		{"bad neighbor ip", func(c *Config) { c.Appliance.Neighbors = []Neighbor{{IP: "x", MAC: "02:00:00:00:00:01"}} }, "appliance.neighbors[0].ip: \"x\""},
		{"bad neighbor mac", func(c *Config) { c.Appliance.Neighbors = []Neighbor{{IP: "10.9.0.5", MAC: "ff:ff:ff:ff:ff:ff"}} }, "appliance.neighbors[0].mac"},
		{"no endpoints", func(c *Config) { c.Endpoints = nil }, "endpoints: none configured"},
		{"bad endpoint id", func(c *Config) { c.Endpoints[0].ID = "vpce-123" }, `endpoints[0].id: not a gateway load balancer endpoint id: "vpce-123"`},
		{"endpoint id beyond 64 bits", func(c *Config) { c.Endpoints[0].ID = "vpce-1123456789abcdef0" }, `endpoints[0].id: not a gateway load balancer endpoint id: "vpce-1123456789abcdef0"`},
		{"duplicate endpoint", func(c *Config) {
			e := c.Endpoints[0]
			e.SideA, e.SideB = "net_ring0", "net_ring1"
			c.Endpoints = append(c.Endpoints, e)
		}, "endpoints[1].id: vpce-0123456789abcdef0 is already attached by endpoints[0]"},
		{"routed without device", func(c *Config) { c.Endpoints[0].Mode = ModeRouted }, "endpoints[0].device: required"},
		{"unknown mode", func(c *Config) { c.Endpoints[0].Mode = "tap" }, "endpoints[0].mode: \"tap\" is unknown"},
		{"missing side", func(c *Config) { c.Endpoints[0].SideB = "" }, "endpoints[0].side-b: required"},
		{"shared device name", func(c *Config) { c.Endpoints[0].SideB = "net_af_packet1,iface=other" }, `endpoints[0].side-b: DPDK devices "net_af_packet1,iface=epa" and "net_af_packet1,iface=other" are both named net_af_packet1; give each its own name (also endpoints[0].side-a)`},
		{"one interface, two devices", func(c *Config) { c.Endpoints[0].SideB = "net_af_packet2,iface=app0" }, `endpoints[0].side-b: DPDK devices "net_af_packet0,iface=app0" and "net_af_packet2,iface=app0" both use kernel interface app0; one interface can serve one port (also appliance.device)`},
		{"tap is a port's interface", func(c *Config) { c.Appliance.TAP = "epa" }, "appliance.tap: epa is also the interface of endpoints[0].side-a"},
		{"unknown driver", func(c *Config) { c.Appliance.Device = "net_bogus0,iface=x" }, "appliance.device: "},
		{"capacity beyond the table", func(c *Config) { c.Flows.Capacity = 1 << 26 }, "flows.capacity: 67108864 is out of range 1024-16777215"},
		{"two workers, one lcore", func(c *Config) { c.EAL.Workers = 2 }, "eal.workers: 2 workers need as many worker lcores, and eal.args \"\" give 1"},
		{"two worker lcores, one queue pair", func(c *Config) { c.EAL.Args = []string{"--lcores", "0@0,1@1,2@1", "--main-lcore", "0"} }, "appliance.device: net_af_packet0,iface=app0 has 1 queue pair(s) for 2 workers; each worker needs its own: add qpairs=2"},
		{"too many worker lcores", func(c *Config) { c.EAL.Args = []string{"--lcores", "0@0,(1-17)@1", "--main-lcore", "0"} }, "give 17 worker lcores, and eal.workers 0 would run a worker on each; the node runs at most 16"},
		{"no worker lcore", func(c *Config) { c.EAL.Args = []string{"-l", "0"} }, "eal.args: \"-l 0\" give EAL no worker lcore"},
		{"bad lcore list", func(c *Config) { c.EAL.Args = []string{"-l", "0,9999"} }, "eal.args: EAL -l \"0,9999\": CPU 9999: CPU ids are below 1024"},
		{"metrics address", func(c *Config) { c.Metrics.Listen = "localhost:http" }, "metrics.listen \"localhost:http\": port \"http\" is not 0-65535"},
		{"small table", func(c *Config) { c.Flows.Capacity = 10 }, "flows.capacity: 10 is out of range"},
		{"negative interval", func(c *Config) { c.Stats.Interval = -1 }, "stats.interval"},
		{"workers", func(c *Config) { c.EAL.Workers = 100 }, "eal.workers: 100"},
		{"negative workers", func(c *Config) { c.EAL.Workers = -1 }, "eal.workers: -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validConfig()
			tt.mutate(&c)
			err := c.Validate()
			if err == nil {
				t.Fatalf("Validate accepted %+v", c)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	var c Config
	err := c.Validate()
	if err == nil {
		t.Fatal("empty config accepted")
	}
	for _, want := range []string{"load-balancer", "availability-zone", "state", "appliance.device", "appliance.address", "endpoints"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %s: %v", want, err)
		}
	}
}

// TestCheckHostNamesTheKey: a device whose kernel interface does not exist
// is reported in one line naming its key, before DPDK would see it.
func TestCheckHostNamesTheKey(t *testing.T) {
	c := validConfig()
	c.Endpoints[0].SideB = "net_af_packet2,iface=gwnosuch9"
	c.Appliance.Device, c.Endpoints[0].SideA = "net_null0", "net_null1"
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	err := c.CheckHost()
	want := `endpoints[0].side-b: DPDK device "net_af_packet2,iface=gwnosuch9": kernel interface gwnosuch9 does not exist`
	if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "appliance.device") {
		t.Fatalf("CheckHost: %v; want only %q", err, want)
	}
}

// TestPrepareIsPure: Prepare reads the state and builds the snapshot a
// node would publish, with nothing started; what stops a node is its
// error, naming the state.
func TestPrepareIsPure(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Update(func(s *control.State) error { *s = *testState(); return nil }); err != nil {
		t.Fatal(err)
	}
	c := validConfig()
	c.State = path
	c.Endpoints[0].ID = testEP
	c.Appliance.Device, c.Endpoints[0].SideA, c.Endpoints[0].SideB = "net_null0", "net_null1", "net_null2"
	p, err := Prepare(&c)
	if err != nil {
		t.Fatal(err)
	}
	if p.Version.Revision != 1 || p.Snapshot.LoadBalancerArn != testLBArn || len(p.Snapshot.Targets) != 2 ||
		p.Snapshot.Config.Ports[0].NodeMAC != [6]byte{2, 0, 0, 0, 0, 0x0a} {
		t.Fatalf("plan %+v", p.Snapshot)
	}
	c.LoadBalancer = "other"
	if _, err := Prepare(&c); err == nil || !strings.Contains(err.Error(), "state "+path+`: load balancer "other" is not in the state file`) {
		t.Fatalf("missing load balancer: %v", err)
	}
}
