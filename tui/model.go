package tui

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/gwlbctl/gwlbctl/control/api"
)

// DefaultInterval is the refresh interval.
const DefaultInterval = time.Second

// Smallest terminal the dashboard draws in; below it says so.
const (
	MinWidth  = 60
	MinHeight = 16
)

// Options configure a Model.
type Options struct {
	// Source is the node's API (an *api.Client). Nil: the model never asks
	// anything (tests feed it answers as messages).
	Source Source
	// Socket is the API socket's path, shown when the node is out of reach.
	Socket string
	// Interval is the refresh interval (0: DefaultInterval).
	Interval time.Duration
	// Filter is the flows filter to start with (control/api's text
	// syntax).
	Filter string
	// Sort is the node's ranking of flows to start with (SortNone:
	// bytes).
	Sort api.FlowSort
	// Now is the clock (nil: time.Now); Location the time zone of the
	// times shown (nil: time.Local).
	Now      func() time.Time
	Location *time.Location
	// Renderer decides colour (nil: lipgloss's default, from the
	// terminal).
	Renderer *lipgloss.Renderer
	// Log receives what happens (nil: nothing); never the terminal.
	Log *slog.Logger
}

// common is what every component reads: styles, keys, clock and the
// latest data.
type common struct {
	st   *Styles
	keys *KeyMap
	now  func() time.Time
	loc  *time.Location
	data *nodeData
	// once: a snapshot printed, not a live view.
	once bool
}

// rater gives a counter's rate per second by its key (rateCounters' keys).
type rater interface{ Rate(key string) float64 }

// nodeData is what the node last said.
type nodeData struct {
	info  *api.Info
	stats *api.Stats
	// rates are derived here from successive /stats, on the node's clock
	// (Stats.Time): tracker; a snapshot has the node's own instead.
	rates    rater
	tracker  *api.RateTracker[string]
	samples  int
	pps, bps history
	conn     connState
}

// connState is whether the node answers.
type connState struct {
	err       error     // why the last request failed to reach it; nil while it answers
	lastOK    time.Time // the last answer
	connected bool      // it answered at least once
}

// Model is the dashboard: a bubbletea model.
type Model struct {
	o        Options
	src      Source
	interval time.Duration
	now      func() time.Time
	log      *slog.Logger
	ctx      context.Context
	cancel   context.CancelFunc

	c    *common
	data nodeData
	keys *KeyMap

	width, height int
	mode          mode
	focus         int
	notice        string // the node's last refusal, shown on the status line

	filterParsed api.FlowFilter
	eventsAfter  uint64
	inflight     [numKinds]bool
	req          requests

	header    header
	flows     *flowsPane
	targets   *targetsPane
	endpoints *endpointsPane
	drops     *dropsPane
	events    *eventsPane
	panes     []pane
	detail    detail
	filter    *filterInput
	help      help.Model
}

// New returns the dashboard; an initial filter that does not parse is an
// error (control/api's, naming the term).
func New(o Options) (*Model, error) {
	flt, err := api.ParseFlowFilter(o.Filter)
	if err != nil {
		return nil, err
	}
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Location == nil {
		o.Location = time.Local
	}
	if o.Renderer == nil {
		o.Renderer = lipgloss.DefaultRenderer()
	}
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	m := &Model{o: o, src: o.Source, interval: o.Interval, now: o.Now, log: o.Log, keys: DefaultKeyMap(), filterParsed: flt}
	m.ctx, m.cancel = context.WithCancel(context.Background())
	m.data.tracker = &api.RateTracker[string]{}
	m.data.rates = m.data.tracker
	m.c = &common{st: NewStyles(o.Renderer), keys: m.keys, now: o.Now, loc: o.Location, data: &m.data}
	m.header = header{c: m.c}
	m.flows = newFlowsPane(m.c, o.Sort)
	m.flows.filter = flt.String()
	m.targets = &targetsPane{listPane{c: m.c}}
	m.targets.count = func() int { return len(m.targets.targets()) }
	m.endpoints = &endpointsPane{listPane{c: m.c}}
	m.endpoints.count = func() int {
		if m.data.stats == nil {
			return 0
		}
		return len(m.data.stats.Endpoints)
	}
	m.drops = &dropsPane{listPane{c: m.c}}
	m.drops.count = func() int { return len(m.drops.rows()) }
	m.events = &eventsPane{listPane: listPane{c: m.c}}
	m.events.count = func() int { return len(m.events.events) }
	m.panes = []pane{m.flows, m.targets, m.endpoints, m.drops, m.events}
	m.flows.SetFocused(true)
	m.detail = detail{c: m.c}
	m.filter = newFilterInput(m.c)
	m.help = help.New()
	m.help.Styles = m.c.st.helpStyles()
	return m, nil
}

