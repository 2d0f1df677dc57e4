package cli

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/awsoracle"
)

// compatEnv is the gwlbctl binary with configs/topology.yaml applied to a
// fresh state file, plus seven more VPCs so that every paginated list has
// more than one page at EC2's smallest page size (5).
type compatEnv struct {
	bin, state string
	env        []string
	t          *testing.T
}

// argv is the command line the oracle's paginator runs for a page.
func (c *compatEnv) argv(args ...string) []string {
	return append([]string{c.bin, "--state", c.state}, args...)
}

func newCompatEnv(t *testing.T) *compatEnv {
	awsoracle.Python(t)
	bin, _ := buildGwlbctl(t)
	home := t.TempDir()
	state := filepath.Join(home, "state.json")
	c := &compatEnv{bin: bin, state: state, env: cleanEnv(home, state), t: t}
	c.ok("apply", "-f", filepath.Join(testdata, "..", "..", "..", "configs", "topology.yaml"))
	for i := range 7 {
		c.ok("ec2", "create-vpc", "--cidr-block", fmt.Sprintf("10.%d.0.0/16", 50+i),
			"--tag-specifications", fmt.Sprintf(`ResourceType=vpc,Tags=[{Key=Name,Value=extra-%d},{Key=note,Value="名前 ✓ é"}]`, i))
	}
	return c
}

func (c *compatEnv) run(args ...string) result {
	c.t.Helper()
	return run(c.t, c.bin, c.env, args...)
}

func (c *compatEnv) ok(args ...string) string {
	c.t.Helper()
	r := c.run(args...)
	if r.code != 0 {
		c.t.Fatalf("gwlbctl %s: exit %d\n%s", strings.Join(args, " "), r.code, r.stderr)
	}
	return r.stdout
}

func (c *compatEnv) text(args ...string) string {
	return strings.TrimSpace(c.ok(append(args, "--output", "text")...))
}

// describeCase is one describe verb with its arguments, and the queries
// real scripts run on its output.
type describeCase struct {
	service, verb, op string
	args              []string
	paginated         bool
	queries           []string
}

