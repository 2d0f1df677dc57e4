package tui

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/gwlbctl/gwlbctl/control/api"
)

// liveModel is a model whose source is a real client of n: its requests
// are recorded (m.req) as it sends them; the tests run none of the
// commands, they hand the answers in as messages.
func liveModel(t *testing.T, n *node, w, h int) *Model {
	t.Helper()
	m := newModel(t, Options{Source: n.client})
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

func press(m *Model, keys ...string) tea.Cmd {
	var cmds []tea.Cmd
	for _, k := range keys {
		_, cmd := m.Update(keyMsg(k))
		cmds = append(cmds, cmd)
	}
	return tea.Batch(cmds...)
}

func TestUpdateFocus(t *testing.T) {
	n := newNode(t, 200)
	m := newModel(t, Options{})
	n.feed(t, m, 100, 30, 2)
	want := []pane{m.flows, m.targets, m.endpoints, m.drops, m.events, m.flows}
	for i, p := range want {
		if m.panes[m.focus] != p {
			t.Fatalf("after %d tabs the focus is pane %d", i, m.focus)
		}
		press(m, "tab")
	}
	press(m, "shift+tab", "shift+tab")
	if m.panes[m.focus] != m.events {
		t.Fatalf("shift+tab twice from flows: focus %d, want the events", m.focus)
	}
	// Movement goes to the focused pane only.
	press(m, "shift+tab", "shift+tab", "shift+tab", "down")
	if m.targets.list.sel != 1 || m.flows.list.sel != 0 {
		t.Fatalf("down in targets: targets sel %d, flows sel %d", m.targets.list.sel, m.flows.list.sel)
	}
	if !strings.Contains(m.View(), "> i-0bbbbbbbbbbbbbbb2") {
		t.Fatalf("the selected target is not marked:\n%s", m.View())
	}
}

func TestUpdateSort(t *testing.T) {
	n := newNode(t, 200)
	m := liveModel(t, n, 100, 30)
	if q := m.req.flows; q.sort != api.SortBytes || q.limit != m.flows.rowsShown() {
		t.Fatalf("first flows request %+v, want bytes and the %d rows shown", q, m.flows.rowsShown())
	}
	for _, want := range []api.FlowSort{api.SortPackets, api.SortRate, api.SortAge} {
		m.inflight[kindFlows] = false // the previous answer came
		press(m, "s")
		if m.req.flows.sort != want || !strings.Contains(m.flows.title(), "by "+want.String()) {
			t.Fatalf("s: asked %+v, title %q; want %s", m.req.flows, m.flows.title(), want)
		}
	}
	// idle: ranked here, over the page the node ranked by age.
	m.inflight[kindFlows] = false
	sent := m.req.sent[kindFlows]
	press(m, "s")
	if m.req.sent[kindFlows] != sent || m.flows.query().sort != api.SortAge {
		t.Fatalf("sorting by idle asked the node again (%d -> %d) or changed its ranking: %+v", sent, m.req.sent[kindFlows], m.flows.query())
	}
	page := n.flowsPage(t, m.flows.query(), api.FlowFilter{})
	m.Update(flowsMsg{q: m.flows.query(), page: page})
	for i := 1; i < len(m.flows.rows); i++ {
		if m.flows.rows[i].IdleSeconds > m.flows.rows[i-1].IdleSeconds {
			t.Fatalf("rows not by idle, most first: %v then %v", m.flows.rows[i-1].IdleSeconds, m.flows.rows[i].IdleSeconds)
		}
	}
	if !strings.Contains(m.flows.title(), "by age, ordered by idle") {
		t.Fatalf("title %q", m.flows.title())
	}
	press(m, "S", "S", "S", "S")
	if m.flows.query().sort != api.SortBytes {
		t.Fatalf("S four times from idle: %+v, want bytes", m.flows.query())
	}
}

func (n *node) flowsPage(t *testing.T, q flowQuery, f api.FlowFilter) *api.FlowPage {
	t.Helper()
	p, err := n.client.Flows(context.Background(), api.FlowsRequest{Filter: f, Sort: q.sort, Limit: q.limit})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestUpdateOneInFlight: a tick while a request of a kind is in flight
// sends no second one; a slow answer holds no key.
func TestUpdateOneInFlight(t *testing.T) {
	n := newNode(t, 200)
	m := liveModel(t, n, 100, 30)
	m.Update(tickMsg{})
	before := m.req.sent
	m.Update(tickMsg{})
	m.Update(tickMsg{})
	if m.req.sent != before {
		t.Fatalf("ticks with every kind in flight sent more: %v -> %v", before, m.req.sent)
	}
	press(m, "tab", "down")
	if m.panes[m.focus] != m.targets {
		t.Fatal("keys were not handled while requests were in flight")
	}
	m.Update(statsMsg{stats: &api.Stats{Time: time.Unix(1, 0)}})
	m.Update(tickMsg{})
	if m.req.sent[kindStats] != before[kindStats]+1 || m.req.sent[kindFlows] != before[kindFlows] {
		t.Fatalf("after the stats answer a tick sent %v (before %v): want one more stats only", m.req.sent, before)
	}
}

func TestUpdateResize(t *testing.T) {
	n := newNode(t, 2000)
	m := liveModel(t, n, 80, 24)
	n.feed(t, m, 80, 24, 3)
	rows := m.flows.rowsShown()
	m.inflight[kindFlows] = false
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 40})
	if m.flows.rowsShown() <= rows || m.req.flows.limit != m.flows.rowsShown() {
		t.Fatalf("taller: %d rows (was %d), asked for %d", m.flows.rowsShown(), rows, m.req.flows.limit)
	}
	// Whatever the size, the frame is the terminal's: no line wider, no
	// more lines (nothing wraps).
	for w := 20; w <= 220; w += 7 {
		for h := 5; h <= 70; h += 5 {
			m.Update(tea.WindowSizeMsg{Width: w, Height: h})
			checkFrame(t, m.View(), w, h)
			for _, k := range []string{"enter", "esc", "?", "?", "tab"} {
				press(m, k)
				checkFrame(t, m.View(), w, h)
			}
		}
	}
	m.Update(tea.WindowSizeMsg{Width: 50, Height: 12})
	if v := m.View(); !strings.Contains(v, "terminal too small") {
		t.Fatalf("50x12:\n%s", v)
	}
}

