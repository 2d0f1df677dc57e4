package cmdutil

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// ChoiceError is a value outside a choice's allowed values. Its message is
// the AWS CLI's; a flag's error prefixes "argument --NAME: ", a setting's
// "NAME: ".
type ChoiceError struct {
	Value   string
	Choices []string
}

func (e *ChoiceError) Error() string {
	return fmt.Sprintf("Invalid choice %q, valid choices are: %s", e.Value, strings.Join(e.Choices, " | "))
}

// CheckChoice returns a *ChoiceError unless value is one of choices.
func CheckChoice(value string, choices []string) error {
	if slices.Contains(choices, value) {
		return nil
	}
	return &ChoiceError{Value: value, Choices: choices}
}

// enumValue is a string flag that takes one of choices.
type enumValue struct {
	p       *string
	choices []string
}

func (v *enumValue) String() string {
	if v.p == nil {
		return ""
	}
	return *v.p
}

func (v *enumValue) Set(s string) error {
	if err := CheckChoice(s, v.choices); err != nil {
		return err
	}
	*v.p = s
	return nil
}

func (v *enumValue) Type() string { return "string" }

// EnumFlag declares a choice flag on cmd: --name takes one of choices
// (the one list, in the order shown), stored in *p, which starts as def.
// The help lists the choices after usage; a value outside them, given on
// the command line or through --cli-input-json, is a usage error naming the
// flag and the choices (exit 252); shell completion offers them.
func EnumFlag(cmd *cobra.Command, p *string, name, def, usage string, choices ...string) {
	enumVar(cmd.Flags(), p, name, def, usage, choices)
	completeChoices(cmd, name, choices)
}

// PersistentEnumFlag is EnumFlag on cmd's persistent flags (the root's
// global flags).
func PersistentEnumFlag(cmd *cobra.Command, p *string, name, def, usage string, choices ...string) {
	enumVar(cmd.PersistentFlags(), p, name, def, usage, choices)
	completeChoices(cmd, name, choices)
}

func enumVar(fs *pflag.FlagSet, p *string, name, def, usage string, choices []string) {
	if len(choices) == 0 {
		panic("cmdutil: enum flag --" + name + " has no choices")
	}
	if def != "" && !slices.Contains(choices, def) {
		panic("cmdutil: enum flag --" + name + " defaults to " + def + ", not one of its choices")
	}
	*p = def
	fs.Var(&enumValue{p: p, choices: choices}, name, usage+": "+strings.Join(choices, "|"))
}

func completeChoices(cmd *cobra.Command, name string, choices []string) {
	_ = cmd.RegisterFlagCompletionFunc(name, func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return choices, cobra.ShellCompDirectiveNoFileComp
	})
}

// Choices returns the values a choice flag takes, or nil when f is not one.
func Choices(f *pflag.Flag) []string {
	if v, ok := f.Value.(*enumValue); ok {
		return v.choices
	}
	return nil
}
