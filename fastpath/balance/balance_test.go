package balance

import (
	"fmt"
	"testing"
)

func targets(n int, azs ...string) []Target {
	if len(azs) == 0 {
		azs = []string{"us-east-1a"}
	}
	ts := make([]Target, n)
	for i := range ts {
		ts[i] = Target{
			ID:      fmt.Sprintf("10.0.%d.%d:6081", i/250, i%250+1),
			IP:      [4]byte{10, 0, byte(i / 250), byte(i%250 + 1)},
			AZ:      azs[i%len(azs)],
			Healthy: true,
		}
	}
	return ts
}

func TestBuildAndLookup(t *testing.T) {
	s, err := Build(targets(10), Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	z := s.Zone("us-east-1a")
	if z < 0 {
		t.Fatal("zone missing")
	}
	if _, ok := s.Lookup(12345, z); !ok {
		t.Fatal("no target")
	}
}
