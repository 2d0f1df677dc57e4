package elbv2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// ModifyListenerOptions are the inputs of `elbv2 modify-listener`.
type ModifyListenerOptions struct {
	cmdutil.Op
	Input control.ModifyListenerInput
}

// NewCmdModifyListener returns `elbv2 modify-listener`.
func NewCmdModifyListener(f *cmdutil.Factory, runF func(*ModifyListenerOptions) error) *cobra.Command {
	opts := &ModifyListenerOptions{Op: f.Op()}
	var actions []string
	cmd := &cobra.Command{
		Use:   "modify-listener",
		Short: "Point the listener at another target group",
		Example: `  gwlbctl elbv2 modify-listener --listener-arn ` + exListener + ` \
    --default-actions Type=forward,TargetGroupArn=` + exTG,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.Require(cmd, "listener-arn"); err != nil {
				return err
			}
			if err := cmdutil.DecodeList(cmd.Flags(), "default-actions", actions, &opts.Input.DefaultActions); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "ModifyListener", true, (*control.State).ModifyListener, opts.Input)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Input.ListenerArn, "listener-arn", "", "listener ARN")
	fl.StringVar(&opts.Input.Protocol, "protocol", "", "must not be given for a gateway load balancer")
	cmdutil.IntPtrFlag(cmd, &opts.Input.Port, "port", "must not be given for a gateway load balancer")
	cmdutil.ListFlag(cmd, &actions, "default-actions", "Type=forward,TargetGroupArn=<arn>")
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
