package engine

import (
	"encoding/binary"
	"testing"

	"github.com/gwlbctl/gwlbctl/fastpath/packet"
)

type fuzzState struct {
	w    *Worker
	cfg  *Config
	rets [][]byte
}

var fuzzShared *fuzzState

// fuzzWorker returns a worker with two established flows and their
// appliance returns (valid Geneve frames to mutate). It is shared by the
// iterations of one fuzzing process (flows the inputs create stay; the
// table is small and full tables are part of what is fuzzed).
func fuzzWorker(tb testing.TB) *fuzzState {
	if fuzzShared != nil {
		return fuzzShared
	}
	cfg := testConfig(tb, 3, Attributes{SendTCPReset: true})
	pub := &Publisher{}
	pub.Store(cfg)
	w, err := NewWorker(WorkerOptions{Config: pub, FlowCapacity: 64, Seed: 42, GoHeap: true})
	if err != nil {
		tb.Fatal(err)
	}
	st := &fuzzState{w: w, cfg: cfg}
	for _, f := range [][]byte{
		ipEther(serverMAC, clientMAC, 0, ipPacket(clientIP, serverIP, l4{proto: 6, sport: 40000, dport: 443, flags: tcpSYN})),
		ipEther(serverMAC, clientMAC, 0x64, ipPacket(client6, server6, l4{proto: 17, sport: 1000, dport: 2000, payload: payload})),
	} {
		p := process(w, f, 1, 1e9)
		if p.Verdict != Forward {
			tb.Fatalf("setup flow not forwarded: %v", w.c.totals.Drops)
		}
		st.rets = append(st.rets, applianceReply(frameOf(&p), false))
	}
	fuzzShared = st
	return st
}

// FuzzEngine feeds any bytes to any port. Properties: no panic; Off/Len
// stay within Buf; a packet from the appliance port is forwarded to an
// endpoint side only if it is Geneve to the node carrying the three AWS
// options with a cookie of a live flow of the same endpoint, sent by that
// flow's target; exceptions go back to the receiving port; an endpoint
// side never forwards to itself.
func FuzzEngine(f *testing.F) {
	for _, r := range fuzzWorker(f).rets {
		f.Add(r, uint8(0), uint8(128))
		f.Add(r[:len(r)-3], uint8(0), uint8(128))
	}
	f.Add(ipEther(serverMAC, clientMAC, 0, ipPacket(clientIP, serverIP, l4{proto: 6, sport: 40000, dport: 443, flags: tcpACK})), uint8(1), uint8(128))
	f.Add(ipEther(clientMAC, serverMAC, 0, ipPacket(server6, client6, l4{proto: 58, icmpTyp: 129, icmpID: 3})), uint8(2), uint8(20))
	f.Add(arpRequest(targetMAC(0), netip4(10, 0, 1, 100), nodeIP.Addr()), uint8(0), uint8(0))
	f.Add(arpRequest(clientMAC, clientIP, serverIP), uint8(2), uint8(0))
	f.Add([]byte{}, uint8(3), uint8(0))
	f.Add(make([]byte, 14), uint8(0), uint8(200))

	f.Fuzz(func(t *testing.T, frame []byte, port uint8, headroom uint8) {
		st := fuzzWorker(t)
		buf := make([]byte, int(headroom)+len(frame)+int(port%4)*8)
		copy(buf[headroom:], frame)
		pkts := []Packet{{Buf: buf, Off: int(headroom), Len: len(frame), Port: uint16(port % 5)}}
		decapBefore := st.w.c.totals.DecapPkts
		st.w.Process(pkts, 2e9)
		if checkVerdict(t, st, frame, &pkts[0]) != st.w.c.totals.DecapPkts-decapBefore {
			t.Fatal("forwarded returns and the decap counter disagree")
		}
	})
}

