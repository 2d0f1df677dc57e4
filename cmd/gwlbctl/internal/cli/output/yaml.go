package output

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"
)

// writeYAMLDocument prints v as the AWS CLI v2's YAMLDumper does: a bare
// scalar as JSON; lists and objects through ruamel.yaml's safe dumper
// (keys sorted, YAML 1.2 resolution deciding which strings need quotes)
// and libyaml's emitter (block style, 2-space indentation, sequences
// inside mappings not indented, empty collections as [] and {}, lines
// folded past 80 columns).
func writeYAMLDocument(w io.Writer, v any) error {
	if isScalar(v) {
		var buf bytes.Buffer
		if err := encodeJSON(&buf, v, ""); err != nil {
			return err
		}
		buf.WriteByte('\n')
		_, err := w.Write(buf.Bytes())
		return err
	}
	bw := bufio.NewWriter(w)
	e := &yamlEmitter{w: bw, indent: -1, whitespace: true, indention: true}
	e.node(v, false, false, false)
	e.writeIndent() // document end
	return bw.Flush()
}

// bestWidth is libyaml's default line width.
const bestWidth = 80

// yamlEmitter is the part of libyaml's emitter (src/emitter.c) that block
// collections of plain data need: the same indentation, whitespace and
// column bookkeeping, style selection and scalar writers.
type yamlEmitter struct {
	w          *bufio.Writer
	column     int
	whitespace bool
	indention  bool
	indent     int
	indents    []int
	flowLevel  int

	mappingContext, simpleKeyContext bool
}

func (e *yamlEmitter) put(s string) {
	e.w.WriteString(s)
	e.column += utf8.RuneCountInString(s)
}

func (e *yamlEmitter) putBreak() {
	e.w.WriteByte('\n')
	e.column = 0
}

func (e *yamlEmitter) increaseIndent(flow, indentless bool) {
	e.indents = append(e.indents, e.indent)
	if e.indent < 0 {
		if flow {
			e.indent = 2
		} else {
			e.indent = 0
		}
	} else if !indentless {
		e.indent += 2
	}
}

func (e *yamlEmitter) popIndent() {
	e.indent = e.indents[len(e.indents)-1]
	e.indents = e.indents[:len(e.indents)-1]
}

func (e *yamlEmitter) writeIndent() {
	indent := max(e.indent, 0)
	if !e.indention || e.column > indent || (e.column == indent && !e.whitespace) {
		e.putBreak()
	}
	for e.column < indent {
		e.put(" ")
	}
	e.whitespace = true
	e.indention = true
}

func (e *yamlEmitter) writeIndicator(ind string, needWhitespace, isWhitespace, isIndention bool) {
	if needWhitespace && !e.whitespace {
		e.put(" ")
	}
	e.put(ind)
	e.whitespace = isWhitespace
	e.indention = e.indention && isIndention
}

func (e *yamlEmitter) node(v any, sequence, mapping, simpleKey bool) {
	e.mappingContext = mapping
	e.simpleKeyContext = simpleKey
	switch x := v.(type) {
	case []any:
		if e.flowLevel > 0 || len(x) == 0 {
			e.emptyFlow("[", "]")
			return
		}
		e.blockSequence(x)
	case *Map:
		if e.flowLevel > 0 || len(x.Keys) == 0 {
			e.emptyFlow("{", "}")
			return
		}
		e.blockMapping(x)
	default:
		e.scalar(representScalar(v))
	}
}

func (e *yamlEmitter) emptyFlow(open, close string) {
	e.writeIndicator(open, true, true, false)
	e.increaseIndent(true, false)
	e.flowLevel++
	e.flowLevel--
	e.popIndent()
	e.writeIndicator(close, false, false, false)
}

func (e *yamlEmitter) blockSequence(items []any) {
	e.increaseIndent(false, e.mappingContext && !e.indention)
	for _, it := range items {
		e.writeIndent()
		e.writeIndicator("-", true, false, true)
		e.node(it, true, false, false)
	}
	e.popIndent()
}

