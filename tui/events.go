package tui

import (
	"fmt"

	"github.com/charmbracelet/lipgloss"

	"github.com/gwlbctl/gwlbctl/control/api"
)

// maxEvents is how many events the pane keeps.
const maxEvents = 500

var eventCols = []column{
	{title: "TIME", min: 8, ideal: 8, prio: 1},
	{title: "KIND", min: 8, ideal: 8, prio: 2},
	{title: "EVENT", min: 10, ideal: 200, prio: 1},
}

// eventsPane follows the node's event log: newest last, and kept in view
// unless the person scrolled up.
type eventsPane struct {
	listPane
	events []api.Event
	missed uint64 // events the node no longer held when asked
}

// add appends a page of events (after a reset, from scratch).
func (p *eventsPane) add(pg *api.EventPage) {
	if pg.Reset {
		p.events, p.missed = p.events[:0], 0
	}
	follow := p.list.sel >= p.n-1
	p.missed += pg.Missed
	p.events = append(p.events, pg.Events...)
	if over := len(p.events) - maxEvents; over > 0 {
		p.events = append(p.events[:0], p.events[over:]...)
	}
	p.n = len(p.events)
	if follow {
		p.list.sel = p.n - 1
	}
	p.clamp()
}

func (p *eventsPane) reset() {
	p.events, p.missed, p.n, p.list.sel, p.offset = p.events[:0], 0, 0, 0, 0
}

func (p *eventsPane) Lines() []string {
	p.n = len(p.events)
	info := ""
	if p.missed > 0 {
		info = fmt.Sprintf("%d missed (the node's log moved on)", p.missed)
	}
	st := p.c.st
	return p.render("Events", info, eventCols, func(i int, c []cell) {
		e := &p.events[i]
		var s *lipgloss.Style
		switch e.Kind {
		case api.EventHealth:
			hs := st.health(e.To)
			s = &hs
		case api.EventEndpoint:
			es := st.endpointState(e.To)
			s = &es
		case api.EventWarning:
			s = &st.Warn
		}
		c[0] = cell{text: e.Time.In(p.c.loc).Format("15:04:05")}
		c[1] = cell{text: e.Kind, style: s}
		c[2] = cell{text: e.Message}
	}, "no events yet")
}
