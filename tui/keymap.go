package tui

import "github.com/charmbracelet/bubbles/key"

// KeyMap is every key binding of the dashboard, in one place; components
// read theirs from it and the help bar lists them.
type KeyMap struct {
	// Moving in the focused pane.
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	// Focus and detail.
	NextPane, PrevPane, Select, Back key.Binding
	// The flows table.
	SortNext, SortPrev, Filter key.Binding
	// In the filter input.
	Apply, Cancel key.Binding
	// Everywhere.
	Help, Quit, ForceQuit key.Binding
}

// DefaultKeyMap is gwlbctl top's key map.
func DefaultKeyMap() *KeyMap {
	return &KeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+f"), key.WithHelp("pgdn", "page down")),
		Top:      key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g/home", "first")),
		Bottom:   key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G/end", "last")),

		NextPane: key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "pane")),
		PrevPane: key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "pane back")),
		Select:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "detail")),
		Back:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close/clear filter")),

		SortNext: key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "sort")),
		SortPrev: key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "sort back")),
		Filter:   key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),

		Apply:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "done")),
		Cancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "undo")),

		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "more")),
		Quit:      key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		ForceQuit: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
	}
}

// mode is what keys currently act on.
type mode uint8

const (
	modeBrowse mode = iota // panes
	modeFilter             // the filter input
	modeDetail             // a flow's or a target's detail
)

// keyHelp is the help bar's view of the key map in one mode (it implements
// bubbles/help's KeyMap).
type keyHelp struct {
	k    *KeyMap
	mode mode
}

func (h keyHelp) ShortHelp() []key.Binding {
	k := h.k
	switch h.mode {
	case modeFilter:
		return []key.Binding{k.Apply, k.Cancel, k.ForceQuit}
	case modeDetail:
		return []key.Binding{withHelp(k.Back, "esc", "close"), k.Help, k.Quit}
	}
	return []key.Binding{k.NextPane, withHelp(k.Up, "↑↓", "move"), k.Select, k.SortNext, k.Filter, k.Help, k.Quit}
}

func (h keyHelp) FullHelp() [][]key.Binding {
	k := h.k
	switch h.mode {
	case modeFilter:
		return [][]key.Binding{{k.Apply, k.Cancel, k.ForceQuit}}
	case modeDetail:
		return [][]key.Binding{{withHelp(k.Back, "esc", "close"), k.Help, k.Quit}}
	}
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.NextPane, k.PrevPane, k.Select, k.Back},
		{withHelp(k.SortNext, "s", "next sort"), k.SortPrev, k.Filter},
		{withHelp(k.Help, "?", "fewer keys"), k.Quit},
	}
}

// withHelp is b with other help text.
func withHelp(b key.Binding, keys, desc string) key.Binding {
	b.SetHelp(keys, desc)
	return b
}
