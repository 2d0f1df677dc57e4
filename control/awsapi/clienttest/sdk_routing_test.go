package clienttest

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	ec2sdk "github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// httpStatus is the HTTP status of an SDK error (0 when none).
func httpStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// wantDryRun checks that err is EC2's answer to a DryRun that would have
// succeeded: DryRunOperation with HTTP 412.
func wantDryRun(t *testing.T, what string, err error) {
	t.Helper()
	if apiCode(err) != "DryRunOperation" || httpStatus(err) != http.StatusPreconditionFailed {
		t.Fatalf("%s with DryRun: %v (HTTP %d), want DryRunOperation with HTTP 412", what, err, httpStatus(err))
	}
}

// routeVia is the target of the route for dest in the route table the
// filter selects: its GatewayId, where EC2 names a Gateway Load Balancer
// endpoint target too.
func routeVia(t *testing.T, ec *ec2sdk.Client, filter, value, dest string) string {
	t.Helper()
	out := must[*ec2sdk.DescribeRouteTablesOutput](t, "DescribeRouteTables")(ec.DescribeRouteTables(context.Background(), &ec2sdk.DescribeRouteTablesInput{
		Filters: []ec2types.Filter{{Name: aws.String(filter), Values: []string{value}}}}))
	if len(out.RouteTables) != 1 {
		t.Fatalf("DescribeRouteTables %s=%s: %d tables, want 1", filter, value, len(out.RouteTables))
	}
	for _, r := range out.RouteTables[0].Routes {
		if aws.ToString(r.DestinationCidrBlock) == dest {
			return aws.ToString(r.GatewayId)
		}
	}
	return ""
}

