package clienttest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/gwlbctl/gwlbctl/control"
)

// TestConcurrentSDKWriters: 50 SDK clients register distinct targets at
// once; every one of them is in the state afterwards (each request is one
// locked read-modify-write of the state file, as for the CLI).
func TestConcurrentSDKWriters(t *testing.T) {
	const writers = 50
	ts := newTestServer(t, nil)
	tgArn := seedState(t, ts)
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lbc, _ := ts.clients(t, testAccessKey, testSecretKey)
			ip := fmt.Sprintf("10.0.1.%d", 10+i)
			_, err := lbc.RegisterTargets(context.Background(), &elb.RegisterTargetsInput{TargetGroupArn: aws.String(tgArn),
				Targets: []elbtypes.TargetDescription{{Id: aws.String(ip)}}})
			if err != nil {
				errs <- fmt.Errorf("register %s: %w", ip, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	want := map[string]bool{}
	for i := range writers {
		want[fmt.Sprintf("10.0.1.%d", 10+i)] = true
	}
	err := ts.Store.View(func(s *control.State) error {
		tg := s.TargetGroupByArn(tgArn)
		for _, rt := range tg.Targets {
			delete(want, rt.Target.Id)
		}
		if len(tg.Targets) != writers {
			return fmt.Errorf("%d targets registered, want %d", len(tg.Targets), writers)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(want) > 0 {
		t.Fatalf("lost registrations: %v", want)
	}
	_, v, err := ts.Store.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	// The seed was revision 1; each registration saved one more.
	if v.Revision != 1+writers {
		t.Errorf("revision %d, want %d: one saved change per request", v.Revision, 1+writers)
	}
}
