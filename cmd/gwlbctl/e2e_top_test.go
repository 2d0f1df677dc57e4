//go:build e2e

package main

// `gwlbctl top` in a real terminal against a running serve with traffic,
// and that serve's /metrics checked by promtool.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gwlbctl/gwlbctl/control/api"
	"github.com/gwlbctl/gwlbctl/tui/tuitest"
)

// startForwarding brings up the end-to-end topology with resources made
// by provision (nil: e.provision, gwlbctl's own CLI), runs the appliances
// and serve, accepts the endpoint and waits until a ping crosses it.
func startForwarding(t *testing.T, provision func(e *e2e)) *e2e {
	t.Helper()
	requireRoot(t)
	dir := t.TempDir()
	e := &e2e{t: t, dir: dir, state: filepath.Join(dir, "state.json"), tp: newTopology()}
	e.bin = buildBinary(t, dir)
	e.tp.up(t)
	if provision == nil {
		e.provision()
		e.cli("ec2", "accept-vpc-endpoint-connections", "--service-id", e.ids.serviceID, "--vpc-endpoint-ids", e.ids.endpointID)
	} else {
		provision(e)
	}
	e.startAppliances()
	e.startServe(e.writeNodeConfig())
	c := e.api()
	e.waitFor(10*time.Second, "the endpoint available on serve's API", func() bool {
		eps, err := c.Endpoints(context.Background())
		return err == nil && len(eps) == 1 && eps[0].State == "available"
	})
	var err error
	for range 10 { // the first packets wait for ARP of the targets
		if err = e.ping(e.tp.client, false, serverIP4, 1); err == nil {
			return e
		}
	}
	t.Fatalf("no ping through serve: %v", err)
	return nil
}

// onlyFlow is the one flow of serve matching filter.
func (e *e2e) onlyFlow(filter string) api.Flow {
	e.t.Helper()
	f, err := api.ParseFlowFilter(filter)
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p, err := e.api().Flows(ctx, api.FlowsRequest{Filter: f, Limit: 10})
	if err != nil || len(p.Flows) != 1 {
		e.t.Fatalf("serve's flows matching %q: %v %+v, want one", filter, err, p)
	}
	return p.Flows[0]
}

// TestTopOnServe runs `gwlbctl top` in a tmux terminal against serve
// forwarding real traffic: a finished TCP transfer and a UDP flow kept
// busy while top runs. tuitest.TopScenario checks the screen: the UDP
// flow listed with its bytes rising, its appliance's health state as the
// node reports it, sorting by age and back, a bad filter refused, the
// filter proto=tcp keeping the TCP flow and hiding the UDP one, then q
// back to a clean shell with status 0.
func TestTopOnServe(t *testing.T) {
	e := startForwarding(t, nil)

	tcp := startHelper(t, e.tp.server, "tcp-echo", serverIP4+":7200")
	runHelperIn(t, e.tp.client, "tcp-send", serverIP4+":7200", fmt.Sprint(1<<20), "5")
	if err := tcp.wait(30 * time.Second); err != nil {
		t.Fatalf("tcp-echo: %v", err)
	}
	udp := startHelper(t, e.tp.server, "udp-echo", serverIP4+":7100")
	defer udp.stop()
	h := startHold(t, e.tp.client, serverIP4+":7100", 1)
	h.round()
	// Keep the UDP flow busy: a datagram and its echo every round, until
	// the test ends.
	stop := make(chan struct{})
	busy := make(chan struct{})
	go func() {
		defer close(busy)
		for {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
			if _, err := io.WriteString(h.in, "\n"); err != nil || !h.out.Scan() {
				return
			}
		}
	}()
	defer func() { close(stop); <-busy }()

	hot := e.onlyFlow("proto=udp port=7100")
	done := e.onlyFlow("proto=tcp port=7200")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	targets, err := e.api().Targets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	health := ""
	for _, tg := range targets {
		if tg.ID == hot.Target {
			health = tg.State
		}
	}
	if health == "" {
		t.Fatalf("the UDP flow's target %s is not among serve's targets %+v", hot.Target, targets)
	}
	t.Logf("live flow %s -> %s on %s (%s); finished TCP flow %s", hot.Src, hot.Dst, hot.Target, health, done.Src)

	logFile := filepath.Join(e.dir, "top.log")
	tuitest.TopScenario(t, tuitest.TopCheck{
		Binary: e.bin, Socket: e.socket(),
		Args:   []string{"--interval", "200ms", "--log-file", logFile},
		Flow:   hot.Src.String(),
		Target: hot.Target, Health: health,
		Filter: "proto=tcp", FilteredIn: done.Src.String(), FilteredOut: hot.Src.String(),
	})
	if log := readFile(logFile); !strings.Contains(log, "top started") || !strings.Contains(log, "top stopped") {
		t.Errorf("--log-file %s:\n%s", logFile, log)
	}

	// The same forwarding serve's /metrics passes promtool (Debian's
	// prometheus package; make deps installs it).
	t.Run("MetricsPromtool", func(t *testing.T) {
		promtool, err := exec.LookPath("promtool")
		if err != nil {
			t.Skip("skipped: promtool not found (Debian package prometheus; make deps installs it)")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		text, err := e.api().Metrics(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(text, []byte("gwlb_processed_packets_total")) {
			t.Fatalf("the scrape has no gwlb_processed_packets_total:\n%s", text)
		}
		cmd := exec.Command(promtool, "check", "metrics")
		cmd.Stdin = bytes.NewReader(text)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("promtool check metrics: %v\n%s", err, out)
		}
		t.Logf("promtool check metrics: %d bytes of serve's /metrics pass", len(text))
	})
}
