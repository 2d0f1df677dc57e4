package store

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/gwlbctl/gwlbctl/control"
	"github.com/gwlbctl/gwlbctl/control/store/etcdtest"
)

func testRegistration(id string) control.NodeRegistration {
	return control.NodeRegistration{NodeID: id, LoadBalancer: "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/gwy/g/0123456789abcdef",
		AvailabilityZone: "us-east-1a", ApplianceAddress: "10.0.1.10", StartedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Version: "test", APISocket: "/run/gwlbctl/" + id + ".sock", Host: "h1", PID: 4242}
}

// TestEtcdRegistry: a registration is listed while its lease lives, holds
// its id against a second node, is on a lease of the TTL asked (so etcd
// deletes it that long after renewals stop), and goes at once on Revoke.
func TestEtcdRegistry(t *testing.T) {
	srv := etcdtest.Start(t)
	prefix := srv.Prefix(t)
	s := openEtcd(t, srv.Location(prefix))
	ctx := context.Background()

	if nodes, err := s.Nodes(ctx); err != nil || len(nodes) != 0 {
		t.Fatalf("empty registry: %v, %v", nodes, err)
	}
	b, err := s.Register(ctx, testRegistration("node-b"), 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.Register(ctx, testRegistration("node-a"), 2500*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	nodes, err := s.Nodes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantA, wantB := testRegistration("node-a"), testRegistration("node-b")
	wantA.LeaseTTLSeconds, wantB.LeaseTTLSeconds = 3, 3 // 2.5s rounds up
	if len(nodes) != 2 || nodes[0] != wantA || nodes[1] != wantB {
		t.Fatalf("nodes = %+v\nwant %+v and %+v", nodes, wantA, wantB)
	}

	// The key is on a lease of the TTL: etcd deletes it when the lease
	// goes unrenewed that long.
	kv := srv.Client()
	resp, err := kv.Get(ctx, prefix+"/nodes/node-a")
	if err != nil || len(resp.Kvs) != 1 || resp.Kvs[0].Lease == 0 {
		t.Fatalf("node-a's key: %v, %v", resp, err)
	}
	ttl, err := kv.TimeToLive(ctx, clientv3.LeaseID(resp.Kvs[0].Lease), clientv3.WithAttachedKeys())
	if err != nil || ttl.GrantedTTL != 3 || len(ttl.Keys) != 1 || string(ttl.Keys[0]) != prefix+"/nodes/node-a" {
		t.Fatalf("node-a's lease: %+v, %v", ttl, err)
	}

	// One id, one live node.
	_, err = s.Register(ctx, testRegistration("node-a"), 3*time.Second)
	if !errors.Is(err, ErrNodeRegistered) || !strings.Contains(err.Error(), "pid 4242 on host h1") || !strings.Contains(err.Error(), "node.id") {
		t.Fatalf("second node-a: %v", err)
	}

	// A clean stop removes the registration at once; the id is free again.
	if err := a.Revoke(ctx); err != nil {
		t.Fatal(err)
	}
	<-a.Lost()
	if err := a.Revoke(ctx); err != nil {
		t.Fatalf("second revoke: %v", err)
	}
	if nodes, err := s.Nodes(ctx); err != nil || len(nodes) != 1 || nodes[0].NodeID != "node-b" {
		t.Fatalf("after revoking node-a: %+v, %v", nodes, err)
	}
	a2, err := s.Register(ctx, testRegistration("node-a"), 3*time.Second)
	if err != nil {
		t.Fatalf("node-a again: %v", err)
	}
	t.Cleanup(func() { a2.Revoke(ctx) })

	// A lease that ends without Revoke (here revoked by another client, as
	// etcd ends an expired one) closes Lost.
	resp, err = kv.Get(ctx, prefix+"/nodes/node-b")
	if err != nil || len(resp.Kvs) != 1 {
		t.Fatalf("node-b's key: %v, %v", resp, err)
	}
	if _, err := kv.Revoke(ctx, clientv3.LeaseID(resp.Kvs[0].Lease)); err != nil {
		t.Fatal(err)
	}
	<-b.Lost()
	if err := b.Revoke(ctx); err != nil {
		t.Fatalf("revoking a lost lease: %v", err)
	}
}

// TestEtcdRegistryExpiry: a node whose process ends without revoking (its
// connection closed, as a SIGKILL does) leaves the registry when etcd
// expires its lease.
func TestEtcdRegistryExpiry(t *testing.T) {
	srv := etcdtest.Start(t)
	prefix := srv.Prefix(t)
	loc := srv.Location(prefix)
	ctx := context.Background()
	dying, err := OpenEtcd(loc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dying.Register(ctx, testRegistration("node-x"), time.Second); err != nil {
		t.Fatal(err)
	}
	key := prefix + "/nodes/node-x"
	w := srv.Client().Watch(ctx, key)
	dying.Close() // no more renewals, no revoke
	start := time.Now()
	for resp := range w {
		if len(resp.Events) > 0 && resp.Events[0].Type == clientv3.EventTypeDelete {
			break
		}
	}
	t.Logf("registration gone %s after its node's connection closed (lease 1s)", time.Since(start).Round(time.Millisecond))
	s := openEtcd(t, loc)
	if nodes, err := s.Nodes(ctx); err != nil || len(nodes) != 0 {
		t.Fatalf("after expiry: %+v, %v", nodes, err)
	}
	l, err := s.Register(ctx, testRegistration("node-x"), time.Second)
	if err != nil {
		t.Fatalf("the id is free after expiry: %v", err)
	}
	l.Revoke(ctx)
}

// TestEtcdRegistryBadInput: bad ids and TTLs are refused before etcd is
// asked; a value under nodes/ that is no registration is an error naming
// its key.
func TestEtcdRegistryBadInput(t *testing.T) {
	srv := etcdtest.Start(t)
	prefix := srv.Prefix(t)
	s := openEtcd(t, srv.Location(prefix))
	ctx := context.Background()
	for _, id := range []string{"", "a/b", "-x", strings.Repeat("n", control.MaxNodeIDLength+1), "sp ace"} {
		if _, err := s.Register(ctx, testRegistration(id), time.Second); err == nil || !strings.Contains(err.Error(), "node id") {
			t.Errorf("id %q: %v", id, err)
		}
	}
	if _, err := s.Register(ctx, testRegistration("n1"), 500*time.Millisecond); err == nil || !strings.Contains(err.Error(), "at least 1s") {
		t.Errorf("ttl 500ms: %v", err)
	}
	srv.Put(t, prefix+"/nodes/junk", []byte("not json"))
	if _, err := s.Nodes(ctx); err == nil || !strings.Contains(err.Error(), prefix+"/nodes/junk") {
		t.Errorf("junk value: %v", err)
	}
	srv.Put(t, prefix+"/nodes/junk", []byte(`{"node_id":"other"}`))
	if _, err := s.Nodes(ctx); err == nil || !strings.Contains(err.Error(), prefix+"/nodes/junk") {
		t.Errorf("value of another id: %v", err)
	}
	srv.Delete(t, prefix+"/nodes/junk")

	// etcd out of reach: the error names the endpoint.
	dead := openEtcd(t, "etcd://"+etcdtest.DeadEndpoint(t)+"/p?dial-timeout=300ms")
	if _, err := dead.Register(ctx, testRegistration("n1"), time.Second); err == nil || !strings.Contains(err.Error(), "did not answer within 300ms") {
		t.Errorf("dead etcd: %v", err)
	}
}

// TestRegistryOfFile: a state file has no registry, and says what to use.
func TestRegistryOfFile(t *testing.T) {
	f, err := OpenFile(filepath.Join(t.TempDir(), "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := RegistryOf(f); !errors.Is(err, ErrNoRegistry) || !strings.Contains(err.Error(), "etcd://") {
		t.Fatalf("file: %v", err)
	}
}

// Liveness answers from the registry: a registered node is live in the
// zone it registered, a revoked or unknown one is not; store.Run hands it
// to the operations of a store with a registry.
func TestEtcdLiveness(t *testing.T) {
	srv := etcdtest.Start(t)
	s := openEtcd(t, srv.Location(srv.Prefix(t)))
	ctx := context.Background()
	reg := testRegistration("node-a")
	a, err := s.Register(ctx, reg, 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	live := Liveness(s)
	if zone, ok := live("node-a"); !ok || zone != reg.AvailabilityZone {
		t.Fatalf("registered node: %q %v, want %q live", zone, ok, reg.AvailabilityZone)
	}
	if _, ok := live("node-b"); ok {
		t.Fatal("an unregistered node is live")
	}
	if err := a.Revoke(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok := Liveness(s)("node-a"); ok {
		t.Fatal("a revoked node is live")
	}
	var got control.NodeLiveness
	if _, err := Run(s, control.Env{}, "Probe", false, func(_ *control.State, env control.Env, _ struct{}) (*struct{}, error) {
		got = env.Nodes
		return &struct{}{}, nil
	}, struct{}{}); err != nil {
		t.Fatal(err)
	}
	if got == nil {
		t.Fatal("Run gave the operation no liveness on a store with a registry")
	}
}
