package engine

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/gwlbctl/gwlbctl/fastpath/internal/cputime"
)

// Benchmarks of the three hot paths, with the flow table holding 4k flows
// (fits in cache) and 1M flows visited in random order (every lookup a
// cache miss). b.N counts packets; ns/pkt includes the few nanoseconds of
// rewriting a 14-byte header and a 4-byte address per packet to present a
// fresh frame (BenchmarkFramePrep measures that part alone).

const benchBurst = 32

var benchSizes = []struct {
	name  string
	flows int
}{{"4k", 4096}, {"1M", 1 << 20}}

type benchEnv struct {
	w       *Worker
	cfg     *Config
	flows   int
	order   []uint32 // flow visit order
	cookie  []uint32 // per flow
	target  []uint8  // per flow (address byte of the target)
	vcookie []uint32 // cookie of order[i], so a visit reads memory sequentially
	vtarget []uint8  // target of order[i]
	encTmpl []byte   // client -> server TCP ACK frame, 64 bytes
	retTmpl [][]byte // per target: outer 82 bytes of a return
	pkts    []Packet
	now     int64
	port    uint16 // the endpoint port the flows enter by
}

func benchConfig(b *testing.B) *Config {
	c := Config{
		Ports: []Port{
			{Name: "appliance", Role: RoleAppliance, NodeIP: nodeIP, NodeMAC: nodeMAC},
			{Name: "ep-a", Role: RoleBump, Endpoint: 0, Side: SideA},
			{Name: "ep-b", Role: RoleBump, Endpoint: 0, Side: SideB},
		},
		Endpoints: []Endpoint{{ID: testEP, AttachmentID: testAttach, AZ: "us-east-1a"}},
	}
	for i := 0; i < 16; i++ {
		c.Targets = append(c.Targets, Target{ID: fmt.Sprintf("t%d", i), IP: netip.AddrFrom4([4]byte{10, 0, 1, byte(100 + i)}),
			NextHopMAC: targetMAC(i), AZ: "us-east-1a"})
	}
	cfg, err := NewConfig(c, nil)
	if err != nil {
		b.Fatal(err)
	}
	return cfg
}

// flowSrc is the client address of flow i (10.x.y.z).
func flowSrc(i int) [4]byte { return [4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)} }

// newBenchEnv creates a worker with flows live flows (table capacity
// 2*flows+extra) and records each flow's cookie and target.
func newBenchEnv(b *testing.B, flows, extra int) *benchEnv {
	return newBenchEnvOn(b, benchConfig(b), 1, serverMAC, clientMAC, serverIP, flows, extra)
}

