package dpdk

import (
	"errors"
	"fmt"
	"net"
	"os"
	"regexp"
	"slices"
	"strings"
)

// Device is a parsed DPDK device string: a virtual device with its
// arguments ("net_af_packet0,iface=eth1") or a PCI address with devargs
// ("0000:00:06.0,large_llq_hdr=1"), optionally behind a bus prefix
// ("vdev:", "pci:").
type Device struct {
	// Spec is the string as given.
	Spec string
	// Name is what EAL names the device: the vdev name ("net_af_packet0")
	// or the PCI address in full form ("0000:00:06.0"). Unique per process.
	Name string
	// Driver is the vdev's driver ("net_af_packet"; an alias such as
	// eth_null is given its driver's name), "" for a PCI device (its
	// driver is whichever the device is bound to).
	Driver string
	// PCI is the PCI address in full form, for a PCI device.
	PCI string
	// Ifaces are the kernel interfaces the device reads or creates
	// (iface=, and net_pcap's rx_iface=, rx_iface_in=, tx_iface=), in
	// order, without repeats.
	Ifaces []string
	// Args are the device arguments in order.
	Args []DeviceArg
}

// DeviceArg is one key=value device argument.
type DeviceArg struct{ Key, Value string }

// vdevDrivers are the virtual network device drivers of DPDK 22.11
// (drivers/net, RTE_PMD_REGISTER_VDEV), with their aliases; a vdev's name
// starts with its driver's name. ifaceArgs are the arguments that name a
// kernel interface; needIface those the driver cannot do without, which
// must exist (the driver reads them); a driver that creates its interface
// (net_tap, net_tun) is not checked for it.
var vdevDrivers = []struct {
	name, alias string
	ifaceArgs   []string
	needIface   bool // an interface argument is required and must exist
	readsIface  bool // the interfaces it names must exist
}{
	{name: "net_af_packet", alias: "eth_af_packet", ifaceArgs: []string{"iface"}, needIface: true, readsIface: true},
	{name: "net_af_xdp", ifaceArgs: []string{"iface"}, needIface: true, readsIface: true},
	{name: "net_bonding", alias: "eth_bond"},
	{name: "net_enetfec"},
	{name: "net_failsafe"},
	{name: "net_memif"},
	{name: "net_null", alias: "eth_null"},
	{name: "net_pcap", alias: "eth_pcap", ifaceArgs: []string{"iface", "rx_iface", "rx_iface_in", "tx_iface"}, readsIface: true},
	{name: "net_ring", alias: "eth_ring"},
	{name: "net_softnic"},
	{name: "net_tap", ifaceArgs: []string{"iface"}},
	{name: "net_tun", ifaceArgs: []string{"iface"}},
	{name: "net_vdev_netvsc", ifaceArgs: []string{"iface"}, readsIface: true},
	{name: "net_vhost"},
	{name: "net_virtio_user"},
}

// VirtualDrivers returns the names of the virtual network device drivers
// ParseDevice knows (DPDK 22.11's).
func VirtualDrivers() []string {
	out := make([]string, len(vdevDrivers))
	for i, d := range vdevDrivers {
		out[i] = d.name
	}
	return out
}

var pciAddr = regexp.MustCompile(`^(?:([0-9a-fA-F]{1,8}):)?([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2})\.([0-7])$`)

// ParseDevice parses a device string and checks its driver is one DPDK
// 22.11 has. It reads nothing of the host (see Device.Check).
func ParseDevice(spec string) (Device, error) {
	d, err := parseDevice(spec)
	if err != nil {
		return Device{}, err
	}
	return d, nil
}

