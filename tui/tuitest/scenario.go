package tuitest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/gwlbctl/gwlbctl/control/api"
)

// TopCheck says what TopScenario runs and what it must find.
type TopCheck struct {
	// Binary is the gwlbctl binary; Socket the node API's socket.
	Binary, Socket string
	// Args are more arguments to top (e.g. --interval 200ms --log-file F).
	Args []string
	// Env is added to the terminal's environment.
	Env []string
	// Width and Height of the terminal (0: 100x30).
	Width, Height int
	// Flow is the SRC (or DST) of a live flow among the top flows by
	// bytes whose bytes rise while the scenario watches.
	Flow string
	// Target is a target id whose row must show the state Health.
	Target, Health string
	// Filter is typed after /; then a flow row must show FilteredIn (a
	// SRC or DST) and none FilteredOut.
	Filter, FilteredIn, FilteredOut string
}

// exitMarker is echoed with top's exit status after it returns.
const exitMarker = "gwlbctl-top-exit="

// TopScenario runs `gwlbctl top --node SOCKET` in a Terminal and checks,
// on the screen, what a person would: the dashboard comes up on the
// alternate screen with c.Flow among the flows, c.Target's health, and
// c.Flow's bytes rising; s sorts (the title says "by age" and the AGE
// column is in order); a filter that does not parse shows control/api's
// error and a good one (c.Filter) narrows the table; q quits with exit
// status 0, back on the shell with the dashboard gone.
func TopScenario(t testing.TB, c TopCheck) {
	t.Helper()
	tm := StartTerminal(t, TerminalOptions{Width: c.Width, Height: c.Height, Env: c.Env})
	args := append([]string{shellQuote(c.Binary), "top", "--node", shellQuote(c.Socket)}, c.Args...)
	tm.Run(strings.Join(args, " ") + "; echo " + exitMarker + "$?")

	screen := tm.WaitFor("the dashboard with flow "+c.Flow, func(s string) bool {
		return findFlow(s, c.Flow) != nil
	})
	if !tm.AltScreen() {
		t.Fatalf("the dashboard is not on the alternate screen:\n%s", screen)
	}
	tm.WaitFor(fmt.Sprintf("target %s shown %s", c.Target, c.Health), func(s string) bool {
		return targetShows(s, c.Target, c.Health)
	})

	// A rising counter: the flow's bytes from the initiator.
	first, ok := ParseSI(findFlow(screen, c.Flow)[columnOf(screen, "BYTES→")])
	if !ok {
		t.Fatalf("flow %s: BYTES→ does not read as a number:\n%s", c.Flow, screen)
	}
	tm.WaitFor(fmt.Sprintf("flow %s's bytes to rise above %v", c.Flow, first), func(s string) bool {
		row := findFlow(s, c.Flow)
		if row == nil {
			return false
		}
		v, ok := ParseSI(row[columnOf(s, "BYTES→")])
		return ok && v > first
	})

	// Sorting: bytes -> packets -> rate -> age, ranked by the node.
	tm.SendKeys("s", "s", "s")
	tm.WaitFor("the flows sorted by age, oldest first", func(s string) bool {
		if !strings.Contains(s, " by age") {
			return false
		}
		rows := flowRows(s)
		col := columnOf(s, "AGE")
		if len(rows) < 2 || col < 0 {
			return false
		}
		prev := -1.0
		for _, r := range rows {
			v, ok := ParseDuration(r[col])
			if !ok || prev >= 0 && v > prev {
				return false
			}
			prev = v
		}
		return true
	})
	tm.SendKeys("S", "S", "S")
	tm.WaitForText(" by bytes")

	// Filtering: a bad filter is refused with the parser's message; a good
	// one narrows the table. The / and the text after it are typed in one
	// write, as keys typed faster than top reads them: they reach top in
	// one read, and none of the text may be lost.
	tm.Type("/port=99999")
	tm.WaitForText("want a port 1-65535")
	want, err := api.ParseFlowFilter(c.Filter)
	if err != nil {
		t.Fatalf("TopCheck.Filter %q: %v", c.Filter, err)
	}
	tm.SendKeys("C-u")
	tm.Type(c.Filter)
	tm.SendKeys("Enter")
	// The status line's own words, not the input's "filter: TEXT": enter
	// closed the input, so the q below quits rather than being typed.
	applied := "filter: " + want.String() + " (esc clears)"
	tm.WaitFor(fmt.Sprintf("the flows filtered by %q, the input closed: %s shown, %s not", want.String(), c.FilteredIn, c.FilteredOut), func(s string) bool {
		return strings.Contains(s, applied) && findFlow(s, c.FilteredIn) != nil &&
			(c.FilteredOut == "" || findFlow(s, c.FilteredOut) == nil)
	})

	// Quit: status 0, the shell back, nothing of the dashboard left. The
	// shell writes its prompt after the echo: wait for both.
	tm.SendKeys("q")
	screen = tm.WaitFor("top to exit and the shell's prompt after it", func(s string) bool {
		return exitLine(s) != "" && lastLine(s) == strings.TrimSpace(Prompt)
	})
	if got := exitLine(screen); got != exitMarker+"0" {
		t.Fatalf("top exited with %q, want %s0:\n%s", got, exitMarker, screen)
	}
	if tm.AltScreen() {
		t.Fatalf("the terminal is still on the alternate screen after top exited:\n%s", screen)
	}
	for _, residue := range []string{"Flows", "Targets", "Endpoints", "PROTO"} {
		if strings.Contains(screen, residue) {
			t.Fatalf("the dashboard left %q on the shell's screen:\n%s", residue, screen)
		}
	}
}

