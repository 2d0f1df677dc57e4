package control

import "time"

// What health checking records in the state. Each node (serve) checks the
// targets of its load balancer and writes its own view of a target's
// health into the target's record, keyed by the node's id, on each
// transition only (never per probe). RecordedHealth is the one place
// that combines the nodes' views into the health describe-target-health
// reports and a starting node resumes.

// HealthView is one node's view of a registered target's health, as the
// node recorded it at its last transition.
type HealthView struct {
	// Node is the id of the node that checked the target (node.id in the
	// node config, else its hostname).
	Node   string       `json:"node"`
	Health TargetHealth `json:"health"`
	// Updated is when the node saw the transition to Health.
	Updated Timestamp `json:"updated"`
}

// RecordedHealth combines the nodes' recorded views of rt's health: for
// now the most recent one (the only one while a load balancer has one
// node). ok is false when no node has recorded any (the target has not
// been checked yet). This is the one function to change when several
// nodes' views are weighed (a majority of live nodes).
func (rt *RegisteredTarget) RecordedHealth() (v HealthView, ok bool) {
	for _, h := range rt.HealthViews {
		if !ok || h.Updated.After(v.Updated.Time) {
			v, ok = h, true
		}
	}
	return v, ok
}

// SetTargetHealth records node's view of a registered target's health at
// now (a node's health checker calls it inside a store update, on a
// transition). A target that is not registered, or deregistered (draining
// or gone), is left as it is: a node never undoes the CLI's change. It
// reports whether anything changed.
func (s *State) SetTargetHealth(tgArn, targetID, node string, h TargetHealth, now time.Time) bool {
	tg := s.TargetGroupByArn(tgArn)
	if tg == nil {
		return false
	}
	rt := tg.Target(targetID)
	if rt == nil || rt.DrainUntil != nil {
		return false
	}
	for i := range rt.HealthViews {
		if v := &rt.HealthViews[i]; v.Node == node {
			if v.Health == h {
				return false
			}
			v.Health, v.Updated = h, NewTimestamp(now)
			return true
		}
	}
	rt.HealthViews = append(rt.HealthViews, HealthView{Node: node, Health: h, Updated: NewTimestamp(now)})
	return true
}
