package flow

// prefetch asks the CPU to start loading the cache line of each address
// (PREFETCHT0) without waiting for any: one call per burst, so the
// misses of the burst overlap and no load holds the pipeline. An address
// need not be mapped (a prefetch never faults), and addresses are only
// hints, so a stale one costs nothing but a wasted fetch.
//
//go:noescape
func prefetch(addrs []uintptr)

// hasPrefetch reports whether prefetch issues prefetch instructions (else
// the batch operations touch the lines with ordinary loads).
const hasPrefetch = true