func (c *compatEnv) describeCases() []describeCase {
	lb := c.text("elbv2", "describe-load-balancers", "--names", "inspection-gwlb", "--query", "LoadBalancers[0].LoadBalancerArn")
	tg := c.text("elbv2", "describe-target-groups", "--names", "appliances", "--query", "TargetGroups[0].TargetGroupArn")
	listener := c.text("elbv2", "describe-listeners", "--load-balancer-arn", lb, "--query", "Listeners[0].ListenerArn")
	svc := c.text("ec2", "describe-vpc-endpoint-service-configurations", "--query", "ServiceConfigurations[0].ServiceId")
	svcName := c.text("ec2", "describe-vpc-endpoint-service-configurations", "--query", "ServiceConfigurations[0].ServiceName")
	return []describeCase{
		{"elbv2", "describe-load-balancers", "DescribeLoadBalancers", nil, true, []string{
			"LoadBalancers[0].LoadBalancerArn", "LoadBalancers[*].[LoadBalancerName,State.Code]", "LoadBalancers[?State.Code==`active`].LoadBalancerName",
			"LoadBalancers[].{Name:LoadBalancerName,Zones:AvailabilityZones[].ZoneName}", "LoadBalancers[0]"}},
		{"elbv2", "describe-target-groups", "DescribeTargetGroups", nil, true, []string{"TargetGroups[0].TargetGroupArn", "TargetGroups[].[TargetGroupName,Protocol,Port]", "TargetGroups[0].Matcher"}},
		{"elbv2", "describe-listeners", "DescribeListeners", []string{"--load-balancer-arn", lb}, true, []string{"Listeners[0].DefaultActions[0].ForwardConfig"}},
		{"elbv2", "describe-target-health", "DescribeTargetHealth", []string{"--target-group-arn", tg}, false, []string{
			"TargetHealthDescriptions[].[Target.Id,TargetHealth.State,TargetHealth.Reason]", "TargetHealthDescriptions[?TargetHealth.State==`healthy`] | length(@)", "length(TargetHealthDescriptions)"}},
		{"elbv2", "describe-target-group-attributes", "DescribeTargetGroupAttributes", []string{"--target-group-arn", tg}, false, []string{"Attributes[?Key==`deregistration_delay.timeout_seconds`].Value | [0]"}},
		{"elbv2", "describe-load-balancer-attributes", "DescribeLoadBalancerAttributes", []string{"--load-balancer-arn", lb}, false, nil},
		{"elbv2", "describe-listener-attributes", "DescribeListenerAttributes", []string{"--listener-arn", listener}, false, nil},
		{"elbv2", "describe-tags", "DescribeTags", []string{"--resource-arns", lb, tg}, false, []string{"TagDescriptions[].Tags[?Key==`team`].Value[]"}},
		{"ec2", "describe-vpcs", "DescribeVpcs", nil, true, []string{
			"Vpcs[?Tags[?Key==`Name` && Value==`inspection`]].VpcId | [0]", "Vpcs[].{Id:VpcId,Cidr:CidrBlock,Name:Tags[?Key=='Name']|[0].Value}", "Vpcs[?IsDefault==`false`].VpcId", "Vpcs[?State==`available`] | length(@)"}},
		{"ec2", "describe-subnets", "DescribeSubnets", nil, true, []string{"Subnets[].[SubnetId,AvailabilityZone,CidrBlock]", "sort_by(Subnets, &CidrBlock)[].CidrBlock", "Subnets[?AvailabilityZone=='us-east-1a'].SubnetId"}},
		{"ec2", "describe-route-tables", "DescribeRouteTables", nil, true, []string{
			"RouteTables[].Routes[?DestinationCidrBlock==`0.0.0.0/0`].GatewayId[]", "RouteTables[?Associations[?Main]].RouteTableId", "RouteTables[0].Associations"}},
		{"ec2", "describe-internet-gateways", "DescribeInternetGateways", nil, true, []string{"InternetGateways[0].InternetGatewayId", "InternetGateways[].Attachments[].State"}},
		{"ec2", "describe-vpc-endpoints", "DescribeVpcEndpoints", nil, true, []string{"VpcEndpoints[].[VpcEndpointId,State]", "VpcEndpoints[?State==`available`].VpcEndpointId"}},
		{"ec2", "describe-vpc-endpoint-services", "DescribeVpcEndpointServices", []string{"--service-names", svcName}, true, []string{"ServiceDetails[0].ServiceType[0].ServiceType", "ServiceNames"}},
		{"ec2", "describe-vpc-endpoint-service-configurations", "DescribeVpcEndpointServiceConfigurations", nil, true, []string{"ServiceConfigurations[0].ServiceName"}},
		{"ec2", "describe-vpc-endpoint-service-permissions", "DescribeVpcEndpointServicePermissions", []string{"--service-id", svc}, true, []string{"AllowedPrincipals[].Principal"}},
		{"ec2", "describe-vpc-endpoint-connections", "DescribeVpcEndpointConnections", nil, true, []string{"VpcEndpointConnections[?VpcEndpointState=='available'].VpcEndpointId"}},
		{"ec2", "describe-tags", "DescribeTags", []string{"--filters", "Name=resource-type,Values=vpc"}, true, []string{"Tags[?Key==`Name`].Value"}},
	}
}

