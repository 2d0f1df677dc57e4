package elbv2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// RemoveTagsOptions are the inputs of `elbv2 remove-tags`.
type RemoveTagsOptions struct {
	cmdutil.Op
	Input control.RemoveTagsInput
}

// NewCmdRemoveTags returns `elbv2 remove-tags`.
func NewCmdRemoveTags(f *cmdutil.Factory, runF func(*RemoveTagsOptions) error) *cobra.Command {
	opts := &RemoveTagsOptions{Op: f.Op()}
	var arns, keys []string
	cmd := &cobra.Command{
		Use:     "remove-tags",
		Short:   "Remove tags by key",
		Example: `  gwlbctl elbv2 remove-tags --resource-arns ` + exLB + ` --tag-keys env team`,
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.Require(cmd, "resource-arns", "tag-keys"); err != nil {
				return err
			}
			var err error
			if opts.Input.ResourceArns, err = cmdutil.DecodeStrings(cmd.Flags(), "resource-arns", arns); err != nil {
				return err
			}
			if opts.Input.TagKeys, err = cmdutil.DecodeStrings(cmd.Flags(), "tag-keys", keys); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "RemoveTags", true, (*control.State).RemoveTags, opts.Input)
		},
	}
	cmdutil.ListFlag(cmd, &arns, "resource-arns", "ARNs of the resources")
	cmdutil.ListFlag(cmd, &keys, "tag-keys", "tag keys to remove")
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
