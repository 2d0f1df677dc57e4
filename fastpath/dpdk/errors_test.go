package dpdk

import (
	"bytes"
	"log/slog"
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
		"-l 0,99 --main-lcore 0":  `dpdk: EAL -l "0,99": CPU 99 is not available to this process (it may use CPUs `,
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

// A device that cannot take the symmetric RSS key is said to (before, a
// device that does not report its key size was taken as symmetric without
// a word), and RSS reads back what the device reports: net_null has a
// redirection table but no key size. (No virtual device here reports its
// key: that read is exercised by NICs such as ENA only.)
func TestRSSReadBack(t *testing.T) {
	e := needEAL(t)
	var logged bytes.Buffer
	saved := e.log
	e.log = slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelWarn}))
	defer func() { e.log = saved }()
	pool, err := e.NewMempool(uniq("rss"), 8192, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Free()
	p, err := e.OpenPort(PortConfig{Device: uniq("net_null_rss"), RxQueues: 2, TxQueues: 1}, pool)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if !strings.Contains(logged.String(), "refused the symmetric RSS key") {
		t.Fatalf("no warning that the key is not symmetric; log: %q", logged.String())
	}
	r, err := p.RSS()
	if err != nil {
		t.Fatal(err)
	}
	n := len(r.RETA)
	if r.Symmetric || len(r.Key) != 0 || r.HashFunctions == 0 || n == 0 || n&(n-1) != 0 {
		t.Fatalf("net_null RSS %+v: want hash functions and a power-of-two table, no key", r)
	}
	// (net_null leaves its table as it starts, all queue 0; a NIC fills
	// it over the queues when configured.)
	for _, q := range r.RETA {
		if q > 1 {
			t.Fatalf("redirection table names queue %d of 2", q)
		}
	}

	// A short name: net_ring names its rings after the device, and a ring
	// name has 29 bytes at most.
	ring, err := e.OpenPort(PortConfig{Device: uniq("net_ringq")}, pool)
	if err != nil {
		t.Fatal(err)
	}
	defer ring.Close()
	if _, err := ring.RSS(); err == nil || !strings.Contains(err.Error(), "reading RSS key") {
		t.Fatalf("RSS of a device without it: %v", err)
	}
}
