package apiserver

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// aws runs a client (Debian's AWS CLI with --endpoint-url, or gwlbctl
// itself) and returns its stdout, stderr and exit code.
type awsRunner func(args ...string) (stdout, stderr string, code int)

func runner(t *testing.T, bin string, prefix []string, env []string) awsRunner {
	return func(args ...string) (string, string, int) {
		t.Helper()
		cmd := exec.Command(bin, append(append([]string(nil), prefix...), args...)...)
		cmd.Env = env
		var out, errb strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		var ee *exec.ExitError
		code := 0
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("%s %s: %v", bin, strings.Join(args, " "), err)
		}
		return strings.TrimSpace(out.String()), errb.String(), code
	}
}

// ok runs args and fails the test unless they succeed.
func (r awsRunner) ok(t *testing.T, args ...string) string {
	t.Helper()
	out, stderr, code := r(args...)
	if code != 0 {
		t.Fatalf("%s: exit %d\n%s", strings.Join(args, " "), code, stderr)
	}
	return out
}

// mismatch runs args and checks the AWS CLI's answer to
// IdempotentParameterMismatch: exit 254 naming the code.
func (r awsRunner) mismatch(t *testing.T, args ...string) string {
	t.Helper()
	_, stderr, code := r(args...)
	if code != 254 || !strings.Contains(stderr, "(IdempotentParameterMismatch)") {
		t.Errorf("%s: exit %d\n%s\nwant 254 with IdempotentParameterMismatch", strings.Join(args, " "), code, stderr)
	}
	return stderr
}

