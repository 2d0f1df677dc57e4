package shorthand

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want map[string]Value
	}{
		{"Id=10.0.1.10", map[string]Value{"Id": "10.0.1.10"}},
		{"Id=10.0.1.10,AvailabilityZone=us-east-1a", map[string]Value{"Id": "10.0.1.10", "AvailabilityZone": "us-east-1a"}},
		{"Name=vpc-id,Values=vpc-1,vpc-2", map[string]Value{"Name": "vpc-id", "Values": []Value{"vpc-1", "vpc-2"}}},
		{"Values=a,b,Name=x", map[string]Value{"Name": "x", "Values": []Value{"a", "b"}}},
		{"Values=[a,b],Name=x", map[string]Value{"Name": "x", "Values": []Value{"a", "b"}}},
		{"Values=[]", map[string]Value{"Values": []Value{}}},
		{"Type=forward,TargetGroupArn=arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/t/0123456789abcdef",
			map[string]Value{"Type": "forward", "TargetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/t/0123456789abcdef"}},
		{"Key=stickiness.type,Value=source_ip_dest_ip", map[string]Value{"Key": "stickiness.type", "Value": "source_ip_dest_ip"}},
		{`Key=note,Value="a, b"`, map[string]Value{"Key": "note", "Value": "a, b"}},
		{`Key=note,Value='it\'s'`, map[string]Value{"Key": "note", "Value": "it's"}},
		{"Value=a=b", map[string]Value{"Value": "a=b"}},
		{" Id = i-1 , Port = 6081 ", map[string]Value{"Id": "i-1", "Port": "6081"}},
		{"ForwardConfig={TargetGroups=[{TargetGroupArn=x}]}", map[string]Value{"ForwardConfig": map[string]Value{"TargetGroups": []Value{map[string]Value{"TargetGroupArn": "x"}}}}},
		{"Key=k,Value=", map[string]Value{"Key": "k", "Value": ""}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, in := range []string{"", "Id", "=x", "Id=a,", "Id=a,Id=b", "A=[a,b", "A={B=c", `A="open`, "A=b,"} {
		t.Run(in, func(t *testing.T) {
			m, err := Parse(in)
			if err == nil {
				t.Fatalf("Parse(%q) = %v, want an error", in, m)
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v is %T, want *SyntaxError", err, err)
			}
		})
	}
}

type target struct {
	Id               string `json:"Id"`
	Port             *int32 `json:"Port,omitempty"`
	AvailabilityZone string `json:"AvailabilityZone,omitempty"`
}

type filter struct {
	Name   string   `json:"Name"`
	Values []string `json:"Values"`
}

type matcher struct {
	HttpCode string `json:"HttpCode"`
}

type healthCheck struct {
	Enabled *bool    `json:"Enabled,omitempty"`
	Matcher *matcher `json:"Matcher,omitempty"`
}

func port(n int32) *int32 { return &n }

func TestDecodeList(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "targets.json")
	if err := os.WriteFile(file, []byte(`[{"Id":"10.0.0.9","AvailabilityZone":"us-east-1b"}]`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		tokens []string
		want   []target
	}{
		{"shorthand", []string{"Id=10.0.1.10,AvailabilityZone=us-east-1a", "Id=10.0.1.11,Port=6081"},
			[]target{{Id: "10.0.1.10", AvailabilityZone: "us-east-1a"}, {Id: "10.0.1.11", Port: port(6081)}}},
		{"json array", []string{`[{"Id":"i-1"},{"Id":"i-2","Port":6081}]`}, []target{{Id: "i-1"}, {Id: "i-2", Port: port(6081)}}},
		{"json objects", []string{`{"Id":"i-1"}`, `{"Id":"i-2"}`}, []target{{Id: "i-1"}, {Id: "i-2"}}},
		{"file", []string{"file://" + file}, []target{{Id: "10.0.0.9", AvailabilityZone: "us-east-1b"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []target
			if err := DecodeList("--targets", tt.tokens, &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestDecodeListErrors(t *testing.T) {
	tests := []struct {
		tokens []string
		want   string
	}{
		{[]string{"Idd=i-1"}, `unknown parameter "Idd", must be one of: Id, Port, AvailabilityZone`},
		{[]string{"Id=i-1,Port=http"}, `"http" is not an integer`},
		{[]string{`[{"Id":1}]`}, "invalid JSON"},
		{[]string{`[{"Bogus":"x"}]`}, "invalid JSON"},
		{[]string{"file:///nonexistent/targets.json"}, "reading parameter file"},
		{[]string{"Id=[a,b]"}, "expected a single value, got a list"},
	}
	for _, tt := range tests {
		var got []target
		err := DecodeList("--targets", tt.tokens, &got)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "--targets") {
			t.Errorf("DecodeList(%q) error = %v, want one naming --targets and containing %q", tt.tokens, err, tt.want)
		}
	}
}

func TestDecodeStruct(t *testing.T) {
	var f filter
	if err := DecodeStruct("--filters", "Name=vpc-id,Values=vpc-1", &f); err != nil {
		t.Fatal(err)
	}
	if want := (filter{Name: "vpc-id", Values: []string{"vpc-1"}}); !reflect.DeepEqual(f, want) {
		t.Errorf("got %+v, want %+v", f, want)
	}
	var h healthCheck
	if err := DecodeStruct("--hc", "Enabled=TRUE,Matcher={HttpCode=200-399}", &h); err != nil {
		t.Fatal(err)
	}
	if h.Enabled == nil || !*h.Enabled || h.Matcher == nil || h.Matcher.HttpCode != "200-399" {
		t.Errorf("got %+v", h)
	}
	if err := DecodeStruct("--hc", "Enabled=maybe", &h); err == nil || !strings.Contains(err.Error(), "not a boolean") {
		t.Errorf("bad boolean: err = %v", err)
	}
}

func TestStrings(t *testing.T) {
	got, err := Strings("--subnets", []string{"subnet-a", "subnet-b,subnet-c", `["subnet-d"]`})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"subnet-a", "subnet-b", "subnet-c", "subnet-d"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if _, err := Strings("--subnets", []string{`["a",`}); err == nil {
		t.Error("broken JSON list accepted")
	}
}

// FuzzParse: any input either parses into a structure or gives a
// SyntaxError, never both and never a panic; a parsed structure re-decodes
// into a generic map without error.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"Id=a", "Name=x,Values=a,b", "A={B=[c,{D=e}]}", `K="a,b",V='c'`, "A=[", "=", "A=b,=c", "A=a=b,c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := Parse(s)
		if (err == nil) == (m == nil) {
			t.Fatalf("Parse(%q) = %v, %v: want exactly one of a result and an error", s, m, err)
		}
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error %T, want *SyntaxError", s, err)
			}
			return
		}
		var generic map[string]any
		if err := assign("--x", m, reflect.ValueOf(&generic).Elem()); err != nil {
			var pe *ParamError
			if !errors.As(err, &pe) {
				t.Fatalf("assign: %v", err)
			}
		}
	})
}
