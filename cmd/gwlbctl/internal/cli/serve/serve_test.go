package serve

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/fastpath/node"
)

const nodeYAML = `
load-balancer: gwlb-file
availability-zone: us-east-1a
state: /var/lib/gwlbctl/state.json
eal:
  args: ["-l", "0-1", "--in-memory", "--no-pci"]
  workers: 1
appliance:
  device: net_af_packet0,iface=app0
  address: 10.9.0.10/24
  gateway: 10.9.0.1
  mac: 02:00:00:00:00:0a
  tap: gwlbfile
  neighbors:
    - ip: 10.9.0.11
      mac: 02:00:00:00:00:11
endpoints:
  - id: vpce-0123456789abcdef0
    mode: bump
    side-a: net_af_packet1,iface=epa
    side-b: net_af_packet2,iface=epb
flows:
  capacity: 65536
stats:
  interval: 5s
  file: /tmp/file-stats.json
`

// execServe runs serve as the command line does: under a root with the
// global flags, whose pre-run resolves the global settings (the state file
// among them), with env set and everything else isolated.
func execServe(t *testing.T, env map[string]string, args ...string) (*Options, error) {
	t.Helper()
	isolate(t)
	return runServe(t, env, args...)
}

// runServe is execServe in the environment as the test left it.
func runServe(t *testing.T, env map[string]string, args ...string) (*Options, error) {
	t.Helper()
	for k, v := range env {
		t.Setenv(k, v)
	}
	var got *Options
	io, _, _, _ := cmdutil.TestIO()
	f := cmdutil.NewFactory(nil)
	f.IOStreams = io
	root := &cobra.Command{Use: "gwlbctl", SilenceErrors: true, SilenceUsage: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error { _ = f.LoadConfig(cmd); return nil }}
	cmdutil.AddGlobalFlags(root)
	root.AddCommand(NewCmdServe(f, func(_ context.Context, o *Options) error { got = o; return nil }))
	root.SetArgs(append([]string{"serve"}, args...))
	root.SetOut(&strings.Builder{})
	root.SetErr(&strings.Builder{})
	err := root.Execute()
	return got, err
}

// isolate clears what the global settings read (state, config file,
// home), so the tests see only what they set.
func isolate(t *testing.T) {
	t.Helper()
	for _, k := range []string{"GWLBCTL_STATE", "GWLBCTL_CONFIG", "GWLBCTL_NODE_CONFIG", "XDG_STATE_HOME", "GWLBCTL_OUTPUT", "GWLBCTL_REGION", "AWS_REGION", "AWS_DEFAULT_REGION", "GWLBCTL_ACCOUNT"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
}

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "node.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestConfigFromFile(t *testing.T) {
	f := writeFile(t, nodeYAML)
	o, err := execServe(t, nil, "--node-config", f)
	if err != nil {
		t.Fatal(err)
	}
	c := o.Config
	if c.LoadBalancer != "gwlb-file" || c.AvailabilityZone != "us-east-1a" || c.State != "/var/lib/gwlbctl/state.json" {
		t.Errorf("top-level keys: %+v", c)
	}
	if !reflect.DeepEqual(c.EAL.Args, []string{"-l", "0-1", "--in-memory", "--no-pci"}) || c.EAL.Workers != 1 {
		t.Errorf("eal = %+v", c.EAL)
	}
	if c.Appliance.Device != "net_af_packet0,iface=app0" || c.Appliance.TAP != "gwlbfile" || c.NodeIP().String() != "10.9.0.10/24" {
		t.Errorf("appliance = %+v", c.Appliance)
	}
	if len(c.Appliance.Neighbors) != 1 || c.Appliance.Neighbors[0].MAC != "02:00:00:00:00:11" {
		t.Errorf("neighbors = %+v", c.Appliance.Neighbors)
	}
	want := []node.EndpointPorts{{ID: "vpce-0123456789abcdef0", Mode: "bump", SideA: "net_af_packet1,iface=epa", SideB: "net_af_packet2,iface=epb"}}
	if !reflect.DeepEqual(c.Endpoints, want) {
		t.Errorf("endpoints = %+v", c.Endpoints)
	}
	if c.Flows.Capacity != 65536 || c.Stats.Interval != 5*time.Second || c.Stats.File != "/tmp/file-stats.json" {
		t.Errorf("flows/stats = %+v %+v", c.Flows, c.Stats)
	}
}

