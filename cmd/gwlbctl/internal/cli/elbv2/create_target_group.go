package elbv2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// CreateTargetGroupOptions are the inputs of `elbv2 create-target-group`.
type CreateTargetGroupOptions struct {
	cmdutil.Op
	Input control.CreateTargetGroupInput
}

// NewCmdCreateTargetGroup returns `elbv2 create-target-group`.
func NewCmdCreateTargetGroup(f *cmdutil.Factory, runF func(*CreateTargetGroupOptions) error) *cobra.Command {
	opts := &CreateTargetGroupOptions{Op: f.Op()}
	var hc healthCheckFlags
	var tags []string
	cmd := &cobra.Command{
		Use:   "create-target-group",
		Short: "Create a GENEVE target group for appliances",
		Long: `Creates a target group for a gateway load balancer: protocol GENEVE, port
6081, target type instance or ip (fixed at creation), health checks TCP
(default), HTTP or HTTPS with GWLB's ranges and defaults.`,
		Example: `  gwlbctl elbv2 create-target-group --name my-appliances --protocol GENEVE --port 6081 \
    --vpc-id vpc-0123456789abcdef0 --target-type ip

  gwlbctl elbv2 create-target-group --name my-appliances --protocol GENEVE --port 6081 \
    --vpc-id vpc-0123456789abcdef0 --health-check-protocol HTTP --health-check-port 80 \
    --health-check-path /healthz --health-check-interval-seconds 10 --matcher HttpCode=200-399`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.Require(cmd, "name"); err != nil {
				return err
			}
			if err := hc.parse(cmd); err != nil {
				return err
			}
			if err := cmdutil.DecodeList(cmd.Flags(), "tags", tags, &opts.Input.Tags); err != nil {
				return err
			}
			in := &opts.Input
			in.HealthCheckProtocol, in.HealthCheckPort, in.HealthCheckPath = hc.Protocol, hc.Port, hc.Path
			in.HealthCheckEnabled, in.Matcher = hc.Enabled, hc.Matcher
			in.HealthCheckIntervalSeconds, in.HealthCheckTimeoutSeconds = hc.Interval, hc.Timeout
			in.HealthyThresholdCount, in.UnhealthyThresholdCount = hc.HealthyCount, hc.Unhealthy
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "CreateTargetGroup", true, (*control.State).CreateTargetGroup, opts.Input)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Input.Name, "name", "", "target group name: 1-32 letters, digits and hyphens")
	cmdutil.EnumFlag(cmd, &opts.Input.Protocol, "protocol", "", "target protocol", control.TargetGroupProtocols...)
	fl.StringVar(&opts.Input.ProtocolVersion, "protocol-version", "", "not used by GENEVE target groups")
	cmdutil.IntPtrFlag(cmd, &opts.Input.Port, "port", "GENEVE port: 6081")
	fl.StringVar(&opts.Input.VpcId, "vpc-id", "", "VPC of the targets")
	cmdutil.EnumFlag(cmd, &opts.Input.TargetType, "target-type", "", "target type, fixed at creation (default instance)", control.TargetTypes...)
	cmdutil.EnumFlag(cmd, &opts.Input.IpAddressType, "ip-address-type", "", "IP address type of the targets (default ipv4; Geneve to targets is IPv4)", control.TargetGroupIPAddressTypes...)
	cmdutil.ListFlag(cmd, &tags, "tags", "tags: Key=k,Value=v ...")
	hc.add(cmd)
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
