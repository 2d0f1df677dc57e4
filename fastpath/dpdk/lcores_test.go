package dpdk

import (
	"slices"
	"strings"
	"testing"
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
		{[]string{"-l", "0,99"}, `EAL -l "0,99": CPU 99 is not available to this process (it may run on CPUs 0-1)`},
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
