package engine

import (
	"reflect"
	"regexp"
	"testing"
)

var snakeCase = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// TestMetricTablesDescribeEveryCounter: each uint64 field of the counter
// structs is described by exactly one metric of its scope's table (the
// drops by DropMetric and the reasons table), names are snake_case and
// unique, keys unique, help given, and Value reads that very field.
func TestMetricTablesDescribeEveryCounter(t *testing.T) {
	check := func(name string, ms []Metric, scope Scope, typ reflect.Type, value func(p reflect.Value, m Metric) uint64) {
		t.Helper()
		byOff := map[uintptr]Metric{}
		names, keys := map[string]bool{}, map[string]bool{}
		for _, m := range ms {
			if m.Scope != scope {
				t.Errorf("%s metric %s has scope %v", name, m.Name, m.Scope)
			}
			if !snakeCase.MatchString(m.Name) || names[m.Name] {
				t.Errorf("%s metric name %q not snake_case or repeated", name, m.Name)
			}
			if m.Key == "" || keys[m.Key] {
				t.Errorf("%s metric %s: key %q empty or repeated", name, m.Name, m.Key)
			}
			if scope == ScopeNode && m.Key != m.Name {
				t.Errorf("node metric %s: key %q differs from its name", m.Name, m.Key)
			}
			if m.Help == "" {
				t.Errorf("%s metric %s has no help", name, m.Name)
			}
			if _, dup := byOff[m.off]; dup {
				t.Errorf("%s metrics %s and %s read the same field", name, byOff[m.off].Name, m.Name)
			}
			names[m.Name], keys[m.Key], byOff[m.off] = true, true, m
		}
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i)
			if f.Name == "Drops" && f.Type.Kind() == reflect.Array {
				continue // DropMetric, by reason
			}
			m, ok := byOff[f.Offset]
			if !ok {
				t.Errorf("%s.%s is described by no metric", typ.Name(), f.Name)
				continue
			}
			p := reflect.New(typ)
			p.Elem().Field(i).SetUint(0xfeed0000 + uint64(i))
			if v := value(p, m); v != 0xfeed0000+uint64(i) {
				t.Errorf("metric %s reads %#x, not %s.%s", m.Name, v, typ.Name(), f.Name)
			}
			delete(byOff, f.Offset)
		}
		for _, m := range byOff {
			t.Errorf("%s metric %s describes no field", name, m.Name)
		}
	}
	check("node", NodeMetrics(), ScopeNode, reflect.TypeFor[Totals](), func(p reflect.Value, m Metric) uint64 {
		return p.Interface().(*Totals).Value(m)
	})
	check("endpoint", EndpointMetrics(), ScopeEndpoint, reflect.TypeFor[EndpointCounters](), func(p reflect.Value, m Metric) uint64 {
		return p.Interface().(*EndpointCounters).Value(m)
	})
	check("target", TargetMetrics(), ScopeTarget, reflect.TypeFor[TargetCounters](), func(p reflect.Value, m Metric) uint64 {
		return p.Interface().(*TargetCounters).Value(m)
	})

	names := map[string]bool{}
	for r := Reason(0); r < NumReasons; r++ {
		if n := r.String(); !snakeCase.MatchString(n) || names[n] || r.Help() == "" {
			t.Errorf("reason %d: name %q (snake_case, unique) help %q", r, n, r.Help())
		}
		names[r.String()] = true
	}
	if d := DropMetric(); d.Scope != ScopeNode || d.Kind != KindCounter || names[d.Name] {
		t.Errorf("DropMetric %+v", d)
	}
	for _, m := range NodeMetrics() {
		if names[m.Name] {
			t.Errorf("node metric %s has a drop reason's name", m.Name)
		}
	}
}

// TestStatsAddSumsEveryCounter: Add sums every word of the counters, so a
// new counter needs no new line in it.
func TestStatsAddSumsEveryCounter(t *testing.T) {
	var a, b Stats
	a.Endpoints, b.Endpoints = make([]EndpointCounters, 1), make([]EndpointCounters, 2)
	b.Targets = make([]TargetCounters, 3)
	fill := func(s *Stats, base uint64) {
		n := base
		for _, w := range append(append([][]uint64{words(&s.Totals)}, mapSlice(s.Endpoints)...), mapSliceT(s.Targets)...) {
			for i := range w {
				n++
				w[i] = n
			}
		}
	}
	fill(&a, 0)
	fill(&b, 1000)
	want := a.Totals
	wantEp0 := a.Endpoints[0]
	a.Add(&b)
	for i, v := range words(&a.Totals) {
		if v != words(&want)[i]+words(&b.Totals)[i] {
			t.Fatalf("totals word %d: %d", i, v)
		}
	}
	for i, v := range words(&a.Endpoints[0]) {
		if v != words(&wantEp0)[i]+words(&b.Endpoints[0])[i] {
			t.Fatalf("endpoint 0 word %d: %d", i, v)
		}
	}
	if len(a.Endpoints) != 2 || a.Endpoints[1] != b.Endpoints[1] || len(a.Targets) != 3 || a.Targets[2] != b.Targets[2] {
		t.Fatalf("Add did not extend: %d endpoints, %d targets", len(a.Endpoints), len(a.Targets))
	}
}

func mapSlice(s []EndpointCounters) [][]uint64 {
	var r [][]uint64
	for i := range s {
		r = append(r, words(&s[i]))
	}
	return r
}

func mapSliceT(s []TargetCounters) [][]uint64 {
	var r [][]uint64
	for i := range s {
		r = append(r, words(&s[i]))
	}
	return r
}
