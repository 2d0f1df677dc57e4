package dpdk

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A device that cannot work is named with the reason, before the driver
// (whose errno would read "Operation not permitted" or "Bad address").
func TestOpenPortErrors(t *testing.T) {
	e := needEAL(t)
	pool, err := e.NewMempool(uniq("operr"), 2048, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Free()
	missing := filepath.Join(t.TempDir(), "none.pcap")
	for dev, want := range map[string]string{
		"net_af_packet0,iface=nosuch":  `dpdk: DPDK device "net_af_packet0,iface=nosuch": kernel interface nosuch does not exist (ip link show lists them)`,
		"net_bogus0":                   `dpdk: unknown DPDK driver in "net_bogus0": a virtual device's name starts with its driver's (net_af_packet,`,
		"net_af_packet0":               "net_af_packet needs iface=<kernel interface>",
		"0000:00:06.0,large_llq_hdr=1": "PCI device 0000:00:06.0 is not among EAL's ports: give it to EAL with -a 0000:00:06.0",
		"net_pcap0,rx_pcap=" + missing: "rx_pcap: open " + missing + ": no such file or directory",
		// The driver's own reason, from its log.
		"net_af_packet1,iface=lo,qpairs=0": `dpdk: "net_af_packet1,iface=lo,qpairs=0": the net_af_packet driver refused the device: rte_eth_from_packet(): net_af_packet1: invalid qpairs value`,
	} {
		p, err := e.OpenPort(PortConfig{Device: dev}, pool)
		if err == nil {
			p.Close()
			t.Errorf("%s: opened; want %q", dev, want)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, want) || strings.Contains(msg, "Operation not permitted") || strings.Contains(msg, "Bad address") || strings.Contains(msg, "\n") {
			t.Errorf("%s:\n got %q\nwant %q, on one line", dev, msg, want)
		}
		t.Logf("%s: %v", dev, err)
	}
}

// Bad EAL arguments are reported in one line, without EAL's usage text:
// lcore lists checked before rte_eal_init, anything else from EAL's own
// words (getopt's, its log's). Each run is a child: the package's EAL is
// initialised already, and a process has one initialisation.
func TestBadEALArgumentsInOneLine(t *testing.T) {
	needEAL(t)
	for args, want := range map[string]string{
		"-l 0,99 --main-lcore 0":  `dpdk: EAL -l "0,99": CPU 99 is not available to this process (it may run on CPUs `,
		"-l garbage":              `dpdk: EAL -l "garbage": not a CPU list`,
		"--lcores 0@0,1@777":      `dpdk: EAL --lcores "0@0,1@777": CPU 777 is not available`,
		"--lcores 0@0,1@7777":     `CPU 7777: CPU ids are below 1024`,
		"-l 0,1 --bogus-option":   `failed: unrecognized option '--bogus-option'`,
		"-l 0,1 -n abc":           `failed: invalid channel number`,
		"-l 0,1 --socket-mem=abc": `failed: invalid parameters for --socket-mem`,
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), childEnv+"=badeal", "GWLBCTL_DPDK_TEST_EAL="+args)
		out, err := cmd.CombinedOutput()
		if err == nil {
			t.Errorf("%s: EAL initialised:\n%s", args, out)
			continue
		}
		text := strings.TrimRight(string(out), "\n")
		if !strings.Contains(text, want) || strings.Contains(text, "\n") || strings.Contains(text, "Usage") || strings.Contains(text, "EAL common options") {
			t.Errorf("%s: output\n%s\nwant one line containing %q", args, text, want)
		}
	}
}
