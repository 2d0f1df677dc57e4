package elbv2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// DeleteListenerOptions are the inputs of `elbv2 delete-listener`.
type DeleteListenerOptions struct {
	cmdutil.Op
	Input control.DeleteListenerInput
}

// NewCmdDeleteListener returns `elbv2 delete-listener`.
func NewCmdDeleteListener(f *cmdutil.Factory, runF func(*DeleteListenerOptions) error) *cobra.Command {
	opts := &DeleteListenerOptions{Op: f.Op()}
	cmd := &cobra.Command{
		Use:     "delete-listener",
		Short:   "Delete a listener",
		Example: `  gwlbctl elbv2 delete-listener --listener-arn ` + exListener,
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.Require(cmd, "listener-arn"); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "DeleteListener", true, (*control.State).DeleteListener, opts.Input)
		},
	}
	cmd.Flags().StringVar(&opts.Input.ListenerArn, "listener-arn", "", "listener ARN")
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
