// Package shorthand reads parameter values the way the AWS CLI does: its
// shorthand syntax (`Key=Value,Key2=a,b`, `[x,y]`, `{K=v}`), JSON, and
// `file://path` indirection, and decodes them into the typed request
// structures of package control by their JSON (AWS member) names.
package shorthand

import (
	"fmt"
	"os"
	"strings"
)

// Value is a parsed shorthand value: a string, a []Value or a map[string]Value
// (as the AWS CLI's shorthand parser, values stay strings until they are
// decoded against the target type).
type Value = any

// SyntaxError reports where a shorthand expression stops making sense.
type SyntaxError struct {
	Input string
	Pos   int
	Msg   string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("error parsing shorthand %q at position %d: %s", e.Input, e.Pos, e.Msg)
}

// ResolveFile implements the AWS CLI's `file://` prefix: the value is the
// named file's contents (a trailing newline, which editors add, is dropped).
func ResolveFile(s string) (string, error) {
	path, ok := strings.CutPrefix(s, "file://")
	if !ok {
		return s, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("reading parameter file: %w", err)
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

// Parse parses a shorthand structure: `Key=Value,Key2=Value2`. Values may be
// lists (`Values=a,b,c` or `Values=[a,b]`), nested structures (`K={A=b}`) and
// quoted strings ('a,b' or "a,b"). Keys repeat at most once.
func Parse(s string) (map[string]Value, error) {
	p := &parser{in: s}
	p.skipSpace()
	m, err := p.keyvals(false)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if !p.eof() {
		return nil, p.errf("unexpected %q", p.in[p.pos])
	}
	return m, nil
}

type parser struct {
	in  string
	pos int
}

func (p *parser) eof() bool { return p.pos >= len(p.in) }

func (p *parser) peek() byte {
	if p.eof() {
		return 0
	}
	return p.in[p.pos]
}

func (p *parser) errf(format string, a ...any) error {
	return &SyntaxError{Input: p.in, Pos: p.pos, Msg: fmt.Sprintf(format, a...)}
}

func (p *parser) skipSpace() {
	for !p.eof() && (p.in[p.pos] == ' ' || p.in[p.pos] == '\t' || p.in[p.pos] == '\n' || p.in[p.pos] == '\r') {
		p.pos++
	}
}

func isKeyChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '#' || c == '/' || c == ':'
}

// keyAhead reports whether the input at pos starts with `key=`, which is how
// the AWS CLI tells the next key from another element of a csv list.
func (p *parser) keyAhead() bool {
	i := p.pos
	for i < len(p.in) && (p.in[i] == ' ' || p.in[i] == '\t') {
		i++
	}
	start := i
	for i < len(p.in) && isKeyChar(p.in[i]) {
		i++
	}
	for i < len(p.in) && (p.in[i] == ' ' || p.in[i] == '\t') {
		i++
	}
	return i > start && i < len(p.in) && p.in[i] == '='
}

// keyvals parses `k=v(,k=v)*`; nested stops at a closing brace.
func (p *parser) keyvals(nested bool) (map[string]Value, error) {
	m := map[string]Value{}
	for {
		p.skipSpace()
		start := p.pos
		for !p.eof() && isKeyChar(p.peek()) {
			p.pos++
		}
		key := p.in[start:p.pos]
		if key == "" {
			if p.eof() {
				return nil, p.errf("expected a key, found the end of the input")
			}
			return nil, p.errf("expected a key, found %q", p.peek())
		}
		p.skipSpace()
		if p.peek() != '=' {
			return nil, p.errf("expected '=' after key %q", key)
		}
		p.pos++
		if _, dup := m[key]; dup {
			return nil, p.errf("key %q given twice", key)
		}
		v, err := p.values(nested)
		if err != nil {
			return nil, err
		}
		m[key] = v
		p.skipSpace()
		if p.eof() || (nested && p.peek() == '}') {
			return m, nil
		}
		if p.peek() != ',' {
			return nil, p.errf("expected ',' after the value of %q", key)
		}
		p.pos++
	}
}

// values parses what follows `key=`: an explicit list, a hash, or a value
// that becomes a csv list if more comma-separated non-key items follow.
func (p *parser) values(nested bool) (Value, error) {
	p.skipSpace()
	switch p.peek() {
	case '[':
		return p.list()
	case '{':
		return p.hash()
	}
	first, err := p.scalar(nested, true)
	if err != nil {
		return nil, err
	}
	var list []Value
	for {
		save := p.pos
		p.skipSpace()
		if p.peek() != ',' {
			p.pos = save
			break
		}
		p.pos++
		if p.keyAhead() {
			p.pos = save
			break
		}
		p.skipSpace()
		if p.eof() {
			return nil, p.errf("trailing ','")
		}
		v, err := p.scalar(nested, false)
		if err != nil {
			return nil, err
		}
		if list == nil {
			list = []Value{first}
		}
		list = append(list, v)
	}
	if list != nil {
		return list, nil
	}
	return first, nil
}

func (p *parser) list() (Value, error) {
	p.pos++ // [
	list := []Value{}
	p.skipSpace()
	if p.peek() == ']' {
		p.pos++
		return list, nil
	}
	for {
		p.skipSpace()
		var v Value
		var err error
		switch p.peek() {
		case '[':
			v, err = p.list()
		case '{':
			v, err = p.hash()
		default:
			v, err = p.listScalar()
		}
		if err != nil {
			return nil, err
		}
		list = append(list, v)
		p.skipSpace()
		switch p.peek() {
		case ',':
			p.pos++
		case ']':
			p.pos++
			return list, nil
		default:
			if p.eof() {
				return nil, p.errf("missing ']'")
			}
			return nil, p.errf("expected ',' or ']' in list, found %q", p.peek())
		}
	}
}

func (p *parser) hash() (Value, error) {
	p.pos++ // {
	p.skipSpace()
	if p.peek() == '}' {
		p.pos++
		return map[string]Value{}, nil
	}
	m, err := p.keyvals(true)
	if err != nil {
		return nil, err
	}
	if p.peek() != '}' {
		return nil, p.errf("missing '}'")
	}
	p.pos++
	return m, nil
}

// listScalar reads an element inside [...]: ends at ',' or ']'.
func (p *parser) listScalar() (Value, error) {
	if c := p.peek(); c == '"' || c == '\'' {
		return p.quoted()
	}
	start := p.pos
	for !p.eof() && p.peek() != ',' && p.peek() != ']' {
		p.pos++
	}
	return strings.TrimSpace(p.in[start:p.pos]), nil
}

// scalar reads an unquoted or quoted value. It ends at ',' (and at '}' inside
// a hash). The first value after `key=` may contain '='; later csv elements
// are checked by keyAhead before being read.
func (p *parser) scalar(nested, first bool) (Value, error) {
	p.skipSpace()
	if c := p.peek(); c == '"' || c == '\'' {
		return p.quoted()
	}
	start := p.pos
	for !p.eof() {
		c := p.peek()
		if c == ',' || (nested && c == '}') {
			break
		}
		if c == '[' || c == '{' || c == ']' {
			if !first || p.pos != start {
				// Brackets inside a bare value are literal (ARNs never
				// have them, but a description might).
				p.pos++
				continue
			}
		}
		p.pos++
	}
	return strings.TrimSpace(p.in[start:p.pos]), nil
}

func (p *parser) quoted() (Value, error) {
	q := p.peek()
	p.pos++
	var b strings.Builder
	for {
		if p.eof() {
			return nil, p.errf("unterminated quoted string")
		}
		c := p.peek()
		p.pos++
		if c == '\\' && !p.eof() && (p.peek() == q || p.peek() == '\\') {
			b.WriteByte(p.peek())
			p.pos++
			continue
		}
		if c == q {
			return b.String(), nil
		}
		b.WriteByte(c)
	}
}
