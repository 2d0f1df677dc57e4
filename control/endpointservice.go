package control

import (
	"regexp"
	"slices"
	"strings"
)

// CreateVpcEndpointServiceConfigurationInput mirrors ec2
// CreateVpcEndpointServiceConfiguration for gateway load balancers.
type CreateVpcEndpointServiceConfigurationInput struct {
	DryRun bool `json:"DryRun,omitempty"`
	// AcceptanceRequired defaults to true when nil. *Unconfirmed* what AWS's
	// API default is; requiring acceptance is the safe choice.
	AcceptanceRequired      *bool              `json:"AcceptanceRequired,omitempty"`
	GatewayLoadBalancerArns []string           `json:"GatewayLoadBalancerArns,omitempty"`
	NetworkLoadBalancerArns []string           `json:"NetworkLoadBalancerArns,omitempty"`
	PrivateDnsName          string             `json:"PrivateDnsName,omitempty"`
	SupportedIpAddressTypes []string           `json:"SupportedIpAddressTypes,omitempty"`
	ClientToken             string             `json:"ClientToken,omitempty"`
	TagSpecifications       []TagSpecification `json:"TagSpecifications,omitempty"`
}

// CreateVpcEndpointServiceConfigurationOutput mirrors the response.
type CreateVpcEndpointServiceConfigurationOutput struct {
	ServiceConfiguration ServiceConfiguration `json:"ServiceConfiguration"`
	ClientToken          string               `json:"ClientToken,omitempty"`
}

// resolveServiceLoadBalancers checks gateway load balancer ARNs for a
// service: they exist, and no other service uses them. It returns the union
// of their zones.
func (s *State) resolveServiceLoadBalancers(op string, arns []string, self string) ([]string, error) {
	var zones []string
	for _, arn := range arns {
		if err := checkArn(op, arn, "loadbalancer"); err != nil {
			return nil, newError(op, CodeInvalidParameter, "'%s' is not a valid load balancer ARN", arn)
		}
		lb := s.LoadBalancerByArn(arn)
		if lb == nil {
			return nil, newError(op, CodeInvalidParameter, "Load balancer '%s' does not exist (list them with 'elbv2 describe-load-balancers')", arn)
		}
		if other := s.EndpointServiceOf(arn); other != nil && other.Service.ServiceId != self {
			return nil, newError(op, CodeInvalidParameter, "Load balancer '%s' is already associated with VPC endpoint service '%s'", arn, other.Service.ServiceId)
		}
		for _, z := range lbZones(&lb.LoadBalancer) {
			if !slices.Contains(zones, z) {
				zones = append(zones, z)
			}
		}
	}
	slices.Sort(zones)
	return zones, nil
}

