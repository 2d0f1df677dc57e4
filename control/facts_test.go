package control

import (
	"strings"
	"testing"
	"time"
)

// TestTargetHealthAt: one decision per row; what the control plane knows
// overrides the observed result.
func TestTargetHealthAt(t *testing.T) {
	f := newFixture(t)
	must(f.s.RegisterTargets(f.env, RegisterTargetsInput{TargetGroupArn: f.tgArn, Targets: []TargetDescription{{Id: "10.0.3.10"}, {Id: "10.0.2.10"}, {Id: "10.0.2.11"}}}))(t)
	spare := f.spareTargetGroup(t)
	must(f.s.RegisterTargets(f.env, RegisterTargetsInput{TargetGroupArn: spare, Targets: []TargetDescription{{Id: "10.0.1.20"}}}))(t)
	must(f.s.DeregisterTargets(f.env, DeregisterTargetsInput{TargetGroupArn: f.tgArn, Targets: []TargetDescription{{Id: "10.0.2.10"}}}))(t)
	tg, spareTG := f.s.TargetGroupByArn(f.tgArn), f.s.TargetGroupByArn(spare)
	healthy := TargetHealth{State: TargetHealthHealthy}
	failed := TargetHealth{State: TargetHealthUnhealthy, Reason: ReasonFailedHealthChecks, Description: "Health checks failed"}
	delayOver := f.now.Add(time.Duration(DefaultDeregistrationDelaySec)*time.Second + time.Second)
	for _, c := range []struct {
		name     string
		tg       *TargetGroupRecord
		id       string
		observed TargetHealth
		now      time.Time
		state    string
		reason   string
	}{
		{"no result yet", tg, "10.0.1.10", TargetHealth{}, f.now, TargetHealthInitial, ReasonRegistrationInProgress},
		{"healthy", tg, "10.0.1.10", healthy, f.now, TargetHealthHealthy, ""},
		{"failed checks", tg, "10.0.1.10", failed, f.now, TargetHealthUnhealthy, ReasonFailedHealthChecks},
		{"zone not enabled", tg, "10.0.3.10", healthy, f.now, TargetHealthUnused, ReasonNotInUse},
		{"group not used", spareTG, "10.0.1.20", healthy, f.now, TargetHealthUnused, ReasonNotInUse},
		{"deregistered", tg, "10.0.2.10", healthy, f.now, TargetHealthDraining, ReasonDeregistrationInProgress},
		{"delay over", tg, "10.0.2.10", healthy, delayOver, TargetHealthUnused, ReasonNotRegistered},
		{"other zone of the load balancer", tg, "10.0.2.11", failed, f.now, TargetHealthUnhealthy, ReasonFailedHealthChecks},
	} {
		got := f.s.TargetHealthAt(c.tg, c.tg.Target(c.id), c.observed, c.now)
		if got.State != c.state || got.Reason != c.reason || (c.reason != "" && got.Description == "") {
			t.Errorf("%s: %+v, want %s/%s with a description", c.name, got, c.state, c.reason)
		}
	}
	// describe-target-health shows the same decision on what the state
	// records.
	f.s.SetTargetHealth(f.tgArn, "10.0.1.10", "node-a", failed, f.now)
	out := must(f.s.DescribeTargetHealth(f.env, DescribeTargetHealthInput{TargetGroupArn: f.tgArn}))(t)
	for _, d := range out.TargetHealthDescriptions {
		rt := tg.Target(d.Target.Id)
		v, _ := rt.RecordedHealth()
		if want := f.s.TargetHealthAt(tg, rt, v.Health, f.now); d.TargetHealth != want {
			t.Errorf("describe-target-health %s: %+v, TargetHealthAt %+v", d.Target.Id, d.TargetHealth, want)
		}
	}
}

func TestTCPIdleTimeout(t *testing.T) {
	for v, want := range map[string]int{"60": 60, "350": 350, "6000": 6000} {
		if n, err := ParseTCPIdleTimeout(v); err != nil || n != want {
			t.Errorf("ParseTCPIdleTimeout(%s) = %d, %v", v, n, err)
		}
	}
	for _, v := range []string{"59", "6001", "", "1e3", "350s"} {
		if _, err := ParseTCPIdleTimeout(v); err == nil || !strings.Contains(err.Error(), "tcp.idle_timeout.seconds must be a number of seconds from 60 to 6000") {
			t.Errorf("ParseTCPIdleTimeout(%q) err = %v", v, err)
		}
	}
	f := newFixture(t)
	l := f.s.ListenerOf(f.lbArn)
	if n, err := l.TCPIdleTimeout(); err != nil || n != DefaultTCPIdleTimeout {
		t.Fatalf("new listener: %d, %v", n, err)
	}
	must(f.s.ModifyListenerAttributes(f.env, ModifyListenerAttributesInput{ListenerArn: f.listenerArn, Attributes: []Attribute{{Key: AttrTCPIdleTimeout, Value: "900"}}}))(t)
	if n, err := l.TCPIdleTimeout(); err != nil || n != 900 {
		t.Fatalf("after modify: %d, %v", n, err)
	}
	l.Attributes = setAttributes(l.Attributes, []Attribute{{Key: AttrTCPIdleTimeout, Value: "7"}}) // hand-edited
	if n, err := l.TCPIdleTimeout(); err == nil || n != DefaultTCPIdleTimeout {
		t.Fatalf("bad value: %d, %v; want the default and an error", n, err)
	}
	if _, err := f.s.ModifyListenerAttributes(f.env, ModifyListenerAttributesInput{ListenerArn: f.listenerArn, Attributes: []Attribute{{Key: AttrTCPIdleTimeout, Value: "7"}}}); ErrorCode(err) != CodeValidationError {
		t.Fatalf("modify to 7: %v", err)
	}
}
