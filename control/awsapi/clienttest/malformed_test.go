package clienttest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/gwlbctl/gwlbctl/control"
	"github.com/gwlbctl/gwlbctl/control/awsapi"
)

// rawRequest is one hand-made request.
type rawRequest struct {
	method  string
	form    string // the body (POST) or the query string (GET)
	header  map[string]string
	sign    string    // credential scope service to sign for ("": unsigned)
	region  string    // credential scope region (default testRegion)
	secret  string    // signing secret (default testSecretKey)
	at      time.Time // signing time (default now)
	tamper  bool      // change the body after signing
	bodyLen int       // send a body of this many bytes instead of form
}

func (rr rawRequest) do(t *testing.T, ts *testServer) (*http.Response, string) {
	t.Helper()
	method := rr.method
	if method == "" {
		method = http.MethodPost
	}
	body := rr.form
	if rr.bodyLen > 0 {
		body = "Action=DescribeVpcs&Version=2016-11-15&Filter.1.Name=cidr&Filter.1.Value.1=" + strings.Repeat("x", rr.bodyLen)
	}
	target := ts.URL + "/"
	var reader io.Reader
	if method == http.MethodGet {
		target += "?" + rr.form
	} else {
		reader = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, target, reader)
	if err != nil {
		t.Fatal(err)
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	}
	for k, v := range rr.header {
		req.Header.Set(k, v)
	}
	if rr.sign != "" {
		region, secret, at := rr.region, rr.secret, rr.at
		if region == "" {
			region = testRegion
		}
		if secret == "" {
			secret = testSecretKey
		}
		if at.IsZero() {
			at = time.Now()
		}
		sum := sha256.Sum256([]byte(body))
		creds := aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: secret}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), rr.sign, region, at); err != nil {
			t.Fatal(err)
		}
		if rr.tamper {
			body = strings.Replace(body, "10.0.0.0", "10.9.0.0", 1)
			req.Body = io.NopCloser(strings.NewReader(body))
			req.ContentLength = int64(len(body))
		}
	}
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// awsError is an error response in either shape: ELBv2's
// <ErrorResponse><Error>..</Error><RequestId> or EC2's
// <Response><Errors><Error>..</Error></Errors><RequestID>.
type awsError struct {
	XMLName   xml.Name
	Type      string `xml:"Error>Type"`
	Code      string `xml:"Error>Code"`
	Message   string `xml:"Error>Message"`
	EC2Code   string `xml:"Errors>Error>Code"`
	EC2Msg    string `xml:"Errors>Error>Message"`
	RequestId string `xml:"RequestId"`
	RequestID string `xml:"RequestID"`
}

