package serve

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
	"github.com/gwlbctl/gwlbctl/control/apply"
	"github.com/gwlbctl/gwlbctl/control/store"
	"github.com/gwlbctl/gwlbctl/fastpath/node"
)

// checkState applies configs/topology-minimal.yaml to a new state file and
// returns its path and the endpoint's id.
func checkState(t *testing.T) (path, endpointID string) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "state.json")
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	top, err := apply.Load("../../../../../configs/topology-minimal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	env := control.Env{Region: "us-east-1", Account: "123456789012", Now: time.Now, Rand: rand.Reader}
	if _, err := apply.Run(st, env, top, false); err != nil {
		t.Fatal(err)
	}
	if err := st.View(func(s *control.State) error {
		endpointID = s.Endpoints[0].Endpoint.VpcEndpointId
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return path, endpointID
}

// runCheck runs `gwlbctl [global] serve --check ARGS` for real (no root,
// no DPDK) and returns its output and error.
func runCheck(t *testing.T, global []string, args ...string) (string, error) {
	t.Helper()
	isolate(t)
	io, _, out, _ := cmdutil.TestIO()
	f := cmdutil.NewFactory(nil)
	f.IOStreams = io
	root := &cobra.Command{Use: "gwlbctl", SilenceErrors: true, SilenceUsage: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error { _ = f.LoadConfig(cmd); return nil }}
	cmdutil.AddGlobalFlags(root)
	root.AddCommand(NewCmdServe(f, nil))
	root.SetArgs(append(append(global, "serve", "--check"), args...))
	root.SetOut(&strings.Builder{})
	root.SetErr(&strings.Builder{})
	err := root.Execute()
	return out.String(), err
}

func checkArgs(state, ep string, extra ...string) []string {
	return append([]string{"--state", state, "--load-balancer", "gwlb", "--availability-zone", "us-east-1a",
		"--appliance-device", "net_null0,no-rx=1", "--appliance-address", "10.10.1.5/24", "--tap", "",
		"--endpoint", ep + "=net_null1;net_null2,no-rx=1"}, extra...)
}

// TestCheckPrintsTheNode: the text report shows the ports by role, the
// endpoint with its state, the target with its health and zone, the
// attributes and the inner MTU, and the warnings.
func TestCheckPrintsTheNode(t *testing.T) {
	state, ep := checkState(t)
	out, err := runCheck(t, nil, checkArgs(state, ep)...)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	t.Logf("serve --check:\n%s", out)
	for _, want := range []string{
		"load balancer", ":loadbalancer/gwy/gwlb/", "(revision ",
		"0  appliance", "net_null0,no-rx=1", "address 10.10.1.5/24", "mac the device's", "mtu the device's", "tap none",
		"1  bump side A of " + ep, "2  bump side B of " + ep,
		ep + "  bump", "available", "yes",
		"10.10.1.10", "10.10.1.10:6081", "us-east-1a", "initial", "Elb.RegistrationInProgress",
		"unknown: no TAP and no appliance.neighbors entry",
		"stickiness", "5-tuple", "TCP idle timeout", "350 s", "no_rebalance", "inner MTU", "8500 bytes",
		"Warnings:\n  - target 10.10.1.10: next hop 10.10.1.10 has no MAC address, and without appliance.tap the kernel cannot resolve it",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	// An appliance MTU that cannot carry GWLB's 8500 lowers the inner MTU
	// and says so.
	out, err = runCheck(t, nil, checkArgs(state, ep, "--appliance-mtu", "1500", "--appliance-mac", "02:00:00:00:00:05")...)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{"mtu 1500", "mac 02:00:00:00:00:05", "1432 bytes", "the appliance port's MTU 1500 carries inner packets of at most 1432 bytes"} {
		if !strings.Contains(out, want) {
			t.Errorf("output with appliance MTU 1500 lacks %q:\n%s", want, out)
		}
	}
}

// TestCheckJSON: --output json prints the report as JSON.
func TestCheckJSON(t *testing.T) {
	state, ep := checkState(t)
	out, err := runCheck(t, []string{"--output", "json"}, checkArgs(state, ep)...)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var r node.CheckReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if len(r.Ports) != 3 || r.Ports[0].Role != "appliance" || len(r.Endpoints) != 1 || r.Endpoints[0].ID != ep || !r.Endpoints[0].Forwards ||
		len(r.Targets) != 1 || r.Targets[0].ID != "10.10.1.10" || r.Targets[0].State != "initial" || r.Targets[0].AvailabilityZone != "us-east-1a" ||
		r.Attributes.InnerMTU != 8500 || r.Workers != 1 || len(r.Warnings) != 1 {
		t.Errorf("report %+v", r)
	}
}

// TestCheckErrors: what would stop serve makes --check fail, naming it.
func TestCheckErrors(t *testing.T) {
	state, ep := checkState(t)
	for _, c := range []struct {
		name   string
		global []string
		args   []string
		want   string
	}{
		{"no such load balancer", nil, append(checkArgs(state, ep), "--load-balancer", "other"), `load balancer "other" is not in the state file`},
		{"zone", nil, append(checkArgs(state, ep), "--availability-zone", "us-east-1c"), "has no subnet in us-east-1c"},
		{"missing interface", nil, append(checkArgs(state, ep), "--appliance-device", "net_af_packet0,iface=gwnosuchif0"),
			"appliance.device: DPDK device \"net_af_packet0,iface=gwnosuchif0\": kernel interface gwnosuchif0 does not exist"},
		{"capacity", nil, append(checkArgs(state, ep), "--flow-capacity", fmt.Sprint(1<<26)), "flows.capacity: 67108864 is out of range 1024-16777215"},
		{"format", []string{"--output", "yaml"}, checkArgs(state, ep), `serve --check prints text or json, not "yaml"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, err := runCheck(t, c.global, c.args...)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q\n%s", err, c.want, out)
			}
			if cmdutil.ExitCode(err) == cmdutil.ExitOK {
				t.Fatal("exit code 0")
			}
		})
	}
}
