package ec2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// DeleteRouteOptions are the inputs of `ec2 delete-route`.
type DeleteRouteOptions struct {
	cmdutil.Op
	Input control.DeleteRouteInput
}

// NewCmdDeleteRoute returns `ec2 delete-route`.
func NewCmdDeleteRoute(f *cmdutil.Factory, runF func(*DeleteRouteOptions) error) *cobra.Command {
	opts := &DeleteRouteOptions{Op: f.Op()}
	cmd := &cobra.Command{
		Use:     "delete-route",
		Short:   "Remove a route (the local route stays)",
		Example: `  gwlbctl ec2 delete-route --route-table-id ` + exRouteTable + ` --destination-cidr-block 0.0.0.0/0`,
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.Require(cmd, "route-table-id"); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "DeleteRoute", true, (*control.State).DeleteRoute, opts.Input)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Input.RouteTableId, "route-table-id", "", "route table ID")
	fl.StringVar(&opts.Input.DestinationCidrBlock, "destination-cidr-block", "", "the route's IPv4 destination")
	fl.StringVar(&opts.Input.DestinationIpv6CidrBlock, "destination-ipv6-cidr-block", "", "not supported: gwlbctl routes IPv4 destinations")
	fl.StringVar(&opts.Input.DestinationPrefixListId, "destination-prefix-list-id", "", "not supported: gwlbctl routes IPv4 destinations")
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
