package control

import (
	"fmt"
	"strings"
	"testing"
)

type badCase struct {
	name string
	prep func(t *testing.T, f *fixture)
	run  func(f *fixture) error
	code string
}

func lbIn(name string, subnets ...string) CreateLoadBalancerInput {
	return CreateLoadBalancerInput{Name: name, Type: "gateway", Subnets: subnets}
}

func tgIn(f *fixture, mod func(*CreateTargetGroupInput)) CreateTargetGroupInput {
	in := CreateTargetGroupInput{Name: "new-tg", Protocol: "GENEVE", Port: ptr(6081), VpcId: f.vpc, TargetType: "ip"}
	if mod != nil {
		mod(&in)
	}
	return in
}

func errOf[T any](_ T, err error) error { return err }

// unsuccessful turns an EC2 batch result into its first per-item error.
func unsuccessfulErr(op string, u Unsuccessful, err error) error {
	if err != nil {
		return err
	}
	return u.Err(op)
}

func badCases() []badCase {
	var cases []badCase
	add := func(name, code string, run func(f *fixture) error) {
		cases = append(cases, badCase{name: name, code: code, run: run})
	}
	addPrep := func(name, code string, prep func(t *testing.T, f *fixture), run func(f *fixture) error) {
		cases = append(cases, badCase{name: name, code: code, prep: prep, run: run})
	}

	// --- load balancer names and settings
	for _, n := range []string{"", strings.Repeat("a", 33), "under_score", "-lead", "trail-", "dot.ted", "internal-lb", "Internal-LB"} {
		add("lb name "+fmt.Sprintf("%q", n), CodeValidationError, func(f *fixture) error {
			return errOf(f.s.CreateLoadBalancer(f.env, lbIn(n, f.subC)))
		})
	}
	add("lb type application", CodeValidationError, func(f *fixture) error {
		in := lbIn("x", f.subC)
		in.Type = "application"
		return errOf(f.s.CreateLoadBalancer(f.env, in))
	})
	add("lb security groups", CodeInvalidConfigurationRequest, func(f *fixture) error {
		in := lbIn("x", f.subC)
		in.SecurityGroups = []string{"sg-1"}
		return errOf(f.s.CreateLoadBalancer(f.env, in))
	})
	add("lb scheme", CodeInvalidConfigurationRequest, func(f *fixture) error {
		in := lbIn("x", f.subC)
		in.Scheme = "internet-facing"
		return errOf(f.s.CreateLoadBalancer(f.env, in))
	})
	add("lb ip address type", CodeValidationError, func(f *fixture) error {
		in := lbIn("x", f.subC)
		in.IpAddressType = "ipv6"
		return errOf(f.s.CreateLoadBalancer(f.env, in))
	})
	add("lb no subnets", CodeValidationError, func(f *fixture) error { return errOf(f.s.CreateLoadBalancer(f.env, lbIn("x"))) })
	add("lb unknown subnet", CodeSubnetNotFound, func(f *fixture) error {
		return errOf(f.s.CreateLoadBalancer(f.env, lbIn("x", "subnet-0123456789abcdef0")))
	})
	addPrep("lb two subnets in one zone", CodeInvalidConfigurationRequest, func(t *testing.T, f *fixture) {
		must(f.s.CreateSubnet(f.env, CreateSubnetInput{VpcId: f.vpc, CidrBlock: "10.0.9.0/24", AvailabilityZone: "us-east-1c"}))(t)
	}, func(f *fixture) error {
		return errOf(f.s.CreateLoadBalancer(f.env, lbIn("x", f.subC, f.s.Subnets[len(f.s.Subnets)-1].SubnetId)))
	})
	add("lb subnets in two VPCs", CodeInvalidConfigurationRequest, func(f *fixture) error {
		return errOf(f.s.CreateLoadBalancer(f.env, lbIn("x", f.subC, f.consA)))
	})
	add("lb same subnet twice", CodeInvalidConfigurationRequest, func(f *fixture) error {
		return errOf(f.s.CreateLoadBalancer(f.env, lbIn("x", f.subC, f.subC)))
	})
	add("lb duplicate name, other subnets", CodeDuplicateLoadBalancerName, func(f *fixture) error {
		return errOf(f.s.CreateLoadBalancer(f.env, lbIn(f.lbName, f.subA)))
	})
	addPrep("lb quota 100", CodeTooManyLoadBalancers, func(t *testing.T, f *fixture) { f.fillLoadBalancers(t, MaxLoadBalancers-1) },
		func(f *fixture) error { return errOf(f.s.CreateLoadBalancer(f.env, lbIn("one-too-many", f.subC))) })
	add("describe lb unknown arn", CodeLoadBalancerNotFound, func(f *fixture) error {
		return errOf(f.s.DescribeLoadBalancers(f.env, DescribeLoadBalancersInput{LoadBalancerArns: []string{f.lbArn + "0"}}))
	})
	add("describe lb unknown name", CodeLoadBalancerNotFound, func(f *fixture) error {
		return errOf(f.s.DescribeLoadBalancers(f.env, DescribeLoadBalancersInput{Names: []string{"nope"}}))
	})
	add("describe lb malformed arn", CodeValidationError, func(f *fixture) error {
		return errOf(f.s.DescribeLoadBalancers(f.env, DescribeLoadBalancersInput{LoadBalancerArns: []string{"arn:nope"}}))
	})
	add("describe lb names and arns", CodeValidationError, func(f *fixture) error {
		return errOf(f.s.DescribeLoadBalancers(f.env, DescribeLoadBalancersInput{Names: []string{"gwlb"}, LoadBalancerArns: []string{f.lbArn}}))
	})
	add("delete lb used by endpoint service", CodeResourceInUse, func(f *fixture) error {
		return errOf(f.s.DeleteLoadBalancer(f.env, DeleteLoadBalancerInput{LoadBalancerArn: f.lbArn}))
	})
	addPrep("delete lb with deletion protection", CodeOperationNotPermitted, func(t *testing.T, f *fixture) {
		arn := must(f.s.CreateLoadBalancer(f.env, lbIn("protected", f.subC)))(t).LoadBalancers[0].LoadBalancerArn
		must(f.s.ModifyLoadBalancerAttributes(f.env, ModifyLoadBalancerAttributesInput{LoadBalancerArn: arn, Attributes: []Attribute{{Key: AttrDeletionProtectionEnabled, Value: "true"}}}))(t)
	}, func(f *fixture) error {
		return errOf(f.s.DeleteLoadBalancer(f.env, DeleteLoadBalancerInput{LoadBalancerArn: f.s.LoadBalancerByName("protected").LoadBalancer.LoadBalancerArn}))
	})
	add("lb attribute unknown key", CodeValidationError, func(f *fixture) error {
		return errOf(f.s.ModifyLoadBalancerAttributes(f.env, ModifyLoadBalancerAttributesInput{LoadBalancerArn: f.lbArn, Attributes: []Attribute{{Key: "idle_timeout.timeout_seconds", Value: "60"}}}))
	})
	add("lb attribute bad value", CodeValidationError, func(f *fixture) error {
		return errOf(f.s.ModifyLoadBalancerAttributes(f.env, ModifyLoadBalancerAttributesInput{LoadBalancerArn: f.lbArn, Attributes: []Attribute{{Key: AttrCrossZoneEnabled, Value: "yes"}}}))
	})
	add("lb attributes of unknown lb", CodeLoadBalancerNotFound, func(f *fixture) error {
		return errOf(f.s.DescribeLoadBalancerAttributes(f.env, DescribeLoadBalancerAttributesInput{LoadBalancerArn: strings.Replace(f.lbArn, "gwlb/", "other/", 1)}))
	})

	// --- target groups
	tgBad := map[string]func(*CreateTargetGroupInput){
		"tg name bad char":       func(in *CreateTargetGroupInput) { in.Name = "tg_1" },
		"tg name too long":       func(in *CreateTargetGroupInput) { in.Name = strings.Repeat("t", 33) },
		"tg name leading hyphen": func(in *CreateTargetGroupInput) { in.Name = "-tg" },
		"tg protocol TCP":        func(in *CreateTargetGroupInput) { in.Protocol = "TCP" },
		"tg protocol missing":    func(in *CreateTargetGroupInput) { in.Protocol = "" },
		"tg port 80":             func(in *CreateTargetGroupInput) { in.Port = ptr(80) },
		"tg port missing":        func(in *CreateTargetGroupInput) { in.Port = nil },
		"tg vpc missing":         func(in *CreateTargetGroupInput) { in.VpcId = "" },
		"tg vpc unknown":         func(in *CreateTargetGroupInput) { in.VpcId = "vpc-0123456789abcdef0" },
		"tg target type lambda":  func(in *CreateTargetGroupInput) { in.TargetType = "lambda" },
		"tg target type alb":     func(in *CreateTargetGroupInput) { in.TargetType = "alb" },
		"tg ipv6":                func(in *CreateTargetGroupInput) { in.IpAddressType = "ipv6" },
		"hc interval 4":          func(in *CreateTargetGroupInput) { in.HealthCheckIntervalSeconds = ptr(4) },
		"hc interval 301":        func(in *CreateTargetGroupInput) { in.HealthCheckIntervalSeconds = ptr(301) },
		"hc timeout 1":           func(in *CreateTargetGroupInput) { in.HealthCheckTimeoutSeconds = ptr(1) },
		"hc timeout 121":         func(in *CreateTargetGroupInput) { in.HealthCheckTimeoutSeconds = ptr(121) },
		"hc healthy 1":           func(in *CreateTargetGroupInput) { in.HealthyThresholdCount = ptr(1) },
		"hc healthy 11":          func(in *CreateTargetGroupInput) { in.HealthyThresholdCount = ptr(11) },
		"hc unhealthy 1":         func(in *CreateTargetGroupInput) { in.UnhealthyThresholdCount = ptr(1) },
		"hc unhealthy 11":        func(in *CreateTargetGroupInput) { in.UnhealthyThresholdCount = ptr(11) },
		"hc interval < timeout": func(in *CreateTargetGroupInput) {
			in.HealthCheckIntervalSeconds, in.HealthCheckTimeoutSeconds = ptr(5), ptr(6)
		},
		"hc protocol UDP":       func(in *CreateTargetGroupInput) { in.HealthCheckProtocol = "UDP" },
		"hc port 0":             func(in *CreateTargetGroupInput) { in.HealthCheckPort = "0" },
		"hc port 65536":         func(in *CreateTargetGroupInput) { in.HealthCheckPort = "65536" },
		"hc port traffic-port":  func(in *CreateTargetGroupInput) { in.HealthCheckPort = "traffic-port" },
		"hc path with TCP":      func(in *CreateTargetGroupInput) { in.HealthCheckPath = "/health" },
		"hc path without slash": func(in *CreateTargetGroupInput) { in.HealthCheckProtocol, in.HealthCheckPath = "HTTP", "health" },
		"hc matcher with TCP":   func(in *CreateTargetGroupInput) { in.Matcher = &Matcher{HttpCode: "200"} },
		"hc matcher syntax": func(in *CreateTargetGroupInput) {
			in.HealthCheckProtocol, in.Matcher = "HTTP", &Matcher{HttpCode: "2xx"}
		},
		"hc matcher 100": func(in *CreateTargetGroupInput) {
			in.HealthCheckProtocol, in.Matcher = "HTTP", &Matcher{HttpCode: "100-200"}
		},
		"hc matcher 400": func(in *CreateTargetGroupInput) {
			// GWLB accepts 200-399 only (ALB's 200-499 does not apply).
			in.HealthCheckProtocol, in.Matcher = "HTTP", &Matcher{HttpCode: "200,400"}
		},
		"hc disabled":             func(in *CreateTargetGroupInput) { in.HealthCheckEnabled = ptr(false) },
		"tg protocol version":     func(in *CreateTargetGroupInput) { in.ProtocolVersion = "HTTP1" },
		"tg tag with aws: prefix": func(in *CreateTargetGroupInput) { in.Tags = []Tag{{Key: "aws:x", Value: "1"}} },
		"tg duplicate tag keys":   func(in *CreateTargetGroupInput) { in.Tags = []Tag{{Key: "a", Value: "1"}, {Key: "a", Value: "2"}} },
		"tg duplicate name differs": func(in *CreateTargetGroupInput) {
			in.Name, in.HealthCheckPort = "appliances", "8080"
		},
	}
	for name, mod := range tgBad {
		code := CodeValidationError
		switch name {
		case "tg duplicate name differs":
			code = CodeDuplicateTargetGroupName
		case "tg duplicate tag keys":
			code = CodeDuplicateTagKeys
		}
		add(name, code, func(f *fixture) error { return errOf(f.s.CreateTargetGroup(f.env, tgIn(f, mod))) })
	}
	addPrep("tg quota 100", CodeTooManyTargetGroups, func(t *testing.T, f *fixture) { f.fillTargetGroups(t, MaxTargetGroups-1) },
		func(f *fixture) error { return errOf(f.s.CreateTargetGroup(f.env, tgIn(f, nil))) })
	add("delete tg used by listener", CodeResourceInUse, func(f *fixture) error {
		return errOf(f.s.DeleteTargetGroup(f.env, DeleteTargetGroupInput{TargetGroupArn: f.tgArn}))
	})
	add("modify tg unknown", CodeTargetGroupNotFound, func(f *fixture) error {
		return errOf(f.s.ModifyTargetGroup(f.env, ModifyTargetGroupInput{TargetGroupArn: f.tgArn + "0", HealthCheckIntervalSeconds: ptr(30)}))
	})
	add("modify tg interval below timeout", CodeValidationError, func(f *fixture) error {
		return errOf(f.s.ModifyTargetGroup(f.env, ModifyTargetGroupInput{TargetGroupArn: f.tgArn, HealthCheckTimeoutSeconds: ptr(20)}))
	})
	add("describe tg unknown name", CodeTargetGroupNotFound, func(f *fixture) error {
		return errOf(f.s.DescribeTargetGroups(f.env, DescribeTargetGroupsInput{Names: []string{"nope"}}))
	})
	tgAttr := func(name, code string, attrs ...Attribute) {
		add(name, code, func(f *fixture) error {
			return errOf(f.s.ModifyTargetGroupAttributes(f.env, ModifyTargetGroupAttributesInput{TargetGroupArn: f.tgArn, Attributes: attrs}))
		})
	}
	tgAttr("failover attributes differ", CodeValidationError, Attribute{Key: AttrFailoverOnDeregistration, Value: FailoverRebalance})
	tgAttr("failover attributes set apart", CodeValidationError, Attribute{Key: AttrFailoverOnDeregistration, Value: FailoverRebalance}, Attribute{Key: AttrFailoverOnUnhealthy, Value: FailoverNoRebalance})
	tgAttr("failover bad value", CodeValidationError, Attribute{Key: AttrFailoverOnUnhealthy, Value: "sometimes"}, Attribute{Key: AttrFailoverOnDeregistration, Value: "sometimes"})
	tgAttr("deregistration delay 3601", CodeValidationError, Attribute{Key: AttrDeregistrationDelay, Value: "3601"})
	tgAttr("deregistration delay -1", CodeValidationError, Attribute{Key: AttrDeregistrationDelay, Value: "-1"})
	tgAttr("stickiness type source_ip", CodeValidationError, Attribute{Key: AttrStickinessType, Value: "source_ip"})
	tgAttr("stickiness enabled maybe", CodeValidationError, Attribute{Key: AttrStickinessEnabled, Value: "maybe"})
	tgAttr("tg attribute unknown", CodeValidationError, Attribute{Key: "slow_start.duration_seconds", Value: "30"})
	tgAttr("tg attributes empty", CodeValidationError)
	addPrep("stickiness with custom idle timeout", CodeInvalidConfigurationRequest, func(t *testing.T, f *fixture) {
		must(f.s.ModifyListenerAttributes(f.env, ModifyListenerAttributesInput{ListenerArn: f.listenerArn, Attributes: []Attribute{{Key: AttrTCPIdleTimeout, Value: "600"}}}))(t)
	}, func(f *fixture) error {
		return errOf(f.s.ModifyTargetGroupAttributes(f.env, ModifyTargetGroupAttributesInput{TargetGroupArn: f.tgArn, Attributes: []Attribute{{Key: AttrStickinessEnabled, Value: "true"}}}))
	})

	// --- targets
	reg := func(name, code string, ts ...TargetDescription) {
		add(name, code, func(f *fixture) error {
			return errOf(f.s.RegisterTargets(f.env, RegisterTargetsInput{TargetGroupArn: f.tgArn, Targets: ts}))
		})
	}
	reg("target bad ip", CodeInvalidTarget, TargetDescription{Id: "10.0.1"})
	reg("target instance id in ip group", CodeInvalidTarget, TargetDescription{Id: "i-0123456789abcdef0"})
	reg("target ipv6", CodeInvalidTarget, TargetDescription{Id: "2001:db8::1", AvailabilityZone: "us-east-1a"})
	reg("target loopback", CodeInvalidTarget, TargetDescription{Id: "127.0.0.1", AvailabilityZone: "us-east-1a"})
	reg("target multicast", CodeInvalidTarget, TargetDescription{Id: "224.0.0.1", AvailabilityZone: "us-east-1a"})
	reg("target outside vpc without zone", CodeInvalidTarget, TargetDescription{Id: "172.16.0.1"})
	reg("target zone contradicts subnet", CodeInvalidTarget, TargetDescription{Id: "10.0.2.10", AvailabilityZone: "us-east-1a"})
	reg("target zone of other region", CodeValidationError, TargetDescription{Id: "172.16.0.1", AvailabilityZone: "eu-west-1a"})
	reg("target zone all", CodeValidationError, TargetDescription{Id: "172.16.0.1", AvailabilityZone: "all"})
	reg("target port 80", CodeValidationError, TargetDescription{Id: "10.0.1.11", Port: ptr(80)})
	reg("good target then bad one", CodeInvalidTarget, TargetDescription{Id: "10.0.1.12"}, TargetDescription{Id: "bad"})
	reg("no targets", CodeValidationError)
	add("register unknown tg", CodeTargetGroupNotFound, func(f *fixture) error {
		return errOf(f.s.RegisterTargets(f.env, RegisterTargetsInput{TargetGroupArn: f.tgArn + "0", Targets: []TargetDescription{{Id: "10.0.1.11"}}}))
	})
	addPrep("instance id malformed", CodeInvalidTarget, func(t *testing.T, f *fixture) {
		must(f.s.CreateTargetGroup(f.env, CreateTargetGroupInput{Name: "inst", Protocol: "GENEVE", Port: ptr(6081), VpcId: f.vpc}))(t)
	}, func(f *fixture) error {
		return errOf(f.s.RegisterTargets(f.env, RegisterTargetsInput{TargetGroupArn: f.s.TargetGroupByName("inst").TargetGroup.TargetGroupArn, Targets: []TargetDescription{{Id: "i-xyz"}}}))
	})
	addPrep("quota 300 targets per zone per group", CodeTooManyTargets, func(t *testing.T, f *fixture) {
		f.registerN(t, f.spareTargetGroup(t), "us-east-1d", 0, MaxTargetsPerZonePerGroup)
	}, func(f *fixture) error {
		return errOf(f.s.RegisterTargets(f.env, RegisterTargetsInput{TargetGroupArn: f.s.TargetGroupByName("spare").TargetGroup.TargetGroupArn, Targets: []TargetDescription{{Id: "172.30.0.1", AvailabilityZone: "us-east-1d"}}}))
	})
	addPrep("quota 1000 targets per group", CodeTooManyTargets, func(t *testing.T, f *fixture) {
		arn := f.spareTargetGroup(t)
		f.registerN(t, arn, "us-east-1a", 0, 300)
		f.registerN(t, arn, "us-east-1b", 1, 300)
		f.registerN(t, arn, "us-east-1c", 2, 300)
		f.registerN(t, arn, "us-east-1d", 3, 100)
	}, func(f *fixture) error {
		return errOf(f.s.RegisterTargets(f.env, RegisterTargetsInput{TargetGroupArn: f.s.TargetGroupByName("spare").TargetGroup.TargetGroupArn, Targets: []TargetDescription{{Id: "172.30.0.1", AvailabilityZone: "us-east-1e"}}}))
	})
	addPrep("quota 300 targets per load balancer", CodeTooManyTargets, func(t *testing.T, f *fixture) {
		f.registerN(t, f.tgArn, "us-east-1a", 0, 150)
		f.registerN(t, f.tgArn, "us-east-1b", 1, 149) // + the fixture's target = 300
	}, func(f *fixture) error {
		return errOf(f.s.RegisterTargets(f.env, RegisterTargetsInput{TargetGroupArn: f.tgArn, Targets: []TargetDescription{{Id: "172.30.0.1", AvailabilityZone: "us-east-1c"}}}))
	})
	add("deregister unregistered target", CodeInvalidTarget, func(f *fixture) error {
		return errOf(f.s.DeregisterTargets(f.env, DeregisterTargetsInput{TargetGroupArn: f.tgArn, Targets: []TargetDescription{{Id: "10.0.1.99"}}}))
	})
	add("describe health unknown tg", CodeTargetGroupNotFound, func(f *fixture) error {
		return errOf(f.s.DescribeTargetHealth(f.env, DescribeTargetHealthInput{TargetGroupArn: f.tgArn + "0"}))
	})

	// --- listeners
	addPrep("second listener", CodeDuplicateListener, func(t *testing.T, f *fixture) { f.spareTargetGroup(t) }, func(f *fixture) error {
		return errOf(f.s.CreateListener(f.env, CreateListenerInput{LoadBalancerArn: f.lbArn, DefaultActions: []Action{{Type: "forward", TargetGroupArn: f.s.TargetGroupByName("spare").TargetGroup.TargetGroupArn}}}))
	})
	add("listener with port and protocol", CodeValidationError, func(f *fixture) error {
		return errOf(f.s.CreateListener(f.env, CreateListenerInput{LoadBalancerArn: f.lbArn, Protocol: "TCP", Port: ptr(80), DefaultActions: []Action{{Type: "forward", TargetGroupArn: f.tgArn}}}))
	})
	add("listener unknown lb", CodeLoadBalancerNotFound, func(f *fixture) error {
		return errOf(f.s.CreateListener(f.env, CreateListenerInput{LoadBalancerArn: f.lbArn + "0", DefaultActions: []Action{{Type: "forward", TargetGroupArn: f.tgArn}}}))
	})
	addPrep("listener unknown target group", CodeTargetGroupNotFound, func(t *testing.T, f *fixture) {
		must(f.s.CreateLoadBalancer(f.env, lbIn("lb2", f.subC)))(t)
	}, func(f *fixture) error {
		return errOf(f.s.CreateListener(f.env, CreateListenerInput{LoadBalancerArn: f.s.LoadBalancerByName("lb2").LoadBalancer.LoadBalancerArn, DefaultActions: []Action{{Type: "forward", TargetGroupArn: f.tgArn + "0"}}}))
	})
	addPrep("listener target group of another lb", CodeTargetGroupAssociationLimit, func(t *testing.T, f *fixture) {
		must(f.s.CreateLoadBalancer(f.env, lbIn("lb2", f.subC)))(t)
	}, func(f *fixture) error {
		return errOf(f.s.CreateListener(f.env, CreateListenerInput{LoadBalancerArn: f.s.LoadBalancerByName("lb2").LoadBalancer.LoadBalancerArn, DefaultActions: []Action{{Type: "forward", TargetGroupArn: f.tgArn}}}))
	})
	addPrep("listener target group in other VPC", CodeValidationError, func(t *testing.T, f *fixture) {
		must(f.s.CreateLoadBalancer(f.env, lbIn("lb2", f.consC)))(t)
		f.spareTargetGroup(t)
	}, func(f *fixture) error {
		return errOf(f.s.CreateListener(f.env, CreateListenerInput{LoadBalancerArn: f.s.LoadBalancerByName("lb2").LoadBalancer.LoadBalancerArn, DefaultActions: []Action{{Type: "forward", TargetGroupArn: f.s.TargetGroupByName("spare").TargetGroup.TargetGroupArn}}}))
	})
	add("listener redirect action", CodeValidationError, func(f *fixture) error {
		return errOf(f.s.ModifyListener(f.env, ModifyListenerInput{ListenerArn: f.listenerArn, DefaultActions: []Action{{Type: "redirect"}}}))
	})
	add("listener two actions", CodeValidationError, func(f *fixture) error {
		a := Action{Type: "forward", TargetGroupArn: f.tgArn}
		return errOf(f.s.ModifyListener(f.env, ModifyListenerInput{ListenerArn: f.listenerArn, DefaultActions: []Action{a, a}}))
	})
	for _, v := range []string{"59", "6001", "x"} {
		add("idle timeout "+v, CodeValidationError, func(f *fixture) error {
			return errOf(f.s.ModifyListenerAttributes(f.env, ModifyListenerAttributesInput{ListenerArn: f.listenerArn, Attributes: []Attribute{{Key: AttrTCPIdleTimeout, Value: v}}}))
		})
	}
	add("listener attribute unknown", CodeValidationError, func(f *fixture) error {
		return errOf(f.s.ModifyListenerAttributes(f.env, ModifyListenerAttributesInput{ListenerArn: f.listenerArn, Attributes: []Attribute{{Key: "routing.http2.enabled", Value: "true"}}}))
	})
	addPrep("idle timeout with stickiness", CodeInvalidConfigurationRequest, func(t *testing.T, f *fixture) {
		must(f.s.ModifyTargetGroupAttributes(f.env, ModifyTargetGroupAttributesInput{TargetGroupArn: f.tgArn, Attributes: []Attribute{{Key: AttrStickinessEnabled, Value: "true"}}}))(t)
	}, func(f *fixture) error {
		return errOf(f.s.ModifyListenerAttributes(f.env, ModifyListenerAttributesInput{ListenerArn: f.listenerArn, Attributes: []Attribute{{Key: AttrTCPIdleTimeout, Value: "900"}}}))
	})
	add("delete unknown listener", CodeListenerNotFound, func(f *fixture) error {
		return errOf(f.s.DeleteListener(f.env, DeleteListenerInput{ListenerArn: f.listenerArn + "0"}))
	})
	add("describe listeners without selector", CodeValidationError, func(f *fixture) error {
		return errOf(f.s.DescribeListeners(f.env, DescribeListenersInput{}))
	})

	// --- tags
	add("add tags aws: prefix", CodeValidationError, func(f *fixture) error {
		return errOf(f.s.AddTags(f.env, AddTagsInput{ResourceArns: []string{f.lbArn}, Tags: []Tag{{Key: "aws:cloudformation", Value: "x"}}}))
	})
	add("add tags unknown lb", CodeLoadBalancerNotFound, func(f *fixture) error {
		return errOf(f.s.AddTags(f.env, AddTagsInput{ResourceArns: []string{f.tgArn, f.lbArn + "0"}, Tags: []Tag{{Key: "k", Value: "v"}}}))
	})
	add("add tags too many", CodeTooManyTags, func(f *fixture) error {
		var tags []Tag
		for i := range MaxTagsPerResource + 1 {
			tags = append(tags, Tag{Key: fmt.Sprint("k", i), Value: "v"})
		}
		return errOf(f.s.AddTags(f.env, AddTagsInput{ResourceArns: []string{f.lbArn}, Tags: tags}))
	})
	add("ec2 create-tags unknown vpc", CodeInvalidVpcIDNotFound, func(f *fixture) error {
		return errOf(f.s.CreateTags(f.env, CreateTagsInput{Resources: []string{f.subA, "vpc-0123456789abcdef0"}, Tags: []Tag{{Key: "Name", Value: "x"}}}))
	})

	// --- VPCs and subnets
	for cidr, code := range map[string]string{"": CodeMissingParameter, "banana": CodeInvalidParameterValue, "10.0.0.0/33": CodeInvalidParameterValue,
		"10.0.0.1/16": CodeInvalidParameterValue, "10.0.0.0/8": CodeInvalidVpcRange, "10.0.0.0/29": CodeInvalidVpcRange, "2001:db8::/56": CodeInvalidParameterValue} {
		add("vpc cidr "+cidr, code, func(f *fixture) error { return errOf(f.s.CreateVpc(f.env, CreateVpcInput{CidrBlock: cidr})) })
	}
	add("vpc tenancy host", CodeInvalidParameterValue, func(f *fixture) error {
		return errOf(f.s.CreateVpc(f.env, CreateVpcInput{CidrBlock: "10.9.0.0/16", InstanceTenancy: "host"}))
	})
	add("vpc tag spec wrong type", CodeInvalidParameterValue, func(f *fixture) error {
		return errOf(f.s.CreateVpc(f.env, CreateVpcInput{CidrBlock: "10.9.0.0/16", TagSpecifications: []TagSpecification{{ResourceType: "subnet", Tags: []Tag{{Key: "Name", Value: "x"}}}}}))
	})
	sub := func(name, code string, in func(f *fixture) CreateSubnetInput) {
		add(name, code, func(f *fixture) error { return errOf(f.s.CreateSubnet(f.env, in(f))) })
	}
	sub("subnet outside vpc", CodeInvalidSubnetRange, func(f *fixture) CreateSubnetInput {
		return CreateSubnetInput{VpcId: f.vpc, CidrBlock: "10.1.0.0/24", AvailabilityZone: "us-east-1a"}
	})
	sub("subnet larger than vpc", CodeInvalidSubnetRange, func(f *fixture) CreateSubnetInput {
		return CreateSubnetInput{VpcId: f.vpc, CidrBlock: "10.0.0.0/15", AvailabilityZone: "us-east-1a"}
	})
	sub("subnet overlaps", CodeInvalidSubnetConflict, func(f *fixture) CreateSubnetInput {
		return CreateSubnetInput{VpcId: f.vpc, CidrBlock: "10.0.1.128/25", AvailabilityZone: "us-east-1a"}
	})
	sub("subnet zone of other region", CodeInvalidParameterValue, func(f *fixture) CreateSubnetInput {
		return CreateSubnetInput{VpcId: f.vpc, CidrBlock: "10.0.8.0/24", AvailabilityZone: "eu-west-1a"}
	})
	sub("subnet zone z", CodeInvalidParameterValue, func(f *fixture) CreateSubnetInput {
		return CreateSubnetInput{VpcId: f.vpc, CidrBlock: "10.0.8.0/24", AvailabilityZone: "us-east-1z"}
	})
	sub("subnet unknown vpc", CodeInvalidVpcIDNotFound, func(f *fixture) CreateSubnetInput {
		return CreateSubnetInput{VpcId: "vpc-0123456789abcdef0", CidrBlock: "10.0.8.0/24"}
	})
	sub("subnet missing cidr", CodeMissingParameter, func(f *fixture) CreateSubnetInput { return CreateSubnetInput{VpcId: f.vpc} })
	add("delete vpc with subnets", CodeDependencyViolation, func(f *fixture) error { return errOf(f.s.DeleteVpc(f.env, DeleteVpcInput{VpcId: f.vpc})) })
	add("delete unknown vpc", CodeInvalidVpcIDNotFound, func(f *fixture) error {
		return errOf(f.s.DeleteVpc(f.env, DeleteVpcInput{VpcId: "vpc-0123456789abcdef0"}))
	})
	add("delete subnet used by lb", CodeDependencyViolation, func(f *fixture) error {
		return errOf(f.s.DeleteSubnet(f.env, DeleteSubnetInput{SubnetId: f.subA}))
	})
	add("delete subnet used by endpoint", CodeDependencyViolation, func(f *fixture) error {
		return errOf(f.s.DeleteSubnet(f.env, DeleteSubnetInput{SubnetId: f.consA}))
	})
	add("describe unknown subnet", CodeInvalidSubnetIDNotFound, func(f *fixture) error {
		return errOf(f.s.DescribeSubnets(f.env, DescribeSubnetsInput{SubnetIds: []string{"subnet-0123456789abcdef0"}}))
	})
	add("describe vpcs unknown filter", CodeInvalidParameterValue, func(f *fixture) error {
		return errOf(f.s.DescribeVpcs(f.env, DescribeVpcsInput{Filters: []Filter{{Name: "colour", Values: []string{"blue"}}}}))
	})

	// --- endpoint services
	add("service without load balancers", CodeMissingParameter, func(f *fixture) error {
		return errOf(f.s.CreateVpcEndpointServiceConfiguration(f.env, CreateVpcEndpointServiceConfigurationInput{}))
	})
	add("service with network load balancers", CodeInvalidParameter, func(f *fixture) error {
		return errOf(f.s.CreateVpcEndpointServiceConfiguration(f.env, CreateVpcEndpointServiceConfigurationInput{NetworkLoadBalancerArns: []string{f.lbArn}}))
	})
	add("service unknown load balancer", CodeInvalidParameter, func(f *fixture) error {
		return errOf(f.s.CreateVpcEndpointServiceConfiguration(f.env, CreateVpcEndpointServiceConfigurationInput{GatewayLoadBalancerArns: []string{f.lbArn + "0"}}))
	})
	add("service load balancer already used", CodeInvalidParameter, func(f *fixture) error {
		return errOf(f.s.CreateVpcEndpointServiceConfiguration(f.env, CreateVpcEndpointServiceConfigurationInput{AcceptanceRequired: ptr(false), GatewayLoadBalancerArns: []string{f.lbArn}}))
	})
	add("delete service with pending endpoint", CodeExistingVpcEndpointConnections, func(f *fixture) error {
		out, err := f.s.DeleteVpcEndpointServiceConfigurations(f.env, DeleteVpcEndpointServiceConfigurationsInput{ServiceIds: []string{f.svcID}})
		if err != nil {
			return err
		}
		return out.Unsuccessful.Err("DeleteVpcEndpointServiceConfigurations")
	})
	addPrep("delete service with available endpoint", CodeExistingVpcEndpointConnections, func(t *testing.T, f *fixture) {
		must(f.s.AcceptVpcEndpointConnections(f.env, AcceptVpcEndpointConnectionsInput{ServiceId: f.svcID, VpcEndpointIds: []string{f.epID}}))(t)
	}, func(f *fixture) error {
		out, err := f.s.DeleteVpcEndpointServiceConfigurations(f.env, DeleteVpcEndpointServiceConfigurationsInput{ServiceIds: []string{f.svcID}})
		if err != nil {
			return err
		}
		return out.Unsuccessful.Err("DeleteVpcEndpointServiceConfigurations")
	})
	add("modify unknown service", CodeInvalidVpcEndpointServiceIDNotFound, func(f *fixture) error {
		return errOf(f.s.ModifyVpcEndpointServiceConfiguration(f.env, ModifyVpcEndpointServiceConfigurationInput{ServiceId: "vpce-svc-0123456789abcdef0", AcceptanceRequired: ptr(false)}))
	})
	add("modify service removes its last lb", CodeInvalidParameter, func(f *fixture) error {
		return errOf(f.s.ModifyVpcEndpointServiceConfiguration(f.env, ModifyVpcEndpointServiceConfigurationInput{ServiceId: f.svcID, RemoveGatewayLoadBalancerArns: []string{f.lbArn}}))
	})
	add("permissions bad principal", CodeInvalidPrincipal, func(f *fixture) error {
		return errOf(f.s.ModifyVpcEndpointServicePermissions(f.env, ModifyVpcEndpointServicePermissionsInput{ServiceId: f.svcID, AddAllowedPrincipals: []string{"111122223333"}}))
	})
	add("describe permissions unknown service", CodeInvalidVpcEndpointServiceIDNotFound, func(f *fixture) error {
		return errOf(f.s.DescribeVpcEndpointServicePermissions(f.env, DescribeVpcEndpointServicePermissionsInput{ServiceId: "vpce-svc-0123456789abcdef0"}))
	})

	// --- endpoints
	ep := func(name, code string, mod func(f *fixture, in *CreateVpcEndpointInput), env func(f *fixture) Env) {
		add(name, code, func(f *fixture) error {
			in := CreateVpcEndpointInput{VpcEndpointType: "GatewayLoadBalancer", VpcId: f.consumer, ServiceName: f.svcName, SubnetIds: []string{f.consA}}
			mod(f, &in)
			e := f.env
			if env != nil {
				e = env(f)
			}
			return errOf(f.s.CreateVpcEndpoint(e, in))
		})
	}
	ep("endpoint type Interface", CodeInvalidParameter, func(f *fixture, in *CreateVpcEndpointInput) { in.VpcEndpointType = "Interface" }, nil)
	ep("endpoint two subnets", CodeInvalidParameter, func(f *fixture, in *CreateVpcEndpointInput) { in.SubnetIds = []string{f.consA, f.consC} }, nil)
	ep("endpoint no subnet", CodeInvalidParameter, func(f *fixture, in *CreateVpcEndpointInput) { in.SubnetIds = nil }, nil)
	ep("endpoint in zone the lb lacks", CodeInvalidParameter, func(f *fixture, in *CreateVpcEndpointInput) { in.SubnetIds = []string{f.consC} }, nil)
	ep("endpoint unknown service", CodeInvalidServiceName, func(f *fixture, in *CreateVpcEndpointInput) {
		in.ServiceName = "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0"
	}, nil)
	ep("endpoint principal not allowed", CodeInvalidServiceName, func(f *fixture, in *CreateVpcEndpointInput) {}, (*fixture).otherAccount)
	ep("endpoint subnet of other vpc", CodeInvalidParameter, func(f *fixture, in *CreateVpcEndpointInput) { in.SubnetIds = []string{f.subA} }, nil)
	ep("endpoint unknown subnet", CodeInvalidSubnetIDNotFound, func(f *fixture, in *CreateVpcEndpointInput) { in.SubnetIds = []string{"subnet-0123456789abcdef0"} }, nil)
	ep("endpoint unknown vpc", CodeInvalidVpcIDNotFound, func(f *fixture, in *CreateVpcEndpointInput) { in.VpcId = "vpc-0123456789abcdef0" }, nil)
	ep("endpoint with security group", CodeInvalidParameter, func(f *fixture, in *CreateVpcEndpointInput) { in.SecurityGroupIds = []string{"sg-1"} }, nil)
	addPrep("second endpoint in same zone, same vpc and service", CodeInvalidParameter, func(t *testing.T, f *fixture) {
		must(f.s.CreateSubnet(f.env, CreateSubnetInput{VpcId: f.consumer, CidrBlock: "10.0.7.0/24", AvailabilityZone: "us-east-1a"}))(t)
	}, func(f *fixture) error {
		return errOf(f.s.CreateVpcEndpoint(f.env, CreateVpcEndpointInput{VpcEndpointType: "GatewayLoadBalancer", VpcId: f.consumer, ServiceName: f.svcName, SubnetIds: []string{f.s.Subnets[len(f.s.Subnets)-1].SubnetId}}))
	})
	addPrep("accept a non-pending endpoint", CodeInvalidState, func(t *testing.T, f *fixture) {
		must(f.s.AcceptVpcEndpointConnections(f.env, AcceptVpcEndpointConnectionsInput{ServiceId: f.svcID, VpcEndpointIds: []string{f.epID}}))(t)
	}, func(f *fixture) error {
		out, err := f.s.AcceptVpcEndpointConnections(f.env, AcceptVpcEndpointConnectionsInput{ServiceId: f.svcID, VpcEndpointIds: []string{f.epID}})
		if err != nil {
			return err
		}
		return out.Unsuccessful.Err("AcceptVpcEndpointConnections")
	})
	addPrep("reject a rejected endpoint", CodeInvalidState, func(t *testing.T, f *fixture) {
		must(f.s.RejectVpcEndpointConnections(f.env, RejectVpcEndpointConnectionsInput{ServiceId: f.svcID, VpcEndpointIds: []string{f.epID}}))(t)
	}, func(f *fixture) error {
		out, err := f.s.RejectVpcEndpointConnections(f.env, RejectVpcEndpointConnectionsInput{ServiceId: f.svcID, VpcEndpointIds: []string{f.epID}})
		if err != nil {
			return err
		}
		return out.Unsuccessful.Err("RejectVpcEndpointConnections")
	})
	add("accept unknown endpoint", CodeInvalidVpcEndpointIDNotFound, func(f *fixture) error {
		out, err := f.s.AcceptVpcEndpointConnections(f.env, AcceptVpcEndpointConnectionsInput{ServiceId: f.svcID, VpcEndpointIds: []string{"vpce-0123456789abcdef0"}})
		if err != nil {
			return err
		}
		return out.Unsuccessful.Err("AcceptVpcEndpointConnections")
	})
	add("accept on unknown service", CodeInvalidVpcEndpointServiceIDNotFound, func(f *fixture) error {
		return errOf(f.s.AcceptVpcEndpointConnections(f.env, AcceptVpcEndpointConnectionsInput{ServiceId: "vpce-svc-0123456789abcdef0", VpcEndpointIds: []string{f.epID}}))
	})
	add("accept by another account", CodeInvalidVpcEndpointServiceIDNotFound, func(f *fixture) error {
		return errOf(f.s.AcceptVpcEndpointConnections(f.otherAccount(), AcceptVpcEndpointConnectionsInput{ServiceId: f.svcID, VpcEndpointIds: []string{f.epID}}))
	})
	add("describe unknown endpoint", CodeInvalidVpcEndpointIDNotFound, func(f *fixture) error {
		return errOf(f.s.DescribeVpcEndpoints(f.env, DescribeVpcEndpointsInput{VpcEndpointIds: []string{"vpce-0123456789abcdef0"}}))
	})
	add("delete unknown endpoint", CodeInvalidVpcEndpointIDNotFound, func(f *fixture) error {
		out, err := f.s.DeleteVpcEndpoints(f.env, DeleteVpcEndpointsInput{VpcEndpointIds: []string{"vpce-0123456789abcdef0"}})
		if err != nil {
			return err
		}
		return out.Unsuccessful.Err("DeleteVpcEndpoints")
	})
	return cases
}

