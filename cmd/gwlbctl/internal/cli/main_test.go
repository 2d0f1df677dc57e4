package cli

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets the test binary run as the real command line: testscript
// installs it on PATH as `gwlbctl` (and as `aws`, for scripts written for
// the AWS CLI), so the end-to-end tests execute real processes.
func TestMain(m *testing.M) {
	os.Exit(testscript.RunMain(m, map[string]func() int{
		"gwlbctl": Main,
		"aws":     Main,
	}))
}
