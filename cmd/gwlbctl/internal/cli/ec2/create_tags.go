package ec2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// CreateTagsOptions are the inputs of `ec2 create-tags`.
type CreateTagsOptions struct {
	cmdutil.Op
	Input control.CreateTagsInput
}

// NewCmdCreateTags returns `ec2 create-tags`.
func NewCmdCreateTags(f *cmdutil.Factory, runF func(*CreateTagsOptions) error) *cobra.Command {
	opts := &CreateTagsOptions{Op: f.Op()}
	var ids, tags []string
	cmd := &cobra.Command{
		Use:     "create-tags",
		Short:   "Tag VPCs, subnets, endpoint services or endpoints",
		Example: `  gwlbctl ec2 create-tags --resources ` + exVpc + ` --tags Key=Name,Value=provider`,
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.Require(cmd, "resources", "tags"); err != nil {
				return err
			}
			var err error
			if opts.Input.Resources, err = cmdutil.DecodeStrings(cmd.Flags(), "resources", ids); err != nil {
				return err
			}
			if err := cmdutil.DecodeList(cmd.Flags(), "tags", tags, &opts.Input.Tags); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "CreateTags", true, (*control.State).CreateTags, opts.Input)
		},
	}
	cmdutil.ListFlag(cmd, &ids, "resources", "resource IDs")
	cmdutil.ListFlag(cmd, &tags, "tags", "tags: Key=k,Value=v ...")
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
