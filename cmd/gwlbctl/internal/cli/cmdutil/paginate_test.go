package cmdutil

import (
	"encoding/base64"
	"testing"
)

// TestResumeTokenFormat: the NextToken is what botocore's TokenEncoder
// writes for the same dict (base64 of json.dumps), and decodes back.
func TestResumeTokenFormat(t *testing.T) {
	n := 3
	for _, c := range []struct {
		tok  resumeToken
		json string
	}{
		{resumeToken{service: "abc"}, `{"NextToken": "abc"}`},
		{resumeToken{service: "abc", truncate: &n}, `{"NextToken": "abc", "boto_truncate_amount": 3}`},
		{resumeToken{truncate: &n}, `{"NextToken": null, "boto_truncate_amount": 3}`},
	} {
		enc := c.tok.encode("NextToken")
		raw, _ := base64.StdEncoding.DecodeString(enc)
		if string(raw) != c.json {
			t.Errorf("%+v encodes %s, want %s", c.tok, raw, c.json)
		}
		back, trunc, err := decodeStartingToken(enc, "NextToken")
		want := 0
		if c.tok.truncate != nil {
			want = *c.tok.truncate
		}
		if err != nil || back.service != c.tok.service || trunc != want {
			t.Errorf("%s decodes to %+v %d %v", raw, back, trunc, err)
		}
	}
	for _, bad := range []string{"", "!!!", base64.StdEncoding.EncodeToString([]byte(`{"Marker": "x"}`)), base64.StdEncoding.EncodeToString([]byte(`{"NextToken": 5}`)),
		base64.StdEncoding.EncodeToString([]byte(`{"NextToken": "x", "boto_truncate_amount": -1}`))} {
		if _, _, err := decodeStartingToken(bad, "NextToken"); err == nil || ExitCode(err) != ExitUsage {
			t.Errorf("token %q: %v", bad, err)
		}
	}
}

// FuzzStartingToken: any --starting-token decodes or is a usage error,
// never a panic; what decodes encodes back to a token that decodes the same.
func FuzzStartingToken(f *testing.F) {
	f.Add("eyJOZXh0VG9rZW4iOiBudWxsLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAxfQ==")
	f.Add("eyJOZXh0VG9rZW4iOiAiYWJjIn0=")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		tok, n, err := decodeStartingToken(s, "NextToken")
		if err != nil {
			if ExitCode(err) != ExitUsage {
				t.Fatalf("%q: %v is not a usage error", s, err)
			}
			return
		}
		again, m, err := decodeStartingToken(resumeToken{service: tok.service, truncate: &n}.encode("NextToken"), "NextToken")
		if err != nil || again.service != tok.service || m != n {
			t.Fatalf("%q: round trip %+v %d %v", s, again, m, err)
		}
	})
}
