package dpdk

/*
#include <stdlib.h>
#include <rte_log.h>
#include "gw.h"
*/
import "C"

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"unsafe"
)

// DPDK's log. gw.c gives DPDK one log stream for the process: stderr, or,
// while a call runs under captureLog (or rte_eal_init), a buffer that keeps
// each message with its level, so the call's error can carry DPDK's own
// reason in one line instead of an errno.

// quietLogType raises a DPDK log type's threshold to critical while f
// runs, at the default log level only. net_tap warns on every start that
// no real-time signal is free for rx interrupts (Go owns them all; the
// exception path polls, so none is needed) and that the multiq qdisc is
// missing (only rte_flow needs it); errors still come back as Go errors.
func (e *EAL) quietLogType(name string, f func() error) error {
	if !e.quiet {
		return f()
	}
	var id C.int
	var old C.int
	_ = e.Do(func() error {
		cname := C.CString(name)
		defer C.free(unsafe.Pointer(cname))
		id = C.rte_log_register(cname)
		if id >= 0 {
			old = C.rte_log_get_level(C.uint32_t(id))
			C.rte_log_set_level(C.uint32_t(id), C.RTE_LOG_CRIT)
		}
		return nil
	})
	err := f()
	if id >= 0 && old > 0 {
		_ = e.Do(func() error { C.rte_log_set_level(C.uint32_t(id), C.uint32_t(old)); return nil })
	}
	return err
}

// takeCString returns a malloc'd C string's text and frees it.
func takeCString(p *C.char) string {
	if p == nil {
		return ""
	}
	defer C.free(unsafe.Pointer(p))
	return C.GoString(p)
}

// capturedLog is DPDK's log of one call, message by message.
type capturedLog []logMessage

type logMessage struct {
	level int // RTE_LOG_*: 1 emergency ... 4 error, 5 warning, 6 notice
	text  string
}

// parseCapture splits what gw_capture_end returned.
func parseCapture(s string) capturedLog {
	var out capturedLog
	for _, m := range strings.Split(s, "\x1e") {
		lvl, text, ok := strings.Cut(m, "\x1f")
		if !ok {
			continue
		}
		n, _ := strconv.Atoi(lvl)
		out = append(out, logMessage{level: n, text: text})
	}
	return out
}

// text is the log as DPDK would have written it.
func (l capturedLog) text() string {
	var b strings.Builder
	for _, m := range l {
		b.WriteString(m.text)
	}
	return b.String()
}

// consequences are DPDK error lines that only repeat that an earlier
// line's problem made the call fail.
var consequences = []string{
	"Failed to attach device on",
	"Driver cannot attach the device",
	"FATAL: Invalid 'command line' arguments",
	"Error - exiting",
}

// cause is the first error-level message that is not a consequence of an
// earlier one, on one line, without its "EAL: " prefix.
func (l capturedLog) cause() string {
	for _, m := range l {
		if m.level > C.RTE_LOG_ERR {
			continue
		}
		if line := causeLine(m.text); line != "" {
			return line
		}
	}
	return ""
}

// stderrCause is the first line EAL or getopt wrote to C's stderr during
// initialisation that names a problem ("unrecognized option '--x'").
func stderrCause(s string) string {
	for _, line := range strings.Split(s, "\n") {
		if c := causeLine(line); c != "" {
			return c
		}
	}
	return ""
}

func causeLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" || slices.ContainsFunc(consequences, func(c string) bool { return strings.Contains(s, c) }) {
		return ""
	}
	s = strings.TrimPrefix(s, "gwlbctl: ") // getopt names the program
	return strings.TrimPrefix(s, "EAL: ")
}

// captureLog runs f (on the main lcore) with DPDK's log captured and
// returns f's result and, when it failed, the message that says why; on
// success the log is passed on to stderr.
func captureLog(f func() C.int) (C.int, string) {
	C.gw_capture_begin()
	rc := f()
	logged := parseCapture(takeCString(C.gw_capture_end()))
	if rc >= 0 {
		os.Stderr.WriteString(logged.text())
		return rc, ""
	}
	return rc, logged.cause()
}