// newBenchEnvOn is newBenchEnv on cfg's endpoint port port, whose frames
// go from srcMAC to dstMAC and whose flows all go to dst.
func newBenchEnvOn(b *testing.B, cfg *Config, port uint16, dstMAC, srcMAC [6]byte, dst netip.Addr, flows, extra int) *benchEnv {
	pub := &Publisher{}
	pub.Store(cfg)
	w, err := NewWorker(WorkerOptions{Config: pub, FlowCapacity: flows + extra, Seed: 1, ExpireBudget: 8})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(w.Close)
	env := &benchEnv{w: w, cfg: cfg, flows: flows, now: int64(time.Hour)}
	env.cookie = make([]uint32, flows)
	env.target = make([]uint8, flows)
	env.port = port
	env.encTmpl = ipEther(dstMAC, srcMAC, 0, ipPacket(netip.AddrFrom4(flowSrc(0)), dst, l4{proto: 6, sport: 40000, dport: 443, flags: tcpACK, payload: make([]byte, 10)}))
	syn := append([]byte(nil), env.encTmpl...)
	syn[14+20+13] = tcpSYN
	env.pkts = make([]Packet, benchBurst)
	for i := range env.pkts {
		env.pkts[i] = Packet{Buf: make([]byte, 2048), Port: port}
	}
	for i := 0; i < flows; i += benchBurst {
		n := min(benchBurst, flows-i)
		for j := 0; j < n; j++ {
			p := &env.pkts[j]
			p.Off, p.Len, p.Port = 128, len(syn), port
			copy(p.Buf[128:], syn)
			src := flowSrc(i + j)
			copy(p.Buf[128+26:], src[:])
		}
		w.Process(env.pkts[:n], env.now)
		for j := 0; j < n; j++ {
			p := &env.pkts[j]
			if p.Verdict != Forward {
				b.Fatalf("setup flow %d: verdict %v (%+v)", i+j, p.Verdict, w.c.totals.Drops)
			}
			f := frameOf(p)
			env.cookie[i+j] = binary.BigEndian.Uint32(f[42+36:])
			env.target[i+j] = f[33]
		}
	}
	env.retTmpl = make([][]byte, 256)
	for t := 0; t < 16; t++ {
		inner := ipPacket(netip.AddrFrom4(flowSrc(0)), dst, l4{proto: 6, sport: 40000, dport: 443, flags: tcpACK, payload: make([]byte, 10)})
		ep := &cfg.Endpoints[cfg.Ports[port].Endpoint]
		f := applianceReturn(netip.AddrFrom4([4]byte{10, 0, 1, byte(100 + t)}), targetMAC(t), 50000, awsOpts(ep.ID, ep.AttachmentID, 0), inner, false)
		env.retTmpl[100+t] = f
	}
	env.order = make([]uint32, flows)
	for i := range env.order {
		env.order[i] = uint32(i)
	}
	rand.New(rand.NewPCG(3, 4)).Shuffle(flows, func(i, j int) { env.order[i], env.order[j] = env.order[j], env.order[i] })
	env.vcookie = make([]uint32, flows)
	env.vtarget = make([]uint8, flows)
	for i, f := range env.order {
		env.vcookie[i], env.vtarget[i] = env.cookie[f], env.target[f]
	}
	return env
}

// pktTimer measures a benchmark loop in wall time (ns/pkt) and in the CPU
// time of its thread (cpu-ns/pkt): on a shared 2-core machine other
// processes steal the core and inflate wall time, while thread CPU time
// counts only the cycles the loop got.
type pktTimer struct {
	start time.Time
	cpu   time.Duration
	wall  time.Duration // excluded pauses
	pcpu  time.Duration
}

func startPktTimer(b *testing.B) *pktTimer {
	runtime.LockOSThread()
	b.Cleanup(runtime.UnlockOSThread)
	b.ReportAllocs()
	b.ResetTimer()
	return &pktTimer{start: time.Now(), cpu: cputime.Thread()}
}

// pause and resume exclude setup work done inside the loop.
func (t *pktTimer) pause(b *testing.B) (time.Time, time.Duration) {
	b.StopTimer()
	return time.Now(), cputime.Thread()
}

func (t *pktTimer) resume(b *testing.B, w0 time.Time, c0 time.Duration) {
	t.wall += time.Since(w0)
	t.pcpu += cputime.Thread() - c0
	b.StartTimer()
}

func (t *pktTimer) report(b *testing.B) {
	wall := time.Since(t.start) - t.wall
	cpu := cputime.Thread() - t.cpu - t.pcpu
	b.StopTimer()
	b.ReportMetric(float64(wall.Nanoseconds())/float64(b.N), "ns/pkt")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/pkt")
}

func (env *benchEnv) checkNoDrops(b *testing.B) {
	if d := env.w.c.totals.Drops; d != ([NumReasons]uint64{}) {
		b.Fatalf("drops during benchmark: %v", d)
	}
}

// prepEncap presents flow f's ACK (client -> server) in packet p.
func (env *benchEnv) prepEncap(p *Packet, f int) {
	p.Off, p.Len, p.Port = 128, len(env.encTmpl), env.port
	copy(p.Buf[128:128+14], env.encTmpl[:14])
	src := flowSrc(f)
	copy(p.Buf[128+26:128+30], src[:])
}

func BenchmarkEncapEstablished(b *testing.B) {
	for _, sz := range benchSizes {
		b.Run(sz.name, func(b *testing.B) {
			env := newBenchEnv(b, sz.flows, 1024)
			for j := range env.pkts {
				copy(env.pkts[j].Buf[128:], env.encTmpl)
			}
			mask := sz.flows - 1
			tm := startPktTimer(b)
			for i := 0; i < b.N; i += benchBurst {
				n := min(benchBurst, b.N-i)
				for j := 0; j < n; j++ {
					env.prepEncap(&env.pkts[j], int(env.order[(i+j)&mask]))
				}
				env.w.Process(env.pkts[:n], env.now)
			}
			tm.report(b)
			env.checkNoDrops(b)
		})
	}
}

