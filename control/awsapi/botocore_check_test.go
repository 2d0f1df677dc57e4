package awsapi

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// debianPython is Debian's python3, the one python3-boto3 and
// python3-botocore install into (make deps).
const debianPython = "/usr/bin/python3"

// needBotocore skips the test, saying why, unless Debian's python3 with
// botocore (and boto3 when boto3 is set) is installed.
func needBotocore(t *testing.T, boto3 bool) {
	t.Helper()
	mods := "botocore"
	if boto3 {
		mods = "boto3, botocore"
	}
	if _, err := os.Stat(debianPython); err != nil {
		t.Skipf("skipped: %s not found (install python3-boto3 and python3-botocore: make deps)", debianPython)
	}
	if out, err := exec.Command(debianPython, "-c", "import "+mods).CombinedOutput(); err != nil {
		t.Skipf("skipped: %s cannot import %s (install python3-boto3 and python3-botocore: make deps): %s", debianPython, mods, out)
	}
}

// checkWithBotocore parses every recorded response with botocore's own
// parser for the operation, and validates what it parsed against the
// service model's output shape (required members, types, constraints);
// error responses must yield their code.
func checkWithBotocore(t *testing.T, xs []exchange) {
	t.Helper()
	needBotocore(t, false)
	dir := t.TempDir()
	f := filepath.Join(dir, "exchanges.jsonl")
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
	out.Close()
	cmd := exec.Command(debianPython, filepath.Join("testdata", "botocore_check.py"), "--supplement", filepath.Join("internal", "modelgen", "supplement"), f)
	b, err := cmd.CombinedOutput()
	t.Logf("botocore check:\n%s", b)
	if err != nil {
		t.Fatalf("botocore check failed: %v", err)
	}
}
