package store

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/gwlbctl/gwlbctl/control"
)

// Operation is a control operation: a method expression such as
// (*control.State).CreateLoadBalancer.
type Operation[I, O any] func(*control.State, control.Env, I) (*O, error)

// Run executes one operation against st, the way every front end (the CLI
// verbs, the AWS API) runs it: a mutating operation inside one Update (one
// locked read-modify-write; an operation error or a request that changes
// nothing saves nothing), a read-only one inside View. name is the API
// operation ("CreateLoadBalancer"); a *control.Error that does not name its
// operation is given it. Other errors (the store's) are returned as they
// are.
//
// On a store with a node registry (etcd), env.Nodes, when not set, is the
// registry's liveness (Liveness), so recorded target health is combined
// over the live nodes.
func Run[I, O any](st Store, env control.Env, name string, mutates bool, op Operation[I, O], in I) (*O, error) {
	if r, ok := st.(Registry); ok && env.Nodes == nil {
		env.Nodes = Liveness(r)
	}
	var out *O
	apply := func(s *control.State) error {
		var err error
		out, err = op(s, env, in)
		return err
	}
	var err error
	if mutates {
		_, err = st.Update(apply)
	} else {
		err = st.View(apply)
	}
	if err != nil {
		var svc *control.Error
		if errors.As(err, &svc) && svc.Operation == "" {
			svc.Operation = name
		}
		return nil, err
	}
	return out, nil
}

// livenessTimeout bounds Liveness's one listing of the registry.
const livenessTimeout = 5 * time.Second

// Liveness is r's registered nodes as a control.NodeLiveness: a node is
// live while its registration's lease holds, in the zone it registered.
// The registry is listed once, at the first question (within
// livenessTimeout). When it cannot be listed every node is taken as dead,
// and CombinedHealth then shows the last recorded views as they are.
func Liveness(r Registry) control.NodeLiveness {
	var (
		once  sync.Once
		nodes map[string]string
	)
	return func(node string) (string, bool) {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), livenessTimeout)
			defer cancel()
			regs, err := r.Nodes(ctx)
			if err != nil {
				return
			}
			nodes = make(map[string]string, len(regs))
			for _, reg := range regs {
				nodes[reg.NodeID] = reg.AvailabilityZone
			}
		})
		zone, ok := nodes[node]
		return zone, ok
	}
}
