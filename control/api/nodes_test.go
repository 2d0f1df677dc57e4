package api

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gwlbctl/gwlbctl/control"
)

// nodesBackend is a memBackend that knows its nodes.
type nodesBackend struct {
	*memBackend
	list NodeList
	err  error
}

func (b *nodesBackend) Nodes(ctx context.Context) (NodeList, error) { return b.list, b.err }

// TestNodes: GET /nodes carries the backend's list field for field (an
// empty list as [], not null); a backend without one answers 404; a
// backend's failure is a 500 naming it.
func TestNodes(t *testing.T) {
	reg := control.NodeRegistration{NodeID: "n1", LoadBalancer: "arn:lb", AvailabilityZone: "us-east-1a", ApplianceAddress: "10.0.1.10",
		StartedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Version: "v", APISocket: "/run/n1.sock", Host: "h", PID: 7, LeaseTTLSeconds: 10}
	b := &nodesBackend{memBackend: newMemBackend(1, 1), list: NodeList{Registry: "etcd://127.0.0.1:2379/p", Registered: true, Nodes: []control.NodeRegistration{reg}}}
	c, base := newTestClient(t, b, Options{})
	got, err := c.Nodes(context.Background())
	if err != nil || got.Registry != b.list.Registry || !got.Registered || len(got.Nodes) != 1 || got.Nodes[0] != reg {
		t.Fatalf("nodes = %+v, %v", got, err)
	}
	b.list = NodeList{}
	if code, body, _ := getRaw(t, base, PathNodes); code != 200 || !strings.Contains(body, `"nodes":[]`) {
		t.Fatalf("empty list: %d %s", code, body)
	}
	if code, body, _ := getRaw(t, base, PathNodes+"?x=1"); code != 400 || !strings.Contains(body, "takes none") {
		t.Fatalf("parameter: %d %s", code, body)
	}
	b.err = errors.New("etcd at 127.0.0.1:1 did not answer")
	if _, err := c.Nodes(context.Background()); err == nil || !strings.Contains(err.Error(), "did not answer") {
		t.Fatalf("backend failure: %v", err)
	}

	plain, _ := newTestClient(t, newMemBackend(1, 1), Options{})
	var e *Error
	if _, err := plain.Nodes(context.Background()); !errors.As(err, &e) || e.Status != 404 {
		t.Fatalf("backend without nodes: %v", err)
	}
}
