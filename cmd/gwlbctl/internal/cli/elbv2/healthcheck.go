package elbv2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// healthCheckFlags are the --health-check-* flags create-target-group and
// modify-target-group share. Range checks (timeout 2-120, interval 5-300,
// thresholds 2-10) are the control package's, so they hold for apply too.
type healthCheckFlags struct {
	Protocol, Port, Path    string
	Enabled                 *bool
	Interval, Timeout       *int
	HealthyCount, Unhealthy *int
	matcher                 string
	Matcher                 *control.Matcher
}

func (h *healthCheckFlags) add(cmd *cobra.Command) {
	fl := cmd.Flags()
	cmdutil.EnumFlag(cmd, &h.Protocol, "health-check-protocol", "", "health check protocol (default TCP)", control.HealthCheckProtocols...)
	fl.StringVar(&h.Port, "health-check-port", "", "port 1-65535 or traffic-port (default 80)")
	cmdutil.BoolPairFlag(cmd, &h.Enabled, "health-check-enabled", "enable health checks (GENEVE target groups always have them)")
	fl.StringVar(&h.Path, "health-check-path", "", "HTTP/HTTPS path (default /)")
	cmdutil.IntPtrFlag(cmd, &h.Interval, "health-check-interval-seconds", "seconds between checks, 5-300 (default 10)")
	cmdutil.IntPtrFlag(cmd, &h.Timeout, "health-check-timeout-seconds", "seconds before a check fails, 2-120 (default 5)")
	cmdutil.IntPtrFlag(cmd, &h.HealthyCount, "healthy-threshold-count", "consecutive successes to become healthy, 2-10 (default 5)")
	cmdutil.IntPtrFlag(cmd, &h.Unhealthy, "unhealthy-threshold-count", "consecutive failures to become unhealthy, 2-10 (default 2)")
	fl.StringVar(&h.matcher, "matcher", "", "HTTP codes for HTTP/HTTPS checks: HttpCode=200-399")
}

func (h *healthCheckFlags) parse(cmd *cobra.Command) error {
	if cmd.Flags().Changed("matcher") {
		h.Matcher = &control.Matcher{}
		if err := cmdutil.DecodeStruct(cmd.Flags(), "matcher", h.matcher, h.Matcher); err != nil {
			return err
		}
	}
	return nil
}
