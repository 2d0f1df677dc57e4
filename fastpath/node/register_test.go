package node

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gwlbctl/gwlbctl/control"
	"github.com/gwlbctl/gwlbctl/control/api"
	"github.com/gwlbctl/gwlbctl/control/store"
	"github.com/gwlbctl/gwlbctl/control/store/etcdtest"
)

// TestNodeConfigDefaults: node.id defaults to the host name, the lease to
// DefaultLeaseTTL; bad values name their key.
func TestNodeConfigDefaults(t *testing.T) {
	c := validConfig()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	if c.Node.ID != host || c.Node.LeaseTTL != DefaultLeaseTTL {
		t.Fatalf("defaults: %+v, want id %q and %s", c.Node, host, DefaultLeaseTTL)
	}
	for _, tc := range []struct {
		node NodeConfig
		want string
	}{
		{NodeConfig{ID: "a/b"}, "node.id: node id \"a/b\""},
		{NodeConfig{ID: strings.Repeat("x", control.MaxNodeIDLength+1)}, "node.id"},
		{NodeConfig{ID: "n1", LeaseTTL: 500 * time.Millisecond}, "node.lease-ttl: 500ms is below 1s"},
	} {
		c := validConfig()
		c.Node = tc.node
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.node, err, tc.want)
		}
	}
}

// registeringNode is a Node with what registration needs and nothing else
// (no DPDK): its config, log, events and store.
func registeringNode(t *testing.T, st store.Store, id string) *Node {
	t.Helper()
	c := validConfig()
	c.Node = NodeConfig{ID: id, LeaseTTL: 2 * time.Second}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	n := &Node{cfg: c, log: slog.New(slog.NewTextHandler(io.Discard, nil)), start: time.Now(), version: "test",
		events: api.NewEventLog(0, nil), plan: &Plan{Store: st}, lbArn: "arn:lb", nodeID: id}
	t.Cleanup(n.deregister)
	return n
}

// waitNodes polls GET /nodes's answer until cond holds.
func waitNodes(t *testing.T, n *Node, what string, cond func(api.NodeList) bool) api.NodeList {
	t.Helper()
	for {
		l, err := n.Nodes(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if cond(l) {
			return l
		}
		if t.Context().Err() != nil {
			t.Fatalf("gave up waiting for %s: %+v", what, l)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestNodeRegisters: on etcd a node registers itself, lists its load
// balancer's nodes, waits for an id held by another live lease to be
// freed, and leaves at once when it stops.
func TestNodeRegisters(t *testing.T) {
	srv := etcdtest.Start(t)
	st, err := store.OpenEtcd(srv.NewLocation(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })

	a := registeringNode(t, st, "node-a")
	a.register()
	l := waitNodes(t, a, "node-a", func(l api.NodeList) bool { return l.Registered })
	want := a.registration()
	want.LeaseTTLSeconds = 2
	if l.Registry != st.Describe() || len(l.Nodes) != 1 || l.Nodes[0] != want {
		t.Fatalf("nodes = %+v\nwant %+v", l, want)
	}
	if want.ApplianceAddress != "10.9.0.10" || want.NodeID != "node-a" || want.APISocket != a.cfg.API.Socket {
		t.Fatalf("registration = %+v", want)
	}

	// node-b's id is held by another lease: it retries until it is free.
	held, err := st.Register(context.Background(), control.NodeRegistration{NodeID: "node-b", LoadBalancer: "arn:other"}, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	b := registeringNode(t, st, "node-b")
	b.register()
	if l, _ := b.Nodes(context.Background()); l.Registered {
		t.Fatalf("node-b registered over a live lease: %+v", l)
	}
	page := b.events.Read(0, 10)
	if len(page.Events) != 1 || !strings.Contains(page.Events[0].Message, "node.id") {
		t.Fatalf("node-b's events: %+v", page.Events)
	}
	if err := held.Revoke(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitNodes(t, b, "node-b to register", func(l api.NodeList) bool { return l.Registered && len(l.Nodes) == 2 })

	// A clean stop removes the registration at once.
	a.deregister()
	l = waitNodes(t, b, "the list seen by node-b", func(api.NodeList) bool { return true })
	if len(l.Nodes) != 1 || l.Nodes[0].NodeID != "node-b" {
		t.Fatalf("after node-a stopped: %+v", l)
	}
	a.deregister() // twice is fine
}

// TestNodeWithoutRegistry: a node on a state file does not register and
// lists itself alone.
func TestNodeWithoutRegistry(t *testing.T) {
	st, err := store.OpenFile(t.TempDir() + "/state.json")
	if err != nil {
		t.Fatal(err)
	}
	n := registeringNode(t, st, "solo")
	n.register()
	l, err := n.Nodes(context.Background())
	if err != nil || l.Registry != "" || l.Registered || len(l.Nodes) != 1 || l.Nodes[0].NodeID != "solo" {
		t.Fatalf("nodes = %+v, %v", l, err)
	}
}