// seedState gives the server something to protect: a VPC, a subnet and
// a target group.
func seedState(t *testing.T, ts *testServer) (tgArn string) {
	t.Helper()
	_, err := ts.Store.Update(func(s *control.State) error {
		env := control.Env{Region: testRegion, Account: testAccount}
		v, err := s.CreateVpc(env, control.CreateVpcInput{CidrBlock: "10.0.0.0/16"})
		if err != nil {
			return err
		}
		if _, err := s.CreateSubnet(env, control.CreateSubnetInput{VpcId: v.Vpc.VpcId, CidrBlock: "10.0.1.0/24", AvailabilityZone: "us-east-1a"}); err != nil {
			return err
		}
		port := 6081
		tg, err := s.CreateTargetGroup(env, control.CreateTargetGroupInput{Name: "tg", Protocol: "GENEVE", Port: &port, VpcId: v.Vpc.VpcId, TargetType: "ip"})
		if err != nil {
			return err
		}
		tgArn = tg.TargetGroups[0].TargetGroupArn
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return tgArn
}

type malformedCase struct {
	name   string
	req    rawRequest
	status int
	code   string
	ec2    bool   // EC2's error shape (else ELBv2's)
	msg    string // a part of the message
}

func runMalformed(t *testing.T, ts *testServer, cases []malformedCase) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := ts.stateBytes(t)
			resp, body := c.req.do(t, ts)
			if after := ts.stateBytes(t); after != before {
				t.Errorf("the state file changed")
			}
			if resp.StatusCode != c.status {
				t.Errorf("status %d, want %d\n%s", resp.StatusCode, c.status, body)
			}
			var e awsError
			if err := xml.Unmarshal([]byte(body), &e); err != nil {
				t.Fatalf("error body is not XML: %v\n%s", err, body)
			}
			code, msg, id := e.Code, e.Message, e.RequestId
			root := "ErrorResponse"
			if c.ec2 {
				code, msg, id, root = e.EC2Code, e.EC2Msg, e.RequestID, "Response"
			} else if want := "Sender"; c.status >= 500 && e.Type != "Receiver" || c.status < 500 && e.Type != want {
				t.Errorf("Type %q for status %d", e.Type, c.status)
			}
			if e.XMLName.Local != root {
				t.Errorf("root element <%s>, want <%s>\n%s", e.XMLName.Local, root, body)
			}
			if code != c.code || !strings.Contains(msg, c.msg) {
				t.Errorf("error %s: %q, want %s containing %q\n%s", code, msg, c.code, c.msg, body)
			}
			if id == "" || id != resp.Header.Get("x-amzn-RequestId") {
				t.Errorf("request id %q in the body, %q in x-amzn-RequestId", id, resp.Header.Get("x-amzn-RequestId"))
			}
		})
	}
}

