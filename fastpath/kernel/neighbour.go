package kernel

import (
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// Neighbour is one usable entry of the kernel's neighbour table.
type Neighbour struct {
	IP    netip.Addr // IPv4 or IPv6 (without zone)
	MAC   net.HardwareAddr
	State string // reachable, stale, delay, probe, permanent, noarp
}

const usableNUD = netlink.NUD_REACHABLE | netlink.NUD_STALE | netlink.NUD_DELAY | netlink.NUD_PROBE | netlink.NUD_PERMANENT | netlink.NUD_NOARP

// Neighbours returns the IPv4 and IPv6 neighbours the kernel resolved on
// iface (an exception TAP): targets' and gateways' MACs. Incomplete and
// failed entries and multicast addresses are left out.
func Neighbours(iface string) ([]Neighbour, error) {
	link, err := linkByName(iface)
	if err != nil {
		return nil, err
	}
	var list []netlink.Neigh
	for try := 0; ; try++ {
		list, err = netlink.NeighList(link.Attrs().Index, netlink.FAMILY_ALL)
		// A dump interrupted by a concurrent change is retried: the
		// table is small and changes rarely.
		if !errors.Is(err, netlink.ErrDumpInterrupted) || try == 3 {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("kernel: neighbours of %s: %w", iface, err)
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
		ip = ip.Unmap()
		if ip.IsMulticast() || ip.IsUnspecified() {
			continue
		}
		out = append(out, Neighbour{IP: ip, MAC: n.HardwareAddr, State: nudName(n.State)})
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

// ResolveNeighbour makes the kernel resolve ip's MAC on iface (an
// exception TAP) by sending one UDP datagram to its discard port (9) out
// of that interface: the kernel sends an ARP request (IPv4) or a
// neighbour solicitation (IPv6), the reply comes back through the
// forwarder's exception path, and Neighbours then lists it. The datagram
// itself is harmless (discard service or an ICMP port unreachable).
// Returns without waiting for the answer.
func ResolveNeighbour(iface string, ip netip.Addr) error {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsMulticast() || ip.IsUnspecified() {
		return fmt.Errorf("kernel: resolving %v on %s: not a unicast address", ip, iface)
	}
	family := unix.AF_INET
	var sa unix.Sockaddr
	if ip.Is4() {
		sa = &unix.SockaddrInet4{Port: 9, Addr: ip.As4()}
	} else {
		link, err := linkByName(iface)
		if err != nil {
			return err
		}
		family = unix.AF_INET6
		s6 := &unix.SockaddrInet6{Port: 9, Addr: ip.As16()}
		if ip.IsLinkLocalUnicast() {
			s6.ZoneId = uint32(link.Attrs().Index)
		}
		sa = s6
	}
	fd, err := unix.Socket(family, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		return fmt.Errorf("kernel: resolving %s: %w", ip, err)
	}
	defer unix.Close(fd)
	if err := unix.BindToDevice(fd, iface); err != nil {
		return fmt.Errorf("kernel: resolving %s: binding to %s: %w", ip, iface, err)
	}
	if err := unix.Sendto(fd, []byte("gwlbctl neighbour probe"), 0, sa); err != nil && !errors.Is(err, unix.EAGAIN) {
		return fmt.Errorf("kernel: resolving %s via %s: %w", ip, iface, err)
	}
	return nil
}
