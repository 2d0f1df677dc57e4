package tui

import (
	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/gwlbctl/gwlbctl/control/api"
)

// filterInput is the flows filter being typed: control/api's filter text
// syntax, checked at each key; while it parses, the table follows it.
type filterInput struct {
	c      *common
	ti     textinput.Model
	err    error
	before string // the filter applied when editing began
	w      int
}

func newFilterInput(c *common) *filterInput {
	ti := textinput.New()
	ti.Prompt = "filter: "
	ti.Placeholder = "tcp 10.1.0.0/16 port=443 endpoint=vpce-… target=i-…"
	ti.CharLimit = 512
	ti.PromptStyle = c.st.Key
	ti.PlaceholderStyle = c.st.Dim
	ti.TextStyle = c.st.Plain
	ti.CompletionStyle = c.st.Dim
	ti.Cursor.Style = c.st.Plain
	ti.Cursor.TextStyle = c.st.Plain
	// A steady cursor: no blink timer redrawing the screen.
	ti.Cursor.SetMode(cursor.CursorStatic)
	return &filterInput{c: c, ti: ti}
}

func (f *filterInput) SetSize(w, _ int) {
	f.w = w
	f.fitInput()
}

// fitInput sizes the text input to its text (or its placeholder), so
// that what is wrong with it fits beside it; half the line at most.
func (f *filterInput) fitInput() {
	n := len([]rune(f.ti.Value())) + 1
	if n == 1 {
		n = len([]rune(f.ti.Placeholder)) + 1
	}
	f.ti.Width = max(min(n, f.w/2), 8)
}

// open starts editing, from the applied filter.
func (f *filterInput) open(applied string) tea.Cmd {
	f.before, f.err = applied, nil
	f.ti.SetValue(applied)
	f.ti.CursorEnd()
	f.fitInput()
	return f.ti.Focus()
}

func (f *filterInput) close() { f.ti.Blur() }

// update hands msg to the text input and checks the text.
func (f *filterInput) update(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	f.ti, cmd = f.ti.Update(msg)
	f.fitInput()
	f.ti, _ = f.ti.Update(nil) // scroll the text into the new width
	_, f.err = api.ParseFlowFilter(f.ti.Value())
	return cmd
}

// filter is the text's filter in canonical form, or the error saying what
// is wrong with it.
func (f *filterInput) filter() (string, error) {
	flt, err := api.ParseFlowFilter(f.ti.Value())
	if err != nil {
		return "", err
	}
	return flt.String(), nil
}

// Line is the input's line: the text, then what is wrong with it.
func (f *filterInput) Line() string {
	s := f.ti.View()
	if f.err != nil {
		s += "  " + f.c.st.Error.Render("✗ "+f.err.Error())
	}
	return fit(s, f.w)
}
