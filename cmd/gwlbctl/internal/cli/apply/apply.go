// Package apply holds `gwlbctl apply -f topology.yaml [--dry-run]`:
// declarative provisioning through control/apply. It prints the plan, applies
// it in one state-file update (all or nothing), and says "No changes" when
// the state already matches.
package apply

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
	topo "github.com/gwlbctl/gwlbctl/control/apply"
	"github.com/gwlbctl/gwlbctl/control/store"
)

// Options are the inputs of `apply`.
type Options struct {
	cmdutil.Op
	File   string
	DryRun bool
	// Structured is set when --output was given on the command line: the
	// plan is then printed in that format instead of as text for people.
	Structured bool
}

// NewCmdApply returns `apply`.
func NewCmdApply(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Op: f.Op()}
	cmd := &cobra.Command{
		Use:   "apply -f FILE [--dry-run]",
		Short: "Create, update and delete resources to match a topology file",
		Long: `Reads a topology (YAML: vpcs, targetGroups, loadBalancers, endpointServices,
endpoints), compares it with the state file and makes the changes through
the same operations and validation as the elbv2/ec2 commands. All changes
are written in one update: if any step fails, nothing is written.

Resources are matched by name (ELBv2) or Name tag (EC2). Only resources
apply created (tag gwlbctl:managed-by=apply) are ever deleted. Applying the
same file twice prints "No changes".

The plan is printed for people ("+" create, "~" update, "-" delete); with
--output json|yaml|text|table it is printed as data: {"DryRun": ..., "Changes": [...]}.`,
		Example: `  gwlbctl apply -f configs/topology.yaml --dry-run
  gwlbctl apply -f configs/topology.yaml
  gwlbctl apply -f configs/topology.yaml --output json --query 'length(Changes)'`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.Require(cmd, "filename"); err != nil {
				return err
			}
			opts.Structured = cmd.Flags().Changed("output")
			if runF != nil {
				return runF(opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVarP(&opts.File, "filename", "f", "", "topology file (YAML)")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "print the plan without changing anything")
	_ = cmd.MarkFlagFilename("filename", "yaml", "yml")
	return cmd
}

// result is the plan as data (--output).
type result struct {
	DryRun  bool          `json:"DryRun"`
	Changes []topo.Change `json:"Changes"`
}

func run(ctx context.Context, opts *Options) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	t, err := topo.Load(opts.File)
	if err != nil {
		// The file is this command's input: a usage error, naming -f.
		return cmdutil.FlagErrorf("argument --filename/-f: %v", err)
	}
	if t.Region != "" && t.Region != cfg.Region {
		return &cmdutil.ConfigError{
			Err:  fmt.Errorf("%s is for region %s but gwlbctl acts in %s", opts.File, t.Region, cfg.Region),
			Hint: "Set --region " + t.Region + " (or GWLBCTL_REGION), or change the file's region.",
		}
	}
	st, err := opts.Store()
	if err != nil {
		return err
	}
	env := cfg.Env()
	env.Now = opts.Now
	plan, err := topo.Run(st, env, t, opts.DryRun)
	if err != nil {
		var svc *control.Error
		if errors.As(err, &svc) {
			if svc.Operation == "" {
				svc.Operation = "Apply"
			}
			return err
		}
		var pathErr *fs.PathError
		if errors.Is(err, store.ErrCorrupt) || errors.Is(err, store.ErrNewerSchema) || errors.As(err, &pathErr) {
			return &cmdutil.ConfigError{Err: err}
		}
		return err
	}
	if opts.Structured {
		changes := plan.Changes
		if changes == nil {
			changes = []topo.Change{}
		}
		return cmdutil.Print(opts.Op, "Apply", result{DryRun: opts.DryRun, Changes: changes})
	}
	out := opts.IO.Out
	switch {
	case plan.Empty():
		fmt.Fprint(out, plan.String())
	case opts.DryRun:
		fmt.Fprintf(out, "Plan for %s (dry run; nothing was changed):\n%s", opts.File, plan.String())
	default:
		fmt.Fprintf(out, "Applying %s to %s:\n%s", opts.File, st.Describe(), plan.String())
		fmt.Fprintf(out, "Applied %d change(s).\n", len(plan.Changes))
	}
	return nil
}
