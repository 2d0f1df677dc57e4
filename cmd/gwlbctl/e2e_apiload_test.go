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
	"runtime"
	"slices"
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

var rttRe = regexp.MustCompile(`time=([0-9.]+) ms`)

// pingRTTs pings the server from the client n times, every interval, and
// returns each round trip in milliseconds.
func (e *e2e) pingRTTs(t *testing.T, n int, interval string) []float64 {
	t.Helper()
	out, err := inNS(e.tp.client, "ping", "-c", strconv.Itoa(n), "-i", interval, "-W", "1", serverIP4)
	var rtts []float64
	for _, m := range rttRe.FindAllStringSubmatch(out, -1) {
		v, _ := strconv.ParseFloat(m[1], 64)
		rtts = append(rtts, v)
	}
	if err != nil || len(rtts) < n*9/10 {
		t.Fatalf("ping: %d of %d answered: %v\n%s", len(rtts), n, err, out)
	}
	return rtts
}

// runQueueWait is how long serve's worker lcore thread has waited on its
// CPU's run queue, for another thread to yield it (/proc schedstat).
func runQueueWait(t *testing.T, pid int) time.Duration {
	t.Helper()
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range tasks {
		dir := fmt.Sprintf("/proc/%d/task/%s/", pid, task.Name())
		comm := strings.TrimSpace(readFile(dir + "comm"))
		if !strings.HasPrefix(comm, "rte-worker-") && !strings.HasPrefix(comm, "lcore-worker-") {
			continue
		}
		f := strings.Fields(readFile(dir + "schedstat")) // run time, run-queue wait, time slices
		if len(f) != 3 {
			t.Fatalf("%sschedstat: %q", dir, f)
		}
		ns, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		return time.Duration(ns)
	}
	t.Fatal("no worker lcore thread in serve")
	return 0
}

// worker0 is the counters of serve's one worker.
func worker0(ctx context.Context, t *testing.T, c *api.Client) api.Worker {
	t.Helper()
	st, err := c.Stats(ctx)
	if err != nil || len(st.Workers) != 1 {
		t.Fatalf("serve's workers: %d, %v", len(st.Workers), err)
	}
	return st.Workers[0]
}

// gapSums adds up the worker's pass gaps over the phases of one kind.
type gapSums struct {
	sum    api.Worker    // PassGapNs and PassGapSq
	long   uint64        // gaps of 1 ms or more
	queued time.Duration // the worker thread's run-queue wait
	gcs    int           // serve's Go GC cycles
	paused time.Duration // and their stop-the-world pauses
	// The gaps under 1 ms, estimated from their buckets (each gap taken
	// as 3/4 of its bucket's bound): the sum, and the sum of squares in
	// ns².
	short, shortSq float64
}

func (g *gapSums) add(from, to api.Worker, queued time.Duration, gcs int, paused time.Duration) {
	g.queued, g.gcs, g.paused = g.queued+queued, g.gcs+gcs, g.paused+paused
	g.sum.PassGapNs += to.PassGapNs - from.PassGapNs
	g.sum.PassGapSq += to.PassGapSq - from.PassGapSq
	for b := range to.PassGaps {
		n := to.PassGaps[b].Count - from.PassGaps[b].Count
		if below := to.PassGaps[b].Below; below == 0 || below > time.Millisecond {
			g.long += n
		} else {
			gap := 0.75 * float64(below)
			g.short += float64(n) * gap
			g.shortSq += float64(n) * gap * gap
		}
	}
}

// wait is the mean time a packet arriving at a random instant of the
// phases waited for the worker's next poll (api.PassWait).
func (g *gapSums) wait() time.Duration { return api.PassWait(&api.Worker{}, &g.sum) }

// shortWait is the same for a packet arriving during a pass gap under
// 1 ms: the wait the worker's own work makes, without the times the
// worker thread was off its CPU (the long gaps, which runQueueWait
// shows).
func (g *gapSums) shortWait() time.Duration {
	if g.short == 0 {
		return 0
	}
	return time.Duration(g.shortSq / (2 * g.short))
}

