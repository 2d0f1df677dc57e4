package kernel

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// TAPConfig is what ConfigureTAP sets on an exception TAP. Zero fields
// are left as the interface has them.
type TAPConfig struct {
	// MAC of the interface (the DPDK port's own, so the kernel's replies
	// carry the address the port receives on).
	MAC net.HardwareAddr
	// MTU of the interface.
	MTU int
	// Addresses are the node's addresses on the port's network, IPv4
	// and IPv6, each with its prefix (10.0.0.10/24, 2001:db8::10/64). An
	// address already there is replaced; others are left alone.
	Addresses []netip.Prefix
}

// ConfigureTAP configures an exception TAP and brings it up. IPv6 is
// turned off on it unless Addresses hold an IPv6 address: the appliance
// network speaks IPv4 (Geneve over IPv4, as AWS's GWLB), and the kernel's
// own IPv6 router and neighbour solicitations would otherwise leave on the
// port. With an IPv6 address, IPv6 is on, router advertisements are
// ignored and no address is made from them (the node's addresses are
// configured, never learned), and the configured addresses skip duplicate
// address detection so they answer at once.
//
// Call it between dpdk.NewForwarder and Forwarder.Start (see the package
// documentation): the sysctls and addresses are set while the interface
// is still down, so the kernel never announces a half-configured one.
func ConfigureTAP(name string, cfg TAPConfig) error {
	link, err := linkByName(name)
	if err != nil {
		return err
	}
	v6 := false
	for _, a := range cfg.Addresses {
		if !a.IsValid() {
			return fmt.Errorf("kernel: %s: invalid address prefix %v", name, a)
		}
		v6 = v6 || a.Addr().Is6() && !a.Addr().Is4In6()
	}
	sysctls := []struct{ key, value string }{{"disable_ipv6", "1"}}
	if v6 {
		sysctls = []struct{ key, value string }{{"disable_ipv6", "0"}, {"accept_ra", "0"}, {"autoconf", "0"}}
	}
	for _, s := range sysctls {
		err := SetSysctl(filepath.Join("net/ipv6/conf", name, s.key), s.value)
		if err != nil && !(errors.Is(err, os.ErrNotExist) && !v6) { // a kernel without IPv6
			return fmt.Errorf("kernel: %s: %w", name, err)
		}
	}
	if cfg.MAC != nil && link.Attrs().HardwareAddr.String() != cfg.MAC.String() {
		if err := netlink.LinkSetHardwareAddr(link, cfg.MAC); err != nil {
			return fmt.Errorf("kernel: %s: setting MAC %s: %w", name, cfg.MAC, err)
		}
	}
	if cfg.MTU > 0 && link.Attrs().MTU != cfg.MTU {
		if err := netlink.LinkSetMTU(link, cfg.MTU); err != nil {
			return fmt.Errorf("kernel: %s: setting MTU %d: %w", name, cfg.MTU, err)
		}
	}
	for _, p := range cfg.Addresses {
		p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits())
		bits := 32
		a := &netlink.Addr{}
		if p.Addr().Is6() {
			bits = 128
			a.Flags = unix.IFA_F_NODAD
		}
		if p.Bits() > bits || p.Bits() < 0 {
			return fmt.Errorf("kernel: %s: address %s: prefix length out of range", name, p)
		}
		a.IPNet = &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), bits)}
		if err := netlink.AddrReplace(link, a); err != nil {
			return fmt.Errorf("kernel: %s: address %s: %w", name, p, err)
		}
	}
	if err := netlink.LinkSetUp(link); err != nil {
		return fmt.Errorf("kernel: %s: bringing it up: %w", name, err)
	}
	return nil
}

// SetMTU sets the MTU of an interface, leaving everything else (its state
// included) as it is: the DPDK layer sets an exception TAP's MTU this way,
// since net_tap (DPDK 22.11) refuses MTUs above 1500 through the PMD while
// the kernel interface carries jumbo frames.
func SetMTU(name string, mtu int) error {
	link, err := linkByName(name)
	if err != nil {
		return err
	}
	if link.Attrs().MTU == mtu {
		return nil
	}
	if err := netlink.LinkSetMTU(link, mtu); err != nil {
		return fmt.Errorf("kernel: %s: setting MTU %d: %w", name, mtu, err)
	}
	return nil
}

// QuietKernelSide stops the kernel from answering for the node on an
// interface that a DPDK port reads with net_af_packet: the kernel still
// sees every frame there, and without this it would answer ARP for the
// TAP's address (arp_ignore=8: never), accept IPv4 for it (rp_filter=1:
// the source is reached through the TAP, so strict reverse-path filtering
// drops it) and emit IPv6 neighbour discovery (disable_ipv6=1). The node's
// replies must come from the exception TAP, through the forwarder.
func QuietKernelSide(iface string) error {
	if _, err := linkByName(iface); err != nil {
		return err
	}
	for _, s := range []struct{ key, value string }{
		{filepath.Join("net/ipv4/conf", iface, "arp_ignore"), "8"},
		{filepath.Join("net/ipv4/conf", iface, "rp_filter"), "1"},
		{filepath.Join("net/ipv6/conf", iface, "disable_ipv6"), "1"},
	} {
		if err := SetSysctl(s.key, s.value); err != nil && !(errors.Is(err, os.ErrNotExist) && strings.HasPrefix(s.key, "net/ipv6/")) {
			return fmt.Errorf("kernel: quieting the kernel on %s: %w", iface, err)
		}
	}
	return nil
}

// SetSysctl writes value to the sysctl key, given as its path under
// /proc/sys ("net/ipv4/conf/eth1/arp_ignore": slashes, since interface
// names may contain dots).
func SetSysctl(key, value string) error {
	clean := filepath.Clean(key)
	if key == "" || filepath.IsAbs(key) || clean != key || strings.HasPrefix(clean, "..") {
		return fmt.Errorf("kernel: sysctl %q: want a relative path under /proc/sys such as net/ipv4/conf/eth1/arp_ignore", key)
	}
	if err := os.WriteFile(filepath.Join("/proc/sys", clean), []byte(value), 0o644); err != nil {
		return fmt.Errorf("sysctl %s=%s: %w", strings.ReplaceAll(key, "/", "."), value, err)
	}
	return nil
}

// linkByName finds an interface, naming it in the error when it is missing.
func linkByName(name string) (netlink.Link, error) {
	link, err := netlink.LinkByName(name)
	if err != nil {
		var nf netlink.LinkNotFoundError
		if errors.As(err, &nf) {
			return nil, fmt.Errorf("kernel: interface %s does not exist (ip link show lists them)", name)
		}
		return nil, fmt.Errorf("kernel: interface %s: %w", name, err)
	}
	return link, nil
}
