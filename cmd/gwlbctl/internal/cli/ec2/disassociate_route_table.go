package ec2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// DisassociateRouteTableOptions are the inputs of `ec2 disassociate-route-table`.
type DisassociateRouteTableOptions struct {
	cmdutil.Op
	Input control.DisassociateRouteTableInput
}

// NewCmdDisassociateRouteTable returns `ec2 disassociate-route-table`.
func NewCmdDisassociateRouteTable(f *cmdutil.Factory, runF func(*DisassociateRouteTableOptions) error) *cobra.Command {
	opts := &DisassociateRouteTableOptions{Op: f.Op()}
	cmd := &cobra.Command{
		Use:     "disassociate-route-table",
		Short:   "Remove a route table association (the subnet uses the main table again)",
		Example: `  gwlbctl ec2 disassociate-route-table --association-id rtbassoc-0123456789abcdef0`,
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.Require(cmd, "association-id"); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "DisassociateRouteTable", true, (*control.State).DisassociateRouteTable, opts.Input)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Input.AssociationId, "association-id", "", "association ID (rtbassoc-...)")
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
