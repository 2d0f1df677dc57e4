package engine

import (
	"strings"
	"testing"

	"github.com/gwlbctl/gwlbctl/fastpath/packet"
)

// mtuConfig is testConfig with the appliance port's MTU set.
func mtuConfig(t *testing.T, mtu int, attr Attributes) *Config {
	t.Helper()
	c := *testConfig(t, 2, attr)
	c.Ports = append([]Port(nil), c.Ports...)
	c.Ports[0].MTU = mtu
	cfg, err := NewConfig(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// udpOfLen is a UDP/IPv4 frame from the client whose IP packet is n bytes.
func udpOfLen(n int, sport uint16) []byte {
	return ipEther(serverMAC, clientMAC, 0, ipPacket(clientIP, serverIP, l4{proto: 17, sport: sport, dport: 7000, payload: make([]byte, n-28)}))
}

// TestInnerLimitFromApplianceMTU: the largest inner packet carried is
// min(inner MTU, appliance MTU - 68); every larger one is counted too_big
// (a 1500-byte ping on a 1500-byte appliance network used to vanish
// uncounted).
func TestInnerLimitFromApplianceMTU(t *testing.T) {
	for _, c := range []struct {
		name      string
		mtu       int
		attr      Attributes
		wantLimit int
	}{
		{"unset: GWLB's 8500", 0, Attributes{}, 8500},
		{"9001 (jumbo): 8500", 9001, Attributes{}, 8500},
		{"8568: 8500", packet.ApplianceMTU, Attributes{}, 8500},
		{"1500: 1432", 1500, Attributes{}, 1432},
		{"1500 with inner MTU 1400: 1400", 1500, Attributes{InnerMTU: 1400}, 1400},
		{"smallest: 576", MinApplianceMTU, Attributes{}, 576},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := mtuConfig(t, c.mtu, c.attr)
			if got := cfg.InnerLimit(); got != c.wantLimit {
				t.Fatalf("InnerLimit() = %d, want %d", got, c.wantLimit)
			}
			w, _ := newTestWorker(t, cfg, 256)
			p := process(w, udpOfLen(c.wantLimit, 41000), 1, 1e9)
			if p.Verdict != Forward || p.Len != packet.OuterInnerOffset+c.wantLimit {
				t.Fatalf("%d-byte packet: verdict %v len %d (drops %v)", c.wantLimit, p.Verdict, p.Len, w.c.totals.Drops)
			}
			if c.mtu != 0 && p.Len-packet.EthernetHeaderLen > c.mtu {
				t.Fatalf("encapsulated packet of %d IP bytes exceeds the appliance MTU %d", p.Len-packet.EthernetHeaderLen, c.mtu)
			}
			for i, n := range []int{c.wantLimit + 1, c.wantLimit + 68, 8501} {
				before := w.c.totals.Drops[ReasonTooBig]
				p := process(w, udpOfLen(n, uint16(42000+i)), 1, 1e9)
				if p.Verdict != Drop || w.c.totals.Drops[ReasonTooBig] != before+1 {
					t.Fatalf("%d-byte packet (limit %d): verdict %v, too_big %d -> %d", n, c.wantLimit, p.Verdict, before, w.c.totals.Drops[ReasonTooBig])
				}
			}
			if w.c.endpoints[0].Drops != 3 {
				t.Fatalf("endpoint drops %d, want 3", w.c.endpoints[0].Drops)
			}
		})
	}
}

func TestApplianceMTUValidated(t *testing.T) {
	for _, mtu := range []int{-1, 1, MinApplianceMTU - 1, 65536} {
		c := *testConfig(t, 1, Attributes{})
		c.Ports = append([]Port(nil), c.Ports...)
		c.Ports[0].MTU = mtu
		if _, err := NewConfig(c, nil); err == nil || !strings.Contains(err.Error(), "MTU") {
			t.Errorf("appliance MTU %d: err = %v, want an error naming the MTU", mtu, err)
		}
	}
}
