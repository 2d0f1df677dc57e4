package cli

import (
	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control/store"
)

// openStore opens the state file at path, or at store.DefaultPath() when
// no path is configured.
func openStore(path string) (cmdutil.StateStore, error) {
	if path == "" {
		p, err := store.DefaultPath()
		if err != nil {
			return nil, &cmdutil.ConfigError{Err: err}
		}
		path = p
	}
	s, err := store.Open(path)
	if err != nil {
		return nil, &cmdutil.ConfigError{Err: err, Hint: "Give the state file with --state or GWLBCTL_STATE."}
	}
	return s, nil
}