// lastLine is the screen's last line that is not blank, trimmed.
func lastLine(screen string) string {
	lines := strings.Split(strings.TrimRight(screen, "\n "), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// exitLine is the line top's exit status was echoed on ("" before).
func exitLine(screen string) string {
	for _, l := range strings.Split(screen, "\n") {
		if l = strings.TrimSpace(l); strings.HasPrefix(l, exitMarker) && !strings.Contains(l, "$?") {
			return l
		}
	}
	return ""
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// flowHeader finds the flows table's column header line.
func flowHeader(screen string) (int, []string) {
	lines := strings.Split(screen, "\n")
	for i, l := range lines {
		f := strings.Fields(l)
		if slices.Contains(f, "PROTO") && slices.Contains(f, "SRC") {
			return i, f
		}
	}
	return -1, nil
}

// columnOf is the index of a flows column in a row of flowRows (-1: not
// shown).
func columnOf(screen, title string) int {
	_, h := flowHeader(screen)
	return slices.Index(h, title)
}

// flowRows are the flows table's rows on the screen, as the cells under
// the header's titles (every cell is one word; the selection mark is
// dropped).
func flowRows(screen string) [][]string {
	at, h := flowHeader(screen)
	if at < 0 {
		return nil
	}
	var rows [][]string
	for _, l := range strings.Split(screen, "\n")[at+1:] {
		f := strings.Fields(l)
		if len(f) > 0 && f[0] == ">" {
			f = f[1:]
		}
		if len(f) != len(h) {
			break
		}
		rows = append(rows, f)
	}
	return rows
}

// findFlow is the row of the flow whose SRC or DST is end (nil: none).
func findFlow(screen, end string) []string {
	src, dst := columnOf(screen, "SRC"), columnOf(screen, "DST")
	for _, r := range flowRows(screen) {
		if r[src] == end || r[dst] == end {
			return r
		}
	}
	return nil
}

// targetShows reports whether the targets pane has id's row with state.
func targetShows(screen, id, state string) bool {
	for _, l := range strings.Split(screen, "\n") {
		left, _, _ := strings.Cut(l, "│")
		f := strings.Fields(left)
		if len(f) > 0 && f[0] == ">" {
			f = f[1:]
		}
		if len(f) >= 2 && f[0] == id && slices.Contains(f, state) {
			return true
		}
	}
	return false
}
