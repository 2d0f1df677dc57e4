package dpdk

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseDevice(t *testing.T) {
	cases := []struct {
		spec           string
		name, driver   string
		pci            string
		ifaces         []string
		keys, hostKeys []string
	}{
		{spec: "net_af_packet0,iface=eth1", name: "net_af_packet0", driver: "net_af_packet", ifaces: []string{"eth1"},
			keys: []string{"iface:eth1"}, hostKeys: []string{"iface:eth1"}},
		{spec: "vdev:net_af_packetgwh1,iface=gwh1,qpairs=2", name: "net_af_packetgwh1", driver: "net_af_packet", ifaces: []string{"gwh1"},
			keys: []string{"iface:gwh1"}, hostKeys: []string{"iface:gwh1"}},
		{spec: "eth_af_packet1,iface=eth2", name: "eth_af_packet1", driver: "net_af_packet", ifaces: []string{"eth2"},
			keys: []string{"iface:eth2"}, hostKeys: []string{"iface:eth2"}},
		{spec: "net_tap_gwx0,iface=gwx0,mac=02:00:00:00:00:01", name: "net_tap_gwx0", driver: "net_tap", ifaces: []string{"gwx0"},
			keys: []string{"iface:gwx0"}, hostKeys: []string{"iface:gwx0"}},
		{spec: "net_tun0", name: "net_tun0", driver: "net_tun", keys: []string{"vdev:net_tun0"}},
		{spec: "net_null0,no-rx=1", name: "net_null0", driver: "net_null", keys: []string{"vdev:net_null0"}},
		{spec: "net_pcap0,rx_pcap=/tmp/in.pcap,infinite_rx=1", name: "net_pcap0", driver: "net_pcap", keys: []string{"vdev:net_pcap0"}},
		{spec: "net_pcap1,rx_iface=eth1,tx_iface=eth2", name: "net_pcap1", driver: "net_pcap", ifaces: []string{"eth1", "eth2"},
			keys: []string{"iface:eth1", "iface:eth2"}, hostKeys: []string{"iface:eth1", "iface:eth2"}},
		{spec: "net_pcap2,iface=eth1", name: "net_pcap2", driver: "net_pcap", ifaces: []string{"eth1"}, keys: []string{"iface:eth1"}, hostKeys: []string{"iface:eth1"}},
		{spec: "net_memif0,role=server,socket=/run/memif.sock", name: "net_memif0", driver: "net_memif", keys: []string{"vdev:net_memif0"}},
		{spec: "net_failsafe0,dev(0000:00:06.0,large_llq_hdr=1),dev(net_tap0)", name: "net_failsafe0", driver: "net_failsafe", keys: []string{"vdev:net_failsafe0"}},
		{spec: "0000:00:06.0", name: "0000:00:06.0", pci: "0000:00:06.0", keys: []string{"pci:0000:00:06.0"}, hostKeys: []string{"pci:0000:00:06.0"}},
		{spec: "pci:00:06.0,large_llq_hdr=1", name: "0000:00:06.0", pci: "0000:00:06.0", keys: []string{"pci:0000:00:06.0"}, hostKeys: []string{"pci:0000:00:06.0"}},
		{spec: "0000:AF:1f.7", name: "0000:af:1f.7", pci: "0000:af:1f.7", keys: []string{"pci:0000:af:1f.7"}, hostKeys: []string{"pci:0000:af:1f.7"}},
	}
	for _, c := range cases {
		d, err := ParseDevice(c.spec)
		if err != nil {
			t.Errorf("%s: %v", c.spec, err)
			continue
		}
		if d.Spec != c.spec || d.Name != c.name || d.Driver != c.driver || d.PCI != c.pci || !reflect.DeepEqual(d.Ifaces, c.ifaces) ||
			!reflect.DeepEqual(d.Keys(), c.keys) || !reflect.DeepEqual(d.HostKeys(), c.hostKeys) {
			t.Errorf("%s: %+v keys %v host keys %v", c.spec, d, d.Keys(), d.HostKeys())
		}
		again, err := ParseDevice(d.String())
		if err != nil {
			t.Errorf("%s: re-parsing %q: %v", c.spec, d.String(), err)
			continue
		}
		again.Spec = d.Spec
		if !reflect.DeepEqual(again, d) {
			t.Errorf("%s: round trip through %q gives %+v", c.spec, d.String(), again)
		}
	}
	if v, ok := mustParse(t, "net_pcap0,rx_pcap=/x,infinite_rx=1").Arg("infinite_rx"); !ok || v != "1" {
		t.Errorf("Arg infinite_rx = %q %v", v, ok)
	}
}

