package control

import (
	"cmp"
	"slices"
	"time"
)

// NodeHealthView is one node's view of one target: what its own health
// checks concluded, as it published it.
type NodeHealthView struct {
	// Node is the node's id.
	Node string
	// Zone is the availability zone the node stands in.
	Zone string
	// Live is false once the node's registration lease has expired (the
	// node died or lost the store): its view no longer counts.
	Live bool
	// State is a target health state the node's checks reached:
	// TargetHealthInitial, TargetHealthHealthy or TargetHealthUnhealthy
	// (another state counts as neither healthy nor unhealthy).
	State       string
	Reason      string
	Description string
	// ObservedAt is when the node reached State.
	ObservedAt time.Time
}

// HealthConsensus is the combined health of a target over the nodes'
// views (see ConsensusHealth).
type HealthConsensus struct {
	// State, Reason and Description are the combined target health; State
	// is empty when no live node has a view (Voters is 0).
	State, Reason, Description string
	// Voters are the views that counted, one per node; Agree of them
	// report State.
	Voters, Agree int
	// Zone is the zone whose nodes voted: the target's, or "all" when no
	// live node of the target's zone has a view (every live node voted).
	Zone string
}

// ZoneAll is the availability zone of a target every zone reaches (an IP
// target outside the load balancer's VPC, as AWS names it).
const ZoneAll = "all"

// ConsensusHealth combines the nodes' views of one target in targetZone.
// The rule:
//
//   - Only live nodes count (a node whose lease expired stops counting), and
//     only one view per node, its latest by ObservedAt.
//   - The voters are the live nodes of the target's zone. When none of
//     them has a view (no node stands in that zone: the target is reached
//     across zones), or the target's zone is ZoneAll or empty, every live
//     node votes.
//   - The target is unhealthy only when a strict majority of the voters
//     say unhealthy: one node that cannot reach an appliance (its own link
//     is broken) does not take it out of service for the others. So with
//     two voters, one unhealthy view is not enough; both must agree.
//   - Otherwise it is healthy when any voter says healthy.
//   - Otherwise (no voter healthy, unhealthy not a majority: nodes still in
//     their first checks) it is the state most voters report, a tie going
//     to the state that sorts first (initial before unhealthy).
//
// Reason and Description come from the latest view (by ObservedAt, then
// node id) among those reporting the combined state. The function is pure:
// it reads only its arguments.
func ConsensusHealth(targetZone string, views []NodeHealthView) HealthConsensus {
	latest := map[string]NodeHealthView{}
	for _, v := range views {
		if !v.Live {
			continue
		}
		if old, ok := latest[v.Node]; !ok || v.ObservedAt.After(old.ObservedAt) {
			latest[v.Node] = v
		}
	}
	zone := targetZone
	var voters []NodeHealthView
	if zone != "" && zone != ZoneAll {
		for _, v := range latest {
			if v.Zone == zone {
				voters = append(voters, v)
			}
		}
	}
	if len(voters) == 0 {
		zone = ZoneAll
		for _, v := range latest {
			voters = append(voters, v)
		}
	}
	if len(voters) == 0 {
		return HealthConsensus{Zone: zone}
	}
	count := map[string]int{}
	for _, v := range voters {
		count[v.State]++
	}
	state := ""
	switch {
	case 2*count[TargetHealthUnhealthy] > len(voters):
		state = TargetHealthUnhealthy
	case count[TargetHealthHealthy] > 0:
		state = TargetHealthHealthy
	default:
		for s, n := range count {
			if state == "" || n > count[state] || n == count[state] && s < state {
				state = s
			}
		}
	}
	// The latest view of the combined state gives its reason.
	slices.SortFunc(voters, func(a, b NodeHealthView) int {
		if c := b.ObservedAt.Compare(a.ObservedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.Node, b.Node)
	})
	c := HealthConsensus{State: state, Voters: len(voters), Agree: count[state], Zone: zone}
	for _, v := range voters {
		if v.State == state {
			c.Reason, c.Description = v.Reason, v.Description
			break
		}
	}
	return c
}
