package node

import (
	"strings"
	"testing"
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
		{"bad endpoint id", func(c *Config) { c.Endpoints[0].ID = "vpce-123" }, "endpoints[0].id: \"vpce-123\""},
		{"duplicate endpoint", func(c *Config) {
			e := c.Endpoints[0]
			e.SideA, e.SideB = "net_ring0", "net_ring1"
			c.Endpoints = append(c.Endpoints, e)
		}, "endpoints[1].id: vpce-0123456789abcdef0 is already attached by endpoints[0]"},
		{"routed", func(c *Config) { c.Endpoints[0].Mode = ModeRouted }, "routed endpoints are not supported yet"},
		{"unknown mode", func(c *Config) { c.Endpoints[0].Mode = "tap" }, "endpoints[0].mode: \"tap\" is unknown"},
		{"missing side", func(c *Config) { c.Endpoints[0].SideB = "" }, "endpoints[0].side-b: required"},
		{"shared device", func(c *Config) { c.Endpoints[0].SideB = "net_af_packet1,iface=other" }, "device \"net_af_packet1\" is already used by endpoints[0].side-a"},
		{"small table", func(c *Config) { c.Flows.Capacity = 10 }, "flows.capacity: 10 is out of range"},
		{"negative interval", func(c *Config) { c.Stats.Interval = -1 }, "stats.interval"},
		{"workers", func(c *Config) { c.EAL.Workers = 100 }, "eal.workers: 100"},
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
