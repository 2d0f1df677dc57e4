// Package apply owns declarative provisioning: a topology file (YAML) that
// describes VPCs, subnets, gateway load balancers, target groups with their
// targets, listeners, endpoint services, endpoints, internet gateways and
// route tables, and the reconciler
// that turns the current control.State into what the file describes by
// calling the same control operations (and so the same validation) a user's
// commands would.
//
// Resources are matched by name: ELBv2 resources by their own names, EC2
// resources by their Name tag. Everything apply creates or adopts carries
// the tag gwlbctl:managed-by=apply; only resources with that tag are ever
// deleted, so resources made by hand are left alone.
package apply

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

// Tag keys apply uses.
const (
	ManagedByKey   = "gwlbctl:managed-by"
	ManagedByValue = "apply"
	NameKey        = "Name"
)

// Topology is the whole desired configuration.
type Topology struct {
	// Region, when set, must be the region gwlbctl acts in: a guard against
	// applying a file to the wrong region.
	Region           string             `yaml:"region,omitempty"`
	Vpcs             []VpcSpec          `yaml:"vpcs,omitempty"`
	LoadBalancers    []LoadBalancerSpec `yaml:"loadBalancers,omitempty"`
	TargetGroups     []TargetGroupSpec  `yaml:"targetGroups,omitempty"`
	EndpointServices []ServiceSpec      `yaml:"endpointServices,omitempty"`
	Endpoints        []EndpointSpec     `yaml:"endpoints,omitempty"`
	InternetGateways []GatewaySpec      `yaml:"internetGateways,omitempty"`
	RouteTables      []RouteTableSpec   `yaml:"routeTables,omitempty"`
}

// GatewaySpec is an internet gateway attached to a VPC.
type GatewaySpec struct {
	Name string            `yaml:"name"`
	Vpc  string            `yaml:"vpc"`
	Tags map[string]string `yaml:"tags,omitempty"`
}

// RouteTableSpec is a route table of a VPC: its routes, and the subnets
// and internet gateways (edge associations) it is associated with.
type RouteTableSpec struct {
	Name   string      `yaml:"name"`
	Vpc    string      `yaml:"vpc"`
	Routes []RouteSpec `yaml:"routes,omitempty"`
	// Subnets are subnet names from this file, or subnet ids.
	Subnets []string `yaml:"subnets,omitempty"`
	// Gateways are internet gateway names from this file: the table
	// routes the traffic entering the VPC through them.
	Gateways []string          `yaml:"gateways,omitempty"`
	Tags     map[string]string `yaml:"tags,omitempty"`
}

// RouteSpec is one route: a destination and exactly one target, a
// Gateway Load Balancer endpoint or an internet gateway of this file.
type RouteSpec struct {
	Destination string `yaml:"destination"`
	Endpoint    string `yaml:"endpoint,omitempty"`
	Gateway     string `yaml:"gateway,omitempty"`
}

// VpcSpec is a VPC and its subnets.
type VpcSpec struct {
	Name    string            `yaml:"name"`
	Cidr    string            `yaml:"cidr"`
	Tags    map[string]string `yaml:"tags,omitempty"`
	Subnets []SubnetSpec      `yaml:"subnets,omitempty"`
}

// SubnetSpec is a subnet. Subnet names are unique in the whole topology.
type SubnetSpec struct {
	Name string            `yaml:"name"`
	Cidr string            `yaml:"cidr"`
	Zone string            `yaml:"zone"`
	Tags map[string]string `yaml:"tags,omitempty"`
}

// LoadBalancerSpec is a gateway load balancer and its listener.
type LoadBalancerSpec struct {
	Name string `yaml:"name"`
	// Subnets are subnet names from this file, or subnet ids.
	Subnets       []string          `yaml:"subnets"`
	IpAddressType string            `yaml:"ipAddressType,omitempty"`
	Attributes    map[string]string `yaml:"attributes,omitempty"`
	Tags          map[string]string `yaml:"tags,omitempty"`
	Listener      *ListenerSpec     `yaml:"listener,omitempty"`
}

// ListenerSpec is the load balancer's one listener.
type ListenerSpec struct {
	TargetGroup string            `yaml:"targetGroup"`
	Attributes  map[string]string `yaml:"attributes,omitempty"`
}

