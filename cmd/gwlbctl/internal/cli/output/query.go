package output

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/jmespath/go-jmespath"
)

// Query is a compiled --query expression.
type Query struct {
	expr *jmespath.JMESPath
	// hashKeys are the key lists of the expression's multiselect hashes
	// ({Id:VpcId,Cidr:CidrBlock}), in the order written: the AWS CLI's
	// Python jmespath keeps that order in the object it builds.
	hashKeys [][]string
	// listsKeysOrValues: the expression calls keys() or values().
	listsKeysOrValues bool
}

// CompileQuery compiles a JMESPath expression as the AWS CLI reads it.
// Python's jmespath, which the AWS CLI uses, takes a backtick literal that
// is not valid JSON as a string (`available` is "available", with a
// deprecation warning nobody sees); go-jmespath refuses it, so such
// literals are rewritten to JSON strings first, exactly where Python's
// lexer would have made them strings.
func CompileQuery(q string) (*Query, error) {
	rewritten, err := rewriteLegacyLiterals(q)
	if err != nil {
		return nil, err
	}
	expr, err := compileJMESPath(rewritten)
	if err != nil {
		return nil, err
	}
	return &Query{expr: expr, hashKeys: hashKeyLists(rewritten),
		listsKeysOrValues: strings.Contains(rewritten, "keys(") || strings.Contains(rewritten, "values(")}, nil
}

// compileJMESPath and searchJMESPath are jmespath's Compile and Search with
// their panics turned into errors, so that no expression crashes the
// command. go-jmespath v0.4.0 has two, both found by FuzzQuery:
//   - Its lexer indexes past its table of identifier bytes on U+0080 right
//     after an identifier (it tests r > 128 instead of r >= 128). Python's
//     jmespath refuses the character.
//   - Its parser takes "@()" as a call of a function without a name, which
//     its interpreter then asserts to be a string. Python's jmespath refuses
//     the expression.
func compileJMESPath(s string) (expr *jmespath.JMESPath, err error) {
	defer func() {
		if r := recover(); r != nil {
			expr, err = nil, errors.New("SyntaxError: the expression cannot be parsed (an unknown character, such as U+0080)")
		}
	}()
	return jmespath.Compile(s)
}

func searchJMESPath(expr *jmespath.JMESPath, data any) (res any, err error) {
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, errors.New("SyntaxError: the expression cannot be evaluated (a function call without a name, such as @()?)")
		}
	}()
	return expr.Search(data)
}

// hashKeyLists returns the key lists of the multiselect hashes of a
// JMESPath expression, in the order written. go-jmespath keeps its syntax
// tree private, so this is a small scanner: it skips string and literal
// tokens and tracks brackets; a key is an identifier (bare or quoted)
// followed by ':' right after a hash's '{' or one of its commas.
func hashKeyLists(q string) [][]string {
	type frame struct {
		kind      byte
		keys      []string
		expectKey bool
	}
	var stack []*frame
	var out [][]string
	for i := 0; i < len(q); i++ {
		c := q[i]
		var f *frame
		if len(stack) > 0 {
			f = stack[len(stack)-1]
		}
		if f != nil && f.kind == '{' && f.expectKey {
			if isSpace(c) {
				continue
			}
			f.expectKey = false
			key, end := "", -1
			switch {
			case c == '"':
				if j := closing(q, i); j > 0 {
					var k string
					if json.Unmarshal([]byte(q[i:j+1]), &k) == nil {
						key, end = k, j
					}
				}
			case isIdentStart(c):
				j := i
				for j < len(q) && (isIdentStart(q[j]) || q[j] >= '0' && q[j] <= '9') {
					j++
				}
				key, end = q[i:j], j-1
			}
			if end >= 0 {
				k := end + 1
				for k < len(q) && isSpace(q[k]) {
					k++
				}
				if k < len(q) && q[k] == ':' {
					if !slices.Contains(f.keys, key) {
						f.keys = append(f.keys, key)
					}
					i = k
					continue
				}
			}
		}
		switch c {
		case '\'', '"', '`':
			j := closing(q, i)
			if j < 0 {
				return out
			}
			i = j
		case '{', '[', '(':
			stack = append(stack, &frame{kind: c, expectKey: c == '{'})
		case '}', ']', ')':
			if f != nil {
				stack = stack[:len(stack)-1]
				if f.kind == '{' && c == '}' {
					out = append(out, f.keys)
				}
			}
		case ',':
			if f != nil && f.kind == '{' {
				f.expectKey = true
			}
		}
	}
	return out
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isIdentStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// Search applies the query to ordered data (*Map, []any, scalars) and
// returns ordered data: objects that come from the input keep its key
// order; objects the query builds take the order of its multiselect hash;
// anything else is sorted by key.
func (q *Query) Search(data any) (any, error) {
	order := map[uintptr][]string{}
	var objects []map[string]any
	plain := toPlain(data, order, &objects)
	res, err := searchJMESPath(q.expr, plain)
	if err != nil {
		return nil, err
	}
	if q.listsKeysOrValues {
		res = reorderKeysAndValues(res, objects, order)
	}
	return q.fromPlain(res, order), nil
}

// reorderKeysAndValues puts the lists that keys() and values() return in
// the object's key order, as Python's dicts keep it (go-jmespath walks a
// Go map, in random order). A list is reordered when it holds exactly the
// keys, or exactly the values, of one input object.
func reorderKeysAndValues(v any, objects []map[string]any, order map[uintptr][]string) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = reorderKeysAndValues(e, objects, order)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = reorderKeysAndValues(e, objects, order)
		}
		for _, m := range objects {
			if len(m) != len(x) || len(x) < 2 {
				continue
			}
			keys := order[reflect.ValueOf(m).Pointer()]
			if out, ok := permutation(x, keys, func(k string) any { return k }); ok {
				return out
			}
			if out, ok := permutation(x, keys, func(k string) any { return m[k] }); ok {
				return out
			}
		}
		return x
	}
	return v
}