// CreateVpcEndpointServiceConfiguration creates an endpoint service for
// gateway load balancers. A request with the same ClientToken, or for the
// same load balancers with the same settings, returns the existing service.
func (s *State) CreateVpcEndpointServiceConfiguration(env Env, in CreateVpcEndpointServiceConfigurationInput) (*CreateVpcEndpointServiceConfigurationOutput, error) {
	const op = "CreateVpcEndpointServiceConfiguration"
	if in.DryRun {
		in.DryRun = false
		return nil, dryRun(s, env, op, in, (*State).CreateVpcEndpointServiceConfiguration)
	}
	if len(in.NetworkLoadBalancerArns) > 0 {
		return nil, newError(op, CodeInvalidParameter, "gwlbctl provides gateway load balancer endpoint services only: use --gateway-load-balancer-arns")
	}
	if len(in.GatewayLoadBalancerArns) == 0 {
		return nil, newError(op, CodeMissingParameter, "The request must contain the parameter GatewayLoadBalancerArns (--gateway-load-balancer-arns)")
	}
	if in.PrivateDnsName != "" {
		return nil, newError(op, CodeInvalidParameter, "Private DNS names are not supported for Gateway Load Balancer endpoint services")
	}
	ipTypes := in.SupportedIpAddressTypes
	if len(ipTypes) == 0 {
		ipTypes = []string{"ipv4"}
	}
	for _, t := range ipTypes {
		if !slices.Contains(ServiceIPAddressTypes, t) {
			return nil, newError(op, CodeInvalidParameter, "Supported IP address type '%s' is not valid: use ipv4 or ipv6", t)
		}
	}
	acceptance := true
	if in.AcceptanceRequired != nil {
		acceptance = *in.AcceptanceRequired
	}
	tags, err := tagsFor(op, in.TagSpecifications, "vpc-endpoint-service")
	if err != nil {
		return nil, err
	}
	known, err := s.createdWithToken(op, in.ClientToken, in, func(id string) bool { return s.EndpointService(id) != nil })
	if err != nil {
		return nil, err
	}
	if known != "" {
		return &CreateVpcEndpointServiceConfigurationOutput{ServiceConfiguration: s.EndpointService(known).Service, ClientToken: in.ClientToken}, nil
	}
	if in.ClientToken != "" { // a state written before ClientTokens kept the token on the record only
		for _, r := range s.EndpointServices {
			if r.ClientToken == in.ClientToken {
				if !sameSet(r.Service.GatewayLoadBalancerArns, in.GatewayLoadBalancerArns) || r.Service.AcceptanceRequired != acceptance {
					return nil, newError(op, CodeIdempotentParameterMismatch, "Client token '%s' was used with different parameters", in.ClientToken)
				}
				return &CreateVpcEndpointServiceConfigurationOutput{ServiceConfiguration: r.Service, ClientToken: in.ClientToken}, nil
			}
		}
	}
	// A gateway load balancer serves one endpoint service, so the same
	// load balancers name the same service: repeat requests return it.
	// Deviation: EC2 makes creates idempotent through ClientToken only.
	if r := s.EndpointServiceOf(in.GatewayLoadBalancerArns[0]); r != nil && sameSet(r.Service.GatewayLoadBalancerArns, in.GatewayLoadBalancerArns) && r.Service.AcceptanceRequired == acceptance && sameSet(r.Service.SupportedIpAddressTypes, ipTypes) {
		if err := s.rememberToken(op, in.ClientToken, in, r.Service.ServiceId); err != nil {
			return nil, err
		}
		return &CreateVpcEndpointServiceConfigurationOutput{ServiceConfiguration: r.Service, ClientToken: in.ClientToken}, nil
	}
	zones, err := s.resolveServiceLoadBalancers(op, in.GatewayLoadBalancerArns, "")
	if err != nil {
		return nil, err
	}
	id := env.ec2ID("vpce-svc-")
	svc := ServiceConfiguration{
		ServiceType:             []ServiceTypeDetail{{ServiceType: ServiceTypeGatewayLoadBalancer}},
		ServiceId:               id,
		ServiceName:             "com.amazonaws.vpce." + env.Region + "." + id,
		ServiceState:            ServiceStateAvailable,
		AvailabilityZones:       zones,
		AcceptanceRequired:      acceptance,
		GatewayLoadBalancerArns: slices.Clone(in.GatewayLoadBalancerArns),
		SupportedIpAddressTypes: slices.Clone(ipTypes),
		Tags:                    tags,
	}
	s.EndpointServices = append(s.EndpointServices, &EndpointServiceRecord{Service: svc, OwnerId: env.Account, ClientToken: in.ClientToken})
	if err := s.rememberToken(op, in.ClientToken, in, id); err != nil {
		return nil, err
	}
	return &CreateVpcEndpointServiceConfigurationOutput{ServiceConfiguration: svc, ClientToken: in.ClientToken}, nil
}

// DescribeVpcEndpointServiceConfigurationsInput mirrors the ec2 action.
type DescribeVpcEndpointServiceConfigurationsInput struct {
	NextToken  string   `json:"NextToken,omitempty"`
	MaxResults *int     `json:"MaxResults,omitempty"`
	DryRun     bool     `json:"DryRun,omitempty"`
	ServiceIds []string `json:"ServiceIds,omitempty"`
	Filters    []Filter `json:"Filters,omitempty"`
}