func (e *yamlEmitter) blockMapping(m *Map) {
	e.increaseIndent(false, false)
	// ruamel's SafeRepresenter sorts the keys of every mapping.
	keys := append([]string(nil), m.Keys...)
	sort.Strings(keys)
	for _, k := range keys {
		e.writeIndent()
		key := scalarEvent{value: k, plainImplicit: resolvesToStr(k)}
		if simpleKey(k) {
			e.node(k, false, true, true)
			e.writeIndicator(":", false, false, false)
		} else {
			e.writeIndicator("?", true, false, true)
			e.mappingContext, e.simpleKeyContext = true, false
			e.scalar(key)
			e.writeIndent()
			e.writeIndicator(":", true, false, true)
		}
		e.node(m.Values[k], false, true, false)
	}
	e.popIndent()
}

// simpleKey is yaml_emitter_check_simple_key for a string key: at most 128
// bytes and on one line.
func simpleKey(k string) bool {
	return len(k) <= 128 && !analyzeScalar(k).multiline
}

// scalarEvent is a scalar as ruamel's representer hands it to the
// emitter: its text, and whether it may be written plain (plain_implicit:
// the YAML 1.2 resolver reads the plain text back as the same type).
type scalarEvent struct {
	value         string
	plainImplicit bool
}

func representScalar(v any) scalarEvent {
	switch x := v.(type) {
	case string:
		return scalarEvent{value: x, plainImplicit: resolvesToStr(x)}
	case bool:
		if x {
			return scalarEvent{value: "true", plainImplicit: true}
		}
		return scalarEvent{value: "false", plainImplicit: true}
	case json.Number:
		s := numberString(x)
		if strings.ContainsAny(s, ".eEIN") {
			// ruamel's represent_float: repr lowered, ".0" before a bare
			// exponent.
			s = strings.ToLower(s)
			switch s {
			case "nan":
				s = ".nan"
			case "infinity":
				s = ".inf"
			case "-infinity":
				s = "-.inf"
			}
			if !strings.Contains(s, ".") && strings.Contains(s, "e") {
				s = strings.Replace(s, "e", ".0e", 1)
			}
		}
		return scalarEvent{value: s, plainImplicit: true}
	default:
		return scalarEvent{value: "null", plainImplicit: true}
	}
}

// YAML 1.2 implicit resolvers of ruamel.yaml (resolver.py), each with the
// first characters it is tried for.
var yamlResolvers = []struct {
	first string
	re    *regexp.Regexp
}{
	{"tTfF", regexp.MustCompile(`^(?:true|True|TRUE|false|False|FALSE)$`)},
	{"-+0123456789.", regexp.MustCompile(`^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)|[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$`)},
	{"-+0123456789", regexp.MustCompile(`^(?:[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+)$`)},
	{"<", regexp.MustCompile(`^(?:<<)$`)},
	{"~nN", regexp.MustCompile(`^(?:~|null|Null|NULL)$`)},
	{"0123456789", regexp.MustCompile(`^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$`)},
	{"=", regexp.MustCompile(`^(?:=)$`)},
	{"!&*", regexp.MustCompile(`^(?:!|&|\*)$`)},
}

// resolvesToStr reports whether the plain scalar s reads back as a string.
// Python's "$" also matches before a final newline; such a string is
// quoted anyway (it is multi-line).
func resolvesToStr(s string) bool {
	if s == "" {
		return false // null
	}
	for _, r := range yamlResolvers {
		if strings.IndexByte(r.first, s[0]) >= 0 && r.re.MatchString(strings.TrimSuffix(s, "\n")) {
			return false
		}
	}
	return true
}

type scalarAnalysis struct {
	empty, multiline                bool
	flowPlain, blockPlain, singleOK bool
}

func printable(r rune) bool {
	return r == 0x0A || (r >= 0x20 && r <= 0x7E) || (r >= 0xA0 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD && r != 0xFEFF)
}

