// Package output renders command responses the way the AWS CLI v2 does
// (awscli/formatter.py): a JMESPath --query applied first (as Python's
// jmespath reads it), then json (default; json.dumps with indent 4),
// yaml and yaml-stream (ruamel.yaml's safe dumper over libyaml), text
// (awscli/text.py) or table (awscli/table.py's boxed tables), byte for
// byte. columns is gwlbctl's own addition: aligned columns, no frame.
package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gwlbctl/gwlbctl/control/orderedjson"
)

// Options says how to print one response.
type Options struct {
	Format string // one of Formats; "" is json
	Query  string // JMESPath expression, "" for none
	Title  string // the operation name, used as the table's title
	// Width is the terminal width tables are fitted to. The AWS CLI uses
	// the terminal's width, and 80 when stdout is not a terminal; 0 means
	// 80 here too.
	Width int
}

// QueryError is a --query expression that does not compile or fails to run.
type QueryError struct{ Err error }

func (e *QueryError) Error() string { return "bad value for --query: " + e.Err.Error() }
func (e *QueryError) Unwrap() error { return e.Err }

// Formats are the output formats: the AWS CLI v2's, in the order of its
// help, then gwlbctl's columns. The one list that --output's help,
// completion and check use.
var Formats = []string{"json", "text", "table", "yaml", "yaml-stream", "columns"}

// DefaultTableWidth is the width the AWS CLI fits tables to when stdout is
// not a terminal.
const DefaultTableWidth = 80

// Paged is a paginated response as the AWS CLI's paginator holds it: the
// service's pages (the first and last already cut to --starting-token and
// --max-items), the result keys of the operation's paginator, and the
// CLI's resume token. json, yaml and table print the pages merged into one
// result ending with NextToken (botocore's build_full_result); text and
// yaml-stream print page by page, as the AWS CLI does.
type Paged struct {
	Pages      []any
	ResultKeys []string
	NextToken  string
}

// Render prints v: a response struct with JSON tags, generic data, or a
// *Paged.
func Render(w io.Writer, opts Options, v any) error {
	var query *Query
	if opts.Query != "" {
		q, err := CompileQuery(opts.Query)
		if err != nil {
			return &QueryError{Err: err}
		}
		query = q
	}
	if p, ok := v.(*Paged); ok {
		return renderPaged(w, opts, query, p)
	}
	data, err := ordered(v)
	if err != nil {
		return err
	}
	if opts.Format == "text" {
		return textResponse(w, query, data)
	}
	if opts.Format == "yaml-stream" {
		if query == nil && isEmptyMap(data) {
			return nil
		}
		return streamYAML(w, query, []any{data})
	}
	return renderFull(w, opts, query, data)
}

// renderFull is the AWS CLI's FullyBufferedFormatter: query, then format.
func renderFull(w io.Writer, opts Options, query *Query, data any) error {
	if query != nil {
		res, err := query.Search(data)
		if err != nil {
			return &QueryError{Err: err}
		}
		data = res
	}
	switch opts.Format {
	case "", "json":
		if isEmptyMap(data) {
			// The AWS CLI prints nothing for an empty response (delete-*).
			return nil
		}
		return writeJSON(w, data)
	case "yaml":
		if isEmptyMap(data) {
			return nil
		}
		return writeYAMLDocument(w, data)
	case "table":
		width := opts.Width
		if width <= 0 {
			width = DefaultTableWidth
		}
		return writeTable(w, opts.Title, width, data)
	case "columns":
		return writeColumns(w, opts, data)
	default:
		return fmt.Errorf("unknown output format %q", opts.Format)
	}
}

func textResponse(w io.Writer, query *Query, data any) error {
	if query != nil {
		res, err := query.Search(data)
		if err != nil {
			return &QueryError{Err: err}
		}
		data = res
	}
	return writeText(w, data)
}

func streamYAML(w io.Writer, query *Query, pages []any) error {
	for _, page := range pages {
		if query != nil {
			res, err := query.Search(page)
			if err != nil {
				return &QueryError{Err: err}
			}
			page = res
		}
		if err := writeYAMLDocument(w, []any{page}); err != nil {
			return err
		}
	}
	return nil
}

func renderPaged(w io.Writer, opts Options, query *Query, p *Paged) error {
	pages := make([]any, len(p.Pages))
	for i, pg := range p.Pages {
		d, err := ordered(pg)
		if err != nil {
			return err
		}
		pages[i] = d
	}
	switch opts.Format {
	case "text":
		// awscli's TextFormatter: each page's result keys on their own,
		// the query applied to each, then the resume token (the query
		// applied to it too, as the AWS CLI does).
		for _, pg := range pages {
			cur := &Map{Values: map[string]any{}}
			for _, k := range p.ResultKeys {
				cur.Set(k, lookup(pg, k))
			}
			if err := textResponse(w, query, cur); err != nil {
				return err
			}
		}
		if p.NextToken != "" {
			tok := &Map{Keys: []string{"NextToken"}, Values: map[string]any{
				"NextToken": &Map{Keys: []string{"NextToken"}, Values: map[string]any{"NextToken": p.NextToken}}}}
			return textResponse(w, query, tok)
		}
		return nil
	case "yaml-stream":
		return streamYAML(w, query, pages)
	}
	return renderFull(w, opts, query, fullResult(pages, p.ResultKeys, p.NextToken))
}