// DescribeVpcEndpointServiceConfigurationsOutput mirrors the response.
type DescribeVpcEndpointServiceConfigurationsOutput struct {
	ServiceConfigurations []ServiceConfiguration `json:"ServiceConfigurations"`
	NextToken             string                 `json:"NextToken,omitempty"`
}

func serviceFilter(v *ServiceConfiguration) filterValues {
	return func(name string) ([]string, bool) {
		switch name {
		case "service-id":
			return []string{v.ServiceId}, true
		case "service-name":
			return []string{v.ServiceName}, true
		case "service-state":
			return []string{v.ServiceState}, true
		case "service-type":
			return []string{ServiceTypeGatewayLoadBalancer}, true
		}
		return tagFilter(v.Tags, name)
	}
}

func (s *State) endpointService(op, id string) (*EndpointServiceRecord, error) {
	if id == "" {
		return nil, newError(op, CodeMissingParameter, "The request must contain the parameter ServiceId (--service-id)")
	}
	r := s.EndpointService(id)
	if r == nil {
		return nil, newError(op, CodeInvalidVpcEndpointServiceIDNotFound, "The Vpc Endpoint Service Id '%s' does not exist", id)
	}
	return r, nil
}

// DescribeVpcEndpointServiceConfigurations lists endpoint services.
func (s *State) DescribeVpcEndpointServiceConfigurations(env Env, in DescribeVpcEndpointServiceConfigurationsInput) (*DescribeVpcEndpointServiceConfigurationsOutput, error) {
	const op = "DescribeVpcEndpointServiceConfigurations"
	if in.DryRun {
		in.DryRun = false
		return nil, dryRun(s, env, op, in, (*State).DescribeVpcEndpointServiceConfigurations)
	}
	if err := checkFilters(op, in.Filters, serviceFilter(&ServiceConfiguration{})); err != nil {
		return nil, err
	}
	for _, id := range in.ServiceIds {
		if _, err := s.endpointService(op, id); err != nil {
			return nil, err
		}
	}
	out := &DescribeVpcEndpointServiceConfigurationsOutput{ServiceConfigurations: []ServiceConfiguration{}}
	for _, r := range s.EndpointServices {
		if len(in.ServiceIds) > 0 && !slices.Contains(in.ServiceIds, r.Service.ServiceId) {
			continue
		}
		if matchFilters(in.Filters, serviceFilter(&r.Service)) {
			out.ServiceConfigurations = append(out.ServiceConfigurations, r.Service)
		}
	}
	pg, next, err := page(ec2Paging(op, in.MaxResults, in.NextToken, MaxEC2MaxResults, true), out.ServiceConfigurations, func(x ServiceConfiguration) string { return x.ServiceId })
	if err != nil {
		return nil, err
	}
	out.ServiceConfigurations, out.NextToken = pg, next
	return out, nil
}

// DeleteVpcEndpointServiceConfigurationsInput mirrors the ec2 action.
type DeleteVpcEndpointServiceConfigurationsInput struct {
	DryRun     bool     `json:"DryRun,omitempty"`
	ServiceIds []string `json:"ServiceIds"`
}

// DeleteVpcEndpointServiceConfigurationsOutput mirrors the response:
// per-service failures, as EC2 reports them.
type DeleteVpcEndpointServiceConfigurationsOutput struct {
	Unsuccessful Unsuccessful `json:"Unsuccessful"`
}

