package engine

import (
	"net/netip"
	"testing"
)

// outerDst is the target an encapsulated frame is sent to.
func outerDst(p *Packet) netip.Addr {
	f := frameOf(p)
	return netip.AddrFrom4([4]byte(f[14+16 : 14+20]))
}

// TestPickUpTCPMidFlow: with PickUpTCP, a worker that never saw a TCP
// connection takes its packets after the SYN (either direction) onto the
// target another worker with the same config chose at the SYN, and its
// returns come back; a RST never starts a flow, and an entry still in the
// table after its idle timeout keeps AWS's rule (only a SYN restarts it).
func TestPickUpTCPMidFlow(t *testing.T) {
	attr := Attributes{TCPIdleTimeout: 60e9, PickUpTCP: true}
	syn := ipEther(serverMAC, clientMAC, 0, ipPacket(clientIP, serverIP, l4{proto: 6, sport: 40000, dport: 443, flags: tcpSYN}))
	ack := ipEther(serverMAC, clientMAC, 0, ipPacket(clientIP, serverIP, l4{proto: 6, sport: 40000, dport: 443, flags: tcpACK | tcpPSH}))
	back := ipEther(clientMAC, serverMAC, 0, ipPacket(serverIP, clientIP, l4{proto: 6, sport: 443, dport: 40000, flags: tcpACK}))

	// Node A carries the connection from its SYN.
	a, _ := newTestWorker(t, testConfig(t, 8, attr), 256)
	p := process(a, syn, 1, 1e9)
	if p.Verdict != Forward {
		t.Fatalf("SYN on A: verdict %v", p.Verdict)
	}
	target := outerDst(&p)

	for _, c := range []struct {
		name  string
		frame []byte
		port  uint16
	}{{"client's ACK", ack, 1}, {"server's ACK", back, 2}} {
		t.Run(c.name, func(t *testing.T) {
			b, _ := newTestWorker(t, testConfig(t, 8, attr), 256)
			p := process(b, c.frame, c.port, 2e9)
			if p.Verdict != Forward || outerDst(&p) != target {
				t.Fatalf("picked up: verdict %v to %v; want Forward to %v, A's target", p.Verdict, outerDst(&p), target)
			}
			if b.c.totals.PickedUpFlows != 1 || b.c.totals.NewFlows != 1 {
				t.Fatalf("picked up %d, new flows %d; want 1, 1", b.c.totals.PickedUpFlows, b.c.totals.NewFlows)
			}
			ret := process(b, applianceReply(frameOf(&p), false), 0, 2e9)
			if ret.Verdict != Forward || ret.Out == 0 {
				t.Fatalf("return of a picked-up flow: verdict %v out %d", ret.Verdict, ret.Out)
			}
			// Its next packet is an ordinary hit: no second pickup.
			if p := process(b, c.frame, c.port, 3e9); p.Verdict != Forward || b.c.totals.PickedUpFlows != 1 || b.c.totals.NewFlows != 1 {
				t.Fatalf("second packet: verdict %v, picked up %d, new flows %d", p.Verdict, b.c.totals.PickedUpFlows, b.c.totals.NewFlows)
			}
			// Idle past the timeout with the entry still in the table: a
			// non-SYN is dropped as no_flow, as AWS does; a SYN starts over.
			before := dropsOf(b, ReasonNoFlow)
			if p := process(b, c.frame, c.port, 64e9); p.Verdict != Drop || dropsOf(b, ReasonNoFlow) != before+1 {
				t.Fatalf("after the idle timeout: verdict %v, no_flow %d -> %d", p.Verdict, before, dropsOf(b, ReasonNoFlow))
			}
		})
	}

	b, _ := newTestWorker(t, testConfig(t, 8, attr), 256)
	rst := ipEther(serverMAC, clientMAC, 0, ipPacket(clientIP, serverIP, l4{proto: 6, sport: 40001, dport: 443, flags: 0x04}))
	wantDrop(t, b, process(b, rst, 1, 1e9), ReasonNoFlow)

	// Without PickUpTCP (one node, AWS's rule) the ACK is dropped.
	off, _ := newTestWorker(t, testConfig(t, 8, Attributes{TCPIdleTimeout: 60e9}), 256)
	wantDrop(t, off, process(off, ack, 1, 1e9), ReasonNoFlow)
	if off.c.totals.PickedUpFlows != 0 {
		t.Fatalf("picked up %d flows without PickUpTCP", off.c.totals.PickedUpFlows)
	}
}
