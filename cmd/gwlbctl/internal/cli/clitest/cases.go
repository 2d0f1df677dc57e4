package clitest

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
)

// FlagCase is one row of a verb's flag-parsing table: the command line and
// either the request it must produce or the usage error it must give.
type FlagCase[I any] struct {
	Name    string
	Args    []string
	Want    I
	WantErr string // substring of the usage error; "" means success
}

// FlagTests runs flag-parsing cases against a verb constructor, capturing
// the Options through runF (nothing touches a state file) and comparing the
// request input(opts) with the case's Want.
func FlagTests[O, I any](t *testing.T, newCmd func(*cmdutil.Factory, func(*O) error) *cobra.Command, input func(*O) I, cases []FlagCase[I]) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			e := New(t)
			var got *O
			cmd := newCmd(e.Factory, func(o *O) error { got = o; return nil })
			err := Exec(cmd, tc.Args...)
			if tc.WantErr != "" {
				var fe *cmdutil.FlagError
				if !errors.As(err, &fe) {
					t.Fatalf("args %q: err = %v (%T), want a usage error containing %q", tc.Args, err, err, tc.WantErr)
				}
				if !strings.Contains(err.Error(), tc.WantErr) {
					t.Fatalf("args %q: err = %q, want it to contain %q", tc.Args, err, tc.WantErr)
				}
				if cmdutil.ExitCode(err) != cmdutil.ExitUsage {
					t.Fatalf("exit code %d, want %d", cmdutil.ExitCode(err), cmdutil.ExitUsage)
				}
				if e.StateBytes() != nil {
					t.Fatal("a usage error created the state file")
				}
				return
			}
			if err != nil {
				t.Fatalf("args %q: %v", tc.Args, err)
			}
			if got == nil {
				t.Fatal("run function not called")
			}
			if in := input(got); !reflect.DeepEqual(in, tc.Want) {
				t.Errorf("args %q:\n got %+v\nwant %+v", tc.Args, in, tc.Want)
			}
		})
	}
}

// Ptr returns a pointer to v (for optional request fields).
func Ptr[T any](v T) *T { return &v }
