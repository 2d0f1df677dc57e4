package control

// The values the requests' choice fields take: the operations check
// against these lists, and the CLI's choice flags offer, document and
// check the same lists. A field left empty takes the default named.
var (
	// LoadBalancerTypes: CreateLoadBalancer Type (empty: gateway).
	LoadBalancerTypes = []string{"gateway"}
	// LoadBalancerIPAddressTypes: CreateLoadBalancer IpAddressType
	// (empty: ipv4).
	LoadBalancerIPAddressTypes = []string{"ipv4", "dualstack"}
	// TargetGroupProtocols: CreateTargetGroup Protocol (required).
	TargetGroupProtocols = []string{"GENEVE"}
	// TargetTypes: CreateTargetGroup TargetType (empty: instance).
	TargetTypes = []string{"instance", "ip"}
	// TargetGroupIPAddressTypes: CreateTargetGroup IpAddressType (empty:
	// ipv4). Deviation: AWS also offers ipv6 target groups; the fast path
	// encapsulates over IPv4 only.
	TargetGroupIPAddressTypes = []string{"ipv4"}
	// HealthCheckProtocols: the target group's HealthCheckProtocol (empty:
	// TCP).
	HealthCheckProtocols = []string{"TCP", "HTTP", "HTTPS"}
	// InstanceTenancies: CreateVpc InstanceTenancy (empty: default).
	InstanceTenancies = []string{"default", "dedicated"}
	// VpcEndpointTypes: CreateVpcEndpoint VpcEndpointType (required).
	VpcEndpointTypes = []string{EndpointTypeGatewayLoadBalancer}
	// EndpointIPAddressTypes: CreateVpcEndpoint IpAddressType (empty:
	// ipv4); the service must support it.
	EndpointIPAddressTypes = []string{"ipv4", "dualstack", "ipv6"}
	// ServiceIPAddressTypes: CreateVpcEndpointServiceConfiguration
	// SupportedIpAddressTypes (empty: ipv4).
	ServiceIPAddressTypes = []string{"ipv4", "ipv6"}
)
