package output

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// writeText reproduces the AWS CLI's text output (awscli/text.py): each
// object's scalar values on one tab-separated line, in key order, prefixed by
// the upper-cased name of the list or key that holds it; nested lists and
// objects follow on their own lines. A bare scalar prints as itself, so
// `--query 'LoadBalancers[0].LoadBalancerArn' --output text` prints the ARN.
func writeText(w io.Writer, v any) error {
	bw := bufio.NewWriter(w)
	if err := checkText(v); err != nil {
		return err
	}
	formatText(bw, v, "", nil)
	return bw.Flush()
}

// checkText finds what awscli/text.py cannot print: a list holding an
// object beside something else fails in _all_scalar_keys, and the AWS CLI
// reports Python's error.
func checkText(v any) error {
	switch x := v.(type) {
	case *Map:
		for _, k := range x.Keys {
			if err := checkText(x.Values[k]); err != nil {
				return err
			}
		}
	case []any:
		hasMap := false
		for _, e := range x {
			if _, ok := e.(*Map); ok {
				hasMap = true
			}
		}
		for _, e := range x {
			if _, ok := e.(*Map); hasMap && !ok {
				return fmt.Errorf("'%s' object has no attribute 'items'", pyTypeName(e))
			}
			if err := checkText(e); err != nil {
				return err
			}
		}
	}
	return nil
}

func pyTypeName(v any) string {
	switch x := v.(type) {
	case []any:
		return "list"
	case string:
		return "str"
	case bool:
		return "bool"
	case nil:
		return "NoneType"
	case json.Number:
		if strings.ContainsAny(x.String(), ".eE") {
			return "float"
		}
		return "int"
	}
	return "dict"
}

func formatText(w *bufio.Writer, v any, ident string, scalarKeys []string) {
	switch x := v.(type) {
	case *Map:
		textDict(w, x, ident, scalarKeys)
	case []any:
		textList(w, x, ident)
	default:
		w.WriteString(scalarString(x))
		w.WriteByte('\n')
	}
}

func textList(w *bufio.Writer, list []any, ident string) {
	if len(list) == 0 {
		return
	}
	hasMap, hasList := false, false
	for _, e := range list {
		switch e.(type) {
		case *Map:
			hasMap = true
		case []any:
			hasList = true
		}
	}
	switch {
	case hasMap:
		keys := allScalarKeys(list)
		for _, e := range list {
			formatText(w, e, ident, keys)
		}
	case hasList:
		var scalars []any
		var rest []any
		for _, e := range list {
			if isScalar(e) {
				scalars = append(scalars, e)
			} else {
				rest = append(rest, e)
			}
		}
		if len(scalars) > 0 {
			textScalars(w, scalars, ident)
		}
		for _, e := range rest {
			formatText(w, e, ident, nil)
		}
	default:
		textScalars(w, list, ident)
	}
}

func textScalars(w *bufio.Writer, list []any, ident string) {
	if ident != "" {
		for _, e := range list {
			w.WriteString(strings.ToUpper(ident) + "\t" + scalarString(e) + "\n")
		}
		return
	}
	parts := make([]string, len(list))
	for i, e := range list {
		parts[i] = scalarString(e)
	}
	w.WriteString(strings.Join(parts, "\t") + "\n")
}

func allScalarKeys(list []any) []string {
	seen := map[string]bool{}
	for _, e := range list {
		if m, ok := e.(*Map); ok {
			for _, k := range m.Keys {
				if isScalar(m.Values[k]) {
					seen[k] = true
				}
			}
		}
	}
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func textDict(w *bufio.Writer, m *Map, ident string, scalarKeys []string) {
	var scalars []string
	type nested struct {
		key string
		val any
	}
	var rest []nested
	sorted := append([]string(nil), m.Keys...)
	sort.Strings(sorted)
	if scalarKeys == nil {
		for _, k := range sorted {
			if v := m.Values[k]; isScalar(v) {
				scalars = append(scalars, scalarString(v))
			} else {
				rest = append(rest, nested{k, v})
			}
		}
	} else {
		inKeys := map[string]bool{}
		for _, k := range scalarKeys {
			inKeys[k] = true
			if v, ok := m.Values[k]; ok {
				scalars = append(scalars, pyStr(v))
			} else {
				scalars = append(scalars, "")
			}
		}
		for _, k := range sorted {
			if !inKeys[k] {
				rest = append(rest, nested{k, m.Values[k]})
			}
		}
	}
	if len(scalars) > 0 {
		if ident != "" {
			scalars = append([]string{strings.ToUpper(ident)}, scalars...)
		}
		w.WriteString(strings.Join(scalars, "\t") + "\n")
	}
	for _, n := range rest {
		formatText(w, n.val, n.key, nil)
	}
}
