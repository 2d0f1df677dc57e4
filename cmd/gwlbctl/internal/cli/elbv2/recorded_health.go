package elbv2

import (
	"time"

	"github.com/gwlbctl/gwlbctl/control"
)

// describe-target-health --show-recorded (gwlbctl only): AWS's response has
// no member saying where a target's health comes from, so the flag prints,
// instead of it, each target's health as describe-target-health reports it
// next to every node's recorded view: which node recorded it, its state and
// reason, when (the node's last transition) and how long ago. A view that
// serve keeps current changes on each transition; one from a node that no
// longer runs stays as it was (the last recorded health).

// RecordedHealthOutput is the output of describe-target-health
// --show-recorded.
type RecordedHealthOutput struct {
	RecordedHealth []RecordedTargetHealth `json:"RecordedHealth"`
}

// RecordedTargetHealth is one target: the health describe-target-health
// reports and the nodes' views it is decided from.
type RecordedTargetHealth struct {
	Target       control.TargetDescription `json:"Target"`
	TargetHealth control.TargetHealth      `json:"TargetHealth"`
	// RecordedBy is empty until a node has checked the target.
	RecordedBy []RecordedView `json:"RecordedBy"`
}

// RecordedView is one node's recorded view of a target's health.
type RecordedView struct {
	Node    string            `json:"Node"`
	State   string            `json:"State"`
	Reason  string            `json:"Reason,omitempty"`
	Updated control.Timestamp `json:"Updated"`
	// Age is the time from Updated to now, to the second (e.g. "3m12s").
	Age string `json:"Age"`
}

// describeRecordedHealth is DescribeTargetHealth with each target's
// recorded views (control.RegisteredTarget.HealthViews).
func describeRecordedHealth(s *control.State, env control.Env, in control.DescribeTargetHealthInput) (*RecordedHealthOutput, error) {
	dth, err := s.DescribeTargetHealth(env, in)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	if env.Now != nil {
		now = env.Now()
	}
	tg := s.TargetGroupByArn(in.TargetGroupArn)
	out := &RecordedHealthOutput{RecordedHealth: []RecordedTargetHealth{}}
	for _, d := range dth.TargetHealthDescriptions {
		r := RecordedTargetHealth{Target: d.Target, TargetHealth: d.TargetHealth, RecordedBy: []RecordedView{}}
		if rt := tg.Target(d.Target.Id); rt != nil {
			for _, v := range rt.HealthViews {
				r.RecordedBy = append(r.RecordedBy, RecordedView{
					Node: v.Node, State: v.Health.State, Reason: v.Health.Reason, Updated: v.Updated,
					Age: now.Sub(v.Updated.Time).Truncate(time.Second).String(),
				})
			}
		}
		out.RecordedHealth = append(out.RecordedHealth, r)
	}
	return out, nil
}
