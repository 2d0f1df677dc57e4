package node

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestConfineThreads: every thread of the process but a worker lcore's
// (by thread id) ends up on the given CPUs, a thread named like a worker
// lcore (as one Go starts from it is) included; a thread started
// afterwards from a confined one inherits them.
func TestConfineThreads(t *testing.T) {
	var all unix.CPUSet
	if err := unix.SchedGetaffinity(0, &all); err != nil {
		t.Fatal(err)
	}
	if all.Count() < 2 {
		t.Skip("needs two CPUs")
	}
	first := -1
	for c := 0; first < 0; c++ {
		if all.IsSet(c) {
			first = c
		}
	}
	var one unix.CPUSet
	one.Set(first)
	// Restore the test process's threads afterwards.
	t.Cleanup(func() {
		tasks, _ := os.ReadDir("/proc/self/task")
		for _, e := range tasks {
			if tid, err := strconv.Atoi(e.Name()); err == nil {
				unix.SchedSetaffinity(tid, &all)
			}
		}
	})

	// A "worker lcore": a locked thread named as EAL names them; and a
	// second thread of that name that is not one.
	worker := make(chan int)
	release := make(chan struct{})
	named := func() {
		runtime.LockOSThread()
		tid := unix.Gettid()
		comm := "/proc/self/task/" + strconv.Itoa(tid) + "/comm"
		name, _ := os.ReadFile(comm)
		if err := os.WriteFile(comm, []byte("rte-worker-1"), 0); err != nil {
			t.Error(err)
		}
		worker <- tid
		<-release
		os.WriteFile(comm, name, 0) // the main thread does not exit with its goroutine
		// Still locked: the thread exits with the goroutine, and no other
		// goroutine runs on a thread named as a worker lcore.
		runtime.Goexit()
	}
	go named()
	wtid := <-worker
	go named()
	impostor := <-worker
	defer close(release)

	moved, err := confineThreads(one, []int{wtid})
	if err != nil {
		t.Fatal(err)
	}
	if moved == 0 {
		t.Error("no thread moved")
	}
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range tasks {
		tid, _ := strconv.Atoi(e.Name())
		var got unix.CPUSet
		if unix.SchedGetaffinity(tid, &got) != nil {
			continue
		}
		if tid == wtid {
			if got != all {
				t.Errorf("the worker thread %d was moved to %s", tid, cpuList(got))
			}
		} else if got != one {
			if tid == impostor {
				t.Errorf("thread %d, named like a worker lcore but not one, stayed on CPUs %s", tid, cpuList(got))
				continue
			}
			comm, _ := os.ReadFile("/proc/self/task/" + e.Name() + "/comm")
			t.Errorf("thread %d (%s, pid %d) is on CPUs %s, want %s", tid, strings.TrimSpace(string(comm)), os.Getpid(), cpuList(got), cpuList(one))
		}
	}
	// A thread started now (a locked goroutine forces a new one) inherits
	// the confined mask.
	fresh := make(chan unix.CPUSet)
	for range 4 {
		go func() {
			runtime.LockOSThread()
			var s unix.CPUSet
			unix.SchedGetaffinity(0, &s)
			fresh <- s
			runtime.Goexit()
		}()
		if s := <-fresh; s != one {
			t.Errorf("a thread started after confining is on CPUs %s, want %s", cpuList(s), cpuList(one))
		}
	}
	if again, err := confineThreads(one, []int{wtid}); err != nil || again != 0 {
		t.Errorf("a second pass moved %d threads (%v), want none", again, err)
	}
}
