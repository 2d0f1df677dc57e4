package tui

import (
	"math"
	"os/exec"
	"strings"
	"testing"

	"github.com/gwlbctl/gwlbctl/tui/tuitest"
)

func TestSI(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		want string
	}{
		{0, "0"}, {999, "999"}, {999.4, "999"}, {999.6, "1.0k"}, {1234, "1.2k"}, {12345, "12.3k"},
		{99949, "99.9k"}, {99960, "100k"}, {123456, "123k"}, {999499, "999k"}, {999600, "1.0M"},
		{1.5e9, "1.5G"}, {2e18, "2.0E"}, {-1234, "-1.2k"},
	} {
		if got := SI(tc.v); got != tc.want {
			t.Errorf("SI(%v) = %q, want %q", tc.v, got, tc.want)
		}
	}
	for _, tc := range []struct {
		s    float64
		want string
	}{{0, "0s"}, {59.9, "59s"}, {60, "1m00s"}, {3599, "59m59s"}, {3600, "1h00m"}, {86399, "23h59m"}, {90000, "1d01h"}, {-3, "0s"}} {
		if got := Duration(tc.s); got != tc.want {
			t.Errorf("Duration(%v) = %q, want %q", tc.s, got, tc.want)
		}
	}
	if got := Grouped(1234567); got != "1,234,567" {
		t.Errorf("Grouped = %q", got)
	}
}

// The screen readers of tuitest read back what SI and Duration write: SI
// to within its rounding, Duration exactly (to its two units).
func FuzzSIRoundTrip(f *testing.F) {
	for _, v := range []float64{0, 1, 999.6, 12345, 99960, 1.5e9, 7.7e17} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v float64) {
		if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > 1e20 {
			return
		}
		s := SI(v)
		if len(s) > 6 {
			t.Fatalf("SI(%v) = %q: wider than a column", v, s)
		}
		got, ok := tuitest.ParseSI(s)
		if !ok {
			t.Fatalf("ParseSI(%q) failed", s)
		}
		if tol := math.Max(math.Abs(v)*0.06, 0.5); math.Abs(got-v) > tol {
			t.Fatalf("SI(%v) = %q reads back as %v", v, s, got)
		}
		for _, unit := range []string{"b/s", "p/s", "B"} {
			if g, ok := tuitest.ParseSI(s + unit); !ok || g != got {
				t.Fatalf("ParseSI(%q) = %v, %v", s+unit, g, ok)
			}
		}
	})
}

func FuzzDurationRoundTrip(f *testing.F) {
	for _, v := range []int64{0, 59, 60, 3599, 3600, 86400, 1e7} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, secs int64) {
		if secs < 0 || secs > 1e12 {
			return
		}
		s := Duration(float64(secs))
		got, ok := tuitest.ParseDuration(s)
		if !ok {
			t.Fatalf("ParseDuration(%q) failed", s)
		}
		// Two units: what is below the second unit is dropped.
		unit := int64(1)
		switch {
		case secs >= 86400:
			unit = 3600
		case secs >= 3600:
			unit = 60
		}
		if want := secs / unit * unit; int64(got) != want {
			t.Fatalf("Duration(%d) = %q reads back as %v, want %d", secs, s, got, want)
		}
	})
}

func FuzzParseSI(f *testing.F) {
	for _, s := range []string{"1.2k", "12.3Mb/s", "", "-", "1,234", "9e9", "k"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// Never a panic; an error iff no number.
		if v, ok := tuitest.ParseSI(s); !ok && v != 0 {
			t.Fatalf("ParseSI(%q) = %v with !ok", s, v)
		}
		if v, ok := tuitest.ParseDuration(s); !ok && v != 0 {
			t.Fatalf("ParseDuration(%q) = %v with !ok", s, v)
		}
	})
}

func BenchmarkSI(b *testing.B) {
	b.ReportAllocs()
	v := 1.0
	for b.Loop() {
		_ = SI(v)
		v = v*1.7 + 1
		if v > 1e15 {
			v = 1
		}
	}
}

func TestFit(t *testing.T) {
	for _, tc := range []struct {
		s    string
		w    int
		want string
	}{{"abc", 5, "abc  "}, {"abcdef", 4, "abc…"}, {"→←", 3, "→← "}, {"x", 0, ""}} {
		if got := fit(tc.s, tc.w); got != tc.want {
			t.Errorf("fit(%q, %d) = %q, want %q", tc.s, tc.w, got, tc.want)
		}
	}
	if got := fitRight("12", 4); got != "  12" {
		t.Errorf("fitRight = %q", got)
	}
	if got := abbrevID("vpce-0123456789abcdef0", 12); got != "vpce-…bcdef0" || width(got) != 12 {
		t.Errorf("abbrevID = %q", got)
	}
	if got := shortARN("arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/gwy/my-gwlb/0123456789abcdef"); got != "my-gwlb" {
		t.Errorf("shortARN = %q", got)
	}
}

// TestImports: the dashboard is a client of control/api only: nothing of
// fastpath (and no cgo) reaches it.
func TestImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}} {{len .CgoFiles}}", "github.com/gwlbctl/gwlbctl/tui").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, cgo, _ := strings.Cut(l, " ")
		if strings.HasPrefix(pkg, "github.com/gwlbctl/gwlbctl/fastpath") {
			t.Errorf("tui depends on %s", pkg)
		}
		if cgo != "0" && strings.HasPrefix(pkg, "github.com/gwlbctl/") {
			t.Errorf("tui depends on cgo package %s", pkg)
		}
	}
}
