package tui

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/charmbracelet/lipgloss"
)

// column is one column of a pane's table. Columns collapse by priority on
// narrow panes: the most important are kept, each at least min cells and
// widened up to ideal when there is room. A greedy column takes its ideal
// width, when it fits, before less important columns are considered (a
// tuple or an id cut short helps nobody).
type column struct {
	title      string
	min, ideal int
	prio       int // lower is kept first
	right      bool
	greedy     bool
}

// layoutColumns returns each column's width for a line of w cells with one
// space between shown columns; 0 hides a column.
func layoutColumns(cols []column, w int) []int {
	order := make([]int, len(cols))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cols[a].prio - cols[b].prio })
	widths := make([]int, len(cols))
	used := 0
	for _, i := range order {
		gap := 0
		if used > 0 {
			gap = 1
		}
		switch c := &cols[i]; {
		case c.greedy && used+gap+c.ideal <= w:
			widths[i] = c.ideal
		case used+gap+c.min <= w:
			widths[i] = c.min
		default:
			continue
		}
		used += gap + widths[i]
	}
	// Widen towards ideal, most important first; columns of one priority
	// share the room evenly.
	extra := w - used
	for lo := 0; lo < len(order) && extra > 0; {
		hi := lo
		for hi < len(order) && cols[order[hi]].prio == cols[order[lo]].prio {
			hi++
		}
		for grew := true; grew && extra > 0; {
			grew = false
			for _, i := range order[lo:hi] {
				if widths[i] > 0 && widths[i] < cols[i].ideal && extra > 0 {
					widths[i]++
					extra--
					grew = true
				}
			}
		}
		lo = hi
	}
	return widths
}

// cell is one cell's text and style.
type cell struct {
	text  string
	style *lipgloss.Style // nil: plain
}

// renderRow lays cells out in the widths of layoutColumns, padded to w.
func renderRow(cols []column, widths []int, cells []cell, w int) string {
	var b strings.Builder
	used := 0
	for i, c := range cols {
		if widths[i] == 0 {
			continue
		}
		if used > 0 {
			b.WriteByte(' ')
			used++
		}
		var s string
		if c.right {
			s = fitRight(cells[i].text, widths[i])
		} else {
			s = fit(cells[i].text, widths[i])
		}
		if cells[i].style != nil {
			s = cells[i].style.Render(s)
		}
		b.WriteString(s)
		used += widths[i]
	}
	if used < w {
		b.WriteString(strings.Repeat(" ", w-used))
	}
	return b.String()
}

// headerRow is the column titles; the titles of marked columns (the
// order's) are underlined as well.
func headerRow(st *Styles, cols []column, widths []int, marked []int, w int) string {
	cells := make([]cell, len(cols))
	under := st.Header.Underline(true)
	for i, c := range cols {
		cells[i] = cell{text: c.title, style: &st.Header}
		if slices.Contains(marked, i) {
			cells[i].style = &under
		}
	}
	return renderRow(cols, widths, cells, w)
}

// abbrevID shortens an AWS id to w cells keeping its kind and its end,
// which tell ids apart: vpce-0123456789abcdef0 -> vpce-…abcdef0.
func abbrevID(id string, w int) string {
	if width(id) <= w {
		return id
	}
	prefix, rest, ok := strings.Cut(id, "-")
	if !ok || w < len(prefix)+3 {
		return id // fit truncates it
	}
	keep := w - len(prefix) - 2
	if keep >= len(rest) {
		return id
	}
	return prefix + "-…" + rest[len(rest)-keep:]
}

// targetCell is a target's id, or its address when the id does not fit
// (ip targets have the address as id anyway).
func targetCell(id, ip string, w int) string {
	if width(id) <= w || ip == "" || ip == "invalid IP" {
		return id
	}
	if width(ip) <= w {
		return ip
	}
	return id
}

// flowEnd is one end of a flow: ADDR:PORT, or ADDR for protocols without
// ports.
func flowEnd(ap netip.AddrPort, proto uint8) string {
	if ap.Port() == 0 && proto != 6 && proto != 17 {
		return ap.Addr().String()
	}
	return ap.String()
}

// titleLine is a pane's title line: "─ Title  info ───…", drawn heavy (━)
// when the pane has the focus so that focus shows without colour.
func titleLine(st *Styles, title, info string, w int, focused bool) string {
	rule, style := "─", st.Title
	if focused {
		rule, style = "━", st.TitleFocused
	}
	text := rule + " " + title
	if info != "" {
		text += "  " + info
	}
	text += " "
	n := width(text)
	if n >= w {
		return style.Render(fit(text, w))
	}
	return style.Render(text + strings.Repeat(rule, w-n))
}

// blank is a line of w spaces.
func blank(w int) string { return strings.Repeat(" ", max(w, 0)) }

// padLines makes lines exactly h lines of w cells (cutting or adding blank
// ones; each line is assumed to be w cells already).
func padLines(lines []string, w, h int) []string {
	if len(lines) > h {
		return lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, blank(w))
	}
	return lines
}

// besides joins two blocks of lines side by side with a vertical rule;
// both have the same number of lines.
func besides(left, right []string) []string {
	out := make([]string, len(left))
	for i := range left {
		out[i] = left[i] + "│" + right[i]
	}
	return out
}

// list is a pane's selection and scroll position over n rows, h visible.
type list struct {
	sel, offset, n, h int
}

func (l *list) setRows(n, h int) {
	l.n, l.h = n, max(h, 0)
	l.clamp()
}

func (l *list) move(d int) {
	l.sel += d
	l.clamp()
}

func (l *list) top()    { l.sel = 0; l.clamp() }
func (l *list) bottom() { l.sel = l.n - 1; l.clamp() }

func (l *list) clamp() {
	l.sel = max(min(l.sel, l.n-1), 0)
	if l.sel < l.offset {
		l.offset = l.sel
	}
	if l.h > 0 && l.sel >= l.offset+l.h {
		l.offset = l.sel - l.h + 1
	}
	l.offset = max(min(l.offset, l.n-l.h), 0)
}

// visible is the range of rows shown.
func (l *list) visible() (from, to int) {
	return l.offset, min(l.offset+l.h, l.n)
}
