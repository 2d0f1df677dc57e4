package output

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"

	"golang.org/x/text/width"
)

// writeTable draws --output table as the AWS CLI does (awscli/formatter.py
// TableFormatter building an awscli/table.py MultiTable): a box titled by
// the operation; each object's scalar fields as a header row and a value
// row (sorted by key), each nested list or object as an indented section
// of its own; lists of objects as one row per object. When the widest
// section does not fit width, single-row sections turn vertical (one
// "key | value" row per field), as the AWS CLI does for a narrow terminal.
// Colours are never used.
func writeTable(w io.Writer, title string, width int, v any) error {
	t := &multiTable{}
	ok, err := t.build(&title, v, 0)
	if err != nil || !ok {
		return err
	}
	bw := bufio.NewWriter(w)
	t.render(bw, width)
	return bw.Flush()
}

// section is one box of the table (awscli/table.py Section).
type section struct {
	title     *string // nil: no title (Python's None, which still counts 4 wide)
	headers   []string
	rows      [][]string
	indent    int
	numCols   int // -1 until the first header or row
	maxWidths []int
}

type multiTable struct {
	sections []*section
	current  *section
}

func (t *multiTable) newSection(title *string, indent int) {
	t.current = &section{title: title, indent: indent, numCols: -1}
	t.sections = append(t.sections, t.current)
}

// build is TableFormatter._build_table.
func (t *multiTable) build(title *string, cur any, indent int) (bool, error) {
	if falsy(cur) {
		return false, nil
	}
	if title != nil {
		t.newSection(title, indent)
	}
	switch x := cur.(type) {
	case []any:
		if _, ok := x[0].(*Map); ok {
			return true, t.subTableFromList(x, indent, title)
		}
		for _, item := range x {
			switch it := item.(type) {
			case *Map:
				// Python iterates a dict's keys: a row of key names.
				row := make([]any, len(it.Keys))
				for i, k := range it.Keys {
					row[i] = k
				}
				if err := t.addRow(row); err != nil {
					return true, err
				}
			case []any:
				if allScalars(it) {
					if err := t.addRow(it); err != nil {
						return true, err
					}
				} else if _, err := t.build(nil, it, 0); err != nil {
					return true, err
				}
			default:
				if err := t.addRow([]any{it}); err != nil {
					return true, err
				}
			}
		}
	case *Map:
		return true, t.subTableFromDict(x, indent)
	}
	return true, nil
}

func (t *multiTable) subTableFromDict(m *Map, indent int) error {
	headers, more := groupScalarKeys(m)
	switch {
	case len(headers) == 1:
		if err := t.addRow([]any{headers[0], m.Values[headers[0]]}); err != nil {
			return err
		}
	case len(headers) > 0:
		t.addHeader(headers)
		row := make([]any, len(headers))
		for i, h := range headers {
			row[i] = m.Values[h]
		}
		if err := t.addRow(row); err != nil {
			return err
		}
	}
	for _, k := range more {
		k := k
		if _, err := t.build(&k, m.Values[k], indent+1); err != nil {
			return err
		}
	}
	return nil
}

