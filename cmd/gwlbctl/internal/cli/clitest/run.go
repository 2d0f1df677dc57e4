package clitest

import (
	"bytes"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// Verb adapts a NewCmdX(f, runF) constructor to build the real command.
func Verb[O any](newCmd func(*cmdutil.Factory, func(*O) error) *cobra.Command) func(*cmdutil.Factory) *cobra.Command {
	return func(f *cmdutil.Factory) *cobra.Command { return newCmd(f, nil) }
}

// RunCase is one run test: a verb executed against the seeded state file.
type RunCase struct {
	Name string
	// Prepare, when set, changes the seeded state before the command runs
	// (and before the snapshot an error case compares against).
	Prepare func(t *testing.T, e *Env, fx *Fixture)
	Cmd     func(*cmdutil.Factory) *cobra.Command
	Args    func(Fixture) []string
	Query   string // --query, applied by the configuration
	// ErrCode, when set, is the AWS error code the command must fail with;
	// the state file must then be byte-for-byte unchanged.
	ErrCode string
	Check   func(t *testing.T, e *Env, fx Fixture)
}

// Do runs a control operation on the Env's state file (for Prepare).
func (e *Env) Do(fn func(s *control.State, env control.Env) error) {
	e.T.Helper()
	env := e.Config.Env()
	env.Now = func() time.Time { return Now }
	if _, err := e.Store.Update(func(s *control.State) error { return fn(s, env) }); err != nil {
		e.T.Fatalf("prepare: %v", err)
	}
}

// RunTests executes each case on a freshly seeded state file.
func RunTests(t *testing.T, cases []RunCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			e := New(t)
			fx := e.Seed()
			if tc.Prepare != nil {
				tc.Prepare(t, e, &fx)
			}
			e.Config.Query = tc.Query
			before := e.StateBytes()
			err := e.Run(tc.Cmd, tc.Args(fx)...)
			if tc.ErrCode != "" {
				if got := control.ErrorCode(err); got != tc.ErrCode {
					t.Fatalf("err = %v, want AWS error code %s", err, tc.ErrCode)
				}
				if cmdutil.ExitCode(err) != cmdutil.ExitService {
					t.Fatalf("exit code %d, want %d", cmdutil.ExitCode(err), cmdutil.ExitService)
				}
				if after := e.StateBytes(); !bytes.Equal(before, after) {
					t.Fatal("the failed command changed the state file")
				}
				return
			}
			if err != nil {
				t.Fatalf("%v\nstderr: %s", err, e.Err.String())
			}
			if tc.Check != nil {
				tc.Check(t, e, fx)
			}
		})
	}
}
