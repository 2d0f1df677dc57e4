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

// NodeLiveness says whether the node with id node is live (its
// registration's lease holds) and which zone it stands in. describe-target-
// health gets one from a store with a node registry (store.Run fills
// Env.Nodes); without one every node that recorded a view counts, in the
// target's own zone.
type NodeLiveness func(node string) (zone string, live bool)

// RecordedHealth is CombinedHealth without liveness: every node's recorded
// view counts.
func (rt *RegisteredTarget) RecordedHealth() (v HealthView, ok bool) { return rt.CombinedHealth(nil) }

// CombinedHealth combines the nodes' recorded views of rt's health by
// ConsensusHealth (the live nodes of the target's zone vote; unhealthy only
// by a strict majority), the one place where views are weighed. When live
// says no node that recorded a view is live (no serve runs), the last
// recorded views count as they are, so describe-target-health shows the
// last recorded state. v names the most recent view that agrees with the
// combined state (its node and time); ok is false when no node has
// recorded any (the target has not been checked yet).
func (rt *RegisteredTarget) CombinedHealth(live NodeLiveness) (v HealthView, ok bool) {
	if len(rt.HealthViews) == 0 {
		return HealthView{}, false
	}
	zone := rt.Target.AvailabilityZone
	views := make([]NodeHealthView, 0, len(rt.HealthViews))
	for _, h := range rt.HealthViews {
		nv := NodeHealthView{Node: h.Node, Zone: zone, Live: true, State: h.Health.State,
			Reason: h.Health.Reason, Description: h.Health.Description, ObservedAt: h.Updated.Time}
		if live != nil {
			nv.Zone, nv.Live = live(h.Node)
		}
		views = append(views, nv)
	}
	c := ConsensusHealth(zone, views)
	if c.Voters == 0 && live != nil {
		return rt.CombinedHealth(nil)
	}
	if c.Voters == 0 {
		return HealthView{}, false
	}
	v.Health = TargetHealth{State: c.State, Reason: c.Reason, Description: c.Description}
	for _, h := range rt.HealthViews {
		if h.Health.State == c.State && (v.Node == "" || h.Updated.After(v.Updated.Time)) {
			v.Node, v.Updated = h.Node, h.Updated
		}
	}
	return v, true
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
