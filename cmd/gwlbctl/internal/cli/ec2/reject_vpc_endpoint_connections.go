package ec2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// NewCmdRejectVpcEndpointConnections returns `ec2 reject-vpc-endpoint-connections`.
func NewCmdRejectVpcEndpointConnections(f *cmdutil.Factory, runF func(*VpcEndpointConnectionsOptions) error) *cobra.Command {
	return newConnectionsCmd(f, runF, "reject-vpc-endpoint-connections", "RejectVpcEndpointConnections",
		"Reject endpoints: they become rejected and pass no traffic",
		(*control.State).RejectVpcEndpointConnections)
}
