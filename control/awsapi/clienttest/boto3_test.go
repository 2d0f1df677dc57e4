package clienttest

import (
	"encoding/json"
	"net/netip"
	"strings"
	"testing"

	"github.com/gwlbctl/gwlbctl/control"
	"github.com/gwlbctl/gwlbctl/control/awsapi/internal/pyclient"
)

// TestBoto3Topology: boto3 provisions the equivalent of
// configs/topology.yaml and describes it, every response validated by
// botocore against the service model; the state then holds all of it.
func TestBoto3Topology(t *testing.T) {
	pyclient.Need(t, true)
	ts := newTestServer(t, nil)
	cmd := pyclient.Command(t, awsapiDir, "boto3_topology.py", "--endpoint", ts.URL)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("boto3_topology.py: %v\n%s%s", err, out, stderr.String())
	}
	var counts struct{ Responses, Validated, Problems int }
	if err := json.Unmarshal(out, &counts); err != nil {
		t.Fatalf("output %q: %v", out, err)
	}
	t.Logf("boto3: %d responses, %d validated against the service models", counts.Responses, counts.Validated)
	if counts.Validated < 30 || counts.Validated != counts.Responses {
		t.Errorf("%d of %d responses validated", counts.Validated, counts.Responses)
	}

	err = ts.Store.View(func(s *control.State) error {
		// Three VPCs, each with its main route table, and step 4's three.
		if len(s.Vpcs) != 3 || len(s.Subnets) != 5 || len(s.TargetGroups) != 1 || len(s.LoadBalancers) != 1 ||
			len(s.Listeners) != 1 || len(s.EndpointServices) != 1 || len(s.Endpoints) != 2 || len(s.InternetGateways) != 1 || len(s.RouteTables) != 6 {
			t.Errorf("state: %d VPCs, %d subnets, %d target groups, %d load balancers, %d listeners, %d services, %d endpoints, %d internet gateways, %d route tables",
				len(s.Vpcs), len(s.Subnets), len(s.TargetGroups), len(s.LoadBalancers), len(s.Listeners), len(s.EndpointServices), len(s.Endpoints),
				len(s.InternetGateways), len(s.RouteTables))
			return nil
		}
		tg := s.TargetGroups[0]
		if len(tg.Targets) != 2 || tg.Attribute("target_failover.on_unhealthy") != "rebalance" || tg.Attribute("deregistration_delay.timeout_seconds") != "60" ||
			tg.TargetGroup.HealthCheckIntervalSeconds != 10 || tg.TargetGroup.UnhealthyThresholdCount != 2 {
			t.Errorf("target group: %+v", tg)
		}
		if l := s.Listeners[0]; !hasAttr(l.Attributes, "tcp.idle_timeout.seconds", "350") {
			t.Errorf("listener attributes: %+v", l.Attributes)
		}
		if lb := s.LoadBalancers[0]; len(lb.Tags) != 1 || lb.Tags[0].Value != "netsec" || len(lb.LoadBalancer.AvailabilityZones) != 2 {
			t.Errorf("load balancer: %+v", lb)
		}
		if svc := s.EndpointServices[0]; len(svc.AllowedPrincipals) != 1 || svc.AllowedPrincipals[0].Principal != "arn:aws:iam::111122223333:root" {
			t.Errorf("service principals: %+v", svc.AllowedPrincipals)
		}
		for _, e := range s.Endpoints {
			if e.Endpoint.State != control.EndpointStateAvailable {
				t.Errorf("endpoint %s is %s", e.Endpoint.VpcEndpointId, e.Endpoint.State)
			}
		}
		checkBlueRouting(t, s)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// checkBlueRouting checks consumer-blue's routing as the data path reads
// it: from the application subnet out through the endpoint, from the
// endpoint's subnet to the internet gateway, and in through the gateway
// to the endpoint.
func checkBlueRouting(t *testing.T, s *control.State) {
	t.Helper()
	subnet := map[string]string{}
	for _, sn := range s.Subnets {
		for _, tag := range sn.Tags {
			if tag.Key == "Name" {
				subnet[tag.Value] = sn.SubnetId
			}
		}
	}
	var vpce string
	for _, e := range s.Endpoints {
		if e.Endpoint.VpcId == s.Subnet(subnet["consumer-blue-a"]).VpcId {
			vpce = e.Endpoint.VpcEndpointId
		}
	}
	igw := s.InternetGateways[0].InternetGatewayId
	internet, app := netip.MustParseAddr("198.51.100.7"), netip.MustParseAddr("192.168.2.10")
	for _, c := range []struct {
		subnet string
		dst    netip.Addr
		want   string
	}{{"consumer-blue-app", internet, vpce}, {"consumer-blue-a", internet, igw}} {
		m, ok, err := s.SubnetRoute(subnet[c.subnet], c.dst)
		if err != nil || !ok || m.Route.GatewayId != c.want || m.Main {
			t.Errorf("%s to %s: %+v %v %v, want via %s from its own table", c.subnet, c.dst, m, ok, err, c.want)
		}
	}
	if m, ok := s.GatewayRoute(igw, app); !ok || m.Route.GatewayId != vpce {
		t.Errorf("the gateway's edge route to %s: %+v %v, want via %s", app, m, ok, vpce)
	}
}

func hasAttr(attrs []control.Attribute, k, v string) bool {
	for _, a := range attrs {
		if a.Key == k && a.Value == v {
			return true
		}
	}
	return false
}
