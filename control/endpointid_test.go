package control

import (
	"errors"
	"math"
	"testing"
)

func TestParseEndpointID(t *testing.T) {
	for s, want := range map[string]uint64{
		"vpce-00000000000000000": 0,
		"vpce-00000000000000abc": 0xabc,
		"vpce-0123456789abcdef0": 0x123456789abcdef0,
		"vpce-0ffffffffffffffff": math.MaxUint64,
	} {
		v, err := ParseEndpointID(s)
		if err != nil || v != want {
			t.Errorf("ParseEndpointID(%s) = %x, %v; want %x", s, v, err, want)
		}
		if back := FormatEndpointID(v); back != s {
			t.Errorf("FormatEndpointID(%x) = %s, want %s", v, back, s)
		}
		if !EndpointIDPattern.MatchString(s) {
			t.Errorf("EndpointIDPattern does not match %s", s)
		}
	}
	for _, s := range []string{"", "vpce-", "vpce-123", "vpce-0123456789ABCDEF0", "vpce-1123456789abcdef0", "vpce-svc-0123456789abcdef",
		"vpcx-0123456789abcdef0", "vpce-0123456789abcdef00", "vpce-0123456789abcdeg0"} {
		if v, err := ParseEndpointID(s); err == nil || !errors.Is(err, ErrEndpointID) {
			t.Errorf("ParseEndpointID(%q) = %x, %v; want ErrEndpointID", s, v, err)
		}
	}
}

// The ids the operations make are ids ParseEndpointID takes.
func TestCreatedEndpointIDsParse(t *testing.T) {
	f := newFixture(t)
	if v, err := ParseEndpointID(f.epID); err != nil || FormatEndpointID(v) != f.epID {
		t.Fatalf("ParseEndpointID(%s) = %x, %v", f.epID, v, err)
	}
}

// FuzzParseEndpointID: an error exactly when the input is not an id the
// pattern matches with a leading 0; otherwise the value formats back to
// the input.
func FuzzParseEndpointID(f *testing.F) {
	for _, s := range []string{"vpce-0123456789abcdef0", "vpce-1123456789abcdef0", "vpce-", "", "vpce-0123456789ABCDEF0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseEndpointID(s)
		valid := EndpointIDPattern.MatchString(s) && s[len(EndpointIDPrefix)] == '0'
		if (err == nil) != valid {
			t.Fatalf("ParseEndpointID(%q) = %x, %v; pattern says valid=%v", s, v, err, valid)
		}
		if err == nil && FormatEndpointID(v) != s {
			t.Fatalf("round trip %q -> %x -> %q", s, v, FormatEndpointID(v))
		}
		if err != nil && v != 0 {
			t.Fatalf("value %x with an error", v)
		}
	})
}

func BenchmarkParseEndpointID(b *testing.B) {
	b.ReportAllocs()
	for range b.N {
		if _, err := ParseEndpointID("vpce-0123456789abcdef0"); err != nil {
			b.Fatal(err)
		}
	}
}