// Init asks the node for everything at once and starts the refresh tick.
func (m *Model) Init() tea.Cmd { return tea.Batch(m.fetchAll(), m.tick()) }

// Close cancels the requests in flight.
func (m *Model) Close() { m.cancel() }

// Update handles a message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		return m, m.relayout()
	case tea.KeyMsg:
		return m, m.key(msg)
	case tickMsg:
		return m, tea.Batch(m.tick(), m.fetchAll())
	case infoMsg:
		m.answered(kindInfo, msg.err)
		if msg.err == nil {
			m.gotInfo(msg.info)
		}
	case statsMsg:
		m.answered(kindStats, msg.err)
		if msg.err == nil {
			m.gotStats(msg.stats)
		}
	case flowsMsg:
		return m, m.gotFlows(msg)
	case eventsMsg:
		return m, m.gotEvents(msg)
	case lookupMsg:
		m.answered(kindLookup, msg.err)
		if m.detail.kind == detailFlow && msg.req == m.detail.req {
			m.detail.answered(msg.res, msg.err)
		}
	default:
		if m.mode == modeFilter {
			return m, m.filter.update(msg)
		}
	}
	return m, nil
}

// gotInfo takes /info; a new StartedAt is a new run of the node: its
// events are numbered afresh and its counters started again.
func (m *Model) gotInfo(i *api.Info) {
	if old := m.data.info; old != nil && !old.StartedAt.Equal(i.StartedAt) {
		m.log.Info("node restarted", "started_at", i.StartedAt)
		m.eventsAfter = 0
		m.events.reset()
		m.data.tracker = &api.RateTracker[string]{}
		m.data.rates = m.data.tracker
		m.data.samples = 0
		m.data.pps.reset()
		m.data.bps.reset()
	}
	m.data.info = i
}

// gotStats takes /stats and derives the rates from the previous reading.
func (m *Model) gotStats(s *api.Stats) {
	d := &m.data
	d.stats = s
	d.tracker.Sample(s.Time, rateCounters(s))
	d.samples++
	if d.samples > 1 {
		d.pps.add(d.rates.Rate(ratePackets))
		d.bps.add(8 * d.rates.Rate(rateBytes))
	}
	m.notice = ""
}

func (m *Model) gotFlows(msg flowsMsg) tea.Cmd {
	m.answered(kindFlows, msg.err)
	if msg.q != m.flows.query() {
		// Asked before the filter, sort or size changed: ask again.
		return m.fetch(kindFlows)
	}
	if msg.err != nil {
		m.flows.err = msg.err
		return nil
	}
	m.flows.setPage(msg.page)
	for i := range msg.page.Flows {
		m.detail.seen(&msg.page.Flows[i])
	}
	return nil
}

// gotEvents takes a page of events; while pages come full the next is
// asked at once, else at the next tick (the long poll waits for news).
func (m *Model) gotEvents(msg eventsMsg) tea.Cmd {
	m.answered(kindEvents, msg.err)
	if msg.err != nil || msg.after != m.eventsAfter {
		return nil
	}
	m.events.add(msg.page)
	m.eventsAfter = msg.page.Next
	if len(msg.page.Events) > 0 {
		return m.fetch(kindEvents)
	}
	return nil
}

// refetchFlows asks for flows now (the query changed); if a request is in
// flight, its stale answer triggers the new one.
func (m *Model) refetchFlows() tea.Cmd { return m.fetch(kindFlows) }

