package node

import (
	"fmt"
	"net"
	"net/netip"

	"github.com/gwlbctl/gwlbctl/control"
	"github.com/gwlbctl/gwlbctl/fastpath/dpdk"
	"github.com/gwlbctl/gwlbctl/fastpath/engine"
)

// RouteConfig is one route of a routed endpoint (endpoints[].routes[]):
// packets to Dst leave, after the appliance, through the router Via on
// the endpoint's link.
type RouteConfig struct {
	Dst string `mapstructure:"dst"`
	Via string `mapstructure:"via"`
}

// routedEndpoint is a validated routed endpoint: what its port, its TAP
// and its snapshot entry are built from.
type routedEndpoint struct {
	port     int // index in the node's ports
	address  netip.Prefix
	address6 netip.Prefix
	mac      net.HardwareAddr // nil: the device's own
	routes   []engine.Route   // the gateways' default routes first, then routes[]
	hops     []netip.Addr     // the routers of routes, resolved at start
}

// validateRouted checks the routed keys of endpoints[i] (key is
// "endpoints[i]") and records the endpoint; its device is checked with
// the others by Validate.
func (c *Config) validateRouted(i int, key string, e *EndpointPorts, add func(string, ...any)) {
	r := &routedEndpoint{}
	c.routed[i] = r
	if e.SideA != "" || e.SideB != "" {
		add("%s: side-a and side-b are the two ports of a bump endpoint; a routed endpoint has one port: set device and remove them", key)
	}
	switch p, err := netip.ParsePrefix(e.Address); {
	case e.Address == "":
		add("%s.address: required in routed mode; the endpoint's IPv4 address and its subnet's prefix, e.g. 10.0.3.10/24 (the address consumer route tables point at)", key)
	case err != nil || !p.Addr().Is4():
		add("%s.address: %q is not an IPv4 address/prefix such as 10.0.3.10/24", key, e.Address)
	case p.Bits() == 0 || p.Bits() == 32:
		add("%s.address: %v: the prefix must be /1 to /31 (the endpoint's subnet, on-link)", key, p)
	case p.Addr() == p.Masked().Addr() && p.Bits() <= 30:
		add("%s.address: %v is its subnet's network address; give the endpoint's own address in the subnet", key, p)
	default:
		r.address = p
	}
	if e.Address6 != "" {
		p, err := netip.ParsePrefix(e.Address6)
		switch {
		case err != nil || !p.Addr().Is6() || p.Addr().Is4In6():
			add("%s.address6: %q is not an IPv6 address/prefix such as 2001:db8:3::10/64", key, e.Address6)
		case p.Bits() == 0 || p.Bits() == 128:
			add("%s.address6: %v: the prefix must be /1 to /127 (the endpoint's subnet, on-link)", key, p)
		case !p.Addr().IsGlobalUnicast() && !p.Addr().IsPrivate():
			add("%s.address6: %v must be a global or unique-local unicast address (the TAP has its own link-local one)", key, p)
		default:
			r.address6 = p
		}
	}
	gateway := func(k, s string, v6 bool) {
		if s == "" {
			return
		}
		g, err := netip.ParseAddr(s)
		switch {
		case err != nil || g.Is4() == v6 || g.Is4In6():
			fam := "IPv4"
			if v6 {
				fam = "IPv6"
			}
			add("%s.%s: %q is not an %s address", key, k, s, fam)
		case !v6 && r.address.IsValid() && !r.address.Contains(g):
			add("%s.%s: %v is outside %s.address %v; the router must be on the endpoint's subnet", key, k, g, key, r.address)
		case v6 && !g.IsLinkLocalUnicast() && !(r.address6.IsValid() && r.address6.Contains(g)):
			add("%s.%s: %v is neither link-local nor inside %s.address6; the router must be on the endpoint's link", key, k, g, key)
		case g == r.address.Addr() || g == r.address6.Addr():
			add("%s.%s: %v is the endpoint's own address; give its subnet's router", key, k, g)
		default:
			dst := netip.PrefixFrom(netip.IPv4Unspecified(), 0)
			if v6 {
				dst = netip.PrefixFrom(netip.IPv6Unspecified(), 0)
			}
			r.routes = append(r.routes, engine.Route{Dst: dst, Via: g})
			r.hops = append(r.hops, g)
		}
	}
	gateway("gateway", e.Gateway, false)
	gateway("gateway6", e.Gateway6, true)
	if e.Gateway6 != "" && e.Address6 == "" {
		add("%s.gateway6: needs address6 (the endpoint forwards IPv6 only with an IPv6 address of its own)", key)
	}
	if len(e.Routes) > engine.MaxRoutes-2 {
		add("%s.routes: %d routes: at most %d are supported", key, len(e.Routes), engine.MaxRoutes-2)
	}
	for j, rc := range e.Routes {
		rk := fmt.Sprintf("%s.routes[%d]", key, j)
		dst, err := netip.ParsePrefix(rc.Dst)
		if err != nil || dst.Addr().Is4In6() {
			add("%s.dst: %q is not an IPv4 or IPv6 prefix such as 10.50.0.0/16", rk, rc.Dst)
			continue
		}
		if dst != dst.Masked() {
			add("%s.dst: %v has host bits set; did you mean %v?", rk, dst, dst.Masked())
			continue
		}
		var via netip.Addr
		if rc.Via != "" {
			if via, err = netip.ParseAddr(rc.Via); err != nil || via.Is4() != dst.Addr().Is4() {
				add("%s.via: %q is not an address of dst's family", rk, rc.Via)
				continue
			}
			onLink := r.address.Contains(via)
			if via.Is6() {
				onLink = via.IsLinkLocalUnicast() || r.address6.Contains(via)
			}
			if !onLink || via == r.address.Addr() || via == r.address6.Addr() {
				add("%s.via: %v is not a router on the endpoint's subnet (%s.address %v); give one inside it, other than the endpoint's own address", rk, via, key, r.address)
				continue
			}
			r.hops = append(r.hops, via)
		}
		for _, x := range r.routes {
			if x.Dst == dst {
				add("%s.dst: %v repeats a route (gateway and gateway6 are the default routes)", rk, dst)
			}
		}
		r.routes = append(r.routes, engine.Route{Dst: dst, Via: via})
	}
	if e.MAC != "" {
		m, err := net.ParseMAC(e.MAC)
		switch {
		case err != nil || len(m) != 6:
			add("%s.mac: %q is not a MAC address such as 02:00:00:00:00:02", key, e.MAC)
		case m[0]&1 != 0 || isZero(m):
			add("%s.mac: %v is not a unicast address", key, m)
		default:
			r.mac = m
		}
	}
	minMTU := engine.MinEndpointMTU
	if e.Address6 != "" {
		minMTU = 1280
	}
	if e.MTU != 0 && (e.MTU < minMTU || e.MTU > 9216) {
		add("%s.mtu: %d is out of range %d-9216 (0 keeps the device's; 1280 at least with address6)", key, e.MTU, minMTU)
	}
	switch {
	case e.TAP == "":
		add("%s.tap: required in routed mode; the kernel interface of the endpoint's exception path (ARP, neighbour discovery, ping to its address), e.g. gwlbe0", key)
	case len(e.TAP) > maxInterfaceName || !ifNamePattern.MatchString(e.TAP):
		add("%s.tap: %q is not a valid interface name (1-15 letters, digits, '-', '_', '.')", key, e.TAP)
	}
}

