package dpdk

import (
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// maxLcore is DPDK's RTE_MAX_LCORE in Debian's 22.11 build: lcore ids
// are below it.
const maxLcore = 128

// maxCPU bounds CPU ids (the kernel's CPU_SETSIZE, as in unix.CPUSet).
const maxCPU = 1024

// CheckEALArgs checks EAL arguments as InitEAL does before rte_eal_init
// (the lcore lists: -l, -c, --lcores, --main-lcore), without starting
// anything, and returns how many worker lcores EAL would start: the
// lcores other than the main one (every CPU of the process but one when no
// list is given). Empty args are DefaultEALArgs.
func CheckEALArgs(args []string) (workers int, err error) {
	if len(args) == 0 || slices.Equal(args, DefaultEALArgs) {
		args = append(defaultLcores(), DefaultEALArgs[4:]...)
	}
	cpus, err := allowedCPUs()
	if err != nil {
		return 0, fmt.Errorf("dpdk: the CPUs of this process: %w", err)
	}
	lcores, err := lcoreLayout(args, cpus)
	if err != nil {
		return 0, err
	}
	if lcores == nil {
		return max(len(cpus)-1, 0), nil
	}
	return len(lcores) - 1, nil
}

// checkLcoreArgs checks the EAL arguments that place lcores on CPUs (-l,
// -c, --lcores, --main-lcore) before rte_eal_init sees them: EAL answers
// a CPU it cannot use or a malformed list with its whole usage text, and
// the reason in a log line. cpus are the CPUs this process may run on.
func checkLcoreArgs(args []string, cpus []int) error {
	_, err := lcoreLayout(args, cpus)
	return err
}

// lcoreLayout is checkLcoreArgs returning the lcore ids given (nil when
// the arguments give none: EAL then uses every CPU).
func lcoreLayout(args []string, cpus []int) ([]int, error) {
	var lcores []int // lcore ids, in the order given
	mainLcore := -1
	value := func(i int, flag string) (string, bool) {
		a := args[i]
		if v, ok := strings.CutPrefix(a, flag+"="); ok {
			return v, true
		}
		if a == flag && i+1 < len(args) {
			return args[i+1], true
		}
		return "", false
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-l" || strings.HasPrefix(a, "-l") && !strings.HasPrefix(a, "--"):
			v := strings.TrimPrefix(a, "-l")
			if v == "" {
				if i+1 >= len(args) {
					return nil, fmt.Errorf("EAL -l: no CPU list after it (e.g. -l 0,1)")
				}
				i++
				v = args[i]
			}
			set, err := parseCPUList(v)
			if err != nil {
				return nil, fmt.Errorf("EAL -l %q: %v", v, err)
			}
			if err := cpusUsable("-l", v, set, cpus); err != nil {
				return nil, err
			}
			lcores = set
		case a == "-c" || strings.HasPrefix(a, "-c") && !strings.HasPrefix(a, "--"):
			v := strings.TrimPrefix(a, "-c")
			if v == "" {
				if i+1 >= len(args) {
					return nil, fmt.Errorf("EAL -c: no CPU mask after it (e.g. -c 0x3)")
				}
				i++
				v = args[i]
			}
			set, err := parseCPUMask(v)
			if err != nil {
				return nil, fmt.Errorf("EAL -c %q: %v", v, err)
			}
			if err := cpusUsable("-c", v, set, cpus); err != nil {
				return nil, err
			}
			lcores = set
		case a == "--lcores" || strings.HasPrefix(a, "--lcores="):
			v, ok := value(i, "--lcores")
			if !ok {
				return nil, fmt.Errorf("EAL --lcores: no lcore map after it (e.g. --lcores 0@0,1@1)")
			}
			if a == "--lcores" {
				i++
			}
			ids, used, err := parseLcoreMap(v)
			if err != nil {
				return nil, fmt.Errorf("EAL --lcores %q: %v", v, err)
			}
			if err := cpusUsable("--lcores", v, used, cpus); err != nil {
				return nil, err
			}
			lcores = ids
		case a == "--main-lcore" || strings.HasPrefix(a, "--main-lcore="):
			v, ok := value(i, "--main-lcore")
			if !ok {
				return nil, fmt.Errorf("EAL --main-lcore: no lcore id after it")
			}
			if a == "--main-lcore" {
				i++
			}
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n >= maxLcore {
				return nil, fmt.Errorf("EAL --main-lcore %q: not an lcore id (0-%d)", v, maxLcore-1)
			}
			mainLcore = n
		}
	}
	for _, l := range lcores {
		if l >= maxLcore {
			return nil, fmt.Errorf("EAL lcore %d: lcore ids are below %d", l, maxLcore)
		}
	}
	if mainLcore >= 0 && lcores != nil && !slices.Contains(lcores, mainLcore) {
		return nil, fmt.Errorf("EAL --main-lcore %d is not among the lcores %v", mainLcore, lcores)
	}
	return lcores, nil
}

// cpusUsable fails naming the first CPU of set this process cannot run on.
func cpusUsable(flag, v string, set, cpus []int) error {
	for _, c := range set {
		if !slices.Contains(cpus, c) {
			return fmt.Errorf("EAL %s %q: CPU %d is not available to this process (it may use CPUs %s)", flag, v, c, formatCPUList(cpus))
		}
	}
	return nil
}

