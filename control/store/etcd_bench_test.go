package store

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/gwlbctl/gwlbctl/control"
	"github.com/gwlbctl/gwlbctl/control/store/etcdtest"
)

// BenchmarkControl measures control operations per second in one process,
// on the state file and on etcd (a real server on loopback, fsync on):
// describe is DescribeTargetHealth through View (read, decode), register
// is RegisterTargets of a new target through Update (read, decode, change,
// encode, then the file's locked write + fsync + rename, or etcd's
// compare-and-swap). The target group starts with 2 targets; after 250
// registrations the state is seeded again, outside the timer (a load
// balancer takes 300 targets).
func BenchmarkControl(b *testing.B) {
	backends := []struct {
		name string
		open func(b *testing.B) Store
	}{
		{"file", func(b *testing.B) Store {
			st, _ := OpenFile(filepath.Join(b.TempDir(), "state.json"))
			return st
		}},
		{"etcd", func(b *testing.B) Store { return openEtcd(b, etcdtest.Start(b).NewLocation(b)) }},
	}
	for _, be := range backends {
		b.Run(be.name+"/describe", func(b *testing.B) {
			st := be.open(b)
			arn := seed(b, st)
			for i := range 2 {
				if _, err := st.Update(func(s *control.State) error { return register(s, arn, fmt.Sprintf("10.0.0.%d", i+1)) }); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				err := st.View(func(s *control.State) error {
					out, err := s.DescribeTargetHealth(testEnv(), control.DescribeTargetHealthInput{TargetGroupArn: arn})
					if err == nil && len(out.TargetHealthDescriptions) != 2 {
						err = fmt.Errorf("%d targets", len(out.TargetHealthDescriptions))
					}
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
		})
		b.Run(be.name+"/register", func(b *testing.B) {
			st := be.open(b)
			arn := seed(b, st)
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				if i%250 == 0 && i > 0 {
					b.StopTimer()
					st = be.open(b)
					arn = seed(b, st)
					b.StartTimer()
				}
				ip := fmt.Sprintf("10.0.1.%d", i%250+1)
				if _, err := st.Update(func(s *control.State) error { return register(s, arn, ip) }); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
		})
	}
}

// BenchmarkWatchDelivery measures the time from the start of an Update to
// its delivery by Watch in the same process (what a serve node's reload
// waits for before it builds its snapshot), on the file (fsnotify, then
// WatchSettle's 20 ms) and on etcd (its watch stream).
func BenchmarkWatchDelivery(b *testing.B) {
	for _, name := range []string{"file", "etcd"} {
		b.Run(name, func(b *testing.B) {
			var st Store
			if name == "file" {
				f, _ := OpenFile(filepath.Join(b.TempDir(), "state.json"))
				st = f
			} else {
				st = openEtcd(b, etcdtest.Start(b).NewLocation(b))
			}
			arn := seed(b, st)
			events := make(chan Event, 16)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { st.Watch(ctx, func(ev Event) { events <- ev }); close(done) }()
			defer func() { cancel(); <-done }()
			<-events // the current state
			b.ResetTimer()
			for i := range b.N {
				delay := strconv.Itoa(i%3600 + 1)
				rev, err := st.Update(func(s *control.State) error {
					_, err := s.ModifyTargetGroupAttributes(testEnv(), control.ModifyTargetGroupAttributesInput{TargetGroupArn: arn,
						Attributes: []control.Attribute{{Key: control.AttrDeregistrationDelay, Value: delay}}})
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
				for ev := range events {
					if ev.Err != nil {
						b.Fatal(ev.Err)
					}
					if ev.Version.Revision == rev {
						break
					}
				}
			}
			b.ReportMetric(b.Elapsed().Seconds()*1e3/float64(b.N), "ms/change")
		})
	}
}
