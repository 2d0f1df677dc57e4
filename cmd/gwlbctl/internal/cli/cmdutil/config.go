package cmdutil

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/output"
	"github.com/gwlbctl/gwlbctl/control"
	"github.com/gwlbctl/gwlbctl/control/store"
)

// Config is the resolved global configuration of one invocation.
type Config struct {
	// State is the state store's location, resolved the same way for
	// every verb, serve included: --state > GWLBCTL_STATE > the config
	// file's state > store.DefaultPath(). It is "" only when no default
	// can be found (no HOME): opening the store then says so.
	State   string `mapstructure:"state"`
	Region  string `mapstructure:"region"`
	Account string `mapstructure:"account"`
	Output  string `mapstructure:"output"`
	Query   string `mapstructure:"query"`

	// StateSource is the layer State came from.
	StateSource Source `mapstructure:"-"`
	// ConfigFile is the file the values were read from ("" when none).
	ConfigFile string `mapstructure:"-"`
}

// Source is the layer a setting's value came from, lowest first.
type Source int

// The layers of a setting, in increasing precedence.
const (
	SourceDefault Source = iota
	SourceFile
	SourceEnv
	SourceFlag
)

func (s Source) String() string {
	switch s {
	case SourceFile:
		return "config file"
	case SourceEnv:
		return "environment"
	case SourceFlag:
		return "flag"
	default:
		return "default"
	}
}

// Env is the control.Env the configuration selects.
func (c *Config) Env() control.Env {
	return control.Env{Region: c.Region, Account: c.Account}
}

// SettingError is an invalid value of one setting.
type SettingError struct {
	Key string // state, region, account, output or query
	Err error
}

func (e *SettingError) Error() string { return e.Key + ": " + e.Err.Error() }
func (e *SettingError) Unwrap() error { return e.Err }

// Validate checks every value; a *SettingError names the setting.
func (c *Config) Validate() error {
	if err := CheckChoice(c.Output, output.Formats); err != nil {
		return &SettingError{Key: "output", Err: err}
	}
	if c.Query != "" {
		if _, err := output.CompileQuery(c.Query); err != nil {
			return &SettingError{Key: "query", Err: fmt.Errorf("bad JMESPath expression %q: %v", c.Query, err)}
		}
	}
	if err := (control.Env{Region: c.Region, Account: control.DefaultAccount}).Validate(); err != nil {
		return &SettingError{Key: "region", Err: err}
	}
	if err := (control.Env{Region: control.DefaultRegion, Account: c.Account}).Validate(); err != nil {
		return &SettingError{Key: "account", Err: err}
	}
	return nil
}

// setting is one global setting: declared once, with its flag, environment
// variables (first set wins) and default.
type setting struct {
	key     string
	env     []string
	def     string
	usage   string
	file    bool     // may come from the config file
	choices []string // the values it takes (an enum flag), or nil
}

// Region falls back to AWS_REGION and AWS_DEFAULT_REGION after
// GWLBCTL_REGION so that a script written for the AWS CLI finds the region
// it was written for; GWLBCTL_REGION wins when both are set.
var settings = []setting{
	{key: "state", env: []string{"GWLBCTL_STATE"}, def: "", file: true,
		usage: "state file (env GWLBCTL_STATE, config 'state'; default $XDG_STATE_HOME/gwlbctl/state.json)"},
	{key: "region", env: []string{"GWLBCTL_REGION", "AWS_REGION", "AWS_DEFAULT_REGION"}, def: control.DefaultRegion, file: true,
		usage: "region for ARNs and service names (env GWLBCTL_REGION, AWS_REGION, AWS_DEFAULT_REGION)"},
	{key: "account", env: []string{"GWLBCTL_ACCOUNT"}, def: control.DefaultAccount, file: true,
		usage: "12-digit account id for ARNs and principals (env GWLBCTL_ACCOUNT)"},
	{key: "output", env: []string{"GWLBCTL_OUTPUT", "AWS_DEFAULT_OUTPUT"}, def: "json", file: true, choices: output.Formats,
		usage: "output format (env GWLBCTL_OUTPUT)"},
	{key: "query", def: "", usage: "JMESPath query applied to the response before it is printed"},
}

// AddGlobalFlags declares the global flags on root's persistent flags,
// with the completion of those that take a choice.
func AddGlobalFlags(root *cobra.Command) {
	fs := root.PersistentFlags()
	for _, s := range settings {
		if s.choices != nil {
			PersistentEnumFlag(root, new(string), s.key, s.def, s.usage, s.choices...)
			continue
		}
		fs.String(s.key, s.def, s.usage)
	}
	fs.String("config", "", "config file (env GWLBCTL_CONFIG; default ~/.config/gwlbctl/config.yaml when it exists)")
	// Accepted and ignored as the AWS CLI's, so copied commands run unchanged.
	fs.Bool("no-cli-pager", false, "accepted for AWS CLI compatibility; gwlbctl never pages")
	fs.Bool("no-paginate", false, "one service call for a paginated describe: print its page with the service's own token, as the AWS CLI does")
	// More AWS CLI globals that have no meaning here (no network, no
	// credentials), accepted so that scripts run unchanged.
	for _, name := range []string{"profile", "endpoint-url", "color", "ca-bundle", "cli-read-timeout", "cli-connect-timeout"} {
		fs.String(name, "", "accepted for AWS CLI compatibility; ignored")
		_ = fs.MarkHidden(name)
	}
	for _, name := range []string{"debug", "no-verify-ssl", "no-sign-request"} {
		fs.Bool(name, false, "accepted for AWS CLI compatibility; ignored")
		_ = fs.MarkHidden(name)
	}
}

