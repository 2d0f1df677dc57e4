package orderedjson

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestRoundTripKeepsOrder(t *testing.T) {
	in := []byte(`{"z":1,"a":{"y":[true,null,"s",{"b":2,"a":1}],"x":1.50},"m":[]}`)
	v, err := Decode(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, in) {
		t.Fatalf("round trip:\n got %s\nwant %s", out, in)
	}
	o := v.(*Object)
	if got := o.Keys; len(got) != 3 || got[0] != "z" || got[1] != "a" || got[2] != "m" {
		t.Fatalf("keys %v", got)
	}
}

func TestSetAndDuplicates(t *testing.T) {
	o := New()
	o.Set("b", 1)
	o.Set("a", 2)
	o.Set("b", 3)
	if b, _ := json.Marshal(o); string(b) != `{"b":3,"a":2}` {
		t.Fatalf("got %s", b)
	}
	v, err := Decode([]byte(`{"k":1,"j":2,"k":3}`))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(v); string(b) != `{"k":3,"j":2}` {
		t.Fatalf("duplicate member: got %s", b)
	}
}

func TestDecodeRefusesBadInput(t *testing.T) {
	for _, in := range []string{``, `{`, `{"a":}`, `[1,]`, `{} {}`, `{"a":1}x`} {
		if _, err := Decode([]byte(in)); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"b":1,"a":[1,2,{"c":null}]}`, `[]`, `"x"`, `1e3`, `{"a":{"a":{}}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := Decode(b)
		if err != nil {
			return
		}
		out, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("%q decoded but does not encode: %v", b, err)
		}
		v2, err := Decode(out)
		if err != nil {
			t.Fatalf("%q: own encoding %q does not decode: %v", b, out, err)
		}
		out2, _ := json.Marshal(v2)
		if !bytes.Equal(out, out2) {
			t.Fatalf("%q: not stable: %s then %s", b, out, out2)
		}
	})
}
