package elbv2

import (
	"os"
	"path/filepath"
	"testing"

	. "github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/clitest"
	"github.com/gwlbctl/gwlbctl/control"
)

const (
	lbArn = exLB
	tgArn = exTG
	lnArn = exListener
)

func TestCreateLoadBalancerFlags(t *testing.T) {
	FlagTests(t, NewCmdCreateLoadBalancer, func(o *CreateLoadBalancerOptions) control.CreateLoadBalancerInput { return o.Input },
		[]FlagCase[control.CreateLoadBalancerInput]{
			{Name: "space-separated subnets", Args: []string{"--name", "gw", "--type", "gateway", "--subnets", "subnet-a", "subnet-b"},
				Want: control.CreateLoadBalancerInput{Name: "gw", Type: "gateway", Subnets: []string{"subnet-a", "subnet-b"}}},
			{Name: "flags after the list", Args: []string{"--subnets", "subnet-a", "subnet-b", "--name", "gw", "--ip-address-type", "dualstack"},
				Want: control.CreateLoadBalancerInput{Name: "gw", IpAddressType: "dualstack", Subnets: []string{"subnet-a", "subnet-b"}}},
			{Name: "json subnets and tags", Args: []string{"--name=gw", `--subnets=["subnet-a"]`, "--tags", "Key=env,Value=lab", "Key=team,Value=net"},
				Want: control.CreateLoadBalancerInput{Name: "gw", Subnets: []string{"subnet-a"}, Tags: []control.Tag{{Key: "env", Value: "lab"}, {Key: "team", Value: "net"}}}},
			{Name: "subnet mappings", Args: []string{"--name", "gw", "--subnet-mappings", "SubnetId=subnet-a", "SubnetId=subnet-b"},
				Want: control.CreateLoadBalancerInput{Name: "gw", SubnetMappings: []control.SubnetMapping{{SubnetId: "subnet-a"}, {SubnetId: "subnet-b"}}}},
			{Name: "missing name", Args: []string{"--subnets", "subnet-a"}, WantErr: "the following arguments are required: --name"},
			{Name: "missing subnets", Args: []string{"--name", "gw"}, WantErr: "--subnets or --subnet-mappings"},
			{Name: "wrong type", Args: []string{"--name", "gw", "--subnets", "s", "--type", "network"}, WantErr: `argument --type: Invalid choice "network"`},
			{Name: "bad tag key", Args: []string{"--name", "gw", "--subnets", "s", "--tags", "Kee=env"}, WantErr: `unknown parameter "Kee"`},
			{Name: "positional", Args: []string{"gw"}, WantErr: "Unknown options: gw"},
			{Name: "unknown flag", Args: []string{"--name", "gw", "--subnets", "s", "--colour", "x"}, WantErr: "Unknown options: --colour"},
			{Name: "list flag without values", Args: []string{"--name", "gw", "--subnets"}, WantErr: "argument --subnets: expected one argument"},
		})
}

func TestDescribeLoadBalancersFlags(t *testing.T) {
	FlagTests(t, NewCmdDescribeLoadBalancers, func(o *DescribeLoadBalancersOptions) control.DescribeLoadBalancersInput { return o.Input },
		[]FlagCase[control.DescribeLoadBalancersInput]{
			{Name: "all", Args: nil, Want: control.DescribeLoadBalancersInput{}},
			{Name: "names", Args: []string{"--names", "a", "b"}, Want: control.DescribeLoadBalancersInput{Names: []string{"a", "b"}}},
			{Name: "arns", Args: []string{"--load-balancer-arns", lbArn}, Want: control.DescribeLoadBalancersInput{LoadBalancerArns: []string{lbArn}}},
			{Name: "empty list", Args: []string{"--names", ""}, WantErr: "expected at least one value"},
		})
}

func TestDeleteLoadBalancerFlags(t *testing.T) {
	FlagTests(t, NewCmdDeleteLoadBalancer, func(o *DeleteLoadBalancerOptions) control.DeleteLoadBalancerInput { return o.Input },
		[]FlagCase[control.DeleteLoadBalancerInput]{
			{Name: "arn", Args: []string{"--load-balancer-arn", lbArn}, Want: control.DeleteLoadBalancerInput{LoadBalancerArn: lbArn}},
			{Name: "missing", Args: nil, WantErr: "--load-balancer-arn"},
		})
}