// parseCPUList parses "0,2-3" into CPU ids.
func parseCPUList(s string) ([]int, error) {
	var out []int
	if s == "" {
		return nil, fmt.Errorf("not a CPU list (e.g. 0,1 or 0-3)")
	}
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err1 := strconv.Atoi(lo)
		b := a
		var err2 error
		if isRange {
			b, err2 = strconv.Atoi(hi)
		}
		if err1 != nil || err2 != nil || a < 0 || b < a {
			return nil, fmt.Errorf("not a CPU list (e.g. 0,1 or 0-3): %q", part)
		}
		if b >= maxCPU {
			return nil, fmt.Errorf("CPU %d: CPU ids are below %d", b, maxCPU)
		}
		for c := a; c <= b; c++ {
			if !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	return out, nil
}

// parseCPUMask parses a hexadecimal CPU mask ("0x3", "3").
func parseCPUMask(s string) ([]int, error) {
	h := strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	m, ok := new(big.Int).SetString(h, 16)
	if h == "" || !ok || m.Sign() == 0 {
		return nil, fmt.Errorf("not a hexadecimal CPU mask with a CPU in it (e.g. 0x3)")
	}
	var out []int
	for c := 0; c < m.BitLen(); c++ {
		if m.Bit(c) == 1 {
			out = append(out, c)
		}
	}
	return out, nil
}

// parseLcoreMap parses EAL's --lcores syntax: comma-separated groups
// LCORES[@CPUS], where either side is a number, a range or a
// parenthesised list of them ("0@0,1@1", "(0-1)@2", "0,1"). It returns the
// lcore ids and the CPUs they run on (without '@', an lcore runs on the
// CPU of its own number).
func parseLcoreMap(s string) (lcores, cpus []int, err error) {
	groups, err := splitTop(s)
	if err != nil {
		return nil, nil, err
	}
	for _, g := range groups {
		left, right, hasCPU := cutTop(g, '@')
		ids, err := parseSet(left)
		if err != nil {
			return nil, nil, fmt.Errorf("lcores %q: %v", left, err)
		}
		on := ids
		if hasCPU {
			if on, err = parseSet(right); err != nil {
				return nil, nil, fmt.Errorf("CPUs %q: %v", right, err)
			}
		}
		for _, l := range ids {
			if slices.Contains(lcores, l) {
				return nil, nil, fmt.Errorf("lcore %d is given twice", l)
			}
			lcores = append(lcores, l)
		}
		for _, c := range on {
			if !slices.Contains(cpus, c) {
				cpus = append(cpus, c)
			}
		}
	}
	return lcores, cpus, nil
}

// parseSet parses "3", "0-2" or "(0,2-3)".
func parseSet(s string) ([]int, error) {
	if inner, ok := strings.CutPrefix(s, "("); ok {
		inner, ok = strings.CutSuffix(inner, ")")
		if !ok {
			return nil, fmt.Errorf("unclosed parenthesis")
		}
		return parseCPUList(inner)
	}
	if strings.Contains(s, ",") {
		return nil, fmt.Errorf("a list needs parentheses, e.g. (0,1)")
	}
	return parseCPUList(s)
}

// splitTop splits at the commas outside parentheses.
func splitTop(s string) ([]string, error) {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			if depth--; depth < 0 {
				return nil, fmt.Errorf("unbalanced parenthesis")
			}
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	if depth != 0 {
		return nil, fmt.Errorf("unclosed parenthesis")
	}
	return append(out, s[start:]), nil
}

func cutTop(s string, sep byte) (string, string, bool) {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
		case sep:
			if depth == 0 {
				return s[:i], s[i+1:], true
			}
		}
	}
	return s, "", false
}

// formatCPUList writes CPU ids as ranges: 0-3,6.
func formatCPUList(cpus []int) string {
	c := slices.Clone(cpus)
	slices.Sort(c)
	var parts []string
	for i := 0; i < len(c); {
		j := i
		for j+1 < len(c) && c[j+1] == c[j]+1 {
			j++
		}
		if j > i {
			parts = append(parts, fmt.Sprintf("%d-%d", c[i], c[j]))
		} else {
			parts = append(parts, strconv.Itoa(c[i]))
		}
		i = j + 1
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ",")
}

// allowedCPUs returns the CPUs this process may place lcores on: the
// online CPUs its cpuset cgroup allows (a container's limit). Not its
// current affinity: EAL pins lcores anywhere in the cpuset, and a process
// started from a pinned thread (one of EAL's) inherits a narrower mask
// than it may use.
func allowedCPUs() ([]int, error) {
	online, err := readCPUList("/sys/devices/system/cpu/online")
	if err != nil {
		return affinityCPUs()
	}
	if set, err := cgroupCPUs(); err == nil {
		var both []int
		for _, c := range online {
			if slices.Contains(set, c) {
				both = append(both, c)
			}
		}
		return both, nil
	}
	return online, nil
}

// cgroupCPUs reads the effective cpuset of this process's cgroup (v2 or
// v1).
func cgroupCPUs() ([]int, error) {
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return nil, err
	}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		switch {
		case parts[0] == "0" && parts[1] == "":
			if set, err := readCPUList(filepath.Join("/sys/fs/cgroup", parts[2], "cpuset.cpus.effective")); err == nil {
				return set, nil
			}
		case slices.Contains(strings.Split(parts[1], ","), "cpuset"):
			if set, err := readCPUList(filepath.Join("/sys/fs/cgroup/cpuset", parts[2], "cpuset.effective_cpus")); err == nil {
				return set, nil
			}
		}
	}
	return nil, os.ErrNotExist
}

func readCPUList(path string) ([]int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseCPUList(strings.TrimSpace(string(b)))
}

// affinityCPUs returns the CPUs the calling thread may run on now.
func affinityCPUs() ([]int, error) {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return nil, err
	}
	var cpus []int
	for c := 0; c < len(set)*64; c++ {
		if set.IsSet(c) {
			cpus = append(cpus, c)
		}
	}
	return cpus, nil
}
