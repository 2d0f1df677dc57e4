package health

import (
	"strconv"
	"strings"
	"testing"
)

func TestParseMatcher(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    string // canonical String()
		yes, no []int
	}{
		{in: "200", want: "200", yes: []int{200}, no: []int{199, 201, 404}},
		{in: "200,202", want: "200,202", yes: []int{200, 202}, no: []int{201, 203}},
		{in: "200-299", want: "200-299", yes: []int{200, 250, 299}, no: []int{300, 199}},
		{in: "200-399", want: "200-399", yes: []int{200, 302, 399}, no: []int{400, 503}},
		{in: "399", want: "399", yes: []int{399}, no: []int{398}},
		{in: "202,200,201", want: "200-202", yes: []int{200, 201, 202}},
		{in: "200-250,240-260,300", want: "200-260,300", yes: []int{255, 300}, no: []int{261, 299}},
		{in: "204-204", want: "204", yes: []int{204}},
		{in: "200,200", want: "200", yes: []int{200}},
	} {
		m, err := ParseMatcher(tc.in)
		if err != nil {
			t.Errorf("ParseMatcher(%q): %v", tc.in, err)
			continue
		}
		if got := m.String(); got != tc.want {
			t.Errorf("ParseMatcher(%q).String() = %q, want %q", tc.in, got, tc.want)
		}
		for _, c := range tc.yes {
			if !m.Match(c) {
				t.Errorf("%q does not match %d", tc.in, c)
			}
		}
		for _, c := range tc.no {
			if m.Match(c) {
				t.Errorf("%q matches %d", tc.in, c)
			}
		}
		if m2, err := ParseMatcher(m.String()); err != nil || m2 != m {
			t.Errorf("round trip of %q: %v, %v", tc.in, m2, err)
		}
	}
}

func TestParseMatcherInvalid(t *testing.T) {
	for _, tc := range []struct{ in, wantErr string }{
		{"", "empty"},
		{"404", "code 404 is outside 200-399"},
		{"199", "code 199 is outside 200-399"},
		{"200-400", "code 400 is outside 200-399"},
		{"500-599", "code 500 is outside 200-399"},
		{"299-200", `range "299-200" runs backwards`},
		{"20", `"20" is not a three-digit HTTP code`},
		{"2000", `"2000" is not a three-digit HTTP code`},
		{"abc", `"abc" is not a three-digit HTTP code`},
		{"200,", "empty"},
		{",200", "empty"},
		{"200-", "empty"},
		{"-200", "empty"},
		{"200-250-299", `"250-299" is not a three-digit HTTP code`},
		{"200, 202", `" 202" is not a three-digit HTTP code`},
		{"+20", `"+20" is not a three-digit HTTP code`},
	} {
		m, err := ParseMatcher(tc.in)
		if err == nil {
			t.Errorf("ParseMatcher(%q) = %v, want an error", tc.in, m)
			continue
		}
		if !m.IsZero() {
			t.Errorf("ParseMatcher(%q) returned codes %v with its error", tc.in, m)
		}
		if !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "200-399") {
			t.Errorf("ParseMatcher(%q) error %q, want it to contain %q and name the allowed codes", tc.in, err, tc.wantErr)
		}
	}
}

func TestMatcherOutOfRangeCodes(t *testing.T) {
	m := DefaultMatcher()
	for _, c := range []int{-1, 0, 100, 199, 400, 455, 456, 503, 1 << 20} {
		if m.Match(c) {
			t.Errorf("default matcher matches %d", c)
		}
	}
	if (Matcher{}).String() != "" || !(Matcher{}).IsZero() || DefaultMatcher().IsZero() {
		t.Error("zero matcher: want empty and IsZero")
	}
}

// referenceCodes parses s the slow way, independently of ParseMatcher:
// nil when s is not a valid matcher.
func referenceCodes(s string) map[int]bool {
	codes := map[int]bool{}
	for _, item := range strings.Split(s, ",") {
		ends := strings.Split(item, "-")
		if len(ends) > 2 {
			return nil
		}
		var n []int
		for _, e := range ends {
			if len(e) != 3 || strings.Trim(e, "0123456789") != "" {
				return nil
			}
			v, _ := strconv.Atoi(e)
			if v < 200 || v > 399 {
				return nil
			}
			n = append(n, v)
		}
		lo, hi := n[0], n[len(n)-1]
		if lo > hi {
			return nil
		}
		for c := lo; c <= hi; c++ {
			codes[c] = true
		}
	}
	return codes
}

// FuzzParseMatcher: ParseMatcher errs if and only if it returns no codes
// and the reference parser rejects the input; otherwise it accepts exactly
// the reference's codes, and String round-trips to the same Matcher in a
// canonical form.
func FuzzParseMatcher(f *testing.F) {
	for _, s := range []string{"200", "200,202", "200-299", "200-399", "399", "404", "299-200", "", ",", "200,,202", "2000", "200-250,240-260", "0x1", "200-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMatcher(s)
		ref := referenceCodes(s)
		if err != nil {
			if !m.IsZero() {
				t.Fatalf("%q: error %v with codes %v", s, err, m)
			}
			if ref != nil {
				t.Fatalf("%q: error %v, but the reference accepts it", s, err)
			}
			return
		}
		if ref == nil || m.IsZero() {
			t.Fatalf("%q accepted as %q, the reference rejects it", s, m)
		}
		for c := 0; c < 1000; c++ {
			if m.Match(c) != ref[c] {
				t.Fatalf("%q: Match(%d) = %v, reference %v", s, c, m.Match(c), ref[c])
			}
		}
		str := m.String()
		m2, err := ParseMatcher(str)
		if err != nil || m2 != m {
			t.Fatalf("%q: String %q parses to %v, %v", s, str, m2, err)
		}
		if m2.String() != str {
			t.Fatalf("%q: String not canonical: %q then %q", s, str, m2.String())
		}
	})
}

func BenchmarkMatcher(b *testing.B) {
	b.Run("Match", func(b *testing.B) {
		m := DefaultMatcher()
		b.ReportAllocs()
		n := 0
		for i := 0; b.Loop(); i++ {
			if m.Match(200 + i%300) {
				n++
			}
		}
		if n == 0 {
			b.Fatal("no match")
		}
	})
	b.Run("Parse", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ParseMatcher("200-299,302,304"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