func TestDescribeLoadBalancerAttributesFlags(t *testing.T) {
	FlagTests(t, NewCmdDescribeLoadBalancerAttributes, func(o *DescribeLoadBalancerAttributesOptions) control.DescribeLoadBalancerAttributesInput {
		return o.Input
	}, []FlagCase[control.DescribeLoadBalancerAttributesInput]{
		{Name: "arn", Args: []string{"--load-balancer-arn", lbArn}, Want: control.DescribeLoadBalancerAttributesInput{LoadBalancerArn: lbArn}},
		{Name: "missing", Args: nil, WantErr: "--load-balancer-arn"},
	})
}

func TestModifyLoadBalancerAttributesFlags(t *testing.T) {
	FlagTests(t, NewCmdModifyLoadBalancerAttributes, func(o *ModifyLoadBalancerAttributesOptions) control.ModifyLoadBalancerAttributesInput {
		return o.Input
	}, []FlagCase[control.ModifyLoadBalancerAttributesInput]{
		{Name: "shorthand", Args: []string{"--load-balancer-arn", lbArn, "--attributes", "Key=load_balancing.cross_zone.enabled,Value=true", "Key=deletion_protection.enabled,Value=false"},
			Want: control.ModifyLoadBalancerAttributesInput{LoadBalancerArn: lbArn, Attributes: []control.Attribute{
				{Key: "load_balancing.cross_zone.enabled", Value: "true"}, {Key: "deletion_protection.enabled", Value: "false"}}}},
		{Name: "json", Args: []string{"--load-balancer-arn", lbArn, "--attributes", `[{"Key":"deletion_protection.enabled","Value":"true"}]`},
			Want: control.ModifyLoadBalancerAttributesInput{LoadBalancerArn: lbArn, Attributes: []control.Attribute{{Key: "deletion_protection.enabled", Value: "true"}}}},
		{Name: "missing attributes", Args: []string{"--load-balancer-arn", lbArn}, WantErr: "--attributes"},
		{Name: "bad json", Args: []string{"--load-balancer-arn", lbArn, "--attributes", `[{"Key":1}]`}, WantErr: "invalid JSON"},
	})
}

