package ec2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// ReplaceRouteTableAssociationOptions are the inputs of `ec2 replace-route-table-association`.
type ReplaceRouteTableAssociationOptions struct {
	cmdutil.Op
	Input control.ReplaceRouteTableAssociationInput
}

// NewCmdReplaceRouteTableAssociation returns `ec2 replace-route-table-association`.
func NewCmdReplaceRouteTableAssociation(f *cmdutil.Factory, runF func(*ReplaceRouteTableAssociationOptions) error) *cobra.Command {
	opts := &ReplaceRouteTableAssociationOptions{Op: f.Op()}
	cmd := &cobra.Command{
		Use:     "replace-route-table-association",
		Short:   "Move an association (a subnet's, a gateway's or the main one) to another route table",
		Example: `  gwlbctl ec2 replace-route-table-association --association-id rtbassoc-0123456789abcdef0 --route-table-id ` + exRouteTable,
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.Require(cmd, "association-id", "route-table-id"); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "ReplaceRouteTableAssociation", true, (*control.State).ReplaceRouteTableAssociation, opts.Input)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Input.AssociationId, "association-id", "", "association ID (rtbassoc-...)")
	fl.StringVar(&opts.Input.RouteTableId, "route-table-id", "", "the route table to associate instead")
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
