package dpdk

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
)

// childMain runs in a re-executed test binary: a fresh process with its own
// EAL, for what the package's shared EAL cannot show.
func childMain(mode string) int {
	switch mode {
	case "sigterm":
		return childSigterm()
	case "nohuge":
		return childNoHuge()
	case "workers2":
		return childTwoWorkers()
	case "badeal":
		return childBadEAL()
	case "jumbo":
		return childJumbo()
	case "segbench":
		return childSegBench()
	case "handoff":
		return childHandoff()
	case "workersbench":
		return childWorkersBench()
	}
	fmt.Fprintln(os.Stderr, "unknown child mode", mode)
	return 2
}

// childSigterm runs a forwarder with an exception TAP until SIGTERM or
// SIGINT, then stops it the way serve does: workers stopped and drained,
// ports stopped and closed, EAL cleaned up. Telemetry is on, so EAL creates
// its runtime directory; nothing of it may remain.
func childSigterm() int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	fail := func(err error) int { fmt.Fprintln(os.Stderr, "child:", err); return 1 }
	e, err := InitEAL(EALConfig{Args: []string{"-l", "0,1", "--main-lcore", "0", "--in-memory", "--no-pci", "--file-prefix", os.Getenv("GWLBCTL_DPDK_TEST_PREFIX")}, Telemetry: true})
	if err != nil {
		return fail(err)
	}
	f, err := NewForwarder(e, ForwarderConfig{
		Ports: []PortConfig{{Device: "net_null_in,size=64"}, {Device: "net_null_out,no-rx=1", Exception: &ExceptionConfig{Interface: os.Getenv("GWLBCTL_DPDK_TEST_TAP")}}},
	})
	if err != nil {
		return fail(err)
	}
	if err := f.Start([]BurstHandler{toPort{1}}); err != nil {
		return fail(err)
	}
	for f.Stats()[0].Tx[1].Sent == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	fmt.Println("running")
	<-ctx.Done()
	f.Stop()
	sent := f.Stats()[0].Tx[1].Sent
	inUse := f.Pool().InUse()
	if err := f.Close(); err != nil {
		return fail(err)
	}
	if err := e.Close(); err != nil {
		return fail(err)
	}
	fmt.Printf("forwarded %d in-use-after-stop %d\n", sent, inUse)
	return 0
}

// childBadEAL initialises EAL with the arguments in
// GWLBCTL_DPDK_TEST_EAL (space-separated) and prints the error.
func childBadEAL() int {
	_, err := InitEAL(EALConfig{Args: strings.Fields(os.Getenv("GWLBCTL_DPDK_TEST_EAL"))})
	if err == nil {
		fmt.Println("initialised")
		return 0
	}
	fmt.Println("error:", err)
	return 1
}

// childNoHuge forwards a little without hugepages (the logged fallback).
func childNoHuge() int {
	e, err := InitEAL(EALConfig{Hugepages: "off", NoHugeMB: 256})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	defer e.Close()
	f, err := NewForwarder(e, ForwarderConfig{Ports: []PortConfig{{Device: "net_null_in,size=64"}, {Device: "net_null_out,no-rx=1"}}})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	defer f.Close()
	if err := f.Start([]BurstHandler{toPort{1}}); err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	for f.Stats()[0].Tx[1].Sent < 100000 {
		time.Sleep(10 * time.Millisecond)
	}
	f.Stop()
	fmt.Printf("no-huge %v args %s\n", e.NoHuge(), strings.Join(e.Args(), " "))
	return 0
}

