package api

import (
	"encoding/base64"
	"testing"
)

func TestCursorRoundTrip(t *testing.T) {
	for _, c := range []FlowCursor{{}, {Worker: 1, Slot: 0}, {Worker: 0, Slot: 1 << 24}, {Worker: 1 << 16, Slot: 1<<64 - 1}} {
		s := encodeCursor(12345, 678, c)
		got, err := decodeCursor(s, 12345, 678)
		if err != nil || got != c {
			t.Errorf("%+v: %q decodes to %+v, %v", c, s, got, err)
		}
		if _, err := decodeCursor(s, 12346, 678); err != errCursorRun {
			t.Errorf("%+v: another run: %v", c, err)
		}
		if _, err := decodeCursor(s, 12345, 679); err != errCursorFilter {
			t.Errorf("%+v: another filter: %v", c, err)
		}
	}
	good := encodeCursor(1, 2, FlowCursor{Worker: 3, Slot: 4})
	raw, _ := base64.RawURLEncoding.DecodeString(good)
	for name, s := range map[string]string{
		"empty":      "",
		"not base64": "!!!",
		"short":      good[:10],
		"flipped":    base64.RawURLEncoding.EncodeToString(append([]byte{raw[0]}, append([]byte{raw[1] ^ 1}, raw[2:]...)...)),
		"version":    base64.RawURLEncoding.EncodeToString(append([]byte{9}, raw[1:]...)),
		"padded":     good + "AA",
	} {
		if _, err := decodeCursor(s, 1, 2); err != errCursorForeign {
			t.Errorf("%s cursor %q: %v", name, s, err)
		}
	}
}

// FuzzDecodeCursor: never a panic; a decoded cursor encodes back to the
// same text.
func FuzzDecodeCursor(f *testing.F) {
	f.Add(encodeCursor(1, 2, FlowCursor{Worker: 1, Slot: 99}))
	f.Add("")
	f.Add("AQ")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := decodeCursor(s, 1, 2)
		if err != nil {
			if c != (FlowCursor{}) {
				t.Fatalf("error %v with cursor %+v", err, c)
			}
			return
		}
		if back := encodeCursor(1, 2, c); back != s {
			t.Fatalf("%q decodes to %+v, which encodes to %q", s, c, back)
		}
	})
}