// validateRoutedTogether checks what routed endpoints must not share:
// TAP names (with the appliance TAP and the devices' interfaces), and
// subnets. Every TAP lives in the node's network namespace, where two
// connected routes for overlapping prefixes would make the kernel answer
// and resolve on the wrong link, so overlapping subnets (with each other
// or with appliance.address) are refused; give such consumer VPCs a node
// each.
func (c *Config) validateRoutedTogether(keys []string, add func(string, ...any)) {
	taps := map[string]string{}
	if c.Appliance.TAP != "" {
		taps[c.Appliance.TAP] = "appliance.tap"
	}
	type subnet struct {
		key string
		p   netip.Prefix
	}
	var subnets []subnet
	if c.nodeIP.IsValid() {
		subnets = append(subnets, subnet{"appliance.address", c.nodeIP})
	}
	for i, r := range c.routed {
		if r == nil {
			continue
		}
		key := fmt.Sprintf("endpoints[%d]", i)
		if tap := c.Endpoints[i].TAP; tap != "" {
			if other, dup := taps[tap]; dup {
				add("%s.tap: %s is already the TAP of %s; each exception path needs its own interface name", key, tap, other)
			} else {
				taps[tap] = key + ".tap"
			}
			if len(keys) == len(c.devices) {
				tk := dpdk.InterfaceKey(tap)
				for j, d := range c.devices {
					for _, k := range d.Keys() {
						if k == tk {
							add("%s.tap: %s is also the interface of %s (%s); the exception TAP needs its own interface name", key, tap, keys[j], d.Spec)
						}
					}
				}
			}
		}
		for _, p := range []netip.Prefix{r.address, r.address6} {
			if !p.IsValid() {
				continue
			}
			for _, s := range subnets {
				if s.p.Overlaps(p) {
					add("%s: subnet %v overlaps %s %v: the TAPs share the node's network namespace, so overlapping subnets cannot be told apart; serve them from separate nodes", key, p.Masked(), s.key, s.p.Masked())
				}
			}
			subnets = append(subnets, subnet{key + ".address", p})
		}
	}
}

// checkRoutedSubnets checks each routed endpoint's address against its
// endpoint's subnets in the state (a routed endpoint is an ENI in one of
// them). Endpoints missing from the state, or whose subnets have no
// CIDR, are the snapshot's warnings, not errors.
func checkRoutedSubnets(c *Config, st *control.State) error {
	for i, r := range c.routed {
		if r == nil || !r.address.IsValid() {
			continue
		}
		if msg := routedSubnetProblem(c, i, st); msg != "" {
			return fmt.Errorf("node config: endpoints[%d].address: %s", i, msg)
		}
	}
	return nil
}

// routedSubnetProblem says what is wrong with routed endpoint i's address
// against its subnets in st ("" when nothing, or nothing to check).
func routedSubnetProblem(c *Config, i int, st *control.State) string {
	r := c.routed[i]
	rec := st.Endpoint(c.Endpoints[i].ID)
	if rec == nil {
		return ""
	}
	var cidrs []string
	for _, id := range rec.Endpoint.SubnetIds {
		sn := st.Subnet(id)
		if sn == nil {
			continue
		}
		p, err := netip.ParsePrefix(sn.CidrBlock)
		if err != nil {
			continue
		}
		if p.Contains(r.address.Addr()) {
			return ""
		}
		cidrs = append(cidrs, sn.SubnetId+" "+p.String())
	}
	if len(cidrs) == 0 {
		return ""
	}
	return fmt.Sprintf("%v is outside the subnets of endpoint %s (%v): give the endpoint's address in its subnet", r.address.Addr(), c.Endpoints[i].ID, cidrs)
}

// EndpointPort is the port index of endpoints[i]'s first port (side A of
// a bump endpoint, the one port of a routed one).
func (c *Config) EndpointPort(i int) int { return c.epPort[i] }