func parseDevice(spec string) (Device, error) {
	d := Device{Spec: spec}
	if strings.TrimSpace(spec) == "" {
		return d, errors.New("empty DPDK device; give a virtual device such as net_af_packet0,iface=eth1 or a PCI address such as 0000:00:06.0")
	}
	parts, err := splitDevargs(spec)
	if err != nil {
		return d, err
	}
	name := parts[0]
	bus := ""
	if b, rest, ok := strings.Cut(name, ":"); ok && (b == "vdev" || b == "pci") {
		bus, name = b, rest
	}
	for _, kv := range parts[1:] {
		k, v, _ := strings.Cut(kv, "=")
		if k == "" {
			return d, fmt.Errorf("DPDK device %q: argument %q has no key", spec, kv)
		}
		d.Args = append(d.Args, DeviceArg{Key: k, Value: v})
	}
	if m := pciAddr.FindStringSubmatch(name); m != nil && bus != "vdev" {
		dom := m[1]
		if dom == "" {
			dom = "0"
		}
		var domain, b, dev, fn uint64
		fmt.Sscanf(dom+" "+m[2]+" "+m[3]+" "+m[4], "%x %x %x %x", &domain, &b, &dev, &fn)
		if dev > 0x1f {
			return d, fmt.Errorf("DPDK device %q: PCI device number %#x is above 0x1f", spec, dev)
		}
		d.PCI = fmt.Sprintf("%04x:%02x:%02x.%d", domain, b, dev, fn)
		d.Name = d.PCI
		return d, nil
	}
	if bus == "pci" {
		return d, fmt.Errorf("DPDK device %q: %q is not a PCI address (0000:00:06.0)", spec, name)
	}
	drv, best := -1, 0
	for i, v := range vdevDrivers {
		for _, n := range []string{v.name, v.alias} {
			if n != "" && len(n) > best && strings.HasPrefix(name, n) {
				drv, best = i, len(n)
			}
		}
	}
	if drv < 0 {
		return d, fmt.Errorf("unknown DPDK driver in %q: a virtual device's name starts with its driver's (%s), a PCI device is its address (0000:00:06.0)",
			spec, strings.Join(VirtualDrivers(), ", "))
	}
	v := vdevDrivers[drv]
	d.Name, d.Driver = name, v.name
	for _, a := range d.Args {
		if slices.Contains(v.ifaceArgs, a.Key) {
			if a.Value == "" || len(a.Value) > 15 || strings.ContainsAny(a.Value, "/ ") {
				return d, fmt.Errorf("DPDK device %q: %s=%q is not a kernel interface name (1-15 characters, no '/' or ' ')", spec, a.Key, a.Value)
			}
			if !slices.Contains(d.Ifaces, a.Value) {
				d.Ifaces = append(d.Ifaces, a.Value)
			}
		}
	}
	if v.needIface && len(d.Ifaces) == 0 {
		return d, fmt.Errorf("DPDK device %q: %s needs iface=<kernel interface>, e.g. %s0,iface=eth1", spec, v.name, v.name)
	}
	return d, nil
}