// TestAWSCLIOutputOracle: every describe verb on the configs/topology.yaml
// state, in every output format, with the --query forms real scripts use,
// prints byte for byte what the AWS CLI v2 prints for the same responses
// (its formatter run on them, with the same query; paginated verbs paged
// by botocore's paginator calling gwlbctl once per page).
func TestAWSCLIOutputOracle(t *testing.T) {
	c := newCompatEnv(t)
	type job struct {
		name string
		args []string
		req  awsoracle.Request
	}
	var jobs []job
	for _, d := range c.describeCases() {
		base := append([]string{d.service, d.verb}, d.args...)
		raw := c.ok(append(base, "--output", "json")...)
		for _, q := range append([]string{""}, d.queries...) {
			for _, format := range []string{"json", "text", "table", "yaml", "yaml-stream"} {
				args := append(append([]string{}, base...), "--output", format)
				if q != "" {
					args = append(args, "--query", q)
				}
				req := awsoracle.Request{Service: d.service, Operation: d.op, Format: format, Query: q, Width: 80}
				if d.paginated {
					req.Paginate = &awsoracle.Paginate{Argv: c.argv(base...)}
				} else {
					req.Response = json.RawMessage(raw)
				}
				jobs = append(jobs, job{strings.Join(args, " "), args, req})
			}
		}
	}
	// Paging as scripts page: --max-items with the NextToken fed back as
	// --starting-token, and --page-size (more calls, same output).
	for _, p := range []struct {
		service, verb, op  string
		pageSize, maxItems int
	}{
		{"ec2", "describe-vpcs", "DescribeVpcs", 5, 3},
		{"ec2", "describe-vpcs", "DescribeVpcs", 5, 5},
		{"ec2", "describe-vpcs", "DescribeVpcs", 6, 0},
		{"ec2", "describe-subnets", "DescribeSubnets", 5, 2},
		{"ec2", "describe-route-tables", "DescribeRouteTables", 5, 4},
		{"ec2", "describe-tags", "DescribeTags", 5, 7},
		{"elbv2", "describe-target-groups", "DescribeTargetGroups", 1, 0},
	} {
		for _, format := range []string{"json", "text", "table", "yaml-stream"} {
			args := []string{p.service, p.verb, "--output", format, "--page-size", fmt.Sprint(p.pageSize)}
			pg := &awsoracle.Paginate{Argv: c.argv(p.service, p.verb), PageSize: &p.pageSize}
			if p.maxItems > 0 {
				args = append(args, "--max-items", fmt.Sprint(p.maxItems))
				pg.MaxItems = &p.maxItems
			}
			jobs = append(jobs, job{strings.Join(args, " "), args, awsoracle.Request{Service: p.service, Operation: p.op, Format: format, Width: 80, Paginate: pg}})
			if p.maxItems > 0 {
				var first struct{ NextToken string }
				if err := json.Unmarshal([]byte(c.ok(p.service, p.verb, "--page-size", fmt.Sprint(p.pageSize), "--max-items", fmt.Sprint(p.maxItems))), &first); err != nil || first.NextToken == "" {
					t.Fatalf("%s --max-items %d: no NextToken (%v)", p.verb, p.maxItems, err)
				}
				resume := append(append([]string{}, args...), "--starting-token", first.NextToken)
				pg2 := *pg
				pg2.StartingToken = first.NextToken
				jobs = append(jobs, job{strings.Join(resume, " "), resume, awsoracle.Request{Service: p.service, Operation: p.op, Format: format, Width: 80, Paginate: &pg2}})
			}
		}
	}
	reqs := make([]awsoracle.Request, len(jobs))
	for i, j := range jobs {
		reqs[i] = j.req
	}
	res := awsoracle.Format(t, reqs)
	failed := 0
	for i, j := range jobs {
		got := c.run(j.args...)
		want := res[i]
		switch {
		case want.Error != "":
			t.Errorf("gwlbctl %s: the AWS CLI's formatter failed: %s", j.name, want.Error)
			failed++
		case got.code != 0:
			t.Errorf("gwlbctl %s: exit %d: %s", j.name, got.code, got.stderr)
			failed++
		case got.stdout != want.Stdout:
			t.Errorf("gwlbctl %s:\n--- gwlbctl\n%s--- aws\n%s", j.name, got.stdout, want.Stdout)
			failed++
		}
		if failed > 10 {
			t.Fatal("too many differences")
		}
	}
	t.Logf("%d invocations compared with the AWS CLI's output", len(jobs))
}