// fullResult merges pages as botocore's PageIterator.build_full_result
// does: each result key's lists concatenated (strings and numbers added),
// in the paginator's result-key order, then NextToken.
func fullResult(pages []any, resultKeys []string, next string) *Map {
	out := &Map{Values: map[string]any{}}
	for _, pg := range pages {
		for _, k := range resultKeys {
			v := lookup(pg, k)
			if v == nil {
				continue
			}
			old, ok := out.Values[k]
			if !ok || old == nil {
				out.Set(k, v)
				continue
			}
			switch o := old.(type) {
			case []any:
				if l, ok := v.([]any); ok {
					out.Values[k] = append(o, l...)
				}
			case string:
				if s, ok := v.(string); ok {
					out.Values[k] = o + s
				}
			}
		}
	}
	if next != "" {
		out.Set("NextToken", next)
	}
	return out
}

func lookup(v any, key string) any {
	if m, ok := v.(*Map); ok {
		return m.Values[key]
	}
	return nil
}

// Ordered turns a response into the data Render works on (*Map for
// objects, []any, string, json.Number, bool, nil) through its JSON
// encoding, keeping the response's key order.
func Ordered(v any) (any, error) { return ordered(v) }

// ordered turns a response into ordered data through its JSON encoding.
func ordered(v any) (any, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encoding response: %w", err)
	}
	data, err := orderedjson.Decode(raw)
	if err != nil {
		return nil, fmt.Errorf("decoding response: %w", err)
	}
	return data, nil
}

func isEmptyMap(v any) bool {
	m, ok := v.(*Map)
	return ok && len(m.Keys) == 0
}

// Map is a JSON object that remembers its key order, so that output follows
// the response's field order as the AWS CLI's does; a *Map can be passed to
// Render like any response.
type Map = orderedjson.Object

// jsonIndent is one level of JSON indentation: 4 spaces, as the AWS CLI
// prints (Python's json.dumps(indent=4)), so diffs against its output stay clean.
const jsonIndent = "    "

// writeJSON prints the response field order, without HTML escaping (as the
// AWS CLI: "<" stays "<").
func writeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	if err := encodeJSON(&buf, v, ""); err != nil {
		return err
	}
	buf.WriteByte('\n')
	_, err := w.Write(buf.Bytes())
	return err
}

func encodeJSON(buf *bytes.Buffer, v any, indent string) error {
	switch x := v.(type) {
	case *Map:
		if len(x.Keys) == 0 {
			buf.WriteString("{}")
			return nil
		}
		buf.WriteString("{\n")
		for i, k := range x.Keys {
			buf.WriteString(indent + jsonIndent)
			writeJSONString(buf, k)
			buf.WriteString(": ")
			if err := encodeJSON(buf, x.Values[k], indent+jsonIndent); err != nil {
				return err
			}
			if i < len(x.Keys)-1 {
				buf.WriteByte(',')
			}
			buf.WriteByte('\n')
		}
		buf.WriteString(indent + "}")
	case []any:
		if len(x) == 0 {
			buf.WriteString("[]")
			return nil
		}
		buf.WriteString("[\n")
		for i, e := range x {
			buf.WriteString(indent + jsonIndent)
			if err := encodeJSON(buf, e, indent+jsonIndent); err != nil {
				return err
			}
			if i < len(x)-1 {
				buf.WriteByte(',')
			}
			buf.WriteByte('\n')
		}
		buf.WriteString(indent + "]")
	case string:
		writeJSONString(buf, x)
	case json.Number:
		buf.WriteString(numberString(x))
	case bool:
		buf.WriteString(strconv.FormatBool(x))
	case nil:
		buf.WriteString("null")
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return err
		}
		buf.Write(b)
	}
	return nil
}

// writeJSONString writes s as Python's json.dumps(ensure_ascii=False)
// does: only '"', '\\' and control characters are escaped (\b \f \n \r \t
// short, others as \u00xx); everything else, U+2028 included, is written
// as it is.
func writeJSONString(buf *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	buf.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			buf.WriteString(`\"`)
		case '\\':
			buf.WriteString(`\\`)
		case '\b':
			buf.WriteString(`\b`)
		case '\f':
			buf.WriteString(`\f`)
		case '\n':
			buf.WriteString(`\n`)
		case '\r':
			buf.WriteString(`\r`)
		case '\t':
			buf.WriteString(`\t`)
		default:
			if c < 0x20 {
				buf.WriteString(`\u00`)
				buf.WriteByte(hex[c>>4])
				buf.WriteByte(hex[c&0xf])
			} else {
				buf.WriteByte(c)
			}
		}
	}
	buf.WriteByte('"')
}

// numberString is a JSON number as Python prints it: integers as they are,
// other numbers as Python's float repr.
func numberString(n json.Number) string {
	s := n.String()
	if !strings.ContainsAny(s, ".eE") {
		return s
	}
	f, err := n.Float64()
	if err != nil {
		return s
	}
	return pythonFloat(f)
}

// scalarString formats a scalar as the AWS CLI's text output does (Python's
// str(): True/False/None).
func scalarString(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case string:
		return x
	case json.Number:
		return numberString(x)
	default:
		return fmt.Sprint(x)
	}
}

func isScalar(v any) bool {
	switch v.(type) {
	case *Map, []any:
		return false
	}
	return true
}
