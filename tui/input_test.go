package tui

import (
	"io"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// runes is the message bubbletea makes of printable keys that arrive in
// one read of the terminal: one KeyRunes message of them all.
func runes(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }

// keyState is what a test of the keys compares between two models.
type keyState struct {
	mode    mode
	text    string // the filter input's text
	filter  string // the filter applied to the table
	sort    string
	help    bool
	focus   int
	errText string
}

func stateOf(m *Model) keyState {
	s := keyState{mode: m.mode, text: m.filter.ti.Value(), filter: m.flows.filter,
		sort: m.flows.title(), help: m.help.ShowAll, focus: m.focus}
	if m.filter.err != nil {
		s.errText = m.filter.err.Error()
	}
	return s
}

// TestUpdateKeysInOneRead: keys typed faster than the terminal is read
// reach the model as one message of several runes; every one of them
// counts, as when each came alone. "/" opens the filter and what follows
// it in the same read is the filter's text: none of it is lost.
func TestUpdateKeysInOneRead(t *testing.T) {
	for _, keys := range []string{
		"/tcp",
		"/proto=udp",
		"/q",   // q is text in the filter, not quit
		"/sss", // and s is text, not a sort
		"/?",
		"sss",
		"sSs",
		"s/proto=udp",
		"?/udp",
		"jjk",
		"/", "//", "/p/",
	} {
		t.Run(keys, func(t *testing.T) {
			n := newNode(t, 300)
			burst, alone := liveModel(t, n, 100, 30), liveModel(t, n, 100, 30)
			for _, msg := range n.answers(t, burst.flows.query(), burst.filterParsed, 2) {
				burst.Update(msg)
				alone.Update(msg)
			}
			_, cmd := burst.Update(runes(keys))
			var aloneCmds []tea.Cmd
			for _, r := range keys {
				_, c := alone.Update(runes(string(r)))
				aloneCmds = append(aloneCmds, c)
			}
			if got, want := stateOf(burst), stateOf(alone); got != want {
				t.Fatalf("%q in one read: %+v\nkey by key:      %+v", keys, got, want)
			}
			if isQuit(cmd) != isQuit(tea.Batch(aloneCmds...)) {
				t.Fatalf("%q in one read: quit %v, key by key the other", keys, isQuit(cmd))
			}
			if burst.View() != alone.View() {
				t.Fatalf("%q in one read shows:\n%s\nkey by key:\n%s", keys, burst.View(), alone.View())
			}
		})
	}

	// A text that ends not parsing, typed right after /: all of it is in
	// the input and its error shows; the table keeps the filter it had (key
	// by key it would have the last text that parsed, port=9999).
	n := newNode(t, 300)
	m := liveModel(t, n, 100, 30)
	n.feed(t, m, 100, 30, 2)
	m.Update(runes("/port=99999"))
	if m.mode != modeFilter || m.filter.ti.Value() != "port=99999" || m.flows.filter != "" ||
		!strings.Contains(m.View(), `✗ filter port="99999": want a port 1-65535`) {
		t.Fatalf(`"/port=99999" in one read: mode %d, text %q, applied %q:\n%s`, m.mode, m.filter.ti.Value(), m.flows.filter, m.View())
	}
	// Browsing again, a burst after the filter closed is keys again.
	press(m, "ctrl+u")
	m.Update(runes("udp"))
	press(m, "enter")
	m.Update(runes("ss"))
	if m.mode != modeBrowse || m.flows.filter != "proto=udp" || !strings.Contains(m.flows.title(), "by rate") {
		t.Fatalf("udp, enter, ss: mode %d, filter %q, title %q", m.mode, m.flows.filter, m.flows.title())
	}
}

// TestProgramKeysInOneRead runs the model as a program reading its input:
// bubbletea's reader makes one message of "/port=9999" (one read), then
// ctrl+c quits; the filter got all of the text.
func TestProgramKeysInOneRead(t *testing.T) {
	m := newModel(t, Options{Interval: time.Hour})
	p := tea.NewProgram(m, tea.WithInput(strings.NewReader("/port=9999\x03")), tea.WithOutput(io.Discard), tea.WithoutSignalHandler())
	if _, err := p.Run(); err != nil {
		t.Fatal(err)
	}
	if m.filter.ti.Value() != "port=9999" || m.flows.filter != "port=9999" {
		t.Fatalf("filter text %q, applied %q; want port=9999 for both", m.filter.ti.Value(), m.flows.filter)
	}
}