func TestEnvOverridesFile(t *testing.T) {
	f := writeFile(t, nodeYAML)
	env := map[string]string{
		"GWLBCTL_LOAD_BALANCER":     "gwlb-env",
		"GWLBCTL_APPLIANCE_ADDRESS": "10.9.0.20/24",
		"GWLBCTL_EAL_ARGS":          "-l 0-1 --no-huge --no-pci",
		"GWLBCTL_STATS_INTERVAL":    "2s",
		"GWLBCTL_FLOWS_CAPACITY":    "4096",
		"GWLBCTL_ENDPOINTS":         "vpce-00000000000000001=net_ring0;net_ring1",
	}
	o, err := execServe(t, env, "--node-config", f)
	if err != nil {
		t.Fatal(err)
	}
	c := o.Config
	if c.LoadBalancer != "gwlb-env" || c.NodeIP().String() != "10.9.0.20/24" || c.Stats.Interval != 2*time.Second || c.Flows.Capacity != 4096 {
		t.Errorf("env did not override: %+v", c)
	}
	if !reflect.DeepEqual(c.EAL.Args, []string{"-l", "0-1", "--no-huge", "--no-pci"}) {
		t.Errorf("eal args = %q", c.EAL.Args)
	}
	if len(c.Endpoints) != 1 || c.Endpoints[0].ID != "vpce-00000000000000001" || c.Endpoints[0].SideB != "net_ring1" {
		t.Errorf("endpoints = %+v", c.Endpoints)
	}
	if c.AvailabilityZone != "us-east-1a" {
		t.Errorf("file value lost: %q", c.AvailabilityZone)
	}
}

func TestFlagsOverrideEnv(t *testing.T) {
	f := writeFile(t, nodeYAML)
	env := map[string]string{"GWLBCTL_LOAD_BALANCER": "gwlb-env", "GWLBCTL_APPLIANCE_TAP": "gwlbenv"}
	o, err := execServe(t, env, "--node-config", f, "--load-balancer", "gwlb-flag", "--tap", "gwlbflag",
		"--eal-args", "--in-memory --no-pci -l 0-1", "--stats-interval", "1s",
		"--endpoint", "vpce-0000000000000000a=net_null0;net_null1",
		"--endpoint", "vpce-0000000000000000b=net_null2;net_null3")
	if err != nil {
		t.Fatal(err)
	}
	c := o.Config
	if c.LoadBalancer != "gwlb-flag" || c.Appliance.TAP != "gwlbflag" || c.Stats.Interval != time.Second {
		t.Errorf("flags did not override: %+v", c)
	}
	if c.EAL.Args[0] != "--in-memory" || len(c.Endpoints) != 2 || c.Endpoints[1].SideA != "net_null2" {
		t.Errorf("eal/endpoints: %q %+v", c.EAL.Args, c.Endpoints)
	}
}

func TestDefaultsWithoutFile(t *testing.T) {
	o, err := execServe(t, nil, "--load-balancer", "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/gwy/g/0123456789abcdef",
		"--availability-zone", "us-east-1b",
		"--appliance-device", "net_af_packet0,iface=x", "--appliance-address", "10.0.0.2/24",
		"--endpoint", "vpce-0123456789abcdef0=net_af_packet1,iface=a;net_af_packet2,iface=b")
	if err != nil {
		t.Fatal(err)
	}
	c := o.Config
	if !reflect.DeepEqual(c.EAL.Args, node.DefaultEALArgs) || c.Appliance.TAP != node.DefaultTAP ||
		c.Flows.Capacity != node.DefaultFlowCapacity || c.Stats.Interval != node.DefaultStatsInterval {
		t.Errorf("defaults: %+v", c)
	}
}

