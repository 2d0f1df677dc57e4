package state

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control/store"
)

// ShowOptions are the inputs of `state show`.
type ShowOptions struct {
	cmdutil.Op
	Open func(location string) (store.Store, error)
}

// ShowResult is what `state show` prints.
type ShowResult struct {
	// Location is the store's description (a file's path; etcd's
	// endpoints and prefix, never its options).
	Location string `json:"Location"`
	// Source is where the state setting came from: flag, environment,
	// config file or default.
	Source   string `json:"Source"`
	Revision uint64 `json:"Revision"`
	// Digest is the SHA-256 of the stored document ("" when empty);
	// StateDigest that of its state part, as `state migrate` prints it.
	Digest      string `json:"Digest"`
	StateDigest string `json:"StateDigest"`
	Resources   Counts `json:"Resources"`
}

// NewCmdShow returns `state show`.
func NewCmdShow(f *cmdutil.Factory, runF func(*ShowOptions) error) *cobra.Command {
	opts := &ShowOptions{Op: f.Op(), Open: Open}
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Show where the state is, its revision, digest and resource counts",
		Long: `Reads the configured state store (--state, GWLBCTL_STATE, the config
file's state, or the default file) and prints its location, where that
setting came from, the revision, the SHA-256 of the stored document and of
its state part, and how many resources of each kind it holds.`,
		Example: `  gwlbctl state show
  gwlbctl --state etcd://10.0.0.5:2379/gwlbctl state show --query Revision --output text`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runShow(cmd.Context(), opts)
		},
	}
	return cmd
}

func runShow(ctx context.Context, opts *ShowOptions) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	st, err := opts.Open(cfg.State)
	if err != nil {
		return err
	}
	s, v, err := st.Snapshot()
	if err != nil {
		return storeError(err)
	}
	sd, err := stateDigest(s)
	if err != nil {
		return err
	}
	counts, err := countResources(s)
	if err != nil {
		return err
	}
	return cmdutil.Print(opts.Op, "ShowState", ShowResult{
		Location: st.Describe(), Source: cfg.StateSource.String(), Revision: v.Revision,
		Digest: v.Digest, StateDigest: sd, Resources: counts,
	})
}
