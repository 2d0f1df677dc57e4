package engine

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/gwlbctl/gwlbctl/fastpath/packet"
)

// TestEncapTemplateMatchesBuilders: the prebuilt templates plus putEncap
// write the same bytes as fastpath/packet's builders, for random addresses
// (all-ones ones included: the largest checksum sums), lengths, ports,
// protocol types and cookies.
func TestEncapTemplateMatchesBuilders(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	addr := func() (a [4]byte) {
		if r.IntN(4) == 0 {
			return [4]byte{0xff, 0xff, 0xff, 0xff}
		}
		v := r.Uint32()
		return [4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}
	}
	mac := func() (m [6]byte) {
		for i := range m {
			m[i] = byte(r.Uint32())
		}
		return m
	}
	for i := 0; i < 20000; i++ {
		dstMAC, nodeMAC, nodeIP, dstIP := mac(), mac(), addr(), addr()
		ep := Endpoint{ID: r.Uint64(), AttachmentID: r.Uint64()}
		innerLen := r.IntN(packet.InnerMTU + 1)
		sport, cookie := uint16(r.Uint32()), r.Uint32()
		etype := packet.EtherTypeIPv4
		if r.IntN(2) == 0 {
			etype = packet.EtherTypeIPv6
		}

		var want [OuterHeadroom]byte
		packet.PutEthernet(want[:], &packet.Ethernet{Dst: dstMAC, Src: nodeMAC, EtherType: packet.EtherTypeIPv4})
		packet.PutOuterIPv4UDP(want[packet.OuterIPv4Offset:], nodeIP, dstIP, sport, packet.AWSGeneveHeaderLen+innerLen)
		packet.PutGeneveAWS(want[packet.OuterGeneveOffset:], etype, ep.ID, ep.AttachmentID, cookie)

		var ot outerTemplate
		ot.build(dstMAC, nodeMAC, nodeIP, dstIP)
		gt := newGeneveTemplate(&ep)
		var got [OuterHeadroom]byte
		for j := range got {
			got[j] = 0xa5 // every byte must be written
		}
		putEncap(&got, &ot, &gt, innerLen, sport, etype, cookie)
		if !bytes.Equal(got[:], want[:]) {
			t.Fatalf("case %d (inner %d bytes):\n got %x\nwant %x", i, innerLen, got, want)
		}
	}
}
