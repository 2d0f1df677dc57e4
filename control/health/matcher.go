package health

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gwlbctl/gwlbctl/control"
)

// HTTP codes a GWLB health-check matcher may name: control's bounds, the
// ones the control plane validates (200-399), in any of ELB's forms: a
// code (200), a list (200,202) or a range (200-299), mixed freely.
const (
	MinMatcherCode = control.MinHealthCheckMatcherCode
	MaxMatcherCode = control.MaxHealthCheckMatcherCode
)

// Matcher is the set of HTTP status codes an HTTP or HTTPS health check
// accepts. The zero Matcher accepts nothing. Matchers are comparable with ==.
type Matcher struct {
	// bit i is code MinMatcherCode+i.
	codes [(MaxMatcherCode - MinMatcherCode + 64) / 64]uint64
}

// DefaultMatcher returns GWLB's default matcher, 200-399.
func DefaultMatcher() Matcher {
	m, err := ParseMatcher("200-399")
	if err != nil {
		panic(err) // a constant that parses
	}
	return m
}

var matcherForms = fmt.Sprintf("give HTTP codes within %d-%d as a code (200), a list (200,202) or a range (200-299)", MinMatcherCode, MaxMatcherCode)

// ParseMatcher parses a matcher's HttpCode: comma-separated items, each a
// three-digit code or a range lo-hi (lo <= hi), every code within
// 200-399, no spaces. Items may overlap. It allocates only on error.
func ParseMatcher(s string) (Matcher, error) {
	var m Matcher
	if s == "" {
		return Matcher{}, fmt.Errorf("health check matcher is empty: %s", matcherForms)
	}
	rest := s
	for {
		item, tail, more := strings.Cut(rest, ",")
		lo, hi, err := parseMatcherItem(item)
		if err != nil {
			return Matcher{}, fmt.Errorf("health check matcher %q: %w: %s", s, err, matcherForms)
		}
		for c := lo; c <= hi; c++ {
			m.codes[(c-MinMatcherCode)/64] |= 1 << ((c - MinMatcherCode) % 64)
		}
		if !more {
			return m, nil
		}
		rest = tail
	}
}

func parseMatcherItem(item string) (lo, hi int, err error) {
	a, b, isRange := strings.Cut(item, "-")
	if lo, err = parseMatcherCode(a); err != nil {
		return 0, 0, err
	}
	if !isRange {
		return lo, lo, nil
	}
	if hi, err = parseMatcherCode(b); err != nil {
		return 0, 0, err
	}
	if lo > hi {
		return 0, 0, fmt.Errorf("range %q runs backwards", item)
	}
	return lo, hi, nil
}

func parseMatcherCode(s string) (int, error) {
	if len(s) != 3 || s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' || s[2] < '0' || s[2] > '9' {
		if s == "" {
			return 0, fmt.Errorf("an item or a range end is empty")
		}
		return 0, fmt.Errorf("%q is not a three-digit HTTP code", s)
	}
	c := int(s[0]-'0')*100 + int(s[1]-'0')*10 + int(s[2]-'0')
	if c < MinMatcherCode || c > MaxMatcherCode {
		return 0, fmt.Errorf("code %d is outside %d-%d", c, MinMatcherCode, MaxMatcherCode)
	}
	return c, nil
}

// Match reports whether the matcher accepts HTTP status code.
func (m Matcher) Match(code int) bool {
	if code < MinMatcherCode || code > MaxMatcherCode {
		return false
	}
	i := code - MinMatcherCode
	return m.codes[i/64]&(1<<(i%64)) != 0
}

// IsZero reports whether the matcher accepts no code (it was never parsed).
func (m Matcher) IsZero() bool { return m == Matcher{} }

// String returns the matcher in canonical form: ascending, runs of two or
// more codes as lo-hi, single codes alone ("200-299,302"). ParseMatcher of
// the result gives the same Matcher. The zero Matcher is "".
func (m Matcher) String() string {
	var b []byte
	for c := MinMatcherCode; c <= MaxMatcherCode; c++ {
		if !m.Match(c) {
			continue
		}
		end := c
		for end < MaxMatcherCode && m.Match(end+1) {
			end++
		}
		if len(b) > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(c), 10)
		if end > c {
			b = append(b, '-')
			b = strconv.AppendInt(b, int64(end), 10)
		}
		c = end
	}
	return string(b)
}
