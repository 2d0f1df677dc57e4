package balance

import (
	"fmt"
	"testing"
)

// FuzzBuild builds sets from arbitrary target lists and options: Build
// either fails with an error (empty or repeated ID, bad size) or returns a
// set whose every new-flow pick is a registered, non-draining target of
// the right zone, healthy when the zone has a healthy target.
func FuzzBuild(f *testing.F) {
	f.Add([]byte{0, 1, 'a', 3, 2, 'b', 1, 1, 'c', 0})
	f.Add([]byte{1, 1, 'a', 3, 1, 'a', 3})
	f.Add([]byte{2, 0, 'x', 7, 0, 'y', 4, 0, 'z', 5, 1, 'x', 6})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 || len(data) > 600 {
			return
		}
		o := Options{CrossZone: data[0]&1 != 0, Failover: Failover(data[0] >> 1 & 1), TableSize: 101}
		if data[0]&4 != 0 {
			o.TableSize = int(data[0]) // mostly not prime: must be an error
		}
		var ts []Target
		for rest := data[1:]; len(rest) >= 3; rest = rest[3:] {
			ts = append(ts, Target{
				ID:       fmt.Sprintf("%c", rest[1]),
				AZ:       fmt.Sprint(rest[0] % 3),
				Healthy:  rest[2]&1 != 0,
				Draining: rest[2]&2 != 0,
			})
			if rest[1] == 0 {
				ts[len(ts)-1].ID = ""
			}
		}
		s, err := Build(ts, o, nil)
		if err != nil {
			if s != nil {
				t.Fatal("set and error")
			}
			return
		}
		for z := -1; z < 4; z++ {
			zone := fmt.Sprint(z)
			healthy, serving := false, false
			for _, x := range ts {
				if o.CrossZone || x.AZ == zone {
					serving = serving || !x.Draining
					healthy = healthy || (!x.Draining && x.Healthy)
				}
			}
			for h := uint64(0); h < 64; h++ {
				idx, ok := s.Lookup(h*0x9e3779b97f4a7c15, s.Zone(zone))
				if ok != serving {
					t.Fatalf("zone %s: ok=%v, serving=%v", zone, ok, serving)
				}
				if !ok {
					continue
				}
				x, known := s.Target(idx)
				if !known || x.Draining || (!o.CrossZone && x.AZ != zone) || (healthy && !x.Healthy) {
					t.Fatalf("zone %s: picked %+v", zone, x)
				}
			}
		}
	})
}
