package control

// This file holds the ELBv2 resource shapes. Field names and JSON tags are
// those of the ELBv2 API as the AWS CLI prints them.

// Tag is a key/value pair, used by both ELBv2 and EC2.
type Tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// LoadBalancerState is the State of a load balancer.
type LoadBalancerState struct {
	Code   string `json:"Code"`
	Reason string `json:"Reason,omitempty"`
}

// Load balancer state codes.
const (
	LoadBalancerStateProvisioning = "provisioning"
	LoadBalancerStateActive       = "active"
	LoadBalancerStateFailed       = "failed"
)

// AvailabilityZone is one zone a load balancer is enabled in.
type AvailabilityZone struct {
	ZoneName string `json:"ZoneName"`
	SubnetId string `json:"SubnetId"`
}

// LoadBalancer is a gateway load balancer as describe-load-balancers prints it.
type LoadBalancer struct {
	LoadBalancerArn       string             `json:"LoadBalancerArn"`
	DNSName               string             `json:"DNSName,omitempty"`
	CanonicalHostedZoneId string             `json:"CanonicalHostedZoneId,omitempty"`
	CreatedTime           Timestamp          `json:"CreatedTime"`
	LoadBalancerName      string             `json:"LoadBalancerName"`
	Scheme                string             `json:"Scheme,omitempty"`
	VpcId                 string             `json:"VpcId"`
	State                 LoadBalancerState  `json:"State"`
	Type                  string             `json:"Type"`
	AvailabilityZones     []AvailabilityZone `json:"AvailabilityZones"`
	IpAddressType         string             `json:"IpAddressType"`
}

// Attribute is a load balancer, target group or listener attribute.
type Attribute struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// Matcher holds the HTTP codes a health check accepts.
type Matcher struct {
	HttpCode string `json:"HttpCode,omitempty"`
	GrpcCode string `json:"GrpcCode,omitempty"`
}

// TargetGroup is a GENEVE target group as describe-target-groups prints it.
type TargetGroup struct {
	TargetGroupArn             string   `json:"TargetGroupArn"`
	TargetGroupName            string   `json:"TargetGroupName"`
	Protocol                   string   `json:"Protocol"`
	Port                       int      `json:"Port"`
	VpcId                      string   `json:"VpcId"`
	HealthCheckProtocol        string   `json:"HealthCheckProtocol"`
	HealthCheckPort            string   `json:"HealthCheckPort"`
	HealthCheckEnabled         bool     `json:"HealthCheckEnabled"`
	HealthCheckIntervalSeconds int      `json:"HealthCheckIntervalSeconds"`
	HealthCheckTimeoutSeconds  int      `json:"HealthCheckTimeoutSeconds"`
	HealthyThresholdCount      int      `json:"HealthyThresholdCount"`
	UnhealthyThresholdCount    int      `json:"UnhealthyThresholdCount"`
	HealthCheckPath            string   `json:"HealthCheckPath,omitempty"`
	Matcher                    *Matcher `json:"Matcher,omitempty"`
	LoadBalancerArns           []string `json:"LoadBalancerArns"`
	TargetType                 string   `json:"TargetType"`
	IpAddressType              string   `json:"IpAddressType"`
}

// TargetGroupTuple is one weighted target group of a forward action.
type TargetGroupTuple struct {
	TargetGroupArn string `json:"TargetGroupArn"`
	Weight         *int   `json:"Weight,omitempty"`
}

// TargetGroupStickinessConfig is the stickiness of a forward action.
type TargetGroupStickinessConfig struct {
	Enabled bool `json:"Enabled"`
}

// ForwardConfig is the forward configuration of an action.
type ForwardConfig struct {
	TargetGroups                []TargetGroupTuple           `json:"TargetGroups"`
	TargetGroupStickinessConfig *TargetGroupStickinessConfig `json:"TargetGroupStickinessConfig,omitempty"`
}

// Action is a listener's default action; gateway listeners only forward.
type Action struct {
	Type           string         `json:"Type"`
	TargetGroupArn string         `json:"TargetGroupArn,omitempty"`
	ForwardConfig  *ForwardConfig `json:"ForwardConfig,omitempty"`
}

// Listener is a gateway listener as describe-listeners prints it: it has no
// port and no protocol.
type Listener struct {
	ListenerArn     string   `json:"ListenerArn"`
	LoadBalancerArn string   `json:"LoadBalancerArn"`
	DefaultActions  []Action `json:"DefaultActions"`
}

// TargetDescription names a target: an instance id or an IP address.
type TargetDescription struct {
	Id               string `json:"Id"`
	Port             *int   `json:"Port,omitempty"`
	AvailabilityZone string `json:"AvailabilityZone,omitempty"`
}

// TargetHealth is a target's health as describe-target-health prints it.
type TargetHealth struct {
	State       string `json:"State"`
	Reason      string `json:"Reason,omitempty"`
	Description string `json:"Description,omitempty"`
}

// Target health states and reason codes.
const (
	TargetHealthInitial     = "initial"
	TargetHealthHealthy     = "healthy"
	TargetHealthUnhealthy   = "unhealthy"
	TargetHealthUnused      = "unused"
	TargetHealthDraining    = "draining"
	TargetHealthUnavailable = "unavailable"

	ReasonRegistrationInProgress   = "Elb.RegistrationInProgress"
	ReasonInitialHealthChecking    = "Elb.InitialHealthChecking"
	ReasonFailedHealthChecks       = "Target.FailedHealthChecks"
	ReasonResponseCodeMismatch     = "Target.ResponseCodeMismatch"
	ReasonTimeout                  = "Target.Timeout"
	ReasonNotRegistered            = "Target.NotRegistered"
	ReasonNotInUse                 = "Target.NotInUse"
	ReasonInvalidState             = "Target.InvalidState"
	ReasonIpUnusable               = "Target.IpUnusable"
	ReasonDeregistrationInProgress = "Target.DeregistrationInProgress"
	ReasonInternalError            = "Elb.InternalError"
	ReasonHealthCheckDisabled      = "Target.HealthCheckDisabled"
)

// TargetHealthDescription is one entry of describe-target-health.
type TargetHealthDescription struct {
	Target          TargetDescription `json:"Target"`
	HealthCheckPort string            `json:"HealthCheckPort"`
	TargetHealth    TargetHealth      `json:"TargetHealth"`
}

// TagDescription is the tags of one ELBv2 resource.
type TagDescription struct {
	ResourceArn string `json:"ResourceArn"`
	Tags        []Tag  `json:"Tags"`
}