// routeWithSDK routes the consumer VPC through its endpoint as step 4 of
// AWS's getting-started guide does ("Configure routing"): an application
// subnet's default route to the endpoint, the endpoint subnet's to an
// internet gateway, and the gateway's edge route table sending traffic
// for the application subnet to the endpoint. It then exercises the
// other route-table actions and returns the teardown, which leaves the
// VPC as it was.
func routeWithSDK(t *testing.T, ec *ec2sdk.Client, vpcID, endpointSubnet, vpceID string) (teardown func()) {
	t.Helper()
	ctx := context.Background()
	appSubnet := aws.ToString(must[*ec2sdk.CreateSubnetOutput](t, "CreateSubnet")(ec.CreateSubnet(ctx, &ec2sdk.CreateSubnetInput{
		VpcId: aws.String(vpcID), CidrBlock: aws.String("192.168.2.0/24"), AvailabilityZone: aws.String("us-east-1a")})).Subnet.SubnetId)

	// The internet gateway.
	_, err := ec.CreateInternetGateway(ctx, &ec2sdk.CreateInternetGatewayInput{DryRun: aws.Bool(true)})
	wantDryRun(t, "CreateInternetGateway", err)
	igw := must[*ec2sdk.CreateInternetGatewayOutput](t, "CreateInternetGateway")(ec.CreateInternetGateway(ctx, &ec2sdk.CreateInternetGatewayInput{
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeInternetGateway, Tags: []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String("consumer-igw")}}}}}))
	igwID := aws.ToString(igw.InternetGateway.InternetGatewayId)
	if len(igw.InternetGateway.Attachments) != 0 || len(igw.InternetGateway.Tags) != 1 {
		t.Fatalf("CreateInternetGateway: %+v", igw.InternetGateway)
	}
	must[*ec2sdk.AttachInternetGatewayOutput](t, "AttachInternetGateway")(ec.AttachInternetGateway(ctx, &ec2sdk.AttachInternetGatewayInput{InternetGatewayId: aws.String(igwID), VpcId: aws.String(vpcID)}))
	igws := must[*ec2sdk.DescribeInternetGatewaysOutput](t, "DescribeInternetGateways")(ec.DescribeInternetGateways(ctx, &ec2sdk.DescribeInternetGatewaysInput{
		Filters: []ec2types.Filter{{Name: aws.String("attachment.vpc-id"), Values: []string{vpcID}}}}))
	if len(igws.InternetGateways) != 1 || aws.ToString(igws.InternetGateways[0].InternetGatewayId) != igwID ||
		len(igws.InternetGateways[0].Attachments) != 1 || igws.InternetGateways[0].Attachments[0].State != "available" {
		t.Fatalf("DescribeInternetGateways attached to %s: %+v", vpcID, igws.InternetGateways)
	}

	// Step 4's three route tables.
	table := func() string {
		out := must[*ec2sdk.CreateRouteTableOutput](t, "CreateRouteTable")(ec.CreateRouteTable(ctx, &ec2sdk.CreateRouteTableInput{VpcId: aws.String(vpcID)}))
		if len(out.RouteTable.Routes) != 1 || aws.ToString(out.RouteTable.Routes[0].GatewayId) != "local" || len(out.RouteTable.Associations) != 0 {
			t.Fatalf("CreateRouteTable: %+v", out.RouteTable)
		}
		return aws.ToString(out.RouteTable.RouteTableId)
	}
	route := func(rtb, dest string, in ec2sdk.CreateRouteInput) {
		in.RouteTableId, in.DestinationCidrBlock = aws.String(rtb), aws.String(dest)
		out := must[*ec2sdk.CreateRouteOutput](t, "CreateRoute")(ec.CreateRoute(ctx, &in))
		if !aws.ToBool(out.Return) {
			t.Fatalf("CreateRoute %s %s: Return false", rtb, dest)
		}
	}
	associate := func(in ec2sdk.AssociateRouteTableInput) string {
		out := must[*ec2sdk.AssociateRouteTableOutput](t, "AssociateRouteTable")(ec.AssociateRouteTable(ctx, &in))
		if out.AssociationState == nil || out.AssociationState.State != ec2types.RouteTableAssociationStateCodeAssociated {
			t.Fatalf("AssociateRouteTable: %+v", out.AssociationState)
		}
		return aws.ToString(out.AssociationId)
	}
	appRtb, endpointRtb, edgeRtb := table(), table(), table()
	_, err = ec.CreateRoute(ctx, &ec2sdk.CreateRouteInput{RouteTableId: aws.String(appRtb), DestinationCidrBlock: aws.String("0.0.0.0/0"), VpcEndpointId: aws.String(vpceID), DryRun: aws.Bool(true)})
	wantDryRun(t, "CreateRoute", err)
	route(appRtb, "0.0.0.0/0", ec2sdk.CreateRouteInput{VpcEndpointId: aws.String(vpceID)})
	appAssoc := associate(ec2sdk.AssociateRouteTableInput{RouteTableId: aws.String(appRtb), SubnetId: aws.String(appSubnet)})
	route(endpointRtb, "0.0.0.0/0", ec2sdk.CreateRouteInput{GatewayId: aws.String(igwID)})
	endpointAssoc := associate(ec2sdk.AssociateRouteTableInput{RouteTableId: aws.String(endpointRtb), SubnetId: aws.String(endpointSubnet)})
	route(edgeRtb, "192.168.2.0/24", ec2sdk.CreateRouteInput{VpcEndpointId: aws.String(vpceID)})
	edgeAssoc := associate(ec2sdk.AssociateRouteTableInput{RouteTableId: aws.String(edgeRtb), GatewayId: aws.String(igwID)})

	// What the guide's routing reads back as.
	if via := routeVia(t, ec, "association.subnet-id", appSubnet, "0.0.0.0/0"); via != vpceID {
		t.Errorf("the application subnet routes 0.0.0.0/0 to %q, want %s", via, vpceID)
	}
	if via := routeVia(t, ec, "association.subnet-id", endpointSubnet, "0.0.0.0/0"); via != igwID {
		t.Errorf("the endpoint subnet routes 0.0.0.0/0 to %q, want %s", via, igwID)
	}
	if via := routeVia(t, ec, "association.gateway-id", igwID, "192.168.2.0/24"); via != vpceID {
		t.Errorf("the gateway routes the application subnet to %q, want %s", via, vpceID)
	}
	mains := must[*ec2sdk.DescribeRouteTablesOutput](t, "DescribeRouteTables")(ec.DescribeRouteTables(ctx, &ec2sdk.DescribeRouteTablesInput{
		Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{vpcID}}, {Name: aws.String("association.main"), Values: []string{"true"}}}}))
	if len(mains.RouteTables) != 1 || slices.Contains([]string{appRtb, endpointRtb, edgeRtb}, aws.ToString(mains.RouteTables[0].RouteTableId)) {
		t.Errorf("the VPC's main route table: %+v", mains.RouteTables)
	}
	// A route to an endpoint that does not exist is refused, as on AWS.
	if _, err := ec.CreateRoute(ctx, &ec2sdk.CreateRouteInput{RouteTableId: aws.String(appRtb), DestinationCidrBlock: aws.String("10.9.0.0/16"), VpcEndpointId: aws.String("vpce-0123456789abcdef0")}); apiCode(err) != "InvalidVpcEndpointId.NotFound" {
		t.Errorf("CreateRoute to a missing endpoint: %v, want InvalidVpcEndpointId.NotFound", err)
	}

	// Replace and delete a route, move and remove an association.
	must[*ec2sdk.ReplaceRouteOutput](t, "ReplaceRoute")(ec.ReplaceRoute(ctx, &ec2sdk.ReplaceRouteInput{RouteTableId: aws.String(appRtb), DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: aws.String(igwID)}))
	if via := routeVia(t, ec, "route-table-id", appRtb, "0.0.0.0/0"); via != igwID {
		t.Errorf("after ReplaceRoute 0.0.0.0/0 goes to %q, want %s", via, igwID)
	}
	must[*ec2sdk.DeleteRouteOutput](t, "DeleteRoute")(ec.DeleteRoute(ctx, &ec2sdk.DeleteRouteInput{RouteTableId: aws.String(appRtb), DestinationCidrBlock: aws.String("0.0.0.0/0")}))
	if via := routeVia(t, ec, "route-table-id", appRtb, "0.0.0.0/0"); via != "" {
		t.Errorf("after DeleteRoute 0.0.0.0/0 goes to %q, want no route", via)
	}
	moved := must[*ec2sdk.ReplaceRouteTableAssociationOutput](t, "ReplaceRouteTableAssociation")(ec.ReplaceRouteTableAssociation(ctx, &ec2sdk.ReplaceRouteTableAssociationInput{
		AssociationId: aws.String(appAssoc), RouteTableId: aws.String(endpointRtb)}))
	if aws.ToString(moved.NewAssociationId) == "" || aws.ToString(moved.NewAssociationId) == appAssoc || moved.AssociationState.State != ec2types.RouteTableAssociationStateCodeAssociated {
		t.Fatalf("ReplaceRouteTableAssociation: %+v", moved)
	}
	if via := routeVia(t, ec, "association.subnet-id", appSubnet, "0.0.0.0/0"); via != igwID {
		t.Errorf("after ReplaceRouteTableAssociation the application subnet routes 0.0.0.0/0 to %q, want %s", via, igwID)
	}

	return func() {
		for _, a := range []string{aws.ToString(moved.NewAssociationId), endpointAssoc, edgeAssoc} {
			must[*ec2sdk.DisassociateRouteTableOutput](t, "DisassociateRouteTable")(ec.DisassociateRouteTable(ctx, &ec2sdk.DisassociateRouteTableInput{AssociationId: aws.String(a)}))
		}
		for _, rtb := range []string{appRtb, endpointRtb, edgeRtb} {
			must[*ec2sdk.DeleteRouteTableOutput](t, "DeleteRouteTable")(ec.DeleteRouteTable(ctx, &ec2sdk.DeleteRouteTableInput{RouteTableId: aws.String(rtb)}))
		}
		must[*ec2sdk.DetachInternetGatewayOutput](t, "DetachInternetGateway")(ec.DetachInternetGateway(ctx, &ec2sdk.DetachInternetGatewayInput{InternetGatewayId: aws.String(igwID), VpcId: aws.String(vpcID)}))
		must[*ec2sdk.DeleteInternetGatewayOutput](t, "DeleteInternetGateway")(ec.DeleteInternetGateway(ctx, &ec2sdk.DeleteInternetGatewayInput{InternetGatewayId: aws.String(igwID)}))
		must[*ec2sdk.DeleteSubnetOutput](t, "DeleteSubnet")(ec.DeleteSubnet(ctx, &ec2sdk.DeleteSubnetInput{SubnetId: aws.String(appSubnet)}))
		left := must[*ec2sdk.DescribeRouteTablesOutput](t, "DescribeRouteTables")(ec.DescribeRouteTables(ctx, &ec2sdk.DescribeRouteTablesInput{
			Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{vpcID}}}}))
		if len(left.RouteTables) != 1 {
			t.Errorf("after the teardown the VPC has %d route tables, want its main one", len(left.RouteTables))
		}
	}
}
