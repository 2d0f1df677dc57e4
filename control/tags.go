package control

import (
	"slices"
	"strings"
)

// AddTagsInput mirrors elbv2 AddTags.
type AddTagsInput struct {
	ResourceArns []string `json:"ResourceArns"`
	Tags         []Tag    `json:"Tags"`
}

// AddTagsOutput is empty, as AWS's.
type AddTagsOutput struct{}

// RemoveTagsInput mirrors elbv2 RemoveTags.
type RemoveTagsInput struct {
	ResourceArns []string `json:"ResourceArns"`
	TagKeys      []string `json:"TagKeys"`
}

// RemoveTagsOutput is empty, as AWS's.
type RemoveTagsOutput struct{}

// DescribeTagsInput mirrors elbv2 DescribeTags.
type DescribeTagsInput struct {
	ResourceArns []string `json:"ResourceArns"`
}

// DescribeTagsOutput mirrors elbv2 DescribeTags' response.
type DescribeTagsOutput struct {
	TagDescriptions []TagDescription `json:"TagDescriptions"`
}

// elbTags returns a pointer to the tag list of the ELBv2 resource arn.
func (s *State) elbTags(op, arn string) (*[]Tag, error) {
	m := arnRe.FindStringSubmatch(arn)
	if m == nil {
		return nil, newError(op, CodeValidationError, "'%s' is not a valid load balancer, target group or listener ARN", arn)
	}
	switch m[1] {
	case "loadbalancer":
		if r := s.LoadBalancerByArn(arn); r != nil {
			return &r.Tags, nil
		}
		return nil, newError(op, CodeLoadBalancerNotFound, "Load balancer '%s' not found", arn)
	case "targetgroup":
		if r := s.TargetGroupByArn(arn); r != nil {
			return &r.Tags, nil
		}
		return nil, newError(op, CodeTargetGroupNotFound, "Target group '%s' not found", arn)
	default:
		if r := s.ListenerByArn(arn); r != nil {
			return &r.Tags, nil
		}
		return nil, newError(op, CodeListenerNotFound, "Listener '%s' not found", arn)
	}
}

// AddTags adds or overwrites tags on load balancers, target groups and
// listeners.
func (s *State) AddTags(env Env, in AddTagsInput) (*AddTagsOutput, error) {
	const op = "AddTags"
	if len(in.ResourceArns) == 0 || len(in.Tags) == 0 {
		return nil, newError(op, CodeValidationError, "Give --resource-arns and --tags Key=...,Value=...")
	}
	if err := validateTags(op, in.Tags, CodeDuplicateTagKeys); err != nil {
		return nil, err
	}
	var lists []*[]Tag
	for _, arn := range in.ResourceArns {
		l, err := s.elbTags(op, arn)
		if err != nil {
			return nil, err
		}
		if len(mergeTags(*l, in.Tags)) > MaxTagsPerResource {
			return nil, newError(op, CodeTooManyTags, "'%s' would have more than %d tags", arn, MaxTagsPerResource)
		}
		lists = append(lists, l)
	}
	for _, l := range lists {
		*l = mergeTags(*l, in.Tags)
	}
	return &AddTagsOutput{}, nil
}

// RemoveTags removes tag keys from ELBv2 resources.
func (s *State) RemoveTags(env Env, in RemoveTagsInput) (*RemoveTagsOutput, error) {
	const op = "RemoveTags"
	if len(in.ResourceArns) == 0 || len(in.TagKeys) == 0 {
		return nil, newError(op, CodeValidationError, "Give --resource-arns and --tag-keys")
	}
	var lists []*[]Tag
	for _, arn := range in.ResourceArns {
		l, err := s.elbTags(op, arn)
		if err != nil {
			return nil, err
		}
		lists = append(lists, l)
	}
	for _, l := range lists {
		*l = removeTagKeys(*l, in.TagKeys)
	}
	return &RemoveTagsOutput{}, nil
}

// DescribeTags lists the tags of ELBv2 resources.
func (s *State) DescribeTags(env Env, in DescribeTagsInput) (*DescribeTagsOutput, error) {
	const op = "DescribeTags"
	if len(in.ResourceArns) == 0 {
		return nil, newError(op, CodeValidationError, "Give --resource-arns")
	}
	out := &DescribeTagsOutput{TagDescriptions: []TagDescription{}}
	for _, arn := range in.ResourceArns {
		l, err := s.elbTags(op, arn)
		if err != nil {
			return nil, err
		}
		tags := slices.Clone(*l)
		if tags == nil {
			tags = []Tag{}
		}
		out.TagDescriptions = append(out.TagDescriptions, TagDescription{ResourceArn: arn, Tags: tags})
	}
	return out, nil
}

