package elbv2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// CreateListenerOptions are the inputs of `elbv2 create-listener`.
type CreateListenerOptions struct {
	cmdutil.Op
	Input control.CreateListenerInput
}

// NewCmdCreateListener returns `elbv2 create-listener`.
func NewCmdCreateListener(f *cmdutil.Factory, runF func(*CreateListenerOptions) error) *cobra.Command {
	opts := &CreateListenerOptions{Op: f.Op()}
	var actions, tags []string
	cmd := &cobra.Command{
		Use:   "create-listener",
		Short: "Create the load balancer's listener: forward everything to a target group",
		Long: `Creates the listener of a gateway load balancer. It has no port or protocol
and one default action, forward to a GENEVE target group. A load balancer
has at most one listener (a second gives DuplicateListener).`,
		Example: `  gwlbctl elbv2 create-listener --load-balancer-arn ` + exLB + ` \
    --default-actions Type=forward,TargetGroupArn=` + exTG,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.Require(cmd, "load-balancer-arn", "default-actions"); err != nil {
				return err
			}
			if err := cmdutil.DecodeList(cmd.Flags(), "default-actions", actions, &opts.Input.DefaultActions); err != nil {
				return err
			}
			if err := cmdutil.DecodeList(cmd.Flags(), "tags", tags, &opts.Input.Tags); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "CreateListener", true, (*control.State).CreateListener, opts.Input)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Input.LoadBalancerArn, "load-balancer-arn", "", "load balancer ARN")
	fl.StringVar(&opts.Input.Protocol, "protocol", "", "must not be given for a gateway load balancer")
	cmdutil.IntPtrFlag(cmd, &opts.Input.Port, "port", "must not be given for a gateway load balancer")
	cmdutil.ListFlag(cmd, &actions, "default-actions", "Type=forward,TargetGroupArn=<arn>")
	cmdutil.ListFlag(cmd, &tags, "tags", "tags: Key=k,Value=v ...")
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
