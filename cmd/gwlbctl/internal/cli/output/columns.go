package output

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// writeColumns prints --output columns: aligned columns in the style of
// kubectl, gwlbctl's own format beside the AWS CLI's boxed table (same
// data, no frame, so ARNs keep their width). Under the operation name as a
// title, each list of objects becomes a section with one column per field
// and one row per object; nested values are summarised in one cell
// (a zone as "us-east-1a/subnet-…", a tag as "Key=Value"). A list too wide
// for the terminal is printed as one block of "Field  value" lines per
// object instead.
func writeColumns(w io.Writer, opts Options, v any) error {
	bw := bufio.NewWriter(w)
	t := &tableWriter{w: bw, width: opts.Width}
	if opts.Title != "" {
		bw.WriteString(opts.Title + "\n")
		bw.WriteString(strings.Repeat("-", utf8.RuneCountInString(opts.Title)) + "\n")
	}
	t.value(v, "")
	return bw.Flush()
}

type tableWriter struct {
	w     *bufio.Writer
	width int
}

func (t *tableWriter) value(v any, path string) {
	switch x := v.(type) {
	case *Map:
		t.object(x, path)
	case []any:
		t.list(x, path)
	default:
		t.w.WriteString(cell(x) + "\n")
	}
}

func (t *tableWriter) heading(path string) {
	if path != "" {
		t.w.WriteString("\n" + path + "\n")
	}
}

// object prints scalar fields as aligned "Field  value" lines, then each
// nested field as its own section.
func (t *tableWriter) object(m *Map, path string) {
	var rows [][]string
	var nested []string
	for _, k := range m.Keys {
		v := m.Values[k]
		// Lists of objects (Attributes, Tags) read better as their own
		// section with columns than squeezed into one cell.
		if isScalar(v) || (summarisable(v) && !listOfObjects(v)) {
			rows = append(rows, []string{k, cell(v)})
		} else {
			nested = append(nested, k)
		}
	}
	t.rows(rows, "")
	for _, k := range nested {
		p := k
		if path != "" {
			p = path + "." + k
		}
		t.heading(p)
		t.value(m.Values[k], p)
	}
}

func (t *tableWriter) list(list []any, path string) {
	if len(list) == 0 {
		t.w.WriteString("(none)\n")
		return
	}
	allMaps, allLists, allScalars := true, true, true
	for _, e := range list {
		switch e.(type) {
		case *Map:
			allLists, allScalars = false, false
		case []any:
			allMaps, allScalars = false, false
		default:
			allMaps, allLists = false, false
		}
	}
	switch {
	case allScalars:
		for _, e := range list {
			t.w.WriteString(cell(e) + "\n")
		}
	case allLists:
		// A query such as 'LoadBalancers[].[Name,State.Code]': rows without headers.
		var rows [][]string
		for _, e := range list {
			var row []string
			for _, c := range e.([]any) {
				row = append(row, cell(c))
			}
			rows = append(rows, row)
		}
		t.rows(rows, "")
	case allMaps:
		t.records(list, path)
	default:
		for i, e := range list {
			p := fmt.Sprintf("%s[%d]", path, i)
			t.heading(p)
			t.value(e, p)
		}
	}
}

// records prints a list of objects as columns, or as blocks when too wide.
func (t *tableWriter) records(list []any, path string) {
	var cols []string
	seen := map[string]bool{}
	for _, e := range list {
		m := e.(*Map)
		for _, k := range m.Keys {
			if !seen[k] {
				seen[k] = true
				cols = append(cols, k)
			}
		}
	}
	rows := [][]string{cols}
	for _, e := range list {
		m := e.(*Map)
		row := make([]string, len(cols))
		for i, k := range cols {
			if v, ok := m.Values[k]; ok {
				row[i] = cell(v)
			}
		}
		rows = append(rows, row)
	}
	if t.width <= 0 || tableWidth(rows) <= t.width {
		t.rows(rows, "")
		return
	}
	for i, e := range list {
		m := e.(*Map)
		if i > 0 {
			t.w.WriteString("\n")
		}
		if len(list) > 1 {
			t.w.WriteString(fmt.Sprintf("[%d]\n", i))
		}
		var kv [][]string
		for _, k := range m.Keys {
			kv = append(kv, []string{k, cell(m.Values[k])})
		}
		t.rows(kv, "  ")
	}
}

func tableWidth(rows [][]string) int {
	widths := columnWidths(rows)
	total := 0
	for _, w := range widths {
		total += w + 2
	}
	return total
}

func columnWidths(rows [][]string) []int {
	var widths []int
	for _, r := range rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			if n := utf8.RuneCountInString(c); n > widths[i] {
				widths[i] = n
			}
		}
	}
	return widths
}

func (t *tableWriter) rows(rows [][]string, indent string) {
	widths := columnWidths(rows)
	for _, r := range rows {
		t.w.WriteString(indent)
		for i, c := range r {
			t.w.WriteString(c)
			if i < len(r)-1 {
				t.w.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)+2))
			}
		}
		t.w.WriteString("\n")
	}
}

// summarisable reports whether a nested value reads well in one cell: lists
// of scalars and small objects of scalars.
func summarisable(v any) bool {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			if m, ok := e.(*Map); ok {
				if !flat(m) {
					return false
				}
			} else if !isScalar(e) {
				return false
			}
		}
		return true
	case *Map:
		return flat(x)
	}
	return true
}

func listOfObjects(v any) bool {
	l, ok := v.([]any)
	if !ok || len(l) == 0 {
		return false
	}
	_, isMap := l[0].(*Map)
	return isMap
}

func flat(m *Map) bool {
	for _, k := range m.Keys {
		if !isScalar(m.Values[k]) {
			return false
		}
	}
	return true
}

// cell summarises a value in one table cell.
func cell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case bool:
		if x {
			return "true"
		}
		return "false"
	case string:
		return x
	case json.Number:
		return x.String()
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			parts = append(parts, cell(e))
		}
		return strings.Join(parts, ", ")
	case *Map:
		if len(x.Keys) == 1 {
			return cell(x.Values[x.Keys[0]])
		}
		if len(x.Keys) == 2 && x.Keys[0] == "Key" && x.Keys[1] == "Value" {
			return cell(x.Values["Key"]) + "=" + cell(x.Values["Value"])
		}
		var parts []string
		for _, k := range x.Keys {
			if c := cell(x.Values[k]); c != "" {
				parts = append(parts, c)
			}
		}
		return strings.Join(parts, "/")
	default:
		return fmt.Sprint(x)
	}
}