// TestOutputSkeletonsMatchAWS: --generate-cli-skeleton output prints, for
// every member gwlbctl has, what the real AWS CLI v2 prints (run with no
// credentials: it does not call AWS for a skeleton), and nothing AWS's
// shape lacks.
func TestOutputSkeletonsMatchAWS(t *testing.T) {
	awsPath := "/usr/bin/aws"
	if _, err := exec.LookPath(awsPath); err != nil {
		awsoracle.Python(t) // says why when the CLI is missing
		t.Skip("/usr/bin/aws not found")
	}
	awsoracle.Python(t)
	bin, _ := buildGwlbctl(t)
	home := t.TempDir()
	env := cleanEnv(home, filepath.Join(home, "state.json"), "AWS_DEFAULT_REGION=us-east-1", "AWS_ACCESS_KEY_ID=x", "AWS_SECRET_ACCESS_KEY=x")
	for _, v := range [][]string{
		// (AWS CLI 2.9 cannot print the skeletons of describe-target-groups,
		// describe-target-health and describe-listeners: its own
		// placeholder 0 fails its check of their minimums.)
		{"elbv2", "describe-load-balancers"}, {"elbv2", "describe-tags", "--resource-arns", "x"}, {"ec2", "describe-vpcs"}, {"ec2", "describe-subnets"}, {"ec2", "describe-route-tables"},
		{"ec2", "describe-internet-gateways"}, {"ec2", "describe-vpc-endpoints"}, {"ec2", "describe-vpc-endpoint-services"},
		{"ec2", "create-route-table", "--vpc-id", "vpc-1"}, {"ec2", "associate-route-table", "--route-table-id", "rtb-1"},
		{"ec2", "create-internet-gateway"}, {"ec2", "describe-vpc-endpoint-connections"},
	} {
		args := append(append([]string{}, v...), "--generate-cli-skeleton", "output")
		got := run(t, bin, env, args...)
		cmd := exec.Command(awsPath, args...)
		cmd.Env = env
		want, err := cmd.Output()
		if err != nil || got.code != 0 {
			t.Errorf("%v: aws %v, gwlbctl exit %d %s", v, err, got.code, got.stderr)
			continue
		}
		g, w := leafPaths(t, got.stdout), leafPaths(t, string(want))
		for path, val := range g {
			if wv, ok := w[path]; !ok {
				if newerThanAWSCLI[v[1]+" "+path] {
					continue
				}
				t.Errorf("%v: gwlbctl's skeleton has %s, AWS's shape has not", v, path)
			} else if wv != val && !strings.HasSuffix(path, "[]") {
				t.Errorf("%v: %s is %s, AWS prints %s", v, path, val, wv)
			}
		}
	}
}

// newerThanAWSCLI are output members EC2 added after the AWS CLI Debian 12
// packages (2.9): the CLI's shape cannot have them. CreateRouteTable's
// ClientToken is in the EC2 API Reference's CreateRouteTable response
// elements (control/awsapi's model supplement).
var newerThanAWSCLI = map[string]bool{"create-route-table .ClientToken": true}

// leafPaths flattens a JSON document to path -> JSON of the leaf.
func leafPaths(t *testing.T, doc string) map[string]string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		t.Fatalf("skeleton is not JSON: %v\n%s", err, doc)
	}
	out := map[string]string{}
	var walk func(p string, v any)
	walk = func(p string, v any) {
		switch x := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				walk(p+"."+k, x[k])
			}
		case []any:
			for _, e := range x {
				walk(p+"[]", e)
			}
		default:
			b, _ := json.Marshal(x)
			out[p] = string(b)
		}
	}
	walk("", v)
	return out
}