// DeleteVpcEndpointServiceConfigurations deletes endpoint services that
// have no available or pendingAcceptance endpoints; the others are listed
// as Unsuccessful (ExistingVpcEndpointConnections). Endpoints left in other
// states (rejected, failed) are deleted with their service.
func (s *State) DeleteVpcEndpointServiceConfigurations(env Env, in DeleteVpcEndpointServiceConfigurationsInput) (*DeleteVpcEndpointServiceConfigurationsOutput, error) {
	const op = "DeleteVpcEndpointServiceConfigurations"
	if in.DryRun {
		in.DryRun = false
		return nil, dryRun(s, env, op, in, (*State).DeleteVpcEndpointServiceConfigurations)
	}
	if len(in.ServiceIds) == 0 {
		return nil, newError(op, CodeMissingParameter, "The request must contain the parameter ServiceIds (--service-ids)")
	}
	out := &DeleteVpcEndpointServiceConfigurationsOutput{Unsuccessful: Unsuccessful{}}
	for _, id := range in.ServiceIds {
		r := s.EndpointService(id)
		if r == nil {
			out.Unsuccessful = append(out.Unsuccessful, unsuccessful(id, newError(op, CodeInvalidVpcEndpointServiceIDNotFound, "The Vpc Endpoint Service Id '%s' does not exist", id)))
			continue
		}
		// pending (being created) counts as active too.
		var active []string
		for _, e := range s.Endpoints {
			if e.ServiceId == id && (e.Endpoint.State == EndpointStateAvailable || e.Endpoint.State == EndpointStatePendingAcceptance || e.Endpoint.State == EndpointStatePending) {
				active = append(active, e.Endpoint.VpcEndpointId)
			}
		}
		if len(active) > 0 {
			out.Unsuccessful = append(out.Unsuccessful, unsuccessful(id, newError(op, CodeExistingVpcEndpointConnections,
				"Service has existing active VPC Endpoint connections (%s); reject them or delete the endpoints first", strings.Join(active, ", "))))
			continue
		}
		s.Endpoints = slices.DeleteFunc(s.Endpoints, func(e *EndpointRecord) bool { return e.ServiceId == id })
		s.EndpointServices = slices.DeleteFunc(s.EndpointServices, func(x *EndpointServiceRecord) bool { return x == r })
	}
	return out, nil
}

// ModifyVpcEndpointServiceConfigurationInput mirrors the ec2 action.
type ModifyVpcEndpointServiceConfigurationInput struct {
	DryRun                        bool     `json:"DryRun,omitempty"`
	ServiceId                     string   `json:"ServiceId"`
	AcceptanceRequired            *bool    `json:"AcceptanceRequired,omitempty"`
	AddGatewayLoadBalancerArns    []string `json:"AddGatewayLoadBalancerArns,omitempty"`
	RemoveGatewayLoadBalancerArns []string `json:"RemoveGatewayLoadBalancerArns,omitempty"`
}

// ReturnOutput is EC2's {"Return": true} response.
type ReturnOutput struct {
	Return bool `json:"Return"`
}

// ModifyVpcEndpointServiceConfigurationOutput mirrors the response.
type ModifyVpcEndpointServiceConfigurationOutput = ReturnOutput

// ModifyVpcEndpointServiceConfiguration changes acceptance and the load
// balancers of a service. A service keeps at least one load balancer, and
// every endpoint's zone must stay one of the service's zones.
func (s *State) ModifyVpcEndpointServiceConfiguration(env Env, in ModifyVpcEndpointServiceConfigurationInput) (*ModifyVpcEndpointServiceConfigurationOutput, error) {
	const op = "ModifyVpcEndpointServiceConfiguration"
	if in.DryRun {
		in.DryRun = false
		return nil, dryRun(s, env, op, in, (*State).ModifyVpcEndpointServiceConfiguration)
	}
	r, err := s.endpointService(op, in.ServiceId)
	if err != nil {
		return nil, err
	}
	arns := slices.Clone(r.Service.GatewayLoadBalancerArns)
	for _, a := range in.RemoveGatewayLoadBalancerArns {
		if !slices.Contains(arns, a) {
			return nil, newError(op, CodeInvalidParameter, "Load balancer '%s' is not associated with service '%s'", a, in.ServiceId)
		}
		arns = slices.DeleteFunc(arns, func(x string) bool { return x == a })
	}
	for _, a := range in.AddGatewayLoadBalancerArns {
		if !slices.Contains(arns, a) {
			arns = append(arns, a)
		}
	}
	if len(arns) == 0 {
		return nil, newError(op, CodeInvalidParameter, "A Gateway Load Balancer endpoint service needs at least one load balancer")
	}
	zones, err := s.resolveServiceLoadBalancers(op, arns, in.ServiceId)
	if err != nil {
		return nil, err
	}
	for _, e := range s.Endpoints {
		if e.ServiceId == in.ServiceId && !slices.Contains(zones, e.AvailabilityZone) && e.Endpoint.State != EndpointStateRejected {
			return nil, newError(op, CodeInvalidParameter, "Endpoint '%s' is in %s, which the remaining load balancers do not cover", e.Endpoint.VpcEndpointId, e.AvailabilityZone)
		}
	}
	if in.AcceptanceRequired != nil {
		r.Service.AcceptanceRequired = *in.AcceptanceRequired
	}
	r.Service.GatewayLoadBalancerArns = arns
	r.Service.AvailabilityZones = zones
	return &ModifyVpcEndpointServiceConfigurationOutput{Return: true}, nil
}

