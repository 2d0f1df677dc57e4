package health

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gwlbctl/gwlbctl/control"
)

// Health-check protocols of GENEVE target groups, spelled as the ELBv2 API
// spells HealthCheckProtocol.
const (
	ProtocolTCP   = "TCP"
	ProtocolHTTP  = "HTTP"
	ProtocolHTTPS = "HTTPS"
)

// GWLB's health-check ranges (AWS's Gateway Load Balancer guide, "Health
// check settings"). The defaults are control's DefaultHealthCheck*.
const (
	MinTimeout   = 2 * time.Second
	MaxTimeout   = 120 * time.Second
	MinInterval  = 5 * time.Second
	MaxInterval  = 300 * time.Second
	MinThreshold = 2
	MaxThreshold = 10
	MinPort      = 1
	MaxPort      = 65535
)

// Settings is how a target group's targets are checked: what one probe does
// (protocol, port, path, matcher, timeout), how often (interval) and how
// many consecutive results flip a target (thresholds). Settings are
// comparable with ==.
type Settings struct {
	Protocol           string  // ProtocolTCP, ProtocolHTTP or ProtocolHTTPS
	Port               int     // the health-check port, 1-65535
	Path               string  // HTTP and HTTPS: the request path, starting with /
	Matcher            Matcher // HTTP and HTTPS: the status codes that pass
	Interval           time.Duration
	Timeout            time.Duration
	HealthyThreshold   int
	UnhealthyThreshold int
}

// DefaultSettings returns GWLB's defaults: TCP on port 80, every 10 s with
// a 5 s timeout, healthy after 5 and unhealthy after 2 consecutive results.
// For HTTP and HTTPS the path is / and the matcher 200-399.
func DefaultSettings() Settings {
	port, err := strconv.Atoi(control.DefaultHealthCheckPort)
	if err != nil {
		panic(err) // a constant that parses
	}
	return Settings{
		Protocol:           control.DefaultHealthCheckProtocol,
		Port:               port,
		Interval:           time.Duration(control.DefaultHealthCheckInterval) * time.Second,
		Timeout:            time.Duration(control.DefaultHealthCheckTimeout) * time.Second,
		HealthyThreshold:   control.DefaultHealthyThreshold,
		UnhealthyThreshold: control.DefaultUnhealthyThreshold,
	}
}

// SettingsOf maps a target group's health-check fields, as the control
// plane stores them, to Settings. A field left zero or empty (an older
// state file) takes GWLB's default; HTTP and HTTPS without a path or
// matcher take / and 200-399. The result is validated.
func SettingsOf(tg *control.TargetGroup) (Settings, error) {
	s := DefaultSettings()
	if tg.HealthCheckProtocol != "" {
		s.Protocol = strings.ToUpper(tg.HealthCheckProtocol)
	}
	switch p := tg.HealthCheckPort; p {
	case "":
	case "traffic-port":
		// The control plane refuses traffic-port for GENEVE groups: it
		// would mean 6081/UDP, which a TCP or HTTP check cannot reach.
		return Settings{}, fmt.Errorf("target group %s: health check port traffic-port cannot be checked (GENEVE's 6081 is UDP): set a TCP port with modify-target-group --health-check-port", tg.TargetGroupName)
	default:
		n, err := strconv.Atoi(p)
		if err != nil {
			return Settings{}, fmt.Errorf("target group %s: health check port %q is not a number from %d to %d", tg.TargetGroupName, p, MinPort, MaxPort)
		}
		s.Port = n
	}
	if s.Protocol == ProtocolHTTP || s.Protocol == ProtocolHTTPS {
		s.Path = tg.HealthCheckPath
		if s.Path == "" {
			s.Path = control.DefaultHealthCheckPath
		}
		codes := control.DefaultHealthCheckMatcher
		if tg.Matcher != nil && tg.Matcher.HttpCode != "" {
			codes = tg.Matcher.HttpCode
		}
		m, err := ParseMatcher(codes)
		if err != nil {
			return Settings{}, fmt.Errorf("target group %s: %w", tg.TargetGroupName, err)
		}
		s.Matcher = m
	}
	for _, f := range []struct {
		v   int
		dst *time.Duration
	}{{tg.HealthCheckIntervalSeconds, &s.Interval}, {tg.HealthCheckTimeoutSeconds, &s.Timeout}} {
		if f.v != 0 {
			*f.dst = time.Duration(f.v) * time.Second
		}
	}
	if tg.HealthyThresholdCount != 0 {
		s.HealthyThreshold = tg.HealthyThresholdCount
	}
	if tg.UnhealthyThresholdCount != 0 {
		s.UnhealthyThreshold = tg.UnhealthyThresholdCount
	}
	if err := s.Validate(); err != nil {
		return Settings{}, fmt.Errorf("target group %s: %w", tg.TargetGroupName, err)
	}
	return s, nil
}

// Validate checks s against GWLB's ranges and reports every field that is
// out of range, naming the range.
func (s Settings) Validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	http := false
	switch s.Protocol {
	case ProtocolTCP:
	case ProtocolHTTP, ProtocolHTTPS:
		http = true
	default:
		bad("health check protocol %q is not supported: use %s, %s or %s", s.Protocol, ProtocolTCP, ProtocolHTTP, ProtocolHTTPS)
	}
	if s.Port < MinPort || s.Port > MaxPort {
		bad("health check port %d is outside %d-%d", s.Port, MinPort, MaxPort)
	}
	if http {
		if !strings.HasPrefix(s.Path, "/") {
			bad("health check path %q must start with /", s.Path)
		}
		if strings.ContainsAny(s.Path, " \r\n") {
			bad("health check path %q must not contain spaces or line breaks", s.Path)
		}
		if s.Matcher.IsZero() {
			bad("an %s health check needs a matcher (default %s)", s.Protocol, control.DefaultHealthCheckMatcher)
		}
	} else if s.Path != "" || !s.Matcher.IsZero() {
		bad("a health check path or matcher needs protocol %s or %s, not %s", ProtocolHTTP, ProtocolHTTPS, s.Protocol)
	}
	if s.Timeout < MinTimeout || s.Timeout > MaxTimeout || s.Timeout%time.Second != 0 {
		bad("health check timeout %v must be whole seconds from %v to %v", s.Timeout, MinTimeout, MaxTimeout)
	}
	if s.Interval < MinInterval || s.Interval > MaxInterval || s.Interval%time.Second != 0 {
		bad("health check interval %v must be whole seconds from %v to %v", s.Interval, MinInterval, MaxInterval)
	}
	if s.Interval < s.Timeout {
		bad("health check interval %v must be at least the timeout %v", s.Interval, s.Timeout)
	}
	if s.HealthyThreshold < MinThreshold || s.HealthyThreshold > MaxThreshold {
		bad("healthy threshold %d is outside %d-%d", s.HealthyThreshold, MinThreshold, MaxThreshold)
	}
	if s.UnhealthyThreshold < MinThreshold || s.UnhealthyThreshold > MaxThreshold {
		bad("unhealthy threshold %d is outside %d-%d", s.UnhealthyThreshold, MinThreshold, MaxThreshold)
	}
	return errors.Join(errs...)
}
