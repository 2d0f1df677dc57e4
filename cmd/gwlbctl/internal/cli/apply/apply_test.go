package apply

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/clitest"
	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
	"github.com/spf13/cobra"
)

// example is the worked example topology in configs/.
var example = filepath.Join("..", "..", "..", "..", "..", "configs", "topology.yaml")

func TestApplyFlags(t *testing.T) {
	type opts struct {
		File   string
		DryRun bool
	}
	clitest.FlagTests(t, NewCmdApply, func(o *Options) opts { return opts{o.File, o.DryRun} }, []clitest.FlagCase[opts]{
		{Name: "short", Args: []string{"-f", "topo.yaml"}, Want: opts{File: "topo.yaml"}},
		{Name: "long dry run", Args: []string{"--filename", "topo.yaml", "--dry-run"}, Want: opts{File: "topo.yaml", DryRun: true}},
		{Name: "missing file", Args: []string{"--dry-run"}, WantErr: "the following arguments are required: --filename"},
		{Name: "positional", Args: []string{"topo.yaml"}, WantErr: "Unknown options: topo.yaml"},
	})
}

func newApply(f *cmdutil.Factory) *cobra.Command { return NewCmdApply(f, nil) }

func edit(t *testing.T, src string, replace ...string) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for i := 0; i < len(replace); i += 2 {
		if !strings.Contains(s, replace[i]) {
			t.Fatalf("%s has no %q", src, replace[i])
		}
		s = strings.Replace(s, replace[i], replace[i+1], 1)
	}
	out := filepath.Join(t.TempDir(), "topology.yaml")
	if err := os.WriteFile(out, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestApplyRoundTrip: apply the example, apply it again (no changes), edit
// it (deregister a target, turn cross-zone on) and apply: exactly that. On
// each state backend.
func TestApplyRoundTrip(t *testing.T) {
	for _, b := range clitest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) { testApplyRoundTrip(t, b.New(t)) })
	}
}

func testApplyRoundTrip(t *testing.T, e *clitest.Env) {

	// A dry run plans everything and writes nothing.
	if err := e.Run(newApply, "-f", example, "--dry-run"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.Out.String(), "dry run; nothing was changed") || !strings.Contains(e.Out.String(), "+ create load-balancer inspection-gwlb") {
		t.Errorf("dry run output:\n%s", e.Out)
	}
	if e.StateBytes() != nil {
		t.Fatal("dry run wrote the state file")
	}

	if err := e.Run(newApply, "-f", example); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.Out.String(), "Plan: 18 to create, 11 to update, 0 to delete.") {
		t.Errorf("first apply:\n%s", e.Out)
	}
	st := e.State()
	if len(st.Vpcs) != 3 || len(st.LoadBalancers) != 1 || len(st.Endpoints) != 2 {
		t.Fatalf("after apply: %d vpcs, %d load balancers, %d endpoints", len(st.Vpcs), len(st.LoadBalancers), len(st.Endpoints))
	}
	for _, ep := range st.Endpoints {
		if ep.Endpoint.State != control.EndpointStateAvailable {
			t.Errorf("endpoint %s is %s", ep.Endpoint.VpcEndpointId, ep.Endpoint.State)
		}
	}

	// Again: nothing to do, and the file is not rewritten.
	before := e.StateBytes()
	if err := e.Run(newApply, "-f", example); err != nil {
		t.Fatal(err)
	}
	if got := e.Out.String(); got != "No changes. The state matches the topology.\n" {
		t.Errorf("second apply printed %q", got)
	}
	if !bytes.Equal(before, e.StateBytes()) {
		t.Error("second apply rewrote the state file")
	}

	// Edit: one target fewer, cross-zone on. The plan as JSON has exactly
	// those two changes.
	edited := edit(t, example,
		"      - id: 10.0.2.10 # zone derived from subnet inspection-b\n", "",
		`load_balancing.cross_zone.enabled: "false"`, `load_balancing.cross_zone.enabled: "true"`)
	e.Config.Output = "json"
	cmd := newApply(e.Factory)
	cmd.Flags().String("output", "", "") // the root's flag, given on the command line
	e.Out.Reset()
	if err := clitest.Exec(cmd, "-f", edited, "--output", "json"); err != nil {
		t.Fatal(err)
	}
	var res struct {
		DryRun  bool
		Changes []struct{ Action, Kind, Name, Detail string }
	}
	if err := json.Unmarshal(e.Out.Bytes(), &res); err != nil {
		t.Fatalf("%v\n%s", err, e.Out)
	}
	if len(res.Changes) != 2 {
		t.Fatalf("changes %+v, want 2", res.Changes)
	}
	got := map[string]string{}
	for _, c := range res.Changes {
		got[c.Kind+" "+c.Name] = c.Action + ": " + c.Detail
	}
	if got["load-balancer inspection-gwlb"] != "update: attributes load_balancing.cross_zone.enabled=true" ||
		got["targets appliances"] != "update: deregister 10.0.2.10" {
		t.Errorf("changes %q", got)
	}
	st = e.State()
	if v := st.LoadBalancerByName("inspection-gwlb").Attribute(control.AttrCrossZoneEnabled); v != "true" {
		t.Errorf("cross-zone %q", v)
	}
	if rt := st.TargetGroupByName("appliances").Target("10.0.2.10"); rt == nil || !rt.Draining(clitest.Now) {
		t.Errorf("10.0.2.10 should be draining: %+v", rt)
	}
	if rt := st.TargetGroupByName("appliances").Target("10.0.1.10"); rt == nil || rt.DrainUntil != nil {
		t.Errorf("10.0.1.10 should be untouched: %+v", rt)
	}

	e.Config.Output = "json"
	if err := e.Run(newApply, "-f", edited); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(e.Out.String(), "No changes.") {
		t.Errorf("edited file applied twice: %s", e.Out)
	}
}

func TestApplyErrors(t *testing.T) {
	e := clitest.New(t)
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("vpcs:\n  - name: x\n    cidr: 10.0.0.0/16\n    colour: red\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := e.Run(newApply, "-f", bad)
	if cmdutil.ExitCode(err) != cmdutil.ExitUsage || !strings.Contains(err.Error(), "colour") {
		t.Errorf("unknown key: %v (exit %d)", err, cmdutil.ExitCode(err))
	}

	wrongRegion := edit(t, example, "region: us-east-1", "region: eu-west-1")
	err = e.Run(newApply, "-f", wrongRegion)
	if cmdutil.ExitCode(err) != cmdutil.ExitConfig || !strings.Contains(err.Error(), "eu-west-1") {
		t.Errorf("wrong region: %v (exit %d)", err, cmdutil.ExitCode(err))
	}

	// A topology the operations refuse writes nothing at all.
	badName := edit(t, example, "name: inspection-gwlb", "name: inspection_gwlb", "loadBalancers: [inspection-gwlb]", "loadBalancers: [inspection_gwlb]")
	err = e.Run(newApply, "-f", badName)
	if control.ErrorCode(err) != control.CodeValidationError || cmdutil.ExitCode(err) != cmdutil.ExitService {
		t.Errorf("bad name: %v (exit %d)", err, cmdutil.ExitCode(err))
	}
	if e.StateBytes() != nil {
		t.Error("a failed apply wrote the state file")
	}
}
