// Package awsoracle runs the AWS CLI v2's own output formatter (Debian's
// awscli package, through cmd/gwlbctl/testdata/awscli_format.py) on a
// response, so tests can compare gwlbctl's output with the real CLI's byte
// for byte. It is for tests only.
package awsoracle

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// Request is one formatting job: what `aws` prints for Response (or for
// the pages Paginate fetches) with --output Format and --query Query on a
// terminal Width columns wide.
type Request struct {
	Service   string    `json:"service,omitempty"`
	Operation string    `json:"operation"`
	Format    string    `json:"format"`
	Query     string    `json:"query,omitempty"`
	Width     int       `json:"width,omitempty"`
	Response  any       `json:"response,omitempty"`
	Paginate  *Paginate `json:"paginate,omitempty"`
}

// Paginate makes the AWS CLI's paginator fetch the pages by running Argv
// (with Env) once per service call, adding --cli-input-json with the
// call's parameters and --output json.
type Paginate struct {
	Argv          []string       `json:"argv"`
	Params        map[string]any `json:"params,omitempty"`
	MaxItems      *int           `json:"max_items,omitempty"`
	PageSize      *int           `json:"page_size,omitempty"`
	StartingToken string         `json:"starting_token,omitempty"`
}

// Result is what the AWS CLI printed, and the exception it raised if any.
type Result struct {
	Stdout string `json:"stdout"`
	Error  string `json:"error,omitempty"`
}

var (
	once      sync.Once
	python    string
	skipWhy   string
	scriptDir string
)

// Python returns the interpreter that has the AWS CLI v2 installed, or
// skips t saying why there is none (`make deps` installs awscli).
func Python(t testing.TB) string {
	t.Helper()
	once.Do(func() {
		_, file, _, _ := runtime.Caller(0)
		scriptDir = filepath.Join(filepath.Dir(file), "..", "..", "..", "testdata")
		var tried []string
		for _, p := range []string{"/usr/bin/python3", "python3"} {
			path, err := exec.LookPath(p)
			if err != nil {
				continue
			}
			out, err := exec.Command(path, "-c", "import awscli, awscli.formatter; print(awscli.__version__)").Output()
			v := strings.TrimSpace(string(out))
			if err == nil && (strings.HasPrefix(v, "2.") || strings.Contains(v, "dev")) {
				python = path
				return
			}
			tried = append(tried, path+" ("+strings.TrimSpace(v+" "+errString(err))+")")
		}
		skipWhy = "the AWS CLI v2 (Debian package awscli) is not installed for any python3 (tried " + strings.Join(tried, ", ") + "); run make deps"
	})
	if python == "" {
		t.Skip(skipWhy)
	}
	return python
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// Format runs every request through the AWS CLI's formatter in one Python
// process and returns the results in order.
func Format(t testing.TB, reqs []Request) []Result {
	t.Helper()
	py := Python(t)
	in, err := json.Marshal(reqs)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, filepath.Join(scriptDir, "awscli_format.py"))
	cmd.Stdin = bytes.NewReader(in)
	cmd.Env = append(os.Environ(), "PYTHONIOENCODING=utf-8", "LC_ALL=C.UTF-8")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("awscli_format.py: %v\n%s", err, stderr.String())
	}
	var res []Result
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("awscli_format.py output: %v\n%s", err, out)
	}
	if len(res) != len(reqs) {
		t.Fatalf("awscli_format.py: %d results for %d requests", len(res), len(reqs))
	}
	return res
}
