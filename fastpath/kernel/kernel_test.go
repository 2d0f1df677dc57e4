package kernel

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
)

// These tests create real interfaces (TAPs, veth pairs, a network
// namespace), uniquely named per run and deleted at the end.

func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root (creates interfaces and namespaces)")
	}
}

func uniq(prefix string) string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

func sh(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func sysctl(t *testing.T, key string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("/proc/sys", key))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func newTAP(t *testing.T) string {
	t.Helper()
	name := uniq("gwkt")
	sh(t, "ip", "tuntap", "add", "dev", name, "mode", "tap")
	t.Cleanup(func() { _ = exec.Command("ip", "link", "del", name).Run() })
	return name
}

// waitFor polls cond (a state the kernel reaches on its own) until it holds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestConfigureTAPIPv4(t *testing.T) {
	needRoot(t)
	tap := newTAP(t)
	mac, _ := net.ParseMAC("02:00:5e:10:00:01")
	addr := netip.MustParsePrefix("198.18.77.1/24")
	if err := ConfigureTAP(tap, TAPConfig{MAC: mac, MTU: 1400, Addresses: []netip.Prefix{addr}}); err != nil {
		t.Fatal(err)
	}
	l, err := netlink.LinkByName(tap)
	if err != nil {
		t.Fatal(err)
	}
	if l.Attrs().HardwareAddr.String() != mac.String() || l.Attrs().MTU != 1400 || l.Attrs().Flags&net.FlagUp == 0 {
		t.Fatalf("link %s: MAC %s MTU %d flags %v", tap, l.Attrs().HardwareAddr, l.Attrs().MTU, l.Attrs().Flags)
	}
	if out := sh(t, "ip", "-4", "-o", "addr", "show", "dev", tap); !strings.Contains(out, "inet 198.18.77.1/24") {
		t.Fatalf("addresses: %s", out)
	}
	if v := sysctl(t, "net/ipv6/conf/"+tap+"/disable_ipv6"); v != "1" {
		t.Fatalf("disable_ipv6 = %s on an IPv4-only TAP", v)
	}
	// Again, unchanged: idempotent.
	if err := ConfigureTAP(tap, TAPConfig{MAC: mac, MTU: 1400, Addresses: []netip.Prefix{addr}}); err != nil {
		t.Fatal(err)
	}
}

func TestConfigureTAPIPv6(t *testing.T) {
	needRoot(t)
	tap := newTAP(t)
	v4 := netip.MustParsePrefix("198.18.78.1/24")
	v6 := netip.MustParsePrefix("2001:db8:78::1/64")
	if err := ConfigureTAP(tap, TAPConfig{Addresses: []netip.Prefix{v4, v6}}); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{"disable_ipv6": "0", "accept_ra": "0", "autoconf": "0"} {
		if v := sysctl(t, "net/ipv6/conf/"+tap+"/"+key); v != want {
			t.Errorf("%s = %s, want %s", key, v, want)
		}
	}
	out := sh(t, "ip", "-6", "-o", "addr", "show", "dev", tap)
	if !strings.Contains(out, "inet6 2001:db8:78::1/64") || strings.Contains(out, "2001:db8:78::1/64 scope global tentative") {
		t.Fatalf("IPv6 address missing or tentative (DAD not skipped): %s", out)
	}
}

func TestConfigureErrorsNameTheInterface(t *testing.T) {
	needRoot(t)
	missing := uniq("gwnone")
	for name, err := range map[string]error{
		"ConfigureTAP":    ConfigureTAP(missing, TAPConfig{}),
		"QuietKernelSide": QuietKernelSide(missing),
		"DisableOffloads": DisableOffloads("", missing),
		"ResolveNeighbour": func() error {
			return ResolveNeighbour(missing, netip.MustParseAddr("2001:db8::1"))
		}(),
	} {
		want := "interface " + missing + " does not exist"
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v; want %q", name, err, want)
		}
	}
	_, err := Neighbours(missing)
	if err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("Neighbours: %v", err)
	}
	tap := newTAP(t)
	if err := ConfigureTAP(tap, TAPConfig{Addresses: []netip.Prefix{{}}}); err == nil {
		t.Error("invalid prefix accepted")
	}
	for _, bad := range []string{"", "/proc/sys/net/ipv4/ip_forward", "net/../../etc/passwd", "net//ipv4"} {
		if err := SetSysctl(bad, "1"); err == nil {
			t.Errorf("sysctl key %q accepted", bad)
		}
	}
}

// vethToNamespace makes a veth pair: host here, peer in a new namespace,
// both with an IPv4 and an IPv6 address of one subnet.
func vethToNamespace(t *testing.T, subnet byte) (host, peer, ns string) {
	t.Helper()
	ns = uniq("gwkns")
	sh(t, "ip", "netns", "add", ns)
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", ns).Run() })
	host, peer = uniq("gwkh"), uniq("gwkp")
	sh(t, "ip", "link", "add", host, "type", "veth", "peer", "name", peer)
	t.Cleanup(func() { _ = exec.Command("ip", "link", "del", host).Run() })
	sh(t, "ip", "link", "set", peer, "netns", ns)
	sh(t, "ip", "addr", "add", fmt.Sprintf("198.18.%d.1/24", subnet), "dev", host)
	sh(t, "ip", "addr", "add", fmt.Sprintf("2001:db8:%d::1/64", subnet), "dev", host, "nodad")
	sh(t, "ip", "link", "set", host, "up")
	sh(t, "ip", "-n", ns, "addr", "add", fmt.Sprintf("198.18.%d.2/24", subnet), "dev", peer)
	sh(t, "ip", "-n", ns, "addr", "add", fmt.Sprintf("2001:db8:%d::2/64", subnet), "dev", peer, "nodad")
	sh(t, "ip", "-n", ns, "link", "set", peer, "up")
	return host, peer, ns
}

