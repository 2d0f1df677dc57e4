package ec2

import (
	"strings"
	"testing"

	. "github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/clitest"
	"github.com/gwlbctl/gwlbctl/control"
)

func TestCreateRouteFlags(t *testing.T) {
	FlagTests(t, NewCmdCreateRoute, func(o *CreateRouteOptions) control.CreateRouteInput { return o.Input },
		[]FlagCase[control.CreateRouteInput]{
			{Name: "to an endpoint", Args: []string{"--route-table-id", exRouteTable, "--destination-cidr-block", "0.0.0.0/0", "--vpc-endpoint-id", exEndpoint},
				Want: control.CreateRouteInput{RouteTableId: exRouteTable, DestinationCidrBlock: "0.0.0.0/0", VpcEndpointId: exEndpoint}},
			{Name: "to a gateway, prefixes", Args: []string{"--route-table", exRouteTable, "--destination-c", "0.0.0.0/0", "--gateway", exGateway},
				Want: control.CreateRouteInput{RouteTableId: exRouteTable, DestinationCidrBlock: "0.0.0.0/0", GatewayId: exGateway}},
			{Name: "dry run", Args: []string{"--route-table-id", exRouteTable, "--destination-cidr-block", "0.0.0.0/0", "--gateway-id", exGateway, "--dry-run"},
				Want: control.CreateRouteInput{RouteTableId: exRouteTable, DestinationCidrBlock: "0.0.0.0/0", GatewayId: exGateway, DryRun: true}},
			{Name: "cli input yaml", Args: []string{"--cli-input-yaml", "RouteTableId: " + exRouteTable + "\nDestinationCidrBlock: 0.0.0.0/0\nVpcEndpointId: " + exEndpoint + "\n", "--vpc-endpoint-id", "vpce-0fedcba9876543210"},
				Want: control.CreateRouteInput{RouteTableId: exRouteTable, DestinationCidrBlock: "0.0.0.0/0", VpcEndpointId: "vpce-0fedcba9876543210"}},
			{Name: "missing table", Args: []string{"--destination-cidr-block", "0.0.0.0/0"}, WantErr: "--route-table-id"},
			{Name: "ambiguous prefix", Args: []string{"--route-table-id", exRouteTable, "--destination", "0.0.0.0/0"}, WantErr: "ambiguous option: --destination could match"},
		})
}

func TestReplaceRouteFlags(t *testing.T) {
	FlagTests(t, NewCmdReplaceRoute, func(o *ReplaceRouteOptions) control.ReplaceRouteInput { return o.Input },
		[]FlagCase[control.ReplaceRouteInput]{
			{Name: "local target", Args: []string{"--route-table-id", exRouteTable, "--destination-cidr-block", "10.0.0.0/16", "--local-target"},
				Want: control.ReplaceRouteInput{RouteInput: control.RouteInput{RouteTableId: exRouteTable, DestinationCidrBlock: "10.0.0.0/16"}, LocalTarget: Ptr(true)}},
		})
}

func TestAssociateRouteTableFlags(t *testing.T) {
	FlagTests(t, NewCmdAssociateRouteTable, func(o *AssociateRouteTableOptions) control.AssociateRouteTableInput { return o.Input },
		[]FlagCase[control.AssociateRouteTableInput]{
			{Name: "subnet", Args: []string{"--route-table-id", exRouteTable, "--subnet-id", exSubnet},
				Want: control.AssociateRouteTableInput{RouteTableId: exRouteTable, SubnetId: exSubnet}},
			{Name: "edge", Args: []string{"--route-table-id", exRouteTable, "--gateway-id", exGateway},
				Want: control.AssociateRouteTableInput{RouteTableId: exRouteTable, GatewayId: exGateway}},
			{Name: "missing table", Args: []string{"--subnet-id", exSubnet}, WantErr: "--route-table-id"},
		})
}

func TestDescribeRouteTablesFlags(t *testing.T) {
	FlagTests(t, NewCmdDescribeRouteTables, func(o *DescribeRouteTablesOptions) control.DescribeRouteTablesInput { return o.Input },
		[]FlagCase[control.DescribeRouteTablesInput]{
			{Name: "filter prefix", Args: []string{"--filter", "Name=vpc-id,Values=" + exVpc},
				Want: control.DescribeRouteTablesInput{Filters: []control.Filter{{Name: "vpc-id", Values: []string{exVpc}}}}},
			{Name: "service paging", Args: []string{"--max-results", "5", "--next-token", "abc"},
				Want: control.DescribeRouteTablesInput{MaxResults: Ptr(5), NextToken: "abc"}},
			{Name: "paging with manual token", Args: []string{"--next-token", "abc", "--max-items", "2"}, WantErr: "Cannot specify --no-paginate along with pagination arguments: --max-items"},
		})
}