// FuzzEngineBurst feeds a burst of frames (data is a sequence of
// [port][length][frame]) so that packets of one burst interact (a flow
// created and returned in the same burst, repeated keys, full table).
func FuzzEngineBurst(f *testing.F) {
	st := fuzzWorker(f)
	var seed []byte
	for _, r := range st.rets {
		seed = append(append(seed, 0, byte(len(r))), r...)
	}
	syn := ipEther(serverMAC, clientMAC, 0, ipPacket(clientIP, serverIP, l4{proto: 6, sport: 40009, dport: 443, flags: tcpSYN}))
	seed = append(append(seed, 1, byte(len(syn))), syn...)
	seed = append(append(seed, 1, byte(len(syn))), syn...)
	f.Add(seed)
	f.Fuzz(func(t *testing.T, data []byte) {
		st := fuzzWorker(t)
		var pkts []Packet
		var ins [][]byte
		for len(data) >= 2 && len(pkts) < 2*chunk+3 {
			port, n := data[0], int(data[1])
			data = data[2:]
			n = min(n, len(data))
			frame := data[:n]
			data = data[n:]
			buf := make([]byte, 128+n)
			copy(buf[128:], frame)
			pkts = append(pkts, Packet{Buf: buf, Off: 128, Len: n, Port: uint16(port % 4)})
			ins = append(ins, frame)
		}
		decapBefore := st.w.c.totals.DecapPkts
		st.w.Process(pkts, 2e9)
		var fwd uint64
		for i := range pkts {
			fwd += checkVerdict(t, st, ins[i], &pkts[i])
		}
		if fwd != st.w.c.totals.DecapPkts-decapBefore {
			t.Fatalf("%d returns forwarded, decap counter moved by %d", fwd, st.w.c.totals.DecapPkts-decapBefore)
		}
	})
}

// checkVerdict asserts the properties of one processed packet and returns
// 1 if it was a return forwarded to an endpoint side.
func checkVerdict(t *testing.T, st *fuzzState, in []byte, p *Packet) uint64 {
	t.Helper()
	w, cfg := st.w, st.cfg
	if p.Off < 0 || p.Len < 0 || p.Off+p.Len > len(p.Buf) {
		t.Fatalf("Off %d Len %d outside buffer of %d", p.Off, p.Len, len(p.Buf))
	}
	switch {
	case p.Verdict == Exception && p.Out != p.Port:
		t.Fatalf("exception to port %d, received on %d", p.Out, p.Port)
	case p.Verdict == Forward && p.Port == 0:
		if p.Out != 1 && p.Out != 2 {
			t.Fatalf("appliance packet forwarded to port %d", p.Out)
		}
		var o packet.Outer
		if err := packet.ParseOuter(in, &o); err != nil {
			t.Fatalf("non-Geneve appliance frame forwarded: %v", err)
		}
		r, ok := w.table.ByCookie(o.Geneve.FlowCookie)
		if !ok || !o.Geneve.HasAWSOptions() || o.IP.Dst != cfg.nodeIP {
			t.Fatalf("forwarded a return with cookie %#x (live %v)", o.Geneve.FlowCookie, ok)
		}
		e := w.table.Entry(r)
		if e.Key.Endpoint != o.Geneve.EndpointID || cfg.targets[e.Target].ip != o.IP.Src {
			t.Fatalf("forwarded a return for endpoint %x from %v; flow has endpoint %x target %v",
				o.Geneve.EndpointID, o.IP.Src, e.Key.Endpoint, cfg.targets[e.Target].ip)
		}
		return 1
	case p.Verdict == Forward && (p.Port == 1 || p.Port == 2):
		if p.Out == p.Port {
			// Only a TCP RST answering a packet without a flow goes back.
			var eth packet.Ethernet
			var in packet.Inner
			f := p.Buf[p.Off : p.Off+p.Len]
			if packet.ParseEthernet(f, &eth) != nil || packet.ParseL3(f[eth.HeaderLen:], &in) != nil ||
				in.Protocol != packet.ProtoTCP || in.TCPFlags&packet.TCPRst == 0 {
				t.Fatalf("endpoint packet from port %d sent back, and it is not a TCP RST", p.Port)
			}
			return 0
		}
		if p.Out > 2 {
			t.Fatalf("endpoint packet from port %d forwarded to port %d", p.Port, p.Out)
		}
		if p.Out == 0 && binary.BigEndian.Uint16(p.Buf[p.Off+36:]) != 6081 {
			t.Fatal("encapsulated packet not to UDP 6081")
		}
	case p.Verdict == Forward:
		t.Fatalf("packet from port %d forwarded", p.Port)
	}
	return 0
}
