package tui

import (
	"context"
	"fmt"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/gwlbctl/gwlbctl/control/api"
)

// The View golden tests run the dashboard as a bubbletea program
// (teatest) at 80x24 and 160x48, hand it a node's answers read from the
// real API over a unix socket (a test backend with a fixed clock and fixed
// data), quit it and compare the final frame, colour off, with
// testdata/<test>/<size>.golden. Regenerate with:
//
//	go test ./tui -run TestView -update

var goldenSizes = [][2]int{{80, 24}, {160, 48}}

// scene is what a golden test does: keys before the node's answers, keys
// after them.
type scene struct {
	pre, post []string
}

// answersFor replays sc on a probe model (the same code the program runs)
// to learn what the model asks for, and reads the answers from the node:
// msgs go between pre and post, then after post (the lookups of a flow's
// detail, two readings apart).
func (n *node) answersFor(t *testing.T, w, h int, sc scene) (msgs, then []tea.Msg) {
	t.Helper()
	probe := newModel(t, Options{})
	probe.Update(tea.WindowSizeMsg{Width: w, Height: h})
	for _, k := range sc.pre {
		probe.Update(keyMsg(k))
	}
	msgs = n.answers(t, probe.flows.query(), probe.filterParsed, 12)
	for _, msg := range msgs {
		probe.Update(msg)
	}
	for _, k := range sc.post {
		probe.Update(keyMsg(k))
	}
	if probe.detail.kind == detailFlow {
		req := probe.detail.req
		for i := range 2 {
			if i > 0 {
				n.b.Step(time.Second)
			}
			res, err := n.client.Lookup(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			then = append(then, lookupMsg{req: req, res: res})
		}
	}
	return msgs, then
}

// runGolden plays sc against a node in a program of size w x h, quits and
// compares the final view with the golden file.
func runGolden(t *testing.T, n *node, w, h int, sc scene) {
	t.Helper()
	msgs, then := n.answersFor(t, w, h, sc)
	tm := teatest.NewTestModel(t, newModel(t, Options{}), teatest.WithInitialTermSize(w, h))
	for _, k := range sc.pre {
		tm.Send(keyMsg(k))
	}
	for _, msg := range msgs {
		tm.Send(msg)
	}
	for _, k := range sc.post {
		tm.Send(keyMsg(k))
	}
	for _, msg := range then {
		tm.Send(msg)
	}
	tm.Send(keyMsg("ctrl+c"))
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*Model)
	view := fm.View()
	checkFrame(t, view, w, h)
	teatest.RequireEqualOutput(t, []byte(view))
}

// keys are the key names of typing s.
func keys(s string) []string {
	var ks []string
	for _, r := range s {
		ks = append(ks, string(r))
	}
	return ks
}

func eachSize(t *testing.T, run func(t *testing.T, w, h int)) {
	for _, sz := range goldenSizes {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) { run(t, sz[0], sz[1]) })
	}
}

func TestViewDashboard(t *testing.T) {
	eachSize(t, func(t *testing.T, w, h int) { runGolden(t, newNode(t, 5000), w, h, scene{}) })
}

// TestViewFilterError: "udp 53" parses and is applied as it is typed; the
// " x" after it does not parse, and the input says why.
func TestViewFilterError(t *testing.T) {
	eachSize(t, func(t *testing.T, w, h int) {
		runGolden(t, newNode(t, 5000), w, h, scene{pre: append([]string{"/"}, keys("udp 53 x")...)})
	})
}

func TestViewSortedByAge(t *testing.T) {
	eachSize(t, func(t *testing.T, w, h int) {
		runGolden(t, newNode(t, 5000), w, h, scene{pre: []string{"s", "s", "s"}})
	})
}

func TestViewFlowDetail(t *testing.T) {
	eachSize(t, func(t *testing.T, w, h int) {
		runGolden(t, newNode(t, 5000), w, h, scene{post: []string{"down", "enter"}})
	})
}

func TestViewTargetDetail(t *testing.T) {
	eachSize(t, func(t *testing.T, w, h int) {
		runGolden(t, newNode(t, 5000), w, h, scene{post: []string{"tab", "down", "down", "enter"}})
	})
}

func TestViewFullHelp(t *testing.T) {
	eachSize(t, func(t *testing.T, w, h int) {
		runGolden(t, newNode(t, 5000), w, h, scene{post: []string{"?"}})
	})
}

// TestViewNotServing: nothing listens on the socket; the screen says so in
// the client's words (which socket, what to do).
func TestViewNotServing(t *testing.T) {
	eachSize(t, func(t *testing.T, w, h int) {
		const sock = "/run/gwlbctl-test-none/serve.sock"
		_, err := api.NewClient(sock).Stats(context.Background())
		if err == nil {
			t.Fatal("a client of a missing socket got an answer")
		}
		tm := teatest.NewTestModel(t, newModel(t, Options{Socket: sock}), teatest.WithInitialTermSize(w, h))
		tm.Send(statsMsg{err: err})
		tm.Send(keyMsg("q"))
		view := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).View()
		checkFrame(t, view, w, h)
		teatest.RequireEqualOutput(t, []byte(view))
	})
}