func isBreak(r rune) bool { return r == '\r' || r == '\n' || r == 0x85 || r == 0x2028 || r == 0x2029 }

// analyzeScalar is yaml_emitter_analyze_scalar (unicode output on).
func analyzeScalar(s string) scalarAnalysis {
	if s == "" {
		return scalarAnalysis{empty: true, blockPlain: true, singleOK: true}
	}
	rs := []rune(s)
	var blockInd, flowInd, lineBreaks, special bool
	var leadingSpace, leadingBreak, trailingSpace, trailingBreak, breakSpace, spaceBreak bool
	var prevSpace, prevBreak bool
	if strings.HasPrefix(s, "---") || strings.HasPrefix(s, "...") {
		blockInd, flowInd = true, true
	}
	precededByWS := true
	for i, r := range rs {
		followedByWS := i+1 >= len(rs) || rs[i+1] == ' ' || rs[i+1] == '\t' || isBreak(rs[i+1])
		if i == 0 {
			switch r {
			case '#', ',', '[', ']', '{', '}', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
				flowInd, blockInd = true, true
			case '?', ':':
				flowInd = true
				if followedByWS {
					blockInd = true
				}
			case '-':
				if followedByWS {
					flowInd, blockInd = true, true
				}
			}
		} else {
			switch r {
			case ',', '?', '[', ']', '{', '}':
				flowInd = true
			case ':':
				flowInd = true
				if followedByWS {
					blockInd = true
				}
			case '#':
				if precededByWS {
					flowInd, blockInd = true, true
				}
			}
		}
		if !printable(r) {
			special = true
		}
		if isBreak(r) {
			lineBreaks = true
		}
		switch {
		case r == ' ':
			if i == 0 {
				leadingSpace = true
			}
			if i == len(rs)-1 {
				trailingSpace = true
			}
			if prevBreak {
				breakSpace = true
			}
			prevSpace, prevBreak = true, false
		case isBreak(r):
			if i == 0 {
				leadingBreak = true
			}
			if i == len(rs)-1 {
				trailingBreak = true
			}
			if prevSpace {
				spaceBreak = true
			}
			prevSpace, prevBreak = false, true
		default:
			prevSpace, prevBreak = false, false
		}
		precededByWS = r == ' ' || r == '\t' || isBreak(r)
	}
	a := scalarAnalysis{multiline: lineBreaks, flowPlain: true, blockPlain: true, singleOK: true}
	if leadingSpace || leadingBreak || trailingSpace || trailingBreak {
		a.flowPlain, a.blockPlain = false, false
	}
	if breakSpace {
		a.flowPlain, a.blockPlain, a.singleOK = false, false, false
	}
	if spaceBreak || special {
		a.flowPlain, a.blockPlain, a.singleOK = false, false, false
	}
	if lineBreaks {
		a.flowPlain, a.blockPlain = false, false
	}
	if flowInd {
		a.flowPlain = false
	}
	if blockInd {
		a.blockPlain = false
	}
	return a
}

const (
	stylePlain = iota
	styleSingle
	styleDouble
)

// scalar is yaml_emitter_emit_scalar: select the style, then write.
func (e *yamlEmitter) scalar(ev scalarEvent) {
	a := analyzeScalar(ev.value)
	style := stylePlain
	if e.simpleKeyContext && a.multiline {
		style = styleDouble
	}
	if style == stylePlain {
		if (e.flowLevel > 0 && !a.flowPlain) || (e.flowLevel == 0 && !a.blockPlain) {
			style = styleSingle
		}
		if a.empty && (e.flowLevel > 0 || e.simpleKeyContext) {
			style = styleSingle
		}
		if !ev.plainImplicit {
			style = styleSingle
		}
	}
	if style == styleSingle && !a.singleOK {
		style = styleDouble
	}
	e.increaseIndent(true, false)
	allowBreaks := !e.simpleKeyContext
	switch style {
	case stylePlain:
		e.writePlain(ev.value, allowBreaks)
	case styleSingle:
		e.writeSingle(ev.value, allowBreaks)
	default:
		e.writeDouble(ev.value, allowBreaks)
	}
	e.popIndent()
}

