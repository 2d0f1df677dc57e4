package cmdutil

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"unicode"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/output"
	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/shorthand"
	"github.com/gwlbctl/gwlbctl/control"
)

// InputJSON gives a verb the AWS CLI's generic arguments, read off its
// request type in:
//
//   - --cli-input-json and --cli-input-yaml: the request from JSON or YAML
//     (or file://) whose top-level keys are the request's member names;
//     each becomes the flag of the same name (LoadBalancerArn ->
//     --load-balancer-arn) unless that flag was given, so flags on the
//     command line win, as in the AWS CLI;
//   - --generate-cli-skeleton input|output: the request's skeleton, or,
//     after the command line is checked, the response's;
//   - --dry-run / --no-dry-run when the request has DryRun (every EC2
//     action);
//   - for paginated operations (Paginators), --starting-token, --page-size
//     and --max-items, and the service's own --next-token/--max-results
//     (EC2) or --marker (ELBv2), hidden as the AWS CLI hides them, which
//     turn the CLI's pagination off;
//   - `help` as the only argument prints the help, as `aws ... help` does.
func InputJSON[I any](cmd *cobra.Command, in *I) {
	var rawJSON, rawYAML, skeleton string
	fl := cmd.Flags()
	fl.StringVar(&rawJSON, "cli-input-json", "", "read the request from JSON (or file://path); flags given on the command line win")
	fl.StringVar(&rawYAML, "cli-input-yaml", "", "read the request from YAML (or file://path); flags given on the command line win")
	EnumFlag(cmd, &skeleton, "generate-cli-skeleton", "", "print a JSON skeleton of the request for --cli-input-json (input), or of the response (output), and exit", "input", "output")
	fl.Lookup("generate-cli-skeleton").NoOptDefVal = "input"

	req := reflect.ValueOf(in).Elem()
	var dryRun *bool
	if f := req.FieldByName("DryRun"); f.IsValid() && f.Kind() == reflect.Bool {
		BoolPairFlag(cmd, &dryRun, "dry-run", "check the request, whether it would succeed, without making it: DryRunOperation (exit 254) when it would")
	}
	paged := newPagingFlags(cmd, req)

	orig := cmd.RunE
	cmd.RunE = func(c *cobra.Command, args []string) error {
		if len(args) == 1 && args[0] == "help" {
			return c.Help()
		}
		if c.Flags().Changed("cli-input-json") && c.Flags().Changed("cli-input-yaml") {
			return FlagErrorf("argument --cli-input-yaml: not allowed with argument --cli-input-json")
		}
		if skeleton == "input" {
			var buf bytes.Buffer
			if err := output.Render(&buf, output.Options{Format: "json"}, skeletonOf(reflect.TypeOf(*in), false, "")); err != nil {
				return err
			}
			_, err := c.OutOrStdout().Write(buf.Bytes())
			return err
		}
		if c.Flags().Changed("cli-input-json") {
			if err := applyInputJSON(c, "cli-input-json", rawJSON, json.Unmarshal); err != nil {
				return err
			}
		}
		if c.Flags().Changed("cli-input-yaml") {
			if err := applyInputJSON(c, "cli-input-yaml", rawYAML, yamlToJSON); err != nil {
				return err
			}
		}
		if dryRun != nil {
			req.FieldByName("DryRun").SetBool(*dryRun)
		}
		ctx := c.Context()
		if ctx == nil {
			ctx = context.Background()
		}
		if paged != nil {
			args, err := paged.args(c, req)
			if err != nil {
				return err
			}
			ctx = context.WithValue(ctx, pagingKey{}, args)
		}
		if skeleton == "output" {
			ctx = context.WithValue(ctx, skeletonKey{}, true)
		}
		c.SetContext(ctx)
		return orig(c, args)
	}
}

type skeletonKey struct{}

// pagingFlags are a paginated verb's pagination flags.
type pagingFlags struct {
	maxItems, pageSize *int
	startingToken      string
	// elb: the limit key is PageSize, which --page-size stands for.
	elb bool
}

// newPagingFlags declares the pagination flags when the request has a
// service token and limit: NextToken/MaxResults (EC2) or Marker/PageSize
// (ELBv2).
func newPagingFlags(cmd *cobra.Command, req reflect.Value) *pagingFlags {
	fl := cmd.Flags()
	p := &pagingFlags{}
	switch {
	case req.FieldByName("NextToken").IsValid() && req.FieldByName("MaxResults").IsValid():
		fl.StringVar(req.FieldByName("NextToken").Addr().Interface().(*string), "next-token", "", "the service's token for the next page (turns the CLI's pagination off)")
		IntPtrFlag(cmd, req.FieldByName("MaxResults").Addr().Interface().(**int), "max-results", "the service's page size (turns the CLI's pagination off)")
		_ = fl.MarkHidden("next-token")
		_ = fl.MarkHidden("max-results")
	case req.FieldByName("Marker").IsValid() && req.FieldByName("PageSize").IsValid():
		fl.StringVar(req.FieldByName("Marker").Addr().Interface().(*string), "marker", "", "the service's marker for the next page (turns the CLI's pagination off)")
		_ = fl.MarkHidden("marker")
		p.elb = true
	default:
		return nil
	}
	fl.StringVar(&p.startingToken, "starting-token", "", "where to start paginating: the NextToken of a previous, truncated output")
	IntPtrFlag(cmd, &p.pageSize, "page-size", "the number of items each service call returns (more calls, same output)")
	IntPtrFlag(cmd, &p.maxItems, "max-items", "the number of items to print; a NextToken to resume from follows when there are more")
	return p
}

