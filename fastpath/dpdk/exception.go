package dpdk

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"syscall"

	"github.com/vishvananda/netlink"
)

// configureTAP gives the exception TAP the appliance port's MAC, the node's
// address and MTU and brings it up. IPv6 is turned off on it: the appliance
// network speaks IPv4 (Geneve over IPv4, as AWS's GWLB), and the kernel's
// IPv6 router and neighbour solicitations would otherwise leave on the
// appliance port.
func configureTAP(name string, mac net.HardwareAddr, addr netip.Prefix, mtu int) error {
	link, err := netlink.LinkByName(name)
	if err != nil {
		return fmt.Errorf("dpdk: exception TAP %s: %w", name, err)
	}
	if err := writeSysctl(filepath.Join("/proc/sys/net/ipv6/conf", name, "disable_ipv6"), "1"); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("dpdk: exception TAP %s: disabling IPv6: %w", name, err)
	}
	if mac != nil && link.Attrs().HardwareAddr.String() != mac.String() {
		if err := netlink.LinkSetHardwareAddr(link, mac); err != nil {
			return fmt.Errorf("dpdk: exception TAP %s: MAC %s: %w", name, mac, err)
		}
	}
	if mtu > 0 && link.Attrs().MTU != mtu {
		if err := netlink.LinkSetMTU(link, mtu); err != nil {
			return fmt.Errorf("dpdk: exception TAP %s: MTU %d: %w", name, mtu, err)
		}
	}
	if addr.IsValid() {
		if !addr.Addr().Is4() {
			return fmt.Errorf("dpdk: exception TAP %s: node address %s must be IPv4", name, addr)
		}
		a := &netlink.Addr{IPNet: &net.IPNet{IP: addr.Addr().AsSlice(), Mask: net.CIDRMask(addr.Bits(), 32)}}
		if err := netlink.AddrReplace(link, a); err != nil {
			return fmt.Errorf("dpdk: exception TAP %s: address %s: %w", name, addr, err)
		}
	}
	if err := netlink.LinkSetUp(link); err != nil {
		return fmt.Errorf("dpdk: exception TAP %s: up: %w", name, err)
	}
	return nil
}

func writeSysctl(path, value string) error {
	return os.WriteFile(path, []byte(value), 0o644)
}

// Neighbour is one usable entry of the kernel's neighbour table.
type Neighbour struct {
	IP    netip.Addr
	MAC   net.HardwareAddr
	State string // reachable, stale, delay, probe, permanent, noarp
}

const usableNUD = netlink.NUD_REACHABLE | netlink.NUD_STALE | netlink.NUD_DELAY | netlink.NUD_PROBE | netlink.NUD_PERMANENT | netlink.NUD_NOARP

// Neighbours returns the IPv4 neighbours the kernel resolved on iface (the
// exception TAP): targets' and the gateway's MACs. Incomplete and failed
// entries are left out.
func Neighbours(iface string) ([]Neighbour, error) {
	link, err := netlink.LinkByName(iface)
	if err != nil {
		return nil, fmt.Errorf("dpdk: neighbours of %s: %w", iface, err)
	}
	list, err := netlink.NeighList(link.Attrs().Index, netlink.FAMILY_V4)
	if err != nil {
		return nil, fmt.Errorf("dpdk: neighbours of %s: %w", iface, err)
	}
	var out []Neighbour
	for _, n := range list {
		if n.State&usableNUD == 0 || len(n.HardwareAddr) != 6 {
			continue
		}
		ip, ok := netip.AddrFromSlice(n.IP)
		if !ok {
			continue
		}
		out = append(out, Neighbour{IP: ip.Unmap(), MAC: n.HardwareAddr, State: nudName(n.State)})
	}
	return out, nil
}

func nudName(s int) string {
	switch {
	case s&netlink.NUD_PERMANENT != 0:
		return "permanent"
	case s&netlink.NUD_NOARP != 0:
		return "noarp"
	case s&netlink.NUD_REACHABLE != 0:
		return "reachable"
	case s&netlink.NUD_STALE != 0:
		return "stale"
	case s&netlink.NUD_DELAY != 0:
		return "delay"
	case s&netlink.NUD_PROBE != 0:
		return "probe"
	}
	return "other"
}

// ResolveNeighbour makes the kernel resolve ip's MAC on iface (the
// exception TAP) by sending one UDP datagram to its discard port (9) out
// of that interface: the kernel ARPs for it, the reply comes back through
// the forwarder's exception path, and Neighbours then lists it. The
// datagram itself is harmless (discard service or an ICMP port
// unreachable). Returns without waiting for the answer.
func ResolveNeighbour(iface string, ip netip.Addr) error {
	if !ip.Is4() {
		return fmt.Errorf("dpdk: resolving %s: only IPv4 neighbours are resolved on the appliance network", ip)
	}
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_DGRAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("dpdk: resolving %s: %w", ip, err)
	}
	defer syscall.Close(fd)
	if err := syscall.BindToDevice(fd, iface); err != nil {
		return fmt.Errorf("dpdk: resolving %s: binding to %s: %w", ip, iface, err)
	}
	if err := syscall.Sendto(fd, []byte("gwlbctl neighbour probe"), 0, &syscall.SockaddrInet4{Port: 9, Addr: ip.As4()}); err != nil &&
		!errors.Is(err, syscall.EAGAIN) {
		return fmt.Errorf("dpdk: resolving %s via %s: %w", ip, iface, err)
	}
	return nil
}
