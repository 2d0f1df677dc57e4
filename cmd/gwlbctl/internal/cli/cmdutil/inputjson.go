package cmdutil

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/output"
	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/shorthand"
)

// InputJSON gives a verb the AWS CLI's --cli-input-json and
// --generate-cli-skeleton. The request is read from JSON (or file://) whose
// top-level keys are the request's member names; each becomes the flag of
// the same name (LoadBalancerArn -> --load-balancer-arn), unless that flag
// was given, so flags on the command line win as in the AWS CLI. in is the
// verb's request, used for the skeleton.
func InputJSON[I any](cmd *cobra.Command, in *I) {
	var raw, skeleton string
	cmd.Flags().StringVar(&raw, "cli-input-json", "", "read the request from JSON (or file://path); flags given on the command line win")
	EnumFlag(cmd, &skeleton, "generate-cli-skeleton", "", "print a JSON skeleton of the request for --cli-input-json, and exit", "input")
	cmd.Flags().Lookup("generate-cli-skeleton").NoOptDefVal = "input"
	orig := cmd.RunE
	cmd.RunE = func(c *cobra.Command, args []string) error {
		if c.Flags().Changed("generate-cli-skeleton") {
			var buf bytes.Buffer
			if err := output.Render(&buf, output.Options{Format: "json"}, skeletonOf(reflect.TypeOf(*in))); err != nil {
				return err
			}
			_, err := c.OutOrStdout().Write(buf.Bytes())
			return err
		}
		if c.Flags().Changed("cli-input-json") {
			if err := applyInputJSON(c, raw); err != nil {
				return err
			}
		}
		return orig(c, args)
	}
}

// applyInputJSON sets every flag named by a top-level key of the JSON
// document that was not given on the command line.
func applyInputJSON(cmd *cobra.Command, raw string) error {
	s, err := shorthand.ResolveFile(raw)
	if err != nil {
		return FlagErrorf("argument --cli-input-json: %v", err)
	}
	var doc map[string]json.RawMessage
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return FlagErrorf("argument --cli-input-json: invalid JSON: %v", err)
	}
	for key, val := range doc {
		name := FlagName(key)
		f := cmd.Flags().Lookup(name)
		if f == nil || name == "cli-input-json" || name == "generate-cli-skeleton" {
			return FlagErrorf("argument --cli-input-json: unknown parameter %q", key)
		}
		if f.Changed {
			continue
		}
		var words []string
		var v any
		if err := json.Unmarshal(val, &v); err != nil {
			return FlagErrorf("argument --cli-input-json: %s: %v", key, err)
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
				return FlagErrorf("argument --cli-input-json: %s: %v", key, err)
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

// skeletonOf builds the AWS CLI's skeleton for a request type: every member
// with an empty value of its type ("" , 0, true, one-element lists).
func skeletonOf(t reflect.Type) any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		m := &output.Map{Values: map[string]any{}}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
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
			m.Values[name] = skeletonOf(f.Type)
		}
		return m
	case reflect.Slice:
		return []any{skeletonOf(t.Elem())}
	case reflect.Map:
		return &output.Map{Keys: []string{"KeyName"}, Values: map[string]any{"KeyName": skeletonOf(t.Elem())}}
	case reflect.String:
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
