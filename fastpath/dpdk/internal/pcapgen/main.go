// Command pcapgen writes the benchmark traffic that `make bench` replays
// through net_pcap (rx_pcap=FILE,infinite_rx=1): Ethernet/IPv4 TCP and UDP
// packets of many flows with a realistic size mix, deterministic for a
// given seed so every run and both forwarders see the same packets.
//
// Modes:
//
//	plain    endpoint-side traffic (what the node encapsulates): -flows
//	         flows, packets spread over them round-robin with random sizes
//	newflow  every packet starts a new flow (unique 5-tuple)
//	geneve   appliance-side returns (what the node decapsulates): the plain
//	         packets wrapped in outer IPv4/UDP 6081/Geneve with the three
//	         AWS options (endpoint id, attachment id, flow cookie = flow
//	         index + -cookie-base), from -target to -node
//
// -size N gives every frame N bytes instead of the size mix; -order random
// visits the flows in a random permutation per pass instead of
// round-robin (plain, geneve), and then only the warm-up opens TCP flows
// (no packet carries a SYN).
//
// Usage: go run ./fastpath/dpdk/internal/pcapgen -o FILE [-mode plain] [-flows 4096] [-packets 16384] [-size N] [-order random]
//
//	go run ./fastpath/dpdk/internal/pcapgen -count FILE   (prints the packet count)
//	go run ./fastpath/dpdk/internal/pcapgen -permute IN -o FILE [-seed N]
//	    (writes IN's packets in a random order, e.g. the returns of warmed
//	    flows, which come out in the order their entries were allocated)
package main

import (
	"encoding/binary"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"

	"github.com/gwlbctl/gwlbctl/fastpath/pcap"
)

// Frame sizes (bytes on the wire without CRC) and their weights: mostly
// small (ACKs, DNS), a band of medium, and full-size data segments, close
// to the IMIX-style mixes seen at data-centre edges.
var sizeMix = []struct{ size, weight int }{
	{60, 40}, {128, 10}, {256, 8}, {576, 12}, {1024, 8}, {1514, 22},
}

type options struct {
	out        string
	mode       string
	flows      int
	packets    int
	seed       uint64
	udpPercent int
	node       netip.Addr
	target     netip.Addr
	endpointID uint64
	attachID   uint64
	cookieBase uint32
	size       int
	random     bool
}

func main() {
	var o options
	var node, target string
	flag.StringVar(&o.out, "o", "", "output pcap file (required)")
	flag.StringVar(&o.mode, "mode", "plain", "plain, newflow or geneve")
	flag.IntVar(&o.flows, "flows", 4096, "distinct flows (plain, geneve)")
	flag.IntVar(&o.packets, "packets", 16384, "packets in the file")
	flag.Uint64Var(&o.seed, "seed", 1, "random seed (same seed, same file)")
	flag.IntVar(&o.udpPercent, "udp-percent", 20, "share of UDP flows, in percent (the rest is TCP)")
	flag.StringVar(&node, "node", "10.0.0.10", "geneve: the node's address (outer destination)")
	flag.StringVar(&target, "target", "10.0.0.20", "geneve: the appliance's address (outer source)")
	flag.Uint64Var(&o.endpointID, "endpoint-id", 0x0123456789abcdef, "geneve: AWS endpoint id option")
	flag.Uint64Var(&o.attachID, "attachment-id", 0x1, "geneve: AWS attachment id option")
	flag.Func("cookie-base", "geneve: flow cookie of flow 0 (flow i gets base+i)", func(s string) error {
		var v uint32
		_, err := fmt.Sscan(s, &v)
		o.cookieBase = v
		return err
	})
	flag.IntVar(&o.size, "size", 0, "every frame this many bytes, 60-2000 (0: the size mix)")
	order := flag.String("order", "round-robin", "plain, geneve: visit the flows round-robin or in random order (random: no SYNs)")
	count := flag.String("count", "", "print the number of packets in this pcap file and exit")
	permute := flag.String("permute", "", "write this pcap file's packets in random order to -o and exit")
	flag.Parse()
	if *permute != "" {
		if o.out == "" {
			fatalf("-permute needs -o FILE")
		}
		if err := permuteFile(*permute, o.out, o.seed); err != nil {
			fatalf("%v", err)
		}
		return
	}
	switch *order {
	case "round-robin":
	case "random":
		o.random = true
	default:
		fatalf("-order %q: want round-robin or random", *order)
	}
	if o.size != 0 && (o.size < 60 || o.size > 2000) {
		fatalf("-size %d: want 60-2000 bytes (0: the size mix)", o.size)
	}
	if *count != "" {
		n, err := pcap.Count(*count)
		if err != nil {
			fatalf("%v", err)
		}
		fmt.Println(n)
		return
	}
	var err error
	if o.node, err = netip.ParseAddr(node); err != nil || !o.node.Is4() {
		fatalf("-node %q: want an IPv4 address", node)
	}
	if o.target, err = netip.ParseAddr(target); err != nil || !o.target.Is4() {
		fatalf("-target %q: want an IPv4 address", target)
	}
	if o.out == "" {
		fatalf("-o FILE is required")
	}
	if o.flows < 1 || o.packets < 1 || o.udpPercent < 0 || o.udpPercent > 100 {
		fatalf("-flows and -packets must be positive, -udp-percent 0-100")
	}
	if err := write(o); err != nil {
		fatalf("%v", err)
	}
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "pcapgen: "+format+"\n", args...)
	os.Exit(2)
}

