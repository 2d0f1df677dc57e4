package dpdk

/*
#cgo pkg-config: libdpdk
#include <stdlib.h>
#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_launch.h>
#include <rte_timer.h>
#include <rte_log.h>
#include "gw.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// DefaultEALArgs are used when EALConfig.Args is empty: the main lcore on
// CPU 0 runs Go's control work, one forwarding lcore on CPU 1 (a 2-core
// machine), no PCI scan (virtual devices), and in-memory mode, which lets
// several DPDK processes run side by side. --no-telemetry is added unless
// EALConfig.Telemetry is set.
var DefaultEALArgs = []string{"-l", "0,1", "--main-lcore", "0", "--in-memory", "--no-pci"}

// DefaultLogLevel hides DPDK's start-up chatter (INFO) but keeps notices,
// warnings and errors.
const DefaultLogLevel = "notice"

// EALConfig is how the Environment Abstraction Layer starts.
type EALConfig struct {
	// Args are rte_eal_init's arguments after the program name. Empty means
	// DefaultEALArgs. --in-memory is added unless Args choose a
	// --file-prefix; --no-huge is added (with -m) when hugepages cannot be
	// used; PCI devices turn --no-pci into -a allow-list entries.
	Args []string
	// PCI lists PCI devices with their devargs, e.g.
	// "0000:00:06.0,large_llq_hdr=1" for an ENA NIC. They are passed as -a
	// and --no-pci is dropped.
	PCI []string
	// LogLevel is DPDK's --log-level value ("notice" when empty), e.g.
	// "info", "debug", "pmd.net.ena:debug".
	LogLevel string
	// Hugepages: "" or "auto" use hugepages when free 2 MiB/1 GiB pages
	// cover MinHugeMB and fall back to --no-huge otherwise (logged); "on"
	// never falls back; "off" always runs with --no-huge.
	Hugepages string
	// MinHugeMB is the hugepage memory (MiB) below which auto falls back to
	// --no-huge. 0 means 128.
	MinHugeMB int
	// NoHugeMB is the memory (-m, MiB) given to EAL under --no-huge. 0
	// means 512.
	NoHugeMB int
	// Telemetry keeps DPDK's telemetry socket (/var/run/dpdk/<prefix>/
	// dpdk_telemetry.v2, for dpdk-telemetry.py). Off by default: only a C
	// exit handler removes it, and a Go program's exit never runs those;
	// Close removes it when it is on.
	Telemetry bool
	// Logger receives this package's log lines (slog.Default() if nil).
	Logger *slog.Logger
}

// EAL is the initialised Environment Abstraction Layer. DPDK allows one per
// process, initialised once: InitEAL's second call fails, and after Close
// DPDK cannot be used again by the process.
type EAL struct {
	args    []string
	noHuge  bool
	quiet   bool // the default log level: known-harmless PMD warnings are hidden
	log     *slog.Logger
	main    int   // main lcore id
	workers []int // worker lcore ids, in order
	// lcoreTIDs are the thread ids of EAL's worker lcore threads, listed
	// right after rte_eal_init, before any of them ran Go code.
	lcoreTIDs []int
	calls     chan func()
	done      chan struct{}
	closeMu   sync.Mutex
	closed    bool
	tickers   []func() // run about once a second on the main lcore
	tickerMu  sync.Mutex

	// runtime directory (/var/run/dpdk/<prefix>) and which of it existed
	// before init: Close removes what EAL created and left behind.
	runDir          string
	runDirExists    bool
	runParentExists bool
	sockExisted     bool
}

var (
	ealOnce sync.Mutex
	ealUsed bool
)

// ErrEALUsed is returned by InitEAL when the process already initialised
// DPDK's EAL (it can be initialised once per process, even after cleanup).
var ErrEALUsed = errors.New("dpdk: the EAL was already initialised in this process; DPDK allows one rte_eal_init per process")

// InitEAL starts DPDK's EAL on a dedicated OS thread that becomes the main
// lcore: EAL pins it to the main lcore's CPU, and every later control call
// (ports, pools, timers, clean-up) runs there through Do, so per-lcore state
// such as the ENA watchdog timer is always armed and served on one lcore.
func InitEAL(cfg EALConfig) (*EAL, error) {
	ealOnce.Lock()
	defer ealOnce.Unlock()
	if ealUsed {
		return nil, ErrEALUsed
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	args, noHuge, err := buildEALArgs(cfg, log)
	if err != nil {
		return nil, err
	}
	// What EAL would refuse with its usage text is refused here first,
	// and the one initialisation a process has is not spent on it.
	if cpus, err := allowedCPUs(); err == nil {
		if err := checkLcoreArgs(args, cpus); err != nil {
			return nil, fmt.Errorf("dpdk: %w", err)
		}
	}
	e := &EAL{args: args, noHuge: noHuge, log: log, calls: make(chan func()), done: make(chan struct{}), quiet: cfg.LogLevel == ""}
	e.runDir = runtimeDir(args)
	e.runDirExists = exists(e.runDir)
	e.runParentExists = exists(filepath.Dir(e.runDir))
	e.sockExisted = exists(filepath.Join(e.runDir, "dpdk_telemetry.v2"))
	initErr := make(chan error, 1)
	ealUsed = true
	go e.mainLcore(initErr)
	if err := <-initErr; err != nil {
		return nil, err
	}
	log.Info("dpdk: EAL initialised", "args", strings.Join(args, " "), "main_lcore", e.main, "worker_lcores", e.workers, "no_huge", noHuge)
	return e, nil
}

// buildEALArgs turns the config into rte_eal_init arguments (without the
// program name) and reports whether --no-huge is in effect.
func buildEALArgs(cfg EALConfig, log *slog.Logger) ([]string, bool, error) {
	args := append([]string(nil), cfg.Args...)
	if len(args) == 0 || slices.Equal(args, DefaultEALArgs) {
		args = append(defaultLcores(), DefaultEALArgs[4:]...)
	}
	has := func(flag string) bool {
		for _, a := range args {
			if a == flag || strings.HasPrefix(a, flag+"=") {
				return true
			}
		}
		return false
	}
	if !has("--in-memory") && !has("--file-prefix") {
		args = append(args, "--in-memory")
	}
	if !cfg.Telemetry && !has("--no-telemetry") {
		args = append(args, "--no-telemetry")
	}
	if len(cfg.PCI) > 0 {
		kept := args[:0]
		for _, a := range args {
			if a != "--no-pci" {
				kept = append(kept, a)
			}
		}
		args = kept
		for _, d := range cfg.PCI {
			args = append(args, "-a", d)
		}
	} else if !has("--no-pci") && !has("-a") && !has("--allow") {
		// Without devices to allow, a PCI scan only finds NICs the kernel
		// owns; skip it.
		args = append(args, "--no-pci")
	}
	if !has("--log-level") {
		lvl := cfg.LogLevel
		if lvl == "" {
			lvl = DefaultLogLevel
		}
		args = append(args, "--log-level="+lvl)
	}
	noHuge := has("--no-huge")
	minMB := cfg.MinHugeMB
	if minMB == 0 {
		minMB = 128
	}
	switch cfg.Hugepages {
	case "", "auto":
		if !noHuge {
			free := freeHugepageMB()
			if free < minMB {
				log.Warn("dpdk: not enough free hugepages, falling back to --no-huge (forwarding is 2.5-4x slower); reserve some with `echo 1024 > /proc/sys/vm/nr_hugepages`",
					"free_mb", free, "need_mb", minMB)
				noHuge = true
				args = append(args, "--no-huge")
			}
		}
	case "on":
		if noHuge {
			return nil, false, errors.New("dpdk: hugepages \"on\" contradicts --no-huge in the EAL arguments; remove one of them")
		}
	case "off":
		if !noHuge {
			noHuge = true
			args = append(args, "--no-huge")
		}
	default:
		return nil, false, fmt.Errorf("dpdk: hugepages %q is not one of auto, on, off", cfg.Hugepages)
	}
	if noHuge && has("--in-memory") {
		// --no-huge implies legacy memory, which EAL refuses with
		// --in-memory; --no-shconf keeps the part that matters here (no
		// shared files, so processes coexist and nothing is left behind).
		kept := args[:0]
		for _, a := range args {
			if a != "--in-memory" {
				kept = append(kept, a)
			}
		}
		args = append(kept, "--no-shconf")
	}
	if noHuge && !has("-m") && !has("--socket-mem") {
		mb := cfg.NoHugeMB
		if mb == 0 {
			mb = 512
		}
		args = append(args, "-m", strconv.Itoa(mb))
	}
	return args, noHuge, nil
}

// defaultLcores maps the default lcores onto the CPUs this process may run
// on: lcore 0 (main) on the first, lcore 1 (worker) on the second. With
// CPUs 0 and 1 allowed that is DefaultEALArgs' "-l 0,1 --main-lcore 0";
// in a container limited to other CPUs (a cpuset) "-l 0,1" would fail, and
// on a single CPU both lcores share it (slow, but it runs).
func defaultLcores() []string {
	cpus, _ := affinityCPUs()
	cpus = cpus[:min(len(cpus), 2)]
	switch {
	case len(cpus) == 2 && cpus[0] == 0 && cpus[1] == 1:
		return append([]string(nil), DefaultEALArgs[:4]...)
	case len(cpus) == 2:
		return []string{"--lcores", fmt.Sprintf("0@%d,1@%d", cpus[0], cpus[1]), "--main-lcore", "0"}
	case len(cpus) == 1:
		return []string{"--lcores", fmt.Sprintf("0@%d,1@%d", cpus[0], cpus[0]), "--main-lcore", "0"}
	}
	return append([]string(nil), DefaultEALArgs[:4]...)
}

// freeHugepageMB sums the free hugepages of every size, in MiB.
func freeHugepageMB() int {
	dirs, _ := filepath.Glob("/sys/kernel/mm/hugepages/hugepages-*kB")
	total := 0
	for _, d := range dirs {
		kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(filepath.Base(d), "hugepages-"), "kB"))
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join(d, "free_hugepages"))
		if err != nil {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			continue
		}
		total += n * kb / 1024
	}
	return total
}

// mainLcore is the main lcore's OS thread: it initialises EAL, then runs
// control calls and, about once a second, the timer manager and tickers.
func (e *EAL) mainLcore(initErr chan<- error) {
	runtime.LockOSThread() // never unlocked: the thread ends with EAL
	argv := make([]*C.char, 0, len(e.args)+1)
	argv = append(argv, C.CString("gwlbctl"))
	for _, a := range e.args {
		argv = append(argv, C.CString(a))
	}
	// rte_eal_init keeps pointers into argv: C memory, never freed.
	cargv := (**C.char)(C.malloc(C.size_t(len(argv)) * C.size_t(unsafe.Sizeof(uintptr(0)))))
	copy(unsafe.Slice(cargv, len(argv)), argv)
	var out, errOut *C.char
	C.gw_capture_begin()
	rc := C.gw_eal_init(C.int(len(argv)), cargv, &out, &errOut)
	logged := parseCapture(takeCString(C.gw_capture_end()))
	printed, printedErr := takeCString(out), takeCString(errOut)
	if rc < 0 {
		// EAL printed its usage text (dropped), getopt or EAL's alert
		// named the problem on stderr, and the log says why.
		e.log.Debug("dpdk: output of the failed EAL initialisation", "log", logged.text(), "stderr", printedErr)
		cause := stderrCause(printedErr)
		if cause == "" {
			cause = logged.cause()
		}
		if cause == "" {
			cause = rteStrerror(-int(rc), C.gw_errno())
		}
		initErr <- fmt.Errorf("dpdk: EAL initialisation with %q failed: %s", strings.Join(e.args, " "), cause)
		close(e.done)
		return
	}
	os.Stderr.WriteString(printedErr + logged.text())
	os.Stdout.WriteString(printed)
	e.main = int(C.rte_get_main_lcore())
	for l := C.rte_get_next_lcore(C.uint(^uint32(0)), 1, 0); l < C.RTE_MAX_LCORE; l = C.rte_get_next_lcore(l, 1, 0) {
		e.workers = append(e.workers, int(l))
	}
	e.lcoreTIDs = lcoreThreads()
	initErr <- nil

	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case f, ok := <-e.calls:
			if !ok {
				C.rte_timer_subsystem_finalize()
				C.rte_eal_cleanup()
				e.removeRuntimeLeftovers()
				close(e.done)
				return
			}
			f()
		case <-tick.C:
			// ENA's watchdog runs from rte_timer_manage on the lcore that
			// started the port: this one.
			C.rte_timer_manage()
			e.tickerMu.Lock()
			ts := append([]func(){}, e.tickers...)
			e.tickerMu.Unlock()
			for _, t := range ts {
				t()
			}
		}
	}
}

// runtimeDir is where EAL keeps its runtime files for these arguments
// (root's default base directory).
func runtimeDir(args []string) string {
	prefix := "rte"
	for i, a := range args {
		if a == "--file-prefix" && i+1 < len(args) {
			prefix = args[i+1]
		} else if v, ok := strings.CutPrefix(a, "--file-prefix="); ok {
			prefix = v
		}
	}
	base := "/var/run/dpdk"
	if os.Geteuid() != 0 {
		if x := os.Getenv("XDG_RUNTIME_DIR"); x != "" {
			base = filepath.Join(x, "dpdk")
		} else {
			base = "/tmp/dpdk"
		}
	}
	return filepath.Join(base, prefix)
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// removeRuntimeLeftovers removes, after rte_eal_cleanup, what this process's
// EAL created in the runtime directory and a C exit handler would have
// removed: the telemetry sockets and then the directories, when empty and
// not there before. With --in-memory nothing else is written there.
func (e *EAL) removeRuntimeLeftovers() {
	if !slices.Contains(e.args, "--in-memory") && !slices.Contains(e.args, "--no-shconf") {
		return
	}
	// EAL's telemetry thread outlives rte_eal_cleanup, so our socket still
	// answers: it is ours when it was not there before init. One that was
	// there belongs to another process of the same prefix; it goes only
	// when stale (nobody answers).
	sock := filepath.Join(e.runDir, "dpdk_telemetry.v2")
	if !e.sockExisted {
		_ = os.Remove(sock)
	} else if c, err := net.Dial("unixpacket", sock); err == nil {
		c.Close()
	} else if errors.Is(err, syscall.ECONNREFUSED) {
		_ = os.Remove(sock)
	}
	if e.runDirExists {
		return
	}
	_ = os.Remove(e.runDir) // only if empty
	if !e.runParentExists {
		_ = os.Remove(filepath.Dir(e.runDir))
	}
}

// rteStrerror formats a failing call's error: a negative errno return, or
// rte_errno when the return carries none.
func rteStrerror(code int, rteErrno C.int) string {
	if code <= 0 {
		code = int(rteErrno)
	}
	return C.GoString(C.rte_strerror(C.int(code)))
}

// Do runs f on the main lcore and waits for it. Every DPDK control call
// goes through Do.
func (e *EAL) Do(f func() error) error {
	e.closeMu.Lock()
	if e.closed {
		e.closeMu.Unlock()
		return errors.New("dpdk: EAL is closed")
	}
	var err error
	ran := make(chan struct{})
	e.calls <- func() { err = f(); close(ran) }
	e.closeMu.Unlock()
	<-ran
	return err
}

// onTick registers f to run on the main lcore about once a second.
func (e *EAL) onTick(f func()) {
	e.tickerMu.Lock()
	e.tickers = append(e.tickers, f)
	e.tickerMu.Unlock()
}

// WorkerLcores returns the worker lcore ids (EAL lcores other than main).
func (e *EAL) WorkerLcores() []int { return append([]int(nil), e.workers...) }

// MainLcore returns the main lcore id.
func (e *EAL) MainLcore() int { return e.main }

// NoHuge reports whether EAL runs without hugepages.
func (e *EAL) NoHuge() bool { return e.noHuge }

// Args returns the arguments rte_eal_init was given (without the program name).
func (e *EAL) Args() []string { return append([]string(nil), e.args...) }

// Close calls rte_eal_cleanup on the main lcore. Close every Forwarder,
// port and pool first. DPDK cannot be used again by this process.
func (e *EAL) Close() error {
	e.closeMu.Lock()
	if e.closed {
		e.closeMu.Unlock()
		return nil
	}
	e.closed = true
	close(e.calls)
	e.closeMu.Unlock()
	<-e.done
	return nil
}

// workerThreadPrefixes are the names EAL gives its worker lcore threads
// ("rte-worker-N" in DPDK 22.11, "lcore-worker-N" before).
var workerThreadPrefixes = []string{"rte-worker-", "lcore-worker-"}

// lcoreThreads lists the process's threads named as EAL names its worker
// lcore threads. Only right after rte_eal_init are these EAL's own: a
// thread Go starts from one later inherits its name (and its CPU).
func lcoreThreads() []int {
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return nil
	}
	var tids []int
	for _, t := range tasks {
		tid, err := strconv.Atoi(t.Name())
		if err != nil {
			continue
		}
		comm, err := os.ReadFile("/proc/self/task/" + t.Name() + "/comm")
		if err != nil {
			continue
		}
		for _, p := range workerThreadPrefixes {
			if strings.HasPrefix(strings.TrimSpace(string(comm)), p) {
				tids = append(tids, tid)
				break
			}
		}
	}
	return tids
}

// LcoreThreads returns the thread ids of EAL's worker lcore threads (the
// forwarding loops run on them), as listed right after rte_eal_init.
func (e *EAL) LcoreThreads() []int { return slices.Clone(e.lcoreTIDs) }
