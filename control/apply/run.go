package apply

import (
	"github.com/gwlbctl/gwlbctl/control"
	"github.com/gwlbctl/gwlbctl/control/store"
)

// Run is what `gwlbctl apply -f FILE [--dry-run]` does with the store. A
// dry run plans against the current state and saves nothing. An apply runs
// the whole reconciliation inside one store update: any error saves nothing
// (all-or-nothing), and an empty plan changes nothing, which the store does
// not save either, so the revision only moves when something changed.
func Run(st store.Store, env control.Env, t *Topology, dryRun bool) (Plan, error) {
	var plan Plan
	if dryRun {
		err := st.View(func(s *control.State) error {
			var err error
			plan, err = PlanFor(s, env, t)
			return err
		})
		return plan, err
	}
	_, err := st.Update(func(s *control.State) error {
		var err error
		plan, err = Apply(s, env, t)
		return err
	})
	return plan, err
}