type flow struct {
	src, dst     [4]byte
	sport, dport uint16
	udp          bool
}

func makeFlow(r *rand.Rand, i, udpPercent int) flow {
	f := flow{
		// Clients in 10.64.0.0/10, servers in 172.16.0.0/12, so flows
		// differ in addresses as well as ports.
		src:   [4]byte{10, 64 + byte(i>>16&63), byte(i >> 8), byte(i)},
		dst:   [4]byte{172, 16 + byte(r.IntN(16)), byte(r.IntN(256)), byte(1 + r.IntN(254))},
		sport: uint16(1024 + r.IntN(64511)),
		udp:   r.IntN(100) < udpPercent,
	}
	ports := []uint16{443, 80, 22, 8080, 3306}
	if f.udp {
		ports = []uint16{53, 123, 443, 4789, 5060}
	}
	f.dport = ports[r.IntN(len(ports))]
	return f
}

func pickSize(r *rand.Rand) int {
	total := 0
	for _, s := range sizeMix {
		total += s.weight
	}
	n := r.IntN(total)
	for _, s := range sizeMix {
		if n < s.weight {
			return s.size
		}
		n -= s.weight
	}
	return sizeMix[0].size
}

func write(o options) error {
	r := rand.New(rand.NewPCG(o.seed, 0x67776c62))
	var flows []flow
	if o.mode != "newflow" {
		for i := 0; i < o.flows; i++ {
			flows = append(flows, makeFlow(r, i, o.udpPercent))
		}
	}
	w, err := pcap.Create(o.out)
	if err != nil {
		return err
	}
	defer w.Close() // after an error; the normal end closes it below
	buf := make([]byte, 2048)
	var perm []int
	for i := 0; i < o.packets; i++ {
		var f flow
		idx := i % max(len(flows), 1)
		if o.random && len(flows) > 0 {
			if idx == 0 {
				perm = r.Perm(len(flows))
			}
			idx = perm[idx]
		}
		switch o.mode {
		case "plain", "geneve":
			f = flows[idx]
		case "newflow":
			f = makeFlow(r, i, o.udpPercent)
			idx = i
		default:
			return fmt.Errorf("mode %q is not plain, newflow or geneve", o.mode)
		}
		size := o.size
		if size == 0 {
			size = pickSize(r)
		}
		// A TCP flow opens with a bare SYN (a forwarder that tracks flows
		// starts one only on a SYN): the first packet of each flow, and
		// every packet of newflow.
		syn := o.mode == "newflow" || (i < len(flows) && !o.random)
		var frame []byte
		if o.mode == "geneve" {
			inner := size - outerLen
			if inner < 60 {
				inner = 60
			}
			frame = buf[:outerLen+inner]
			innerFrame(frame[outerLen:], f, uint32(i), syn)
			outer(frame, o, f, uint32(idx)+o.cookieBase)
		} else {
			frame = buf[:size]
			innerFrame(frame, f, uint32(i), syn)
		}
		if err := w.WritePacket(pcap.FrameTime(i), frame); err != nil {
			return err
		}
	}
	return w.Close()
}

// permuteFile writes the packets of in to out in a random order (seed).
func permuteFile(in, out string, seed uint64) error {
	frames, err := pcap.ReadFile(in)
	if err != nil {
		return err
	}
	rand.New(rand.NewPCG(seed, 0x7065726d)).Shuffle(len(frames), func(i, j int) { frames[i], frames[j] = frames[j], frames[i] })
	w, err := pcap.Create(out)
	if err != nil {
		return err
	}
	defer w.Close() // after an error; the normal end closes it below
	for i, f := range frames {
		if err := w.WritePacket(pcap.FrameTime(i), f); err != nil {
			return err
		}
	}
	return w.Close()
}

var (
	clientMAC = []byte{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}
	serverMAC = []byte{0x02, 0x00, 0x00, 0x00, 0x00, 0x02}
	nodeMAC   = []byte{0x02, 0x00, 0x00, 0x00, 0x00, 0x10}
	targetMAC = []byte{0x02, 0x00, 0x00, 0x00, 0x00, 0x20}
)