// TestUpdateRates: rates come from successive /stats on the node's clock.
func TestUpdateRates(t *testing.T) {
	n := newNode(t, 500)
	m := newModel(t, Options{})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	s1, _ := n.client.Stats(context.Background())
	n.b.Step(2 * time.Second)
	s2, _ := n.client.Stats(context.Background())
	m.Update(statsMsg{stats: s1})
	if len(m.data.pps.vals) != 0 {
		t.Fatalf("one reading made a rate: %v", m.data.pps.vals)
	}
	m.Update(statsMsg{stats: s2})
	dt := s2.Time.Sub(s1.Time).Seconds()
	pkts := float64(s2.Totals.EncapPackets+s2.Totals.DecapPackets-s1.Totals.EncapPackets-s1.Totals.DecapPackets) / dt
	if got := m.data.rates.Rate(ratePackets); math.Abs(got-pkts) > 1e-9 || pkts == 0 {
		t.Fatalf("packet rate %v, want %v", got, pkts)
	}
	if len(m.data.pps.vals) != 1 || len(m.data.bps.vals) != 1 {
		t.Fatalf("sparkline histories %v %v", m.data.pps.vals, m.data.bps.vals)
	}
	if v := m.View(); !strings.Contains(v, PacketRate(pkts)) {
		t.Fatalf("header has no %s:\n%s", PacketRate(pkts), v)
	}
}

// TestUpdateStaleFlows: a page asked before the filter changed is not
// shown; the new query is asked at once.
func TestUpdateStaleFlows(t *testing.T) {
	n := newNode(t, 500)
	m := liveModel(t, n, 100, 30)
	old := m.req.flows
	press(m, "/")
	typeText(m, "udp")
	if m.flows.filter != "proto=udp" {
		t.Fatalf("filter %q after typing udp", m.flows.filter)
	}
	sent := m.req.sent[kindFlows]
	m.Update(flowsMsg{q: old, page: n.flowsPage(t, old, api.FlowFilter{})})
	if m.flows.page != nil {
		t.Fatal("a page for the old filter was shown")
	}
	if m.req.sent[kindFlows] != sent+1 || m.req.flows.filter != "proto=udp" {
		t.Fatalf("after the stale page: sent %d -> %d, asked %+v", sent, m.req.sent[kindFlows], m.req.flows)
	}
}

