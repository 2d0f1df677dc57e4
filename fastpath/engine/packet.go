package engine

import "github.com/gwlbctl/gwlbctl/fastpath/packet"

// Verdict is what the DPDK layer does with a processed packet.
type Verdict uint8

const (
	// Drop: free the buffer. The reason was counted.
	Drop Verdict = iota
	// Forward: transmit the frame Buf[Off:Off+Len] on port Out.
	Forward
	// Exception: hand the frame to the kernel through the exception TAP
	// of the receiving port (ARP, ICMP and other traffic for the node).
	Exception
	// Handoff: the packet's flow belongs to worker Out (see steer.go):
	// move it, unchanged, to that worker, which processes it with
	// HandedOff set.
	Handoff
)

func (v Verdict) String() string {
	switch v {
	case Drop:
		return "drop"
	case Forward:
		return "forward"
	case Exception:
		return "exception"
	case Handoff:
		return "handoff"
	}
	return "verdict(?)"
}

// Packet is one received frame and, after Process, what to do with it.
// The engine rewrites headers in place: encapsulation moves Off back into
// the headroom (it needs OuterHeadroom bytes), decapsulation moves it
// forward. The DPDK layer copies Off/Len back into the mbuf (data_off,
// data_len, pkt_len). Buf must hold the whole frame (no chained segments).
type Packet struct {
	Buf     []byte  // the whole buffer, headroom included (mbuf buf_addr..buf_len)
	Off     int     // frame start within Buf (mbuf data_off)
	Len     int     // frame length
	Port    uint16  // receiving port: index into Config.Ports
	Out     uint16  // set by the engine: output port index (Forward)
	Verdict Verdict // set by the engine
	// HandedOff is set by the DPDK layer on a packet another worker
	// handed over (Verdict Handoff): it is processed here, never handed on.
	HandedOff bool
}

// OuterHeadroom is the headroom encapsulation needs in front of the inner
// IP header: Ethernet 14 + IPv4 20 + UDP 8 + Geneve with AWS options 40.
// The inner Ethernet header (14 or 18 bytes) is reused, so a frame needs
// OuterHeadroom-14 bytes before Off; DPDK's default 128 is plenty.
const OuterHeadroom = packet.OuterInnerOffset