// --- EC2 tags --------------------------------------------------------------

// CreateTagsInput mirrors ec2 CreateTags.
type CreateTagsInput struct {
	DryRun    bool     `json:"DryRun,omitempty"`
	Resources []string `json:"Resources"`
	Tags      []Tag    `json:"Tags"`
}

// CreateTagsOutput is empty, as AWS's.
type CreateTagsOutput struct{}

// DeleteTagsInput mirrors ec2 DeleteTags: a tag with an empty value removes
// the key whatever its value; with a value, only when it matches.
type DeleteTagsInput struct {
	DryRun    bool     `json:"DryRun,omitempty"`
	Resources []string `json:"Resources"`
	Tags      []Tag    `json:"Tags,omitempty"`
}

// DeleteTagsOutput is empty, as AWS's.
type DeleteTagsOutput struct{}

// DescribeTagsEC2Input mirrors ec2 DescribeTags.
type DescribeTagsEC2Input struct {
	NextToken  string   `json:"NextToken,omitempty"`
	MaxResults *int     `json:"MaxResults,omitempty"`
	DryRun     bool     `json:"DryRun,omitempty"`
	Filters    []Filter `json:"Filters,omitempty"`
}

// DescribeTagsEC2Output mirrors ec2 DescribeTags' response.
type DescribeTagsEC2Output struct {
	Tags      []TagDescriptionEC2 `json:"Tags"`
	NextToken string              `json:"NextToken,omitempty"`
}

// ec2Tags returns a pointer to the tags of an EC2 resource and its type.
func (s *State) ec2Tags(op, id string) (*[]Tag, string, error) {
	switch {
	case strings.HasPrefix(id, "vpc-"):
		if v := s.Vpc(id); v != nil {
			return &v.Tags, "vpc", nil
		}
		return nil, "", newError(op, CodeInvalidVpcIDNotFound, "The vpc ID '%s' does not exist", id)
	case strings.HasPrefix(id, "subnet-"):
		if v := s.Subnet(id); v != nil {
			return &v.Tags, "subnet", nil
		}
		return nil, "", newError(op, CodeInvalidSubnetIDNotFound, "The subnet ID '%s' does not exist", id)
	case strings.HasPrefix(id, routeTablePrefix):
		s.storeLegacyMainTables()
		if v := s.RouteTable(id); v != nil {
			return &v.Tags, "route-table", nil
		}
		return nil, "", newError(op, CodeInvalidRouteTableIDNotFound, "The routeTable ID '%s' does not exist", id)
	case strings.HasPrefix(id, "igw-"):
		if v := s.InternetGateway(id); v != nil {
			return &v.Tags, "internet-gateway", nil
		}
		return nil, "", newError(op, CodeInvalidInternetGatewayIDNotFound, "The internetGateway ID '%s' does not exist", id)
	case strings.HasPrefix(id, "vpce-svc-"):
		if v := s.EndpointService(id); v != nil {
			return &v.Service.Tags, "vpc-endpoint-service", nil
		}
		return nil, "", newError(op, CodeInvalidVpcEndpointServiceIDNotFound, "The Vpc Endpoint Service Id '%s' does not exist", id)
	case strings.HasPrefix(id, "vpce-"):
		if v := s.Endpoint(id); v != nil {
			return &v.Endpoint.Tags, "vpc-endpoint", nil
		}
		return nil, "", newError(op, CodeInvalidVpcEndpointIDNotFound, "The Vpc Endpoint Id '%s' does not exist", id)
	}
	return nil, "", newError(op, CodeInvalidID, "The ID '%s' is not valid (gwlbctl tags vpc-, subnet-, rtb-, igw-, vpce- and vpce-svc- resources)", id)
}

// CreateTags adds or overwrites tags on EC2 resources.
func (s *State) CreateTags(env Env, in CreateTagsInput) (*CreateTagsOutput, error) {
	const op = "CreateTags"
	if in.DryRun {
		in.DryRun = false
		return nil, dryRun(s, env, op, in, (*State).CreateTags)
	}
	if len(in.Resources) == 0 {
		return nil, newError(op, CodeMissingParameter, "The request must contain the parameter resourceIdSet (--resources)")
	}
	if len(in.Tags) == 0 {
		return nil, newError(op, CodeMissingParameter, "The request must contain the parameter tagSet (--tags Key=...,Value=...)")
	}
	if err := validateTags(op, in.Tags, CodeInvalidParameterValue); err != nil {
		return nil, err
	}
	var lists []*[]Tag
	for _, id := range in.Resources {
		l, _, err := s.ec2Tags(op, id)
		if err != nil {
			return nil, err
		}
		if len(mergeTags(*l, in.Tags)) > MaxTagsPerResource {
			return nil, newError(op, "TagLimitExceeded", "'%s' would have more than %d tags", id, MaxTagsPerResource)
		}
		lists = append(lists, l)
	}
	for _, l := range lists {
		*l = mergeTags(*l, in.Tags)
	}
	return &CreateTagsOutput{}, nil
}

