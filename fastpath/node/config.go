package node

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/gwlbctl/gwlbctl/control"
	"github.com/gwlbctl/gwlbctl/control/api"
	"github.com/gwlbctl/gwlbctl/fastpath/dpdk"
	"github.com/gwlbctl/gwlbctl/fastpath/engine"
	"github.com/gwlbctl/gwlbctl/fastpath/flow"
)

// Config is a node's configuration, as `gwlbctl serve` reads it from a
// file, GWLBCTL_* environment variables and flags (in increasing order of
// precedence). Keys are the mapstructure tags; see configs/node.yaml.
type Config struct {
	// LoadBalancer is the gateway load balancer this node serves: its ARN
	// or its name.
	LoadBalancer string `mapstructure:"load-balancer"`
	// AvailabilityZone is the zone this node stands in. Like a GWLB node, it
	// serves the endpoints of its own zone and, unless cross-zone load
	// balancing is on, sends only to targets of its own zone.
	AvailabilityZone string `mapstructure:"availability-zone"`
	// State is the control plane's store: a state file path (the same as
	// `--state` of the elbv2/ec2 commands), opened with store.Open.
	State string `mapstructure:"state"`
	// Node names this node and sets its registration's lease.
	Node NodeConfig `mapstructure:"node"`

	EAL       EALConfig       `mapstructure:"eal"`
	Appliance ApplianceConfig `mapstructure:"appliance"`
	Endpoints []EndpointPorts `mapstructure:"endpoints"`
	Flows     FlowConfig      `mapstructure:"flows"`
	Stats     StatsConfig     `mapstructure:"stats"`
	API       APIConfig       `mapstructure:"api"`
	Metrics   MetricsConfig   `mapstructure:"metrics"`

	// Filled by Validate.
	nodeIP      netip.Prefix
	gateway     netip.Addr
	mac         net.HardwareAddr
	statics     map[netip.Addr]net.HardwareAddr
	devices     []dpdk.Device     // appliance, then each endpoint's port(s)
	deviceKeys  []string          // the config key of each device
	endpointIDs []uint64          // the number of each Endpoints[i].ID
	epPort      []int             // the first port of each endpoint
	routed      []*routedEndpoint // by endpoint; nil for bump endpoints
	metricsAddr string
	workers     int // eal.workers, or the worker lcores of eal.args (validateWorkers)
}

// NodeID is node.id (validation fills in the host name when it is not
// set), else the host name.
func (c *Config) NodeID() string {
	if c.Node.ID != "" {
		return c.Node.ID
	}
	h, _ := os.Hostname()
	return h
}

// EALConfig holds DPDK's Environment Abstraction Layer arguments.
type EALConfig struct {
	// Args are passed to rte_eal_init after the program name, e.g.
	// ["-l", "0-1", "--in-memory", "--no-pci"]. Ports are not given here:
	// serve adds one --vdev/-a per configured port.
	Args []string `mapstructure:"args"`
	// Workers is the number of forwarding lcores, each running one engine
	// worker with its own flow table: 0 (one per worker lcore of Args) to
	// MaxWorkers. With several, each packet is processed by the worker
	// that owns its flow (see validateWorkers).
	Workers int `mapstructure:"workers"`
	// MbufCount sizes the packet buffer pool (0: the DPDK layer's default).
	MbufCount int `mapstructure:"mbuf-count"`
	// MbufDataRoom is each packet buffer's size, headroom included (0: what
	// the largest port MTU needs, at least DPDK's 2176-byte default).
	// Smaller buffers let a replayed capture of many small frames fit the
	// hugepages (make bench's 1M-flow mixes); every port's MTU must still
	// fit one buffer.
	MbufDataRoom int `mapstructure:"mbuf-data-room"`
}

// ApplianceConfig is the node's port on the appliance network.
type ApplianceConfig struct {
	// Device is the DPDK device: a virtual device with its arguments
	// ("net_af_packet0,iface=veth1") or a PCI address with devargs
	// ("0000:00:06.0,large_llq_hdr=1" for ENA).
	Device string `mapstructure:"device"`
	// Address is the node's IPv4 address and prefix on the appliance
	// network ("10.0.0.10/24"); Geneve leaves from it and returns to it.
	Address string `mapstructure:"address"`
	// Gateway is optional: targets outside Address's prefix are reached
	// through it.
	Gateway string `mapstructure:"gateway"`
	// MAC is the port's MAC address, shared by the exception TAP. Empty:
	// the device's own address.
	MAC string `mapstructure:"mac"`
	// MTU of the appliance port (0 keeps the device's). Geneve adds 68
	// bytes to each inner packet: 9001 on EC2 carries GWLB's 8500. The
	// node reads the port's MTU once it is configured and drops (counted
	// as too_big) every inner packet it cannot carry.
	MTU int `mapstructure:"mtu"`
	// TAP names the kernel interface of the exception path (ARP, ICMP and
	// anything else addressed to the node). Empty disables the exception
	// path; then targets' MACs must be listed in Neighbors.
	TAP string `mapstructure:"tap"`
	// Neighbors are static next-hop entries for targets or the gateway.
	// Not needed when the TAP is enabled (the kernel resolves them); used by
	// benchmarks that have no appliance network.
	Neighbors []Neighbor `mapstructure:"neighbors"`
}