// innerFrame fills b (its whole length) with Ethernet/IPv4/TCP or UDP of
// flow f, checksums included.
func innerFrame(b []byte, f flow, seq uint32, syn bool) {
	copy(b[0:6], serverMAC)
	copy(b[6:12], clientMAC)
	binary.BigEndian.PutUint16(b[12:], 0x0800)
	ip := b[14:34]
	proto := byte(6)
	l4len := 20
	if f.udp {
		proto, l4len = 17, 8
	}
	ipLen := len(b) - 14
	ip[0] = 0x45
	ip[1] = 0
	binary.BigEndian.PutUint16(ip[2:], uint16(ipLen))
	binary.BigEndian.PutUint16(ip[4:], uint16(seq))
	binary.BigEndian.PutUint16(ip[6:], 0x4000) // DF
	ip[8] = 64
	ip[9] = proto
	ip[10], ip[11] = 0, 0
	copy(ip[12:16], f.src[:])
	copy(ip[16:20], f.dst[:])
	binary.BigEndian.PutUint16(ip[10:], ^fold(sum(ip, 0)))
	l4 := b[34:]
	payload := l4[l4len:]
	for i := range payload {
		payload[i] = byte(seq + uint32(i))
	}
	binary.BigEndian.PutUint16(l4[0:], f.sport)
	binary.BigEndian.PutUint16(l4[2:], f.dport)
	if f.udp {
		binary.BigEndian.PutUint16(l4[4:], uint16(len(l4)))
		l4[6], l4[7] = 0, 0
	} else {
		binary.BigEndian.PutUint32(l4[4:], seq*1000)
		binary.BigEndian.PutUint32(l4[8:], 1)
		l4[12] = 5 << 4
		l4[13] = 0x18 // PSH ACK
		if syn {
			l4[13] = 0x02 // SYN
		}
		binary.BigEndian.PutUint16(l4[14:], 65535)
		l4[16], l4[17], l4[18], l4[19] = 0, 0, 0, 0
	}
	pseudo := sum(f.src[:], 0)
	pseudo = sum(f.dst[:], pseudo)
	pseudo += uint32(proto) + uint32(len(l4))
	c := ^fold(sum(l4, pseudo))
	if f.udp && c == 0 {
		c = 0xffff
	}
	if f.udp {
		binary.BigEndian.PutUint16(l4[6:], c)
	} else {
		binary.BigEndian.PutUint16(l4[16:], c)
	}
}

// outerLen is Ethernet 14 + IPv4 20 + UDP 8 + Geneve 8 + the three AWS
// options (4+8, 4+8, 4+4).
const outerLen = 14 + 20 + 8 + 8 + 12 + 12 + 8

// outer writes the Geneve encapsulation an appliance returns.
func outer(b []byte, o options, f flow, cookie uint32) {
	copy(b[0:6], nodeMAC)
	copy(b[6:12], targetMAC)
	binary.BigEndian.PutUint16(b[12:], 0x0800)
	ip := b[14:34]
	ip[0] = 0x45
	ip[1] = 0
	binary.BigEndian.PutUint16(ip[2:], uint16(len(b)-14))
	binary.BigEndian.PutUint16(ip[4:], 0)
	binary.BigEndian.PutUint16(ip[6:], 0)
	ip[8] = 64
	ip[9] = 17
	ip[10], ip[11] = 0, 0
	t, n := o.target.As4(), o.node.As4()
	copy(ip[12:16], t[:])
	copy(ip[16:20], n[:])
	binary.BigEndian.PutUint16(ip[10:], ^fold(sum(ip, 0)))
	udp := b[34:42]
	// The node picks the outer source port from the flow and sends to 6081;
	// the appliance swaps the addresses and keeps the ports.
	h := uint16(49152 + (uint32(f.sport)^binary.BigEndian.Uint32(f.src[:]))%16384)
	binary.BigEndian.PutUint16(udp[0:], h)
	binary.BigEndian.PutUint16(udp[2:], 6081)
	binary.BigEndian.PutUint16(udp[4:], uint16(len(b)-34))
	udp[6], udp[7] = 0, 0
	g := b[42:outerLen]
	g[0] = byte((outerLen - 50) / 4) // version 0, option length in 4-byte words
	g[1] = 0
	binary.BigEndian.PutUint16(g[2:], 0x6558) // Ethernet payload
	g[4], g[5], g[6], g[7] = 0, 0, 0, 0       // VNI 0
	opt := g[8:]
	put := func(typ byte, val []byte) {
		binary.BigEndian.PutUint16(opt[0:], 0x0108)
		opt[2] = typ
		opt[3] = byte(len(val) / 4)
		copy(opt[4:], val)
		opt = opt[4+len(val):]
	}
	var v8 [8]byte
	binary.BigEndian.PutUint64(v8[:], o.endpointID)
	put(1, v8[:])
	binary.BigEndian.PutUint64(v8[:], o.attachID)
	put(2, v8[:])
	var v4 [4]byte
	binary.BigEndian.PutUint32(v4[:], cookie)
	put(3, v4[:])
}

func sum(b []byte, s uint32) uint32 {
	for i := 0; i+1 < len(b); i += 2 {
		s += uint32(b[i])<<8 | uint32(b[i+1])
	}
	if len(b)%2 == 1 {
		s += uint32(b[len(b)-1]) << 8
	}
	return s
}

func fold(s uint32) uint16 {
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	return uint16(s)
}
