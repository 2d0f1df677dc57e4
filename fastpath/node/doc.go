// Package node wires one load balancer node, and only that: the node
// config (which gateway load balancer and availability zone it serves, its
// EAL arguments, its ports by role, its API), the conversion of the control
// plane's state into engine.Config snapshots, the reloader that republishes
// a snapshot when the store's watch delivers a change (without touching the
// flow tables, so established flows survive), the next hops from the
// kernel's neighbour table behind the exception TAP, the locks that keep a
// second node off its ports and socket, and control/api's Backend.
//
// By role:
//   - config.go: the node config and its validation, every problem naming
//     its key (devices through dpdk.ParseDevice and CheckDistinct, endpoint
//     ids through control, flows.capacity against the flow table's limit).
//   - workers.go: several forwarding workers (eal.workers against the
//     lcores, a queue pair per worker, the RSS source ports that bring
//     returns back to their worker's queue).
//   - plan.go, check.go: the pure half of a start (Prepare: config, host,
//     store, first snapshot; no root, no DPDK) and the report `gwlbctl
//     serve --check` prints from it.
//   - run.go, locks.go: Start (Prepare, workers, locks, then EAL, ports,
//     TAPs and forwarding, once), Wait, an idempotent Stop and Close.
//   - snapshot.go, reload.go, neighbor.go: state -> snapshot (target health
//     as describe-target-health decides it, control's attributes), the
//     reloader over Store.Watch and its time-based triggers, neighbours.
//   - backend.go, stats.go, rates.go, events.go, statsfile.go: the node API
//     (control/api.Backend) over the workers' counters and tables, the stats
//     document and file, rates from counter deltas, events.
//
// The command line (gwlbctl serve) only loads the configuration and calls
// Run or Check; everything a node does lives here so it can be tested
// without a process. Benchmarks drive a node through StartOptions
// (internal/benchnode).
package node
