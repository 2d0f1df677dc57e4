package node

import (
	"context"
	"testing"

	"github.com/gwlbctl/gwlbctl/control/api"
)

// BenchmarkAPIFlows1M lists flows of a worker holding a million, through
// the socket, while the worker polls: a page of 1000 from the start and
// the top 1000 by bytes over every flow. The worker copies 4096 entries
// per poll pass when asked; the conversion, filtering and ranking happen on
// the API's goroutine.
func BenchmarkAPIFlows1M(b *testing.B) {
	tn := newTestNodeB(b)
	ctx := context.Background()
	b.Run("page1000", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			p, err := tn.client.Flows(ctx, api.FlowsRequest{Limit: 1000})
			if err != nil || len(p.Flows) != 1000 {
				b.Fatalf("%d flows, %v", len(p.Flows), err)
			}
		}
	})
	b.Run("top1000", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			p, err := tn.client.Flows(ctx, api.FlowsRequest{Sort: api.SortBytes, Limit: 1000})
			if err != nil || len(p.Flows) != 1000 || p.Partial {
				b.Fatalf("%d flows, partial %v, %v", len(p.Flows), p.Partial, err)
			}
		}
	})
}

// newTestNodeB is newTestNode holding a million flows.
func newTestNodeB(b *testing.B) *testNode {
	b.Helper()
	const nflows = 1 << 20
	tn := newTestNode(b, testState(), nflows+nflows/4)
	frames := make([][]byte, 0, nflows)
	for i := range nflows {
		frames = append(frames, udpFrame(clientEnd(i), serverEnd, i%64))
	}
	tn.send(frames, nflows)
	return tn
}
