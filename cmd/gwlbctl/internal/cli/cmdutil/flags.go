package cmdutil

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// nargsAnnotation marks a flag that, as in the AWS CLI, takes every
// following word up to the next flag: `--subnets subnet-a subnet-b`.
const nargsAnnotation = "gwlbctl_nargs"

// listValue collects the raw words of a list flag; the command decodes them
// (shorthand, JSON, file://) when it runs.
type listValue struct{ words *[]string }

func (l *listValue) String() string {
	if l.words == nil {
		return ""
	}
	return strings.Join(*l.words, " ")
}
func (l *listValue) Set(s string) error { *l.words = append(*l.words, s); return nil }
func (l *listValue) Type() string       { return "list" }

// ListFlag declares an AWS-style list flag. Its words are appended to *words.
func ListFlag(cmd *cobra.Command, words *[]string, name, usage string) {
	cmd.Flags().Var(&listValue{words: words}, name, usage)
	_ = cmd.Flags().SetAnnotation(name, nargsAnnotation, []string{"true"})
}

// triBool is a *bool set by --name or --no-name, the AWS CLI's boolean pairs.
type triBool struct {
	p     **bool
	val   bool
	name  string
	given *string // which of the pair was given first
}

func (b *triBool) String() string {
	if *b.p == nil {
		return ""
	}
	return strconv.FormatBool(**b.p)
}
func (b *triBool) Set(s string) error {
	v, err := strconv.ParseBool(s)
	if err != nil {
		return err
	}
	if *b.given != "" && *b.given != b.name {
		return fmt.Errorf("argument --%s: not allowed with argument --%s", b.name, *b.given)
	}
	*b.given = b.name
	v = v == b.val
	*b.p = &v
	return nil
}
func (b *triBool) Type() string     { return "bool" }
func (b *triBool) IsBoolFlag() bool { return true }

// BoolPairFlag declares --name and --no-name setting *p to true or false;
// *p stays nil when neither is given.
func BoolPairFlag(cmd *cobra.Command, p **bool, name, usage string) {
	fs := cmd.Flags()
	given := new(string)
	fs.Var(&triBool{p: p, val: true, name: name, given: given}, name, usage)
	fs.Lookup(name).NoOptDefVal = "true"
	fs.Var(&triBool{p: p, val: false, name: "no-" + name, given: given}, "no-"+name, "opposite of --"+name)
	fs.Lookup("no-" + name).NoOptDefVal = "true"
}

// ExpandListArgs prepares a command line the way the AWS CLI's argparse
// reads it, for pflag: an unambiguous prefix of a flag stands for the flag
// (--filter for --filters; an ambiguous one is a usage error naming the
// candidates, as argparse words it), and a list flag takes every following
// word up to the next flag (`--flag a b c` becomes `--flag a --flag b
// --flag c`, since pflag takes one word per flag).
func ExpandListArgs(root *cobra.Command, args []string) ([]string, error) {
	target, _, err := root.Find(args)
	if err != nil || target == nil {
		return args, nil
	}
	out := make([]string, 0, len(args))
	var current string // list flag whose words we are reading
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			out = append(out, args[i:]...)
			break
		}
		if strings.HasPrefix(a, "--") && len(a) > 2 {
			current = ""
			name, value, hasValue := strings.Cut(a[2:], "=")
			full, err := resolveFlag(target, name)
			if err != nil {
				return nil, err
			}
			if full != name {
				a = "--" + full
				if hasValue {
					a += "=" + value
				}
				name = full
			}
			if f := target.Flag(name); f != nil {
				// A choice flag whose value is optional (argparse's
				// nargs='?', --generate-cli-skeleton [output]) takes
				// the next word when it is one of its choices.
				if f.NoOptDefVal != "" && !hasValue && i+1 < len(args) && slices.Contains(Choices(f), args[i+1]) {
					out = append(out, a+"="+args[i+1])
					i++
					continue
				}
				if _, ok := f.Annotations[nargsAnnotation]; ok {
					current = name
					out = append(out, a)
					if !hasValue && i+1 < len(args) {
						i++
						out = append(out, args[i])
					}
					continue
				}
			}
			out = append(out, a)
			continue
		}
		if strings.HasPrefix(a, "-") && len(a) > 1 {
			current = ""
			out = append(out, a)
			continue
		}
		if current != "" {
			out = append(out, "--"+current, a)
			continue
		}
		out = append(out, a)
	}
	return out, nil
}