func TestCreateTargetGroupFlags(t *testing.T) {
	matcherFile := filepath.Join(t.TempDir(), "matcher.json")
	if err := os.WriteFile(matcherFile, []byte(`{"HttpCode": "200"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	FlagTests(t, NewCmdCreateTargetGroup, func(o *CreateTargetGroupOptions) control.CreateTargetGroupInput { return o.Input },
		[]FlagCase[control.CreateTargetGroupInput]{
			{Name: "guide", Args: []string{"--name", "my-targets", "--protocol", "GENEVE", "--port", "6081", "--vpc-id", "vpc-1"},
				Want: control.CreateTargetGroupInput{Name: "my-targets", Protocol: "GENEVE", Port: Ptr(6081), VpcId: "vpc-1"}},
			{Name: "health checks", Args: []string{"--name", "tg", "--target-type", "ip", "--health-check-protocol", "HTTP", "--health-check-port", "8080",
				"--health-check-path", "/hc", "--health-check-interval-seconds", "20", "--health-check-timeout-seconds", "6",
				"--healthy-threshold-count", "3", "--unhealthy-threshold-count", "4", "--matcher", "HttpCode=200-299", "--health-check-enabled"},
				Want: control.CreateTargetGroupInput{Name: "tg", TargetType: "ip", HealthCheckProtocol: "HTTP", HealthCheckPort: "8080",
					HealthCheckPath: "/hc", HealthCheckIntervalSeconds: Ptr(20), HealthCheckTimeoutSeconds: Ptr(6),
					HealthyThresholdCount: Ptr(3), UnhealthyThresholdCount: Ptr(4), Matcher: &control.Matcher{HttpCode: "200-299"}, HealthCheckEnabled: Ptr(true)}},
			{Name: "no-health-check-enabled and file matcher", Args: []string{"--name", "tg", "--no-health-check-enabled", "--matcher", "file://" + matcherFile},
				Want: control.CreateTargetGroupInput{Name: "tg", HealthCheckEnabled: Ptr(false), Matcher: &control.Matcher{HttpCode: "200"}}},
			{Name: "both enabled flags", Args: []string{"--name", "tg", "--health-check-enabled", "--no-health-check-enabled"}, WantErr: "argument --no-health-check-enabled: not allowed with argument --health-check-enabled"},
			{Name: "wrong protocol", Args: []string{"--name", "tg", "--protocol", "TCP"}, WantErr: `argument --protocol: Invalid choice "TCP"`},
			{Name: "wrong target type", Args: []string{"--name", "tg", "--target-type", "lambda"}, WantErr: "--target-type"},
			{Name: "non-numeric port", Args: []string{"--name", "tg", "--port", "geneve"}, WantErr: `"geneve" is not an integer`},
			{Name: "bad matcher key", Args: []string{"--name", "tg", "--matcher", "Code=200"}, WantErr: `unknown parameter "Code"`},
			{Name: "cli-input-json, flags win", Args: []string{"--cli-input-json", `{"Name":"from-json","Protocol":"GENEVE","Port":6081,"HealthCheckEnabled":false,` +
				`"HealthCheckIntervalSeconds":20,"Matcher":{"HttpCode":"200"},"Tags":[{"Key":"a","Value":"b"}]}`, "--name", "from-flag"},
				Want: control.CreateTargetGroupInput{Name: "from-flag", Protocol: "GENEVE", Port: Ptr(6081), HealthCheckEnabled: Ptr(false),
					HealthCheckIntervalSeconds: Ptr(20), Matcher: &control.Matcher{HttpCode: "200"}, Tags: []control.Tag{{Key: "a", Value: "b"}}}},
			{Name: "cli-input-json unknown member", Args: []string{"--cli-input-json", `{"Nme":"x"}`}, WantErr: `argument --cli-input-json: unknown parameter "Nme"`},
		})
}

func TestModifyTargetGroupFlags(t *testing.T) {
	FlagTests(t, NewCmdModifyTargetGroup, func(o *ModifyTargetGroupOptions) control.ModifyTargetGroupInput { return o.Input },
		[]FlagCase[control.ModifyTargetGroupInput]{
			{Name: "interval", Args: []string{"--target-group-arn", tgArn, "--health-check-interval-seconds", "30", "--health-check-protocol", "TCP"},
				Want: control.ModifyTargetGroupInput{TargetGroupArn: tgArn, HealthCheckIntervalSeconds: Ptr(30), HealthCheckProtocol: "TCP"}},
			{Name: "missing arn", Args: []string{"--health-check-interval-seconds", "30"}, WantErr: "--target-group-arn"},
			{Name: "bad protocol", Args: []string{"--target-group-arn", tgArn, "--health-check-protocol", "UDP"}, WantErr: "--health-check-protocol"},
		})
}

func TestDescribeTargetGroupsFlags(t *testing.T) {
	FlagTests(t, NewCmdDescribeTargetGroups, func(o *DescribeTargetGroupsOptions) control.DescribeTargetGroupsInput { return o.Input },
		[]FlagCase[control.DescribeTargetGroupsInput]{
			{Name: "all", Want: control.DescribeTargetGroupsInput{}},
			{Name: "by lb", Args: []string{"--load-balancer-arn", lbArn}, Want: control.DescribeTargetGroupsInput{LoadBalancerArn: lbArn}},
			{Name: "by name", Args: []string{"--names", "a", "b"}, Want: control.DescribeTargetGroupsInput{Names: []string{"a", "b"}}},
			{Name: "by arn", Args: []string{"--target-group-arns", tgArn}, Want: control.DescribeTargetGroupsInput{TargetGroupArns: []string{tgArn}}},
		})
}

func TestDeleteTargetGroupFlags(t *testing.T) {
	FlagTests(t, NewCmdDeleteTargetGroup, func(o *DeleteTargetGroupOptions) control.DeleteTargetGroupInput { return o.Input },
		[]FlagCase[control.DeleteTargetGroupInput]{
			{Name: "arn", Args: []string{"--target-group-arn", tgArn}, Want: control.DeleteTargetGroupInput{TargetGroupArn: tgArn}},
			{Name: "missing", WantErr: "--target-group-arn"},
		})
}

func TestDescribeTargetGroupAttributesFlags(t *testing.T) {
	FlagTests(t, NewCmdDescribeTargetGroupAttributes, func(o *DescribeTargetGroupAttributesOptions) control.DescribeTargetGroupAttributesInput {
		return o.Input
	}, []FlagCase[control.DescribeTargetGroupAttributesInput]{
		{Name: "arn", Args: []string{"--target-group-arn", tgArn}, Want: control.DescribeTargetGroupAttributesInput{TargetGroupArn: tgArn}},
		{Name: "missing", WantErr: "--target-group-arn"},
	})
}

func TestModifyTargetGroupAttributesFlags(t *testing.T) {
	FlagTests(t, NewCmdModifyTargetGroupAttributes, func(o *ModifyTargetGroupAttributesOptions) control.ModifyTargetGroupAttributesInput {
		return o.Input
	}, []FlagCase[control.ModifyTargetGroupAttributesInput]{
		{Name: "stickiness", Args: []string{"--target-group-arn", tgArn, "--attributes", "Key=stickiness.enabled,Value=true", "Key=stickiness.type,Value=source_ip_dest_ip"},
			Want: control.ModifyTargetGroupAttributesInput{TargetGroupArn: tgArn, Attributes: []control.Attribute{
				{Key: "stickiness.enabled", Value: "true"}, {Key: "stickiness.type", Value: "source_ip_dest_ip"}}}},
		{Name: "missing attributes", Args: []string{"--target-group-arn", tgArn}, WantErr: "--attributes"},
		{Name: "malformed", Args: []string{"--target-group-arn", tgArn, "--attributes", "Key"}, WantErr: "expected '=' after key"},
	})
}

func TestRegisterTargetsFlags(t *testing.T) {
	FlagTests(t, NewCmdRegisterTargets, func(o *RegisterTargetsOptions) control.RegisterTargetsInput { return o.Input },
		[]FlagCase[control.RegisterTargetsInput]{
			{Name: "shorthand", Args: []string{"--target-group-arn", tgArn, "--targets", "Id=10.0.1.10,AvailabilityZone=us-east-1a", "Id=10.0.2.10,Port=6081"},
				Want: control.RegisterTargetsInput{TargetGroupArn: tgArn, Targets: []control.TargetDescription{
					{Id: "10.0.1.10", AvailabilityZone: "us-east-1a"}, {Id: "10.0.2.10", Port: Ptr(6081)}}}},
			{Name: "cli-input-json", Args: []string{"--cli-input-json", `{"TargetGroupArn":"` + tgArn + `","Targets":[{"Id":"10.0.1.10"},{"Id":"10.0.2.10","AvailabilityZone":"us-east-1b"}]}`},
				Want: control.RegisterTargetsInput{TargetGroupArn: tgArn, Targets: []control.TargetDescription{{Id: "10.0.1.10"}, {Id: "10.0.2.10", AvailabilityZone: "us-east-1b"}}}},
			{Name: "json", Args: []string{"--target-group-arn", tgArn, "--targets", `[{"Id":"i-0123456789abcdef0"}]`},
				Want: control.RegisterTargetsInput{TargetGroupArn: tgArn, Targets: []control.TargetDescription{{Id: "i-0123456789abcdef0"}}}},
			{Name: "missing targets", Args: []string{"--target-group-arn", tgArn}, WantErr: "--targets"},
			{Name: "unknown key", Args: []string{"--target-group-arn", tgArn, "--targets", "Ip=10.0.0.1"}, WantErr: `unknown parameter "Ip", must be one of: Id, Port, AvailabilityZone`},
			{Name: "bad port", Args: []string{"--target-group-arn", tgArn, "--targets", "Id=10.0.0.1,Port=x"}, WantErr: `"x" is not an integer`},
		})
}

func TestDeregisterTargetsFlags(t *testing.T) {
	FlagTests(t, NewCmdDeregisterTargets, func(o *DeregisterTargetsOptions) control.DeregisterTargetsInput { return o.Input },
		[]FlagCase[control.DeregisterTargetsInput]{
			{Name: "two", Args: []string{"--target-group-arn", tgArn, "--targets", "Id=10.0.1.10", "Id=10.0.2.10"},
				Want: control.DeregisterTargetsInput{TargetGroupArn: tgArn, Targets: []control.TargetDescription{{Id: "10.0.1.10"}, {Id: "10.0.2.10"}}}},
			{Name: "missing", Args: []string{"--targets", "Id=10.0.1.10"}, WantErr: "--target-group-arn"},
		})
}

func TestDescribeTargetHealthFlags(t *testing.T) {
	FlagTests(t, NewCmdDescribeTargetHealth, func(o *DescribeTargetHealthOptions) control.DescribeTargetHealthInput { return o.Input },
		[]FlagCase[control.DescribeTargetHealthInput]{
			{Name: "all", Args: []string{"--target-group-arn", tgArn}, Want: control.DescribeTargetHealthInput{TargetGroupArn: tgArn}},
			{Name: "one", Args: []string{"--target-group-arn", tgArn, "--targets", "Id=10.0.1.10"},
				Want: control.DescribeTargetHealthInput{TargetGroupArn: tgArn, Targets: []control.TargetDescription{{Id: "10.0.1.10"}}}},
			{Name: "missing", WantErr: "--target-group-arn"},
		})
}

func TestCreateListenerFlags(t *testing.T) {
	FlagTests(t, NewCmdCreateListener, func(o *CreateListenerOptions) control.CreateListenerInput { return o.Input },
		[]FlagCase[control.CreateListenerInput]{
			{Name: "guide", Args: []string{"--load-balancer-arn", lbArn, "--default-actions", "Type=forward,TargetGroupArn=" + tgArn},
				Want: control.CreateListenerInput{LoadBalancerArn: lbArn, DefaultActions: []control.Action{{Type: "forward", TargetGroupArn: tgArn}}}},
			{Name: "forward config", Args: []string{"--load-balancer-arn", lbArn, "--default-actions", "Type=forward,ForwardConfig={TargetGroups=[{TargetGroupArn=" + tgArn + "}]}"},
				Want: control.CreateListenerInput{LoadBalancerArn: lbArn, DefaultActions: []control.Action{{Type: "forward",
					ForwardConfig: &control.ForwardConfig{TargetGroups: []control.TargetGroupTuple{{TargetGroupArn: tgArn}}}}}}},
			{Name: "port passed on", Args: []string{"--load-balancer-arn", lbArn, "--port", "80", "--default-actions", "Type=forward,TargetGroupArn=" + tgArn},
				Want: control.CreateListenerInput{LoadBalancerArn: lbArn, Port: Ptr(80), DefaultActions: []control.Action{{Type: "forward", TargetGroupArn: tgArn}}}},
			{Name: "missing actions", Args: []string{"--load-balancer-arn", lbArn}, WantErr: "--default-actions"},
		})
}

func TestModifyListenerFlags(t *testing.T) {
	FlagTests(t, NewCmdModifyListener, func(o *ModifyListenerOptions) control.ModifyListenerInput { return o.Input },
		[]FlagCase[control.ModifyListenerInput]{
			{Name: "actions", Args: []string{"--listener-arn", lnArn, "--default-actions", "Type=forward,TargetGroupArn=" + tgArn},
				Want: control.ModifyListenerInput{ListenerArn: lnArn, DefaultActions: []control.Action{{Type: "forward", TargetGroupArn: tgArn}}}},
			{Name: "missing arn", Args: []string{"--default-actions", "Type=forward"}, WantErr: "--listener-arn"},
		})
}

func TestDescribeListenersFlags(t *testing.T) {
	FlagTests(t, NewCmdDescribeListeners, func(o *DescribeListenersOptions) control.DescribeListenersInput { return o.Input },
		[]FlagCase[control.DescribeListenersInput]{
			{Name: "by lb", Args: []string{"--load-balancer-arn", lbArn}, Want: control.DescribeListenersInput{LoadBalancerArn: lbArn}},
			{Name: "by arn", Args: []string{"--listener-arns", lnArn}, Want: control.DescribeListenersInput{ListenerArns: []string{lnArn}}},
			{Name: "neither", WantErr: "one of --load-balancer-arn, --listener-arns is required"},
			{Name: "both", Args: []string{"--load-balancer-arn", lbArn, "--listener-arns", lnArn}, WantErr: "only one of"},
		})
}

func TestDeleteListenerFlags(t *testing.T) {
	FlagTests(t, NewCmdDeleteListener, func(o *DeleteListenerOptions) control.DeleteListenerInput { return o.Input },
		[]FlagCase[control.DeleteListenerInput]{
			{Name: "arn", Args: []string{"--listener-arn", lnArn}, Want: control.DeleteListenerInput{ListenerArn: lnArn}},
			{Name: "missing", WantErr: "--listener-arn"},
		})
}

func TestDescribeListenerAttributesFlags(t *testing.T) {
	FlagTests(t, NewCmdDescribeListenerAttributes, func(o *DescribeListenerAttributesOptions) control.DescribeListenerAttributesInput { return o.Input },
		[]FlagCase[control.DescribeListenerAttributesInput]{
			{Name: "arn", Args: []string{"--listener-arn", lnArn}, Want: control.DescribeListenerAttributesInput{ListenerArn: lnArn}},
			{Name: "missing", WantErr: "--listener-arn"},
		})
}

func TestModifyListenerAttributesFlags(t *testing.T) {
	FlagTests(t, NewCmdModifyListenerAttributes, func(o *ModifyListenerAttributesOptions) control.ModifyListenerAttributesInput { return o.Input },
		[]FlagCase[control.ModifyListenerAttributesInput]{
			{Name: "idle timeout", Args: []string{"--listener-arn", lnArn, "--attributes", "Key=tcp.idle_timeout.seconds,Value=600"},
				Want: control.ModifyListenerAttributesInput{ListenerArn: lnArn, Attributes: []control.Attribute{{Key: "tcp.idle_timeout.seconds", Value: "600"}}}},
			{Name: "missing", Args: []string{"--listener-arn", lnArn}, WantErr: "--attributes"},
		})
}

func TestAddTagsFlags(t *testing.T) {
	FlagTests(t, NewCmdAddTags, func(o *AddTagsOptions) control.AddTagsInput { return o.Input },
		[]FlagCase[control.AddTagsInput]{
			{Name: "two arns two tags", Args: []string{"--resource-arns", lbArn, tgArn, "--tags", "Key=env,Value=lab", "Key=empty,Value="},
				Want: control.AddTagsInput{ResourceArns: []string{lbArn, tgArn}, Tags: []control.Tag{{Key: "env", Value: "lab"}, {Key: "empty", Value: ""}}}},
			{Name: "missing tags", Args: []string{"--resource-arns", lbArn}, WantErr: "--tags"},
		})
}

func TestRemoveTagsFlags(t *testing.T) {
	FlagTests(t, NewCmdRemoveTags, func(o *RemoveTagsOptions) control.RemoveTagsInput { return o.Input },
		[]FlagCase[control.RemoveTagsInput]{
			{Name: "keys", Args: []string{"--resource-arns", lbArn, "--tag-keys", "env", "team"},
				Want: control.RemoveTagsInput{ResourceArns: []string{lbArn}, TagKeys: []string{"env", "team"}}},
			{Name: "missing keys", Args: []string{"--resource-arns", lbArn}, WantErr: "--tag-keys"},
		})
}

func TestDescribeTagsFlags(t *testing.T) {
	FlagTests(t, NewCmdDescribeTags, func(o *DescribeTagsOptions) control.DescribeTagsInput { return o.Input },
		[]FlagCase[control.DescribeTagsInput]{
			{Name: "arns", Args: []string{"--resource-arns", lbArn, tgArn}, Want: control.DescribeTagsInput{ResourceArns: []string{lbArn, tgArn}}},
			{Name: "missing", WantErr: "--resource-arns"},
		})
}