func TestRoutingVerbsRun(t *testing.T) {
	RunTests(t, []RunCase{
		{Name: "create-internet-gateway then attach", Cmd: Verb(NewCmdCreateInternetGateway), Args: args(), Query: "InternetGateway.InternetGatewayId",
			Check: func(t *testing.T, e *Env, fx Fixture) {
				var id string
				e.JSON(&id)
				if err := e.Run(Verb(NewCmdAttachInternetGateway), "--internet-gateway-id", id, "--vpc-id", fx.ConsumerVpc); err != nil {
					t.Fatal(err)
				}
				if g := e.State().InternetGateway(id); g == nil || len(g.Attachments) != 1 || g.Attachments[0].VpcId != fx.ConsumerVpc {
					t.Fatalf("gateway %+v", g)
				}
			}},
		{Name: "create-route-table", Cmd: Verb(NewCmdCreateRouteTable), Args: func(fx Fixture) []string { return []string{"--vpc-id", fx.ConsumerVpc} },
			Query: "RouteTable.Routes[0].GatewayId",
			Check: func(t *testing.T, e *Env, fx Fixture) {
				if trimmed(e) != `"local"` {
					t.Errorf("out %s", trimmed(e))
				}
			}},
		{Name: "create-route to the endpoint", Cmd: Verb(NewCmdCreateRoute),
			Prepare: func(t *testing.T, e *Env, fx *Fixture) {
				e.Do(func(s *control.State, env control.Env) error {
					out, err := s.CreateRouteTable(env, control.CreateRouteTableInput{VpcId: fx.ConsumerVpc})
					fx.Extra = out.RouteTable.RouteTableId
					return err
				})
			},
			Args: func(fx Fixture) []string {
				return []string{"--route-table-id", fx.Extra, "--destination-cidr-block", "0.0.0.0/0", "--vpc-endpoint-id", fx.EndpointId}
			},
			Check: func(t *testing.T, e *Env, fx Fixture) {
				if !strings.Contains(e.Out.String(), `"Return": true`) {
					t.Errorf("out %s", e.Out.String())
				}
				if rt := e.State().RouteTable(fx.Extra); len(rt.Routes) != 2 || rt.Routes[1].GatewayId != fx.EndpointId {
					t.Errorf("routes %+v", rt.Routes)
				}
			}},
		{Name: "create-route to a missing endpoint", Cmd: Verb(NewCmdCreateRoute),
			Args: func(fx Fixture) []string {
				return []string{"--route-table-id", "rtb-0000000000000000f", "--destination-cidr-block", "0.0.0.0/0", "--vpc-endpoint-id", fx.EndpointId}
			}, ErrCode: control.CodeInvalidRouteTableIDNotFound},
		{Name: "create-route-table dry run", Cmd: Verb(NewCmdCreateRouteTable),
			Args: func(fx Fixture) []string { return []string{"--vpc-id", fx.ConsumerVpc, "--dry-run"} }, ErrCode: control.CodeDryRunOperation},
		{Name: "describe-vpc-endpoint-services", Cmd: Verb(NewCmdDescribeVpcEndpointServices), Query: "ServiceDetails[0].ServiceId",
			Args: func(fx Fixture) []string { return []string{"--service-names", fx.ServiceName} },
			Check: func(t *testing.T, e *Env, fx Fixture) {
				if trimmed(e) != `"`+fx.ServiceId+`"` {
					t.Errorf("out %s", trimmed(e))
				}
			}},
		{Name: "describe-route-tables main", Cmd: Verb(NewCmdDescribeRouteTables), Query: "RouteTables[?Associations[?Main]] | length(@)",
			Args: args("--filters", "Name=association.main,Values=true"),
			Check: func(t *testing.T, e *Env, fx Fixture) {
				if trimmed(e) != "2" {
					t.Errorf("main tables: %s", trimmed(e))
				}
			}},
		{Name: "describe-vpcs paged", Cmd: Verb(NewCmdDescribeVpcs), Args: args("--max-items", "1"),
			Check: func(t *testing.T, e *Env, fx Fixture) {
				var out struct {
					Vpcs      []control.Vpc
					NextToken string
				}
				e.JSON(&out)
				if len(out.Vpcs) != 1 || out.NextToken != "eyJOZXh0VG9rZW4iOiBudWxsLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAxfQ==" {
					t.Errorf("page %+v", out) // base64 of {"NextToken": null, "boto_truncate_amount": 1}
				}
			}},
	})
}
