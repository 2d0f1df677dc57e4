package clienttest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/gwlbctl/gwlbctl/control/awsapi/internal/pyclient"
)

// awsapiDir is control/awsapi, whose testdata holds the Python checks.
const awsapiDir = ".."

// checkWithBotocore parses every recorded response with botocore's own
// parser for the operation, and validates what it parsed against the
// service model's output shape (required members, types, constraints);
// error responses must yield their code.
func checkWithBotocore(t *testing.T, xs []exchange) {
	t.Helper()
	pyclient.Need(t, false)
	f := filepath.Join(t.TempDir(), "exchanges.jsonl")
	out, err := os.Create(f)
	if err != nil {
		t.Fatal(err)
	}
	enc := json.NewEncoder(out)
	for _, x := range xs {
		if x.Service == "" || x.Operation == "" {
			continue
		}
		if err := enc.Encode(x); err != nil {
			t.Fatal(err)
		}
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := pyclient.Command(t, awsapiDir, "botocore_check.py", f).CombinedOutput()
	t.Logf("botocore check:\n%s", b)
	if err != nil {
		t.Fatalf("botocore check failed: %v", err)
	}
}