// args resolves the invocation's pagination as the AWS CLI's paginate
// customization does.
func (p *pagingFlags) args(c *cobra.Command, req reflect.Value) (pagingArgs, error) {
	a := pagingArgs{maxItems: p.maxItems, pageSize: p.pageSize, startingToken: p.startingToken}
	for _, name := range []string{"next-token", "max-results", "marker"} {
		if c.Flags().Changed(name) {
			a.manual = true
		}
	}
	if f := c.Flag("no-paginate"); f != nil && f.Value.String() == "true" {
		a.noPaginate = true
	}
	if !a.manual && !a.noPaginate {
		return a, nil
	}
	var used []string
	if c.Flags().Changed("starting-token") {
		used = append(used, "--starting-token")
	}
	if c.Flags().Changed("page-size") && !p.elb {
		used = append(used, "--page-size")
	}
	if c.Flags().Changed("max-items") {
		used = append(used, "--max-items")
	}
	if len(used) > 0 {
		return a, FlagErrorf("Cannot specify --no-paginate along with pagination arguments: %s", strings.Join(used, ", "))
	}
	if p.elb && p.pageSize != nil {
		// Pagination off: --page-size is the service's PageSize again.
		req.FieldByName("PageSize").Set(reflect.ValueOf(p.pageSize))
	}
	a.pageSize = nil
	return a, nil
}

func yamlToJSON(b []byte, v any) error {
	var doc any
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return err
	}
	js, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	return json.Unmarshal(js, v)
}

// applyInputJSON sets every flag named by a top-level key of the JSON
// document that was not given on the command line.
func applyInputJSON(cmd *cobra.Command, flag, raw string, decode func([]byte, any) error) error {
	s, err := shorthand.ResolveFile(raw)
	if err != nil {
		return FlagErrorf("argument --%s: %v", flag, err)
	}
	var doc map[string]json.RawMessage
	if err := decode([]byte(s), &doc); err != nil {
		kind := "JSON"
		if flag == "cli-input-yaml" {
			kind = "YAML"
		}
		return FlagErrorf("argument --%s: invalid %s: %v", flag, kind, err)
	}
	for key, val := range doc {
		name := FlagName(key)
		f := cmd.Flags().Lookup(name)
		if f == nil || name == "cli-input-json" || name == "cli-input-yaml" || name == "generate-cli-skeleton" {
			return FlagErrorf("argument --%s: unknown parameter %q", flag, key)
		}
		if f.Changed {
			continue
		}
		var words []string
		var v any
		if err := json.Unmarshal(val, &v); err != nil {
			return FlagErrorf("argument --%s: %s: %v", flag, key, err)
		}
		switch x := v.(type) {
		case nil:
			continue
		case string:
			words = []string{x}
		case bool:
			words = []string{strconv.FormatBool(x)}
		case float64:
			words = []string{strings.TrimSpace(string(val))}
		default: // lists and structures keep their JSON form; list flags read it
			words = []string{string(val)}
		}
		for _, w := range words {
			if err := cmd.Flags().Set(name, w); err != nil {
				var choice *ChoiceError
				if errors.As(err, &choice) {
					err = choice
				}
				return FlagErrorf("argument --%s: %s: %v", flag, key, err)
			}
		}
	}
	return nil
}

// FlagName turns an AWS member name into its CLI flag name, as the AWS CLI
// does: LoadBalancerArn -> load-balancer-arn, DNSName -> dns-name.
func FlagName(member string) string {
	r := []rune(member)
	var b strings.Builder
	for i, c := range r {
		if unicode.IsUpper(c) && i > 0 {
			prev := r[i-1]
			nextLower := i+1 < len(r) && unicode.IsLower(r[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				b.WriteByte('-')
			}
		}
		b.WriteRune(unicode.ToLower(c))
	}
	return b.String()
}

// skeletonOf builds the AWS CLI's skeleton of a request or response type
// (botocore's ArgumentGenerator): every member with a placeholder of its
// type ("" or, for a response, the member's name; 0; true; one-element
// lists; timestamps as 1970-01-01T00:00:00). name is the member's name.
func skeletonOf(t reflect.Type, memberNames bool, name string) any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == reflect.TypeOf(control.Timestamp{}) {
		return "1970-01-01T00:00:00"
	}
	switch t.Kind() {
	case reflect.Struct:
		m := &output.Map{Values: map[string]any{}}
		addSkeletonFields(m, t, memberNames)
		return m
	case reflect.Slice:
		elem := ""
		if memberNames {
			// botocore names a list's element by its shape; a list of
			// strings is most often of shape String.
			elem = "String"
			if et := t.Elem(); et.Kind() == reflect.Struct {
				elem = et.Name()
			}
		}
		return []any{skeletonOf(t.Elem(), memberNames, elem)}
	case reflect.Map:
		return &output.Map{Keys: []string{"KeyName"}, Values: map[string]any{"KeyName": skeletonOf(t.Elem(), memberNames, "")}}
	case reflect.String:
		if memberNames {
			return name
		}
		return ""
	case reflect.Bool:
		return true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return json.Number("0")
	case reflect.Float32, reflect.Float64:
		return json.Number("0.0")
	default:
		return nil
	}
}

func addSkeletonFields(m *output.Map, t reflect.Type, memberNames bool) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			addSkeletonFields(m, f.Type, memberNames)
			continue
		}
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		m.Keys = append(m.Keys, name)
		m.Values[name] = skeletonOf(f.Type, memberNames, name)
	}
}
