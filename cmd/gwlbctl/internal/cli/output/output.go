// Package output renders command responses the way the AWS CLI does: a
// JMESPath --query applied first, then json (default), yaml, text (AWS's
// tab-separated form) or table (aligned columns for terminals).
package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"

	"github.com/jmespath/go-jmespath"
)

// Options says how to print one response.
type Options struct {
	Format string // json, yaml, table or text
	Query  string // JMESPath expression, "" for none
	Title  string // the operation name, used as the table's title
	Width  int    // terminal width for table output (0: no limit)
}

// QueryError is a --query expression that does not compile or fails to run.
type QueryError struct{ Err error }

func (e *QueryError) Error() string { return "bad value for --query: " + e.Err.Error() }
func (e *QueryError) Unwrap() error { return e.Err }

// Formats are the output formats, in the AWS CLI's words and order of
// help: the one list that --output's help, completion and check use.
var Formats = []string{"json", "yaml", "table", "text"}

// Render prints v (a response struct with JSON tags, or generic data).
func Render(w io.Writer, opts Options, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encoding response: %w", err)
	}
	data, err := decodeOrdered(raw)
	if err != nil {
		return fmt.Errorf("decoding response: %w", err)
	}
	if opts.Query != "" {
		res, err := jmespath.Search(opts.Query, toPlain(data))
		if err != nil {
			return &QueryError{Err: err}
		}
		data = fromPlain(res)
	} else if m, ok := data.(*Map); ok && len(m.Keys) == 0 {
		// The AWS CLI prints nothing for an empty response (delete-*).
		return nil
	}
	switch opts.Format {
	case "", "json":
		return writeJSON(w, data)
	case "yaml":
		return writeYAML(w, data)
	case "text":
		return writeText(w, data)
	case "table":
		return writeTable(w, opts, data)
	default:
		return fmt.Errorf("unknown output format %q", opts.Format)
	}
}

// Map is a JSON object that remembers its key order, so that output follows
// the response's field order as the AWS CLI's does.
type Map struct {
	Keys   []string
	Values map[string]any
}

// MarshalJSON writes the object with its keys in order, so a *Map can be
// passed to Render like any response.
func (m *Map) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, k := range m.Keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		kb, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		buf.Write(kb)
		buf.WriteByte(':')
		vb, err := json.Marshal(m.Values[k])
		if err != nil {
			return nil, err
		}
		buf.Write(vb)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// decodeOrdered decodes JSON into *Map, []any, string, json.Number, bool, nil.
func decodeOrdered(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return decodeValue(dec)
}

func decodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			m := &Map{Values: map[string]any{}}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k := kt.(string)
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				if _, dup := m.Values[k]; !dup {
					m.Keys = append(m.Keys, k)
				}
				m.Values[k] = v
			}
			_, err := dec.Token() // }
			return m, err
		case '[':
			list := []any{}
			for dec.More() {
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				list = append(list, v)
			}
			_, err := dec.Token() // ]
			return list, err
		}
		return nil, fmt.Errorf("unexpected delimiter %v", t)
	default:
		return t, nil
	}
}

// toPlain converts ordered data to what go-jmespath works on:
// map[string]any and float64 numbers.
func toPlain(v any) any {
	switch x := v.(type) {
	case *Map:
		m := make(map[string]any, len(x.Keys))
		for _, k := range x.Keys {
			m[k] = toPlain(x.Values[k])
		}
		return m
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = toPlain(e)
		}
		return out
	case json.Number:
		f, _ := x.Float64()
		return f
	default:
		return v
	}
}

// fromPlain converts a JMESPath result back: maps get sorted keys (their
// order is lost in the query) and whole floats become integers.
func fromPlain(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := &Map{Values: make(map[string]any, len(x))}
		for k, e := range x {
			m.Keys = append(m.Keys, k)
			m.Values[k] = fromPlain(e)
		}
		sort.Strings(m.Keys)
		return m
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = fromPlain(e)
		}
		return out
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e15 {
			return json.Number(strconv.FormatInt(int64(x), 10))
		}
		return json.Number(strconv.FormatFloat(x, 'f', -1, 64))
	default:
		return v
	}
}

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
		buf.WriteString(x.String())
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

func writeJSONString(buf *bytes.Buffer, s string) {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	buf.Truncate(buf.Len() - 1) // Encode's newline
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
		return x.String()
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
