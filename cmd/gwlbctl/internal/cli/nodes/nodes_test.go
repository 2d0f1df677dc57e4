package nodes

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/clitest"
	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
	"github.com/gwlbctl/gwlbctl/control/store"
	"github.com/gwlbctl/gwlbctl/control/store/etcdtest"
)

func TestNodesFlags(t *testing.T) {
	clitest.FlagTests(t, NewCmdNodes, func(o *Options) string { return o.LoadBalancer }, []clitest.FlagCase[string]{
		{Name: "none", Args: nil, Want: ""},
		{Name: "load balancer", Args: []string{"--load-balancer", "gwlb"}, Want: "gwlb"},
		{Name: "empty load balancer", Args: []string{"--load-balancer", " "}, WantErr: "argument --load-balancer"},
		{Name: "positional", Args: []string{"x"}, WantErr: "Unknown options: x"},
	})
}

func newNodes(f *cmdutil.Factory) *cobra.Command { return NewCmdNodes(f, nil) }

// TestNodesEtcd: the nodes registered in an etcd store, all or those of
// one load balancer (by name or ARN), as json and table; an unknown load
// balancer is AWS's LoadBalancerNotFound.
func TestNodesEtcd(t *testing.T) {
	srv := etcdtest.Start(t)
	e := clitest.NewEtcd(t, srv)
	fx := e.Seed()
	reg, err := store.RegistryOf(e.Store)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	mine := control.NodeRegistration{NodeID: "node-a", LoadBalancer: fx.LoadBalancerArn, AvailabilityZone: "us-east-1a",
		ApplianceAddress: "10.0.1.10", StartedAt: clitest.Now.UTC(), Version: "v1", APISocket: "/run/a.sock", Host: "h", PID: 11}
	other := mine
	other.NodeID, other.LoadBalancer = "node-z", "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/gwy/other/0123456789abcdef"
	for _, r := range []control.NodeRegistration{other, mine} {
		l, err := reg.Register(ctx, r, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Revoke(ctx) })
	}
	mine.LeaseTTLSeconds, other.LeaseTTLSeconds = 5, 5

	if err := e.Run(newNodes); err != nil {
		t.Fatal(err)
	}
	var res Result
	e.JSON(&res)
	if res.Registry != e.Store.Describe() || len(res.Nodes) != 2 || res.Nodes[0] != mine || res.Nodes[1] != other {
		t.Fatalf("all nodes: %+v", res)
	}
	for _, lb := range []string{"my-gwlb", fx.LoadBalancerArn} {
		if err := e.Run(newNodes, "--load-balancer", lb); err != nil {
			t.Fatal(err)
		}
		res = Result{}
		e.JSON(&res)
		if len(res.Nodes) != 1 || res.Nodes[0] != mine {
			t.Fatalf("--load-balancer %s: %+v", lb, res)
		}
	}
	err = e.Run(newNodes, "--load-balancer", "nope")
	if control.ErrorCode(err) != control.CodeLoadBalancerNotFound || cmdutil.ExitCode(err) != cmdutil.ExitService {
		t.Fatalf("unknown load balancer: %v", err)
	}

	e.Config.Output = "table"
	if err := e.Run(newNodes); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Nodes", "node-a", "node-z", "10.0.1.10", "us-east-1a"} {
		if !strings.Contains(e.Out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, e.Out.String())
		}
	}
}

// TestNodesFile: a state file has no registry: a configuration error
// (exit 253) that says to use etcd.
func TestNodesFile(t *testing.T) {
	e := clitest.New(t)
	err := e.Run(newNodes)
	if cmdutil.ExitCode(err) != cmdutil.ExitConfig || !strings.Contains(err.Error(), "etcd://") {
		t.Fatalf("file store: %v (exit %d)", err, cmdutil.ExitCode(err))
	}
}