func TestUpdateFilter(t *testing.T) {
	n := newNode(t, 500)
	m := liveModel(t, n, 100, 30)
	press(m, "/")
	if m.mode != modeFilter {
		t.Fatal("/ did not open the filter")
	}
	typeText(m, "port=99999")
	if m.filter.err == nil || !strings.Contains(m.View(), `✗ filter port="99999": want a port 1-65535`) {
		t.Fatalf("no error shown for port=99999 (err %v):\n%s", m.filter.err, m.View())
	}
	if m.flows.filter != "port=9999" {
		t.Fatalf("applied filter %q: the last text that parsed was port=9999", m.flows.filter)
	}
	press(m, "enter")
	if m.mode != modeFilter {
		t.Fatal("enter closed the filter on a text that does not parse")
	}
	press(m, "esc")
	if m.mode != modeBrowse || m.flows.filter != "" {
		t.Fatalf("esc: mode %d, filter %q; want browsing, no filter", m.mode, m.flows.filter)
	}
	m.inflight[kindFlows] = false // the first page came
	press(m, "/")
	typeText(m, "tcp 443")
	press(m, "enter")
	if m.mode != modeBrowse || m.flows.filter != "proto=tcp port=443" || m.req.flows.filter != "proto=tcp" {
		t.Fatalf("enter: mode %d, filter %q, asked %+v (tcp, when it first parsed)", m.mode, m.flows.filter, m.req.flows)
	}
	// The answer for "tcp" is stale: the table asks for "tcp 443".
	m.Update(flowsMsg{q: m.req.flows})
	if m.req.flows.filter != "proto=tcp port=443" {
		t.Fatalf("after the stale answer: asked %+v", m.req.flows)
	}
	flt, _ := api.ParseFlowFilter(m.flows.filter)
	m.Update(flowsMsg{q: m.flows.query(), page: n.flowsPage(t, m.flows.query(), flt)})
	if len(m.flows.rows) == 0 {
		t.Fatal("no tcp 443 flows in the page")
	}
	for _, f := range m.flows.rows {
		if f.Proto != 6 || f.Dst.Port() != 443 && f.Src.Port() != 443 {
			t.Fatalf("flow %+v does not match tcp 443", f)
		}
	}
	press(m, "esc")
	if m.flows.filter != "" {
		t.Fatalf("esc while browsing kept the filter %q", m.flows.filter)
	}
	// q types in the filter; ctrl+c quits.
	press(m, "/")
	if cmd := press(m, "q"); isQuit(cmd) || m.filter.ti.Value() != "q" {
		t.Fatalf("q in the filter: quit %v, text %q", isQuit(cmd), m.filter.ti.Value())
	}
	if cmd := press(m, "ctrl+c"); !isQuit(cmd) {
		t.Fatal("ctrl+c in the filter did not quit")
	}
}

// isQuit reports whether cmd (or a command of its batch) quits.
func isQuit(cmd tea.Cmd) bool {
	if cmd == nil {
		return false
	}
	switch msg := cmd().(type) {
	case tea.QuitMsg:
		return true
	case tea.BatchMsg:
		for _, c := range msg {
			if isQuit(c) {
				return true
			}
		}
	}
	return false
}

func TestUpdateQuit(t *testing.T) {
	m := newModel(t, Options{})
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	if !isQuit(press(m, "q")) {
		t.Fatal("q did not quit")
	}
	if m.ctx.Err() == nil {
		t.Fatal("quitting left the requests' context alive")
	}
}

func TestUpdateDetail(t *testing.T) {
	n := newNode(t, 500)
	m := liveModel(t, n, 120, 40)
	n.feed(t, m, 120, 40, 2)
	press(m, "down")
	f := *m.flows.selected()
	m.inflight[kindLookup] = false
	press(m, "enter")
	want := api.LookupRequest{Endpoint: f.Endpoint, Proto: f.Proto, Src: f.Src, Dst: f.Dst}
	if m.mode != modeDetail || m.req.lookup != want {
		t.Fatalf("enter on a flow: mode %d, lookup %+v, want %+v", m.mode, m.req.lookup, want)
	}
	res, err := n.client.Lookup(context.Background(), want)
	if err != nil {
		t.Fatal(err)
	}
	m.Update(lookupMsg{req: want, res: res})
	v := m.View()
	for _, s := range []string{"━ Flow", Grouped(f.Packets[0]), "worker " + itoa(f.Worker), "a new flow with this tuple gets " + res.Target.ID} {
		if !strings.Contains(v, s) {
			t.Fatalf("flow detail has no %q:\n%s", s, v)
		}
	}
	// A tick asks the lookup again while the detail is open.
	m.Update(tickMsg{})
	if m.req.sent[kindLookup] != 2 {
		t.Fatalf("lookups sent %d, want 2", m.req.sent[kindLookup])
	}
	press(m, "esc")
	if m.mode != modeBrowse || m.detail.open() {
		t.Fatal("esc did not close the detail")
	}
	press(m, "tab", "down", "down", "enter")
	if v := m.View(); m.mode != modeDetail || !strings.Contains(v, "Target.Timeout") || !strings.Contains(v, "Request timed out") {
		t.Fatalf("target detail:\n%s", v)
	}
}

