// Package engine is the per-burst packet pipeline of the gwlbctl fast path.
//
// It owns the Packet and Worker types the DPDK layer drives, the immutable
// Config snapshot a worker reads (ports and their roles, endpoints, targets,
// balance tables, attributes) and its atomic publication, the per-worker
// counters, and the flow listing served to the local API.
//
// Per packet from an endpoint side: non-IP frames and IPv6 neighbour
// discovery cross the bump wire unchanged; any other packet is parsed, its
// symmetric flow key built (endpoint id + tuple by stickiness), its flow
// looked up or created (a new flow gets a target from the balance table),
// then it is encapsulated in place in Geneve with the three AWS options and
// forwarded to the appliance port with the target's next-hop MAC. Per
// packet from the appliance port: accept only Geneve to the node address
// from the flow's current target, not a control packet (O bit) and with
// VNI 0 as GWLB sends it, with all three AWS options and a cookie that
// names a live flow of the same endpoint; decapsulate, restore the
// Ethernet header seen on ingress and forward it out of the side opposite
// to where that direction entered. Everything else is counted by reason
// and dropped, or handed to the kernel (Verdict Exception) when it is
// addressed to the node.
//
// A routed endpoint (RoleRouted) is one port with the endpoint's own
// addresses on a consumer subnet, the next hop consumer route tables
// point at: ARP, neighbour discovery and packets for its own addresses go
// to the port's exception TAP; every other IP packet is the endpoint's
// traffic, keyed and encapsulated as a bump side's; after the appliance it
// leaves the same port towards the next hop of the endpoint's longest
// matching route (Port.Routes, the connected prefixes on-link), the
// Ethernet header rebuilt from the port's MAC and the next hop's
// (Config.Neighbors). TTL and hop limit are not changed (GWLB is a
// transparent gateway). routedpath.go says what is dropped and why.
//
// Threading: one Worker per forwarding core (lcore), each with its own flow
// table and counters; a Worker is used by exactly one goroutine/thread
// (Stats, Flows, NeighborMisses and EndpointNeighborMisses are the
// exceptions, safe from any goroutine). Both directions of a flow and the appliance's return must
// reach the worker that owns the flow. Endpoint-side traffic is spread by
// the NIC's RSS on the inner tuple, which is symmetric only with a
// symmetric key (e.g. 0x6d5a repeated): the DPDK layer must configure one
// on endpoint ports when it runs several queues. The appliance's return is
// hashed on the outer 4-tuple, and the engine picks the outer UDP source
// port so that the return lands on the worker's own queue (RSSPorts, set
// as WorkerOptions.SourcePort). With one queue, as on a 2-core machine,
// all of this is trivially true.
//
// Choices where AWS documents nothing: a TCP flow (5-tuple stickiness)
// starts only with a SYN, also after the idle timeout and after a node
// restart; returns must come from the flow's current target and carry an
// inner packet of that flow (an appliance may not rewrite the tuple);
// the Ethernet header restored on the endpoint side is the initiator's,
// swapped for replies, with the initiator's VLAN tag; a return whose
// outer UDP checksum is non-zero is verified in software.
package engine
