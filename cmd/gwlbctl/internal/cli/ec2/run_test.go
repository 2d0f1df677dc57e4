package ec2

import (
	"strings"
	"testing"

	. "github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/clitest"
	"github.com/gwlbctl/gwlbctl/control"
)

func args(a ...string) func(Fixture) []string { return func(Fixture) []string { return a } }

func trimmed(e *Env) string { return strings.TrimSpace(e.Out.String()) }

func TestVerbsRun(t *testing.T) {
	RunTests(t, []RunCase{
		{Name: "create-vpc", Cmd: Verb(NewCmdCreateVpc), Args: args("--cidr-block", "172.16.0.0/16"), Query: "Vpc.CidrBlock",
			Check: func(t *testing.T, e *Env, fx Fixture) {
				if trimmed(e) != `"172.16.0.0/16"` || len(e.State().Vpcs) != 3 {
					t.Errorf("out %s, %d vpcs", trimmed(e), len(e.State().Vpcs))
				}
			}},
		{Name: "create-vpc bad cidr", Cmd: Verb(NewCmdCreateVpc), Args: args("--cidr-block", "10.0.0.0/8"), ErrCode: control.CodeInvalidVpcRange},
		{Name: "describe-vpcs by id", Cmd: Verb(NewCmdDescribeVpcs), Query: "Vpcs[].VpcId",
			Args: func(fx Fixture) []string { return []string{"--vpc-ids", fx.ConsumerVpc} },
			Check: func(t *testing.T, e *Env, fx Fixture) {
				var ids []string
				e.JSON(&ids)
				if len(ids) != 1 || ids[0] != fx.ConsumerVpc {
					t.Errorf("ids %q", ids)
				}
			}},
		{Name: "describe-vpcs unknown", Cmd: Verb(NewCmdDescribeVpcs), Args: args("--vpc-ids", exVpc), ErrCode: control.CodeInvalidVpcIDNotFound},
		{Name: "delete-vpc", Cmd: Verb(NewCmdDeleteVpc),
			Prepare: func(t *testing.T, e *Env, fx *Fixture) {
				e.Do(func(s *control.State, env control.Env) error {
					out, err := s.CreateVpc(env, control.CreateVpcInput{CidrBlock: "172.31.0.0/16"})
					if err == nil {
						fx.Extra = out.Vpc.VpcId
					}
					return err
				})
			},
			Args: func(fx Fixture) []string { return []string{"--vpc-id", fx.Extra} },
			Check: func(t *testing.T, e *Env, fx Fixture) {
				if e.State().Vpc(fx.Extra) != nil || e.Out.Len() != 0 {
					t.Errorf("vpc still there, or output %q", e.Out.String())
				}
			}},
		{Name: "delete-vpc unknown", Cmd: Verb(NewCmdDeleteVpc), Args: args("--vpc-id", exVpc), ErrCode: control.CodeInvalidVpcIDNotFound},
		{Name: "delete-vpc with subnets", Cmd: Verb(NewCmdDeleteVpc),
			Args: func(fx Fixture) []string { return []string{"--vpc-id", fx.ProviderVpc} }, ErrCode: control.CodeDependencyViolation},
		{Name: "create-subnet", Cmd: Verb(NewCmdCreateSubnet), Query: "Subnet.AvailabilityZone",
			Args: func(fx Fixture) []string {
				return []string{"--vpc-id", fx.ProviderVpc, "--cidr-block", "10.0.3.0/24", "--availability-zone", "us-east-1c"}
			},
			Check: func(t *testing.T, e *Env, fx Fixture) {
				if trimmed(e) != `"us-east-1c"` {
					t.Errorf("out %s", trimmed(e))
				}
			}},
		{Name: "create-subnet overlapping", Cmd: Verb(NewCmdCreateSubnet),
			Args: func(fx Fixture) []string {
				return []string{"--vpc-id", fx.ProviderVpc, "--cidr-block", "10.0.1.128/25", "--availability-zone", "us-east-1a"}
			}, ErrCode: control.CodeInvalidSubnetConflict},
		{Name: "describe-subnets by vpc", Cmd: Verb(NewCmdDescribeSubnets), Query: "Subnets[].AvailabilityZone",
			Args: func(fx Fixture) []string { return []string{"--filters", "Name=vpc-id,Values=" + fx.ProviderVpc} },
			Check: func(t *testing.T, e *Env, fx Fixture) {
				var zones []string
				e.JSON(&zones)
				if strings.Join(zones, ",") != "us-east-1a,us-east-1b" {
					t.Errorf("zones %q", zones)
				}
			}},
		{Name: "delete-subnet unused", Cmd: Verb(NewCmdDeleteSubnet),
			Args: func(fx Fixture) []string { return []string{"--subnet-id", fx.ConsumerC} },
			Check: func(t *testing.T, e *Env, fx Fixture) {
				if e.State().Subnet(fx.ConsumerC) != nil {
					t.Error("subnet still there")
				}
			}},
		{Name: "delete-subnet used by the load balancer", Cmd: Verb(NewCmdDeleteSubnet),
			Args: func(fx Fixture) []string { return []string{"--subnet-id", fx.SubnetA} }, ErrCode: control.CodeDependencyViolation},
		{Name: "create-vpc-endpoint-service-configuration", Cmd: Verb(NewCmdCreateVpcEndpointServiceConfiguration),
			Prepare: func(t *testing.T, e *Env, fx *Fixture) {
				e.Do(func(s *control.State, env control.Env) error {
					out, err := s.CreateLoadBalancer(env, control.CreateLoadBalancerInput{Name: "second", Subnets: []string{fx.SubnetA}})
					if err == nil {
						fx.Extra = out.LoadBalancers[0].LoadBalancerArn
					}
					return err
				})
			},
			Args: func(fx Fixture) []string {
				return []string{"--gateway-load-balancer-arns", fx.Extra, "--no-acceptance-required"}
			},
			Check: func(t *testing.T, e *Env, fx Fixture) {
				var out control.CreateVpcEndpointServiceConfigurationOutput
				e.JSON(&out)
				c := out.ServiceConfiguration
				if c.AcceptanceRequired || c.ServiceState != control.ServiceStateAvailable || len(c.GatewayLoadBalancerArns) != 1 ||
					c.GatewayLoadBalancerArns[0] != fx.Extra || c.ServiceType[0].ServiceType != "GatewayLoadBalancer" {
					t.Errorf("response %+v", c)
				}
			}},
		{Name: "create-vpc-endpoint-service-configuration unknown load balancer", Cmd: Verb(NewCmdCreateVpcEndpointServiceConfiguration),
			Args: func(fx Fixture) []string {
				return []string{"--gateway-load-balancer-arns", exLB, "--no-acceptance-required"}
			}, ErrCode: control.CodeInvalidParameter},
		{Name: "describe-vpc-endpoint-service-configurations", Cmd: Verb(NewCmdDescribeVpcEndpointServiceConfigurations),
			Query: "ServiceConfigurations[0].[ServiceName,AcceptanceRequired,ServiceType[0].ServiceType]",
			Args:  func(fx Fixture) []string { return []string{"--service-ids", fx.ServiceId} },
			Check: func(t *testing.T, e *Env, fx Fixture) {
				var row []any
				e.JSON(&row)
				if len(row) != 3 || row[0] != fx.ServiceName || row[1] != true || row[2] != "GatewayLoadBalancer" {
					t.Errorf("row %v", row)
				}
				if !strings.HasPrefix(fx.ServiceName, "com.amazonaws.vpce.us-east-1.vpce-svc-") {
					t.Errorf("service name %s", fx.ServiceName)
				}
			}},
		{Name: "modify-vpc-endpoint-service-configuration", Cmd: Verb(NewCmdModifyVpcEndpointServiceConfiguration),
			Args: func(fx Fixture) []string { return []string{"--service-id", fx.ServiceId, "--no-acceptance-required"} },
			Check: func(t *testing.T, e *Env, fx Fixture) {
				if e.State().EndpointService(fx.ServiceId).Service.AcceptanceRequired {
					t.Error("acceptance still required")
				}
				if trimmed(e) != "{\n    \"Return\": true\n}" {
					t.Errorf("out %s", e.Out.String())
				}
			}},
		{Name: "delete-vpc-endpoint-service-configurations with a pending endpoint", Cmd: Verb(NewCmdDeleteVpcEndpointServiceConfigurations),
			Args: func(fx Fixture) []string { return []string{"--service-ids", fx.ServiceId} }, ErrCode: control.CodeExistingVpcEndpointConnections},
		{Name: "modify-vpc-endpoint-service-permissions", Cmd: Verb(NewCmdModifyVpcEndpointServicePermissions),
			Args: func(fx Fixture) []string {
				return []string{"--service-id", fx.ServiceId, "--add-allowed-principals", "arn:aws:iam::111122223333:root"}
			},
			Check: func(t *testing.T, e *Env, fx Fixture) {
				e.Config.Query = "AllowedPrincipals[].Principal"
				if err := e.Run(Verb(NewCmdDescribeVpcEndpointServicePermissions), "--service-id", fx.ServiceId); err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(e.Out.String(), "arn:aws:iam::111122223333:root") {
					t.Errorf("permissions %s", e.Out.String())
				}
			}},
		{Name: "modify-vpc-endpoint-service-permissions bad principal", Cmd: Verb(NewCmdModifyVpcEndpointServicePermissions),
			Args: func(fx Fixture) []string {
				return []string{"--service-id", fx.ServiceId, "--add-allowed-principals", "bob"}
			},
			ErrCode: control.CodeInvalidPrincipal},
		{Name: "describe-vpc-endpoint-service-permissions unknown service", Cmd: Verb(NewCmdDescribeVpcEndpointServicePermissions),
			Args: args("--service-id", exService), ErrCode: control.CodeInvalidVpcEndpointServiceIDNotFound},
		{Name: "create-vpc-endpoint in a zone the lb lacks", Cmd: Verb(NewCmdCreateVpcEndpoint),
			Args: func(fx Fixture) []string {
				return []string{"--vpc-endpoint-type", "GatewayLoadBalancer", "--service-name", fx.ServiceName, "--vpc-id", fx.ConsumerVpc, "--subnet-ids", fx.ConsumerC}
			}, ErrCode: control.CodeInvalidParameter},
		{Name: "create-vpc-endpoint two subnets", Cmd: Verb(NewCmdCreateVpcEndpoint),
			Args: func(fx Fixture) []string {
				return []string{"--vpc-endpoint-type", "GatewayLoadBalancer", "--service-name", fx.ServiceName, "--vpc-id", fx.ConsumerVpc, "--subnet-ids", fx.ConsumerA, fx.ConsumerC}
			}, ErrCode: control.CodeInvalidParameter},
		{Name: "create-vpc-endpoint in the provider vpc", Cmd: Verb(NewCmdCreateVpcEndpoint), Query: "VpcEndpoint.State",
			Args: func(fx Fixture) []string {
				return []string{"--vpc-endpoint-type", "GatewayLoadBalancer", "--service-name", fx.ServiceName, "--vpc-id", fx.ProviderVpc, "--subnet-ids", fx.SubnetB}
			},
			Check: func(t *testing.T, e *Env, fx Fixture) {
				if trimmed(e) != `"pendingAcceptance"` {
					t.Errorf("state %s", trimmed(e))
				}
			}},
		{Name: "describe-vpc-endpoints", Cmd: Verb(NewCmdDescribeVpcEndpoints), Query: "VpcEndpoints[0].[VpcEndpointId,State,VpcEndpointType]",
			Args: args("--filters", "Name=vpc-endpoint-type,Values=GatewayLoadBalancer"),
			Check: func(t *testing.T, e *Env, fx Fixture) {
				var row []string
				e.JSON(&row)
				if len(row) != 3 || row[0] != fx.EndpointId || row[1] != "pendingAcceptance" || row[2] != "GatewayLoadBalancer" {
					t.Errorf("row %q", row)
				}
			}},
		{Name: "accept-vpc-endpoint-connections", Cmd: Verb(NewCmdAcceptVpcEndpointConnections),
			Args: func(fx Fixture) []string {
				return []string{"--service-id", fx.ServiceId, "--vpc-endpoint-ids", fx.EndpointId}
			},
			Check: func(t *testing.T, e *Env, fx Fixture) {
				if s := e.State().Endpoint(fx.EndpointId).Endpoint.State; s != control.EndpointStateAvailable {
					t.Errorf("state %s after accept", s)
				}
				if trimmed(e) != "{\n    \"Unsuccessful\": []\n}" {
					t.Errorf("out %s", e.Out.String())
				}
			}},
		{Name: "reject-vpc-endpoint-connections", Cmd: Verb(NewCmdRejectVpcEndpointConnections),
			Args: func(fx Fixture) []string {
				return []string{"--service-id", fx.ServiceId, "--vpc-endpoint-ids", fx.EndpointId}
			},
			Check: func(t *testing.T, e *Env, fx Fixture) {
				if s := e.State().Endpoint(fx.EndpointId).Endpoint.State; s != control.EndpointStateRejected {
					t.Errorf("state %s after reject", s)
				}
			}},
		{Name: "accept unknown endpoint", Cmd: Verb(NewCmdAcceptVpcEndpointConnections),
			Args: func(fx Fixture) []string {
				return []string{"--service-id", fx.ServiceId, "--vpc-endpoint-ids", exEndpoint}
			},
			ErrCode: control.CodeInvalidVpcEndpointIDNotFound},
		{Name: "describe-vpc-endpoint-connections", Cmd: Verb(NewCmdDescribeVpcEndpointConnections),
			Query: "VpcEndpointConnections[].[VpcEndpointId,VpcEndpointState]",
			Args:  args("--filters", "Name=vpc-endpoint-state,Values=pendingAcceptance"),
			Check: func(t *testing.T, e *Env, fx Fixture) {
				var rows [][]string
				e.JSON(&rows)
				if len(rows) != 1 || rows[0][0] != fx.EndpointId {
					t.Errorf("rows %q", rows)
				}
			}},
		{Name: "delete-vpc-endpoints", Cmd: Verb(NewCmdDeleteVpcEndpoints),
			Args: func(fx Fixture) []string { return []string{"--vpc-endpoint-ids", fx.EndpointId} },
			Check: func(t *testing.T, e *Env, fx Fixture) {
				if ep := e.State().Endpoint(fx.EndpointId); ep != nil && ep.Endpoint.State != control.EndpointStateDeleted && ep.Endpoint.State != control.EndpointStateDeleting {
					t.Errorf("endpoint still %s", ep.Endpoint.State)
				}
			}},
		{Name: "create-tags and describe-tags", Cmd: Verb(NewCmdCreateTags),
			Args: func(fx Fixture) []string {
				return []string{"--resources", fx.ProviderVpc, "--tags", "Key=Name,Value=provider"}
			},
			Check: func(t *testing.T, e *Env, fx Fixture) {
				e.Config.Query = "Tags[0].[ResourceId,Key,Value]"
				if err := e.Run(Verb(NewCmdDescribeTags), "--filters", "Name=resource-id,Values="+fx.ProviderVpc); err != nil {
					t.Fatal(err)
				}
				var row []string
				e.JSON(&row)
				if len(row) != 3 || row[0] != fx.ProviderVpc || row[2] != "provider" {
					t.Errorf("row %q", row)
				}
			}},
		{Name: "delete-tags", Cmd: Verb(NewCmdDeleteTags),
			Args: func(fx Fixture) []string { return []string{"--resources", fx.ProviderVpc, "--tags", "Key=Name"} },
			Check: func(t *testing.T, e *Env, fx Fixture) {
				if tags := e.State().Vpc(fx.ProviderVpc).Tags; len(tags) != 0 {
					t.Errorf("tags %v", tags)
				}
			}},
	})
}