// ModifyVpcEndpointServicePermissionsInput mirrors the ec2 action.
type ModifyVpcEndpointServicePermissionsInput struct {
	DryRun                  bool     `json:"DryRun,omitempty"`
	ServiceId               string   `json:"ServiceId"`
	AddAllowedPrincipals    []string `json:"AddAllowedPrincipals,omitempty"`
	RemoveAllowedPrincipals []string `json:"RemoveAllowedPrincipals,omitempty"`
}

// ModifyVpcEndpointServicePermissionsOutput mirrors the response.
type ModifyVpcEndpointServicePermissionsOutput struct {
	AddedPrincipals []AllowedPrincipal `json:"AddedPrincipals,omitempty"`
	ReturnValue     bool               `json:"ReturnValue"`
}

var principalRe = regexp.MustCompile(`^arn:aws[a-z-]*:iam::[0-9]{12}:(root|user/.+|role/.+)$`)

func principalType(p string) string {
	switch {
	case p == "*":
		return "All"
	case strings.HasSuffix(p, ":root"):
		return "Account"
	case strings.Contains(p, ":user/"):
		return "User"
	default:
		return "Role"
	}
}

// ModifyVpcEndpointServicePermissions adds and removes allowed principals
// ("*", arn:aws:iam::<account>:root, ...:user/<name>, ...:role/<name>).
func (s *State) ModifyVpcEndpointServicePermissions(env Env, in ModifyVpcEndpointServicePermissionsInput) (*ModifyVpcEndpointServicePermissionsOutput, error) {
	const op = "ModifyVpcEndpointServicePermissions"
	if in.DryRun {
		in.DryRun = false
		return nil, dryRun(s, env, op, in, (*State).ModifyVpcEndpointServicePermissions)
	}
	r, err := s.endpointService(op, in.ServiceId)
	if err != nil {
		return nil, err
	}
	for _, p := range append(slices.Clone(in.AddAllowedPrincipals), in.RemoveAllowedPrincipals...) {
		if p != "*" && !principalRe.MatchString(p) {
			return nil, newError(op, CodeInvalidPrincipal, "Invalid principal '%s': use '*' or an IAM ARN such as arn:aws:iam::123456789012:root", p)
		}
	}
	allowed := slices.DeleteFunc(slices.Clone(r.AllowedPrincipals), func(a AllowedPrincipal) bool {
		return slices.Contains(in.RemoveAllowedPrincipals, a.Principal)
	})
	out := &ModifyVpcEndpointServicePermissionsOutput{ReturnValue: true}
	for _, p := range in.AddAllowedPrincipals {
		if slices.ContainsFunc(allowed, func(a AllowedPrincipal) bool { return a.Principal == p }) {
			continue
		}
		a := AllowedPrincipal{PrincipalType: principalType(p), Principal: p, ServicePermissionId: env.ec2ID("vpce-spn-"), ServiceId: in.ServiceId}
		allowed = append(allowed, a)
		out.AddedPrincipals = append(out.AddedPrincipals, a)
	}
	r.AllowedPrincipals = allowed
	return out, nil
}

