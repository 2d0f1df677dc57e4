package output

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

type zone struct {
	ZoneName string `json:"ZoneName"`
	SubnetId string `json:"SubnetId"`
}

type lb struct {
	LoadBalancerName  string            `json:"LoadBalancerName"`
	LoadBalancerArn   string            `json:"LoadBalancerArn"`
	State             map[string]string `json:"State"`
	AvailabilityZones []zone            `json:"AvailabilityZones"`
	Port              int               `json:"Port"`
	Enabled           bool              `json:"Enabled"`
}

type describeOut struct {
	LoadBalancers []lb `json:"LoadBalancers"`
}

var sample = describeOut{LoadBalancers: []lb{
	{LoadBalancerName: "gwlb-a", LoadBalancerArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/gwy/gwlb-a/0123456789abcdef",
		State: map[string]string{"Code": "active"}, AvailabilityZones: []zone{{"us-east-1a", "subnet-1"}, {"us-east-1b", "subnet-2"}}, Port: 6081, Enabled: true},
	{LoadBalancerName: "gwlb-b", LoadBalancerArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/gwy/gwlb-b/fedcba9876543210",
		State: map[string]string{"Code": "provisioning"}, AvailabilityZones: []zone{{"us-east-1a", "subnet-1"}}, Port: 6081},
}}

func render(t *testing.T, opts Options, v any) string {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, opts, v); err != nil {
		t.Fatalf("Render(%+v): %v", opts, err)
	}
	return buf.String()
}

func TestJSONKeepsFieldOrder(t *testing.T) {
	got := render(t, Options{Format: "json"}, sample)
	if !strings.HasPrefix(got, "{\n    \"LoadBalancers\": [\n        {\n            \"LoadBalancerName\": \"gwlb-a\",\n            \"LoadBalancerArn\"") {
		t.Errorf("json output:\n%s", got)
	}
	if !strings.Contains(got, `"Port": 6081,`) || !strings.Contains(got, `"Enabled": true`) {
		t.Errorf("json scalars:\n%s", got)
	}
}

func TestQueryText(t *testing.T) {
	tests := []struct{ query, want string }{
		{"LoadBalancers[0].LoadBalancerArn", sample.LoadBalancers[0].LoadBalancerArn + "\n"},
		{"LoadBalancers[].LoadBalancerName", "gwlb-a\tgwlb-b\n"},
		{"LoadBalancers[].[LoadBalancerName,State.Code]", "gwlb-a\tactive\ngwlb-b\tprovisioning\n"},
		{"LoadBalancers[0].Port", "6081\n"},
		{"LoadBalancers[1].Enabled", "False\n"},
		{"LoadBalancers[?LoadBalancerName=='nope'] | [0]", "None\n"},
		{"length(LoadBalancers)", "2\n"},
	}
	for _, tt := range tests {
		if got := render(t, Options{Format: "text", Query: tt.query}, sample); got != tt.want {
			t.Errorf("--query %q --output text = %q, want %q", tt.query, got, tt.want)
		}
	}
}

func TestText(t *testing.T) {
	got := render(t, Options{Format: "text"}, sample)
	want := "LOADBALANCERS\ttrue\tarn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/gwy/gwlb-a/0123456789abcdef\tgwlb-a\t6081\n"
	want = strings.Replace(want, "\ttrue\t", "\tTrue\t", 1)
	if !strings.HasPrefix(got, want) {
		t.Errorf("text output:\n%q\nwant prefix\n%q", got, want)
	}
	for _, line := range []string{"AVAILABILITYZONES\tsubnet-1\tus-east-1a\n", "STATE\tactive\n", "STATE\tprovisioning\n"} {
		if !strings.Contains(got, line) {
			t.Errorf("text output lacks %q:\n%s", line, got)
		}
	}
}

func TestYAML(t *testing.T) {
	// ruamel's safe dumper: keys sorted, "true" quoted (it would read back
	// as a boolean), sequences inside mappings not indented.
	got := render(t, Options{Format: "yaml"}, map[string]any{"C": 5, "A": []any{}, "B": "true"})
	want := "A: []\nB: 'true'\nC: 5\n"
	if got != want {
		t.Errorf("yaml = %q, want %q", got, want)
	}
	got = render(t, Options{Format: "yaml"}, sample)
	if !strings.HasPrefix(got, "LoadBalancers:\n- AvailabilityZones:\n  - SubnetId: subnet-1\n    ZoneName: us-east-1a\n") {
		t.Errorf("yaml layout:\n%s", got)
	}
}

