package tui

import (
	"bytes"
	"io"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest"
)

// TestLive runs the dashboard as a program on a real client of a node
// served on a unix socket, with its own ticks and requests: the node's
// flows and health show; the node stops (the screen says which socket
// nothing listens on) and comes back (the dashboard is live again).
func TestLive(t *testing.T) {
	n := newNode(t, 300)
	m := newModel(t, Options{Source: n.client, Socket: n.srv.Path, Interval: 100 * time.Millisecond, Now: time.Now})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	// The renderer redraws only lines that change: keep all it wrote, and
	// look for each text after mark (what came since the last action).
	var all bytes.Buffer
	out := io.TeeReader(tm.Output(), &all)
	mark := 0
	wait := func(what string) {
		t.Helper()
		teatest.WaitFor(t, out, func([]byte) bool { return bytes.Contains(all.Bytes()[mark:], []byte(what)) },
			teatest.WithDuration(15*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	}
	top, err := n.client.Flows(t.Context(), apiTop(1))
	if err != nil || len(top.Flows) != 1 {
		t.Fatalf("top flow: %v", err)
	}
	wait(top.Flows[0].Src.String())
	wait("Target.Timeout")
	wait("● live")

	mark = all.Len()
	n.srv.Stop()
	wait("no gwlbctl serve is listening on " + n.srv.Path)
	wait("DISCONNECTED")
	mark = all.Len()
	n.srv.Start()
	wait("● live")

	tm.Send(keyMsg("q"))
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
}
