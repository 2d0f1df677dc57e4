package state

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
	"github.com/gwlbctl/gwlbctl/control/store"
)

// MigrateOptions are the inputs of `state migrate`.
type MigrateOptions struct {
	cmdutil.Op
	// Open opens a location (the state package's Open in production).
	Open  func(location string) (store.Store, error)
	From  string // "" means the state setting
	To    string
	Force bool
}

// MigrateResult is what `state migrate` prints.
type MigrateResult struct {
	From string `json:"From"`
	To   string `json:"To"`
	// SourceRevision is the revision copied; Revision is the one the
	// destination saved it as: its own next revision (1 when it was
	// empty), so the destination's watchers never see a revision go back.
	SourceRevision uint64 `json:"SourceRevision"`
	Revision       uint64 `json:"Revision"`
	// StateDigest is the SHA-256 of the state part, read back from the
	// destination and equal to the source's.
	StateDigest string `json:"StateDigest"`
	Resources   Counts `json:"Resources"`
	// Replaced is the number of resources the destination held before
	// (non-zero only with --force).
	Replaced int `json:"Replaced"`
}

// NewCmdMigrate returns `state migrate`.
func NewCmdMigrate(f *cmdutil.Factory, runF func(*MigrateOptions) error) *cobra.Command {
	opts := &MigrateOptions{Op: f.Op(), Open: Open}
	cmd := &cobra.Command{
		Use:   "migrate [--from LOCATION] --to LOCATION [--force]",
		Short: "Copy the state from one store to another (file <-> etcd, file -> file)",
		Long: `Copies every resource of the state at --from (default: the state setting)
into the store at --to, in one transaction of the destination, then reads
the destination back and checks that its state part has the source's
SHA-256.

A destination that already holds resources is refused unless --force is
given; one whose content is corrupted or from a newer gwlbctl is refused
even then, and left as it is. The source is only read.

The destination saves the copy as its own next revision (1 when it held
nothing): its revision never goes back, so nodes watching it reload. The
source's revision is printed as SourceRevision.

Locations: a state file path or file://PATH, etcd://HOST:PORT[,HOST:PORT...]/PREFIX
(etcds:// for TLS; options in the README's etcd section).`,
		Example: `  gwlbctl state migrate --from ~/.local/state/gwlbctl/state.json --to etcd://10.0.0.5:2379/gwlbctl
  gwlbctl --state etcd://10.0.0.5:2379/gwlbctl state migrate --to backup.json
  gwlbctl state migrate --from backup.json --to etcd://10.0.0.5:2379/gwlbctl --force`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.Require(cmd, "to"); err != nil {
				return err
			}
			if f := cmd.Flags().Lookup("from"); f.Changed && opts.From == "" {
				return cmdutil.FlagErrorf("argument --from: give a location (a state file path or etcd://...)")
			}
			if opts.To == "" {
				return cmdutil.FlagErrorf("argument --to: give a location (a state file path or etcd://...)")
			}
			if runF != nil {
				return runF(opts)
			}
			return runMigrate(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.From, "from", "", "location to copy from (default: the state setting, --state/GWLBCTL_STATE)")
	cmd.Flags().StringVar(&opts.To, "to", "", "location to copy to: a state file path, or etcd://HOST:PORT/PREFIX")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "replace a destination that already holds resources")
	return cmd
}

// errNotEmpty: the destination holds resources and --force was not given.
var errNotEmpty = errors.New("destination is not empty")

func runMigrate(ctx context.Context, opts *MigrateOptions) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	from := opts.From
	if from == "" {
		cfg, err := opts.Config()
		if err != nil {
			return err
		}
		from = cfg.State
	}
	src, err := opts.Open(from)
	if err != nil {
		return err
	}
	dst, err := opts.Open(opts.To)
	if err != nil {
		return err
	}
	if src.Describe() == dst.Describe() {
		return cmdutil.FlagErrorf("--from and --to are the same store (%s)", src.Describe())
	}
	st, ver, err := src.Snapshot()
	if err != nil {
		return storeError(err)
	}
	if ver == (store.Version{}) {
		return &cmdutil.ConfigError{Err: fmt.Errorf("%s holds no state (nothing was ever saved there)", src.Describe()),
			Hint: "Check --from (default: the state setting, --state/GWLBCTL_STATE)."}
	}
	want, err := stateDigest(st)
	if err != nil {
		return err
	}
	counts, err := countResources(st)
	if err != nil {
		return err
	}

	var replaced int
	rev, err := dst.Update(func(d *control.State) error {
		c, err := countResources(d)
		if err != nil {
			return err
		}
		replaced = c.Total()
		if replaced > 0 && !opts.Force {
			return fmt.Errorf("%w: %s holds %s", errNotEmpty, dst.Describe(), c)
		}
		*d = *st
		return nil
	})
	if errors.Is(err, errNotEmpty) {
		return &cmdutil.ConfigError{Err: err, Hint: "Give --force to replace them with the state of " + src.Describe() + "."}
	}
	if err != nil {
		return storeError(err)
	}

	back, _, err := dst.Snapshot()
	if err != nil {
		return storeError(fmt.Errorf("reading %s back: %w", dst.Describe(), err))
	}
	got, err := stateDigest(back)
	if err != nil {
		return err
	}
	if got != want {
		return &cmdutil.ConfigError{Err: fmt.Errorf("verification failed: %s holds state sha256 %s after the copy, the source %s has %s (another writer changed it in between?)", dst.Describe(), got, src.Describe(), want),
			Hint: "Run the migration again once no other gwlbctl writes to the destination."}
	}
	return cmdutil.Print(opts.Op, "MigrateState", MigrateResult{
		From: src.Describe(), To: dst.Describe(), SourceRevision: ver.Revision, Revision: rev,
		StateDigest: got, Resources: counts, Replaced: replaced,
	})
}
