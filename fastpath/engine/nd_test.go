package engine

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"testing"
)

// ndMessage builds an ICMPv6 neighbour discovery packet of type typ from
// src to dst with the given hop limit: body is what follows the 4-byte
// ICMPv6 header (flags/reserved, target, options). ext, when set, puts
// an empty hop-by-hop options header in front of the ICMPv6 message.
func ndMessage(src, dst netip.Addr, typ uint8, hopLimit uint8, body []byte, ext bool) []byte {
	icmp := append([]byte{typ, 0, 0, 0}, body...)
	acc := csumAdd(src.AsSlice(), 0)
	acc = csumAdd(dst.AsSlice(), acc)
	acc += 58 + uint32(len(icmp))
	binary.BigEndian.PutUint16(icmp[2:], csumFold(csumAdd(icmp, acc)))
	payload := icmp
	next := uint8(58)
	if ext {
		payload = append([]byte{58, 0, 1, 4, 0, 0, 0, 0}, icmp...) // PadN
		next = 0
	}
	h := make([]byte, 40)
	h[0] = 0x60
	binary.BigEndian.PutUint16(h[4:], uint16(len(payload)))
	h[6] = next
	h[7] = hopLimit
	copy(h[8:], src.AsSlice())
	copy(h[24:], dst.AsSlice())
	return append(h, payload...)
}

// solicitedNode returns the solicited-node multicast address of a and its
// Ethernet group address.
func solicitedNode(a netip.Addr) (netip.Addr, [6]byte) {
	b := a.As16()
	m := [16]byte{0: 0xff, 1: 0x02, 11: 0x01, 12: 0xff, 13: b[13], 14: b[14], 15: b[15]}
	return netip.AddrFrom16(m), [6]byte{0x33, 0x33, 0xff, b[13], b[14], b[15]}
}

func llOption(typ uint8, mac [6]byte) []byte { return append([]byte{typ, 1}, mac[:]...) }

