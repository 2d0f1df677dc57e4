package awsapi

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/gwlbctl/gwlbctl/control"
	"github.com/gwlbctl/gwlbctl/control/awsapi/internal/pyclient"
)

func ptr[T any](v T) *T { return &v }

// roundTripInputs are requests with every kind of member: nested
// structures, lists of structures and of strings, integers, booleans,
// pointers, EC2 filters with several values, tag specifications.
var roundTripInputs = []struct {
	service, action string
	in              any
}{
	{serviceELBv2, "CreateTargetGroup", control.CreateTargetGroupInput{Name: "tg", Protocol: "GENEVE", Port: ptr(6081), VpcId: "vpc-1",
		HealthCheckProtocol: "HTTP", HealthCheckPort: "80", HealthCheckEnabled: ptr(true), HealthCheckPath: "/health",
		HealthCheckIntervalSeconds: ptr(10), HealthCheckTimeoutSeconds: ptr(5), HealthyThresholdCount: ptr(3), UnhealthyThresholdCount: ptr(2),
		Matcher: &control.Matcher{HttpCode: "200-299"}, TargetType: "ip", Tags: []control.Tag{{Key: "a", Value: "b"}, {Key: "c"}}, IpAddressType: "ipv4"}},
	{serviceELBv2, "RegisterTargets", control.RegisterTargetsInput{TargetGroupArn: "arn:tg", Targets: []control.TargetDescription{
		{Id: "10.0.0.1", Port: ptr(6081), AvailabilityZone: "us-east-1a"}, {Id: "10.0.0.2"}}}},
	{serviceELBv2, "CreateLoadBalancer", control.CreateLoadBalancerInput{Name: "lb", SubnetMappings: []control.SubnetMapping{{SubnetId: "subnet-1"}, {SubnetId: "subnet-2"}},
		Tags: []control.Tag{{Key: "k", Value: "v & <w>"}}, Type: "gateway", IpAddressType: "dualstack"}},
	{serviceELBv2, "CreateListener", control.CreateListenerInput{LoadBalancerArn: "arn:lb", DefaultActions: []control.Action{{Type: "forward",
		ForwardConfig: &control.ForwardConfig{TargetGroups: []control.TargetGroupTuple{{TargetGroupArn: "arn:tg1", Weight: ptr(1)}, {TargetGroupArn: "arn:tg2", Weight: ptr(0)}},
			TargetGroupStickinessConfig: &control.TargetGroupStickinessConfig{Enabled: false}}}}}},
	// The Query protocol sends an empty list as "Names=".
	{serviceELBv2, "DescribeLoadBalancers", control.DescribeLoadBalancersInput{Names: []string{}}},
	{serviceELBv2, "ModifyListenerAttributes", control.ModifyListenerAttributesInput{ListenerArn: "arn:l", Attributes: []control.Attribute{{Key: "tcp.idle_timeout.seconds", Value: "350"}}}},
	{serviceEC2, "DescribeVpcs", control.DescribeVpcsInput{VpcIds: []string{"vpc-1", "vpc-2"}, Filters: []control.Filter{{Name: "cidr", Values: []string{"10.0.0.0/16", "10.1.0.0/16"}}, {Name: "tag:Name", Values: []string{"a b"}}}}},
	{serviceEC2, "CreateVpcEndpoint", control.CreateVpcEndpointInput{VpcEndpointType: "GatewayLoadBalancer", VpcId: "vpc-1", ServiceName: "com.amazonaws.vpce.us-east-1.vpce-svc-1",
		SubnetIds: []string{"subnet-1"}, PrivateDnsEnabled: ptr(false), IpAddressType: "ipv4", ClientToken: "tok",
		TagSpecifications: []control.TagSpecification{{ResourceType: "vpc-endpoint", Tags: []control.Tag{{Key: "Name", Value: "e"}}}}}},
	{serviceEC2, "CreateVpcEndpointServiceConfiguration", control.CreateVpcEndpointServiceConfigurationInput{AcceptanceRequired: ptr(true), GatewayLoadBalancerArns: []string{"arn:lb"}, SupportedIpAddressTypes: []string{"ipv4", "ipv6"}}},
	{serviceEC2, "ModifyVpcEndpointServicePermissions", control.ModifyVpcEndpointServicePermissionsInput{ServiceId: "vpce-svc-1", AddAllowedPrincipals: []string{"arn:aws:iam::1:root"}, RemoveAllowedPrincipals: []string{"*"}}},
	{serviceEC2, "DeleteTags", control.DeleteTagsInput{Resources: []string{"vpc-1"}, Tags: []control.Tag{{Key: "k"}, {Key: "j", Value: "v"}}}},
	// Routing, paging and DryRun members.
	{serviceEC2, "CreateRouteTable", control.CreateRouteTableInput{VpcId: "vpc-1", ClientToken: "tok", TagSpecifications: []control.TagSpecification{{ResourceType: "route-table", Tags: []control.Tag{{Key: "Name", Value: "app"}}}}}},
	{serviceEC2, "CreateRoute", control.CreateRouteInput{RouteTableId: "rtb-1", DestinationCidrBlock: "0.0.0.0/0", VpcEndpointId: "vpce-1", DryRun: true}},
	{serviceEC2, "ReplaceRoute", control.ReplaceRouteInput{RouteInput: control.RouteInput{RouteTableId: "rtb-1", DestinationCidrBlock: "10.0.0.0/16"}, LocalTarget: ptr(true)}},
	{serviceEC2, "AssociateRouteTable", control.AssociateRouteTableInput{RouteTableId: "rtb-1", GatewayId: "igw-1"}},
	{serviceEC2, "DescribeRouteTables", control.DescribeRouteTablesInput{Filters: []control.Filter{{Name: "association.gateway-id", Values: []string{"igw-1"}}}, MaxResults: ptr(5), NextToken: "tok"}},
	{serviceEC2, "DescribeVpcEndpointServices", control.DescribeVpcEndpointServicesInput{ServiceNames: []string{"com.amazonaws.vpce.us-east-1.vpce-svc-1"}, MaxResults: ptr(5)}},
	{serviceELBv2, "DescribeTargetGroups", control.DescribeTargetGroupsInput{LoadBalancerArn: "arn:lb", PageSize: ptr(2), Marker: "m"}},
}