// gcPauses is serve's count of completed Go GC cycles and the sum of their
// stop-the-world pauses, from its metrics.
func gcPauses(ctx context.Context, t *testing.T, c *api.Client) (int, time.Duration) {
	t.Helper()
	m, err := c.Metrics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n, sum := -1, -1.0
	for _, l := range strings.Split(string(m), "\n") {
		if v, ok := strings.CutPrefix(l, "go_gc_duration_seconds_count "); ok {
			if n, err = strconv.Atoi(strings.TrimSpace(v)); err != nil {
				t.Fatalf("go_gc_duration_seconds_count %q: %v", v, err)
			}
		}
		if v, ok := strings.CutPrefix(l, "go_gc_duration_seconds_sum "); ok {
			if sum, err = strconv.ParseFloat(strings.TrimSpace(v), 64); err != nil {
				t.Fatalf("go_gc_duration_seconds_sum %q: %v", v, err)
			}
		}
	}
	if n < 0 || sum < 0 {
		t.Fatal("no go_gc_duration_seconds count and sum in serve's metrics")
	}
	return n, time.Duration(sum * 1e9)
}

// quantile is the q-quantile (0..1) of xs, nearest rank; xs is sorted.
func quantile(xs []float64, q float64) float64 {
	slices.Sort(xs)
	return xs[min(len(xs)-1, int(q*float64(len(xs))))]
}

// TestAPIListingLoad: with up to 20,000 flows in serve's table, 8 clients each
// walk every flow with the largest page the API serves (limit=1000000,
// clamped to api.MaxPageLimit), over and over, from a process of their own
// at nice 19 on the main lcore's CPU, while the client pings the server
// through serve. It fails when the load grows serve's memory by 10% or
// more (the API's pages, concurrent listings and response sizes are
// bounded), or when a thread of serve other than the worker lcore may run
// outside the main lcore's CPU.
//
// Latency is printed, not asserted. The clients' process alternates, in
// listingRounds rounds, between listing and spinning on the same CPU at the
// same nice without asking serve anything, and the client pings through
// serve in each phase. The spinning phase is the reference: it keeps the
// CPUs as busy as the listing one (an idle vCPU wakes up slower, which
// made an idle reference slower than the loaded run), so the ratio of the
// two is what answering the listings costs the packets serve forwards. The
// round trips of a machine with no clients at all are printed beside them.
func TestAPIListingLoad(t *testing.T) {
	e := startForwarding(t, nil)
	// The worker lcore's CPU (1) is the worker's alone, as a deployment
	// gives it (isolcpus): the appliances (processes on the path of every
	// packet), this test and its helpers stand for other machines and run
	// on CPU 0, with serve's API. Left free, the scheduler moved them to
	// the worker's CPU whenever the API kept CPU 0 busy, and what they
	// took from the worker showed as listings' cost.
	onCPU0 := func(pid int) {
		if out, err := exec.Command("taskset", "-a", "-p", "-c", "0", strconv.Itoa(pid)).CombinedOutput(); err != nil {
			t.Fatalf("taskset %d: %v\n%s", pid, err, out)
		}
	}
	for _, a := range e.apps {
		onCPU0(a.Process.Pid)
	}
	onCPU0(os.Getpid())
	t.Cleanup(func() {
		exec.Command("taskset", "-a", "-p", "-c", "0-"+strconv.Itoa(runtime.NumCPU()-1), strconv.Itoa(os.Getpid())).Run()
	})
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
	none := e.pingRTTs(t, listingPings, listingPingInterval)

	// With load: the clients run in a process of their own, on the main
	// lcore's CPU (where serve's API runs) at nice 19, so that they take
	// the CPU from neither the worker nor ping: what the ping measures is
	// what serving them costs serve's forwarding, not the load
	// generator's own appetite for the machine's two CPUs.
	stopFile := filepath.Join(e.dir, "walkers-stop")
	pauseFile := filepath.Join(e.dir, "walkers-pause")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("nice", "-n", "19", "taskset", "-c", "0", self, e.socket(), "8", stopFile, pauseFile)
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
	var spinning, listing, ratios []float64
	var spinGaps, listGaps gapSums
	began := time.Now()
	for range listingRounds {
		if err := os.WriteFile(pauseFile, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond) // the walks under way end
		w0, q0 := worker0(ctx, t, c), runQueueWait(t, pid)
		n0, p0 := gcPauses(ctx, t, c)
		spun := e.pingRTTs(t, listingPings, listingPingInterval)
		spinning = append(spinning, spun...)
		n1, p1 := gcPauses(ctx, t, c)
		spinGaps.add(w0, worker0(ctx, t, c), runQueueWait(t, pid)-q0, n1-n0, p1-p0)
		if err := os.Remove(pauseFile); err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond)
		w0, q0 = worker0(ctx, t, c), runQueueWait(t, pid)
		n0, p0 = gcPauses(ctx, t, c)
		listed := e.pingRTTs(t, listingPings, listingPingInterval)
		listing = append(listing, listed...)
		n1, p1 = gcPauses(ctx, t, c)
		listGaps.add(w0, worker0(ctx, t, c), runQueueWait(t, pid)-q0, n1-n0, p1-p0)
		ratios = append(ratios, quantile(listed, 0.5)/quantile(spun, 0.5))
	}
	took := time.Since(began)
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
	p50s, p90s := quantile(spinning, 0.5), quantile(spinning, 0.9)
	p50l, p90l := quantile(listing, 0.5), quantile(listing, 0.9)
	t.Logf("ping through serve, %d rounds of %d pings per phase: median %.3f ms, p90 %.3f ms with the clients spinning; median %.3f ms, p90 %.3f ms with them listing: x%.2f median, x%.2f p90",
		listingRounds, listingPings, p50s, p90s, p50l, p90l, p50l/p50s, p90l/p90s)
	slices.Sort(ratios)
	t.Logf("ping through serve, the median round trip listing / spinning in each round: %.2f to %.2f (median %.2f)", ratios[0], ratios[len(ratios)-1], quantile(ratios, 0.5))
	t.Logf("ping through serve with no clients at all: median %.3f ms, p90 %.3f ms", quantile(none, 0.5), quantile(none, 0.9))
	ws, wl := spinGaps.wait(), listGaps.wait()
	t.Logf("serve's worker: a packet waited %v on average for its next poll with the clients spinning, %v with them listing (x%.2f); passes of 1 ms or more: %d and %d; the worker thread waited %v and %v on its CPU's run queue",
		ws.Round(100*time.Nanosecond), wl.Round(100*time.Nanosecond), float64(wl)/float64(ws), spinGaps.long, listGaps.long, spinGaps.queued.Round(time.Millisecond), listGaps.queued.Round(time.Millisecond))
	ss, sl := spinGaps.shortWait(), listGaps.shortWait()
	t.Logf("serve's worker, its passes under 1 ms only (estimated from the buckets): a packet waited %v on average with the clients spinning, %v with them listing (x%.2f)",
		ss.Round(10*time.Nanosecond), sl.Round(10*time.Nanosecond), float64(sl)/float64(ss))
	t.Logf("serve's Go collector, in the %.1f s of the rounds: %d cycles pausing %v in all with the clients spinning, %d pausing %v with them listing",
		took.Seconds(), spinGaps.gcs, spinGaps.paused.Round(10*time.Microsecond), listGaps.gcs, listGaps.paused.Round(10*time.Microsecond))
	t.Logf("serve's RSS: %.1f MiB idle, peak %.1f MiB under load (%+.1f%%)", float64(rss0)/(1<<20), float64(rss1)/(1<<20), 100*float64(rss1-rss0)/float64(rss0))
	if float64(rss1) >= 1.1*float64(rss0) {
		t.Errorf("8 listing clients grew serve's RSS from %d to %d bytes (%+.1f%%): want less than 10%%", rss0, rss1, 100*float64(rss1-rss0)/float64(rss0))
	}
}

