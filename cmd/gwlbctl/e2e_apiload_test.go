//go:build e2e

package main

// The node API under load: what 8 clients listing flows as fast as they
// can cost the traffic serve forwards and serve's memory.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gwlbctl/gwlbctl/control/api"
)

// loadFlows is how many UDP flows the load test sends into serve, in
// batches of loadBatch.
const (
	loadFlows = 20000
	loadBatch = 2500
)

// rssBytes is the resident set of process pid (VmRSS).
func rssBytes(t *testing.T, pid int) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) == 3 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	t.Fatalf("no VmRSS in /proc/%d/status", pid)
	return 0
}

var rttRe = regexp.MustCompile(`rtt min/avg/max/mdev = ([0-9.]+)/([0-9.]+)/([0-9.]+)/([0-9.]+) ms`)

// pingRTT pings the server from the client n times, 20 ms apart, and
// returns the mean and the largest round trip in milliseconds.
func (e *e2e) pingRTT(t *testing.T, n int) (avg, max float64) {
	t.Helper()
	out, err := inNS(e.tp.client, "ping", "-q", "-c", strconv.Itoa(n), "-i", "0.02", "-W", "1", serverIP4)
	m := rttRe.FindStringSubmatch(out)
	if err != nil || m == nil {
		t.Fatalf("ping: %v\n%s", err, out)
	}
	avg, _ = strconv.ParseFloat(m[2], 64)
	max, _ = strconv.ParseFloat(m[3], 64)
	return avg, max
}

// TestAPIListingLoad: with up to 20,000 flows in serve's table, 8 clients each
// walk every flow with the largest page the API serves (limit=1000000,
// clamped to api.MaxPageLimit), over and over, from a process of their own
// at nice 19 on the main lcore's CPU, while the client pings the server
// through serve. It prints ping's round trips and serve's
// resident memory without and with the load; it fails when the load
// grows serve's memory by 10% or more (the API's pages, concurrent
// listings and response sizes are bounded), or when a thread of serve
// other than the worker lcore may run outside the main lcore's CPU.
// Timing is printed, not asserted.
func TestAPIListingLoad(t *testing.T) {
	e := startForwarding(t, nil)
	srv := startHelper(t, e.tp.server, "udp-echo", serverIP4+":7300")
	defer srv.stop()
	for sent := 0; sent < loadFlows; sent += loadBatch {
		runHelperIn(t, e.tp.client, "udp-probe", serverIP4+":7300", strconv.Itoa(loadBatch), "1", "2s")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c := e.api()
	st, err := c.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Some first packets are lost on a busy machine (the af_packet rings
	// overflow); half of the flows are many enough.
	if st.Totals.ActiveFlows < loadFlows/2 {
		t.Fatalf("%d active flows in serve after %d UDP flows, want at least half", st.Totals.ActiveFlows, loadFlows)
	}
	pid := e.serve.Process.Pid // ip netns exec execs serve: the PID is serve's
	// serve re-confines every second a thread Go started from the worker.
	for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		problem := unconfined(t, pid)
		if problem == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal(problem)
		}
	}

	// Without load: one full walk first, so that memory a walk needs once
	// is counted in the baseline.
	if n, _, err := walkFlows(ctx, c); err != nil || uint64(n) < st.Totals.ActiveFlows*9/10 {
		t.Fatalf("one walk: %d flows, %v", n, err)
	}
	rss0 := rssBytes(t, pid)
	avg0, max0 := e.pingRTT(t, 100)

	// With load: the clients run in a process of their own, on the main
	// lcore's CPU (where serve's API runs) at nice 19, so that they take
	// the CPU from neither the worker nor ping: what the ping measures is
	// what serving them costs serve's forwarding, not the load
	// generator's own appetite for the machine's two CPUs.
	stopFile := filepath.Join(e.dir, "walkers-stop")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("nice", "-n", "19", "taskset", "-c", "0", self, e.socket(), "8", stopFile)
	cmd.Env = append(os.Environ(), helperEnv+"=flows-walk")
	var peak atomic.Int64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
			if r := rssBytes(t, pid); r > peak.Load() {
				peak.Store(r)
			}
		}
	}()
	walkers := startBackground(t, cmd, "8 listing clients") // ready: each has walked every flow once
	avg1, max1 := e.pingRTT(t, 100)
	close(stop)
	<-sampled
	if err := os.WriteFile(stopFile, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := walkers.wait(time.Minute); err != nil {
		t.Fatalf("the listing clients: %v\n%s", err, walkers.output())
	}
	var walks, listed, busy int64
	if _, err := fmt.Sscanf(walkers.output(), "walks %d listed %d busy %d", &walks, &listed, &busy); err != nil {
		t.Fatalf("the listing clients' report %q: %v", walkers.output(), err)
	}
	rss1 := peak.Load()
	t.Logf("serve with %d flows; 8 clients: %d walks of every flow, %d flows listed, %d answers 503 (listings limited to %d at once)",
		st.Totals.ActiveFlows, walks, listed, busy, api.DefaultMaxListings)
	t.Logf("ping through serve: mean %.3f ms, max %.3f ms idle; mean %.3f ms, max %.3f ms under load (x%.2f mean)", avg0, max0, avg1, max1, avg1/avg0)
	t.Logf("serve's RSS: %.1f MiB idle, peak %.1f MiB under load (%+.1f%%)", float64(rss0)/(1<<20), float64(rss1)/(1<<20), 100*float64(rss1-rss0)/float64(rss0))
	if float64(rss1) >= 1.1*float64(rss0) {
		t.Errorf("8 listing clients grew serve's RSS from %d to %d bytes (%+.1f%%): want less than 10%%", rss0, rss1, 100*float64(rss1-rss0)/float64(rss0))
	}
}