// DeleteTags removes tags from EC2 resources.
func (s *State) DeleteTags(env Env, in DeleteTagsInput) (*DeleteTagsOutput, error) {
	const op = "DeleteTags"
	if in.DryRun {
		in.DryRun = false
		return nil, dryRun(s, env, op, in, (*State).DeleteTags)
	}
	if len(in.Resources) == 0 {
		return nil, newError(op, CodeMissingParameter, "The request must contain the parameter resourceIdSet (--resources)")
	}
	var lists []*[]Tag
	for _, id := range in.Resources {
		l, _, err := s.ec2Tags(op, id)
		if err != nil {
			return nil, err
		}
		lists = append(lists, l)
	}
	for _, l := range lists {
		if len(in.Tags) == 0 {
			*l = nil
			continue
		}
		*l = slices.DeleteFunc(slices.Clone(*l), func(t Tag) bool {
			return slices.ContainsFunc(in.Tags, func(d Tag) bool { return d.Key == t.Key && (d.Value == "" || d.Value == t.Value) })
		})
	}
	return &DeleteTagsOutput{}, nil
}

// DescribeTagsEC2 lists EC2 tags (filters key, value, resource-id,
// resource-type).
func (s *State) DescribeTagsEC2(env Env, in DescribeTagsEC2Input) (*DescribeTagsEC2Output, error) {
	const op = "DescribeTags"
	if in.DryRun {
		in.DryRun = false
		return nil, dryRun(s, env, op, in, (*State).DescribeTagsEC2)
	}
	probe := func(d TagDescriptionEC2) filterValues {
		return func(name string) ([]string, bool) {
			switch name {
			case "key":
				return []string{d.Key}, true
			case "value":
				return []string{d.Value}, true
			case "resource-id":
				return []string{d.ResourceId}, true
			case "resource-type":
				return []string{d.ResourceType}, true
			}
			return nil, false
		}
	}
	if err := checkFilters(op, in.Filters, probe(TagDescriptionEC2{})); err != nil {
		return nil, err
	}
	out := &DescribeTagsEC2Output{Tags: []TagDescriptionEC2{}}
	add := func(id, typ string, tags []Tag) {
		for _, t := range tags {
			d := TagDescriptionEC2{Key: t.Key, ResourceId: id, ResourceType: typ, Value: t.Value}
			if matchFilters(in.Filters, probe(d)) {
				out.Tags = append(out.Tags, d)
			}
		}
	}
	for _, v := range s.Vpcs {
		add(v.VpcId, "vpc", v.Tags)
	}
	for _, v := range s.Subnets {
		add(v.SubnetId, "subnet", v.Tags)
	}
	for _, v := range s.routeTables() {
		add(v.RouteTableId, "route-table", v.Tags)
	}
	for _, v := range s.InternetGateways {
		add(v.InternetGatewayId, "internet-gateway", v.Tags)
	}
	for _, v := range s.EndpointServices {
		add(v.Service.ServiceId, "vpc-endpoint-service", v.Service.Tags)
	}
	for _, v := range s.Endpoints {
		add(v.Endpoint.VpcEndpointId, "vpc-endpoint", v.Endpoint.Tags)
	}
	pg, next, err := page(ec2Paging(op, in.MaxResults, in.NextToken, MaxEC2MaxResults, false), out.Tags, func(x TagDescriptionEC2) string { return x.ResourceId + "/" + x.Key })
	if err != nil {
		return nil, err
	}
	out.Tags, out.NextToken = pg, next
	return out, nil
}

// tagsFor collects the tags of the TagSpecifications meant for resourceType.
func tagsFor(op string, specs []TagSpecification, resourceType string) ([]Tag, error) {
	var out []Tag
	for _, sp := range specs {
		if sp.ResourceType != resourceType {
			return nil, newError(op, CodeInvalidParameterValue, "'%s' is not a valid taggable resource type for this operation; use %s", sp.ResourceType, resourceType)
		}
		out = append(out, sp.Tags...)
	}
	if err := validateTags(op, out, CodeInvalidParameterValue); err != nil {
		return nil, err
	}
	if len(out) > MaxTagsPerResource {
		return nil, newError(op, "TagLimitExceeded", "at most %d tags per resource", MaxTagsPerResource)
	}
	return out, nil
}