func mustParse(t *testing.T, spec string) Device {
	t.Helper()
	d, err := ParseDevice(spec)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestParseDeviceErrors(t *testing.T) {
	for spec, want := range map[string]string{
		"":                                      "empty DPDK device",
		"net_bogus0":                            `unknown DPDK driver in "net_bogus0": a virtual device's name starts with its driver's (net_af_packet, `,
		"eth1":                                  `unknown DPDK driver in "eth1"`,
		"net_af_packet0":                        "net_af_packet needs iface=<kernel interface>",
		"net_af_packet0,iface=":                 `iface="" is not a kernel interface name`,
		"net_af_packet0,iface=a/b":              `iface="a/b" is not a kernel interface name`,
		"net_af_packet0,iface=abcdefghijklmnop": "is not a kernel interface name",
		"net_null0,,size=64":                    `argument "" has no key`,
		"net_null0,=1":                          `argument "=1" has no key`,
		",iface=eth1":                           "no device name",
		"net_failsafe0,dev(net_null0":           "unclosed",
		"net_failsafe0,dev)":                    "unbalanced",
		"pci:net_null0":                         "is not a PCI address",
		"0000:00:20.0":                          "PCI device number 0x20",
	} {
		_, err := ParseDevice(spec)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v; want %q", spec, err, want)
		}
	}
}

func TestDeviceCheck(t *testing.T) {
	if err := mustParse(t, "net_af_packet0,iface=lo").Check(); err != nil {
		t.Fatalf("lo: %v", err)
	}
	err := mustParse(t, "net_af_packet0,iface=gwnosuch0").Check()
	if err == nil || !strings.Contains(err.Error(), "kernel interface gwnosuch0 does not exist") {
		t.Fatalf("missing interface: %v", err)
	}
	// net_tap creates its interface: a missing one is fine.
	if err := mustParse(t, "net_tap0,iface=gwnosuch0").Check(); err != nil {
		t.Fatalf("net_tap: %v", err)
	}
	missing := filepath.Join(t.TempDir(), "none.pcap")
	if err := mustParse(t, "net_pcap0,rx_pcap="+missing).Check(); !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "rx_pcap") {
		t.Fatalf("missing rx_pcap file: %v", err)
	}
}

func TestCheckDistinct(t *testing.T) {
	parse := func(specs ...string) []Device {
		var out []Device
		for _, s := range specs {
			out = append(out, mustParse(t, s))
		}
		return out
	}
	if err := CheckDistinct(parse("net_af_packet0,iface=eth1", "net_af_packet1,iface=eth2", "net_null0", "0000:00:06.0")); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		specs       []string
		first, then int
		want        string
	}{
		{[]string{"net_null0", "net_af_packet0,iface=eth1", "net_af_packet1,iface=eth1"}, 1, 2,
			`DPDK devices "net_af_packet0,iface=eth1" and "net_af_packet1,iface=eth1" both use kernel interface eth1; one interface can serve one port`},
		{[]string{"net_af_packet0,iface=eth1", "net_pcap0,rx_iface=eth3,tx_iface=eth1"}, 0, 1, "both use kernel interface eth1"},
		{[]string{"0000:00:06.0", "pci:00:06.0,large_llq_hdr=1"}, 0, 1, "both use PCI device 0000:00:06.0"},
		{[]string{"net_null0", "net_null0,no-rx=1"}, 0, 1, "are both named net_null0"},
		{[]string{"net_af_packet0,iface=eth1", "net_af_packet0,iface=eth2"}, 0, 1, "are both named net_af_packet0"},
	} {
		err := CheckDistinct(parse(c.specs...))
		var dup *DuplicateDeviceError
		if !errors.As(err, &dup) || dup.First != c.first || dup.Second != c.then || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v; want devices %d and %d, %q", c.specs, err, c.first, c.then, c.want)
		}
	}
}

// FuzzParseDevice: an error if and only if there is no device, never a
// panic; a device re-parses from its String to itself.
func FuzzParseDevice(f *testing.F) {
	for _, s := range []string{"net_af_packet0,iface=eth1", "0000:00:06.0,large_llq_hdr=1", "net_failsafe0,dev(net_null0)", "vdev:net_null0", "net_pcap0,rx_iface=a,tx_iface=b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		d, err := ParseDevice(spec)
		if err != nil {
			if d.Name != "" {
				t.Fatalf("error %v with a device named %q", err, d.Name)
			}
			return
		}
		if d.Name == "" || len(d.Keys()) == 0 || (d.PCI == "") == (d.Driver == "") {
			t.Fatalf("%q parsed to %+v", spec, d)
		}
		again, err := ParseDevice(d.String())
		if err != nil {
			t.Fatalf("%q: its String %q does not parse: %v", spec, d.String(), err)
		}
		again.Spec = d.Spec
		if !reflect.DeepEqual(again, d) {
			t.Fatalf("%q: round trip through %q gives %+v, want %+v", spec, d.String(), again, d)
		}
	})
}
