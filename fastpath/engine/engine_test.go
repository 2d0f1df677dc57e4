package engine

import (
	"bytes"
	"encoding/binary"
	"testing"
)

func TestRoundTripBothDirections(t *testing.T) {
	cfg := testConfig(t, 4, Attributes{})
	w, _ := newTestWorker(t, cfg, 1024)
	now := int64(1e12)

	syn := ipEther(serverMAC, clientMAC, 0, ipPacket(clientIP, serverIP, l4{proto: 6, sport: 40000, dport: 443, flags: tcpSYN}))
	p := process(w, syn, 1, now)
	if p.Verdict != Forward || p.Out != 0 {
		t.Fatalf("SYN from side A: verdict %v out %d, want forward to appliance port 0 (stats %+v)", p.Verdict, p.Out, w.c.totals)
	}
	enc := append([]byte(nil), frameOf(&p)...)
	if len(enc) != len(syn)-14+82 {
		t.Fatalf("encapsulated length %d, want %d", len(enc), len(syn)-14+82)
	}
	// Outer headers, checked by offset (spec section 1).
	tgt := int(enc[33]) - 100 // 10.0.1.(100+i)
	if want := targetMAC(tgt); !bytes.Equal(enc[0:6], want[:]) || !bytes.Equal(enc[6:12], nodeMAC[:]) {
		t.Fatalf("outer MACs %x -> %x", enc[6:12], enc[0:6])
	}
	if enc[14] != 0x45 || enc[23] != 17 || enc[22] != 64 || enc[20]&0x40 == 0 {
		t.Fatalf("outer IPv4 header %x", enc[14:34])
	}
	if csumFold(csumAdd(enc[14:34], 0)) != 0 {
		t.Fatal("outer IPv4 checksum wrong")
	}
	if binary.BigEndian.Uint16(enc[36:]) != 6081 || binary.BigEndian.Uint16(enc[40:]) != 0 {
		t.Fatalf("outer UDP %x", enc[34:42])
	}
	g := enc[42:]
	if g[0] != 0x08 || binary.BigEndian.Uint16(g[2:]) != 0x0800 ||
		binary.BigEndian.Uint32(g[8:]) != 0x01080102 || binary.BigEndian.Uint64(g[12:]) != testEP ||
		binary.BigEndian.Uint32(g[20:]) != 0x01080202 || binary.BigEndian.Uint64(g[24:]) != testAttach ||
		binary.BigEndian.Uint32(g[32:]) != 0x01080301 {
		t.Fatalf("Geneve header %x", g[:40])
	}
	cookie := binary.BigEndian.Uint32(g[36:])
	if !bytes.Equal(enc[82:], syn[14:]) {
		t.Fatal("inner packet modified")
	}

	// The appliance returns it: out of side B, Ethernet as it came in.
	for _, udpCsum := range []bool{false, true} {
		r := process(w, applianceReply(enc, udpCsum), 0, now)
		if r.Verdict != Forward || r.Out != 2 || !bytes.Equal(frameOf(&r), syn) {
			t.Fatalf("return (udp checksum %v): verdict %v out %d, frame %x, want %x", udpCsum, r.Verdict, r.Out, frameOf(&r), syn)
		}
	}

	// The server's answer enters side B: same target, same cookie.
	synack := ipEther(clientMAC, serverMAC, 0, ipPacket(serverIP, clientIP, l4{proto: 6, sport: 443, dport: 40000, flags: tcpSYN | tcpACK}))
	p2 := process(w, synack, 2, now+1e9)
	enc2 := frameOf(&p2)
	if p2.Verdict != Forward || int(enc2[33])-100 != tgt || binary.BigEndian.Uint32(enc2[42+36:]) != cookie {
		t.Fatalf("reply: verdict %v target %d cookie %x, want target %d cookie %x", p2.Verdict, int(enc2[33])-100, binary.BigEndian.Uint32(enc2[42+36:]), tgt, cookie)
	}
	if binary.BigEndian.Uint16(enc2[34:]) != binary.BigEndian.Uint16(enc[34:]) {
		t.Fatal("both directions must use one outer UDP source port")
	}
	r2 := process(w, applianceReply(enc2, false), 0, now+1e9)
	if r2.Verdict != Forward || r2.Out != 1 || !bytes.Equal(frameOf(&r2), synack) {
		t.Fatalf("reply return: verdict %v out %d frame %x", r2.Verdict, r2.Out, frameOf(&r2))
	}
	w.Flush(now)
	st := w.Stats()
	if st.Totals.EncapPkts != 2 || st.Totals.DecapPkts != 3 || st.Totals.NewFlows != 1 || st.Totals.ActiveFlows != 1 || st.TotalDrops() != 0 {
		t.Fatalf("stats %+v", st.Totals)
	}
	if st.Targets[tgt].TxPkts != 2 || st.Targets[tgt].RxPkts != 3 || st.Endpoints[0].InPkts != 2 || st.Endpoints[0].OutPkts != 3 {
		t.Fatalf("per-target %+v per-endpoint %+v", st.Targets, st.Endpoints)
	}
}
