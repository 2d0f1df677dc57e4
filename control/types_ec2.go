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
	VpcEndpointId       string    `json:"VpcEndpointId"`
	VpcEndpointType     string    `json:"VpcEndpointType"`
	VpcId               string    `json:"VpcId"`
	ServiceName         string    `json:"ServiceName"`
	State               string    `json:"State"`
	RouteTableIds       []string  `json:"RouteTableIds"`
	SubnetIds           []string  `json:"SubnetIds"`
	Groups              []string  `json:"Groups"`
	IpAddressType       string    `json:"IpAddressType"`
	PrivateDnsEnabled   bool      `json:"PrivateDnsEnabled"`
	RequesterManaged    bool      `json:"RequesterManaged"`
	NetworkInterfaceIds []string  `json:"NetworkInterfaceIds"`
	CreationTimestamp   Timestamp `json:"CreationTimestamp"`
	OwnerId             string    `json:"OwnerId"`
	Tags                []Tag     `json:"Tags,omitempty"`
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