// ndFrames are the five neighbour discovery messages as hosts send them.
func ndFrames() map[string][]byte {
	sn, snMAC := solicitedNode(server6)
	allRouters := netip.MustParseAddr("ff02::2")
	allNodes := netip.MustParseAddr("ff02::1")
	clientLL := netip.MustParseAddr("fe80::cc:1")
	serverLL := netip.MustParseAddr("fe80::5e:2")
	tgt := server6.As16()
	return map[string][]byte{
		"router solicitation": ipEther([6]byte{0x33, 0x33, 0, 0, 0, 2}, clientMAC, 0,
			ndMessage(clientLL, allRouters, 133, 255, append(make([]byte, 4), llOption(1, clientMAC)...), false)),
		"router advertisement": ipEther([6]byte{0x33, 0x33, 0, 0, 0, 1}, serverMAC, 0,
			ndMessage(serverLL, allNodes, 134, 255, append([]byte{64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, llOption(1, serverMAC)...), false)),
		"neighbour solicitation": ipEther(snMAC, clientMAC, 0,
			ndMessage(client6, sn, 135, 255, append(append(make([]byte, 4), tgt[:]...), llOption(1, clientMAC)...), false)),
		"neighbour advertisement": ipEther(clientMAC, serverMAC, 0,
			ndMessage(server6, client6, 136, 255, append(append([]byte{0x60, 0, 0, 0}, tgt[:]...), llOption(2, serverMAC)...), false)),
		"redirect": ipEther(clientMAC, serverMAC, 0,
			ndMessage(serverLL, clientLL, 137, 255, append(append(make([]byte, 4), tgt[:]...), tgt[:]...), false)),
		"neighbour solicitation, tagged": ipEther(snMAC, clientMAC, 0x0064,
			ndMessage(client6, sn, 135, 255, append(append(make([]byte, 4), tgt[:]...), llOption(1, clientMAC)...), false)),
	}
}

// TestNeighborDiscoveryBridged: IPv6 neighbour discovery (ICMPv6 133-137,
// hop limit 255, no extension headers) crosses the bump wire unchanged,
// like ARP, in both directions: an appliance that routes never returns
// it, so through the appliance IPv6 neighbours would never resolve.
func TestNeighborDiscoveryBridged(t *testing.T) {
	cfg := testConfig(t, 2, Attributes{})
	w, _ := newTestWorker(t, cfg, 256)
	n := uint64(0)
	for name, f := range ndFrames() {
		for _, in := range []struct{ port, out uint16 }{{1, 2}, {2, 1}} {
			p := process(w, f, in.port, 1e9)
			n++
			if p.Verdict != Forward || p.Out != in.out || !bytes.Equal(frameOf(&p), f) {
				t.Errorf("%s from port %d: verdict %v out %d (drops %v), want bridged unchanged to port %d", name, in.port, p.Verdict, p.Out, w.c.totals.Drops, in.out)
			}
		}
	}
	if w.c.totals.BridgedNDPkts != n || w.c.totals.EncapPkts != 0 || w.c.totals.BridgedPkts != 0 || w.c.totals.NewFlows != 0 {
		t.Fatalf("bridged_nd %d (want %d), encap %d, bridged %d, new flows %d", w.c.totals.BridgedNDPkts, n, w.c.totals.EncapPkts, w.c.totals.BridgedPkts, w.c.totals.NewFlows)
	}
}

// TestNotNeighborDiscoveryIsEncapsulated: what a host would not accept as
// neighbour discovery (hop limit below 255, an extension header, a code
// other than 0, other ICMPv6) is traffic like any other: it goes to the
// appliance.
func TestNotNeighborDiscoveryIsEncapsulated(t *testing.T) {
	cfg := testConfig(t, 2, Attributes{})
	sn, snMAC := solicitedNode(server6)
	tgt := server6.As16()
	ns := append(append(make([]byte, 4), tgt[:]...), llOption(1, clientMAC)...)
	code1 := ndMessage(client6, sn, 135, 255, ns, false)
	code1[41] = 1
	binary.BigEndian.PutUint16(code1[42:], 0)
	acc := csumAdd(client6.AsSlice(), 0)
	acc = csumAdd(sn.AsSlice(), acc)
	acc += 58 + uint32(len(code1)-40)
	binary.BigEndian.PutUint16(code1[42:], csumFold(csumAdd(code1[40:], acc)))
	for name, ip := range map[string][]byte{
		"hop limit 254":       ndMessage(client6, sn, 135, 254, ns, false),
		"hop-by-hop header":   ndMessage(client6, sn, 135, 255, ns, true),
		"code 1":              code1,
		"type 132 (MLD done)": ndMessage(client6, sn, 132, 255, make([]byte, 20), false),
		"type 138":            ndMessage(client6, sn, 138, 255, ns, false),
		"echo request":        ipPacket(client6, server6, l4{proto: 58, icmpTyp: 128, icmpID: 7}),
		"short solicitation":  ndMessage(client6, sn, 135, 255, make([]byte, 4), false),
	} {
		w, _ := newTestWorker(t, cfg, 256)
		p := process(w, ipEther(snMAC, clientMAC, 0, ip), 1, 1e9)
		if p.Verdict != Forward || p.Out != 0 || w.c.totals.BridgedNDPkts != 0 || w.c.totals.EncapPkts != 1 {
			t.Errorf("%s: verdict %v out %d, bridged_nd %d encap %d; want it encapsulated to the appliance", name, p.Verdict, p.Out, w.c.totals.BridgedNDPkts, w.c.totals.EncapPkts)
		}
	}
}

// TestNeighborDiscoveryNotBridgedForUnavailableEndpoint: a pending
// endpoint passes nothing, neighbour discovery included.
func TestNeighborDiscoveryNotBridgedForUnavailableEndpoint(t *testing.T) {
	c := *testConfig(t, 1, Attributes{})
	c.Endpoints = []Endpoint{c.Endpoints[0]}
	c.Endpoints[0].State = EndpointPendingAcceptance
	cfg, err := NewConfig(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	w, _ := newTestWorker(t, cfg, 256)
	p := process(w, ndFrames()["neighbour solicitation"], 1, 1e9)
	wantDrop(t, w, p, ReasonEndpointNotAvailable)
}
