package elbv2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// AddTagsOptions are the inputs of `elbv2 add-tags`.
type AddTagsOptions struct {
	cmdutil.Op
	Input control.AddTagsInput
}

// NewCmdAddTags returns `elbv2 add-tags`.
func NewCmdAddTags(f *cmdutil.Factory, runF func(*AddTagsOptions) error) *cobra.Command {
	opts := &AddTagsOptions{Op: f.Op()}
	var arns, tags []string
	cmd := &cobra.Command{
		Use:     "add-tags",
		Short:   "Tag load balancers, target groups or listeners",
		Example: `  gwlbctl elbv2 add-tags --resource-arns ` + exLB + ` --tags Key=env,Value=lab Key=team,Value=netsec`,
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.Require(cmd, "resource-arns", "tags"); err != nil {
				return err
			}
			var err error
			if opts.Input.ResourceArns, err = cmdutil.DecodeStrings(cmd.Flags(), "resource-arns", arns); err != nil {
				return err
			}
			if err := cmdutil.DecodeList(cmd.Flags(), "tags", tags, &opts.Input.Tags); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "AddTags", true, (*control.State).AddTags, opts.Input)
		},
	}
	cmdutil.ListFlag(cmd, &arns, "resource-arns", "ARNs of the resources to tag")
	cmdutil.ListFlag(cmd, &tags, "tags", "tags: Key=k,Value=v ...")
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
