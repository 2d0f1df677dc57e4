package clienttest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	ec2sdk "github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/gwlbctl/gwlbctl/control"
	"github.com/gwlbctl/gwlbctl/control/awsapi/internal/pyclient"
)

// wantMismatch checks that err is EC2's IdempotentParameterMismatch with
// HTTP 400.
func wantMismatch(t *testing.T, what string, err error) {
	t.Helper()
	if apiCode(err) != control.CodeIdempotentParameterMismatch || httpStatus(err) != http.StatusBadRequest {
		t.Errorf("%s: %v (HTTP %d), want %s with HTTP 400", what, err, httpStatus(err), control.CodeIdempotentParameterMismatch)
	}
}

// TestSDKClientTokens: the AWS SDK for Go against the API, each create
// with a ClientToken (CreateVpcEndpointServiceConfiguration,
// CreateVpcEndpoint, CreateRouteTable): the same token and parameters
// return the same resource and make no second one; the same token with
// other parameters is IdempotentParameterMismatch, HTTP 400, and changes
// nothing.
func TestSDKClientTokens(t *testing.T) {
	ts := newTestServer(t, nil)
	ctx := context.Background()
	lbc, ec := ts.clients(t, testAccessKey, testSecretKey)
	vpc := aws.ToString(must[*ec2sdk.CreateVpcOutput](t, "CreateVpc")(ec.CreateVpc(ctx, &ec2sdk.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16")})).Vpc.VpcId)
	subnet := aws.ToString(must[*ec2sdk.CreateSubnetOutput](t, "CreateSubnet")(ec.CreateSubnet(ctx, &ec2sdk.CreateSubnetInput{
		VpcId: aws.String(vpc), CidrBlock: aws.String("10.0.1.0/24"), AvailabilityZone: aws.String("us-east-1a")})).Subnet.SubnetId)
	lb := aws.ToString(must[*elb.CreateLoadBalancerOutput](t, "CreateLoadBalancer")(lbc.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{
		Name: aws.String("gwlb"), Type: elbtypes.LoadBalancerTypeEnumGateway, Subnets: []string{subnet}})).LoadBalancers[0].LoadBalancerArn)

	svcIn := &ec2sdk.CreateVpcEndpointServiceConfigurationInput{GatewayLoadBalancerArns: []string{lb}, AcceptanceRequired: aws.Bool(true), ClientToken: aws.String("svc-1")}
	svc := must[*ec2sdk.CreateVpcEndpointServiceConfigurationOutput](t, "CreateVpcEndpointServiceConfiguration")(ec.CreateVpcEndpointServiceConfiguration(ctx, svcIn))
	again := must[*ec2sdk.CreateVpcEndpointServiceConfigurationOutput](t, "CreateVpcEndpointServiceConfiguration again")(ec.CreateVpcEndpointServiceConfiguration(ctx, svcIn))
	if aws.ToString(again.ServiceConfiguration.ServiceId) != aws.ToString(svc.ServiceConfiguration.ServiceId) || aws.ToString(again.ClientToken) != "svc-1" {
		t.Errorf("retried service: %s (token %q), want %s", aws.ToString(again.ServiceConfiguration.ServiceId), aws.ToString(again.ClientToken), aws.ToString(svc.ServiceConfiguration.ServiceId))
	}
	consumer := aws.ToString(must[*ec2sdk.CreateVpcOutput](t, "CreateVpc")(ec.CreateVpc(ctx, &ec2sdk.CreateVpcInput{CidrBlock: aws.String("192.168.0.0/16")})).Vpc.VpcId)
	csub := aws.ToString(must[*ec2sdk.CreateSubnetOutput](t, "CreateSubnet")(ec.CreateSubnet(ctx, &ec2sdk.CreateSubnetInput{
		VpcId: aws.String(consumer), CidrBlock: aws.String("192.168.1.0/24"), AvailabilityZone: aws.String("us-east-1a")})).Subnet.SubnetId)
	epIn := &ec2sdk.CreateVpcEndpointInput{VpcEndpointType: ec2types.VpcEndpointTypeGatewayLoadBalancer, VpcId: aws.String(consumer),
		ServiceName: svc.ServiceConfiguration.ServiceName, SubnetIds: []string{csub}, ClientToken: aws.String("ep-1")}
	ep := must[*ec2sdk.CreateVpcEndpointOutput](t, "CreateVpcEndpoint")(ec.CreateVpcEndpoint(ctx, epIn))
	epAgain := must[*ec2sdk.CreateVpcEndpointOutput](t, "CreateVpcEndpoint again")(ec.CreateVpcEndpoint(ctx, epIn))
	if aws.ToString(epAgain.VpcEndpoint.VpcEndpointId) != aws.ToString(ep.VpcEndpoint.VpcEndpointId) {
		t.Errorf("retried endpoint: %s, want %s", aws.ToString(epAgain.VpcEndpoint.VpcEndpointId), aws.ToString(ep.VpcEndpoint.VpcEndpointId))
	}
	rtIn := &ec2sdk.CreateRouteTableInput{VpcId: aws.String(consumer), ClientToken: aws.String("rt-1")}
	rt := must[*ec2sdk.CreateRouteTableOutput](t, "CreateRouteTable")(ec.CreateRouteTable(ctx, rtIn))
	rtAgain := must[*ec2sdk.CreateRouteTableOutput](t, "CreateRouteTable again")(ec.CreateRouteTable(ctx, rtIn))
	if aws.ToString(rtAgain.RouteTable.RouteTableId) != aws.ToString(rt.RouteTable.RouteTableId) || aws.ToString(rtAgain.ClientToken) != "rt-1" {
		t.Errorf("retried route table: %s (token %q), want %s", aws.ToString(rtAgain.RouteTable.RouteTableId), aws.ToString(rtAgain.ClientToken), aws.ToString(rt.RouteTable.RouteTableId))
	}

	before := ts.stateBytes(t)
	_, err := ec.CreateVpcEndpointServiceConfiguration(ctx, &ec2sdk.CreateVpcEndpointServiceConfigurationInput{GatewayLoadBalancerArns: []string{lb}, AcceptanceRequired: aws.Bool(false), ClientToken: aws.String("svc-1")})
	wantMismatch(t, "CreateVpcEndpointServiceConfiguration with another AcceptanceRequired", err)
	_, err = ec.CreateVpcEndpoint(ctx, &ec2sdk.CreateVpcEndpointInput{VpcEndpointType: ec2types.VpcEndpointTypeGatewayLoadBalancer, VpcId: aws.String(consumer),
		ServiceName: svc.ServiceConfiguration.ServiceName, SubnetIds: []string{csub}, ClientToken: aws.String("ep-1"),
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeVpcEndpoint, Tags: []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String("x")}}}}})
	wantMismatch(t, "CreateVpcEndpoint with tags", err)
	_, err = ec.CreateRouteTable(ctx, &ec2sdk.CreateRouteTableInput{VpcId: aws.String(vpc), ClientToken: aws.String("rt-1")})
	wantMismatch(t, "CreateRouteTable in another VPC", err)
	if ts.stateBytes(t) != before {
		t.Error("a mismatching retry changed the state file")
	}
	// The SDK fills in CreateRouteTable's token itself: two calls are two
	// requests, two tables.
	a := must[*ec2sdk.CreateRouteTableOutput](t, "CreateRouteTable")(ec.CreateRouteTable(ctx, &ec2sdk.CreateRouteTableInput{VpcId: aws.String(consumer)}))
	b := must[*ec2sdk.CreateRouteTableOutput](t, "CreateRouteTable")(ec.CreateRouteTable(ctx, &ec2sdk.CreateRouteTableInput{VpcId: aws.String(consumer)}))
	if aws.ToString(a.RouteTable.RouteTableId) == aws.ToString(b.RouteTable.RouteTableId) || aws.ToString(a.ClientToken) == "" || aws.ToString(a.ClientToken) == aws.ToString(b.ClientToken) {
		t.Errorf("two calls without a token: tables %s and %s, tokens %q and %q", aws.ToString(a.RouteTable.RouteTableId), aws.ToString(b.RouteTable.RouteTableId), aws.ToString(a.ClientToken), aws.ToString(b.ClientToken))
	}
}