// Neighbor is one static IPv4 -> MAC entry.
type Neighbor struct {
	IP  string `mapstructure:"ip"`
	MAC string `mapstructure:"mac"`
}

// EndpointPorts attaches one gateway load balancer endpoint of the state
// file to this node's ports.
type EndpointPorts struct {
	// ID is the endpoint id, vpce-<17 hex>.
	ID string `mapstructure:"id"`
	// Mode is "bump" (two ports forming a transparent wire, the default)
	// or "routed" (one port with the endpoint's own address, the next hop
	// consumer route tables point at).
	Mode string `mapstructure:"mode"`
	// SideA and SideB are a bump endpoint's two DPDK devices.
	SideA string `mapstructure:"side-a"`
	SideB string `mapstructure:"side-b"`

	// Routed mode. Device is the endpoint's one DPDK device.
	Device string `mapstructure:"device"`
	// Address is the endpoint's IPv4 address and its subnet's prefix
	// (required; inside the endpoint's subnet of the state file);
	// Address6 the optional IPv6 one. The prefixes are on-link.
	Address  string `mapstructure:"address"`
	Address6 string `mapstructure:"address6"`
	// Gateway and Gateway6 are the subnet's routers: the default routes
	// inspected traffic leaves through unless on-link or in Routes.
	Gateway  string `mapstructure:"gateway"`
	Gateway6 string `mapstructure:"gateway6"`
	// Routes are more specific routes through other routers on the
	// subnet (via empty: on-link).
	Routes []RouteConfig `mapstructure:"routes"`
	// MAC of the port and its TAP (empty: the device's own); MTU of the
	// endpoint's link (0 keeps the device's).
	MAC string `mapstructure:"mac"`
	MTU int    `mapstructure:"mtu"`
	// TAP names the kernel interface of the endpoint's exception path
	// (required): Linux answers ARP, neighbour discovery and ping for
	// Address there and resolves the next hops' MACs through it.
	TAP string `mapstructure:"tap"`
}

// FlowConfig sizes the flow table.
type FlowConfig struct {
	// Capacity is the number of flows each worker's table holds
	// (MinFlowCapacity to flow.MaxCapacity); a new flow beyond it is
	// dropped and counted, never an established one evicted.
	Capacity int `mapstructure:"capacity"`
}

// StatsConfig controls the periodic stats line and file.
type StatsConfig struct {
	// Interval between stats log lines (0 disables the line).
	Interval time.Duration `mapstructure:"interval"`
	// File, when set, receives the stats document (GET /stats) every
	// second and at exit, written atomically with mode StatsFileMode.
	File string `mapstructure:"file"`
}

// APIConfig is the node's local API (control/api) on a unix socket.
type APIConfig struct {
	// Socket is the unix socket path (api.DefaultSocket in the shipped
	// config). Empty disables the API.
	Socket string `mapstructure:"socket"`
	// Group owns the socket (mode 0660) and the stats file (0640): its
	// members read the API and the stats without root. Empty: the serving
	// user's primary group.
	Group string `mapstructure:"group"`
}

// MetricsConfig is the optional Prometheus listener (the socket's
// /metrics is always served).
type MetricsConfig struct {
	// Listen is a TCP address for /metrics alone: "" off (the default), a
	// port ("9469") loopback only, HOST:PORT as given.
	Listen string `mapstructure:"listen"`
}

// Defaults and limits.
const (
	DefaultFlowCapacity  = engine.DefaultFlowCapacity
	MinFlowCapacity      = 1024
	DefaultStatsInterval = 10 * time.Second
	DefaultTAP           = "gwlb0"
	ModeBump             = "bump"
	ModeRouted           = "routed"
	// MaxWorkers is the number of forwarding workers the node runs at
	// most (a flow cookie names its worker in 4 bits).
	MaxWorkers       = flow.MaxWorkers
	maxInterfaceName = 15 // IFNAMSIZ - 1
)

// DefaultEALArgs are the DPDK layer's defaults, used when none are
// configured: main lcore on CPU 0 for Go, one forwarding lcore on CPU 1, no
// PCI scan (virtual devices only; list PCI devices to use real NICs), and
// in-memory mode so nothing is left in /var/run/dpdk.
var DefaultEALArgs = dpdk.DefaultEALArgs

