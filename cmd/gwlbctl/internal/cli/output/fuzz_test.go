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
