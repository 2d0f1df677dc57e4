package output

import (
	"bytes"
	"encoding/json"
	"strings"

	"testing"
)

// FuzzRender: any JSON document renders in every format without a panic,
// failing only where the AWS CLI's formatter fails too (a table row of
// another length than its section's, a text list mixing objects with
// other values), and the json format round-trips to the same value.
func FuzzRender(f *testing.F) {
	for _, s := range []string{`{}`, `[]`, `null`, `"x"`, `1.5`, `{"A":[{"B":1},{"C":[true,null]}]}`, `[[1,2],[3]]`, `{"Key":"k","Value":"v"}`, `{"a":{"b":{"c":[]}}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		if !json.Valid(doc) {
			return
		}
		var v any
		if err := json.Unmarshal(doc, &v); err != nil {
			return
		}
		for _, format := range Formats {
			var buf bytes.Buffer
			if err := Render(&buf, Options{Format: format, Title: "Op", Width: 80}, json.RawMessage(doc)); err != nil {
				if msg := err.Error(); !strings.HasPrefix(msg, "Row should have") && !strings.HasSuffix(msg, "object has no attribute 'items'") &&
					!strings.HasPrefix(msg, "table output: a list mixes") {
					t.Fatalf("%s: %v", format, err)
				}
				continue
			}
			if format == "json" && buf.Len() > 0 {
				var back any
				if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
					t.Fatalf("json output does not parse: %v\n%s", err, buf.String())
				}
				a, _ := json.Marshal(v)
				b, _ := json.Marshal(back)
				if !bytes.Equal(a, b) {
					t.Fatalf("json round trip:\n%s\n%s", a, b)
				}
			}
		}
	})
}

// FuzzQuery: any expression compiles or is refused without a panic; an
// expression go-jmespath accepts as it is (no backtick literal to rewrite)
// stays accepted; and a compiled query runs on a response without a
// panic, its objects keeping keys that exist in the result.
func FuzzQuery(f *testing.F) {
	for _, s := range []string{"Vpcs[?State==`available`].VpcId", "Tags[?Key==`Name`].Value | [0]", "{b: a, a: b}", "`[1, 2]`", "keys(@)",
		"`\\``", "'raw'", `"quoted id"`, "a[?b=='`']", "{\"k\": x, y: `z`}", "`  lead`", "`{\"a\":1}`"} {
		f.Add(s)
	}
	doc := json.RawMessage(`{"Vpcs":[{"VpcId":"v","State":"available","Tags":[{"Key":"Name","Value":"n"}]}],"a":1,"b":[2]}`)
	f.Fuzz(func(t *testing.T, expr string) {
		_ = hashKeyLists(expr)
		q, err := CompileQuery(expr)
		if _, orig := compileJMESPath(expr); orig == nil && !strings.Contains(expr, "`") && err != nil {
			t.Fatalf("%q compiles in go-jmespath but not here: %v", expr, err)
		}
		if err != nil {
			return
		}
		data, _ := ordered(doc)
		res, err := q.Search(data)
		if err != nil {
			return
		}
		var check func(v any)
		check = func(v any) {
			switch x := v.(type) {
			case *Map:
				if len(x.Keys) != len(x.Values) {
					t.Fatalf("object keys %v do not match its values", x.Keys)
				}
				for _, k := range x.Keys {
					check(x.Values[k])
				}
			case []any:
				for _, e := range x {
					check(e)
				}
			}
		}
		check(res)
	})
}