var ifNamePattern = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)

// Validate checks every field, fills derived values and returns all
// problems at once, each naming the key at fault and what to do. It reads
// nothing but the process's CPUs (for eal.args); CheckHost checks what the
// devices need of the host.
func (c *Config) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if strings.TrimSpace(c.LoadBalancer) == "" {
		add("load-balancer: required; set it to the gateway load balancer's ARN or name (flag --load-balancer, env GWLBCTL_LOAD_BALANCER)")
	}
	if strings.TrimSpace(c.AvailabilityZone) == "" {
		add("availability-zone: required; set the zone this node serves, e.g. us-east-1a (flag --availability-zone)")
	}
	if strings.TrimSpace(c.State) == "" {
		add("state: required; set the state file written by gwlbctl elbv2/ec2 (flag --state, env GWLBCTL_STATE)")
	}
	c.validateWorkers(add)
	c.validateNode(add)
	if c.EAL.MbufCount < 0 {
		add("eal.mbuf-count: %d is negative (0 sizes the pool from the ports' rings)", c.EAL.MbufCount)
	}
	if c.EAL.MbufDataRoom < 0 {
		add("eal.mbuf-data-room: %d is negative (0 sizes the buffers from the ports' MTUs)", c.EAL.MbufDataRoom)
	}

	a := &c.Appliance
	c.nodeIP = netip.Prefix{}
	if a.Address == "" {
		add("appliance.address: required; the node's IPv4 address/prefix on the appliance network, e.g. 10.0.0.10/24")
	} else if p, err := netip.ParsePrefix(a.Address); err != nil || !p.Addr().Is4() {
		add("appliance.address: %q is not an IPv4 address/prefix such as 10.0.0.10/24", a.Address)
	} else {
		c.nodeIP = p
	}
	c.gateway = netip.Addr{}
	if a.Gateway != "" {
		g, err := netip.ParseAddr(a.Gateway)
		switch {
		case err != nil || !g.Is4():
			add("appliance.gateway: %q is not an IPv4 address", a.Gateway)
		case c.nodeIP.IsValid() && !c.nodeIP.Contains(g):
			add("appliance.gateway: %v is outside appliance.address %v; the gateway must be on the node's subnet", g, c.nodeIP)
		default:
			c.gateway = g
		}
	}
	c.mac = nil
	if a.MAC != "" {
		m, err := net.ParseMAC(a.MAC)
		switch {
		case err != nil || len(m) != 6:
			add("appliance.mac: %q is not a MAC address such as 02:00:00:00:00:01", a.MAC)
		case m[0]&1 != 0 || isZero(m):
			add("appliance.mac: %v is not a unicast address", m)
		default:
			c.mac = m
		}
	}
	if a.MTU != 0 && (a.MTU < engine.MinApplianceMTU || a.MTU > 9216) {
		add("appliance.mtu: %d is out of range %d-9216 (0 keeps the device's; Geneve needs 68 bytes more than the 576 every host must accept)", a.MTU, engine.MinApplianceMTU)
	}
	if a.TAP != "" && (len(a.TAP) > maxInterfaceName || !ifNamePattern.MatchString(a.TAP)) {
		add("appliance.tap: %q is not a valid interface name (1-15 letters, digits, '-', '_', '.')", a.TAP)
	}
	c.statics = map[netip.Addr]net.HardwareAddr{}
	for i, n := range a.Neighbors {
		addr, err := netip.ParseAddr(n.IP)
		if err != nil || !addr.Is4() {
			add("appliance.neighbors[%d].ip: %q is not an IPv4 address", i, n.IP)
			continue
		}
		m, err := net.ParseMAC(n.MAC)
		if err != nil || len(m) != 6 || m[0]&1 != 0 || isZero(m) {
			add("appliance.neighbors[%d].mac: %q is not a unicast MAC address", i, n.MAC)
			continue
		}
		c.statics[addr] = m
	}

	// Devices, in port order: each parsed, then all checked for distinct
	// identities (one kernel interface under two names passes nothing).
	c.devices = nil
	var keys []string
	device := func(key, spec string) {
		if strings.TrimSpace(spec) == "" {
			add("%s: required; a DPDK device such as net_af_packet0,iface=eth1 or a PCI address", key)
			return
		}
		d, err := dpdk.ParseDevice(spec)
		if err != nil {
			add("%s: %v", key, err)
			return
		}
		c.devices = append(c.devices, d)
		keys = append(keys, key)
	}
	device("appliance.device", a.Device)

	if len(c.Endpoints) == 0 {
		add("endpoints: none configured; list at least one gateway load balancer endpoint with its ports (id, mode: bump, side-a, side-b; or mode: routed, device, address, tap)")
	}
	seen := map[string]int{}
	c.endpointIDs = make([]uint64, len(c.Endpoints))
	c.epPort = make([]int, len(c.Endpoints))
	c.routed = make([]*routedEndpoint, len(c.Endpoints))
	nextPort := AppliancePortIndex + 1
	for i := range c.Endpoints {
		e := &c.Endpoints[i]
		key := fmt.Sprintf("endpoints[%d]", i)
		if id, err := control.ParseEndpointID(e.ID); err != nil {
			add("%s.id: %v", key, err)
		} else if j, dup := seen[e.ID]; dup {
			add("%s.id: %s is already attached by endpoints[%d]", key, e.ID, j)
		} else {
			seen[e.ID] = i
			c.endpointIDs[i] = id
		}
		if e.Mode == "" {
			e.Mode = ModeBump
		}
		c.epPort[i] = nextPort
		switch e.Mode {
		case ModeBump:
			device(key+".side-a", e.SideA)
			device(key+".side-b", e.SideB)
			nextPort += 2
		case ModeRouted:
			device(key+".device", e.Device)
			c.validateRouted(i, key, e, add)
			c.routed[i].port = nextPort
			nextPort++
		default:
			add("%s.mode: %q is unknown; use bump or routed", key, e.Mode)
		}
	}
	c.deviceKeys = keys
	c.validateRoutedTogether(keys, add)
	if len(keys) == len(c.devices) {
		c.validateQueues(add, keys)
	}
	if len(keys) == len(c.devices) {
		var dup *dpdk.DuplicateDeviceError
		if err := dpdk.CheckDistinct(c.devices); errors.As(err, &dup) {
			add("%s: %v (also %s)", keys[dup.Second], err, keys[dup.First])
		} else if err != nil {
			add("devices: %v", err)
		}
	}
	if a.TAP != "" {
		tk := dpdk.InterfaceKey(a.TAP)
		for i, d := range c.devices {
			for _, k := range d.Keys() {
				if k == tk {
					add("appliance.tap: %s is also the interface of %s (%s); the exception TAP needs its own interface name", a.TAP, keys[i], d.Spec)
				}
			}
		}
	}

	if c.Flows.Capacity == 0 {
		c.Flows.Capacity = DefaultFlowCapacity
	}
	if limit := flow.MaxCapacityFor(c.Workers()); c.Flows.Capacity < MinFlowCapacity || c.Flows.Capacity > limit {
		add("flows.capacity: %d is out of range %d-%d (the flow table's limit, flows per worker%s)", c.Flows.Capacity, MinFlowCapacity, limit, workersNote(c.Workers()))
	}
	if c.Stats.Interval < 0 {
		add("stats.interval: %v is negative (0 disables the stats line)", c.Stats.Interval)
	}
	c.metricsAddr = ""
	if addr, err := api.ResolveMetricsAddr(c.Metrics.Listen); err != nil {
		add("%v", err)
	} else {
		c.metricsAddr = addr
	}
	if len(errs) > 0 {
		return fmt.Errorf("node config: %w", errors.Join(errs...))
	}
	return nil
}