// How TestAPIListingLoad measures latency: listingRounds rounds of
// spinning and listing, listingPings pings each, listingPingInterval apart.
const (
	listingRounds       = 12
	listingPings        = 100
	listingPingInterval = "0.005"
)

// unconfined says which thread of serve is not where it belongs ("" when
// none): EAL's one worker lcore thread on CPU 1 (the test's -l 0,1), every
// other thread on the main lcore's CPU 0 only, those Go started from the
// worker lcore (named like it) included.
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
		switch {
		case cpus == "":
			// the thread ended
		case cpus == "1" && (strings.HasPrefix(comm, "rte-worker-") || strings.HasPrefix(comm, "lcore-worker-")):
			workers++
		case cpus != "0":
			return fmt.Sprintf("serve's thread %s (%s) may run on CPUs %s, want 0", task.Name(), comm, cpus)
		}
	}
	if workers != 1 {
		return fmt.Sprintf("serve has %d worker lcore threads on CPU 1, want 1", workers)
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
// stop exists. While the file pause exists, each spins on the CPU instead
// of walking, asking the API nothing. It prints "ready" once every client
// finished a walk, then "walks W listed L busy B" at the end; a client's
// error fails it.
func flowsWalk(socket string, clients int, stop, pause string) error {
	ctx := context.Background()
	var walks, listed, busy atomic.Int64
	var first sync.WaitGroup
	first.Add(clients)
	errs := make(chan error, clients)
	var wg sync.WaitGroup
	exists := func(name string) bool { _, err := os.Stat(name); return err == nil }
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
				for exists(pause) && !exists(stop) {
					for t0 := time.Now(); time.Since(t0) < time.Millisecond; {
					}
				}
				if exists(stop) {
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
