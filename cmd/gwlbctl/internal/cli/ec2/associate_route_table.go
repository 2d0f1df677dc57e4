package ec2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// AssociateRouteTableOptions are the inputs of `ec2 associate-route-table`.
type AssociateRouteTableOptions struct {
	cmdutil.Op
	Input control.AssociateRouteTableInput
}

// NewCmdAssociateRouteTable returns `ec2 associate-route-table`.
func NewCmdAssociateRouteTable(f *cmdutil.Factory, runF func(*AssociateRouteTableOptions) error) *cobra.Command {
	opts := &AssociateRouteTableOptions{Op: f.Op()}
	cmd := &cobra.Command{
		Use:   "associate-route-table",
		Short: "Associate a route table with a subnet, or with an internet gateway (edge association)",
		Example: `  gwlbctl ec2 associate-route-table --route-table-id ` + exRouteTable + ` --subnet-id ` + exSubnet + `
  gwlbctl ec2 associate-route-table --route-table-id ` + exRouteTable + ` --gateway-id ` + exGateway,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.Require(cmd, "route-table-id"); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "AssociateRouteTable", true, (*control.State).AssociateRouteTable, opts.Input)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Input.RouteTableId, "route-table-id", "", "route table ID")
	fl.StringVar(&opts.Input.SubnetId, "subnet-id", "", "subnet to associate")
	fl.StringVar(&opts.Input.GatewayId, "gateway-id", "", "internet gateway to associate (an edge association: ingress routing)")
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
