package cli

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/apiserver"
	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/appliance"
	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/apply"
	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/ec2"
	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/elbv2"
	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/nodes"
	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/serve"
	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/state"
	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/top"
	"github.com/gwlbctl/gwlbctl/control"
)

// commands are gwlbctl's top-level commands. Adding one is one line here.
var commands = []func(*cmdutil.Factory) *cobra.Command{
	elbv2.NewCmdELBv2,
	ec2.NewCmdEC2,
	func(f *cmdutil.Factory) *cobra.Command { return apply.NewCmdApply(f, nil) },
	func(f *cmdutil.Factory) *cobra.Command { return serve.NewCmdServe(f, nil) },
	func(f *cmdutil.Factory) *cobra.Command { return appliance.NewCmdAppliance(f, nil) },
	func(f *cmdutil.Factory) *cobra.Command { return top.NewCmdTop(f, nil) },
	func(f *cmdutil.Factory) *cobra.Command { return apiserver.NewCmdAPIServer(f, nil) },
	state.NewCmdState,
	func(f *cmdutil.Factory) *cobra.Command { return nodes.NewCmdNodes(f, nil) },
}

// NewCmdRoot builds the command tree.
func NewCmdRoot(f *cmdutil.Factory) *cobra.Command {
	// Let subcommands with their own pre-run hooks (serve) still get the
	// root's configuration loading.
	cobra.EnableTraverseRunHooks = true
	root := &cobra.Command{
		Use:   "gwlbctl <command> <subcommand> [parameters]",
		Short: "A self-hosted AWS Gateway Load Balancer",
		Long: `gwlbctl is a self-hosted AWS Gateway Load Balancer in one binary.

Its control plane speaks the AWS CLI's language: 'gwlbctl elbv2 ...' and
'gwlbctl ec2 ...' take the same verbs, flags and shorthand as 'aws elbv2 ...'
and 'aws ec2 ...', print the same JSON, and keep their state in a local JSON
file. 'gwlbctl apply -f topology.yaml' provisions a whole topology at once.

Settings: flag > environment (GWLBCTL_*) > config file
(~/.config/gwlbctl/config.yaml: state, region, account, output) > default.`,
		Example: `  gwlbctl elbv2 describe-load-balancers --output table
  gwlbctl --state /tmp/gwlb.json apply -f configs/topology.yaml --dry-run`,
		SilenceErrors: true,
		SilenceUsage:  true,
		Args:          cmdutil.NoArgsCommand,
		RunE: func(cmd *cobra.Command, args []string) error {
			return cmd.Help()
		},
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			// Errors are kept and reported by the commands that need the
			// configuration, so help and completion always work.
			if f.LoadConfig != nil {
				_ = f.LoadConfig(cmd)
			}
			return nil
		},
	}
	root.Version = control.BuildVersion()
	root.SetVersionTemplate("gwlbctl {{.Version}}\n")
	root.SetFlagErrorFunc(cmdutil.FlagErrorFunc)
	cmdutil.AddGlobalFlags(root)
	for _, newCmd := range commands {
		root.AddCommand(newCmd(f))
	}
	return root
}
