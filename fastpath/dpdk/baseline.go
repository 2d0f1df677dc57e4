package dpdk

/*
#include <stdlib.h>
#include <rte_launch.h>
#include "gw.h"

struct gw_cfwd_arg {
	uint16_t in, out;
	uint64_t n, max_polls, done, cpu_ns;
};

static int gw_cfwd_entry(void *a)
{
	struct gw_cfwd_arg *x = a;
	uint64_t t0 = gw_thread_cpu_ns();

	x->done = gw_c_forward(x->in, x->out, x->n, x->max_polls);
	x->cpu_ns = gw_thread_cpu_ns() - t0;
	return 0;
}

static int gw_launch_cfwd(unsigned int lcore, struct gw_cfwd_arg *a)
{
	return rte_eal_remote_launch(gw_cfwd_entry, a, lcore);
}
*/
import "C"

import (
	"fmt"
	"time"
	"unsafe"
)

// cForward forwards n packets from in to out with a loop written entirely
// in C on the given worker lcore: the reference the Go worker loop is
// measured against (benchmarks), same ports, same lcore, same run.
// It returns the packets forwarded, the wall time and the lcore thread's
// CPU time.
func (e *EAL) cForward(lcore int, in, out *Port, n uint64) (uint64, time.Duration, time.Duration, error) {
	a := (*C.struct_gw_cfwd_arg)(C.calloc(1, C.size_t(unsafe.Sizeof(C.struct_gw_cfwd_arg{}))))
	defer C.free(unsafe.Pointer(a))
	a.in, a.out, a.n = C.uint16_t(in.id), C.uint16_t(out.id), C.uint64_t(n)
	a.max_polls = C.uint64_t(n*4 + 1_000_000)
	start := time.Now()
	err := e.Do(func() error {
		if rc := C.gw_launch_cfwd(C.uint(lcore), a); rc != 0 {
			return fmt.Errorf("dpdk: launching the C baseline on lcore %d: %s", lcore, rteStrerror(-int(rc), 0))
		}
		C.rte_eal_wait_lcore(C.uint(lcore))
		return nil
	})
	return uint64(a.done), time.Since(start), time.Duration(a.cpu_ns), err
}
