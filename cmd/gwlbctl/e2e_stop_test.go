//go:build e2e

package main

// serve's stop on the signals process managers send.

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gwlbctl/gwlbctl/control/api"
)

// TestServeStopsCleanlyOnTwoSIGTERMs: process managers and timeout(1)
// send SIGTERM twice; serve must still stop cleanly every time: exit 0,
// the final stats written, the API socket removed. Ten trials, the two
// signals back to back.
func TestServeStopsCleanlyOnTwoSIGTERMs(t *testing.T) {
	requireRoot(t)
	dir := t.TempDir()
	bin := buildBinary(t, dir)
	state := filepath.Join(dir, "state.json")
	gw := func(args ...string) string {
		out, err := exec.Command(bin, append([]string{"--state", state}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("gwlbctl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	gw("apply", "-f", "../../configs/topology-minimal.yaml")
	ep := gw("ec2", "describe-vpc-endpoints", "--query", "VpcEndpoints[0].VpcEndpointId", "--output", "text")
	sock := filepath.Join(dir, "serve.sock")
	stats := filepath.Join(dir, "stats.json")
	cfg := filepath.Join(dir, "node.yaml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(`load-balancer: gwlb
availability-zone: us-east-1a
state: %s
appliance:
  device: "net_null0,no-rx=1"
  address: 10.10.1.5/24
  tap: ""
  neighbors: [{ip: 10.10.1.10, mac: "02:00:00:00:00:10"}]
endpoints: [{id: %s, side-a: "net_null1,no-rx=1", side-b: "net_null2,no-rx=1"}]
flows: {capacity: 4096}
stats: {file: %s}
api: {socket: %s}
`, state, ep, stats, sock)), 0o600); err != nil {
		t.Fatal(err)
	}
	for trial := 1; trial <= 10; trial++ {
		os.Remove(stats)
		logf := filepath.Join(dir, fmt.Sprintf("serve-%d.log", trial))
		f, err := os.Create(logf)
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, "serve", "--node-config", cfg)
		cmd.Stdout, cmd.Stderr = f, f
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		deadline := time.Now().Add(60 * time.Second)
		for !strings.Contains(readFile(logf), "node: forwarding") {
			select {
			case err := <-done:
				t.Fatalf("trial %d: serve exited before forwarding: %v\n%s", trial, err, readFile(logf))
			default:
			}
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				t.Fatalf("trial %d: serve did not start:\n%s", trial, readFile(logf))
			}
			time.Sleep(20 * time.Millisecond)
		}
		syscall.Kill(cmd.Process.Pid, syscall.SIGTERM)
		syscall.Kill(cmd.Process.Pid, syscall.SIGTERM)
		select {
		case err = <-done:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("trial %d: serve did not stop within 30 s of two SIGTERMs", trial)
		}
		f.Close()
		log := readFile(logf)
		if err != nil {
			t.Errorf("trial %d: exit %v\n%s", trial, err, tail(log, 15))
		}
		if !strings.Contains(log, "node: final stats") {
			t.Errorf("trial %d: no final stats\n%s", trial, tail(log, 15))
		}
		if _, err := os.Lstat(sock); err == nil {
			t.Errorf("trial %d: the API socket was left behind", trial)
		}
		var doc api.Stats
		if b, err := os.ReadFile(stats); err != nil || json.Unmarshal(b, &doc) != nil || doc.LoadBalancer == "" {
			t.Errorf("trial %d: final stats file %v", trial, err)
		}
		if fi, err := os.Stat(stats); err == nil && fi.Mode().Perm() != 0o640 {
			t.Errorf("trial %d: stats file mode %v, want 0640", trial, fi.Mode().Perm())
		}
	}
}
