package packet

// NDHopLimit is the hop limit every neighbour discovery message carries
// (RFC 4861 6.1, 7.1, 8.1): a receiver drops one with any other, so a
// valid message cannot have crossed a router.
const NDHopLimit = 255

// ndMinLen is the shortest valid ICMPv6 message of each neighbour
// discovery type, 133-137 (RFC 4861: router solicitation 8, router
// advertisement 16, neighbour solicitation and advertisement 24, redirect
// 40 bytes).
var ndMinLen = [5]uint8{8, 16, 24, 24, 40}

// IsNeighborDiscovery reports whether the IPv6 packet ip, which ParseL3
// summarised into in, is a neighbour discovery message a host would
// accept (RFC 4861): ICMPv6 router solicitation or advertisement,
// neighbour solicitation or advertisement, or redirect (types 133-137)
// with code 0, hop limit 255 and at least the message's minimum length.
// ICMPv6 must follow the fixed header directly: a message behind
// extension headers, a fragment in particular (RFC 6980 forbids
// fragmented neighbour discovery), is not accepted here, so nothing can
// hide one behind headers a host would parse differently. Checksums are
// not verified (the receiving host does).
func IsNeighborDiscovery(ip []byte, in *Inner) bool {
	t := in.ICMPType - ICMPv6RouterSolicitation
	return in.Version == 6 && in.Protocol == ProtoICMPv6 && in.L4Offset == IPv6HeaderLen &&
		in.Flags&InnerFragment == 0 && t < uint8(len(ndMinLen)) && in.ICMPCode == 0 &&
		in.TotalLen >= IPv6HeaderLen+uint32(ndMinLen[t]) &&
		len(ip) > IPv6HopLimitOffset && ip[IPv6HopLimitOffset] == NDHopLimit
}
