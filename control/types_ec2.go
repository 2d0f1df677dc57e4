package control

// This file holds the EC2 resource shapes. Field names and JSON tags are
// those of the EC2 API as the AWS CLI prints them.

// CidrBlockState is the state of a VPC CIDR association.
type CidrBlockState struct {
	State string `json:"State"`
}

// VpcCidrBlockAssociation is one IPv4 CIDR of a VPC.
type VpcCidrBlockAssociation struct {
	AssociationId  string         `json:"AssociationId"`
	CidrBlock      string         `json:"CidrBlock"`
	CidrBlockState CidrBlockState `json:"CidrBlockState"`
}

// Vpc is a VPC as describe-vpcs prints it.
type Vpc struct {
	CidrBlock               string                    `json:"CidrBlock"`
	DhcpOptionsId           string                    `json:"DhcpOptionsId"`
	State                   string                    `json:"State"`
	VpcId                   string                    `json:"VpcId"`
	OwnerId                 string                    `json:"OwnerId"`
	InstanceTenancy         string                    `json:"InstanceTenancy"`
	CidrBlockAssociationSet []VpcCidrBlockAssociation `json:"CidrBlockAssociationSet"`
	IsDefault               bool                      `json:"IsDefault"`
	Tags                    []Tag                     `json:"Tags,omitempty"`
}

// Subnet is a subnet as describe-subnets prints it.
type Subnet struct {
	AvailabilityZone            string `json:"AvailabilityZone"`
	AvailabilityZoneId          string `json:"AvailabilityZoneId"`
	AvailableIpAddressCount     int    `json:"AvailableIpAddressCount"`
	CidrBlock                   string `json:"CidrBlock"`
	DefaultForAz                bool   `json:"DefaultForAz"`
	MapPublicIpOnLaunch         bool   `json:"MapPublicIpOnLaunch"`
	State                       string `json:"State"`
	SubnetId                    string `json:"SubnetId"`
	VpcId                       string `json:"VpcId"`
	OwnerId                     string `json:"OwnerId"`
	AssignIpv6AddressOnCreation bool   `json:"AssignIpv6AddressOnCreation"`
	SubnetArn                   string `json:"SubnetArn"`
	Tags                        []Tag  `json:"Tags,omitempty"`
}

// ServiceTypeDetail is one entry of a service's ServiceType list.
type ServiceTypeDetail struct {
	ServiceType string `json:"ServiceType"`
}

// Endpoint service states and endpoint (connection) states.
const (
	ServiceStatePending   = "Pending"
	ServiceStateAvailable = "Available"
	ServiceStateDeleting  = "Deleting"
	ServiceStateDeleted   = "Deleted"
	ServiceStateFailed    = "Failed"

	EndpointStatePendingAcceptance = "pendingAcceptance"
	EndpointStatePending           = "pending"
	EndpointStateAvailable         = "available"
	EndpointStateDeleting          = "deleting"
	EndpointStateDeleted           = "deleted"
	EndpointStateRejected          = "rejected"
	EndpointStateFailed            = "failed"

	ServiceTypeGatewayLoadBalancer  = "GatewayLoadBalancer"
	EndpointTypeGatewayLoadBalancer = "GatewayLoadBalancer"
)

// ServiceConfiguration is a VPC endpoint service as
// describe-vpc-endpoint-service-configurations prints it.
type ServiceConfiguration struct {
	ServiceType             []ServiceTypeDetail `json:"ServiceType"`
	ServiceId               string              `json:"ServiceId"`
	ServiceName             string              `json:"ServiceName"`
	ServiceState            string              `json:"ServiceState"`
	AvailabilityZones       []string            `json:"AvailabilityZones"`
	AcceptanceRequired      bool                `json:"AcceptanceRequired"`
	ManagesVpcEndpoints     bool                `json:"ManagesVpcEndpoints"`
	GatewayLoadBalancerArns []string            `json:"GatewayLoadBalancerArns"`
	SupportedIpAddressTypes []string            `json:"SupportedIpAddressTypes"`
	Tags                    []Tag               `json:"Tags,omitempty"`
}

// AllowedPrincipal is one principal allowed to connect to an endpoint service.
type AllowedPrincipal struct {
	PrincipalType       string `json:"PrincipalType"`
	Principal           string `json:"Principal"`
	ServicePermissionId string `json:"ServicePermissionId,omitempty"`
	ServiceId           string `json:"ServiceId,omitempty"`
}

// VpcEndpoint is a Gateway Load Balancer endpoint as describe-vpc-endpoints
// prints it.
type VpcEndpoint struct {
	VpcEndpointId       string                    `json:"VpcEndpointId"`
	VpcEndpointType     string                    `json:"VpcEndpointType"`
	VpcId               string                    `json:"VpcId"`
	ServiceName         string                    `json:"ServiceName"`
	State               string                    `json:"State"`
	RouteTableIds       []string                  `json:"RouteTableIds"`
	SubnetIds           []string                  `json:"SubnetIds"`
	Groups              []SecurityGroupIdentifier `json:"Groups"`
	IpAddressType       string                    `json:"IpAddressType"`
	PrivateDnsEnabled   bool                      `json:"PrivateDnsEnabled"`
	RequesterManaged    bool                      `json:"RequesterManaged"`
	NetworkInterfaceIds []string                  `json:"NetworkInterfaceIds"`
	CreationTimestamp   Timestamp                 `json:"CreationTimestamp"`
	OwnerId             string                    `json:"OwnerId"`
	Tags                []Tag                     `json:"Tags,omitempty"`
}

