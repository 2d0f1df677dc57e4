package dpdk

import (
	"runtime"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestCheckLcoreArgs(t *testing.T) {
	cpus := []int{0, 1}
	for _, ok := range [][]string{
		{"-l", "0,1", "--main-lcore", "0"},
		{"-l0-1"},
		{"-l", "1"},
		{"--lcores", "0@0,1@1", "--main-lcore", "0"},
		{"--lcores=(0-2)@(0,1)", "--main-lcore=2"},
		{"--lcores", "0,1"},
		{"-c", "0x3"},
		{"-c3"},
		{"--in-memory", "--no-pci"}, // no lcore arguments: EAL's defaults
	} {
		if err := checkLcoreArgs(ok, cpus); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-l", "0,99"}, `EAL -l "0,99": CPU 99 is not available to this process (it may use CPUs 0-1)`},
		{[]string{"-l", "garbage"}, `EAL -l "garbage": not a CPU list (e.g. 0,1 or 0-3): "garbage"`},
		{[]string{"-l", "1-0"}, "not a CPU list"},
		{[]string{"-l", "0,,1"}, "not a CPU list"},
		{[]string{"-l"}, "no CPU list after it"},
		{[]string{"-c", "0x4"}, `EAL -c "0x4": CPU 2 is not available`},
		{[]string{"-c", "zz"}, "not a hexadecimal CPU mask"},
		{[]string{"-c", "0"}, "not a hexadecimal CPU mask"},
		{[]string{"--lcores", "0@0,1@5"}, `EAL --lcores "0@0,1@5": CPU 5 is not available`},
		{[]string{"--lcores", "0@0,0@1"}, "lcore 0 is given twice"},
		{[]string{"--lcores", "(0,1@0"}, "unclosed parenthesis"},
		{[]string{"--lcores", "0@x"}, `CPUs "x"`},
		{[]string{"--lcores", "200@0"}, "lcore ids are below 128"},
		{[]string{"-l", "0,1", "--main-lcore", "3"}, "--main-lcore 3 is not among the lcores [0 1]"},
		{[]string{"--main-lcore", "x"}, "not an lcore id"},
	} {
		err := checkLcoreArgs(c.args, cpus)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v; want %q", c.args, err, c.want)
		}
	}
	if got := formatCPUList([]int{5, 0, 1, 2, 7, 8}); got != "0-2,5,7-8" {
		t.Errorf("formatCPUList = %q", got)
	}
}

// FuzzParseLcoreMap: never a panic; an accepted map lists each lcore once
// and runs every lcore somewhere.
func FuzzParseLcoreMap(f *testing.F) {
	for _, s := range []string{"0@0,1@1", "(0-2)@(0,1)", "0,1", "1@(0-3)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ids, cpus, err := parseLcoreMap(s)
		if err != nil {
			if ids != nil || cpus != nil {
				t.Fatalf("error %v with results %v %v", err, ids, cpus)
			}
			return
		}
		if len(ids) == 0 || len(cpus) == 0 {
			t.Fatalf("%q: lcores %v on CPUs %v", s, ids, cpus)
		}
		for i, l := range ids {
			if slices.Contains(ids[i+1:], l) {
				t.Fatalf("%q: lcore %d twice", s, l)
			}
		}
	})
}

// A thread pinned to one CPU (EAL pins its own, and a process started
// from one inherits that) may still place lcores on every CPU of its
// cpuset: the check must not refuse them.
func TestAllowedCPUsIgnoresAffinity(t *testing.T) {
	all, err := allowedCPUs()
	if err != nil || len(all) == 0 {
		t.Fatalf("allowedCPUs: %v %v", all, err)
	}
	if len(all) < 2 {
		t.Skip("one CPU: nothing to narrow")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var saved, one unix.CPUSet
	if err := unix.SchedGetaffinity(0, &saved); err != nil {
		t.Fatal(err)
	}
	defer unix.SchedSetaffinity(0, &saved)
	one.Set(all[len(all)-1])
	if err := unix.SchedSetaffinity(0, &one); err != nil {
		t.Fatal(err)
	}
	got, err := allowedCPUs()
	if err != nil || !slices.Equal(got, all) {
		t.Fatalf("pinned to CPU %d: allowedCPUs = %v %v, want %v", all[len(all)-1], got, err, all)
	}
	if err := checkLcoreArgs([]string{"-l", formatCPUList(all)}, got); err != nil {
		t.Fatal(err)
	}
}

// CheckEALArgs counts the worker lcores EAL would start, and refuses what
// checkLcoreArgs refuses.
func TestCheckEALArgsCountsWorkers(t *testing.T) {
	cpus, err := allowedCPUs()
	if err != nil || len(cpus) < 2 || cpus[0] != 0 || cpus[1] != 1 {
		t.Skipf("needs CPUs 0 and 1 (have %v, %v)", cpus, err)
	}
	for _, c := range []struct {
		args []string
		want int
	}{
		{nil, 1},
		{DefaultEALArgs, 1},
		{[]string{"-l", "0", "--in-memory"}, 0},
		{[]string{"-l", "0,1", "--main-lcore", "0"}, 1},
		{[]string{"--lcores", "0@0,1@1,2@1"}, 2},
		{[]string{"-c", "0x3"}, 1},
		{[]string{"--in-memory"}, len(cpus) - 1},
	} {
		n, err := CheckEALArgs(c.args)
		if err != nil || n != c.want {
			t.Errorf("%q: %d worker lcores, %v; want %d", c.args, n, err, c.want)
		}
	}
	if _, err := CheckEALArgs([]string{"-l", "0,999"}); err == nil || !strings.Contains(err.Error(), "CPU 999") {
		t.Errorf("bad list: %v", err)
	}
}
