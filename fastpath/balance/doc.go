// Package balance owns target selection: Maglev consistent-hash tables
// (Eisenbud et al., NSDI 2016) built from a target group's targets, with
// availability zones, cross-zone load balancing, health, draining and the
// target failover attributes.
//
// # Tables
//
// A table has M slots (a prime) each naming a target; a flow hash h
// selects slot hi64(h * M). Every target's preference list is a permutation
// of the slots derived from two hashes of its ID (FNV-1a, then two fixed
// mixes), as in Maglev. Each target owns exactly floor(M/N) or ceil(M/N)
// slots (the M mod N targets first in an ID-hash order get the larger
// quota), so the balance is within 1% whenever M >= 100 N. Targets walk
// their lists in lockstep, one preference per round, taking each free slot
// they reach until their quota is full (ties within a round go to the
// smaller ID). This differs from the paper's fill, where a target skips
// ahead to its next free slot in its turn: with M = 65537 and N = 300 the
// paper's fill moves about 2.5/N of the slots besides a removed target's
// own, the lockstep fill 1.1/N to 1.3/N.
//
// The table is a pure function of the set of target IDs and M: input
// order, build history, process and node do not matter, so nodes with the
// same targets (and the same flow hash seed) send a flow to the same target.
//
// M is Options.TableSize if set, else 65537 for tables of up to 163
// targets and the next of 131071, 262139, 524287, 1048573 that leaves at
// least 400 slots per target (131071 up to 327 targets). Growing M with N
// keeps the slots moved by a target removal, besides its own, under 1.2/N
// at 300 targets (0.9/N measured). The price: a table whose target count
// crosses 163 is rebuilt at the other size, and new flows are then spread
// afresh (existing flows keep their target; nodes still agree).
//
// # Which table a new flow uses
//
// Cross-zone off (default): each availability zone has its own table, and
// a node picks only among targets in its own zone. Cross-zone on: one table
// over all zones. Within that scope:
//
//   - the healthy, non-draining targets, if there is at least one;
//   - otherwise (no healthy target) all registered non-draining targets,
//     healthy or not, so traffic keeps flowing: each new flow gets one of
//     them and keeps it for its life (GWLB's fail-open);
//   - otherwise (no target, or only draining ones) no table: Lookup reports
//     no target and the engine drops and counts the new flow. This is the
//     case of a node whose zone has no targets with cross-zone off.
//
// Draining targets never get new flows.
//
// # Existing flows
//
// Flows store a target index. Indices are stable across Builds (pass the
// previous Set): a target keeps its index while registered, and a removed
// target keeps its index (as a tombstone, with its address) so flows still
// pointing at it can be served or moved; tombstoned indices are reused only
// when MaxTargets indices are in use, oldest first.
//
// Moved reports, in O(1) from a per-target byte, whether the flows of a
// target must be re-hashed now (then the engine picks again with Lookup and
// updates the flow):
//
//   - no_rebalance (default): never. Flows stay on unhealthy, draining and
//     deregistered targets until they go idle, as AWS documents ("continues
//     to send existing flows to failed or drained targets").
//   - rebalance: flows of a deregistered target move once its deregistration
//     delay is over (the control plane removes it from the target list, or
//     reports it unused); flows of an unhealthy target move as soon as it
//     is unhealthy (the health checker declares that after interval x
//     unhealthy threshold), but only while its scope has a healthy target to
//     move to; a draining target keeps its flows during the delay.
package balance
