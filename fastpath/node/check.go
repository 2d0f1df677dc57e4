package node

import (
	"fmt"
	"net"
	"time"

	"github.com/gwlbctl/gwlbctl/control"
	"github.com/gwlbctl/gwlbctl/fastpath/balance"
	"github.com/gwlbctl/gwlbctl/fastpath/engine"
)

// CheckReport is what `gwlbctl serve --check` prints: the node a config
// and the state make, as serve would run it, worked out without root,
// DPDK or any port opened (Prepare).
type CheckReport struct {
	LoadBalancer     string `json:"load_balancer"`
	AvailabilityZone string `json:"availability_zone"`
	// State names the store and Revision the state's revision.
	State    string `json:"state"`
	Revision uint64 `json:"revision"`
	// TargetGroup is the group the listener forwards to ("" without one).
	TargetGroup string          `json:"target_group"`
	Ports       []CheckPort     `json:"ports"`
	Endpoints   []CheckEndpoint `json:"endpoints"`
	Targets     []CheckTarget   `json:"targets"`
	Attributes  CheckAttributes `json:"attributes"`
	// Workers and FlowCapacity: forwarding workers and each one's flows.
	Workers      int `json:"workers"`
	FlowCapacity int `json:"flow_capacity"`
	// API, Metrics and StatsFile are where the node is observed ("": off).
	API       string `json:"api_socket"`
	Metrics   string `json:"metrics_listen"`
	StatsFile string `json:"stats_file"`
	// Warnings are what the node would serve in a degraded way.
	Warnings []string `json:"warnings"`
}

// CheckPort is one port by role.
type CheckPort struct {
	Index  int    `json:"index"`
	Name   string `json:"name"`
	Role   string `json:"role"`
	Device string `json:"device"`
	// Interfaces are the kernel interfaces the device reads.
	Interfaces []string `json:"interfaces,omitempty"`
	// Address, MAC, MTU and TAP are the appliance port's or a routed
	// endpoint's ("the device's": read when serve opens it).
	Address string `json:"address,omitempty"`
	MAC     string `json:"mac,omitempty"`
	MTU     string `json:"mtu,omitempty"`
	TAP     string `json:"tap,omitempty"`
}

// CheckEndpoint is one configured endpoint.
type CheckEndpoint struct {
	ID               string `json:"id"`
	Mode             string `json:"mode"`
	State            string `json:"state"`
	AvailabilityZone string `json:"availability_zone"`
	// Forwards is whether its ports pass traffic (state available).
	Forwards bool `json:"forwards"`
}

// CheckTarget is one target of the target group.
type CheckTarget struct {
	ID               string `json:"id"`
	IP               string `json:"ip"`
	Port             int    `json:"port"`
	AvailabilityZone string `json:"availability_zone"`
	State            string `json:"state"`
	Reason           string `json:"reason,omitempty"`
	Description      string `json:"description,omitempty"`
	// NextHop is the MAC the target's Geneve goes to, or how it will be
	// resolved.
	NextHop string `json:"next_hop"`
}

// CheckAttributes are the attributes the data path honours.
type CheckAttributes struct {
	CrossZone             bool   `json:"cross_zone"`
	Stickiness            string `json:"stickiness"`
	TCPIdleTimeoutSeconds int    `json:"tcp_idle_timeout_seconds"`
	Failover              string `json:"failover"`
	// InnerMTU is the largest inner packet carried (GWLB's 8500, or less
	// when appliance.mtu cannot carry it).
	InnerMTU int `json:"inner_mtu"`
}

// Check prepares cfg (Prepare) and reports the node it makes. The error
// is Prepare's: the node could not start.
func Check(cfg Config) (*CheckReport, error) {
	p, err := Prepare(&cfg)
	if err != nil {
		return nil, err
	}
	c, s := p.Config, p.Snapshot
	ec := s.Config
	r := &CheckReport{
		LoadBalancer: s.LoadBalancerArn, AvailabilityZone: c.AvailabilityZone, State: p.Store.Describe(), Revision: p.Version.Revision,
		TargetGroup: s.TargetGroupArn, Workers: c.Workers(), FlowCapacity: c.Flows.Capacity,
		API: c.API.Socket, Metrics: c.metricsAddr, StatsFile: c.Stats.File, Warnings: s.Warnings,
		Attributes: CheckAttributes{CrossZone: ec.Attr.CrossZone, Stickiness: ec.Attr.Stickiness.String(),
			TCPIdleTimeoutSeconds: int(time.Duration(ec.Attr.TCPIdleTimeout) / time.Second), Failover: failoverName(ec), InnerMTU: ec.InnerLimit()},
	}
	if r.Warnings == nil {
		r.Warnings = []string{}
	}
	for i, d := range c.devices {
		port := CheckPort{Index: i, Name: ec.Ports[i].Name, Role: ec.Ports[i].Role.String(), Device: d.Spec, Interfaces: d.Ifaces}
		if i == AppliancePortIndex {
			port.Address, port.TAP = c.nodeIP.String(), c.Appliance.TAP
			port.MAC, port.MTU = "the device's", "the device's"
			if c.mac != nil {
				port.MAC = c.mac.String()
			}
			if c.Appliance.MTU != 0 {
				port.MTU = fmt.Sprint(c.Appliance.MTU)
			}
		} else if ep, ok := c.routedEndpointOf(i); ok {
			c.checkRoutedPort(&port, ep)
		} else {
			port.Role += " side " + ec.Ports[i].Side.String() + " of " + c.Endpoints[ec.Ports[i].Endpoint].ID
		}
		r.Ports = append(r.Ports, port)
	}
	for i, v := range s.Endpoints {
		r.Endpoints = append(r.Endpoints, CheckEndpoint{ID: v.ID, Mode: v.Mode, State: v.State, AvailabilityZone: v.AZ,
			Forwards: ec.Endpoints[i].State == engine.EndpointAvailable})
	}
	for i, v := range s.Targets {
		t := ec.Targets[i]
		ct := CheckTarget{ID: v.ID, IP: t.IP.String(), Port: v.Port, AvailabilityZone: t.AZ, State: v.Health.State,
			Reason: v.Health.Reason, Description: v.Health.Description}
		switch {
		case t.NextHopMAC != [6]byte{}:
			ct.NextHop = net.HardwareAddr(t.NextHopMAC[:]).String()
		case c.Appliance.TAP != "":
			ct.NextHop = "resolved by the kernel through " + c.Appliance.TAP
		default:
			ct.NextHop = "unknown: no TAP and no appliance.neighbors entry (its packets are dropped as no_neighbor)"
		}
		r.Targets = append(r.Targets, ct)
	}
	if r.Endpoints == nil {
		r.Endpoints = []CheckEndpoint{}
	}
	if r.Targets == nil {
		r.Targets = []CheckTarget{}
	}
	return r, nil
}

func failoverName(c *engine.Config) string {
	if c.Attr.Failover == balance.Rebalance {
		return control.FailoverRebalance
	}
	return control.FailoverNoRebalance
}
