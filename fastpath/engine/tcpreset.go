package engine

import (
	"encoding/binary"

	"github.com/gwlbctl/gwlbctl/fastpath/packet"
)

// resetTTL is the TTL (hop limit) of the RSTs tcpReset sends: a host's
// usual default.
const resetTTL = 64

// minFrameLen is the shortest Ethernet frame without its FCS.
const minFrameLen = 60

// tcpReset turns a TCP packet that has no flow (after the idle timeout)
// into the RST that answers it (RFC 9293 3.10.7.1), in place, and sends it
// back out of the side it came in: send_tcp_reset.on_idle_timeout. It
// returns false (the caller drops the packet) for packets it does not
// answer: RSTs, IPv4 with options, IPv6 with extension headers.
func tcpReset(p *Packet, it *encapItem) bool {
	in := &it.inner
	frame := p.Buf[p.Off : p.Off+p.Len]
	ipOff := it.eth.HeaderLen
	l4Off := ipOff + int(in.L4Offset)
	if in.TCPFlags&packet.TCPRst != 0 || in.IsFragment() ||
		(in.Version == 4 && in.L4Offset != packet.IPv4MinHeaderLen) ||
		(in.Version == 6 && in.L4Offset != packet.IPv6HeaderLen) ||
		len(frame) < l4Off+packet.TCPMinHeaderLen {
		return false
	}
	tcp := frame[l4Off:]
	seq := binary.BigEndian.Uint32(tcp[packet.TCPSeqOffset:])
	ack := binary.BigEndian.Uint32(tcp[packet.TCPAckOffset:])
	doff := int(tcp[packet.TCPDataOffsetOffset]>>4) * 4
	segLen := int(in.TotalLen) - int(in.L4Offset) - doff
	if segLen < 0 {
		return false
	}
	if in.TCPFlags&packet.TCPSyn != 0 {
		segLen++
	}
	if in.TCPFlags&packet.TCPFin != 0 {
		segLen++
	}
	var rseq, rack uint32
	var flags uint8
	if in.TCPFlags&packet.TCPAck != 0 {
		rseq, flags = ack, packet.TCPRst
	} else {
		rack, flags = seq+uint32(segLen), packet.TCPRst|packet.TCPAck
	}

	// Ethernet: back to the sender (the tag, if any, stays).
	var mac [6]byte
	copy(mac[:], frame[packet.EthernetDstOffset:])
	copy(frame[packet.EthernetDstOffset:packet.EthernetSrcOffset], frame[packet.EthernetSrcOffset:packet.EthernetTypeOffset])
	copy(frame[packet.EthernetSrcOffset:packet.EthernetTypeOffset], mac[:])

	sport := binary.BigEndian.Uint16(tcp[packet.TCPSrcPortOffset:])
	dport := binary.BigEndian.Uint16(tcp[packet.TCPDstPortOffset:])
	binary.BigEndian.PutUint16(tcp[packet.TCPSrcPortOffset:], dport)
	binary.BigEndian.PutUint16(tcp[packet.TCPDstPortOffset:], sport)
	binary.BigEndian.PutUint32(tcp[packet.TCPSeqOffset:], rseq)
	binary.BigEndian.PutUint32(tcp[packet.TCPAckOffset:], rack)
	tcp[packet.TCPDataOffsetOffset] = packet.TCPMinHeaderLen / 4 << 4
	tcp[packet.TCPFlagsOffset] = flags
	binary.BigEndian.PutUint16(tcp[packet.TCPWindowOffset:], 0)
	binary.BigEndian.PutUint16(tcp[packet.TCPChecksumOffset:], 0)
	binary.BigEndian.PutUint16(tcp[packet.TCPUrgentOffset:], 0)
	seg := tcp[:packet.TCPMinHeaderLen]

	ip := frame[ipOff:]
	var pseudo uint32
	if in.Version == 4 {
		const src, dst = packet.IPv4SrcOffset, packet.IPv4DstOffset
		var a [4]byte
		copy(a[:], ip[src:dst])
		copy(ip[src:dst], ip[dst:dst+4])
		copy(ip[dst:dst+4], a[:])
		binary.BigEndian.PutUint16(ip[packet.IPv4TotalLenOffset:], packet.IPv4MinHeaderLen+packet.TCPMinHeaderLen)
		binary.BigEndian.PutUint16(ip[packet.IPv4IDOffset:], 0)
		binary.BigEndian.PutUint16(ip[packet.IPv4FlagsOffset:], uint16(packet.IPv4DontFragment)<<13)
		ip[packet.IPv4TTLOffset] = resetTTL
		binary.BigEndian.PutUint16(ip[packet.IPv4ChecksumOffset:], packet.IPv4HeaderChecksum(ip[:packet.IPv4MinHeaderLen]))
		var s, d [4]byte
		copy(s[:], ip[src:dst])
		copy(d[:], ip[dst:dst+4])
		pseudo = packet.PseudoHeaderSumIPv4(s, d, packet.ProtoTCP, len(seg))
	} else {
		const src, dst = packet.IPv6SrcOffset, packet.IPv6DstOffset
		var a [16]byte
		copy(a[:], ip[src:dst])
		copy(ip[src:dst], ip[dst:dst+16])
		copy(ip[dst:dst+16], a[:])
		binary.BigEndian.PutUint16(ip[packet.IPv6PayloadLenOffset:], packet.TCPMinHeaderLen)
		ip[packet.IPv6HopLimitOffset] = resetTTL
		var s, d [16]byte
		copy(s[:], ip[src:dst])
		copy(d[:], ip[dst:dst+16])
		pseudo = packet.PseudoHeaderSumIPv6(s, d, packet.ProtoTCP, len(seg))
	}
	binary.BigEndian.PutUint16(seg[packet.TCPChecksumOffset:], packet.TransportChecksum(pseudo, seg))
	p.Len = l4Off + packet.TCPMinHeaderLen
	if p.Len < minFrameLen {
		// Pad to the Ethernet minimum with zeros (the frame had room: it
		// was at least this long, and the bytes after the IP packet are
		// not part of it).
		for i := p.Len; i < minFrameLen && i < len(frame); i++ {
			frame[i] = 0
		}
		p.Len = min(minFrameLen, len(frame))
	}
	p.Verdict, p.Out = Forward, p.Port
	return true
}