// givenParams are requests given to botocore as written here rather than
// as their Input's JSON (which leaves empty lists out).
var givenParams = map[string]string{
	"DescribeLoadBalancers": `{"Names": []}`,
}

// TestDecodeRoundTrip: requests serialized by botocore's own serializers
// decode into exactly the Input they were made from.
func TestDecodeRoundTrip(t *testing.T) {
	pyclient.Need(t, false)
	var lines bytes.Buffer
	for _, c := range roundTripInputs {
		params, err := json.Marshal(c.in)
		if err != nil {
			t.Fatal(err)
		}
		if p, ok := givenParams[c.action]; ok {
			params = []byte(p)
		}
		b, _ := json.Marshal(map[string]any{"service": c.service, "operation": c.action, "params": json.RawMessage(params)})
		lines.Write(append(b, '\n'))
	}
	cmd := pyclient.Command(t, ".", "botocore_serialize.py")
	cmd.Stdin = &lines
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("botocore serializer: %v", err)
	}
	h, err := New(Config{Store: newTestServer(t, nil).Store, Region: testRegion, Account: testAccount})
	if err != nil {
		t.Fatal(err)
	}
	svcs := map[string]*service{}
	for _, s := range h.services {
		svcs[s.id] = s
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for i := 0; sc.Scan(); i++ {
		c := roundTripInputs[i]
		var r struct{ Body string }
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		form, err := url.ParseQuery(r.Body)
		if err != nil {
			t.Fatal(err)
		}
		svc := svcs[c.service]
		a := svc.actions[c.action]
		got, err := newDecoder(svc, form).decode(svc.model.Operations[c.action].Input, a.input)
		if err != nil {
			t.Errorf("%s: decoding botocore's %s: %v", c.action, r.Body, err)
			continue
		}
		if !reflect.DeepEqual(got, c.in) {
			t.Errorf("%s: botocore's %s decodes to\n %+v, want\n %+v", c.action, r.Body, got, c.in)
		}
	}
}

// FuzzHandler: whatever the body, the answer is a success or a client
// error in the service's error shape, never a 5xx or a panic, and a
// request that fails leaves the state file as it was.
func FuzzHandler(f *testing.F) {
	for _, s := range []string{
		"Action=DescribeVpcs&Version=2016-11-15&Filter.1.Name=cidr&Filter.1.Value.1=10.0.0.0/16",
		"Action=CreateVpc&Version=2016-11-15&CidrBlock=10.0.0.0/16&TagSpecification.1.ResourceType=vpc&TagSpecification.1.Tag.1.Key=Name",
		"Action=RegisterTargets&Version=2015-12-01&TargetGroupArn=x&Targets.member.1.Id=10.0.0.1&Targets.member.1.Port=6081",
		"Action=CreateLoadBalancer&Version=2015-12-01&Name=lb&Subnets=&Tags.member.1.Key=k",
		"Action=CreateListener&Version=2015-12-01&DefaultActions.member.1.ForwardConfig.TargetGroups.member.1.Weight=x",
		"Action=DescribeLoadBalancers&Version=2015-12-01&Names.member.0=a&Names.member.01=b",
		"Action=CreateRoute&Version=2016-11-15&RouteTableId=rtb-1&DestinationCidrBlock=0.0.0.0/0&VpcEndpointId=vpce-1&DryRun=true",
		"Action=DescribeRouteTables&Version=2016-11-15&MaxResults=5&NextToken=eyJpIjo1fQ&Filter.1.Name=association.main&Filter.1.Value.1=true",
		"Action=DescribeTargetGroups&Version=2015-12-01&PageSize=1&Marker=x",
		"Action=CreateRouteTable&Version=2016-11-15&VpcId=vpc-1&ClientToken=t",
		"Version=2016-11-15",
		"%zz",
	} {
		f.Add(s)
	}
	ts := newTestServer(f, nil)
	h := ts.Config.Handler
	f.Fuzz(func(t *testing.T, body string) {
		before := ts.stateBytes(t)
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("%q: status %d\n%s", body, w.Code, w.Body)
		}
		if w.Code != http.StatusOK {
			// ELBv2's <ErrorResponse><Error><Code> or EC2's
			// <Response><Errors><Error><Code>.
			var e struct {
				Code    string `xml:"Error>Code"`
				EC2Code string `xml:"Errors>Error>Code"`
			}
			if err := xml.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Code == "" && e.EC2Code == "" {
				t.Fatalf("%q: status %d with no error code (%v)\n%s", body, w.Code, err, w.Body)
			}
			if after := ts.stateBytes(t); after != before {
				t.Fatalf("%q: failed with %d but changed the state", body, w.Code)
			}
		}
	})
}
