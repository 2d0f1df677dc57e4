package node

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/gwlbctl/gwlbctl/control"
	"github.com/gwlbctl/gwlbctl/control/api"
)

// What the node tells GET /events: each published snapshot (a reload),
// each endpoint state change it brings (accepted, rejected, deleted), each
// target state change (registered, draining when deregistered, gone when
// the delay ends, and the health checker's transitions as the snapshot
// takes them), each warning it did not have before, and the state's
// problems (deleted, corrupted).

// snapshotEvents are the events of publishing cur after prev (nil at
// start), for the reason why.
func snapshotEvents(why string, prev, cur *Snapshot) []api.Event {
	rev := cur.Config.Revision
	evs := []api.Event{{Time: cur.Built, Kind: api.EventReload, Revision: rev,
		Message: fmt.Sprintf("configuration published (%s): revision %d, %d targets, %d endpoints", why, rev, len(cur.Targets), len(cur.Endpoints))}}
	if prev != nil {
		was := make(map[string]string, len(prev.Endpoints))
		for _, e := range prev.Endpoints {
			was[e.ID] = e.State
		}
		for _, e := range cur.Endpoints {
			from, ok := was[e.ID]
			if !ok || from == e.State {
				continue
			}
			evs = append(evs, api.Event{Time: cur.Built, Kind: api.EventEndpoint, Endpoint: e.ID, From: from, To: e.State, Revision: rev,
				Message: fmt.Sprintf("endpoint %s %s (%s -> %s)", e.ID, endpointChange(e.State), from, e.State)})
		}
		evs = append(evs, targetEvents(prev, cur)...)
	}
	for _, w := range cur.Warnings {
		if prev == nil || !slices.Contains(prev.Warnings, w) {
			evs = append(evs, api.Event{Time: cur.Built, Kind: api.EventWarning, Revision: rev, Message: w})
		}
	}
	return evs
}

// targetEvents are the target state changes from prev to cur, as
// describe-target-health would show them.
func targetEvents(prev, cur *Snapshot) []api.Event {
	was := make(map[string]control.TargetHealth, len(prev.Targets))
	for _, t := range prev.Targets {
		was[t.ID] = t.Health
	}
	var evs []api.Event
	ev := func(id string, from, to control.TargetHealth, detail string) {
		msg := fmt.Sprintf("target %s %s -> %s", id, orNone(from.State), to.State)
		if to.Description != "" {
			msg += ": " + to.Description
		}
		if detail != "" {
			msg += " (" + detail + ")"
		}
		evs = append(evs, api.Event{Time: cur.Built, Kind: api.EventHealth, Target: id, From: from.State, To: to.State,
			Reason: to.Reason, Revision: cur.Config.Revision, Message: msg})
	}
	for _, t := range cur.Targets {
		if from, ok := was[t.ID]; !ok || from.State != t.Health.State {
			ev(t.ID, from, t.Health, t.Detail)
		}
		delete(was, t.ID)
	}
	for _, t := range prev.Targets {
		if from, ok := was[t.ID]; ok && from.State != control.TargetHealthUnused {
			ev(t.ID, from, control.TargetHealth{State: control.TargetHealthUnused, Reason: control.ReasonNotRegistered, Description: "Target is not registered to the target group"}, "")
		}
	}
	return evs
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// endpointChange says in a word what reaching state means for an endpoint.
func endpointChange(state string) string {
	switch state {
	case control.EndpointStateAvailable:
		return "accepted: it forwards"
	case control.EndpointStateRejected:
		return "rejected: it passes nothing"
	case control.EndpointStateDeleting, control.EndpointStateDeleted, EndpointMissing:
		return "deleted: it passes nothing"
	}
	return "changed: it passes nothing"
}

// targetSince remembers when each target (by engine id) entered its
// current health state, for api.Target.Since.
type targetSince struct {
	mu    sync.Mutex
	state map[string]string
	at    map[string]time.Time
}

// note records the states of snapshot s.
func (t *targetSince) note(s *Snapshot) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.state == nil {
		t.state, t.at = map[string]string{}, map[string]time.Time{}
	}
	live := make(map[string]bool, len(s.Targets))
	for i, v := range s.Targets {
		id := s.Config.Targets[i].ID
		live[id] = true
		if t.state[id] != v.Health.State {
			t.state[id], t.at[id] = v.Health.State, s.Built.UTC()
		}
	}
	for id := range t.state {
		if !live[id] && t.state[id] != control.TargetHealthUnused {
			t.state[id], t.at[id] = control.TargetHealthUnused, s.Built.UTC()
		}
	}
}

// snapshot returns a copy of the times.
func (t *targetSince) snapshot() map[string]time.Time {
	t.mu.Lock()
	defer t.mu.Unlock()
	m := make(map[string]time.Time, len(t.at))
	for k, v := range t.at {
		m[k] = v
	}
	return m
}
