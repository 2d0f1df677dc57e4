// Package pyclient runs the Python checks of control/awsapi's tests
// (control/awsapi/testdata/*.py) with Debian's python3 and its botocore
// and boto3, the real clients whose parsers, serializers and paginators
// the tests hold the API to.
package pyclient

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Python is Debian's python3, the one python3-boto3 and python3-botocore
// install into (make deps).
const Python = "/usr/bin/python3"

// Need skips the test, saying why, unless Debian's python3 with botocore
// (and boto3 when boto3 is set) is installed.
func Need(t testing.TB, boto3 bool) {
	t.Helper()
	mods := "botocore"
	if boto3 {
		mods = "boto3, botocore"
	}
	if _, err := os.Stat(Python); err != nil {
		t.Skipf("skipped: %s not found (install python3-boto3 and python3-botocore: make deps)", Python)
	}
	if out, err := exec.Command(Python, "-c", "import "+mods).CombinedOutput(); err != nil {
		t.Skipf("skipped: %s cannot import %s (install python3-boto3 and python3-botocore: make deps): %s", Python, mods, out)
	}
}

// Command is the command running script (a file of control/awsapi's
// testdata) with args and the --supplement directory every script takes.
// awsapiDir is the control/awsapi directory, relative to the test's
// working directory. The environment holds none of the developer's AWS or
// Python settings and files, and no bytecode is written to the tree.
func Command(t testing.TB, awsapiDir, script string, args ...string) *exec.Cmd {
	t.Helper()
	all := append([]string{"-B", filepath.Join(awsapiDir, "testdata", script),
		"--supplement", filepath.Join(awsapiDir, "internal", "modelgen", "supplement")}, args...)
	cmd := exec.Command(Python, all...)
	home := t.TempDir()
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "AWS_") || strings.HasPrefix(kv, "HOME=") || strings.HasPrefix(kv, "PYTHON") {
			continue
		}
		env = append(env, kv)
	}
	cmd.Env = append(env, "HOME="+home, "AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE="+filepath.Join(home, "config"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(home, "credentials"))
	return cmd
}
