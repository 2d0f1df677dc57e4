package cmdutil

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/shorthand"
)

// NewGroup returns a command that only holds subcommands (`elbv2`, `ec2`).
// Like the AWS CLI it refuses an unknown or missing operation with a usage
// error instead of printing help and exiting 0.
func NewGroup(use, short, long string, subs ...*cobra.Command) *cobra.Command {
	cmd := &cobra.Command{
		Use:   use + " <operation> [parameters]",
		Short: short,
		Long:  long,
		Args:  cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var names []string
			for _, c := range cmd.Commands() {
				if c.IsAvailableCommand() {
					names = append(names, c.Name())
				}
			}
			if len(args) == 0 {
				return FlagErrorf("the following arguments are required: operation (one of: %s)", strings.Join(names, ", "))
			}
			if len(args) == 1 && args[0] == "help" {
				return cmd.Help() // `aws elbv2 help`
			}
			return FlagErrorf("argument operation: Invalid choice %q, valid choices are:\n  %s", args[0], strings.Join(names, "\n  "))
		},
	}
	cmd.AddCommand(subs...)
	return cmd
}

// ParamError marks a parameter decoding failure as a usage error.
func ParamError(err error) error {
	if err == nil {
		return nil
	}
	return &FlagError{Err: err}
}

// DecodeList decodes an AWS list-of-structures flag into dst (a slice
// pointer) when the flag was given.
func DecodeList(fs *pflag.FlagSet, name string, words []string, dst any) error {
	if f := fs.Lookup(name); f == nil || !f.Changed {
		return nil
	}
	return ParamError(shorthand.DecodeList("--"+name, words, dst))
}

// DecodeStrings decodes an AWS list-of-strings flag when it was given.
func DecodeStrings(fs *pflag.FlagSet, name string, words []string) ([]string, error) {
	if f := fs.Lookup(name); f == nil || !f.Changed {
		return nil, nil
	}
	out, err := shorthand.Strings("--"+name, words)
	if err != nil {
		return nil, ParamError(err)
	}
	if len(out) == 0 {
		return nil, FlagErrorf("argument --%s: expected at least one value", name)
	}
	return out, nil
}

// DecodeStruct decodes a structure flag (shorthand, JSON, file://) when given.
func DecodeStruct(fs *pflag.FlagSet, name, raw string, dst any) error {
	if f := fs.Lookup(name); f == nil || !f.Changed {
		return nil
	}
	return ParamError(shorthand.DecodeStruct("--"+name, raw, dst))
}