func TestTable(t *testing.T) {
	got := render(t, Options{Format: "table", Title: "DescribeLoadBalancers", Width: 400}, sample)
	lines := strings.Split(got, "\n")
	if strings.Trim(lines[0], "-") != "" || strings.TrimSpace(strings.Trim(lines[1], "|")) != "DescribeLoadBalancers" {
		t.Fatalf("title:\n%s", got)
	}
	for _, want := range []string{"|| Enabled |", "AvailabilityZones", "|||  subnet-1 "} {
		if !strings.Contains(got, want) {
			t.Errorf("table lacks %q:\n%s", want, got)
		}
	}
	// Every line of a box has the same width.
	for _, l := range lines[:len(lines)-1] {
		if textWidth(l) != textWidth(lines[0]) {
			t.Errorf("line %q is %d wide, the box %d", l, textWidth(l), textWidth(lines[0]))
		}
	}
}

func TestColumns(t *testing.T) {
	got := render(t, Options{Format: "columns", Title: "DescribeLoadBalancers", Width: 400}, sample)
	lines := strings.Split(got, "\n")
	if lines[0] != "DescribeLoadBalancers" || lines[1] != strings.Repeat("-", len("DescribeLoadBalancers")) {
		t.Fatalf("title:\n%s", got)
	}
	if !strings.Contains(got, "LoadBalancers\n") {
		t.Errorf("no section heading:\n%s", got)
	}
	var header, row string
	for i, l := range lines {
		if strings.HasPrefix(l, "LoadBalancerName") {
			header, row = l, lines[i+1]
		}
	}
	if header == "" {
		t.Fatalf("no header row:\n%s", got)
	}
	// Columns line up: the State column starts at the same offset in the
	// header and in the row.
	if strings.Index(header, "State") != strings.Index(row, "active") {
		t.Errorf("misaligned:\n%s\n%s", header, row)
	}
	if !strings.Contains(row, "us-east-1a/subnet-1, us-east-1b/subnet-2") {
		t.Errorf("zones not summarised: %s", row)
	}

	narrow := render(t, Options{Format: "columns", Title: "DescribeLoadBalancers", Width: 80}, sample)
	if !strings.Contains(narrow, "[1]\n  LoadBalancerName   gwlb-b\n") {
		t.Errorf("narrow terminal should print blocks:\n%s", narrow)
	}
}

func TestEmptyResponsePrintsNothing(t *testing.T) {
	for _, f := range Formats {
		if got := render(t, Options{Format: f}, struct{}{}); got != "" {
			t.Errorf("%s: empty response printed %q", f, got)
		}
	}
}

func TestBadQuery(t *testing.T) {
	// "A\u0080" made go-jmespath's lexer index out of range (found by
	// FuzzQuery): refused like any other bad expression, no panic.
	for _, q := range []string{"LoadBalancers[[[", "A\u0080", "LoadBalancers[0].A\u0080"} {
		err := Render(&bytes.Buffer{}, Options{Format: "json", Query: q}, sample)
		var qe *QueryError
		if !errors.As(err, &qe) {
			t.Fatalf("--query %q: err = %v, want *QueryError", q, err)
		}
	}
	// "@()" compiles and then made go-jmespath's interpreter panic (found
	// by FuzzQuery): an error, no panic.
	if err := Render(&bytes.Buffer{}, Options{Format: "json", Query: "@()"}, sample); err == nil {
		t.Fatal(`--query "@()": no error`)
	}
}

func TestColumnsAttributes(t *testing.T) {
	type attr struct{ Key, Value string }
	got := render(t, Options{Format: "columns", Title: "DescribeLoadBalancerAttributes", Width: 200},
		map[string]any{"Attributes": []attr{{"deletion_protection.enabled", "false"}, {"load_balancing.cross_zone.enabled", "true"}}})
	want := "DescribeLoadBalancerAttributes\n------------------------------\n\nAttributes\n" +
		"Key                                Value\n" +
		"deletion_protection.enabled        false\n" +
		"load_balancing.cross_zone.enabled  true\n"
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}