// DescribeVpcEndpointServicePermissionsInput mirrors the ec2 action.
type DescribeVpcEndpointServicePermissionsInput struct {
	NextToken  string   `json:"NextToken,omitempty"`
	MaxResults *int     `json:"MaxResults,omitempty"`
	DryRun     bool     `json:"DryRun,omitempty"`
	ServiceId  string   `json:"ServiceId"`
	Filters    []Filter `json:"Filters,omitempty"`
}

// DescribeVpcEndpointServicePermissionsOutput mirrors the response.
type DescribeVpcEndpointServicePermissionsOutput struct {
	AllowedPrincipals []AllowedPrincipal `json:"AllowedPrincipals"`
	NextToken         string             `json:"NextToken,omitempty"`
}

// DescribeVpcEndpointServicePermissions lists a service's allowed
// principals (filters principal, principal-type).
func (s *State) DescribeVpcEndpointServicePermissions(env Env, in DescribeVpcEndpointServicePermissionsInput) (*DescribeVpcEndpointServicePermissionsOutput, error) {
	const op = "DescribeVpcEndpointServicePermissions"
	if in.DryRun {
		in.DryRun = false
		return nil, dryRun(s, env, op, in, (*State).DescribeVpcEndpointServicePermissions)
	}
	r, err := s.endpointService(op, in.ServiceId)
	if err != nil {
		return nil, err
	}
	probe := func(a AllowedPrincipal) filterValues {
		return func(name string) ([]string, bool) {
			switch name {
			case "principal":
				return []string{a.Principal}, true
			case "principal-type":
				return []string{a.PrincipalType}, true
			}
			return nil, false
		}
	}
	if err := checkFilters(op, in.Filters, probe(AllowedPrincipal{})); err != nil {
		return nil, err
	}
	out := &DescribeVpcEndpointServicePermissionsOutput{AllowedPrincipals: []AllowedPrincipal{}}
	for _, a := range r.AllowedPrincipals {
		if matchFilters(in.Filters, probe(a)) {
			out.AllowedPrincipals = append(out.AllowedPrincipals, a)
		}
	}
	pg, next, err := page(ec2Paging(op, in.MaxResults, in.NextToken, MaxEC2MaxResults, true), out.AllowedPrincipals, func(x AllowedPrincipal) string { return x.Principal })
	if err != nil {
		return nil, err
	}
	out.AllowedPrincipals, out.NextToken = pg, next
	return out, nil
}

// PrincipalAllowed reports whether principal may connect endpoints to the
// service: the service owner's own account always may (as on AWS, where the
// owner needs no permission entry); others need an entry for themselves,
// their account root, or "*".
func (r *EndpointServiceRecord) PrincipalAllowed(principal string) bool {
	if principal == "arn:aws:iam::"+r.OwnerId+":root" || strings.HasPrefix(principal, "arn:aws:iam::"+r.OwnerId+":") {
		return true
	}
	account := ""
	if parts := strings.Split(principal, ":"); len(parts) >= 5 {
		account = parts[4]
	}
	for _, a := range r.AllowedPrincipals {
		if a.Principal == "*" || a.Principal == principal || a.Principal == "arn:aws:iam::"+account+":root" {
			return true
		}
	}
	return false
}

// DescribeVpcEndpointServicesInput mirrors ec2 DescribeVpcEndpointServices.
type DescribeVpcEndpointServicesInput struct {
	DryRun       bool     `json:"DryRun,omitempty"`
	ServiceNames []string `json:"ServiceNames,omitempty"`
	Filters      []Filter `json:"Filters,omitempty"`
	MaxResults   *int     `json:"MaxResults,omitempty"`
	NextToken    string   `json:"NextToken,omitempty"`
}

// DescribeVpcEndpointServicesOutput mirrors the response.
type DescribeVpcEndpointServicesOutput struct {
	ServiceNames   []string        `json:"ServiceNames"`
	ServiceDetails []ServiceDetail `json:"ServiceDetails"`
	NextToken      string          `json:"NextToken,omitempty"`
}