// DefaultConfigFile is ~/.config/gwlbctl/config.yaml (os.UserConfigDir).
func DefaultConfigFile() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "gwlbctl", "config.yaml")
}

// LoadConfig resolves the global settings for cmd with a fresh viper:
// flag > environment > config file > default. The config file is --config,
// else $GWLBCTL_CONFIG, else DefaultConfigFile() if it exists.
func LoadConfig(cmd *cobra.Command) (*Config, error) {
	v := viper.New()
	flags := cmd.Flags()
	for _, s := range settings {
		v.SetDefault(s.key, s.def)
		if f := flags.Lookup(s.key); f != nil {
			if err := v.BindPFlag(s.key, f); err != nil {
				return nil, err
			}
		}
		if len(s.env) > 0 {
			if err := v.BindEnv(append([]string{s.key}, s.env...)...); err != nil {
				return nil, err
			}
		}
	}

	file, explicit := "", false
	if f := flags.Lookup("config"); f != nil && f.Changed {
		file, explicit = f.Value.String(), true
	} else if env := os.Getenv("GWLBCTL_CONFIG"); env != "" {
		file, explicit = env, true
	} else {
		file = DefaultConfigFile()
	}
	cfgFile := ""
	var fileKeys []string
	if file != "" {
		fv := viper.New()
		fv.SetConfigFile(file)
		fv.SetConfigType(configType(file))
		switch err := fv.ReadInConfig(); {
		case err == nil:
			cfgFile = file
		case !explicit && errors.Is(err, fs.ErrNotExist):
			// No default config file: fine.
		default:
			return nil, &ConfigError{Err: fmt.Errorf("reading config file %s: %w", file, err),
				Hint: "Fix the file (YAML keys: state, region, account, output) or point --config/GWLBCTL_CONFIG elsewhere."}
		}
		if cfgFile != "" {
			fileKeys = fv.AllKeys()
			for _, k := range fileKeys {
				if !fileKey(k) {
					return nil, &ConfigError{Err: fmt.Errorf("config file %s: unknown setting %q", file, k),
						Hint: "Valid settings: state, region, account, output."}
				}
			}
			if err := v.MergeConfigMap(fv.AllSettings()); err != nil {
				return nil, &ConfigError{Err: fmt.Errorf("config file %s: %w", file, err)}
			}
		}
	}

	var c Config
	if err := v.Unmarshal(&c); err != nil {
		return nil, &ConfigError{Err: fmt.Errorf("config: %w", err)}
	}
	c.ConfigFile = cfgFile
	c.StateSource = sourceOf(flags, "state", fileKeys)
	if c.State == "" {
		// The default is resolved here, once, so every command (serve
		// too) uses the same file; without HOME it stays empty and
		// opening the store reports why.
		c.State, _ = store.DefaultPath()
		c.StateSource = SourceDefault
	}
	if err := c.Validate(); err != nil {
		// A bad value typed on the command line is a usage error; one that
		// came from the environment or the file is a configuration error.
		var se *SettingError
		if errors.As(err, &se) && flagChanged(flags, se.Key) {
			return nil, &FlagError{Err: fmt.Errorf("argument --%s: %w", se.Key, se.Err)}
		}
		return nil, &ConfigError{Err: err, Hint: "Check GWLBCTL_* environment variables and the config file" + inFile(cfgFile) + "."}
	}
	return &c, nil
}

// sourceOf is the layer the setting key takes its value from.
func sourceOf(flags *pflag.FlagSet, key string, fileKeys []string) Source {
	if flagChanged(flags, key) {
		return SourceFlag
	}
	for _, s := range settings {
		if s.key != key {
			continue
		}
		for _, e := range s.env {
			if os.Getenv(e) != "" { // viper, too, takes an empty variable as unset
				return SourceEnv
			}
		}
	}
	if slices.Contains(fileKeys, key) {
		return SourceFile
	}
	return SourceDefault
}

func flagChanged(fs *pflag.FlagSet, name string) bool {
	f := fs.Lookup(name)
	return f != nil && f.Changed
}

func inFile(f string) string {
	if f == "" {
		return ""
	}
	return " (" + f + ")"
}

func fileKey(k string) bool {
	for _, s := range settings {
		if s.key == k {
			return s.file
		}
	}
	return false
}

func configType(file string) string {
	switch strings.ToLower(filepath.Ext(file)) {
	case ".json":
		return "json"
	case ".toml":
		return "toml"
	default:
		return "yaml"
	}
}
