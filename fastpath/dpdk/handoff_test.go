package dpdk

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gwlbctl/gwlbctl/fastpath/engine"
)

// handBack hands every packet it receives from a port to the other
// worker, and forwards every packet handed to it to port out, checking
// it carries the port index it arrived by.
type handBack struct {
	self, peer uint16
	in, out    uint16
	handed     *atomic.Uint64 // handed-over packets processed
	wrongPort  *atomic.Uint64 // of those, with another port index than in
}

func (h handBack) Process(pkts []engine.Packet, now int64) {
	for i := range pkts {
		p := &pkts[i]
		if !p.HandedOff {
			p.Verdict, p.Out = engine.Handoff, h.peer
			continue
		}
		h.handed.Add(1)
		if p.Port != h.in {
			h.wrongPort.Add(1)
		}
		p.Verdict, p.Out = engine.Forward, h.out
	}
}

// childHandoff: two workers, each handing every received packet to the
// other through its inbox; the receiver sees the packet's port index (not
// the DPDK port id: a spare port opened first shifts the ids) and
// HandedOff, and forwards it.
func childHandoff() int {
	fail := func(err error) int { fmt.Fprintln(os.Stderr, "child:", err); return 1 }
	cpus := []string{"0", "1"}
	if l := defaultLcores(); l[0] == "--lcores" {
		at := strings.Split(strings.ReplaceAll(l[1], ",", "@"), "@")
		cpus = []string{at[1], at[3]}
	}
	e, err := InitEAL(EALConfig{Args: []string{"--lcores", fmt.Sprintf("0@%s,1@%s,2@%s", cpus[0], cpus[1], cpus[1]), "--main-lcore", "0"}})
	if err != nil {
		return fail(err)
	}
	defer e.Close()
	pool, err := e.NewMempool("spare", 1024, 2048)
	if err != nil {
		return fail(err)
	}
	spare, err := e.OpenPort(PortConfig{Device: "net_null_spare"}, pool)
	if err != nil {
		return fail(err)
	}
	defer spare.Close()
	f, err := NewForwarder(e, ForwarderConfig{
		Ports: []PortConfig{{Device: "net_null_out,no-rx=1", TxOnly: true}, {Device: "net_null_in,size=64"}},
	})
	if err != nil {
		return fail(err)
	}
	defer f.Close()
	if f.Ports()[1].ID() == 1 {
		return fail(fmt.Errorf("port index 1 has DPDK id 1: the test cannot tell them apart"))
	}
	var handed, wrong [2]atomic.Uint64
	hs := []BurstHandler{
		handBack{self: 0, peer: 1, in: 1, out: 0, handed: &handed[0], wrongPort: &wrong[0]},
		handBack{self: 1, peer: 0, in: 1, out: 0, handed: &handed[1], wrongPort: &wrong[1]},
	}
	if err := f.Start(hs); err != nil {
		return fail(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for handed[0].Load() < 100000 || handed[1].Load() < 100000 {
		if time.Now().After(deadline) {
			return fail(fmt.Errorf("both workers must take hand-offs: %d, %d; stats %+v", handed[0].Load(), handed[1].Load(), f.Stats()))
		}
		time.Sleep(10 * time.Millisecond)
	}
	f.Stop()
	s := f.Stats()
	for i := 0; i < 2; i++ {
		peer := 1 - i
		if wrong[i].Load() != 0 {
			return fail(fmt.Errorf("worker %d: %d handed-over packets with the wrong port index", i, wrong[i].Load()))
		}
		if len(s[i].Handoff) != 2 || s[i].Handoff[i] != (TxStats{}) {
			return fail(fmt.Errorf("worker %d: hand-off stats %+v", i, s[i].Handoff))
		}
		if s[i].HandoffIn != handed[i].Load() || s[i].HandoffIn > s[peer].Handoff[i].Sent {
			return fail(fmt.Errorf("worker %d took %d from its inbox, processed %d, peer sent %d", i, s[i].HandoffIn, handed[i].Load(), s[peer].Handoff[i].Sent))
		}
		// Every packet taken from the inbox was forwarded (the null
		// port takes everything).
		if s[i].Tx[0].Sent+s[i].Tx[0].Unsent != s[i].HandoffIn {
			return fail(fmt.Errorf("worker %d: sent %d+%d, took %d from its inbox", i, s[i].Tx[0].Sent, s[i].Tx[0].Unsent, s[i].HandoffIn))
		}
	}
	fmt.Printf("ok handoff %d %d full %d %d\n", s[0].HandoffIn, s[1].HandoffIn, s[0].Handoff[1].Unsent, s[1].Handoff[0].Unsent)
	return 0
}

// TestHandoff: packets handed between two workers arrive with their port
// index and HandedOff, and are forwarded by the worker they were handed
// to; every one is counted.
func TestHandoff(t *testing.T) {
	needEAL(t)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=handoff")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "ok handoff") {
		t.Fatalf("hand-off: %v\n%s", err, out)
	}
	t.Logf("%s", strings.TrimSpace(string(out)))
}