// permutation returns list ordered as want(keys...), if list is a
// permutation of those values.
func permutation(list []any, keys []string, want func(string) any) ([]any, bool) {
	used := make([]bool, len(list))
	out := make([]any, 0, len(list))
	for _, k := range keys {
		w := want(k)
		found := false
		for i, e := range list {
			if !used[i] && reflect.DeepEqual(e, w) {
				used[i], found = true, true
				out = append(out, e)
				break
			}
		}
		if !found {
			return nil, false
		}
	}
	return out, true
}

// rewriteLegacyLiterals turns each backtick literal whose content is not
// JSON into a JSON string literal, as Python jmespath's lexer does: it
// tries json.loads(lexeme), then json.loads('"' + lexeme.lstrip() + '"').
// Raw strings ('...') and quoted identifiers ("...") are skipped whole.
func rewriteLegacyLiterals(q string) (string, error) {
	var out strings.Builder
	for i := 0; i < len(q); {
		c := q[i]
		switch c {
		case '\'', '"':
			end := closing(q, i)
			if end < 0 {
				out.WriteString(q[i:]) // the compiler reports it
				return out.String(), nil
			}
			out.WriteString(q[i : end+1])
			i = end + 1
		case '`':
			end := closing(q, i)
			if end < 0 {
				out.WriteString(q[i:])
				return out.String(), nil
			}
			lexeme := strings.ReplaceAll(q[i+1:end], "\\`", "`")
			if !json.Valid([]byte(lexeme)) {
				candidate := `"` + strings.TrimLeftFunc(lexeme, unicode.IsSpace) + `"`
				if json.Valid([]byte(candidate)) {
					lexeme = candidate
				}
				// Otherwise Python fails too ("Bad token"); go-jmespath
				// reports the original lexeme.
			}
			out.WriteByte('`')
			out.WriteString(strings.ReplaceAll(lexeme, "`", "\\`"))
			out.WriteByte('`')
			i = end + 1
		default:
			out.WriteByte(c)
			i++
		}
	}
	return out.String(), nil
}

// closing returns the index of the delimiter closing the one at start (a
// backslash escapes the next character), or -1.
func closing(q string, start int) int {
	delim := q[start]
	for j := start + 1; j < len(q); j++ {
		switch q[j] {
		case '\\':
			j++
		case delim:
			return j
		}
	}
	return -1
}

// toPlain converts ordered data to what go-jmespath works on
// (map[string]any, float64 numbers), recording each object's key order by
// the identity of the map it becomes.
func toPlain(v any, order map[uintptr][]string, objects *[]map[string]any) any {
	switch x := v.(type) {
	case *Map:
		m := make(map[string]any, len(x.Keys))
		for _, k := range x.Keys {
			m[k] = toPlain(x.Values[k], order, objects)
		}
		order[reflect.ValueOf(m).Pointer()] = x.Keys
		*objects = append(*objects, m)
		return m
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = toPlain(e, order, objects)
		}
		return out
	case json.Number:
		f, _ := x.Float64()
		return f
	default:
		return v
	}
}

func (q *Query) fromPlain(v any, order map[uintptr][]string) any {
	switch x := v.(type) {
	case map[string]any:
		m := &Map{Values: make(map[string]any, len(x))}
		for k, e := range x {
			m.Values[k] = q.fromPlain(e, order)
		}
		m.Keys = q.keyOrder(x, order)
		return m
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = q.fromPlain(e, order)
		}
		return out
	case float64:
		return floatNumber(x)
	default:
		return v
	}
}

func (q *Query) keyOrder(m map[string]any, order map[uintptr][]string) []string {
	if keys, ok := order[reflect.ValueOf(m).Pointer()]; ok && sameKeys(keys, m) {
		return keys
	}
	for _, keys := range q.hashKeys {
		if sameKeys(keys, m) {
			return keys
		}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func sameKeys(keys []string, m map[string]any) bool {
	if len(keys) != len(m) {
		return false
	}
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			return false
		}
	}
	return true
}

// floatNumber turns a JMESPath number back into a JSON number: whole
// values as integers (the response's numbers are integers, and Python's
// jmespath keeps them so), others as Python prints a float.
func floatNumber(x float64) json.Number {
	if x == math.Trunc(x) && math.Abs(x) < 1e15 {
		return json.Number(strconv.FormatInt(int64(x), 10))
	}
	return json.Number(pythonFloat(x))
}

// pythonFloat formats f as Python's repr(float) does: the shortest
// digits that round-trip, fixed notation for exponents -4..15 (with ".0"
// when whole), scientific otherwise (1e+16, 1.5e-05).
func pythonFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64)
	mant, exp, _ := strings.Cut(e, "e")
	n, _ := strconv.Atoi(exp)
	if n >= -4 && n < 16 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	return mant + "e" + exp
}
