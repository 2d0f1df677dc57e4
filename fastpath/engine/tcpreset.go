package engine

import (
	"encoding/binary"

	"github.com/gwlbctl/gwlbctl/fastpath/packet"
)

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
	seq := binary.BigEndian.Uint32(tcp[4:8])
	ack := binary.BigEndian.Uint32(tcp[8:12])
	doff := int(tcp[12]>>4) * 4
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
	copy(mac[:], frame[0:6])
	copy(frame[0:6], frame[6:12])
	copy(frame[6:12], mac[:])

	sport, dport := binary.BigEndian.Uint16(tcp[0:2]), binary.BigEndian.Uint16(tcp[2:4])
	binary.BigEndian.PutUint16(tcp[0:2], dport)
	binary.BigEndian.PutUint16(tcp[2:4], sport)
	binary.BigEndian.PutUint32(tcp[4:8], rseq)
	binary.BigEndian.PutUint32(tcp[8:12], rack)
	tcp[12] = 5 << 4
	tcp[13] = flags
	binary.BigEndian.PutUint32(tcp[14:18], 0) // window, checksum
	binary.BigEndian.PutUint16(tcp[18:20], 0) // urgent
	seg := tcp[:packet.TCPMinHeaderLen]

	ip := frame[ipOff:]
	var pseudo uint32
	if in.Version == 4 {
		var a [4]byte
		copy(a[:], ip[12:16])
		copy(ip[12:16], ip[16:20])
		copy(ip[16:20], a[:])
		binary.BigEndian.PutUint16(ip[2:4], packet.IPv4MinHeaderLen+packet.TCPMinHeaderLen)
		binary.BigEndian.PutUint16(ip[4:6], 0)
		binary.BigEndian.PutUint16(ip[6:8], 0x4000) // DF
		ip[8] = 64
		binary.BigEndian.PutUint16(ip[10:12], packet.IPv4HeaderChecksum(ip[:packet.IPv4MinHeaderLen]))
		var s, d [4]byte
		copy(s[:], ip[12:16])
		copy(d[:], ip[16:20])
		pseudo = packet.PseudoHeaderSumIPv4(s, d, packet.ProtoTCP, len(seg))
	} else {
		var a [16]byte
		copy(a[:], ip[8:24])
		copy(ip[8:24], ip[24:40])
		copy(ip[24:40], a[:])
		binary.BigEndian.PutUint16(ip[4:6], packet.TCPMinHeaderLen)
		ip[7] = 64
		var s, d [16]byte
		copy(s[:], ip[8:24])
		copy(d[:], ip[24:40])
		pseudo = packet.PseudoHeaderSumIPv6(s, d, packet.ProtoTCP, len(seg))
	}
	binary.BigEndian.PutUint16(seg[16:18], packet.TransportChecksum(pseudo, seg))
	p.Len = l4Off + packet.TCPMinHeaderLen
	if p.Len < 60 {
		// Pad to the Ethernet minimum with zeros (the frame had room: it
		// was at least this long, and the bytes after the IP packet are
		// not part of it).
		for i := p.Len; i < 60 && i < len(frame); i++ {
			frame[i] = 0
		}
		p.Len = min(60, len(frame))
	}
	p.Verdict, p.Out = Forward, p.Port
	return true
}