func (e *yamlEmitter) writeBreak(r rune) {
	if r == '\n' {
		e.putBreak()
		return
	}
	e.w.WriteRune(r)
	e.column = 0
}

func (e *yamlEmitter) writePlain(s string, allowBreaks bool) {
	if !e.whitespace && (s != "" || e.flowLevel > 0) {
		e.put(" ")
	}
	rs := []rune(s)
	spaces, breaks := false, false
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == ' ':
			if allowBreaks && !spaces && e.column > bestWidth && !(i+1 < len(rs) && rs[i+1] == ' ') {
				e.writeIndent()
			} else {
				e.put(" ")
			}
			spaces = true
		case isBreak(r):
			if !breaks && r == '\n' {
				e.putBreak()
			}
			e.writeBreak(r)
			e.indention = true
			breaks = true
		default:
			if breaks {
				e.writeIndent()
			}
			e.put(string(r))
			e.indention = false
			spaces, breaks = false, false
		}
	}
	e.whitespace = false
	e.indention = false
}

func (e *yamlEmitter) writeSingle(s string, allowBreaks bool) {
	e.writeIndicator("'", true, false, false)
	rs := []rune(s)
	spaces, breaks := false, false
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == ' ':
			if allowBreaks && !spaces && e.column > bestWidth && i != 0 && i != len(rs)-1 && !(i+1 < len(rs) && rs[i+1] == ' ') {
				e.writeIndent()
			} else {
				e.put(" ")
			}
			spaces = true
		case isBreak(r):
			if !breaks && r == '\n' {
				e.putBreak()
			}
			e.writeBreak(r)
			e.indention = true
			breaks = true
		default:
			if breaks {
				e.writeIndent()
			}
			if r == '\'' {
				e.put("'")
			}
			e.put(string(r))
			e.indention = false
			spaces, breaks = false, false
		}
	}
	if breaks {
		e.writeIndent()
	}
	e.writeIndicator("'", false, false, false)
}

func (e *yamlEmitter) writeDouble(s string, allowBreaks bool) {
	const hexDigits = "0123456789ABCDEF"
	e.writeIndicator(`"`, true, false, false)
	rs := []rune(s)
	spaces := false
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case !printable(r) || r == 0xFEFF || isBreak(r) || r == '"' || r == '\\':
			var esc string
			switch r {
			case 0x00:
				esc = "0"
			case 0x07:
				esc = "a"
			case 0x08:
				esc = "b"
			case 0x09:
				esc = "t"
			case 0x0A:
				esc = "n"
			case 0x0B:
				esc = "v"
			case 0x0C:
				esc = "f"
			case 0x0D:
				esc = "r"
			case 0x1B:
				esc = "e"
			case '"':
				esc = `"`
			case '\\':
				esc = `\`
			case 0x85:
				esc = "N"
			case 0xA0:
				esc = "_"
			case 0x2028:
				esc = "L"
			case 0x2029:
				esc = "P"
			default:
				n, prefix := 2, "x"
				if r > 0xFF {
					n, prefix = 4, "u"
				}
				if r > 0xFFFF {
					n, prefix = 8, "U"
				}
				b := make([]byte, n)
				for k := n - 1; k >= 0; k-- {
					b[k] = hexDigits[(r>>(4*(n-1-k)))&0xF]
				}
				esc = prefix + string(b)
			}
			e.put(`\` + esc)
			spaces = false
		case r == ' ':
			if allowBreaks && !spaces && e.column > bestWidth && i != 0 && i != len(rs)-1 {
				e.writeIndent()
				if i+1 < len(rs) && rs[i+1] == ' ' {
					e.put(`\`)
				}
			} else {
				e.put(" ")
			}
			spaces = true
		default:
			e.put(string(r))
			spaces = false
		}
	}
	e.writeIndicator(`"`, false, false, false)
	e.whitespace = false
	e.indention = false
}
