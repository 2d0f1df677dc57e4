package ec2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// DeleteTagsOptions are the inputs of `ec2 delete-tags`.
type DeleteTagsOptions struct {
	cmdutil.Op
	Input control.DeleteTagsInput
}

// NewCmdDeleteTags returns `ec2 delete-tags`.
func NewCmdDeleteTags(f *cmdutil.Factory, runF func(*DeleteTagsOptions) error) *cobra.Command {
	opts := &DeleteTagsOptions{Op: f.Op()}
	var ids, tags []string
	cmd := &cobra.Command{
		Use:     "delete-tags",
		Short:   "Remove tags (all of a key with Key=k, or only a matching value with Key=k,Value=v)",
		Example: `  gwlbctl ec2 delete-tags --resources ` + exVpc + ` --tags Key=Name`,
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.Require(cmd, "resources"); err != nil {
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
			return cmdutil.Run(cmd.Context(), opts.Op, "DeleteTags", true, (*control.State).DeleteTags, opts.Input)
		},
	}
	cmdutil.ListFlag(cmd, &ids, "resources", "resource IDs")
	cmdutil.ListFlag(cmd, &tags, "tags", "tags: Key=k[,Value=v] ...")
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
