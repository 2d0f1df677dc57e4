package node

import (
	"strings"
	"testing"

	"github.com/gwlbctl/gwlbctl/fastpath/flow"
)

// twoWorkerConfig is validConfig with two worker lcores sharing CPU 1 and
// a queue pair per worker on every net_af_packet port.
func twoWorkerConfig() Config {
	c := validConfig()
	c.EAL.Args = []string{"--lcores", "0@0,1@1,2@1", "--main-lcore", "0"}
	c.Appliance.Device += ",qpairs=2"
	c.Endpoints[0].SideA += ",qpairs=2"
	c.Endpoints[0].SideB += ",qpairs=4"
	return c
}

func TestValidateTwoWorkers(t *testing.T) {
	c := twoWorkerConfig()
	if err := c.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if c.Workers() != 2 {
		t.Fatalf("Workers() = %d, want 2 (one per worker lcore)", c.Workers())
	}
	c = twoWorkerConfig()
	c.EAL.Workers = 1
	if err := c.Validate(); err != nil || c.Workers() != 1 {
		t.Fatalf("eal.workers 1: %v, %d workers", err, c.Workers())
	}
	c = validConfig()
	if err := c.Validate(); err != nil || c.Workers() != 1 {
		t.Fatalf("one lcore: %v, %d workers", err, c.Workers())
	}
}

func TestValidateTwoWorkersRejects(t *testing.T) {
	for _, tt := range []struct {
		name   string
		mutate func(*Config)
		want   string
	}{
		{"one side short of queues", func(c *Config) { c.Endpoints[0].SideA = "net_af_packet1,iface=epa,qpairs=1" },
			"endpoints[0].side-a: net_af_packet1,iface=epa,qpairs=1 has 1 queue pair(s) for 2 workers; each worker needs its own: add qpairs=2"},
		{"capacity beyond the two-worker table", func(c *Config) { c.Flows.Capacity = flow.MaxCapacity },
			"flows.capacity: 16777215 is out of range 1024-8388607 (the flow table's limit, flows per worker, 2 workers: the cookie's worker id takes its bits)"},
		{"more workers than lcores", func(c *Config) { c.EAL.Workers = 3 }, "eal.workers: 3 workers need as many worker lcores"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := twoWorkerConfig()
			tt.mutate(&c)
			err := c.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
	c := twoWorkerConfig()
	c.Flows.Capacity = flow.MaxCapacityFor(2)
	if err := c.Validate(); err != nil {
		t.Fatalf("capacity %d with 2 workers: %v", c.Flows.Capacity, err)
	}
}
