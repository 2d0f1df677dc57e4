package node

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// confineThreads pins every thread of the process except EAL's worker
// lcores (their thread ids in lcores) to cpus: Go's own threads (the
// API's handlers, the control loop, the garbage collector's workers) then
// never run on a forwarding CPU, whatever the API's clients make them do.
// A thread started later inherits the mask of the thread that starts it,
// and its name too: one Go starts from a worker lcore is named like it
// and may run on its CPU, hence the thread ids. The pass is repeated (the
// stats loop does it every second) for such threads. A thread started
// during a pass by one not yet moved is moved by the next: passes repeat
// (at most 5) until one moves nothing. It returns how many threads it
// moved.
func confineThreads(cpus unix.CPUSet, lcores []int) (moved int, err error) {
	for range 5 {
		m, err := confinePass(cpus, lcores)
		moved += m
		if err != nil || m == 0 {
			return moved, err
		}
	}
	return moved, nil
}

// confinePass moves every thread listed now (confineThreads).
func confinePass(cpus unix.CPUSet, lcores []int) (moved int, err error) {
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return 0, err
	}
	for _, t := range tasks {
		tid, err := strconv.Atoi(t.Name())
		if err != nil || slices.Contains(lcores, tid) {
			continue
		}
		var cur unix.CPUSet
		if unix.SchedGetaffinity(tid, &cur) == nil && cur == cpus {
			continue
		}
		if err := unix.SchedSetaffinity(tid, &cpus); err != nil {
			if err == unix.ESRCH {
				continue
			}
			return moved, fmt.Errorf("thread %d: %w", tid, err)
		}
		moved++
	}
	return moved, nil
}

// mainCPUs are the CPUs EAL pinned the main lcore's thread to.
func (n *Node) mainCPUs() (unix.CPUSet, error) {
	var set unix.CPUSet
	err := n.eal.Do(func() error { return unix.SchedGetaffinity(0, &set) })
	return set, err
}

// confine runs confineThreads with the main lcore's CPUs, logging the
// first pass and any failure.
func (n *Node) confine(first bool) {
	if n.eal == nil {
		return
	}
	if n.mainSet.Count() == 0 {
		set, err := n.mainCPUs()
		if err != nil || set.Count() == 0 {
			n.log.Warn("node: the main lcore's CPUs are unknown: Go's threads are not confined to them", "err", err)
			return
		}
		n.mainSet = set
		// Go re-reads GOMAXPROCS from the CPU affinity of its sysmon
		// thread, which is confined below: set it explicitly (its value
		// now, a P for each worker lcore and the rest), which ends the
		// automatic updates.
		runtime.GOMAXPROCS(max(runtime.GOMAXPROCS(0), len(n.workers)+1))
	}
	moved, err := confineThreads(n.mainSet, n.eal.LcoreThreads())
	switch {
	case err != nil:
		n.log.Warn("node: confining Go's threads to the main lcore's CPUs", "err", err)
	case first:
		n.log.Info("node: Go's threads confined to the main lcore's CPUs", "cpus", cpuList(n.mainSet), "threads_moved", moved)
	}
}

// cpuList renders a CPU set as "0" or "0,2".
func cpuList(s unix.CPUSet) string {
	var l []string
	for c := 0; c < 1024 && len(l) < s.Count(); c++ {
		if s.IsSet(c) {
			l = append(l, strconv.Itoa(c))
		}
	}
	return strings.Join(l, ",")
}