// prepDecap presents the appliance's return of the flow visited i-th in
// packet p.
func (env *benchEnv) prepDecap(p *Packet, i int) {
	t := env.retTmpl[env.vtarget[i]]
	p.Off, p.Len, p.Port = 128, len(t), 0
	copy(p.Buf[128:128+82], t[:82])
	binary.BigEndian.PutUint32(p.Buf[128+42+36:], env.vcookie[i])
	src := flowSrc(int(env.order[i]))
	copy(p.Buf[128+82+12:128+82+16], src[:])
}

func BenchmarkDecap(b *testing.B) {
	for _, sz := range benchSizes {
		b.Run(sz.name, func(b *testing.B) {
			env := newBenchEnv(b, sz.flows, 1024)
			for j := range env.pkts {
				copy(env.pkts[j].Buf[128:], env.retTmpl[100])
			}
			mask := sz.flows - 1
			tm := startPktTimer(b)
			for i := 0; i < b.N; i += benchBurst {
				n := min(benchBurst, b.N-i)
				for j := 0; j < n; j++ {
					env.prepDecap(&env.pkts[j], (i+j)&mask)
				}
				env.w.Process(env.pkts[:n], env.now)
			}
			tm.report(b)
			env.checkNoDrops(b)
			if env.w.c.totals.DecapPkts < uint64(b.N) {
				b.Fatalf("decapsulated %d of %d", env.w.c.totals.DecapPkts, b.N)
			}
		})
	}
}

// BenchmarkNewFlow: every packet is a SYN of a flow never seen, with 4k or
// 1M other flows live. Flows created by the benchmark are removed (timer
// stopped) whenever 256k have accumulated.
func BenchmarkNewFlow(b *testing.B) {
	const batch = 1 << 18
	for _, sz := range benchSizes {
		b.Run(sz.name, func(b *testing.B) {
			env := newBenchEnv(b, sz.flows, batch+1024)
			syn := append([]byte(nil), env.encTmpl...)
			syn[14+20+13] = tcpSYN
			for j := range env.pkts {
				copy(env.pkts[j].Buf[128:], syn)
			}
			tm := startPktTimer(b)
			next := sz.flows // new flows use client addresses after the live ones
			for i := 0; i < b.N; i += benchBurst {
				n := min(benchBurst, b.N-i)
				if next+n > sz.flows+batch {
					w0, c0 := tm.pause(b)
					env.removeFlowsFrom(sz.flows)
					next = sz.flows
					tm.resume(b, w0, c0)
				}
				for j := 0; j < n; j++ {
					p := &env.pkts[j]
					p.Off, p.Len, p.Port = 128, len(syn), 1
					copy(p.Buf[128:128+14], syn[:14])
					src := flowSrc(next)
					next++
					copy(p.Buf[128+26:128+30], src[:])
				}
				env.w.Process(env.pkts[:n], env.now)
			}
			tm.report(b)
			env.checkNoDrops(b)
		})
	}
}

// removeFlowsFrom deletes the flows whose client address index is >= first.
func (env *benchEnv) removeFlowsFrom(first int) {
	t := env.w.table
	for r := 0; r < t.Cap(); r++ {
		e := t.Entry(flowRef(r))
		if !e.Live() {
			continue
		}
		o := e.Initiator()
		src, _ := e.Key.Src(o)
		i := int(src[13])<<16 | int(src[14])<<8 | int(src[15])
		if i >= first {
			t.Delete(flowRef(r))
		}
	}
}

// BenchmarkFramePrep is the per-packet cost of presenting a fresh frame
// that the other benchmarks include (reference, no engine work).
func BenchmarkFramePrep(b *testing.B) {
	env := newBenchEnv(b, 4096, 1024)
	tm := startPktTimer(b)
	for i := 0; i < b.N; i += benchBurst {
		n := min(benchBurst, b.N-i)
		for j := 0; j < n; j++ {
			env.prepDecap(&env.pkts[j], (i+j)&4095)
		}
	}
	tm.report(b)
}