// TestMalformedRequests: every malformed request gets AWS's error code,
// status and error shape, and leaves the state file byte for byte as it
// was.
func TestMalformedRequests(t *testing.T) {
	ts := newTestServer(t, nil)
	tgArn := seedState(t, ts)
	q := url.QueryEscape
	elbv2 := "Version=2015-12-01&Action="
	ec2 := "Version=2016-11-15&Action="
	runMalformed(t, ts, []malformedCase{
		{"UnknownActionELBv2", rawRequest{form: elbv2 + "CreateRule"}, 400, "InvalidAction", false, "Could not find operation CreateRule for version 2015-12-01"},
		{"UnknownActionEC2", rawRequest{form: ec2 + "RunInstances"}, 400, "InvalidAction", true, "The action RunInstances is not valid"},
		{"MissingAction", rawRequest{form: "Version=2015-12-01"}, 400, "MissingAction", false, "Action"},
		{"MissingParameterEC2", rawRequest{form: ec2 + "CreateSubnet&CidrBlock=10.0.9.0%2F24"}, 400, "MissingParameter", true, "The request must contain the parameter VpcId"},
		{"MissingParameterELBv2", rawRequest{form: elbv2 + "RegisterTargets&TargetGroupArn=" + q(tgArn)}, 400, "ValidationError", false, "Value null at 'targets' failed to satisfy constraint: Member must not be null"},
		{"MissingNestedParameter", rawRequest{form: elbv2 + "RegisterTargets&TargetGroupArn=" + q(tgArn) + "&Targets.member.1.Port=6081"}, 400, "ValidationError", false, "Value null at 'targets.1.member.id'"},
		{"WrongVersionELBv2", rawRequest{form: "Version=2012-06-01&Action=DescribeLoadBalancers", sign: "elasticloadbalancing"}, 400, "InvalidAction", false, "Could not find operation DescribeLoadBalancers for version 2012-06-01"},
		{"WrongVersionEC2", rawRequest{form: "Version=2014-10-01&Action=DescribeVpcs", sign: "ec2"}, 400, "NoSuchVersion", true, "2014-10-01"},
		{"UnknownVersion", rawRequest{form: "Version=2099-01-01&Action=DescribeVpcs"}, 400, "NoSuchVersion", false, "2099-01-01"},
		{"MissingVersion", rawRequest{form: "Action=DescribeVpcs"}, 400, "MissingParameter", false, "Version"},
		{"MissingVersionSigned", rawRequest{form: "Action=DescribeVpcs", sign: "ec2"}, 400, "MissingParameter", true, "Version"},
		{"OversizedBody", rawRequest{bodyLen: awsapi.DefaultMaxBodyBytes}, 413, "RequestEntityTooLarge", false, "larger than 1048576 bytes"},
		{"NotSigV4", rawRequest{form: ec2 + "DescribeVpcs", header: map[string]string{"Authorization": "Basic dXNlcjpwYXNz"}}, 400, "IncompleteSignature", true, "AWS4-HMAC-SHA256"},
		{"SignatureMissing", rawRequest{form: ec2 + "DescribeVpcs", header: map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host;x-amz-date"}}, 400, "IncompleteSignature", true, "'Signature'"},
		{"CredentialMalformed", rawRequest{form: ec2 + "DescribeVpcs", header: map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/us-east-1/ec2, SignedHeaders=host, Signature=" + strings.Repeat("0", 64)}}, 400, "IncompleteSignature", true, "Credential must be"},
		{"HostNotSigned", rawRequest{form: ec2 + "DescribeVpcs", header: map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/ec2/aws4_request, SignedHeaders=x-amz-date, Signature=" + strings.Repeat("0", 64)}}, 400, "IncompleteSignature", true, "host"},
		{"ScopeOfAnotherService", rawRequest{form: elbv2 + "DescribeLoadBalancers", sign: "sqs"}, 403, "SignatureDoesNotMatch", false, "'sqs'"},
		{"ScopeRegionInvalid", rawRequest{form: ec2 + "CreateVpc&CidrBlock=10.1.0.0/16", sign: "ec2", region: "moon"}, 403, "SignatureDoesNotMatch", true, "valid region, not 'moon'"},
		{"NotAnInteger", rawRequest{form: elbv2 + "CreateTargetGroup&Name=x&Protocol=GENEVE&Port=six"}, 400, "ValidationError", false, "Value 'six' at 'port'"},
		{"NotABoolean", rawRequest{form: ec2 + "ModifyVpcEndpointServiceConfiguration&ServiceId=vpce-svc-1&AcceptanceRequired=maybe"}, 400, "InvalidParameterValue", true, "Value (maybe) for parameter AcceptanceRequired is invalid"},
		{"UnknownParameterEC2", rawRequest{form: ec2 + "DescribeVpcs&Colour=blue"}, 400, "UnknownParameter", true, "The parameter Colour is not recognized"},
		{"UnknownParameterELBv2", rawRequest{form: elbv2 + "DescribeLoadBalancers&Colour=blue"}, 400, "ValidationError", false, "Colour"},
		{"IndexNotANumber", rawRequest{form: elbv2 + "DescribeLoadBalancers&Names.member.first=x"}, 400, "ValidationError", false, "Names.member.first"},
		{"ListAsScalar", rawRequest{form: ec2 + "DescribeVpcs&VpcId=vpc-1"}, 400, "UnknownParameter", true, "VpcId"},
		{"UnsupportedMemberELBv2", rawRequest{form: elbv2 + "CreateLoadBalancer&Name=x&Type=gateway&Subnets.member.1=subnet-1&CustomerOwnedIpv4Pool=pool"}, 400, "ValidationError", false, "CustomerOwnedIpv4Pool is part of the AWS API but gwlbctl does not support it"},
		{"UnsupportedMemberEC2", rawRequest{form: ec2 + "CreateVpc&CidrBlock=10.1.0.0/16&Ipv6Pool=pool"}, 400, "InvalidParameter", true, "Ipv6Pool"},
		{"ParameterTwice", rawRequest{form: ec2 + "CreateVpc&CidrBlock=10.1.0.0/16&CidrBlock=10.2.0.0/16"}, 400, "InvalidParameterValue", true, "more than once"},
		{"MethodPut", rawRequest{method: http.MethodPut, form: ec2 + "DescribeVpcs"}, 405, "MethodNotAllowed", false, "PUT"},
		{"JSONBody", rawRequest{form: `{"Action":"DescribeVpcs"}`, header: map[string]string{"Content-Type": "application/x-amz-json-1.1"}}, 415, "UnsupportedMediaType", false, "x-www-form-urlencoded"},
		{"MalformedBody", rawRequest{form: ec2 + "DescribeVpcs&Filter.1.Name=%zz"}, 400, "MalformedQueryString", false, "body"},
		{"OperationErrorEC2", rawRequest{form: ec2 + "DeleteVpc&VpcId=vpc-0123456789abcdef0"}, 400, "InvalidVpcID.NotFound", true, "vpc-0123456789abcdef0"},
		{"OperationErrorELBv2", rawRequest{form: elbv2 + "RegisterTargets&TargetGroupArn=" + q(tgArn) + "&Targets.member.1.Id=10.0.1.10&Targets.member.2.Id=127.0.0.1"}, 400, "InvalidTarget", false, "127.0.0.1"},
		{"DryRun", rawRequest{form: ec2 + "CreateVpc&CidrBlock=10.1.0.0/16&DryRun=true"}, 412, "DryRunOperation", true, "Request would have succeeded, but DryRun flag is set."},
		{"DryRunOfABadRequest", rawRequest{form: ec2 + "CreateSubnet&VpcId=vpc-0123456789abcdef0&CidrBlock=10.0.9.0/24&DryRun=true"}, 400, "InvalidVpcID.NotFound", true, "vpc-0123456789abcdef0"},
	})

	// A GET with the query string is served like a POST.
	resp, body := rawRequest{method: http.MethodGet, form: ec2 + "DescribeVpcs&Filter.1.Name=cidr-block&Filter.1.Value.1=" + q("10.0.0.0/16")}.do(t, ts)
	if resp.StatusCode != 200 || !strings.Contains(body, "<cidrBlock>10.0.0.0/16</cidrBlock>") {
		t.Errorf("GET DescribeVpcs: %d\n%s", resp.StatusCode, body)
	}
}

// TestMalformedSignatures: with verification on, unsigned, expired and
// tampered requests are refused with AWS's codes and change nothing.
func TestMalformedSignatures(t *testing.T) {
	ts := newTestServer(t, func(c *awsapi.Config) {
		c.Credentials = &awsapi.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecretKey}
	})
	seedState(t, ts)
	create := "Version=2016-11-15&Action=CreateVpc&CidrBlock=10.0.0.0%2F16"
	createLB := "Version=2015-12-01&Action=CreateLoadBalancer&Name=lb&Type=gateway&Subnets.member.1=subnet-1"
	old := time.Now().Add(-time.Hour)
	runMalformed(t, ts, []malformedCase{
		{"Unsigned", rawRequest{form: create}, 403, "MissingAuthenticationToken", true, "Authentication Token"},
		{"UnsignedELBv2", rawRequest{form: createLB}, 403, "MissingAuthenticationToken", false, "Authentication Token"},
		{"ExpiredEC2", rawRequest{form: create, sign: "ec2", at: old}, 400, "RequestExpired", true, "expired"},
		{"ExpiredELBv2", rawRequest{form: createLB, sign: "elasticloadbalancing", at: old}, 403, "SignatureDoesNotMatch", false, "Signature expired"},
		{"Tampered", rawRequest{form: create, sign: "ec2", tamper: true}, 403, "SignatureDoesNotMatch", true, "does not match"},
		{"WrongSecret", rawRequest{form: create, sign: "ec2", secret: "nope"}, 403, "SignatureDoesNotMatch", true, "does not match"},
	})
	resp, body := rawRequest{form: "Version=2016-11-15&Action=DescribeVpcs", sign: "ec2"}.do(t, ts)
	if resp.StatusCode != 200 {
		t.Errorf("a well-signed request: %d\n%s", resp.StatusCode, body)
	}
}
