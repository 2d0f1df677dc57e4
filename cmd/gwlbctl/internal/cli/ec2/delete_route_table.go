package ec2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// DeleteRouteTableOptions are the inputs of `ec2 delete-route-table`.
type DeleteRouteTableOptions struct {
	cmdutil.Op
	Input control.DeleteRouteTableInput
}

// NewCmdDeleteRouteTable returns `ec2 delete-route-table`.
func NewCmdDeleteRouteTable(f *cmdutil.Factory, runF func(*DeleteRouteTableOptions) error) *cobra.Command {
	opts := &DeleteRouteTableOptions{Op: f.Op()}
	cmd := &cobra.Command{
		Use:     "delete-route-table",
		Short:   "Delete a route table that has no associations",
		Example: `  gwlbctl ec2 delete-route-table --route-table-id ` + exRouteTable,
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.Require(cmd, "route-table-id"); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "DeleteRouteTable", true, (*control.State).DeleteRouteTable, opts.Input)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Input.RouteTableId, "route-table-id", "", "route table ID")
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