// ResolveNeighbour makes the kernel ask (ARP, neighbour solicitation);
// the peer answers; Neighbours lists it with the peer's MAC.
func TestResolveAndListNeighbours(t *testing.T) {
	needRoot(t)
	host, peer, ns := vethToNamespace(t, 79)
	peerMAC := strings.Fields(sh(t, "ip", "-n", ns, "-br", "link", "show", peer))[2]
	for _, ip := range []netip.Addr{netip.MustParseAddr("198.18.79.2"), netip.MustParseAddr("2001:db8:79::2")} {
		find := func() *Neighbour {
			list, err := Neighbours(host)
			if err != nil {
				t.Fatal(err)
			}
			for i := range list {
				if list[i].IP == ip {
					return &list[i]
				}
			}
			return nil
		}
		if find() != nil {
			t.Fatalf("%s known before anyone asked", ip)
		}
		if err := ResolveNeighbour(host, ip); err != nil {
			t.Fatal(err)
		}
		waitFor(t, ip.String()+" in the neighbour table", func() bool { return find() != nil })
		if n := find(); n.MAC.String() != peerMAC {
			t.Fatalf("%s: MAC %s, the peer's is %s", ip, n.MAC, peerMAC)
		}
	}
	// A permanent entry is listed as such; multicast entries are not.
	sh(t, "ip", "neigh", "add", "198.18.79.9", "lladdr", "02:00:00:00:00:09", "dev", host, "nud", "permanent")
	list, err := Neighbours(host)
	if err != nil {
		t.Fatal(err)
	}
	seen := false
	for _, n := range list {
		if n.IP == netip.MustParseAddr("198.18.79.9") && n.State == "permanent" {
			seen = true
		}
		if n.IP.IsMulticast() {
			t.Errorf("multicast neighbour listed: %+v", n)
		}
	}
	if !seen {
		t.Fatalf("permanent entry missing from %+v", list)
	}
	if err := ResolveNeighbour(host, netip.MustParseAddr("224.0.0.1")); err == nil {
		t.Error("resolving a multicast address accepted")
	}
}

func TestQuietKernelSide(t *testing.T) {
	needRoot(t)
	host, _, _ := vethToNamespace(t, 80)
	if err := QuietKernelSide(host); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{
		"net/ipv4/conf/" + host + "/arp_ignore":   "8",
		"net/ipv4/conf/" + host + "/rp_filter":    "1",
		"net/ipv6/conf/" + host + "/disable_ipv6": "1",
	} {
		if v := sysctl(t, key); v != want {
			t.Errorf("%s = %s, want %s", key, v, want)
		}
	}
}

func TestDisableOffloads(t *testing.T) {
	needRoot(t)
	if _, err := exec.LookPath("ethtool"); err != nil {
		t.Skip("ethtool not installed (make deps installs it)")
	}
	host, peer, ns := vethToNamespace(t, 81)
	if err := DisableOffloads("", host); err != nil {
		t.Fatal(err)
	}
	if err := DisableOffloads(ns, peer); err != nil {
		t.Fatal(err)
	}
	check := func(out string) {
		t.Helper()
		for _, f := range []string{"tx-checksumming: off", "tx-tcp-segmentation: off", "tx-tcp6-segmentation: off", "generic-segmentation-offload: off", "generic-receive-offload: off"} {
			if !strings.Contains(out, f) {
				t.Errorf("ethtool -k: %q missing:\n%s", f, out)
			}
		}
	}
	check(sh(t, "ethtool", "-k", host))
	check(sh(t, "ip", "netns", "exec", ns, "ethtool", "-k", peer))
	if err := DisableOffloads(uniq("gwnons"), peer); err == nil || !strings.Contains(err.Error(), "network namespace") {
		t.Errorf("missing namespace: %v", err)
	}
}

// SetMTU changes only the MTU: a down TAP stays down, a jumbo MTU is
// taken, a missing interface is named.
func TestSetMTU(t *testing.T) {
	needRoot(t)
	tap := newTAP(t)
	for _, mtu := range []int{9001, 1500, 9001} {
		if err := SetMTU(tap, mtu); err != nil {
			t.Fatal(err)
		}
		l, err := netlink.LinkByName(tap)
		if err != nil {
			t.Fatal(err)
		}
		if l.Attrs().MTU != mtu || l.Attrs().Flags&net.FlagUp != 0 {
			t.Fatalf("link %s: MTU %d flags %v, want %d and down", tap, l.Attrs().MTU, l.Attrs().Flags, mtu)
		}
	}
	if err := SetMTU("gwkt-missing0", 1500); err == nil || !strings.Contains(err.Error(), "gwkt-missing0") {
		t.Fatalf("missing interface: %v", err)
	}
}