// TestSDKRetryAfterLostAnswer: the case client tokens exist for. The
// server creates the route table but its answer is lost (here replaced by
// a 503); the SDK retries the call with the token it filled in, and the
// retry returns that table rather than making a second one.
func TestSDKRetryAfterLostAnswer(t *testing.T) {
	ts := newTestServer(t, nil)
	var lost atomic.Int32
	flaky := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		again := func() *http.Request { r.Body = io.NopCloser(bytes.NewReader(body)); return r }
		if form.Get("Action") == "CreateRouteTable" && lost.Add(1) == 1 {
			ts.Config.Handler.ServeHTTP(httptest.NewRecorder(), again()) // done, answer dropped
			http.Error(w, "lost", http.StatusServiceUnavailable)
			return
		}
		ts.Config.Handler.ServeHTTP(w, again())
	}))
	defer flaky.Close()
	cfg := aws.Config{Region: testRegion, Credentials: credentials.NewStaticCredentialsProvider(testAccessKey, testSecretKey, ""), HTTPClient: flaky.Client()}
	ec := ec2sdk.NewFromConfig(cfg, func(o *ec2sdk.Options) { o.BaseEndpoint = aws.String(flaky.URL) })
	ctx := context.Background()
	vpc := aws.ToString(must[*ec2sdk.CreateVpcOutput](t, "CreateVpc")(ec.CreateVpc(ctx, &ec2sdk.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16")})).Vpc.VpcId)
	out := must[*ec2sdk.CreateRouteTableOutput](t, "CreateRouteTable")(ec.CreateRouteTable(ctx, &ec2sdk.CreateRouteTableInput{VpcId: aws.String(vpc)}))
	if n := lost.Load(); n != 2 {
		t.Fatalf("the server saw %d CreateRouteTable requests, want 2 (the lost one and the SDK's retry)", n)
	}
	err := ts.Store.View(func(s *control.State) error {
		var mine []string
		for _, rt := range s.RouteTables {
			if rt.VpcId == vpc && rt.RouteTableId != s.MainRouteTable(vpc).RouteTableId {
				mine = append(mine, rt.RouteTableId)
			}
		}
		if len(mine) != 1 || mine[0] != aws.ToString(out.RouteTable.RouteTableId) {
			t.Errorf("route tables of %s besides the main one: %v, want only %s", vpc, mine, aws.ToString(out.RouteTable.RouteTableId))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestBoto3ClientTokens: boto3 (Debian's python3-boto3) does what
// TestSDKClientTokens does (boto3_clienttoken.py); the state then holds
// one service, one endpoint and one route table besides the main ones.
func TestBoto3ClientTokens(t *testing.T) {
	pyclient.Need(t, true)
	ts := newTestServer(t, nil)
	cmd := pyclient.Command(t, awsapiDir, "boto3_clienttoken.py", "--endpoint", ts.URL)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("boto3_clienttoken.py: %v\n%s%s", err, out, stderr.String())
	}
	var ids struct{ Service, Endpoint, RouteTable string }
	if err := json.Unmarshal(out, &ids); err != nil {
		t.Fatalf("output %q: %v", out, err)
	}
	err = ts.Store.View(func(s *control.State) error {
		// Two VPCs with their main tables, and the one created.
		if len(s.EndpointServices) != 1 || len(s.Endpoints) != 1 || len(s.RouteTables) != 3 ||
			s.EndpointService(ids.Service) == nil || s.Endpoint(ids.Endpoint) == nil || s.RouteTable(ids.RouteTable) == nil {
			t.Errorf("state: %d services, %d endpoints, %d route tables; want 1, 1, 3 with %+v", len(s.EndpointServices), len(s.Endpoints), len(s.RouteTables), ids)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