func TestConfigErrors(t *testing.T) {
	bad := writeFile(t, nodeYAML+"\nunknown-key: 1\n")
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"missing file", nil, []string{"--node-config", "/nonexistent/node.yaml"}, "file not found"},
		{"unknown key", nil, []string{"--node-config", bad}, "unknown-key"},
		{"bad endpoint flag", nil, []string{"--node-config", writeFile(t, nodeYAML), "--endpoint", "vpce-1"}, "want 'vpce-ID=DEVICE_A;DEVICE_B'"},
		{"bad env value", map[string]string{"GWLBCTL_FLOWS_CAPACITY": "many"}, []string{"--node-config", writeFile(t, nodeYAML)}, "capacity"},
		{"nothing set", nil, nil, "load-balancer: required"},
		{"env config file", map[string]string{"GWLBCTL_NODE_CONFIG": "/nonexistent/env.yaml"}, nil, "/nonexistent/env.yaml: file not found"},
		{"validation", nil, []string{"--node-config", writeFile(t, nodeYAML), "--appliance-address", "10.9.0.300/24"}, "appliance.address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := execServe(t, tt.env, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// TestExampleNodeConfig keeps configs/node.yaml loadable and valid.
func TestExampleNodeConfig(t *testing.T) {
	o, err := execServe(t, nil, "--node-config", "../../../../../configs/node.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if o.Config.LoadBalancer != "inspection-gwlb" || len(o.Config.Endpoints) != 1 || o.Config.Appliance.TAP != "gwlb0" {
		t.Errorf("configs/node.yaml loaded as %+v", o.Config)
	}
}

// TestStateLayers: serve takes the state file from the global settings,
// resolved as for every verb: --state > GWLBCTL_STATE > config file (the
// node config's state, then the global config file's) > the default path.
func TestStateLayers(t *testing.T) {
	withoutState := strings.Replace(nodeYAML, "state: /var/lib/gwlbctl/state.json\n", "", 1)
	globalFile := func(t *testing.T) {
		p := filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "gwlbctl", "config.yaml")
		os.MkdirAll(filepath.Dir(p), 0o700)
		if err := os.WriteFile(p, []byte("state: /global-file/state.json\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name       string
		node       string // node config body
		globalFile bool
		env        map[string]string
		args       []string
		want       string // "" = the default path under HOME
	}{
		{name: "default path", node: withoutState},
		{name: "global config file", node: withoutState, globalFile: true, want: "/global-file/state.json"},
		{name: "node config file", node: nodeYAML, globalFile: true, want: "/var/lib/gwlbctl/state.json"},
		{name: "environment", node: nodeYAML, globalFile: true, env: map[string]string{"GWLBCTL_STATE": "/env/state.json"}, want: "/env/state.json"},
		{name: "flag after serve", node: nodeYAML, globalFile: true, env: map[string]string{"GWLBCTL_STATE": "/env/state.json"},
			args: []string{"--state", "/flag/state.json"}, want: "/flag/state.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			isolate(t)
			if tc.globalFile {
				globalFile(t)
			}
			f := writeFile(t, tc.node)
			o, err := runServe(t, tc.env, append([]string{"--node-config", f}, tc.args...)...)
			if err != nil {
				t.Fatal(err)
			}
			want := tc.want
			if want == "" {
				want = filepath.Join(os.Getenv("HOME"), ".local", "state", "gwlbctl", "state.json")
			}
			if o.Config.State != want {
				t.Fatalf("state = %q, want %q", o.Config.State, want)
			}
		})
	}
}

// The state setting is declared once: serve has no state flag or variable
// of its own, and a bad global setting stops serve as it stops every verb.
func TestStateIsTheGlobalSetting(t *testing.T) {
	cmd := NewCmdServe(cmdutil.NewFactory(nil), nil)
	if cmd.LocalFlags().Lookup("state") != nil {
		t.Fatal("serve declares its own --state")
	}
	for _, s := range settings {
		if s.key == "state" || envName(s.key) == "GWLBCTL_STATE" {
			t.Fatalf("serve binds %s itself", envName(s.key))
		}
	}
	_, err := execServe(t, map[string]string{"GWLBCTL_OUTPUT": "xml"}, "--node-config", writeFile(t, nodeYAML))
	if cmdutil.ExitCode(err) != cmdutil.ExitConfig || !strings.Contains(err.Error(), "xml") {
		t.Fatalf("err = %v, want the global setting's error (exit %d)", err, cmdutil.ExitConfig)
	}
}

// serve has no benchmark flags: warming the flow tables and timing a first
// pass are the bench tooling's (fastpath/node/internal/benchnode).
func TestNoBenchmarkFlags(t *testing.T) {
	cmd := NewCmdServe(cmdutil.NewFactory(nil), nil)
	for _, f := range []string{"warm-pcap", "warm-returns", "pass-packets"} {
		if cmd.Flags().Lookup(f) != nil {
			t.Errorf("serve has --%s", f)
		}
	}
}