// SecurityGroupIdentifier is a security group of an endpoint; Gateway Load
// Balancer endpoints have none, so the list is always empty.
type SecurityGroupIdentifier struct {
	GroupId   string `json:"GroupId"`
	GroupName string `json:"GroupName"`
}

// VpcEndpointConnection is the service-side view of an endpoint, as
// describe-vpc-endpoint-connections prints it.
type VpcEndpointConnection struct {
	ServiceId               string    `json:"ServiceId"`
	VpcEndpointId           string    `json:"VpcEndpointId"`
	VpcEndpointOwner        string    `json:"VpcEndpointOwner"`
	VpcEndpointState        string    `json:"VpcEndpointState"`
	CreationTimestamp       Timestamp `json:"CreationTimestamp"`
	GatewayLoadBalancerArns []string  `json:"GatewayLoadBalancerArns"`
	IpAddressType           string    `json:"IpAddressType"`
	VpcEndpointConnectionId string    `json:"VpcEndpointConnectionId"`
}

// Filter is an EC2 describe filter: a resource matches when, for every
// filter, one of its values for Name equals one of Values ("*" and "?"
// wildcards allowed, as EC2 does).
type Filter struct {
	Name   string   `json:"Name"`
	Values []string `json:"Values"`
}

// TagSpecification attaches tags to a resource at creation.
type TagSpecification struct {
	ResourceType string `json:"ResourceType"`
	Tags         []Tag  `json:"Tags"`
}

// TagDescriptionEC2 is one entry of ec2 describe-tags.
type TagDescriptionEC2 struct {
	Key          string `json:"Key"`
	ResourceId   string `json:"ResourceId"`
	ResourceType string `json:"ResourceType"`
	Value        string `json:"Value"`
}

// RouteTableAssociationState is the state of a route table association.
type RouteTableAssociationState struct {
	State         string `json:"State"`
	StatusMessage string `json:"StatusMessage,omitempty"`
}

// Association states.
const (
	AssociationStateAssociated = "associated"
)

// RouteTableAssociation links a route table with a subnet, with an
// internet gateway (an edge association), or with its VPC (Main).
type RouteTableAssociation struct {
	Main                    bool                       `json:"Main"`
	RouteTableAssociationId string                     `json:"RouteTableAssociationId"`
	RouteTableId            string                     `json:"RouteTableId"`
	SubnetId                string                     `json:"SubnetId,omitempty"`
	GatewayId               string                     `json:"GatewayId,omitempty"`
	AssociationState        RouteTableAssociationState `json:"AssociationState"`
}

// Route is one route of a route table. A route to a Gateway Load Balancer
// endpoint shows the endpoint's id as GatewayId, as EC2 prints it.
type Route struct {
	DestinationCidrBlock string `json:"DestinationCidrBlock"`
	GatewayId            string `json:"GatewayId,omitempty"`
	Origin               string `json:"Origin"`
	State                string `json:"State"`
}

// Route origins, states and the local target.
const (
	RouteOriginCreateRouteTable = "CreateRouteTable"
	RouteOriginCreateRoute      = "CreateRoute"
	RouteStateActive            = "active"
	RouteStateBlackhole         = "blackhole"
	RouteTargetLocal            = "local"
)

// RouteTable is a VPC route table as describe-route-tables prints it.
type RouteTable struct {
	Associations    []RouteTableAssociation `json:"Associations"`
	PropagatingVgws []PropagatingVgw        `json:"PropagatingVgws"`
	RouteTableId    string                  `json:"RouteTableId"`
	Routes          []Route                 `json:"Routes"`
	Tags            []Tag                   `json:"Tags"`
	VpcId           string                  `json:"VpcId"`
	OwnerId         string                  `json:"OwnerId"`
}

// PropagatingVgw is a virtual private gateway propagating routes; gwlbctl
// has none, so the list is always empty.
type PropagatingVgw struct {
	GatewayId string `json:"GatewayId"`
}

// InternetGatewayAttachment is an internet gateway's attachment to a VPC.
type InternetGatewayAttachment struct {
	State string `json:"State"`
	VpcId string `json:"VpcId"`
}

// AttachmentStateAvailable is the State EC2 shows for an attached internet
// gateway.
const AttachmentStateAvailable = "available"

// InternetGateway is an internet gateway as describe-internet-gateways
// prints it.
type InternetGateway struct {
	Attachments       []InternetGatewayAttachment `json:"Attachments"`
	InternetGatewayId string                      `json:"InternetGatewayId"`
	OwnerId           string                      `json:"OwnerId"`
	Tags              []Tag                       `json:"Tags"`
}

// ServiceDetail is an endpoint service as its consumers see it, in
// describe-vpc-endpoint-services.
type ServiceDetail struct {
	ServiceName                     string              `json:"ServiceName"`
	ServiceId                       string              `json:"ServiceId"`
	ServiceType                     []ServiceTypeDetail `json:"ServiceType"`
	AvailabilityZones               []string            `json:"AvailabilityZones"`
	Owner                           string              `json:"Owner"`
	BaseEndpointDnsNames            []string            `json:"BaseEndpointDnsNames"`
	VpcEndpointPolicySupported      bool                `json:"VpcEndpointPolicySupported"`
	AcceptanceRequired              bool                `json:"AcceptanceRequired"`
	ManagesVpcEndpoints             bool                `json:"ManagesVpcEndpoints"`
	Tags                            []Tag               `json:"Tags"`
	PrivateDnsNameVerificationState string              `json:"PrivateDnsNameVerificationState,omitempty"`
	SupportedIpAddressTypes         []string            `json:"SupportedIpAddressTypes"`
}
