package cli

import (
	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control/store"
)

// openStore opens the state store at location, the resolved state setting
// (cmdutil.Config.State). It is empty only when no default path could be
// found, which store.DefaultPath explains.
func openStore(location string) (store.Store, error) {
	if location == "" {
		p, err := store.DefaultPath()
		if err != nil {
			return nil, &cmdutil.ConfigError{Err: err}
		}
		location = p
	}
	s, err := store.Open(location)
	if err != nil {
		return nil, &cmdutil.ConfigError{Err: err, Hint: "Give the state location with --state or GWLBCTL_STATE: a file path, or etcd://HOST:PORT/PREFIX."}
	}
	return s, nil
}
