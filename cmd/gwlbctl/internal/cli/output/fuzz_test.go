package output

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzRender: any JSON document renders in every format without error or
// panic, and the json format round-trips to the same value.
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
		for _, format := range []string{"json", "yaml", "text", "table"} {
			var buf bytes.Buffer
			if err := Render(&buf, Options{Format: format, Title: "Op", Width: 80}, json.RawMessage(doc)); err != nil {
				t.Fatalf("%s: %v", format, err)
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