// resolveFlag returns the flag of cmd that name is, or is the only prefix
// of; name itself when there is none (pflag then reports it unknown).
func resolveFlag(cmd *cobra.Command, name string) (string, error) {
	if cmd.Flag(name) != nil {
		return name, nil
	}
	seen := map[string]bool{}
	var matches []string
	visit := func(f *pflag.Flag) {
		if strings.HasPrefix(f.Name, name) && !seen[f.Name] {
			seen[f.Name] = true
			matches = append(matches, "--"+f.Name)
		}
	}
	cmd.Flags().VisitAll(visit)
	cmd.InheritedFlags().VisitAll(visit)
	switch len(matches) {
	case 0:
		return name, nil
	case 1:
		return matches[0][2:], nil
	}
	sort.Strings(matches)
	return "", FlagErrorf("ambiguous option: --%s could match %s", name, strings.Join(matches, ", "))
}

// NoArgs rejects positional arguments the way the AWS CLI does.
func NoArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 1 && args[0] == "help" {
		return nil // the verb prints its help (InputJSON)
	}
	if len(args) > 0 {
		return FlagErrorf("Unknown options: %s", strings.Join(args, ", "))
	}
	return nil
}

// Require reports the required flags that were not given, naming them all.
func Require(cmd *cobra.Command, names ...string) error {
	var missing []string
	for _, n := range names {
		if f := cmd.Flags().Lookup(n); f == nil || !f.Changed {
			missing = append(missing, "--"+n)
		}
	}
	if len(missing) > 0 {
		return FlagErrorf("the following arguments are required: %s", strings.Join(missing, ", "))
	}
	return nil
}

// RequireOne reports unless exactly one of names was given.
func RequireOne(cmd *cobra.Command, names ...string) error {
	var set []string
	for _, n := range names {
		if f := cmd.Flags().Lookup(n); f != nil && f.Changed {
			set = append(set, "--"+n)
		}
	}
	dashed := make([]string, len(names))
	for i, n := range names {
		dashed[i] = "--" + n
	}
	switch len(set) {
	case 1:
		return nil
	case 0:
		return FlagErrorf("one of %s is required", strings.Join(dashed, ", "))
	default:
		return FlagErrorf("only one of %s may be given", strings.Join(dashed, ", "))
	}
}

// FlagErrorFunc turns pflag's parse errors into usage errors worded as the
// AWS CLI words them.
func FlagErrorFunc(cmd *cobra.Command, err error) error {
	var choice *ChoiceError
	var invalid *pflag.InvalidValueError
	if errors.As(err, &choice) && errors.As(err, &invalid) {
		return &FlagError{Err: fmt.Errorf("argument --%s: %w", invalid.GetFlag().Name, choice)}
	}
	msg := err.Error()
	if rest, ok := strings.CutPrefix(msg, "unknown flag: "); ok {
		return FlagErrorf("Unknown options: %s", rest)
	}
	if rest, ok := strings.CutPrefix(msg, "unknown shorthand flag: "); ok {
		return FlagErrorf("Unknown options: %s", rest)
	}
	if rest, ok := strings.CutPrefix(msg, "flag needs an argument: "); ok {
		return FlagErrorf("argument %s: expected one argument", strings.Trim(rest, "'"))
	}
	return &FlagError{Err: err}
}

// Changed lists the flags given on the command line (for tests and
// debugging), sorted.
func Changed(fs *pflag.FlagSet) []string {
	var out []string
	fs.Visit(func(f *pflag.Flag) { out = append(out, f.Name) })
	sort.Strings(out)
	return out
}

// IntPtrFlag declares an integer flag whose value is only used when given.
func IntPtrFlag(cmd *cobra.Command, p **int, name, usage string) {
	cmd.Flags().Var(&intPtr{p: p}, name, usage)
}

type intPtr struct{ p **int }

func (v *intPtr) String() string {
	if *v.p == nil {
		return ""
	}
	return strconv.Itoa(**v.p)
}
func (v *intPtr) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("%q is not an integer", s)
	}
	*v.p = &n
	return nil
}
func (v *intPtr) Type() string { return "int" }

// StringPtrFlag declares a string flag whose value is only used when given.
func StringPtrFlag(cmd *cobra.Command, p **string, name, usage string) {
	cmd.Flags().Var(&strPtr{p: p}, name, usage)
}

type strPtr struct{ p **string }

func (v *strPtr) String() string {
	if *v.p == nil {
		return ""
	}
	return **v.p
}
func (v *strPtr) Set(s string) error { *v.p = &s; return nil }
func (v *strPtr) Type() string       { return "string" }

// NoArgsCommand rejects an unknown top-level command.
func NoArgsCommand(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return FlagErrorf("argument command: Invalid choice %q (run '%s --help' for the commands)", args[0], cmd.CommandPath())
	}
	return nil
}
