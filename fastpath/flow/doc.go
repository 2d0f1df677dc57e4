// Package flow owns the forwarder's flow state: symmetric flow keys, the
// seeded flow hash, and the fixed-capacity flow table with its cookies and
// idle timeouts.
//
// # Keys
//
// A Key is the endpoint id plus the tuple chosen by the target group's
// stickiness: the 5-tuple for TCP and UDP by default, the 3-tuple
// (addresses + protocol) for every other protocol and for
// stickiness.type=source_ip_dest_ip_proto, the 2-tuple (addresses) for
// stickiness.type=source_ip_dest_ip. The endpoint id is part of the key
// because endpoints in different VPCs may use overlapping addresses.
//
// Keys are symmetric: NewKey orders the two (address, port) ends, so A->B
// and B->A produce the same Key and therefore the same hash, flow entry and
// target. NewKey also returns the packet's Orientation (which end sent it),
// so the engine can tell the initiator's direction from the reply's.
//
// Addresses are 16 bytes; IPv4 addresses are IPv4-mapped (::ffff:a.b.c.d,
// see V4Mapped), as netip.Addr.As16 produces them.
//
// # Fragments
//
// Non-first IP fragments carry no ports, so a fragment (first or not, IPv4
// or IPv6) is always keyed by its 3-tuple (addresses + protocol), whatever
// the stickiness. All fragments of a datagram therefore share one flow and
// one target, in both directions, independently of arrival order and
// without a reassembly side table. The price: the fragments of a 5-tuple
// TCP/UDP flow form their own 3-tuple flow, which may be served by another
// target than the flow's unfragmented packets. GWLB never fragments itself
// (inner MTU 8500), so this only concerns traffic that arrives fragmented.
// With 3-tuple or 2-tuple stickiness fragments and whole packets share the
// flow anyway. (AWS does not document its rule; this is ours.)
//
// # Hash
//
// Hasher is a seeded multiply-xor hash over the six 64-bit words of a Key
// (little-endian). It is not cryptographic. It is deterministic for a given
// seed, so nodes configured with the same seed and the same target set pick
// the same target for a flow (see package balance).
//
// # Table
//
// Table holds up to Config.Capacity flows in two arrays allocated once at
// New and never resized:
//
//   - entries: one 112-byte Entry per flow (no pointers), allocated from a
//     FIFO ring of freed entries (4 bytes per flow) so that a freed entry is
//     reused as late as possible; an entry's first 64 bytes hold its live
//     bit and generation next to the key, so a cookie is checked with the
//     bytes a return reads anyway;
//   - index: open addressing with linear probing over 32-bit slots (8-bit
//     hash tag + 24-bit entry reference), sized to the power of two at least
//     twice the capacity (load factor <= 0.5). Deletion shifts the following
//     slots back (no tombstones), so probe lengths never degrade.
//
// Both arrays are mapped with mmap outside the Go heap (the garbage
// collector neither scans nor counts them; transparent huge pages are
// requested to cut TLB misses) and backed with memory when the table is
// created, so no page fault lands on the forwarding core; the table's RSS
// is its full size from the start. At 1M flows the table costs 124 bytes per
// flow: 112 for the entry, 8 for the index and 4 for the free ring
// (BenchmarkMemory measures it, also as RSS growth). The generations
// were once an array of their own, 2 bytes per flow, read without
// touching the entry; with 1M flows that array was one more page and line
// missed per packet (BenchmarkEncapEstablished/1M, medians of four
// interleaved runs: 192 cpu-ns/pkt with it, 129 with the generation in
// the entry).
//
// An entry is not one 64-byte cache line because what a flow keeps adds up
// to 112 bytes: the Key 48 (endpoint id 8, two 16-byte addresses, two
// ports, protocol, tuple kind), both directions' packet and byte counters
// 32 (64-bit: a 32-bit packet counter of one flow at 10 Mpps wraps within
// 8 minutes, a 40-bit byte counter at 10 Gb/s within 15), the initiator's
// Ethernet addresses 12 and 802.1Q tag 2 (every return restores them),
// last-seen and creation times 4+4, the target 2, each direction's
// ingress port 2+2, flags and timeout class 1+1, live bit and generation
// 2. The key and the counters alone are 80 bytes, and what an
// encapsulated packet's hit reads or writes (key, last-seen, flags, class,
// target, both ports, generation, its direction's two counters) 78: a
// hot/cold split would still touch two
// lines per packet. One line per flow needs a
// narrower key (IPv4-only entries with 4-byte addresses, or an endpoint
// index instead of its 64-bit id, remapped on every configuration reload)
// or narrower counters; the table does neither.
//
// The batch operations (LookupBatch, PrefetchCookies) request the index
// slots, then the entries' lines of a whole burst with
// prefetch instructions (PREFETCHT0, prefetch_amd64.s, one call per
// stage), so the burst's misses overlap without a load waiting on each;
// other architectures touch the lines with ordinary loads instead.
//
// # Cookies
//
// A flow cookie (Geneve option type 3) is 32 bits: the entry reference in
// the low IndexBits bits (IndexBits = bits needed for Capacity-1) and the
// entry's generation in the bits above, at most 15 of them. The generation
// is bumped each time the entry is reused and is never 0, so a cookie of a
// freed or reused entry does not match, and a cookie of 0 never matches.
// A forged cookie matches a live flow with probability about
// live/2^32; a stale one matches again only after its entry has been reused
// a multiple of 2^GenerationBits-1 times (4095 reuses at 1M capacity,
// 12 generation bits; freed entries are reused oldest first, so at 1M
// flows that is billions of new flows). The
// engine additionally checks the endpoint id and the target's address.
// Capacity is at most 2^24-1 (16.7M flows), which leaves at least 8
// generation bits.
//
// In a node of several workers, each worker's table puts its worker id in
// the cookie's top WorkerBits(workers) bits (1 bit for 2 workers, 4 for
// MaxWorkers = 16), the generation in between: CookieLayout.Worker tells
// any worker which one owns a return's flow without touching a table, and
// a table refuses cookies naming another worker. The id bits come out of
// the entry reference's share, so a table holds at most
// MaxCapacityFor(workers) flows (2^23-1 each for 2 workers), keeping the
// 8 generation bits.
//
// # Timeouts
//
// TCP flows expire after the listener's tcp.idle_timeout.seconds (350 s by
// default, 60-6000 s); all other flows after 120 s (fixed, as in AWS).
// Last-seen times are kept in whole seconds of the engine's monotonic
// clock. Expire reclaims idle flows incrementally: each call examines at
// most budget entries, so there is never a stop-the-world sweep. Lookup
// reports a flow that is past its timeout but not yet reclaimed as Expired,
// so the engine can apply "after a TCP timeout only a SYN starts a new
// flow". When the table is full, Insert first reclaims a bounded number of
// expired flows; if none, it fails with ErrFull. Live flows are never
// evicted early.
//
// A Table is owned by one worker and is not safe for concurrent use.
package flow