// TestBadInputs: every rule and bad input gives its AWS error code, an
// AWS-CLI-style message, and leaves the state exactly as it was.
func TestBadInputs(t *testing.T) {
	runBadCases(t, badCases(), newFixture)
}

func runBadCases(t *testing.T, cases []badCase, newF func(*testing.T) *fixture) {
	seen := map[string]bool{}
	for _, tc := range cases {
		if seen[tc.name] {
			t.Fatalf("duplicate case name %q", tc.name)
		}
		seen[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			f := newF(t)
			if tc.prep != nil {
				tc.prep(t, f)
			}
			before := stateJSON(t, f.s)
			err := tc.run(f)
			if err == nil {
				t.Fatalf("no error, want %s", tc.code)
			}
			e, ok := AsError(err)
			if !ok {
				t.Fatalf("error %v is not a *control.Error", err)
			}
			if e.Code != tc.code {
				t.Fatalf("code %s, want %s: %v", e.Code, tc.code, err)
			}
			wantPrefix := "An error occurred (" + tc.code + ") when calling the " + e.Operation + " operation: "
			if e.Operation == "" || !strings.HasPrefix(err.Error(), wantPrefix) || len(e.Message) < 10 {
				t.Fatalf("message %q does not read like the AWS CLI's", err)
			}
			if after := stateJSON(t, f.s); after != before {
				t.Fatalf("state changed by a failed call:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}