// CheckHost checks what the devices need of this host (the kernel
// interfaces they read exist, net_pcap's files are readable), each
// problem naming the key.
func (c *Config) CheckHost() error {
	var errs []error
	for i, d := range c.devices {
		if err := d.Check(); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", c.deviceKey(i), err))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("node config: %w", errors.Join(errs...))
	}
	return nil
}

// deviceKey names the config key of device i (port i).
func (c *Config) deviceKey(i int) string {
	if i >= 0 && i < len(c.deviceKeys) {
		return c.deviceKeys[i]
	}
	return fmt.Sprintf("port %d", i)
}

// NodeIP is the validated appliance.address.
func (c *Config) NodeIP() netip.Prefix { return c.nodeIP }

// Gateway is the validated appliance.gateway (invalid when unset).
func (c *Config) Gateway() netip.Addr { return c.gateway }

// MAC is the validated appliance.mac (nil when unset).
func (c *Config) MAC() net.HardwareAddr { return c.mac }

// StaticNeighbors are the validated appliance.neighbors.
func (c *Config) StaticNeighbors() map[netip.Addr]net.HardwareAddr { return c.statics }

// Devices are the validated DPDK devices in port order: the appliance
// port, then each endpoint's side A and side B (bump) or its one port
// (routed).
func (c *Config) Devices() []dpdk.Device { return c.devices }

// MetricsAddr is the resolved metrics.listen ("" when off).
func (c *Config) MetricsAddr() string { return c.metricsAddr }

func isZero(b []byte) bool {
	for _, x := range b {
		if x != 0 {
			return false
		}
	}
	return true
}
