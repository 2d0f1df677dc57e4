package node

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"sync"

	"github.com/gwlbctl/gwlbctl/fastpath/engine"
	"github.com/gwlbctl/gwlbctl/fastpath/kernel"
)

// Routed endpoints in the node. Each has one DPDK port and its own
// exception TAP in the node's network namespace, configured with the
// endpoint's address, MAC and MTU: the kernel answers ARP, neighbour
// discovery and ping for the endpoint there, and resolves the next hops
// (the subnet's routers, on-link destinations) the engine needs after
// the appliance. The engine reports the next hops it had no MAC for
// (Worker.EndpointNeighborMisses); the node asks the kernel to resolve
// them through the port's TAP and publishes what the kernel learns as
// Config.Neighbors.

// portFacts is what an opened port says of itself.
type portFacts struct {
	mac [6]byte
	mtu int
}

// placeholderRoutedMAC stands for a routed port's own MAC in a Plan built
// before the port is open.
var placeholderRoutedMAC = [6]byte{0x02, 0, 0, 0, 0, 0x02}

// SetRoutedPort records routed endpoint i's port MAC and MTU, as read
// from the opened port (a configured mac or mtu takes precedence).
func (s *Snapshotter) SetRoutedPort(i int, mac [6]byte, mtu int) {
	if s.routedPorts == nil {
		s.routedPorts = map[int]portFacts{}
	}
	s.routedPorts[i] = portFacts{mac: mac, mtu: mtu}
}

// routedPort is routed endpoint i's port in the engine's snapshot.
func (s *Snapshotter) routedPort(i int, r *routedEndpoint) engine.Port {
	ep := &s.cfg.Endpoints[i]
	f, ok := s.routedPorts[i]
	if !ok {
		f = portFacts{mac: placeholderRoutedMAC, mtu: ep.MTU}
	}
	if r.mac != nil {
		f.mac = [6]byte(r.mac)
	}
	if ep.MTU != 0 {
		f.mtu = ep.MTU
	}
	return engine.Port{
		Name:     ep.ID,
		Role:     engine.RoleRouted,
		Endpoint: i,
		Address:  r.address,
		Address6: r.address6,
		MAC:      f.mac,
		MTU:      f.mtu,
		Routes:   r.routes,
	}
}

// routedNeighbors is the neighbour list of the snapshot being built.
func (s *Snapshotter) routedNeighbors() []engine.Neighbor {
	if s.Neighbors == nil {
		return nil
	}
	return s.Neighbors()
}

// endpointNeighbors resolves the next hops of a node's routed ports
// through their TAPs.
type endpointNeighbors struct {
	ports   []int                // routed port indexes, ascending
	tap     map[int]*Neighbors   // by port index
	hops    map[int][]netip.Addr // configured routers, by port index
	workers []*engine.Worker

	mu        sync.Mutex
	misses    []engine.NeighborMiss
	published []engine.Neighbor // the list the last snapshot was built with
}

// newEndpointNeighbors returns the resolver of cfg's routed endpoints
// (nil when there are none).
func newEndpointNeighbors(cfg *Config, workers []*engine.Worker) *endpointNeighbors {
	e := &endpointNeighbors{tap: map[int]*Neighbors{}, hops: map[int][]netip.Addr{}, workers: workers}
	for i, r := range cfg.routed {
		if r == nil {
			continue
		}
		e.ports = append(e.ports, r.port)
		e.tap[r.port] = NewNeighbors(nil, cfg.Endpoints[i].TAP)
		e.hops[r.port] = r.hops
	}
	if len(e.ports) == 0 {
		return nil
	}
	return e
}

// Start asks the kernel to resolve every configured router at once, so
// the first packets after the appliance find their MAC.
func (e *endpointNeighbors) Start() {
	for _, p := range e.ports {
		e.tap[p].Resolve(e.hops[p])
	}
}

// List re-reads the TAPs' neighbour tables and returns the routed ports'
// neighbours, sorted, as the snapshot's Config.Neighbors; it is what the
// next snapshot is built with.
func (e *endpointNeighbors) List() []engine.Neighbor {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.published = e.read()
	return e.published
}