// TargetGroupSpec is a GENEVE target group with its targets.
type TargetGroupSpec struct {
	Name        string            `yaml:"name"`
	Vpc         string            `yaml:"vpc"`
	TargetType  string            `yaml:"targetType,omitempty"`
	HealthCheck HealthCheckSpec   `yaml:"healthCheck,omitempty"`
	Attributes  map[string]string `yaml:"attributes,omitempty"`
	Tags        map[string]string `yaml:"tags,omitempty"`
	Targets     []TargetSpec      `yaml:"targets,omitempty"`
}

// HealthCheckSpec holds the health-check settings; unset fields take
// GWLB's defaults.
type HealthCheckSpec struct {
	Protocol           string `yaml:"protocol,omitempty"`
	Port               int    `yaml:"port,omitempty"`
	Path               string `yaml:"path,omitempty"`
	Matcher            string `yaml:"matcher,omitempty"`
	IntervalSeconds    int    `yaml:"intervalSeconds,omitempty"`
	TimeoutSeconds     int    `yaml:"timeoutSeconds,omitempty"`
	HealthyThreshold   int    `yaml:"healthyThreshold,omitempty"`
	UnhealthyThreshold int    `yaml:"unhealthyThreshold,omitempty"`
}

// TargetSpec is a target: an IPv4 address (ip groups) or an instance id.
type TargetSpec struct {
	Id   string `yaml:"id"`
	Zone string `yaml:"zone,omitempty"`
}

// ServiceSpec is a VPC endpoint service.
type ServiceSpec struct {
	Name string `yaml:"name"`
	// LoadBalancers are load balancer names.
	LoadBalancers []string `yaml:"loadBalancers"`
	// AcceptanceRequired defaults to true.
	AcceptanceRequired *bool             `yaml:"acceptanceRequired,omitempty"`
	AllowedPrincipals  []string          `yaml:"allowedPrincipals,omitempty"`
	Tags               map[string]string `yaml:"tags,omitempty"`
}

// EndpointSpec is a Gateway Load Balancer endpoint.
type EndpointSpec struct {
	Name    string `yaml:"name"`
	Vpc     string `yaml:"vpc"`
	Subnet  string `yaml:"subnet"`
	Service string `yaml:"service"`
	// Accept approves the connection on the service side when the service
	// requires acceptance.
	Accept bool              `yaml:"accept,omitempty"`
	Tags   map[string]string `yaml:"tags,omitempty"`
}

// Load reads and checks a topology file.
func Load(path string) (*Topology, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading topology: %w", err)
	}
	t, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// Parse decodes and checks a topology document. Unknown keys are errors, so
// a misspelt setting is not silently ignored.
func Parse(b []byte) (*Topology, error) {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var t Topology
	if err := dec.Decode(&t); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("invalid topology: %w", err)
	}
	if err := t.Check(); err != nil {
		return nil, err
	}
	return &t, nil
}

