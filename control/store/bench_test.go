package store

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/gwlbctl/gwlbctl/control"
)

// BenchmarkUpdate measures one locked read-modify-write cycle (lock, read,
// decode, change, encode, write temp, fsync, rename, fsync dir) on a state
// with a target group of 300 targets.
func BenchmarkUpdate(b *testing.B) {
	st, _ := OpenFile(filepath.Join(b.TempDir(), "state.json"))
	arn := seedB(b, st)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		_, err := st.Update(func(s *control.State) error {
			_, err := s.ModifyTargetGroupAttributes(testEnv(), control.ModifyTargetGroupAttributesInput{TargetGroupArn: arn,
				Attributes: []control.Attribute{{Key: control.AttrDeregistrationDelay, Value: fmt.Sprint(i % 3600)}}})
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkView measures reading and decoding the same state.
func BenchmarkView(b *testing.B) {
	st, _ := OpenFile(filepath.Join(b.TempDir(), "state.json"))
	seedB(b, st)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := st.View(func(*control.State) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

func seedB(b *testing.B, st Store) string {
	arn := seed(b, st)
	_, err := st.Update(func(s *control.State) error {
		var ts []control.TargetDescription
		for i := range 300 {
			ts = append(ts, control.TargetDescription{Id: fmt.Sprintf("10.0.%d.%d", i/250, i%250+1)})
		}
		_, err := s.RegisterTargets(testEnv(), control.RegisterTargetsInput{TargetGroupArn: arn, Targets: ts})
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return arn
}