// key handles a key in the current mode. Keys typed faster than the
// terminal is read arrive as one message of several runes: outside the
// filter input each is a key of its own, and once one ("/") opens the
// filter the rest are its text, none lost.
func (m *Model) key(msg tea.KeyMsg) tea.Cmd {
	if m.mode != modeFilter && msg.Type == tea.KeyRunes && len(msg.Runes) > 1 && !msg.Paste {
		cmds := make([]tea.Cmd, 0, 2)
		for i, r := range msg.Runes {
			cmds = append(cmds, m.key(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}, Alt: msg.Alt}))
			if m.mode == modeFilter {
				if rest := msg.Runes[i+1:]; len(rest) > 0 {
					cmds = append(cmds, m.key(tea.KeyMsg{Type: tea.KeyRunes, Runes: rest, Alt: msg.Alt}))
				}
				break
			}
		}
		return tea.Batch(cmds...)
	}
	k := m.keys
	switch m.mode {
	case modeFilter:
		return m.filterKey(msg)
	case modeDetail:
		switch {
		case key.Matches(msg, k.Quit):
			return m.quit()
		case key.Matches(msg, k.Back), key.Matches(msg, k.Select):
			m.detail.close()
			m.mode = modeBrowse
			return m.relayout()
		case key.Matches(msg, k.Help):
			return m.toggleHelp()
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.Quit):
		return m.quit()
	case key.Matches(msg, k.Help):
		return m.toggleHelp()
	case key.Matches(msg, k.NextPane):
		m.setFocus(m.focus + 1)
	case key.Matches(msg, k.PrevPane):
		m.setFocus(m.focus - 1)
	case key.Matches(msg, k.Filter):
		m.mode = modeFilter
		return tea.Batch(m.relayout(), m.filter.open(m.flows.filter))
	case key.Matches(msg, k.SortNext), key.Matches(msg, k.SortPrev):
		d := 1
		if key.Matches(msg, k.SortPrev) {
			d = -1
		}
		before := m.flows.query()
		m.flows.cycle(d)
		if m.flows.query() != before {
			return m.refetchFlows()
		}
	case key.Matches(msg, k.Select):
		return m.openDetail()
	case key.Matches(msg, k.Back):
		if m.flows.filter != "" {
			return m.applyFilter("")
		}
	default:
		m.panes[m.focus].HandleKey(k, msg)
	}
	return nil
}

func (m *Model) filterKey(msg tea.KeyMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.ForceQuit):
		return m.quit()
	case key.Matches(msg, k.Apply):
		if m.filter.err != nil {
			return nil // the error stays shown until the text parses
		}
		return m.closeFilter()
	case key.Matches(msg, k.Cancel):
		return tea.Batch(m.closeFilter(), m.applyFilter(m.filter.before))
	}
	cmd := m.filter.update(msg)
	if f, err := m.filter.filter(); err == nil && f != m.flows.filter {
		return tea.Batch(cmd, m.applyFilter(f))
	}
	return cmd
}

func (m *Model) closeFilter() tea.Cmd {
	m.filter.close()
	m.mode = modeBrowse
	return m.relayout()
}

// applyFilter makes text (canonical, parsed already) the flows filter.
func (m *Model) applyFilter(text string) tea.Cmd {
	flt, err := api.ParseFlowFilter(text)
	if err != nil {
		return nil
	}
	m.filterParsed = flt
	m.flows.filter = flt.String()
	return m.refetchFlows()
}

func (m *Model) openDetail() tea.Cmd {
	switch m.panes[m.focus] {
	case m.flows:
		if f := m.flows.selected(); f != nil {
			m.detail.showFlow(f)
			m.mode = modeDetail
			return tea.Batch(m.relayout(), m.fetch(kindLookup))
		}
	case m.targets:
		if t := m.targets.selected(); t != nil {
			m.detail.showTarget(t.ID)
			m.mode = modeDetail
			return m.relayout()
		}
	}
	return nil
}

func (m *Model) setFocus(i int) {
	m.panes[m.focus].SetFocused(false)
	m.focus = (i + len(m.panes)) % len(m.panes)
	m.panes[m.focus].SetFocused(true)
}

func (m *Model) toggleHelp() tea.Cmd {
	m.help.ShowAll = !m.help.ShowAll
	return m.relayout()
}

// relayout lays the components out again and asks for flows if the
// table's rows changed.
func (m *Model) relayout() tea.Cmd {
	before := m.flows.query()
	m.layout()
	if m.flows.query() != before {
		return m.refetchFlows()
	}
	return nil
}

func (m *Model) quit() tea.Cmd {
	m.cancel()
	return tea.Quit
}

func (m *Model) helpView() string {
	m.help.Width = m.width
	return m.help.View(keyHelp{k: m.keys, mode: m.mode})
}