// unconfined says which thread of serve is not where it belongs ("" when
// none): every thread but EAL's worker lcore on the main lcore's CPU only
// (CPU 0 with the test's -l 0,1), the one worker on CPU 1.
func unconfined(t *testing.T, pid int) string {
	t.Helper()
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		t.Fatal(err)
	}
	workers := 0
	for _, task := range tasks {
		dir := fmt.Sprintf("/proc/%d/task/%s/", pid, task.Name())
		comm := strings.TrimSpace(readFile(dir + "comm"))
		cpus := ""
		for _, l := range strings.Split(readFile(dir+"status"), "\n") {
			if v, ok := strings.CutPrefix(l, "Cpus_allowed_list:"); ok {
				cpus = strings.TrimSpace(v)
			}
		}
		want := "0"
		if strings.HasPrefix(comm, "rte-worker-") || strings.HasPrefix(comm, "lcore-worker-") {
			want = "1"
			workers++
		}
		if cpus != want && cpus != "" {
			return fmt.Sprintf("serve's thread %s (%s) may run on CPUs %s, want %s", task.Name(), comm, cpus, want)
		}
	}
	if workers != 1 {
		return fmt.Sprintf("serve has %d worker lcore threads, want 1", workers)
	}
	return ""
}

// walkFlows lists every flow of the API behind c with the largest page it
// serves, following the cursors, and returns how many it listed and how
// many answers were 503 (the listing limit; each is retried).
func walkFlows(ctx context.Context, c *api.Client) (flows int, busy int, err error) {
	for cursor := ""; ; {
		p, err := c.Flows(ctx, api.FlowsRequest{Limit: 1000000, Cursor: cursor})
		var se *api.Error
		if errors.As(err, &se) && se.Status == 503 {
			busy++
			continue
		}
		if err != nil {
			return flows, busy, err
		}
		if len(p.Flows) > api.MaxPageLimit {
			return flows, busy, fmt.Errorf("a page of %d flows, more than the maximum %d", len(p.Flows), api.MaxPageLimit)
		}
		flows += len(p.Flows)
		if p.NextCursor == "" {
			return flows, busy, nil
		}
		cursor = p.NextCursor
	}
}

// flowsWalk is the flows-walk helper: clients concurrent clients of the
// API socket each walk every flow (walkFlows) over and over until the file
// stop exists. It prints "ready" once every client finished a walk, then
// "walks W listed L busy B" at the end; a client's error fails it.
func flowsWalk(socket string, clients int, stop string) error {
	ctx := context.Background()
	var walks, listed, busy atomic.Int64
	var first sync.WaitGroup
	first.Add(clients)
	errs := make(chan error, clients)
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := api.NewClient(socket)
			defer c.Close()
			for i := 0; ; i++ {
				n, b, err := walkFlows(ctx, c)
				busy.Add(int64(b))
				if err != nil {
					errs <- err
					if i == 0 {
						first.Done()
					}
					return
				}
				walks.Add(1)
				listed.Add(int64(n))
				if i == 0 {
					first.Done()
				}
				if _, err := os.Stat(stop); err == nil {
					return
				}
			}
		}()
	}
	first.Wait()
	fmt.Println("ready")
	wg.Wait()
	close(errs)
	for err := range errs {
		return err
	}
	fmt.Printf("walks %d listed %d busy %d\n", walks.Load(), listed.Load(), busy.Load())
	return nil
}