// Check verifies names and references inside the topology; the control
// operations check everything else when the plan runs.
func (t *Topology) Check() error {
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	uniq := func(kind string) func(string) {
		seen := map[string]bool{}
		return func(name string) {
			if name == "" {
				fail("a %s has no name", kind)
			} else if seen[name] {
				fail("%s %q is defined twice", kind, name)
			}
			seen[name] = true
		}
	}
	vpcNames, subnetNames, subnetVpc := map[string]bool{}, map[string]bool{}, map[string]string{}
	vpcU, subnetU := uniq("vpc"), uniq("subnet")
	for _, v := range t.Vpcs {
		vpcU(v.Name)
		vpcNames[v.Name] = true
		if v.Cidr == "" {
			fail("vpc %q: cidr is required", v.Name)
		}
		for _, s := range v.Subnets {
			subnetU(s.Name)
			subnetNames[s.Name] = true
			subnetVpc[s.Name] = v.Name
			if s.Cidr == "" || s.Zone == "" {
				fail("subnet %q: cidr and zone are required", s.Name)
			}
		}
	}
	isID := func(ref, prefix string) bool { return strings.HasPrefix(ref, prefix) }
	tgNames := map[string]bool{}
	tgU := uniq("target group")
	for _, g := range t.TargetGroups {
		tgU(g.Name)
		tgNames[g.Name] = true
		if !vpcNames[g.Vpc] && !isID(g.Vpc, "vpc-") {
			fail("target group %q: vpc %q is not defined in the topology", g.Name, g.Vpc)
		}
		seen := map[string]bool{}
		for _, x := range g.Targets {
			if x.Id == "" {
				fail("target group %q: a target has no id", g.Name)
			}
			if seen[x.Id] {
				fail("target group %q: target %s is listed twice", g.Name, x.Id)
			}
			seen[x.Id] = true
		}
	}
	lbNames := map[string]bool{}
	lbU := uniq("load balancer")
	for _, lb := range t.LoadBalancers {
		lbU(lb.Name)
		lbNames[lb.Name] = true
		for _, s := range lb.Subnets {
			if !subnetNames[s] && !isID(s, "subnet-") {
				fail("load balancer %q: subnet %q is not defined in the topology", lb.Name, s)
			}
		}
		if lb.Listener != nil && !tgNames[lb.Listener.TargetGroup] {
			fail("load balancer %q: listener target group %q is not defined in the topology", lb.Name, lb.Listener.TargetGroup)
		}
	}
	svcNames := map[string]bool{}
	svcU := uniq("endpoint service")
	for _, s := range t.EndpointServices {
		svcU(s.Name)
		svcNames[s.Name] = true
		if len(s.LoadBalancers) == 0 {
			fail("endpoint service %q: loadBalancers is required", s.Name)
		}
		for _, lb := range s.LoadBalancers {
			if !lbNames[lb] {
				fail("endpoint service %q: load balancer %q is not defined in the topology", s.Name, lb)
			}
		}
	}
	epU := uniq("endpoint")
	for _, e := range t.Endpoints {
		epU(e.Name)
		if !vpcNames[e.Vpc] && !isID(e.Vpc, "vpc-") {
			fail("endpoint %q: vpc %q is not defined in the topology", e.Name, e.Vpc)
		}
		if !subnetNames[e.Subnet] && !isID(e.Subnet, "subnet-") {
			fail("endpoint %q: subnet %q is not defined in the topology", e.Name, e.Subnet)
		} else if v, ok := subnetVpc[e.Subnet]; ok && v != e.Vpc {
			fail("endpoint %q: subnet %q belongs to vpc %q, not %q", e.Name, e.Subnet, v, e.Vpc)
		}
		if !svcNames[e.Service] {
			fail("endpoint %q: endpoint service %q is not defined in the topology", e.Name, e.Service)
		}
	}
	epNames := map[string]bool{}
	for _, e := range t.Endpoints {
		epNames[e.Name] = true
	}
	gwNames, gwVpc := map[string]bool{}, map[string]string{}
	gwU := uniq("internet gateway")
	for _, g := range t.InternetGateways {
		gwU(g.Name)
		gwNames[g.Name], gwVpc[g.Name] = true, g.Vpc
		if !vpcNames[g.Vpc] {
			fail("internet gateway %q: vpc %q is not defined in the topology", g.Name, g.Vpc)
		}
	}
	rtU := uniq("route table")
	for _, rt := range t.RouteTables {
		rtU(rt.Name)
		if !vpcNames[rt.Vpc] {
			fail("route table %q: vpc %q is not defined in the topology", rt.Name, rt.Vpc)
		}
		for _, r := range rt.Routes {
			switch {
			case r.Destination == "":
				fail("route table %q: a route has no destination", rt.Name)
			case (r.Endpoint == "") == (r.Gateway == ""):
				fail("route table %q: route %s needs exactly one of endpoint and gateway", rt.Name, r.Destination)
			case r.Endpoint != "" && !epNames[r.Endpoint]:
				fail("route table %q: endpoint %q is not defined in the topology", rt.Name, r.Endpoint)
			case r.Gateway != "" && !gwNames[r.Gateway]:
				fail("route table %q: internet gateway %q is not defined in the topology", rt.Name, r.Gateway)
			}
		}
		for _, sn := range rt.Subnets {
			if !subnetNames[sn] && !isID(sn, "subnet-") {
				fail("route table %q: subnet %q is not defined in the topology", rt.Name, sn)
			} else if v, ok := subnetVpc[sn]; ok && v != rt.Vpc {
				fail("route table %q: subnet %q belongs to vpc %q, not %q", rt.Name, sn, v, rt.Vpc)
			}
		}
		for _, g := range rt.Gateways {
			if !gwNames[g] {
				fail("route table %q: internet gateway %q is not defined in the topology", rt.Name, g)
			} else if gwVpc[g] != rt.Vpc {
				fail("route table %q: internet gateway %q is attached to vpc %q, not %q", rt.Name, g, gwVpc[g], rt.Vpc)
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("invalid topology:\n  %s", strings.Join(errs, "\n  "))
	}
	return nil
}