// layout sizes every component for the terminal: header (2 lines), the
// flows table, targets beside endpoints, events beside drops, the status
// line and the help bar; a detail takes the panes' room.
func (m *Model) layout() {
	w := m.width
	helpH := lipgloss.Height(m.helpView())
	body := m.height - 2 - 1 - helpH
	m.header.SetSize(w, 2)
	m.filter.SetSize(w, 1)
	m.detail.SetSize(w, max(body, 0))
	evRows := min(max(body/6, 2), 8)
	midRows := min(max(body/5, 2), 10)
	flowRows := body - 2 - (2 + midRows) - (2 + evRows)
	if flowRows < 2 {
		evRows, midRows = 1, 1
		flowRows = max(body-2-3-3, 0)
	}
	left := w * 3 / 5
	m.flows.SetSize(w, 2+flowRows)
	m.targets.SetSize(left, 2+midRows)
	m.endpoints.SetSize(w-left-1, 2+midRows)
	dropsW := min(max(w/3, 26), 44)
	m.events.SetSize(w-dropsW-1, 2+evRows)
	m.drops.SetSize(dropsW, 2+evRows)
}

// View draws the dashboard: exactly the terminal's height in lines, none
// wider than it.
func (m *Model) View() string {
	w, h := m.width, m.height
	if w == 0 || h == 0 {
		return ""
	}
	if w < MinWidth || h < MinHeight {
		return m.tooSmall()
	}
	lines := make([]string, 0, h)
	lines = append(lines, m.header.Lines()...)
	body := h - len(lines) - 1 - lipgloss.Height(m.helpView())
	switch {
	case m.detail.open():
		lines = append(lines, m.detail.Lines()...)
	case !m.data.conn.connected:
		lines = append(lines, m.waiting(body)...)
	default:
		lines = append(lines, m.flows.Lines()...)
		lines = append(lines, besides(m.targets.Lines(), m.endpoints.Lines())...)
		lines = append(lines, besides(m.events.Lines(), m.drops.Lines())...)
	}
	lines = append(lines, m.statusLine())
	lines = append(lines, strings.Split(m.helpView(), "\n")...)
	for i := range lines {
		lines[i] = fit(lines[i], w)
	}
	return strings.Join(padLines(lines, w, h), "\n")
}

// waiting is the body before the node first answered: what is tried and,
// when it failed, the client's words for why and what to do.
func (m *Model) waiting(h int) []string {
	st := m.c.st
	var text []string
	if err := m.data.conn.err; err != nil {
		text = append(text, st.Error.Render("Cannot reach the node's API."), "")
		text = append(text, wrap(err.Error(), m.width-4)...)
		text = append(text, "", st.Dim.Render("Retrying every "+m.interval.String()+"; the dashboard fills in as soon as serve answers."))
	} else {
		text = append(text, st.Dim.Render("Connecting to "+m.o.Socket+" …"))
	}
	out := make([]string, 0, h)
	top := max((h-len(text))/2, 0)
	for range top {
		out = append(out, "")
	}
	for _, t := range text {
		out = append(out, "  "+t)
	}
	for i := range out {
		out[i] = fit(out[i], m.width)
	}
	return padLines(out, m.width, h)
}

func (m *Model) statusLine() string {
	st := m.c.st
	if m.mode == modeFilter {
		return m.filter.Line()
	}
	if err := m.data.conn.err; err != nil && m.data.conn.connected {
		return st.Error.Render(fit("✗ "+err.Error()+" · retrying every "+m.interval.String(), m.width))
	}
	left := "no filter (/ to filter)"
	if m.flows.filter != "" {
		left = "filter: " + m.flows.filter + " (esc clears)"
	}
	if m.notice != "" {
		left = st.Warn.Render("node: " + m.notice)
	}
	right := "every " + m.interval.String()
	if s := m.data.stats; s != nil {
		right = "updated " + s.Time.In(m.c.loc).Format("15:04:05") + " · " + right
	}
	if n := width(left) + 2 + width(right); n <= m.width {
		return left + blank(m.width-n+2) + st.Dim.Render(right)
	}
	return fit(left, m.width)
}

func (m *Model) tooSmall() string {
	msg := []string{"terminal too small", "need " + strconv.Itoa(MinWidth) + "x" + strconv.Itoa(MinHeight) + ",", "have " + strconv.Itoa(m.width) + "x" + strconv.Itoa(m.height), "(q quits)"}
	lines := make([]string, 0, m.height)
	for _, s := range msg {
		lines = append(lines, fit(s, m.width))
	}
	return strings.Join(padLines(lines, m.width, m.height), "\n")
}

// wrap breaks s into lines of at most w cells at spaces.
func wrap(s string, w int) []string {
	if w < 10 {
		w = 10
	}
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		switch {
		case line == "":
			line = word
		case width(line)+1+width(word) <= w:
			line += " " + word
		default:
			lines = append(lines, line)
			line = word
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}