// splitDevargs splits a device string at the commas outside brackets and
// parentheses (net_failsafe's dev(...) holds a device string of its own).
func splitDevargs(s string) ([]string, error) {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(', '[':
			depth++
		case ')', ']':
			depth--
			if depth < 0 {
				return nil, fmt.Errorf("DPDK device %q: unbalanced %q at byte %d", s, s[i], i)
			}
		case ',':
			if depth == 0 {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	if depth != 0 {
		return nil, fmt.Errorf("DPDK device %q: unclosed bracket or parenthesis", s)
	}
	parts = append(parts, s[start:])
	if parts[0] == "" {
		return nil, fmt.Errorf("DPDK device %q: no device name before the arguments", s)
	}
	return parts, nil
}

// String rebuilds a device string from Name and Args (the canonical form
// of Spec: no bus prefix, a PCI address in full).
func (d Device) String() string {
	var b strings.Builder
	b.WriteString(d.Name)
	for _, a := range d.Args {
		b.WriteByte(',')
		b.WriteString(a.Key)
		if a.Value != "" {
			b.WriteByte('=')
			b.WriteString(a.Value)
		}
	}
	return b.String()
}

// Arg returns the value of the device argument key.
func (d Device) Arg(key string) (string, bool) {
	for _, a := range d.Args {
		if a.Key == key {
			return a.Value, true
		}
	}
	return "", false
}

// InterfaceKey is the identity key of a kernel interface, the one a
// device reading or creating it has among its Keys (an exception TAP's
// interface, for instance).
func InterfaceKey(name string) string { return "iface:" + name }

// Keys returns the device's identities: "iface:NAME" for each kernel
// interface it reads or creates, "pci:ADDR" for a PCI device, and
// otherwise "vdev:NAME". Two devices with a key in common cannot both
// work (one kernel interface read twice delivers every frame twice and
// the wire passes nothing; one vdev name is one device).
func (d Device) Keys() []string {
	var keys []string
	for _, i := range d.Ifaces {
		keys = append(keys, InterfaceKey(i))
	}
	switch {
	case d.PCI != "":
		keys = append(keys, "pci:"+d.PCI)
	case len(keys) == 0:
		keys = append(keys, "vdev:"+d.Name)
	}
	return keys
}

// HostKeys returns the Keys that name something of the host (kernel
// interfaces, a PCI device): what a node locks against other processes
// (fastpath/kernel.AcquireLock). A vdev that lives in its process only
// (net_null, net_ring, net_pcap on files, net_memif) has none: another
// process may use the same name.
func (d Device) HostKeys() []string {
	var keys []string
	for _, k := range d.Keys() {
		if !strings.HasPrefix(k, "vdev:") {
			keys = append(keys, k)
		}
	}
	return keys
}

// Check checks the host for what the device needs before EAL or the
// driver see it: the kernel interfaces a driver reads exist, and
// net_pcap's rx_pcap file is readable.
func (d Device) Check() error {
	for _, v := range vdevDrivers {
		if v.name != d.Driver || !v.readsIface {
			continue
		}
		for _, i := range d.Ifaces {
			if _, err := net.InterfaceByName(i); err != nil {
				return fmt.Errorf("DPDK device %q: kernel interface %s does not exist (ip link show lists them)", d.Spec, i)
			}
		}
	}
	if d.Driver == "net_pcap" {
		if f, ok := d.Arg("rx_pcap"); ok {
			fh, err := os.Open(f)
			if err != nil {
				return fmt.Errorf("DPDK device %q: rx_pcap: %w", d.Spec, err)
			}
			fh.Close()
		}
	}
	return nil
}

// DuplicateDeviceError says two devices of one node share an identity.
type DuplicateDeviceError struct {
	First, Second int // indices into the list given to CheckDistinct
	A, B          Device
	Key           string
}

func (e *DuplicateDeviceError) Error() string {
	kind, what, _ := strings.Cut(e.Key, ":")
	switch kind {
	case "iface":
		what = "kernel interface " + what
	case "pci":
		what = "PCI device " + what
	default:
		return fmt.Sprintf("DPDK devices %q and %q are both named %s; give each its own name", e.A.Spec, e.B.Spec, what)
	}
	return fmt.Sprintf("DPDK devices %q and %q both use %s; one interface can serve one port", e.A.Spec, e.B.Spec, what)
}

// CheckDistinct refuses two devices with a key in common (Keys) or the
// same name, with a *DuplicateDeviceError giving both indices.
func CheckDistinct(devs []Device) error {
	seen := map[string]int{}
	for i, d := range devs {
		keys := d.Keys()
		if !slices.Contains(keys, "vdev:"+d.Name) && d.PCI == "" {
			keys = append(keys, "vdev:"+d.Name) // names are unique too
		}
		for _, k := range keys {
			if j, ok := seen[k]; ok && j != i {
				return &DuplicateDeviceError{First: j, Second: i, A: devs[j], B: d, Key: k}
			}
			seen[k] = i
		}
	}
	return nil
}
