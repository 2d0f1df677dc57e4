package elbv2

import (
	"strings"
	"testing"

	. "github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/clitest"
	"github.com/gwlbctl/gwlbctl/control"
)

func args(a ...string) func(Fixture) []string { return func(Fixture) []string { return a } }

func TestVerbsRun(t *testing.T) {
	RunTests(t, []RunCase{
		{Name: "create-load-balancer", Cmd: Verb(NewCmdCreateLoadBalancer),
			Args: func(fx Fixture) []string {
				return []string{"--name", "second", "--type", "gateway", "--subnets", fx.SubnetA, fx.SubnetB}
			},
			Check: func(t *testing.T, e *Env, fx Fixture) {
				var out control.CreateLoadBalancerOutput
				e.JSON(&out)
				lb := out.LoadBalancers[0]
				if lb.LoadBalancerName != "second" || lb.Type != "gateway" || len(lb.AvailabilityZones) != 2 ||
					!strings.HasPrefix(lb.LoadBalancerArn, "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/gwy/second/") {
					t.Errorf("response: %+v", lb)
				}
				if e.State().LoadBalancerByName("second") == nil {
					t.Error("load balancer not in the state file")
				}
			}},
		{Name: "create-load-balancer idempotent", Cmd: Verb(NewCmdCreateLoadBalancer),
			Args:  func(fx Fixture) []string { return []string{"--name", "my-gwlb", "--subnets", fx.SubnetA, fx.SubnetB} },
			Query: "LoadBalancers[0].LoadBalancerArn",
			Check: func(t *testing.T, e *Env, fx Fixture) {
				if got := strings.TrimSpace(e.Out.String()); got != `"`+fx.LoadBalancerArn+`"` {
					t.Errorf("got %s, want the existing ARN %s", got, fx.LoadBalancerArn)
				}
				if n := len(e.State().LoadBalancers); n != 1 {
					t.Errorf("%d load balancers, want 1", n)
				}
			}},
		{Name: "create-load-balancer duplicate name", Cmd: Verb(NewCmdCreateLoadBalancer),
			Args: func(fx Fixture) []string { return []string{"--name", "my-gwlb", "--subnets", fx.SubnetA} }, ErrCode: control.CodeDuplicateLoadBalancerName},
		{Name: "create-load-balancer two subnets in one zone", Cmd: Verb(NewCmdCreateLoadBalancer),
			Args: func(fx Fixture) []string {
				return []string{"--name", "x", "--subnets", fx.SubnetA, fx.ConsumerA}
			}, ErrCode: control.CodeInvalidConfigurationRequest},
		{Name: "describe-load-balancers", Cmd: Verb(NewCmdDescribeLoadBalancers), Args: args("--names", "my-gwlb"),
			Check: func(t *testing.T, e *Env, fx Fixture) {
				var out control.DescribeLoadBalancersOutput
				e.JSON(&out)
				if len(out.LoadBalancers) != 1 || out.LoadBalancers[0].LoadBalancerArn != fx.LoadBalancerArn {
					t.Errorf("response: %+v", out)
				}
			}},
		{Name: "describe-load-balancers unknown name", Cmd: Verb(NewCmdDescribeLoadBalancers), Args: args("--names", "nope"), ErrCode: control.CodeLoadBalancerNotFound},
		{Name: "delete-load-balancer in use by a service", Cmd: Verb(NewCmdDeleteLoadBalancer),
			Args: func(fx Fixture) []string { return []string{"--load-balancer-arn", fx.LoadBalancerArn} }, ErrCode: control.CodeResourceInUse},
		{Name: "delete-load-balancer missing succeeds", Cmd: Verb(NewCmdDeleteLoadBalancer), Args: args("--load-balancer-arn", lbArn),
			Check: func(t *testing.T, e *Env, fx Fixture) {
				if e.Out.Len() != 0 {
					t.Errorf("printed %q, want nothing", e.Out.String())
				}
			}},
		{Name: "describe-load-balancer-attributes", Cmd: Verb(NewCmdDescribeLoadBalancerAttributes),
			Args:  func(fx Fixture) []string { return []string{"--load-balancer-arn", fx.LoadBalancerArn} },
			Query: "Attributes[?Key=='load_balancing.cross_zone.enabled'].Value | [0]",
			Check: func(t *testing.T, e *Env, fx Fixture) {
				if got := strings.TrimSpace(e.Out.String()); got != `"false"` {
					t.Errorf("cross-zone = %s, want \"false\"", got)
				}
			}},
		{Name: "modify-load-balancer-attributes", Cmd: Verb(NewCmdModifyLoadBalancerAttributes),
			Args: func(fx Fixture) []string {
				return []string{"--load-balancer-arn", fx.LoadBalancerArn, "--attributes", "Key=load_balancing.cross_zone.enabled,Value=true"}
			},
			Check: func(t *testing.T, e *Env, fx Fixture) {
				if v := e.State().LoadBalancerByArn(fx.LoadBalancerArn).Attribute(control.AttrCrossZoneEnabled); v != "true" {
					t.Errorf("cross-zone = %q after modify", v)
				}
			}},
		{Name: "modify-load-balancer-attributes unknown key", Cmd: Verb(NewCmdModifyLoadBalancerAttributes),
			Args: func(fx Fixture) []string {
				return []string{"--load-balancer-arn", fx.LoadBalancerArn, "--attributes", "Key=idle_timeout.timeout_seconds,Value=60"}
			}, ErrCode: control.CodeValidationError},
		{Name: "create-target-group", Cmd: Verb(NewCmdCreateTargetGroup),
			Args: func(fx Fixture) []string {
				return []string{"--name", "fw", "--protocol", "GENEVE", "--port", "6081", "--vpc-id", fx.ProviderVpc,
					"--health-check-protocol", "HTTP", "--health-check-path", "/healthz", "--matcher", "HttpCode=200"}
			},
			Check: func(t *testing.T, e *Env, fx Fixture) {
				var out control.CreateTargetGroupOutput
				e.JSON(&out)
				tg := out.TargetGroups[0]
				if tg.Protocol != "GENEVE" || tg.Port != 6081 || tg.HealthCheckPath != "/healthz" || tg.HealthCheckIntervalSeconds != 10 ||
					tg.HealthyThresholdCount != 5 || tg.UnhealthyThresholdCount != 2 || tg.HealthCheckTimeoutSeconds != 5 {
					t.Errorf("response: %+v", tg)
				}
			}},
		{Name: "create-target-group timeout out of range", Cmd: Verb(NewCmdCreateTargetGroup),
			Args: func(fx Fixture) []string {
				return []string{"--name", "fw", "--protocol", "GENEVE", "--port", "6081", "--vpc-id", fx.ProviderVpc, "--health-check-timeout-seconds", "1"}
			}, ErrCode: control.CodeValidationError},
		{Name: "describe-target-groups by lb", Cmd: Verb(NewCmdDescribeTargetGroups),
			Args:  func(fx Fixture) []string { return []string{"--load-balancer-arn", fx.LoadBalancerArn} },
			Query: "TargetGroups[].TargetGroupName",
			Check: func(t *testing.T, e *Env, fx Fixture) {
				var names []string
				e.JSON(&names)
				if len(names) != 1 || names[0] != "my-appliances" {
					t.Errorf("names %q", names)
				}
			}},
		{Name: "modify-target-group", Cmd: Verb(NewCmdModifyTargetGroup),
			Args: func(fx Fixture) []string {
				return []string{"--target-group-arn", fx.TargetGroupArn, "--health-check-port", "8080", "--health-check-interval-seconds", "30"}
			},
			Check: func(t *testing.T, e *Env, fx Fixture) {
				tg := e.State().TargetGroupByArn(fx.TargetGroupArn).TargetGroup
				if tg.HealthCheckPort != "8080" || tg.HealthCheckIntervalSeconds != 30 {
					t.Errorf("after modify: %+v", tg)
				}
			}},
		{Name: "delete-target-group in use", Cmd: Verb(NewCmdDeleteTargetGroup),
			Args: func(fx Fixture) []string { return []string{"--target-group-arn", fx.TargetGroupArn} }, ErrCode: control.CodeResourceInUse},
		{Name: "delete-target-group unused", Cmd: Verb(NewCmdDeleteTargetGroup),
			Args: func(fx Fixture) []string { return []string{"--target-group-arn", fx.SpareTargetGroupArn} },
			Check: func(t *testing.T, e *Env, fx Fixture) {
				if e.State().TargetGroupByArn(fx.SpareTargetGroupArn) != nil {
					t.Error("target group still there")
				}
			}},
		{Name: "describe-target-group-attributes", Cmd: Verb(NewCmdDescribeTargetGroupAttributes),
			Args:  func(fx Fixture) []string { return []string{"--target-group-arn", fx.TargetGroupArn} },
			Query: "Attributes[?Key=='deregistration_delay.timeout_seconds'].Value | [0]",
			Check: func(t *testing.T, e *Env, fx Fixture) {
				if got := strings.TrimSpace(e.Out.String()); got != `"300"` {
					t.Errorf("deregistration delay %s, want \"300\"", got)
				}
			}},
		{Name: "modify-target-group-attributes", Cmd: Verb(NewCmdModifyTargetGroupAttributes),
			Args: func(fx Fixture) []string {
				return []string{"--target-group-arn", fx.TargetGroupArn, "--attributes",
					"Key=target_failover.on_deregistration,Value=rebalance", "Key=target_failover.on_unhealthy,Value=rebalance"}
			},
			Check: func(t *testing.T, e *Env, fx Fixture) {
				if v := e.State().TargetGroupByArn(fx.TargetGroupArn).Attribute(control.AttrFailoverOnUnhealthy); v != "rebalance" {
					t.Errorf("on_unhealthy = %q", v)
				}
			}},
		{Name: "modify-target-group-attributes mismatched failover", Cmd: Verb(NewCmdModifyTargetGroupAttributes),
			Args: func(fx Fixture) []string {
				return []string{"--target-group-arn", fx.TargetGroupArn, "--attributes", "Key=target_failover.on_deregistration,Value=rebalance"}
			}, ErrCode: control.CodeValidationError},
		{Name: "register-targets", Cmd: Verb(NewCmdRegisterTargets),
			Args: func(fx Fixture) []string {
				return []string{"--target-group-arn", fx.TargetGroupArn, "--targets", "Id=10.0.1.11", "Id=10.0.2.11"}
			},
			Check: func(t *testing.T, e *Env, fx Fixture) {
				tg := e.State().TargetGroupByArn(fx.TargetGroupArn)
				if tg.Target("10.0.1.11") == nil || tg.Target("10.0.2.11") == nil || len(tg.Targets) != 4 {
					t.Errorf("targets after register: %d", len(tg.Targets))
				}
			}},
		{Name: "register-targets outside the vpc without zone", Cmd: Verb(NewCmdRegisterTargets),
			Args: func(fx Fixture) []string {
				return []string{"--target-group-arn", fx.TargetGroupArn, "--targets", "Id=192.168.9.9"}
			},
			ErrCode: control.CodeInvalidTarget},
		{Name: "register-targets unknown group", Cmd: Verb(NewCmdRegisterTargets),
			Args: args("--target-group-arn", tgArn, "--targets", "Id=10.0.1.11"), ErrCode: control.CodeTargetGroupNotFound},
		{Name: "deregister-targets", Cmd: Verb(NewCmdDeregisterTargets),
			Args: func(fx Fixture) []string {
				return []string{"--target-group-arn", fx.TargetGroupArn, "--targets", "Id=10.0.2.10"}
			},
			Check: func(t *testing.T, e *Env, fx Fixture) {
				rt := e.State().TargetGroupByArn(fx.TargetGroupArn).Target("10.0.2.10")
				if rt == nil || !rt.Draining(Now) {
					t.Errorf("deregistered target should be draining: %+v", rt)
				}
			}},
		{Name: "describe-target-health", Cmd: Verb(NewCmdDescribeTargetHealth),
			Args:  func(fx Fixture) []string { return []string{"--target-group-arn", fx.TargetGroupArn} },
			Query: "TargetHealthDescriptions[].[Target.Id,TargetHealth.State,TargetHealth.Reason]",
			Check: func(t *testing.T, e *Env, fx Fixture) {
				var rows [][]string
				e.JSON(&rows)
				if len(rows) != 2 || rows[0][0] != "10.0.1.10" || rows[0][1] != control.TargetHealthInitial || rows[0][2] != control.ReasonRegistrationInProgress {
					t.Errorf("rows %q", rows)
				}
			}},
		{Name: "create-listener", Cmd: Verb(NewCmdCreateListener),
			Prepare: func(t *testing.T, e *Env, fx *Fixture) {
				e.Do(func(s *control.State, env control.Env) error {
					_, err := s.DeleteListener(env, control.DeleteListenerInput{ListenerArn: fx.ListenerArn})
					return err
				})
			},
			Args: func(fx Fixture) []string {
				return []string{"--load-balancer-arn", fx.LoadBalancerArn, "--default-actions", "Type=forward,TargetGroupArn=" + fx.SpareTargetGroupArn}
			},
			Check: func(t *testing.T, e *Env, fx Fixture) {
				var out control.CreateListenerOutput
				e.JSON(&out)
				l := out.Listeners[0]
				if l.LoadBalancerArn != fx.LoadBalancerArn || l.DefaultActions[0].Type != "forward" ||
					!strings.HasPrefix(l.ListenerArn, strings.Replace(fx.LoadBalancerArn, ":loadbalancer/", ":listener/", 1)+"/") {
					t.Errorf("response %+v", l)
				}
				if e.State().ListenerOf(fx.LoadBalancerArn) == nil {
					t.Error("listener not in the state file")
				}
			}},
		{Name: "create-listener second", Cmd: Verb(NewCmdCreateListener),
			Args: func(fx Fixture) []string {
				return []string{"--load-balancer-arn", fx.LoadBalancerArn, "--default-actions", "Type=forward,TargetGroupArn=" + fx.SpareTargetGroupArn}
			}, ErrCode: control.CodeDuplicateListener},
		{Name: "describe-listeners", Cmd: Verb(NewCmdDescribeListeners),
			Args:  func(fx Fixture) []string { return []string{"--load-balancer-arn", fx.LoadBalancerArn} },
			Query: "Listeners[0].ListenerArn",
			Check: func(t *testing.T, e *Env, fx Fixture) {
				if got := strings.TrimSpace(e.Out.String()); got != `"`+fx.ListenerArn+`"` {
					t.Errorf("got %s", got)
				}
			}},
		{Name: "modify-listener", Cmd: Verb(NewCmdModifyListener),
			Args: func(fx Fixture) []string {
				return []string{"--listener-arn", fx.ListenerArn, "--default-actions", "Type=forward,TargetGroupArn=" + fx.SpareTargetGroupArn}
			},
			Check: func(t *testing.T, e *Env, fx Fixture) {
				if got := e.State().ListenerByArn(fx.ListenerArn).Listener.DefaultActions[0].TargetGroupArn; got != fx.SpareTargetGroupArn {
					t.Errorf("listener forwards to %s", got)
				}
			}},
		{Name: "delete-listener", Cmd: Verb(NewCmdDeleteListener),
			Args: func(fx Fixture) []string { return []string{"--listener-arn", fx.ListenerArn} },
			Check: func(t *testing.T, e *Env, fx Fixture) {
				if e.State().ListenerByArn(fx.ListenerArn) != nil {
					t.Error("listener still there")
				}
			}},
		{Name: "delete-listener unknown", Cmd: Verb(NewCmdDeleteListener), Args: args("--listener-arn", lnArn), ErrCode: control.CodeListenerNotFound},
		{Name: "describe-listener-attributes", Cmd: Verb(NewCmdDescribeListenerAttributes),
			Args:  func(fx Fixture) []string { return []string{"--listener-arn", fx.ListenerArn} },
			Query: "Attributes[?Key=='tcp.idle_timeout.seconds'].Value | [0]",
			Check: func(t *testing.T, e *Env, fx Fixture) {
				if got := strings.TrimSpace(e.Out.String()); got != `"350"` {
					t.Errorf("idle timeout %s, want \"350\"", got)
				}
			}},
		{Name: "modify-listener-attributes", Cmd: Verb(NewCmdModifyListenerAttributes),
			Args: func(fx Fixture) []string {
				return []string{"--listener-arn", fx.ListenerArn, "--attributes", "Key=tcp.idle_timeout.seconds,Value=600"}
			},
			Check: func(t *testing.T, e *Env, fx Fixture) {
				if v := e.State().ListenerByArn(fx.ListenerArn).Attribute(control.AttrTCPIdleTimeout); v != "600" {
					t.Errorf("idle timeout %q", v)
				}
			}},
		{Name: "modify-listener-attributes out of range", Cmd: Verb(NewCmdModifyListenerAttributes),
			Args: func(fx Fixture) []string {
				return []string{"--listener-arn", fx.ListenerArn, "--attributes", "Key=tcp.idle_timeout.seconds,Value=59"}
			}, ErrCode: control.CodeValidationError},
		{Name: "add-tags then describe", Cmd: Verb(NewCmdAddTags),
			Args: func(fx Fixture) []string {
				return []string{"--resource-arns", fx.LoadBalancerArn, "--tags", "Key=env,Value=lab"}
			},
			Check: func(t *testing.T, e *Env, fx Fixture) {
				e.Config.Query = "TagDescriptions[0].Tags[?Key=='env'].Value | [0]"
				if err := e.Run(Verb(NewCmdDescribeTags), "--resource-arns", fx.LoadBalancerArn); err != nil {
					t.Fatal(err)
				}
				if got := strings.TrimSpace(e.Out.String()); got != `"lab"` {
					t.Errorf("tag value %s", got)
				}
			}},
		{Name: "remove-tags", Cmd: Verb(NewCmdRemoveTags),
			Args: func(fx Fixture) []string { return []string{"--resource-arns", fx.LoadBalancerArn, "--tag-keys", "env"} },
			Check: func(t *testing.T, e *Env, fx Fixture) {
				if tags := e.State().LoadBalancerByArn(fx.LoadBalancerArn).Tags; len(tags) != 0 {
					t.Errorf("tags %v", tags)
				}
			}},
		{Name: "describe-tags unknown arn", Cmd: Verb(NewCmdDescribeTags), Args: args("--resource-arns", lbArn), ErrCode: control.CodeLoadBalancerNotFound},
	})
}
