package tui

import (
	"context"
	"fmt"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// BenchmarkRenderFrame is one frame of the dashboard of a node with 1M
// flows: the page it shows (the top N by bytes of the 1M, read through the
// real API), targets, endpoints, drops, events, at 80x24 and 160x48. The
// goal is under 50 ms a frame (ms/frame); "refresh" is a whole refresh:
// /stats and the top-N listing over the 1M flows through the socket, the
// model's update and the frame.
func BenchmarkRenderFrame(b *testing.B) {
	n := newNode(b, 1<<20)
	for _, sz := range goldenSizes {
		w, h := sz[0], sz[1]
		b.Run(fmt.Sprintf("%dx%d", w, h), func(b *testing.B) {
			m := newModel(b, Options{})
			n.feed(b, m, w, h, 3)
			if len(m.flows.rows) != m.flows.rowsShown() {
				b.Fatalf("%d rows for %d shown", len(m.flows.rows), m.flows.rowsShown())
			}
			b.ReportAllocs()
			for b.Loop() {
				_ = m.View()
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1e3/float64(b.N), "ms/frame")
		})
	}
	b.Run("refresh-160x48", func(b *testing.B) {
		m := newModel(b, Options{})
		m.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			s, err := n.client.Stats(ctx)
			if err != nil {
				b.Fatal(err)
			}
			m.Update(statsMsg{stats: s})
			q := m.flows.query()
			p, err := n.client.Flows(ctx, apiTop(q.limit))
			if err != nil {
				b.Fatal(err)
			}
			m.Update(flowsMsg{q: q, page: p})
			_ = m.View()
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/1e3/float64(b.N), "ms/refresh")
	})
}