// TestClientTokensAWSCLI: ClientToken idempotency with Debian's real AWS
// CLI v2 against a running api-server (create-vpc-endpoint-service-
// configuration and create-vpc-endpoint --client-token: the same token and
// parameters return the same resource, other parameters exit 254 with
// IdempotentParameterMismatch over HTTP 400), CreateRouteTable's token
// (newer than this AWS CLI) as a raw Query request, and gwlbctl's own CLI
// (create-route-table --client-token) on the same state file.
func TestClientTokensAWSCLI(t *testing.T) {
	if _, err := os.Stat(debianAWS); err != nil {
		t.Skipf("skipped: %s not found (install Debian's awscli, AWS CLI v2: make deps)", debianAWS)
	}
	bin := buildGwlbctl(t)
	home := t.TempDir()
	state := filepath.Join(home, "state.json")
	endpoint, _ := startAPIServer(t, bin, cleanEnv(home, "GWLBCTL_STATE="+state))
	awsEnv := cleanEnv(home, "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_PAGER=", "AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE="+filepath.Join(home, "aws-config"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(home, "aws-credentials"))
	aws := runner(t, debianAWS, []string{"--endpoint-url", endpoint, "--output", "text"}, awsEnv)
	gwlbctl := runner(t, bin, []string{"--state", state, "--output", "text"}, cleanEnv(home))

	vpc := aws.ok(t, "ec2", "create-vpc", "--cidr-block", "10.0.0.0/16", "--query", "Vpc.VpcId")
	subnet := aws.ok(t, "ec2", "create-subnet", "--vpc-id", vpc, "--cidr-block", "10.0.1.0/24", "--availability-zone", "us-east-1a", "--query", "Subnet.SubnetId")
	lb := aws.ok(t, "elbv2", "create-load-balancer", "--name", "gwlb", "--type", "gateway", "--subnets", subnet, "--query", "LoadBalancers[0].LoadBalancerArn")

	createSvc := []string{"ec2", "create-vpc-endpoint-service-configuration", "--gateway-load-balancer-arns", lb, "--acceptance-required",
		"--client-token", "cli-svc", "--query", "[ServiceConfiguration.ServiceId, ClientToken]"}
	svc := aws.ok(t, createSvc...)
	if again := aws.ok(t, createSvc...); again != svc || !strings.HasSuffix(svc, "\tcli-svc") {
		t.Errorf("create-vpc-endpoint-service-configuration twice with one token: %q then %q", svc, again)
	}
	svcID := strings.Fields(svc)[0]
	name := aws.ok(t, "ec2", "describe-vpc-endpoint-service-configurations", "--service-ids", svcID, "--query", "ServiceConfigurations[0].ServiceName")
	consumer := aws.ok(t, "ec2", "create-vpc", "--cidr-block", "192.168.0.0/16", "--query", "Vpc.VpcId")
	csub := aws.ok(t, "ec2", "create-subnet", "--vpc-id", consumer, "--cidr-block", "192.168.1.0/24", "--availability-zone", "us-east-1a", "--query", "Subnet.SubnetId")
	createEp := []string{"ec2", "create-vpc-endpoint", "--vpc-endpoint-type", "GatewayLoadBalancer", "--vpc-id", consumer,
		"--service-name", name, "--subnet-ids", csub, "--client-token", "cli-ep", "--query", "VpcEndpoint.VpcEndpointId"}
	ep := aws.ok(t, createEp...)
	if again := aws.ok(t, createEp...); again != ep {
		t.Errorf("create-vpc-endpoint twice with one token: %s then %s", ep, again)
	}

	before := readState(t, state)
	debug := aws.mismatch(t, "ec2", "create-vpc-endpoint-service-configuration", "--gateway-load-balancer-arns", lb, "--no-acceptance-required",
		"--client-token", "cli-svc", "--debug")
	if !regexp.MustCompile(`"POST / HTTP/1\.1" 400 `).MatchString(debug) {
		t.Errorf("the mismatch's HTTP status is not 400 in the AWS CLI's debug log:\n%s", tailLines(debug, 20))
	}
	aws.mismatch(t, "ec2", "create-vpc-endpoint", "--vpc-endpoint-type", "GatewayLoadBalancer", "--vpc-id", consumer,
		"--service-name", name, "--subnet-ids", csub, "--client-token", "cli-ep", "--tag-specifications", "ResourceType=vpc-endpoint,Tags=[{Key=Name,Value=x}]")
	if readState(t, state) != before {
		t.Error("a mismatching retry changed the state file")
	}

	// CreateRouteTable's ClientToken over the Query API as the SDKs send it.
	post := func(vpcID string) (int, string) {
		t.Helper()
		resp, err := http.PostForm(endpoint, url.Values{"Action": {"CreateRouteTable"}, "Version": {"2016-11-15"}, "VpcId": {vpcID}, "ClientToken": {"raw-rtb"}})
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	idRe := regexp.MustCompile(`<routeTableId>(rtb-[0-9a-f]+)</routeTableId>`)
	code1, body1 := post(consumer)
	code2, body2 := post(consumer)
	m1, m2 := idRe.FindStringSubmatch(body1), idRe.FindStringSubmatch(body2)
	if code1 != 200 || code2 != 200 || m1 == nil || m2 == nil || m1[1] != m2[1] || !strings.Contains(body2, "<clientToken>raw-rtb</clientToken>") {
		t.Errorf("CreateRouteTable twice with one token: %d %s\n%d %s", code1, body1, code2, body2)
	}
	if code, body := post(vpc); code != 400 || !strings.Contains(body, "<Code>IdempotentParameterMismatch</Code>") {
		t.Errorf("CreateRouteTable with the token in another VPC: %d %s", code, body)
	}

	// gwlbctl's own CLI on the same state file.
	rtb := gwlbctl.ok(t, "ec2", "create-route-table", "--vpc-id", vpc, "--client-token", "cli-rtb", "--query", "RouteTable.RouteTableId")
	if again := gwlbctl.ok(t, "ec2", "create-route-table", "--vpc-id", vpc, "--client-token", "cli-rtb", "--query", "RouteTable.RouteTableId"); again != rtb {
		t.Errorf("gwlbctl create-route-table twice with one token: %s then %s", rtb, again)
	}
	gwlbctl.mismatch(t, "ec2", "create-route-table", "--vpc-id", consumer, "--client-token", "cli-rtb")
	gwlbctl.mismatch(t, "ec2", "create-vpc-endpoint-service-configuration", "--gateway-load-balancer-arns", lb, "--no-acceptance-required", "--client-token", "cli-svc")
	if n := strings.Count(aws.ok(t, "ec2", "describe-route-tables", "--query", "RouteTables[].RouteTableId"), "rtb-"); n != 4 {
		t.Errorf("%d route tables, want 4: two VPCs' main tables, the raw request's and gwlbctl's", n)
	}
}

func readState(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func tailLines(s string, n int) string {
	l := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(l[max(0, len(l)-n):], "\n")
}