// ServiceDetailOf is the consumer's view of an endpoint service.
func ServiceDetailOf(r *EndpointServiceRecord, region string) ServiceDetail {
	tags := slices.Clone(r.Service.Tags)
	if tags == nil {
		tags = []Tag{}
	}
	return ServiceDetail{
		ServiceName:             r.Service.ServiceName,
		ServiceId:               r.Service.ServiceId,
		ServiceType:             slices.Clone(r.Service.ServiceType),
		AvailabilityZones:       slices.Clone(r.Service.AvailabilityZones),
		Owner:                   r.OwnerId,
		BaseEndpointDnsNames:    []string{r.Service.ServiceId + "." + region + ".vpce.amazonaws.com"},
		AcceptanceRequired:      r.Service.AcceptanceRequired,
		ManagesVpcEndpoints:     r.Service.ManagesVpcEndpoints,
		Tags:                    tags,
		SupportedIpAddressTypes: slices.Clone(r.Service.SupportedIpAddressTypes),
	}
}

func serviceDetailFilter(d *ServiceDetail) filterValues {
	return func(name string) ([]string, bool) {
		switch name {
		case "service-name":
			return []string{d.ServiceName}, true
		case "service-type":
			var out []string
			for _, t := range d.ServiceType {
				out = append(out, t.ServiceType)
			}
			return out, true
		case "owner":
			return []string{d.Owner}, true
		case "supported-ip-address-types":
			return d.SupportedIpAddressTypes, true
		}
		return tagFilter(d.Tags, name)
	}
}

// DescribeVpcEndpointServices is the consumer's look-up of endpoint
// services: those the caller may connect to (its own, and those whose
// allowed principals include it), by name and filters (service-name,
// service-type, owner, supported-ip-address-types, tag:<key>, tag-key,
// tag-value). A named service the caller may not use does not exist for
// it (InvalidServiceName), as on AWS. Deviation: AWS also lists its own
// services (com.amazonaws.<region>.s3, ...); gwlbctl has none.
func (s *State) DescribeVpcEndpointServices(env Env, in DescribeVpcEndpointServicesInput) (*DescribeVpcEndpointServicesOutput, error) {
	const op = "DescribeVpcEndpointServices"
	if in.DryRun {
		in.DryRun = false
		return nil, dryRun(s, env, op, in, (*State).DescribeVpcEndpointServices)
	}
	if err := checkFilters(op, in.Filters, serviceDetailFilter(&ServiceDetail{})); err != nil {
		return nil, err
	}
	visible := func(r *EndpointServiceRecord) bool { return r.PrincipalAllowed(env.Principal()) }
	for _, name := range in.ServiceNames {
		if r := s.EndpointServiceByName(name); r == nil || !visible(r) {
			return nil, newError(op, CodeInvalidServiceName, "The Vpc Endpoint Service '%s' does not exist", name)
		}
	}
	var match []ServiceDetail
	for _, r := range s.EndpointServices {
		if !visible(r) || (len(in.ServiceNames) > 0 && !slices.Contains(in.ServiceNames, r.Service.ServiceName)) {
			continue
		}
		d := ServiceDetailOf(r, env.Region)
		if matchFilters(in.Filters, serviceDetailFilter(&d)) {
			match = append(match, d)
		}
	}
	pg, next, err := page(ec2Paging(op, in.MaxResults, in.NextToken, MaxEC2MaxResults, true), match, func(d ServiceDetail) string { return d.ServiceName })
	if err != nil {
		return nil, err
	}
	out := &DescribeVpcEndpointServicesOutput{ServiceNames: []string{}, ServiceDetails: []ServiceDetail{}, NextToken: next}
	for _, d := range pg {
		out.ServiceNames = append(out.ServiceNames, d.ServiceName)
		out.ServiceDetails = append(out.ServiceDetails, d)
	}
	return out, nil
}
