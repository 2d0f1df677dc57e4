package top

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gwlbctl/gwlbctl/control/api"
	"github.com/gwlbctl/gwlbctl/tui/tuitest"
)

// buildGwlbctl builds the real binary into a temporary directory.
func buildGwlbctl(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "gwlbctl")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/gwlbctl/gwlbctl/cmd/gwlbctl").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestTopInTerminal runs the real binary's `gwlbctl top` in a tmux
// terminal of 100x30 against control/api's handler on a unix socket over a
// backend whose counters rise, and checks the screen as a person would
// (tuitest.TopScenario: the live flow, a target's health, a rising
// counter, sorting, filtering, a clean quit with status 0).
func TestTopInTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs it in tmux")
	}
	bin := buildGwlbctl(t)
	b := tuitest.NewBackend(tuitest.Config{Flows: 400, Seed: 9, Hot: true})
	srv := tuitest.Serve(t, b)
	hot, _ := b.Hot()
	c := api.NewClient(srv.Path)
	defer c.Close()
	udp, err := c.Flows(context.Background(), api.FlowsRequest{Filter: api.FlowFilter{Protos: []uint8{17}}, Sort: api.SortBytes, Limit: 1})
	if err != nil || len(udp.Flows) != 1 {
		t.Fatalf("the backend's top udp flow: %v %+v", err, udp)
	}
	tuitest.Run(t, context.Background(), b, 100*time.Millisecond)

	logFile := filepath.Join(t.TempDir(), "top.log")
	tuitest.TopScenario(t, tuitest.TopCheck{
		Binary: bin, Socket: srv.Path,
		Args:   []string{"--interval", "200ms", "--log-file", logFile},
		Flow:   hot.Src.String(),
		Target: "i-0ccccccccccccccc3", Health: "unhealthy",
		Filter: "proto=udp", FilteredIn: udp.Flows[0].Src.String(), FilteredOut: hot.Src.String(),
	})
	log, err := os.ReadFile(logFile)
	if err != nil || !strings.Contains(string(log), "top started") || !strings.Contains(string(log), "top stopped") {
		t.Fatalf("--log-file %s: %v\n%s", logFile, err, log)
	}
}
