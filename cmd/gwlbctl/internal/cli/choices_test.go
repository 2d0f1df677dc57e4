package cli

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/clitest"
	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
)

// TestEveryChoiceFlag walks the command tree: each choice flag lists its
// values in its help, completes them, and refuses another value with a
// usage error naming the flag and the values. The flags that take a
// choice are all declared so.
func TestEveryChoiceFlag(t *testing.T) {
	e := clitest.New(t)
	root := NewCmdRoot(e.Factory)
	found := map[string]bool{}
	var walk func(cmd *cobra.Command)
	walk = func(cmd *cobra.Command) {
		flags := cmd.LocalNonPersistentFlags()
		if cmd == root {
			flags = cmd.PersistentFlags()
		}
		flags.VisitAll(func(f *pflag.Flag) {
			choices := cmdutil.Choices(f)
			if choices == nil {
				return
			}
			found[f.Name] = true
			name := strings.TrimPrefix(cmd.CommandPath()+" --"+f.Name, "gwlbctl ")
			if !strings.Contains(f.Usage, strings.Join(choices, "|")) {
				t.Errorf("%s: help %q does not list %q", name, f.Usage, choices)
			}
			comp, ok := cmd.GetFlagCompletionFunc(f.Name)
			if !ok {
				t.Errorf("%s: no completion", name)
			} else if got, _ := comp(cmd, nil, ""); !slices.Equal(got, choices) {
				t.Errorf("%s: completes %q, want %q", name, got, choices)
			}
			args := strings.Fields(strings.TrimPrefix(cmd.CommandPath(), "gwlbctl"))
			if cmd == root {
				args = []string{"elbv2", "describe-load-balancers"}
			}
			args = append(args, "--"+f.Name+"=not-a-choice")
			e.Err.Reset()
			code := Run(context.Background(), e.Factory, args)
			want := `argument --` + f.Name + `: Invalid choice "not-a-choice", valid choices are: ` + strings.Join(choices, " | ")
			if code != cmdutil.ExitUsage || !strings.Contains(e.Err.String(), want) {
				t.Errorf("%s not-a-choice: exit %d, stderr %q; want %d and %q", name, code, e.Err.String(), cmdutil.ExitUsage, want)
			}
		})
		for _, c := range cmd.Commands() {
			walk(c)
		}
	}
	walk(root)
	for _, name := range []string{"output", "type", "ip-address-type", "protocol", "target-type", "health-check-protocol", "vpc-endpoint-type", "instance-tenancy", "generate-cli-skeleton"} {
		if !found[name] {
			t.Errorf("--%s is not declared as a choice flag", name)
		}
	}
}