func itoa(n int) string { return strings.TrimSpace(Grouped(uint64(n))) }

// TestUpdateDisconnect: the node goes away (the client's error: which
// socket, what to do) and comes back, restarted.
func TestUpdateDisconnect(t *testing.T) {
	n := newNode(t, 500)
	m := newModel(t, Options{})
	n.feed(t, m, 100, 30, 2)
	if len(m.events.events) == 0 || m.eventsAfter == 0 {
		t.Fatal("no events followed")
	}
	n.srv.Stop()
	_, err := n.client.Stats(context.Background())
	if !errors.Is(err, api.ErrNotServing) {
		t.Fatalf("stopped server: %v", err)
	}
	m.Update(statsMsg{err: err})
	v := m.View()
	if !strings.Contains(v, "no gwlbctl serve is listening on "+n.srv.Path) || !strings.Contains(v, "DISCONNECTED") {
		t.Fatalf("disconnected view:\n%s", v)
	}
	if !strings.Contains(v, "━ Flows") {
		t.Fatalf("the last data went away while disconnected:\n%s", v)
	}
	n.b.Restart()
	n.srv.Start()
	info, err := n.client.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	m.Update(infoMsg{info: info})
	if m.data.conn.err != nil || strings.Contains(m.View(), "DISCONNECTED") {
		t.Fatalf("still disconnected after an answer:\n%s", m.View())
	}
	if m.eventsAfter != 0 || len(m.events.events) != 0 {
		t.Fatalf("restarted node: events cursor %d, %d events kept", m.eventsAfter, len(m.events.events))
	}
	ev, err := n.client.Events(context.Background(), api.EventsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	m.Update(eventsMsg{page: ev})
	if len(m.events.events) != 1 || m.events.events[0].Kind != api.EventReload {
		t.Fatalf("events after the restart: %+v", m.events.events)
	}
}

func TestUpdateEventsFollow(t *testing.T) {
	m := newModel(t, Options{})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	m.connectedForTest()
	page := func(from, to uint64) *api.EventPage {
		p := &api.EventPage{Next: to, Latest: to}
		for s := from; s <= to; s++ {
			p.Events = append(p.Events, api.Event{Seq: s, Kind: api.EventReload, Message: "configuration revision " + itoa(int(s)) + " published"})
		}
		return p
	}
	m.Update(eventsMsg{page: page(1, 10)})
	if m.eventsAfter != 10 || !strings.Contains(m.View(), "revision 10 published") {
		t.Fatalf("after 10: cursor %d\n%s", m.eventsAfter, m.View())
	}
	m.Update(eventsMsg{after: 10, page: page(11, 12)})
	if !strings.Contains(m.View(), "revision 12 published") {
		t.Fatalf("the pane does not follow the newest:\n%s", m.View())
	}
	m.Update(eventsMsg{after: 12, page: &api.EventPage{Next: 20, Latest: 20, Missed: 5, Events: page(18, 20).Events}})
	if !strings.Contains(m.View(), "5 missed") {
		t.Fatalf("missed events not said:\n%s", m.View())
	}
	m.Update(eventsMsg{after: 20, page: &api.EventPage{Reset: true, Next: 1, Latest: 1, Events: page(1, 1).Events}})
	if len(m.events.events) != 1 || m.eventsAfter != 1 {
		t.Fatalf("reset: %d events, cursor %d", len(m.events.events), m.eventsAfter)
	}
}

// connectedForTest marks the model as having heard from the node.
func (m *Model) connectedForTest() { m.data.conn.connected = true }
