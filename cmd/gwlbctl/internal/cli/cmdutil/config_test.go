package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/control"
)

// newConfigCmd is a root with the global flags and a leaf whose config we
// load, as the real tree does.
func loadWith(t *testing.T, args []string) (*Config, error) {
	t.Helper()
	root := &cobra.Command{Use: "gwlbctl"}
	AddGlobalFlags(root)
	root.SetFlagErrorFunc(FlagErrorFunc)
	var cfg *Config
	var cfgErr error
	leaf := &cobra.Command{Use: "leaf", RunE: func(cmd *cobra.Command, _ []string) error {
		cfg, cfgErr = LoadConfig(cmd)
		return nil
	}}
	root.AddCommand(leaf)
	root.SetArgs(append([]string{"leaf"}, args...))
	root.SilenceErrors, root.SilenceUsage = true, true
	if err := root.Execute(); err != nil {
		return nil, err // a flag the parser refused
	}
	return cfg, cfgErr
}

// isolate clears every environment variable the settings read and points
// the default config file into an empty directory.
func isolate(t *testing.T) string {
	t.Helper()
	for _, s := range settings {
		for _, e := range s.env {
			t.Setenv(e, "")
			os.Unsetenv(e)
		}
	}
	for _, k := range []string{"GWLBCTL_CONFIG", "XDG_STATE_HOME"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	t.Setenv("HOME", dir)
	return dir
}

func writeConfig(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestConfigDefaults(t *testing.T) {
	dir := isolate(t)
	cfg, err := loadWith(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The state's default is resolved here, once, for every command.
	want := &Config{State: filepath.Join(dir, ".local", "state", "gwlbctl", "state.json"), StateSource: SourceDefault,
		Region: "us-east-1", Account: "123456789012", Output: "json"}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("defaults = %+v, want %+v", cfg, want)
	}
}

func TestConfigFileLayer(t *testing.T) {
	dir := isolate(t)
	writeConfig(t, filepath.Join(dir, "gwlbctl", "config.yaml"), "state: /tmp/from-file.json\nregion: eu-west-1\naccount: \"111122223333\"\noutput: table\n")
	cfg, err := loadWith(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.State != "/tmp/from-file.json" || cfg.StateSource != SourceFile || cfg.Region != "eu-west-1" || cfg.Account != "111122223333" || cfg.Output != "table" {
		t.Errorf("from file: %+v", cfg)
	}
	if cfg.ConfigFile != filepath.Join(dir, "gwlbctl", "config.yaml") {
		t.Errorf("ConfigFile = %q", cfg.ConfigFile)
	}
}

func TestConfigEnvBeatsFile(t *testing.T) {
	dir := isolate(t)
	writeConfig(t, filepath.Join(dir, "gwlbctl", "config.yaml"), "region: eu-west-1\noutput: table\nstate: /tmp/file.json\n")
	t.Setenv("GWLBCTL_REGION", "ap-southeast-2")
	t.Setenv("GWLBCTL_OUTPUT", "yaml")
	t.Setenv("GWLBCTL_STATE", "/tmp/env.json")
	t.Setenv("GWLBCTL_ACCOUNT", "444455556666")
	cfg, err := loadWith(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Region != "ap-southeast-2" || cfg.Output != "yaml" || cfg.State != "/tmp/env.json" || cfg.StateSource != SourceEnv || cfg.Account != "444455556666" {
		t.Errorf("env layer: %+v", cfg)
	}
}

func TestConfigFlagBeatsEnv(t *testing.T) {
	isolate(t)
	t.Setenv("GWLBCTL_REGION", "ap-southeast-2")
	t.Setenv("GWLBCTL_OUTPUT", "yaml")
	t.Setenv("GWLBCTL_STATE", "/tmp/env.json")
	cfg, err := loadWith(t, []string{"--region", "us-west-2", "--output", "text", "--state", "/tmp/flag.json", "--query", "LoadBalancers[0]", "--no-cli-pager"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Region != "us-west-2" || cfg.Output != "text" || cfg.State != "/tmp/flag.json" || cfg.StateSource != SourceFlag || cfg.Query != "LoadBalancers[0]" {
		t.Errorf("flag layer: %+v", cfg)
	}
}

// Without HOME no default state path exists: the configuration still
// loads (help and completion work), and the store then says why.
func TestConfigStateWithoutHome(t *testing.T) {
	isolate(t)
	t.Setenv("HOME", "")
	cfg, err := loadWith(t, nil)
	if err != nil || cfg.State != "" || cfg.StateSource != SourceDefault {
		t.Fatalf("config %+v, %v; want an empty default state", cfg, err)
	}
}

func TestConfigRegionFromAWSVariables(t *testing.T) {
	isolate(t)
	t.Setenv("AWS_DEFAULT_REGION", "eu-central-1")
	if cfg, _ := loadWith(t, nil); cfg.Region != "eu-central-1" {
		t.Errorf("AWS_DEFAULT_REGION: region %q", cfg.Region)
	}
	t.Setenv("AWS_REGION", "eu-north-1")
	if cfg, _ := loadWith(t, nil); cfg.Region != "eu-north-1" {
		t.Errorf("AWS_REGION beats AWS_DEFAULT_REGION: region %q", cfg.Region)
	}
	t.Setenv("GWLBCTL_REGION", "sa-east-1")
	if cfg, _ := loadWith(t, nil); cfg.Region != "sa-east-1" {
		t.Errorf("GWLBCTL_REGION beats AWS_REGION: region %q", cfg.Region)
	}
}

func TestConfigExplicitFile(t *testing.T) {
	dir := isolate(t)
	path := filepath.Join(dir, "other.yaml")
	writeConfig(t, path, "output: text\n")
	cfg, err := loadWith(t, []string{"--config", path})
	if err != nil || cfg.Output != "text" {
		t.Fatalf("--config: %+v, %v", cfg, err)
	}
	t.Setenv("GWLBCTL_CONFIG", path)
	cfg, err = loadWith(t, nil)
	if err != nil || cfg.Output != "text" {
		t.Fatalf("GWLBCTL_CONFIG: %+v, %v", cfg, err)
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name     string
		file     string // config file body ("" = none)
		env      map[string]string
		args     []string
		wantCode int
		wantMsg  string
	}{
		{name: "bad output flag", args: []string{"--output", "xml"}, wantCode: ExitUsage, wantMsg: `argument --output: Invalid choice "xml", valid choices are: json | text | table | yaml | yaml-stream | columns`},
		{name: "bad output env", env: map[string]string{"GWLBCTL_OUTPUT": "xml"}, wantCode: ExitConfig, wantMsg: `output: Invalid choice "xml", valid choices are: json | text | table | yaml | yaml-stream | columns`},
		{name: "bad region flag", args: []string{"--region", "mars"}, wantCode: ExitUsage, wantMsg: `invalid region "mars"`},
		{name: "bad account env", env: map[string]string{"GWLBCTL_ACCOUNT": "12"}, wantCode: ExitConfig, wantMsg: `invalid account id "12"`},
		{name: "bad query", args: []string{"--query", "a[["}, wantCode: ExitUsage, wantMsg: "bad JMESPath expression"},
		{name: "unknown key in file", file: "colour: blue\n", wantCode: ExitConfig, wantMsg: `unknown setting "colour"`},
		{name: "file not yaml", file: "region: [unclosed\n", wantCode: ExitConfig, wantMsg: "reading config file"},
		{name: "missing explicit file", args: []string{"--config", "/nonexistent/gwlbctl.yaml"}, wantCode: ExitConfig, wantMsg: "/nonexistent/gwlbctl.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := isolate(t)
			if tt.file != "" {
				writeConfig(t, filepath.Join(dir, "gwlbctl", "config.yaml"), tt.file)
			}
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			_, err := loadWith(t, tt.args)
			if err == nil {
				t.Fatal("no error")
			}
			if got := ExitCode(err); got != tt.wantCode {
				t.Errorf("exit code %d, want %d (%v)", got, tt.wantCode, err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not contain %q", err, tt.wantMsg)
			}
		})
	}
}

func TestExpandListArgs(t *testing.T) {
	leaf := &cobra.Command{Use: "create", Run: func(*cobra.Command, []string) {}}
	var subnets, tags []string
	ListFlag(leaf, &subnets, "subnets", "")
	ListFlag(leaf, &tags, "tags", "")
	leaf.Flags().String("name", "", "")
	leaf.Flags().String("tag-specifications", "", "")
	root := &cobra.Command{Use: "gwlbctl"}
	root.PersistentFlags().String("output", "", "")
	root.AddCommand(leaf)

	tests := []struct{ in, want []string }{
		{[]string{"create", "--subnets", "a", "b", "--name", "x"}, []string{"create", "--subnets", "a", "--subnets", "b", "--name", "x"}},
		{[]string{"--output", "text", "create", "--name", "x", "--tags", "Key=a,Value=b", "Key=c,Value=d"},
			[]string{"--output", "text", "create", "--name", "x", "--tags", "Key=a,Value=b", "--tags", "Key=c,Value=d"}},
		{[]string{"create", "--subnets=a", "b"}, []string{"create", "--subnets=a", "--subnets", "b"}},
		{[]string{"create", "--name", "x", "y"}, []string{"create", "--name", "x", "y"}},
		{[]string{"create", "--subnets", "a", "--", "b"}, []string{"create", "--subnets", "a", "--", "b"}},
		// Unambiguous prefixes stand for the flag, as argparse reads them
		// (the AWS CLI reference's describe-vpcs example: --filter for --filters).
		{[]string{"create", "--subn", "a", "b", "--na=x"}, []string{"create", "--subnets", "a", "--subnets", "b", "--name=x"}},
		{[]string{"--out", "text", "create", "--name", "x"}, []string{"--output", "text", "create", "--name", "x"}},
	}
	for _, tt := range tests {
		if got, err := ExpandListArgs(root, tt.in); err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ExpandListArgs(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	_, err := ExpandListArgs(root, []string{"create", "--tag", "x"})
	if err == nil || err.Error() != "ambiguous option: --tag could match --tag-specifications, --tags" || ExitCode(err) != ExitUsage {
		t.Errorf("ambiguous prefix: %v", err)
	}
}

func TestExitCode(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{nil, ExitOK},
		{FlagErrorf("bad"), ExitUsage},
		{&ConfigError{Err: errors.New("corrupt")}, ExitConfig},
		{errors.New("boom"), ExitError},
		{&control.Error{Code: "DuplicateListener", Operation: "CreateListener"}, ExitService},
		{fmt.Errorf("wrapped: %w", &control.Error{Code: "ResourceInUse"}), ExitService},
		{fmt.Errorf("stopped: %w", context.Canceled), ExitInterrupt},
	}
	for _, tt := range tests {
		if got := ExitCode(tt.err); got != tt.want {
			t.Errorf("ExitCode(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}