// childTwoWorkers runs two forwarding lcores (sharing a CPU if needed):
// each polls its own rx queue of every port and sends on its own tx queue;
// the TAP gets one queue per worker too.
func childTwoWorkers() int {
	fail := func(err error) int { fmt.Fprintln(os.Stderr, "child:", err); return 1 }
	cpus := []string{"0", "0"}
	if l := defaultLcores(); l[0] == "--lcores" {
		at := strings.Split(strings.ReplaceAll(l[1], ",", "@"), "@") // 0,A,1,B
		cpus = []string{at[1], at[3]}
	} else {
		cpus = []string{"0", "1"}
	}
	e, err := InitEAL(EALConfig{Args: []string{"--lcores", fmt.Sprintf("0@%s,1@%s,2@%s", cpus[0], cpus[1], cpus[1]), "--main-lcore", "0"}})
	if err != nil {
		return fail(err)
	}
	defer e.Close()
	f, err := NewForwarder(e, ForwarderConfig{
		Ports: []PortConfig{{Device: "net_null_in,size=64"}, {Device: "net_null_out,no-rx=1", TxOnly: true, Exception: &ExceptionConfig{Interface: os.Getenv("GWLBCTL_DPDK_TEST_TAP")}}},
	})
	if err != nil {
		return fail(err)
	}
	defer f.Close()
	if f.Workers() != 2 {
		return fail(fmt.Errorf("%d workers, want 2", f.Workers()))
	}
	if err := f.Start([]BurstHandler{toPort{1}, toPort{1}}); err != nil {
		return fail(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for s := f.Stats(); s[0].Tx[1].Sent < 100000 || s[1].Tx[1].Sent < 100000; s = f.Stats() {
		if time.Now().After(deadline) {
			return fail(fmt.Errorf("both workers must forward: %+v", s))
		}
		time.Sleep(10 * time.Millisecond)
	}
	f.Stop()
	in, err := f.Ports()[0].Stats()
	if err != nil {
		return fail(err)
	}
	s := f.Stats()
	if len(in.Queues) != 2 || in.Queues[0].RxPackets != s[0].Rx || in.Queues[1].RxPackets != s[1].Rx {
		return fail(fmt.Errorf("queue stats %+v vs workers %d, %d", in.Queues, s[0].Rx, s[1].Rx))
	}
	if rx, tx := f.ExceptionPort(1).Queues(); rx != 2 || tx != 2 {
		return fail(fmt.Errorf("TAP has %d/%d queues, want one per worker", rx, tx))
	}
	fmt.Printf("ok lcores %d %d rx %d %d\n", s[0].Lcore, s[1].Lcore, s[0].Rx, s[1].Rx)
	return 0
}

func TestTwoWorkers(t *testing.T) {
	needEAL(t)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=workers2", "GWLBCTL_DPDK_TEST_TAP="+uniq("gww"))
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "ok lcores 1 2") {
		t.Fatalf("two workers: %v\n%s", err, out)
	}
}

func TestNoHugepagesFallback(t *testing.T) {
	needEAL(t)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=nohuge")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child without hugepages: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "no-huge true") || !strings.Contains(string(out), "--no-shconf") {
		t.Fatalf("child output: %s", out)
	}
}

func TestSignalShutdownLeavesNothing(t *testing.T) {
	needEAL(t)
	tap, prefix := uniq("gwq"), uniq("gwlbctl-test-")
	runDir := filepath.Join("/var/run/dpdk", prefix)
	parentExisted := exists("/var/run/dpdk")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=sigterm", "GWLBCTL_DPDK_TEST_TAP="+tap, "GWLBCTL_DPDK_TEST_PREFIX="+prefix)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	lines := bufio.NewScanner(out)
	ready := make(chan bool, 1)
	go func() { ready <- lines.Scan() && lines.Text() == "running" }()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatalf("child did not start forwarding: %s", stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("child not forwarding after 30 s: %s", stderr.String())
	}
	if _, err := netlink.LinkByName(tap); err != nil {
		t.Fatalf("child's TAP %s: %v", tap, err)
	}
	if !exists(runDir) {
		t.Fatalf("EAL with telemetry should have created %s", runDir)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	var rest strings.Builder
	go func() {
		for lines.Scan() {
			rest.WriteString(lines.Text() + "\n")
		}
		waited <- cmd.Wait()
	}()
	select {
	case err := <-waited:
		if err != nil {
			t.Fatalf("child exit: %v\n%s", err, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("child still running 15 s after SIGTERM: %s", stderr.String())
	}
	var sent, inUse int
	if _, err := fmt.Sscanf(rest.String(), "forwarded %d in-use-after-stop %d", &sent, &inUse); err != nil || sent == 0 {
		t.Fatalf("child output %q: %v", rest.String(), err)
	}
	t.Logf("child forwarded %s packets before SIGTERM; %d mbufs held by rings and caches after the drain", strconv.Itoa(sent), inUse)
	if _, err := netlink.LinkByName(tap); err == nil {
		t.Fatalf("TAP %s outlived the process", tap)
	}
	if exists(runDir) {
		t.Fatalf("%s left behind", runDir)
	}
	if !parentExisted && exists("/var/run/dpdk") {
		left := runtimeDirEntries()
		t.Fatalf("/var/run/dpdk left behind: %v", left)
	}
}
