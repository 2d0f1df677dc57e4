package store

import (
	"errors"

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
func Run[I, O any](st Store, env control.Env, name string, mutates bool, op Operation[I, O], in I) (*O, error) {
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