// read lists what the kernel knows now. Called with mu held.
func (e *endpointNeighbors) read() []engine.Neighbor {
	var out []engine.Neighbor
	for _, p := range e.ports {
		nb := e.tap[p]
		nb.Refresh()
		nb.mu.Lock()
		for ip, mac := range nb.kernel {
			out = append(out, engine.Neighbor{Port: p, IP: ip, MAC: mac})
		}
		nb.mu.Unlock()
	}
	slices.SortFunc(out, func(a, b engine.Neighbor) int {
		return cmp.Or(cmp.Compare(a.Port, b.Port), a.IP.Compare(b.IP))
	})
	return out
}

// Poll is the Reloader's Endpoints hook: it collects the next hops the
// workers missed, asks the kernel to resolve them (each at most once a
// second), and reports whether the routed ports' neighbours differ from
// those of the snapshot in force.
func (e *endpointNeighbors) Poll() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.misses = e.misses[:0]
	for _, w := range e.workers {
		e.misses = w.EndpointNeighborMisses(e.misses)
	}
	for _, p := range e.ports {
		var addrs []netip.Addr
		for _, m := range e.misses {
			if m.Port == p {
				addrs = append(addrs, m.IP)
			}
		}
		if len(addrs) > 0 {
			e.tap[p].Resolve(addrs)
		}
	}
	return !slices.Equal(e.read(), e.published)
}

// routedTAP is the kernel side of routed endpoint i's exception TAP: the
// endpoint's addresses (the dpdk layer gives it the port's MAC and MTU).
func (c *Config) routedTAP(i int) kernel.TAPConfig {
	r := c.routed[i]
	tc := kernel.TAPConfig{Addresses: []netip.Prefix{r.address}}
	if r.address6.IsValid() {
		tc.Addresses = append(tc.Addresses, r.address6)
	}
	return tc
}

// routedPortFacts reads each routed endpoint's opened port: its MAC and
// MTU, for the snapshots.
func (n *Node) routedPortFacts(s *Snapshotter) error {
	ports := n.fw.Ports()
	for i, r := range n.cfg.routed {
		if r == nil {
			continue
		}
		key := fmt.Sprintf("endpoints[%d].device", i)
		mac := r.mac
		if mac == nil {
			m, err := ports[r.port].MAC()
			if err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
			mac = m
		}
		mtu, err := ports[r.port].MTU()
		if err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		min := engine.MinEndpointMTU
		if r.address6.IsValid() {
			min = 1280
		}
		if mtu < min {
			return fmt.Errorf("%s %s: its MTU is %d, below the %d an endpoint link must carry: set endpoints[%d].mtu", key, n.cfg.Endpoints[i].Device, mtu, min, i)
		}
		s.SetRoutedPort(i, [6]byte(mac), mtu)
	}
	return nil
}

// routedEndpointOf returns the endpoint index of routed port p.
func (c *Config) routedEndpointOf(p int) (int, bool) {
	for i, r := range c.routed {
		if r != nil && r.port == p {
			return i, true
		}
	}
	return 0, false
}

// describeRouted is the start log line's summary of the routed endpoints.
func (c *Config) describeRouted() []string {
	var out []string
	for i, r := range c.routed {
		if r != nil {
			out = append(out, fmt.Sprintf("%s %v tap %s", c.Endpoints[i].ID, r.address, c.Endpoints[i].TAP))
		}
	}
	return out
}

// checkRoutedPort fills `serve --check`'s view of routed endpoint i's port.
func (c *Config) checkRoutedPort(p *CheckPort, i int) {
	ep, r := &c.Endpoints[i], c.routed[i]
	p.Role += " endpoint " + ep.ID
	p.Address, p.TAP = r.address.String(), ep.TAP
	if r.address6.IsValid() {
		p.Address += " " + r.address6.String()
	}
	p.MAC, p.MTU = "the device's", "the device's"
	if r.mac != nil {
		p.MAC = r.mac.String()
	}
	if ep.MTU != 0 {
		p.MTU = fmt.Sprint(ep.MTU)
	}
}