func (t *multiTable) subTableFromList(list []any, indent int, title *string) error {
	hs, ms := map[string]bool{}, map[string]bool{}
	for _, e := range list {
		m, ok := e.(*Map)
		if !ok {
			return fmt.Errorf("table output: a list mixes objects with %s", typeName(e))
		}
		h, more := groupScalarKeys(m)
		for _, k := range h {
			hs[k] = true
		}
		for _, k := range more {
			ms[k] = true
		}
	}
	headers, more := sortedKeys(hs), sortedKeys(ms)
	t.addHeader(headers)
	for i, e := range list {
		m := e.(*Map)
		if i > 0 && len(more) > 0 {
			t.newSection(title, indent)
			t.addHeader(headers)
		}
		row := make([]any, len(headers))
		for j, h := range headers {
			if v, ok := m.Values[h]; ok {
				row[j] = v
			} else {
				row[j] = ""
			}
		}
		if err := t.addRow(row); err != nil {
			return err
		}
		for _, k := range more {
			if v, ok := m.Values[k]; ok {
				k := k
				if _, err := t.build(&k, v, indent+1); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (t *multiTable) addHeader(headers []string) {
	s := t.current
	if s == nil { // Python would fail here too; keep the data visible
		t.newSection(nil, 0)
		s = t.current
	}
	s.updateMaxWidths(headers)
	if s.numCols < 0 {
		s.numCols = len(headers)
	}
	s.headers = headers
}

func (t *multiTable) addRow(row []any) error {
	s := t.current
	if s == nil {
		t.newSection(nil, 0)
		s = t.current
	}
	if s.numCols < 0 {
		s.numCols = len(row)
	}
	if len(row) != s.numCols {
		return fmt.Errorf("Row should have %d elements, instead it has %d", s.numCols, len(row))
	}
	cells := make([]string, len(row))
	for i, c := range row {
		cells[i] = pyStr(c)
	}
	s.rows = append(s.rows, cells)
	s.updateMaxWidths(cells)
	return nil
}

func (s *section) updateMaxWidths(row []string) {
	if len(s.maxWidths) == 0 {
		s.maxWidths = make([]int, len(row))
		for i, c := range row {
			s.maxWidths[i] = textWidth(c)
		}
		return
	}
	for i, c := range row {
		if i < len(s.maxWidths) {
			s.maxWidths[i] = max(s.maxWidths[i], textWidth(c))
		}
	}
}

func (s *section) titleText() string {
	if s.title == nil {
		return "None"
	}
	return *s.title
}

// columnWidths is Section.calculate_column_widths: each column's widest
// cell plus padding, scaled (rounding half to even, as Python's round) to
// add up to maxWidth when maxWidth > 0.
func (s *section) columnWidths(padding, maxWidth int) []int {
	unscaled := make([]int, len(s.maxWidths))
	sum := 0
	for i, w := range s.maxWidths {
		unscaled[i] = w + padding
		sum += unscaled[i]
	}
	if maxWidth <= 0 || len(unscaled) == 0 {
		return unscaled
	}
	scale := float64(maxWidth) / float64(sum)
	scaled := make([]int, len(unscaled))
	total := 0
	for i, w := range unscaled {
		scaled[i] = int(math.RoundToEven(scale * float64(w)))
		total += scaled[i]
	}
	off := total - maxWidth
	for off != 0 {
		if off > 0 {
			for i := 0; i < len(scaled) && off != 0; i++ {
				scaled[i]--
				off--
			}
		} else {
			for i := len(scaled) - 1; i >= 0 && off != 0; i-- {
				scaled[i]++
				off++
			}
		}
	}
	return scaled
}

// totalWidth is Section.total_width(padding=4, with_border=True,
// outer_padding=indent).
func (s *section) totalWidth() int {
	total := 0
	for _, w := range s.columnWidths(0, 0) {
		total += w + 4
	}
	total += 2 + 2*s.indent
	return max(textWidth(s.titleText())+2+2*s.indent, total)
}

func (t *multiTable) maxWidth() int {
	m := 0
	for _, s := range t.sections {
		m = max(m, s.totalWidth())
	}
	return m
}

// render is MultiTable.render.
func (t *multiTable) render(w *bufio.Writer, terminalWidth int) {
	maxWidth := t.maxWidth()
	if maxWidth > terminalWidth {
		// convert_to_vertical_table: one-row sections with headers turn
		// into key/value rows.
		for i, s := range t.sections {
			if len(s.rows) == 1 && len(s.headers) > 0 {
				v := &section{title: s.title, indent: s.indent, numCols: -1}
				for j, h := range s.headers {
					if j < len(s.rows[0]) {
						v.numCols = 2
						v.rows = append(v.rows, []string{h, s.rows[0][j]})
						v.updateMaxWidths([]string{h, s.rows[0][j]})
					}
				}
				t.sections[i] = v
			}
		}
		maxWidth = t.maxWidth()
	}
	w.WriteString(strings.Repeat("-", maxWidth) + "\n")
	for _, s := range t.sections {
		t.renderSection(w, s, maxWidth)
	}
}

func (t *multiTable) renderSection(w *bufio.Writer, s *section, maxWidth int) {
	line := func(text string) {
		ind := strings.Repeat("|", s.indent)
		w.WriteString(ind + text + ind + "\n")
	}
	maxWidth -= s.indent * 2
	if s.title != nil && *s.title != "" {
		line(centerText(*s.title, maxWidth, "|", "|"))
		if len(s.headers) == 0 && len(s.rows) == 0 {
			line("+" + strings.Repeat("-", max(maxWidth-2, 0)) + "+")
		}
	}
	if len(s.headers) > 0 {
		widths := s.columnWidths(4, maxWidth)
		var cur strings.Builder
		for i := 0; i < len(widths) && i < len(s.headers); i++ {
			left := ""
			if i == 0 {
				left = "|"
			}
			cur.WriteString(centerText(s.headers[i], widths[i], left, "|"))
		}
		line(lineBreak(widths))
		line(cur.String())
	}
	if len(s.rows) > 0 {
		widths := s.columnWidths(4, maxWidth)
		if len(widths) == 0 {
			return
		}
		line(lineBreak(widths))
		for _, row := range s.rows {
			var cur strings.Builder
			for i := 0; i < len(widths) && i < len(row); i++ {
				left := ""
				if i == 0 {
					left = "|"
				}
				cur.WriteString(alignLeft(row[i], widths[i], left, "|"))
			}
			line(cur.String())
		}
		line(lineBreak(widths))
	}
}

// lineBreak is +-----+------+ for the column widths (without the newline).
func lineBreak(widths []int) string {
	var b strings.Builder
	for i, w := range widths {
		if i == 0 {
			b.WriteString("+" + strings.Repeat("-", max(w-2, 0)) + "+")
		} else {
			b.WriteString(strings.Repeat("-", max(w-1, 0)) + "+")
		}
	}
	return b.String()
}

// centerText is awscli/table.py center_text.
func centerText(text string, length int, left, right string) string {
	n := textWidth(text)
	start := floorDiv(length, 2) - floorDiv(n, 2) - 1
	soFar := len(left) + start + n
	return left + spaces(start) + text + spaces(length-len(right)-soFar) + right
}

// alignLeft is awscli/table.py align_left with its left padding of 2.
func alignLeft(text string, length int, left, right string) string {
	n := textWidth(text)
	padding := 2
	if length-(n+2+len(left)+len(right)) < 0 {
		padding = 0
	}
	soFar := len(left) + padding + n
	return left + spaces(padding) + text + spaces(length-soFar-len(right)) + right
}

func spaces(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat(" ", n)
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// textWidth is awscli/table.py get_text_length: characters whose East
// Asian Width is wide, fullwidth or ambiguous count 2.
func textWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth, width.EastAsianAmbiguous:
			n += 2
		default:
			n++
		}
	}
	return n
}

// falsy is Python's "not value" for JSON data.
func falsy(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case bool:
		return !x
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	case *Map:
		return len(x.Keys) == 0
	case json.Number:
		f, err := x.Float64()
		return err == nil && f == 0
	}
	return false
}

func allScalars(l []any) bool {
	for _, e := range l {
		if !isScalar(e) {
			return false
		}
	}
	return true
}

// groupScalarKeys is _group_scalar_keys: the sorted keys with scalar
// values, and the sorted others.
func groupScalarKeys(m *Map) (headers, more []string) {
	for _, k := range m.Keys {
		if isScalar(m.Values[k]) {
			headers = append(headers, k)
		} else {
			more = append(more, k)
		}
	}
	sort.Strings(headers)
	sort.Strings(more)
	return headers, more
}

func sortedKeys(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func typeName(v any) string {
	switch v.(type) {
	case []any:
		return "a list"
	case string:
		return "a string"
	case nil:
		return "null"
	}
	return "a scalar"
}

// pyStr is Python's str() of a JSON value, as the table and text formats
// print cells.
func pyStr(v any) string {
	switch x := v.(type) {
	case *Map, []any:
		return pyRepr(x)
	}
	return scalarString(v)
}

// pyRepr is Python's repr() of JSON data (a list or dict that lands in a
// table cell or a text field prints that way).
func pyRepr(v any) string {
	switch x := v.(type) {
	case *Map:
		parts := make([]string, len(x.Keys))
		for i, k := range x.Keys {
			parts[i] = pyRepr(k) + ": " + pyRepr(x.Values[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = pyRepr(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case string:
		if strings.Contains(x, "'") && !strings.Contains(x, `"`) {
			return `"` + strings.ReplaceAll(x, `\`, `\\`) + `"`
		}
		return "'" + strings.ReplaceAll(strings.ReplaceAll(x, `\`, `\\`), "'", `\'`) + "'"
	}
	return scalarString(v)
}
