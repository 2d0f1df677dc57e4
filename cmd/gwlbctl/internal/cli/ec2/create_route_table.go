package ec2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// CreateRouteTableOptions are the inputs of `ec2 create-route-table`.
type CreateRouteTableOptions struct {
	cmdutil.Op
	Input control.CreateRouteTableInput
}

// NewCmdCreateRouteTable returns `ec2 create-route-table`.
func NewCmdCreateRouteTable(f *cmdutil.Factory, runF func(*CreateRouteTableOptions) error) *cobra.Command {
	opts := &CreateRouteTableOptions{Op: f.Op()}
	var tag_specifications []string
	cmd := &cobra.Command{
		Use:     "create-route-table",
		Short:   "Create a route table in a VPC, with the VPC's local route",
		Example: `  gwlbctl ec2 create-route-table --vpc-id ` + exVpc + ` --query RouteTable.RouteTableId --output text`,
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.Require(cmd, "vpc-id"); err != nil {
				return err
			}
			if err := cmdutil.DecodeList(cmd.Flags(), "tag-specifications", tag_specifications, &opts.Input.TagSpecifications); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "CreateRouteTable", true, (*control.State).CreateRouteTable, opts.Input)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Input.VpcId, "vpc-id", "", "VPC ID")
	fl.StringVar(&opts.Input.ClientToken, "client-token", "", "idempotency token")
	cmdutil.ListFlag(cmd, &tag_specifications, "tag-specifications", "ResourceType=route-table,Tags=[{Key=k,Value=v}]")
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
