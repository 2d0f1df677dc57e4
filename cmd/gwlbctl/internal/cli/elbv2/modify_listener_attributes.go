package elbv2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// ModifyListenerAttributesOptions are the inputs of
// `elbv2 modify-listener-attributes`.
type ModifyListenerAttributesOptions struct {
	cmdutil.Op
	Input control.ModifyListenerAttributesInput
}

// NewCmdModifyListenerAttributes returns `elbv2 modify-listener-attributes`.
func NewCmdModifyListenerAttributes(f *cmdutil.Factory, runF func(*ModifyListenerAttributesOptions) error) *cobra.Command {
	opts := &ModifyListenerAttributesOptions{Op: f.Op()}
	var attrs []string
	cmd := &cobra.Command{
		Use:   "modify-listener-attributes",
		Short: "Set listener attributes: tcp.idle_timeout.seconds (60-6000, default 350)",
		Example: `  gwlbctl elbv2 modify-listener-attributes --listener-arn ` + exListener + ` \
    --attributes Key=tcp.idle_timeout.seconds,Value=600`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.Require(cmd, "listener-arn", "attributes"); err != nil {
				return err
			}
			if err := cmdutil.DecodeList(cmd.Flags(), "attributes", attrs, &opts.Input.Attributes); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "ModifyListenerAttributes", true, (*control.State).ModifyListenerAttributes, opts.Input)
		},
	}
	cmd.Flags().StringVar(&opts.Input.ListenerArn, "listener-arn", "", "listener ARN")
	cmdutil.ListFlag(cmd, &attrs, "attributes", "attributes: Key=name,Value=value ...")
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
