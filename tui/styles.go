package tui

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/lipgloss"
)

// Styles are the dashboard's colours and emphasis. They only colour text
// already laid out (no widths, paddings or borders), so a layout is the
// same with colour on or off. Plain ANSI colours, never adaptive ones: an
// adaptive colour queries the terminal's background, which a multiplexer
// may not answer.
type Styles struct {
	Plain               lipgloss.Style
	Title, TitleFocused lipgloss.Style
	Header              lipgloss.Style // column headers
	Selected            lipgloss.Style // the selected row of the focused pane
	Dim                 lipgloss.Style
	Error, Warn, OK     lipgloss.Style
	Spark               lipgloss.Style
	Key, Desc           lipgloss.Style // help bar
}

// NewStyles builds the styles for r (its colour profile decides whether
// colour is emitted at all).
func NewStyles(r *lipgloss.Renderer) *Styles {
	c := func(n string) lipgloss.Style { return r.NewStyle().Foreground(lipgloss.Color(n)) }
	return &Styles{
		Plain:        r.NewStyle(),
		Title:        c("244"),
		TitleFocused: c("12").Bold(true),
		Header:       r.NewStyle().Bold(true),
		Selected:     r.NewStyle().Reverse(true),
		Dim:          c("244"),
		Error:        c("9").Bold(true),
		Warn:         c("11"),
		OK:           c("10"),
		Spark:        c("14"),
		Key:          c("12"),
		Desc:         c("250"),
	}
}

// health colours a target health state as describe-target-health names it.
func (s *Styles) health(state string) lipgloss.Style {
	switch state {
	case "healthy":
		return s.OK
	case "unhealthy":
		return s.Error
	case "initial", "draining":
		return s.Warn
	}
	return s.Dim // unused, unavailable, unknown
}

// endpointState colours an endpoint connection state: only available
// endpoints forward.
func (s *Styles) endpointState(state string) lipgloss.Style {
	switch state {
	case "available":
		return s.OK
	case "pendingAcceptance", "pending":
		return s.Warn
	}
	return s.Error
}

func (s *Styles) helpStyles() help.Styles {
	return help.Styles{
		Ellipsis: s.Dim, ShortKey: s.Key, ShortDesc: s.Desc, ShortSeparator: s.Dim,
		FullKey: s.Key, FullDesc: s.Desc, FullSeparator: s.Dim,
	}
}
