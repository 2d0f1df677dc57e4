package elbv2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// DescribeListenerAttributesOptions are the inputs of
// `elbv2 describe-listener-attributes`.
type DescribeListenerAttributesOptions struct {
	cmdutil.Op
	Input control.DescribeListenerAttributesInput
}

// NewCmdDescribeListenerAttributes returns `elbv2 describe-listener-attributes`.
func NewCmdDescribeListenerAttributes(f *cmdutil.Factory, runF func(*DescribeListenerAttributesOptions) error) *cobra.Command {
	opts := &DescribeListenerAttributesOptions{Op: f.Op()}
	cmd := &cobra.Command{
		Use:     "describe-listener-attributes",
		Short:   "Show a listener's attributes (tcp.idle_timeout.seconds)",
		Example: `  gwlbctl elbv2 describe-listener-attributes --listener-arn ` + exListener,
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.Require(cmd, "listener-arn"); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "DescribeListenerAttributes", false, (*control.State).DescribeListenerAttributes, opts.Input)
		},
	}
	cmd.Flags().StringVar(&opts.Input.ListenerArn, "listener-arn", "", "listener ARN")
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
