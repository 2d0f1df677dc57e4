// Package packet parses and builds the headers the gwlbctl fast path touches:
// Ethernet (with at most one 802.1Q tag), ARP, IPv4, IPv6 with its extension
// headers, TCP, UDP, ICMP, ICMPv6 and Geneve with the AWS Gateway Load
// Balancer options, plus the Internet checksum and its incremental update.
//
// Every parser reads a caller-provided byte slice into a caller-provided
// struct and every builder writes into a caller-provided slice, so nothing
// here allocates and the same code runs on DPDK mbufs, pcap replays and test
// buffers (gopacket's DecodingLayerParser style). Parsers never panic on any
// input: they return one of the package's sentinel errors (match with
// errors.Is) and then reset the struct to its zero value, so a struct holds
// a result if and only if its parse returned nil. Builders return the number
// of bytes written, or 0 when the buffer is too short or the input cannot be
// encoded; they never write past the bytes they report.
//
// The package also names every header field offset the fast path touches
// (IPv4TotalLenOffset, UDPLengthOffset, GeneveProtocolTypeOffset,
// AWSFlowCookieOffset, ...) and the layer offsets of a frame as GWLB lays
// it out (OuterIPv4Offset ... OuterInnerOffset), so code that patches
// prebuilt headers in place (the engine's encapsulation templates) spells
// no offset of its own.
//
// # Documented choices
//
// Outer header (GWLB node -> appliance), written by PutOuterIPv4UDP:
//   - IPv4 without options, TTL 64 (OuterTTL) and DF set. How GWLB sets
//     TTL and DF is not published; DF says what GWLB guarantees (it never
//     fragments: inner MTU 8500, appliances need 8568+) and 64 is the usual
//     host default. (AWS's appliance-side handler sends its returns with
//     TTL 2, id 0 and no DF; those are accepted here like any other.)
//   - IPv4 identification 0: RFC 6864 allows any value in an atomic datagram
//     (DF set, not a fragment), and a constant keeps the builder stateless.
//   - UDP destination 6081, UDP checksum 0 (RFC 8926 allows zero over IPv4,
//     and AWS emits zero). The source port comes from GeneveSourcePort(flow
//     hash): always in 49152-65535, so appliance NICs spread flows by RSS and
//     both directions of one flow use the same port.
//
// Return path (appliance -> GWLB node), read by ParseOuter: the appliance
// swaps the outer addresses and keeps the UDP ports (source = the port GWLB
// chose, destination 6081). The outer IPv4 header checksum is always
// verified (20 bytes, a few nanoseconds). The UDP checksum is accepted when
// zero; when it is not zero ParseOuter reports it (Outer.UDPChecksummed)
// and leaves the decision to the caller: Outer.VerifyUDPChecksum checks it
// in software (about 14 GB/s) when the NIC has not (DPDK RX L4 checksum
// offload). AWS's handler builds its returns on a raw socket and does not
// set the UDP checksum field, so a strict check is a choice, not something
// GWLB is known to do.
//
// Inner packets are carried unmodified: their checksums are not verified
// (the receiving host does that) and nothing here rewrites them.
//
// Inner summary (Inner, filled by ParseL3): addresses are 16-byte arrays; an
// IPv4 address is stored IPv4-mapped (::ffff:a.b.c.d, RFC 4291 2.5.5.2), as
// netip.Addr.As16 does, so the flow key has one shape for both families.
// Ports are set for TCP, UDP, UDP-Lite, SCTP and DCCP (HasPorts). For ICMP and
// ICMPv6 echo request/reply the echo identifier is stored as both SrcPort and
// DstPort (IsEcho, HasPorts stays false): the identifier is shared by both
// directions, so a flow key that uses it stays symmetric. Non-first
// fragments carry no transport header: ports are zero and the flow layer must
// place them by addresses, protocol and fragment id.
//
// Geneve (ParseGeneve): the three AWS options (class 0x0108, types 1, 2, 3)
// are found by class and type wherever they stand. Unknown options are
// skipped and stay in Geneve.Options untouched; an unknown option with the
// critical bit (high bit of the type) is reported in UnknownCritical (RFC 8926
// says such a packet must be dropped; the caller decides). A repeated AWS
// option or one with the wrong length is an error: the packet would be
// ambiguous, and ambiguity on the return path is how traffic gets injected.
//
// Neighbour discovery (IsNeighborDiscovery): an ICMPv6 type 133-137
// message counts as one only as a host would accept it (code 0, hop limit
// 255, its minimum length) and only with ICMPv6 right after the fixed IPv6
// header, so a message behind extension headers or in a fragment is never
// taken for one.
package packet
