package control

import (
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Target group attribute keys for GENEVE target groups.
const (
	AttrDeregistrationDelay       = "deregistration_delay.timeout_seconds"
	AttrStickinessEnabled         = "stickiness.enabled"
	AttrStickinessType            = "stickiness.type"
	AttrFailoverOnDeregistration  = "target_failover.on_deregistration"
	AttrFailoverOnUnhealthy       = "target_failover.on_unhealthy"
	StickinessSourceDestProto     = "source_ip_dest_ip_proto" // 3-tuple
	StickinessSourceDest          = "source_ip_dest_ip"       // 2-tuple
	FailoverNoRebalance           = "no_rebalance"
	FailoverRebalance             = "rebalance"
	DefaultDeregistrationDelaySec = 300
)

func defaultTargetGroupAttributes() []Attribute {
	return []Attribute{
		{Key: AttrDeregistrationDelay, Value: strconv.Itoa(DefaultDeregistrationDelaySec)},
		{Key: AttrStickinessEnabled, Value: "false"},
		{Key: AttrStickinessType, Value: StickinessSourceDestProto},
		{Key: AttrFailoverOnDeregistration, Value: FailoverNoRebalance},
		{Key: AttrFailoverOnUnhealthy, Value: FailoverNoRebalance},
	}
}

// Health-check ranges and defaults for GENEVE target groups.
const (
	DefaultHealthCheckProtocol = "TCP"
	DefaultHealthCheckPort     = "80"
	DefaultHealthCheckPath     = "/"
	DefaultHealthCheckMatcher  = "200-399"
	DefaultHealthCheckInterval = 10
	DefaultHealthCheckTimeout  = 5
	DefaultHealthyThreshold    = 5
	DefaultUnhealthyThreshold  = 2
	GenevePort                 = 6081
)

// HTTP codes a GWLB health-check matcher may name. AWS's Gateway Load
// Balancer guide says of the matcher "The value must be 200-399": the
// control plane refuses other codes, and the health checker's matcher
// (control/health) parses within the same bounds.
const (
	MinHealthCheckMatcherCode = 200
	MaxHealthCheckMatcherCode = 399
)

// CreateTargetGroupInput mirrors elbv2 CreateTargetGroup. Pointer fields
// are optional; nil takes the GENEVE default.
type CreateTargetGroupInput struct {
	Name                       string   `json:"Name"`
	Protocol                   string   `json:"Protocol,omitempty"`
	ProtocolVersion            string   `json:"ProtocolVersion,omitempty"`
	Port                       *int     `json:"Port,omitempty"`
	VpcId                      string   `json:"VpcId,omitempty"`
	HealthCheckProtocol        string   `json:"HealthCheckProtocol,omitempty"`
	HealthCheckPort            string   `json:"HealthCheckPort,omitempty"`
	HealthCheckEnabled         *bool    `json:"HealthCheckEnabled,omitempty"`
	HealthCheckPath            string   `json:"HealthCheckPath,omitempty"`
	HealthCheckIntervalSeconds *int     `json:"HealthCheckIntervalSeconds,omitempty"`
	HealthCheckTimeoutSeconds  *int     `json:"HealthCheckTimeoutSeconds,omitempty"`
	HealthyThresholdCount      *int     `json:"HealthyThresholdCount,omitempty"`
	UnhealthyThresholdCount    *int     `json:"UnhealthyThresholdCount,omitempty"`
	Matcher                    *Matcher `json:"Matcher,omitempty"`
	TargetType                 string   `json:"TargetType,omitempty"`
	Tags                       []Tag    `json:"Tags,omitempty"`
	IpAddressType              string   `json:"IpAddressType,omitempty"`
}

// TargetGroupsOutput is the response of create-, describe- and
// modify-target-group(s).
type TargetGroupsOutput struct {
	TargetGroups []TargetGroup `json:"TargetGroups"`
	// NextMarker is set by describe-target-groups when a page is cut.
	NextMarker string `json:"NextMarker,omitempty"`
}

// CreateTargetGroupOutput mirrors elbv2 CreateTargetGroup's response.
type CreateTargetGroupOutput = TargetGroupsOutput

// healthCheck is the health-check part of a target group, merged from a
// request over a base, validated as a whole.
type healthCheck struct {
	protocol, port, path, matcher string
	interval, timeout             int
	healthy, unhealthy            int
}

func healthCheckOf(tg *TargetGroup) healthCheck {
	h := healthCheck{
		protocol: tg.HealthCheckProtocol, port: tg.HealthCheckPort, path: tg.HealthCheckPath,
		interval: tg.HealthCheckIntervalSeconds, timeout: tg.HealthCheckTimeoutSeconds,
		healthy: tg.HealthyThresholdCount, unhealthy: tg.UnhealthyThresholdCount,
	}
	if tg.Matcher != nil {
		h.matcher = tg.Matcher.HttpCode
	}
	return h
}

func defaultHealthCheck() healthCheck {
	return healthCheck{
		protocol: DefaultHealthCheckProtocol, port: DefaultHealthCheckPort,
		interval: DefaultHealthCheckInterval, timeout: DefaultHealthCheckTimeout,
		healthy: DefaultHealthyThreshold, unhealthy: DefaultUnhealthyThreshold,
	}
}

// healthCheckChange is the health-check fields a request may set.
type healthCheckChange struct {
	Protocol, Port, Path string
	Enabled              *bool
	Interval, Timeout    *int
	Healthy, Unhealthy   *int
	Matcher              *Matcher
}

var matcherRe = regexp.MustCompile(`^[0-9]{3}(-[0-9]{3})?(,[0-9]{3}(-[0-9]{3})?)*$`)

// apply merges c over h and validates the result against GWLB's ranges.
func (h healthCheck) apply(op string, c healthCheckChange) (healthCheck, error) {
	if c.Enabled != nil && !*c.Enabled {
		return h, newError(op, CodeValidationError, "Health checks cannot be disabled for target groups with the GENEVE protocol")
	}
	if c.Protocol != "" {
		p := strings.ToUpper(c.Protocol)
		if !slices.Contains(HealthCheckProtocols, p) {
			return h, newError(op, CodeValidationError, "Health check protocol '%s' is not supported for GENEVE target groups: use TCP, HTTP or HTTPS", c.Protocol)
		}
		if p != h.protocol {
			// Switching protocol resets the protocol-specific settings.
			h.path, h.matcher = "", ""
		}
		h.protocol = p
	}
	if c.Port != "" {
		// *Unconfirmed*: traffic-port would mean 6081/UDP, which a TCP or
		// HTTP check cannot reach, so gwlbctl refuses it.
		if c.Port == "traffic-port" {
			return h, newError(op, CodeValidationError, "Health check port 'traffic-port' is not supported for GENEVE target groups (6081 is UDP): give a TCP port 1-65535")
		}
		n, err := strconv.Atoi(c.Port)
		if err != nil || n < 1 || n > 65535 {
			return h, newError(op, CodeValidationError, "Health check port '%s' must be a number from 1 to 65535", c.Port)
		}
		h.port = strconv.Itoa(n)
	}
	http := h.protocol == "HTTP" || h.protocol == "HTTPS"
	if c.Path != "" {
		if !http {
			return h, newError(op, CodeValidationError, "A health check path can only be given with health check protocol HTTP or HTTPS, not %s", h.protocol)
		}
		if !strings.HasPrefix(c.Path, "/") || len(c.Path) > 1024 {
			return h, newError(op, CodeValidationError, "Health check path '%s' must start with '/' and be at most 1024 characters", c.Path)
		}
		h.path = c.Path
	}
	if c.Matcher != nil {
		if c.Matcher.GrpcCode != "" {
			return h, newError(op, CodeValidationError, "gRPC codes are not supported for GENEVE target groups")
		}
		if !http {
			return h, newError(op, CodeValidationError, "A health check matcher can only be given with health check protocol HTTP or HTTPS, not %s", h.protocol)
		}
		if err := validateMatcher(op, c.Matcher.HttpCode); err != nil {
			return h, err
		}
		h.matcher = c.Matcher.HttpCode
	}
	if http {
		if h.path == "" {
			h.path = DefaultHealthCheckPath
		}
		if h.matcher == "" {
			h.matcher = DefaultHealthCheckMatcher
		}
	}
	type rng struct {
		name     string
		v        *int
		dst      *int
		min, max int
	}
	for _, r := range []rng{
		{"Health check interval", c.Interval, &h.interval, 5, 300},
		{"Health check timeout", c.Timeout, &h.timeout, 2, 120},
		{"Healthy threshold count", c.Healthy, &h.healthy, 2, 10},
		{"Unhealthy threshold count", c.Unhealthy, &h.unhealthy, 2, 10},
	} {
		if r.v == nil {
			continue
		}
		if *r.v < r.min || *r.v > r.max {
			return h, newError(op, CodeValidationError, "%s '%d' must be between %d and %d", r.name, *r.v, r.min, r.max)
		}
		*r.dst = *r.v
	}
	if h.interval < h.timeout {
		return h, newError(op, CodeValidationError, "Health check interval '%d' must be greater than or equal to the timeout '%d'", h.interval, h.timeout)
	}
	return h, nil
}

func validateMatcher(op, codes string) error {
	if !matcherRe.MatchString(codes) {
		return newError(op, CodeValidationError, "Health check matcher HTTP code '%s' is not valid: use codes like 200, 200,202 or 200-399", codes)
	}
	for _, part := range strings.Split(codes, ",") {
		for _, n := range strings.Split(part, "-") {
			v, _ := strconv.Atoi(n)
			if v < MinHealthCheckMatcherCode || v > MaxHealthCheckMatcherCode {
				return newError(op, CodeValidationError, "Health check matcher HTTP code '%d' must be between %d and %d", v, MinHealthCheckMatcherCode, MaxHealthCheckMatcherCode)
			}
		}
	}
	return nil
}

func (h healthCheck) into(tg *TargetGroup) {
	tg.HealthCheckEnabled = true
	tg.HealthCheckProtocol = h.protocol
	tg.HealthCheckPort = h.port
	tg.HealthCheckPath = h.path
	tg.HealthCheckIntervalSeconds = h.interval
	tg.HealthCheckTimeoutSeconds = h.timeout
	tg.HealthyThresholdCount = h.healthy
	tg.UnhealthyThresholdCount = h.unhealthy
	tg.Matcher = nil
	if h.matcher != "" {
		tg.Matcher = &Matcher{HttpCode: h.matcher}
	}
}

// CreateTargetGroup creates a GENEVE target group. The same request for an
// existing name with the same settings returns that target group.
func (s *State) CreateTargetGroup(env Env, in CreateTargetGroupInput) (*CreateTargetGroupOutput, error) {
	const op = "CreateTargetGroup"
	if err := validateName(op, "Target group", in.Name); err != nil {
		return nil, err
	}
	if in.Protocol == "" {
		return nil, newError(op, CodeValidationError, "A protocol is required for target groups of gateway load balancers: --protocol GENEVE --port 6081")
	}
	if !strings.EqualFold(in.Protocol, "GENEVE") {
		return nil, newError(op, CodeValidationError, "Protocol '%s' is not supported: gateway load balancer target groups use --protocol GENEVE --port 6081", in.Protocol)
	}
	if in.ProtocolVersion != "" {
		return nil, newError(op, CodeValidationError, "A protocol version cannot be specified for GENEVE target groups")
	}
	if in.Port == nil {
		return nil, newError(op, CodeValidationError, "A port is required: GENEVE target groups use --port 6081")
	}
	if *in.Port != GenevePort {
		return nil, newError(op, CodeValidationError, "Port '%d' is not valid for the GENEVE protocol: it must be %d", *in.Port, GenevePort)
	}
	if in.VpcId == "" {
		return nil, newError(op, CodeValidationError, "A VPC ID must be specified (--vpc-id) for target type instance or ip")
	}
	if s.Vpc(in.VpcId) == nil {
		return nil, newError(op, CodeValidationError, "The VPC ID '%s' is not found (list VPCs with 'ec2 describe-vpcs')", in.VpcId)
	}
	targetType := in.TargetType
	if targetType == "" {
		targetType = "instance"
	}
	if !slices.Contains(TargetTypes, targetType) {
		return nil, newError(op, CodeValidationError, "Target type '%s' is not supported for GENEVE target groups: use instance or ip", in.TargetType)
	}
	ipType := in.IpAddressType
	if ipType == "" {
		ipType = "ipv4"
	}
	if !slices.Contains(TargetGroupIPAddressTypes, ipType) {
		return nil, newError(op, CodeValidationError, "IP address type '%s' is not supported: gwlbctl target groups are ipv4", in.IpAddressType)
	}
	h, err := defaultHealthCheck().apply(op, healthCheckChange{
		Protocol: in.HealthCheckProtocol, Port: in.HealthCheckPort, Path: in.HealthCheckPath,
		Enabled: in.HealthCheckEnabled, Interval: in.HealthCheckIntervalSeconds, Timeout: in.HealthCheckTimeoutSeconds,
		Healthy: in.HealthyThresholdCount, Unhealthy: in.UnhealthyThresholdCount, Matcher: in.Matcher,
	})
	if err != nil {
		return nil, err
	}
	if err := validateTags(op, in.Tags, CodeDuplicateTagKeys); err != nil {
		return nil, err
	}
	if len(in.Tags) > MaxTagsPerResource {
		return nil, newError(op, CodeTooManyTags, "at most %d tags per target group", MaxTagsPerResource)
	}
	tg := TargetGroup{
		TargetGroupName:  in.Name,
		Protocol:         "GENEVE",
		Port:             GenevePort,
		VpcId:            in.VpcId,
		LoadBalancerArns: []string{},
		TargetType:       targetType,
		IpAddressType:    ipType,
	}
	h.into(&tg)
	if old := s.TargetGroupByName(in.Name); old != nil {
		cmp := old.TargetGroup
		cmp.TargetGroupArn, cmp.LoadBalancerArns = "", []string{}
		if reflect.DeepEqual(cmp, tg) {
			return &CreateTargetGroupOutput{TargetGroups: []TargetGroup{old.TargetGroup}}, nil
		}
		return nil, newError(op, CodeDuplicateTargetGroupName, "A target group with the same name '%s' exists, but with different settings", in.Name)
	}
	if len(s.TargetGroups) >= MaxTargetGroups {
		return nil, newError(op, CodeTooManyTargetGroups, "You've reached the limit on the number of target groups for your account (%d)", MaxTargetGroups)
	}
	tg.TargetGroupArn = env.arnPrefix("elasticloadbalancing") + "targetgroup/" + in.Name + "/" + env.hexID(16)
	s.TargetGroups = append(s.TargetGroups, &TargetGroupRecord{
		TargetGroup: tg,
		Attributes:  defaultTargetGroupAttributes(),
		Tags:        slices.Clone(in.Tags),
	})
	return &CreateTargetGroupOutput{TargetGroups: []TargetGroup{tg}}, nil
}

// DescribeTargetGroupsInput mirrors elbv2 DescribeTargetGroups.
type DescribeTargetGroupsInput struct {
	Marker          string   `json:"Marker,omitempty"`
	PageSize        *int     `json:"PageSize,omitempty"`
	LoadBalancerArn string   `json:"LoadBalancerArn,omitempty"`
	TargetGroupArns []string `json:"TargetGroupArns,omitempty"`
	Names           []string `json:"Names,omitempty"`
}

// DescribeTargetGroupsOutput mirrors elbv2 DescribeTargetGroups' response.
type DescribeTargetGroupsOutput = TargetGroupsOutput

// DescribeTargetGroups lists target groups: all, those named, or those a
// load balancer forwards to.
func (s *State) DescribeTargetGroups(env Env, in DescribeTargetGroupsInput) (*DescribeTargetGroupsOutput, error) {
	const op = "DescribeTargetGroups"
	n := 0
	for _, set := range []bool{in.LoadBalancerArn != "", len(in.TargetGroupArns) > 0, len(in.Names) > 0} {
		if set {
			n++
		}
	}
	if n > 1 {
		return nil, newError(op, CodeValidationError, "Give only one of --load-balancer-arn, --target-group-arns and --names")
	}
	out := &DescribeTargetGroupsOutput{TargetGroups: []TargetGroup{}}
	switch {
	case in.LoadBalancerArn != "":
		if _, err := s.loadBalancer(op, in.LoadBalancerArn); err != nil {
			return nil, err
		}
		for _, tg := range s.TargetGroupsOf(in.LoadBalancerArn) {
			out.TargetGroups = append(out.TargetGroups, tg.TargetGroup)
		}
	case len(in.TargetGroupArns) > 0:
		for _, arn := range in.TargetGroupArns {
			r, err := s.targetGroup(op, arn)
			if err != nil {
				return nil, err
			}
			out.TargetGroups = append(out.TargetGroups, r.TargetGroup)
		}
	case len(in.Names) > 0:
		for _, name := range in.Names {
			r := s.TargetGroupByName(name)
			if r == nil {
				return nil, newError(op, CodeTargetGroupNotFound, "One or more target groups not found ('%s')", name)
			}
			out.TargetGroups = append(out.TargetGroups, r.TargetGroup)
		}
	default:
		for _, r := range s.TargetGroups {
			out.TargetGroups = append(out.TargetGroups, r.TargetGroup)
		}
	}
	pg, next, err := page(elbPaging(op, in.PageSize, in.Marker), out.TargetGroups, func(x TargetGroup) string { return x.TargetGroupArn })
	if err != nil {
		return nil, err
	}
	out.TargetGroups, out.NextMarker = pg, next
	return out, nil
}

func (s *State) targetGroup(op, arn string) (*TargetGroupRecord, error) {
	if err := checkArn(op, arn, "targetgroup"); err != nil {
		return nil, err
	}
	r := s.TargetGroupByArn(arn)
	if r == nil {
		return nil, newError(op, CodeTargetGroupNotFound, "Target group '%s' not found (list them with 'elbv2 describe-target-groups')", arn)
	}
	return r, nil
}

// ModifyTargetGroupInput mirrors elbv2 ModifyTargetGroup (health checks).
type ModifyTargetGroupInput struct {
	TargetGroupArn             string   `json:"TargetGroupArn"`
	HealthCheckProtocol        string   `json:"HealthCheckProtocol,omitempty"`
	HealthCheckPort            string   `json:"HealthCheckPort,omitempty"`
	HealthCheckPath            string   `json:"HealthCheckPath,omitempty"`
	HealthCheckEnabled         *bool    `json:"HealthCheckEnabled,omitempty"`
	HealthCheckIntervalSeconds *int     `json:"HealthCheckIntervalSeconds,omitempty"`
	HealthCheckTimeoutSeconds  *int     `json:"HealthCheckTimeoutSeconds,omitempty"`
	HealthyThresholdCount      *int     `json:"HealthyThresholdCount,omitempty"`
	UnhealthyThresholdCount    *int     `json:"UnhealthyThresholdCount,omitempty"`
	Matcher                    *Matcher `json:"Matcher,omitempty"`
}

// ModifyTargetGroupOutput mirrors elbv2 ModifyTargetGroup's response.
type ModifyTargetGroupOutput = TargetGroupsOutput

// ModifyTargetGroup changes a target group's health-check settings.
func (s *State) ModifyTargetGroup(env Env, in ModifyTargetGroupInput) (*ModifyTargetGroupOutput, error) {
	const op = "ModifyTargetGroup"
	r, err := s.targetGroup(op, in.TargetGroupArn)
	if err != nil {
		return nil, err
	}
	h, err := healthCheckOf(&r.TargetGroup).apply(op, healthCheckChange{
		Protocol: in.HealthCheckProtocol, Port: in.HealthCheckPort, Path: in.HealthCheckPath,
		Enabled: in.HealthCheckEnabled, Interval: in.HealthCheckIntervalSeconds, Timeout: in.HealthCheckTimeoutSeconds,
		Healthy: in.HealthyThresholdCount, Unhealthy: in.UnhealthyThresholdCount, Matcher: in.Matcher,
	})
	if err != nil {
		return nil, err
	}
	h.into(&r.TargetGroup)
	return &ModifyTargetGroupOutput{TargetGroups: []TargetGroup{r.TargetGroup}}, nil
}

// DeleteTargetGroupInput mirrors elbv2 DeleteTargetGroup.
type DeleteTargetGroupInput struct {
	TargetGroupArn string `json:"TargetGroupArn"`
}

// DeleteTargetGroupOutput is empty, as AWS's.
type DeleteTargetGroupOutput struct{}

// DeleteTargetGroup deletes a target group no listener uses. Deleting one
// that does not exist succeeds.
func (s *State) DeleteTargetGroup(env Env, in DeleteTargetGroupInput) (*DeleteTargetGroupOutput, error) {
	const op = "DeleteTargetGroup"
	if err := checkArn(op, in.TargetGroupArn, "targetgroup"); err != nil {
		return nil, err
	}
	r := s.TargetGroupByArn(in.TargetGroupArn)
	if r == nil {
		return &DeleteTargetGroupOutput{}, nil
	}
	for _, l := range s.Listeners {
		if slices.Contains(listenerTargetGroups(&l.Listener), in.TargetGroupArn) {
			return nil, newError(op, CodeResourceInUse, "Target group '%s' is currently in use by a listener or a rule (%s); delete or modify the listener first", in.TargetGroupArn, l.Listener.ListenerArn)
		}
	}
	s.TargetGroups = slices.DeleteFunc(s.TargetGroups, func(t *TargetGroupRecord) bool { return t == r })
	return &DeleteTargetGroupOutput{}, nil
}

// DescribeTargetGroupAttributesInput mirrors elbv2 DescribeTargetGroupAttributes.
type DescribeTargetGroupAttributesInput struct {
	TargetGroupArn string `json:"TargetGroupArn"`
}

// TargetGroupAttributesOutput is the response of describe- and
// modify-target-group-attributes.
type TargetGroupAttributesOutput struct {
	Attributes []Attribute `json:"Attributes"`
}

// DescribeTargetGroupAttributes lists a target group's attributes.
func (s *State) DescribeTargetGroupAttributes(env Env, in DescribeTargetGroupAttributesInput) (*TargetGroupAttributesOutput, error) {
	r, err := s.targetGroup("DescribeTargetGroupAttributes", in.TargetGroupArn)
	if err != nil {
		return nil, err
	}
	return &TargetGroupAttributesOutput{Attributes: slices.Clone(r.Attributes)}, nil
}

// ModifyTargetGroupAttributesInput mirrors elbv2 ModifyTargetGroupAttributes.
type ModifyTargetGroupAttributesInput struct {
	TargetGroupArn string      `json:"TargetGroupArn"`
	Attributes     []Attribute `json:"Attributes"`
}

// ModifyTargetGroupAttributes sets attributes and returns all of them. The
// two target_failover attributes must end up equal, as AWS requires.
func (s *State) ModifyTargetGroupAttributes(env Env, in ModifyTargetGroupAttributesInput) (*TargetGroupAttributesOutput, error) {
	const op = "ModifyTargetGroupAttributes"
	r, err := s.targetGroup(op, in.TargetGroupArn)
	if err != nil {
		return nil, err
	}
	if len(in.Attributes) == 0 {
		return nil, newError(op, CodeValidationError, "At least one attribute must be specified (--attributes Key=...,Value=...)")
	}
	for _, a := range in.Attributes {
		if err := validateTargetGroupAttribute(op, a); err != nil {
			return nil, err
		}
	}
	attrs := setAttributes(r.Attributes, in.Attributes)
	if d, u := AttributeValue(attrs, AttrFailoverOnDeregistration), AttributeValue(attrs, AttrFailoverOnUnhealthy); d != u {
		return nil, newError(op, CodeValidationError, "%s and %s must have the same value (now '%s' and '%s'); set both in one call", AttrFailoverOnDeregistration, AttrFailoverOnUnhealthy, d, u)
	}
	if AttributeValue(attrs, AttrStickinessEnabled) == "true" {
		for _, lb := range r.TargetGroup.LoadBalancerArns {
			if l := s.ListenerOf(lb); l != nil && l.Attribute(AttrTCPIdleTimeout) != strconv.Itoa(DefaultTCPIdleTimeout) {
				return nil, newError(op, CodeInvalidConfigurationRequest, "Stickiness cannot be enabled while listener '%s' has a non-default %s (it applies to 5-tuple flows only); reset it first", l.Listener.ListenerArn, AttrTCPIdleTimeout)
			}
		}
	}
	r.Attributes = attrs
	return &TargetGroupAttributesOutput{Attributes: slices.Clone(r.Attributes)}, nil
}

func validateTargetGroupAttribute(op string, a Attribute) error {
	switch a.Key {
	case AttrDeregistrationDelay:
		n, err := strconv.Atoi(a.Value)
		if err != nil || n < 0 || n > 3600 {
			return newError(op, CodeValidationError, "%s must be a number of seconds from 0 to 3600, not '%s'", a.Key, a.Value)
		}
	case AttrStickinessEnabled:
		if a.Value != "true" && a.Value != "false" {
			return newError(op, CodeValidationError, "%s must be 'true' or 'false', not '%s'", a.Key, a.Value)
		}
	case AttrStickinessType:
		if a.Value != StickinessSourceDestProto && a.Value != StickinessSourceDest {
			return newError(op, CodeValidationError, "%s must be '%s' or '%s' for GENEVE target groups, not '%s'", a.Key, StickinessSourceDestProto, StickinessSourceDest, a.Value)
		}
	case AttrFailoverOnDeregistration, AttrFailoverOnUnhealthy:
		if a.Value != FailoverNoRebalance && a.Value != FailoverRebalance {
			return newError(op, CodeValidationError, "%s must be '%s' or '%s', not '%s'", a.Key, FailoverNoRebalance, FailoverRebalance, a.Value)
		}
	default:
		return newError(op, CodeValidationError, "Target group attribute key '%s' is not recognized; GENEVE target groups have %s, %s, %s, %s and %s",
			a.Key, AttrDeregistrationDelay, AttrStickinessEnabled, AttrStickinessType, AttrFailoverOnDeregistration, AttrFailoverOnUnhealthy)
	}
	return nil
}

// DefaultTargetGroupAttributes returns a new GENEVE target group's attributes.
func DefaultTargetGroupAttributes() []Attribute { return defaultTargetGroupAttributes() }
