package tui

import (
	"context"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/gwlbctl/gwlbctl/control/api"
	"github.com/gwlbctl/gwlbctl/tui/tuitest"
)

// plain is a renderer without colour: golden output is plain text.
func plain() *lipgloss.Renderer {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	return r
}

// node is a test backend served on a real unix socket, and a client of it.
type node struct {
	b      *tuitest.Backend
	srv    *tuitest.Server
	client *api.Client
}

func newNode(t testing.TB, flows int) *node {
	t.Helper()
	b := tuitest.NewBackend(tuitest.Config{Flows: flows, Seed: 1})
	srv := tuitest.Serve(t, b)
	c := api.NewClient(srv.Path)
	t.Cleanup(c.Close)
	return &node{b: b, srv: srv, client: c}
}

// newModel is a model with a fixed clock, UTC times, no colour and no
// source: the test hands it the node's answers.
func newModel(t testing.TB, o Options) *Model {
	t.Helper()
	if o.Now == nil {
		o.Now = func() time.Time { return tuitest.Start }
	}
	o.Location = time.UTC
	o.Renderer = plain()
	if o.Socket == "" {
		o.Socket = "/run/gwlbctl/serve.sock"
	}
	m, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return m
}

// answers reads what the model would ask the node for, from the real API:
// info, a series of stats (the backend stepped between them, with varying
// load, so rates and sparklines have a history), the flows page for
// query q, and the events.
func (n *node) answers(t testing.TB, q flowQuery, filter api.FlowFilter, samples int) []tea.Msg {
	t.Helper()
	ctx := context.Background()
	var msgs []tea.Msg
	info, err := n.client.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	msgs = append(msgs, infoMsg{info: info})
	for i := range samples {
		n.b.SetLoad(1 + math.Sin(float64(i)/2))
		n.b.Step(time.Second)
		s, err := n.client.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, statsMsg{stats: s})
	}
	page, err := n.client.Flows(ctx, api.FlowsRequest{Filter: filter, Sort: q.sort, Limit: q.limit})
	if err != nil {
		t.Fatal(err)
	}
	msgs = append(msgs, flowsMsg{q: q, page: page})
	ev, err := n.client.Events(ctx, api.EventsRequest{Limit: eventsLimit})
	if err != nil {
		t.Fatal(err)
	}
	return append(msgs, eventsMsg{page: ev})
}

// feed sizes m to w x h and hands it the node's answers for its query.
func (n *node) feed(t testing.TB, m *Model, w, h, samples int) {
	t.Helper()
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	for _, msg := range n.answers(t, m.flows.query(), m.filterParsed, samples) {
		m.Update(msg)
	}
}

// keyMsg is the key message of a key name as bubbletea reports it.
func keyMsg(name string) tea.KeyMsg {
	switch name {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "shift+tab":
		return tea.KeyMsg{Type: tea.KeyShiftTab}
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "ctrl+c":
		return tea.KeyMsg{Type: tea.KeyCtrlC}
	case "backspace":
		return tea.KeyMsg{Type: tea.KeyBackspace}
	case "ctrl+u":
		return tea.KeyMsg{Type: tea.KeyCtrlU}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(name)}
}

// typeText sends each rune of s as a key.
func typeText(m *Model, s string) tea.Cmd {
	var cmds []tea.Cmd
	for _, r := range s {
		_, cmd := m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
		cmds = append(cmds, cmd)
	}
	return tea.Batch(cmds...)
}

// checkFrame fails unless the view is exactly h lines of at most w cells.
func checkFrame(t testing.TB, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		t.Fatalf("%dx%d: view has %d lines:\n%s", w, h, len(lines), view)
	}
	for i, l := range lines {
		if n := width(l); n > w {
			t.Fatalf("%dx%d: line %d is %d cells wide:\n%s", w, h, i+1, n, view)
		}
	}
}

// apiTop asks for the top n flows by bytes.
func apiTop(n int) api.FlowsRequest { return api.FlowsRequest{Sort: api.SortBytes, Limit: n} }
