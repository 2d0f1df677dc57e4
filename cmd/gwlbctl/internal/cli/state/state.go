// Package state holds `gwlbctl state ...`: commands about the state store
// itself rather than the resources in it. `state migrate` copies a state
// from one location to another (a file, etcd), `state show` says where the
// configured state lives, at which revision, and how much it holds.
package state

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
	"github.com/gwlbctl/gwlbctl/control/store"
)

// NewCmdState returns `state` and its subcommands.
func NewCmdState(f *cmdutil.Factory) *cobra.Command {
	return cmdutil.NewGroup("state", "Inspect the state store and copy a state between stores",
		`The state store holds every resource: a JSON file (the default, a path or
file://PATH) or etcd (etcd://HOST:PORT[,HOST:PORT...]/PREFIX, etcds:// for
TLS), chosen by --state, GWLBCTL_STATE or the config file's state.`,
		NewCmdMigrate(f, nil), NewCmdShow(f, nil))
}

// Open opens the store at location, as the state setting does.
func Open(location string) (store.Store, error) {
	s, err := store.Open(location)
	if err != nil {
		return nil, &cmdutil.ConfigError{Err: err, Hint: "A location is a state file path, file://PATH, or etcd://HOST:PORT[,HOST:PORT...]/PREFIX."}
	}
	return s, nil
}

// storeError classes a failure to read or write a store as a
// configuration problem (exit 253), as the elbv2/ec2 verbs do.
func storeError(err error) error {
	var cfgErr *cmdutil.ConfigError
	var flagErr *cmdutil.FlagError
	if err == nil || errors.As(err, &cfgErr) || errors.As(err, &flagErr) {
		return err
	}
	return &cmdutil.ConfigError{Err: err}
}

// stateDigest is the SHA-256 (hex) of a state's compact JSON encoding: the
// state part of a document, without its revision or timestamp, so the same
// resources have the same digest in any store.
func stateDigest(s *control.State) (string, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return "", fmt.Errorf("encoding state: %w", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// Counts is how many resources of each kind a state holds, by the state
// document's field names (vpcs, subnets, loadBalancers, ...).
type Counts map[string]int

// countResources counts each of the state's lists (from its encoding, so a
// kind added to the state is counted without a change here).
func countResources(s *control.State) (Counts, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("encoding state: %w", err)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil {
		return nil, err
	}
	c := Counts{}
	for k, raw := range fields {
		var list []json.RawMessage
		if json.Unmarshal(raw, &list) == nil {
			c[k] = len(list)
		}
	}
	return c, nil
}

// Total is the number of resources of every kind.
func (c Counts) Total() int {
	n := 0
	for _, v := range c {
		n += v
	}
	return n
}

// String lists the non-zero counts: "1 loadBalancers, 2 vpcs".
func (c Counts) String() string {
	keys := make([]string, 0, len(c))
	for k, v := range c {
		if v > 0 {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	s := ""
	for i, k := range keys {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%d %s", c[k], k)
	}
	if s == "" {
		return "no resources"
	}
	return s
}
