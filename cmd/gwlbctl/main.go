// Command gwlbctl is a self-hosted Gateway Load Balancer: an AWS-compatible
// control plane, a DPDK fast path, health checks and a live view in one binary.
package main

import (
	"os"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli"
)

func main() {
	os.Exit(cli.Main())
}
