package ec2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// DescribeRouteTablesOptions are the inputs of `ec2 describe-route-tables`.
type DescribeRouteTablesOptions struct {
	cmdutil.Op
	Input control.DescribeRouteTablesInput
}

// NewCmdDescribeRouteTables returns `ec2 describe-route-tables`.
func NewCmdDescribeRouteTables(f *cmdutil.Factory, runF func(*DescribeRouteTablesOptions) error) *cobra.Command {
	opts := &DescribeRouteTablesOptions{Op: f.Op()}
	var route_table_ids, filters []string
	cmd := &cobra.Command{
		Use:   "describe-route-tables",
		Short: "List route tables, their routes and associations",
		Example: `  gwlbctl ec2 describe-route-tables --filters Name=vpc-id,Values=` + exVpc + `
  gwlbctl ec2 describe-route-tables --filters Name=association.subnet-id,Values=` + exSubnet + ` \
    --query "RouteTables[0].Routes[?DestinationCidrBlock=='0.0.0.0/0'].GatewayId" --output text`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Input.RouteTableIds, err = cmdutil.DecodeStrings(cmd.Flags(), "route-table-ids", route_table_ids); err != nil {
				return err
			}
			if err := cmdutil.DecodeList(cmd.Flags(), "filters", filters, &opts.Input.Filters); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "DescribeRouteTables", false, (*control.State).DescribeRouteTables, opts.Input)
		},
	}
	cmdutil.ListFlag(cmd, &route_table_ids, "route-table-ids", "route table IDs")
	cmdutil.ListFlag(cmd, &filters, "filters", "filters: Name=<filter>,Values=v1,v2 ... (vpc-id, route-table-id, association.subnet-id, association.gateway-id, association.main, route.vpc-endpoint-id, route.gateway-id, route.destination-cidr-block, tag:<key>, ...)")
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
