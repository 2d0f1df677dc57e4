#!/usr/bin/env python3
"""Provisions the equivalent of configs/topology.yaml through gwlbctl's AWS
API with boto3 (Debian's python3-boto3), then describes everything. Every
response is checked as it arrives: botocore's parser must read it, and what
it read must validate against the operation's output shape. Prints one JSON
line of counts; exits 1 naming every problem."""

import argparse
import json
import os
import sys
import tempfile

import gwlbapi_models


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--supplement", required=True)
    args = ap.parse_args()

    # The models boto3 loads: Debian's, plus the operations this botocore
    # predates (ModifyListenerAttributes for the listener's attribute).
    data = tempfile.mkdtemp()
    gwlbapi_models.write_data_path(args.supplement, data)
    os.environ["AWS_DATA_PATH"] = data
    import boto3  # after AWS_DATA_PATH: the loader reads it at session creation

    session = boto3.session.Session(region_name="us-east-1", aws_access_key_id="AKIDEXAMPLE",
                                    aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    problems, counts = [], {"responses": 0, "validated": 0}

    def check(http_response, parsed, model, **kwargs):
        counts["responses"] += 1
        if http_response.status_code >= 300:
            problems.append("%s: HTTP %d %s" % (model.name, http_response.status_code, parsed.get("Error")))
            return
        for p in gwlbapi_models.output_problems(model, parsed):
            problems.append("%s: %s" % (model.name, p))
        counts["validated"] += 1

    elbv2 = session.client("elbv2", endpoint_url=args.endpoint)
    ec2 = session.client("ec2", endpoint_url=args.endpoint)
    for c in (elbv2, ec2):
        c.meta.events.register("after-call", check)

    def named(kind, name):
        return [{"ResourceType": kind, "Tags": [{"Key": "Name", "Value": name}]}]

    # VPCs and subnets (two consumers with the same, overlapping CIDR).
    vpcs, subnets = {}, {}
    for name, cidr, subs in [
        ("inspection", "10.0.0.0/16", [("inspection-a", "10.0.1.0/24", "us-east-1a"), ("inspection-b", "10.0.2.0/24", "us-east-1b")]),
        ("consumer-blue", "192.168.0.0/16", [("consumer-blue-a", "192.168.1.0/24", "us-east-1a"),
                                             ("consumer-blue-app", "192.168.2.0/24", "us-east-1a")]),
        ("consumer-green", "192.168.0.0/16", [("consumer-green-b", "192.168.1.0/24", "us-east-1b")]),
    ]:
        vpcs[name] = ec2.create_vpc(CidrBlock=cidr, TagSpecifications=named("vpc", name))["Vpc"]["VpcId"]
        for sname, scidr, zone in subs:
            subnets[sname] = ec2.create_subnet(VpcId=vpcs[name], CidrBlock=scidr, AvailabilityZone=zone,
                                               TagSpecifications=named("subnet", sname))["Subnet"]["SubnetId"]

    # The target group, its attributes and targets.
    tg = elbv2.create_target_group(Name="appliances", Protocol="GENEVE", Port=6081, VpcId=vpcs["inspection"], TargetType="ip",
                                   HealthCheckProtocol="TCP", HealthCheckPort="80", HealthCheckIntervalSeconds=10,
                                   HealthCheckTimeoutSeconds=5, HealthyThresholdCount=3, UnhealthyThresholdCount=2)["TargetGroups"][0]["TargetGroupArn"]
    elbv2.modify_target_group_attributes(TargetGroupArn=tg, Attributes=[
        {"Key": "deregistration_delay.timeout_seconds", "Value": "60"},
        {"Key": "target_failover.on_deregistration", "Value": "rebalance"},
        {"Key": "target_failover.on_unhealthy", "Value": "rebalance"}])
    elbv2.register_targets(TargetGroupArn=tg, Targets=[{"Id": "10.0.1.10"}, {"Id": "10.0.2.10"}])

    # The load balancer, its attribute, tag and listener.
    lb = elbv2.create_load_balancer(Name="inspection-gwlb", Type="gateway", Subnets=[subnets["inspection-a"], subnets["inspection-b"]],
                                    Tags=[{"Key": "team", "Value": "netsec"}])["LoadBalancers"][0]["LoadBalancerArn"]
    elbv2.modify_load_balancer_attributes(LoadBalancerArn=lb, Attributes=[{"Key": "load_balancing.cross_zone.enabled", "Value": "false"}])
    listener = elbv2.create_listener(LoadBalancerArn=lb, DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])["Listeners"][0]["ListenerArn"]
    elbv2.modify_listener_attributes(ListenerArn=listener, Attributes=[{"Key": "tcp.idle_timeout.seconds", "Value": "350"}])

    # The endpoint service, its allowed principal, the endpoints, accepted.
    svc = ec2.create_vpc_endpoint_service_configuration(GatewayLoadBalancerArns=[lb], AcceptanceRequired=True,
                                                        TagSpecifications=named("vpc-endpoint-service", "inspection-svc"))["ServiceConfiguration"]
    ec2.modify_vpc_endpoint_service_permissions(ServiceId=svc["ServiceId"], AddAllowedPrincipals=["arn:aws:iam::111122223333:root"])
    endpoints = []
    for name, vpc, subnet in [("gwlbe-blue", "consumer-blue", "consumer-blue-a"), ("gwlbe-green", "consumer-green", "consumer-green-b")]:
        endpoints.append(ec2.create_vpc_endpoint(VpcEndpointType="GatewayLoadBalancer", ServiceName=svc["ServiceName"], VpcId=vpcs[vpc],
                                                 SubnetIds=[subnets[subnet]], TagSpecifications=named("vpc-endpoint", name))["VpcEndpoint"]["VpcEndpointId"])
    pending = ec2.describe_vpc_endpoint_connections(Filters=[{"Name": "service-id", "Values": [svc["ServiceId"]]},
                                                             {"Name": "vpc-endpoint-state", "Values": ["pendingAcceptance"]}])
    accept = ec2.accept_vpc_endpoint_connections(ServiceId=svc["ServiceId"], VpcEndpointIds=[c["VpcEndpointId"] for c in pending["VpcEndpointConnections"]])
    if accept["Unsuccessful"]:
        problems.append("accept: %s" % accept["Unsuccessful"])

    # consumer-blue routed as step 4 of AWS's getting-started guide
    # ("Configure routing"): the application subnet out through the
    # endpoint, the endpoint's subnet to the internet gateway, and the
    # gateway's edge route table sending traffic for the application
    # subnet in through the endpoint.
    igw = ec2.create_internet_gateway(TagSpecifications=named("internet-gateway", "consumer-blue-igw"))["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpcs["consumer-blue"])
    gwlbe_blue = endpoints[0]
    for name, route, assoc in [
        ("blue-app", {"DestinationCidrBlock": "0.0.0.0/0", "VpcEndpointId": gwlbe_blue}, {"SubnetId": subnets["consumer-blue-app"]}),
        ("blue-endpoint", {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": igw}, {"SubnetId": subnets["consumer-blue-a"]}),
        ("blue-ingress", {"DestinationCidrBlock": "192.168.2.0/24", "VpcEndpointId": gwlbe_blue}, {"GatewayId": igw}),
    ]:
        rtb = ec2.create_route_table(VpcId=vpcs["consumer-blue"], TagSpecifications=named("route-table", name))["RouteTable"]["RouteTableId"]
        if not ec2.create_route(RouteTableId=rtb, **route)["Return"]:
            problems.append("create_route %s: Return false" % name)
        state = ec2.associate_route_table(RouteTableId=rtb, **assoc)["AssociationState"]["State"]
        if state != "associated":
            problems.append("associate_route_table %s: %s" % (name, state))

    # Describe everything, through boto3's paginators where it has them.
    for page in elbv2.get_paginator("describe_load_balancers").paginate():
        pass
    for page in ec2.get_paginator("describe_vpcs").paginate():
        pass
    ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": list(vpcs.values())}])
    elbv2.describe_target_groups(LoadBalancerArn=lb)
    elbv2.describe_target_group_attributes(TargetGroupArn=tg)
    elbv2.describe_target_health(TargetGroupArn=tg)
    elbv2.describe_load_balancer_attributes(LoadBalancerArn=lb)
    elbv2.describe_listeners(LoadBalancerArn=lb)
    elbv2.describe_listener_attributes(ListenerArn=listener)
    elbv2.describe_tags(ResourceArns=[lb, tg, listener])
    ec2.describe_vpc_endpoint_service_configurations(ServiceIds=[svc["ServiceId"]])
    ec2.describe_vpc_endpoint_service_permissions(ServiceId=svc["ServiceId"])
    ec2.describe_vpc_endpoint_connections()
    eps = ec2.describe_vpc_endpoints(VpcEndpointIds=endpoints)["VpcEndpoints"]
    if sorted(e["State"] for e in eps) != ["available", "available"]:
        problems.append("endpoints: %s" % [(e["VpcEndpointId"], e["State"]) for e in eps])
    ec2.describe_tags(Filters=[{"Name": "key", "Values": ["Name"]}])
    ec2.describe_vpc_endpoint_services(ServiceNames=[svc["ServiceName"]])
    for page in ec2.get_paginator("describe_internet_gateways").paginate():
        pass

    def via(filter_name, value, dest):
        tables = [t for page in ec2.get_paginator("describe_route_tables").paginate(
            Filters=[{"Name": filter_name, "Values": [value]}]) for t in page["RouteTables"]]
        return [r.get("GatewayId") for t in tables for r in t["Routes"] if r.get("DestinationCidrBlock") == dest]

    for filter_name, value, dest, want in [
        ("association.subnet-id", subnets["consumer-blue-app"], "0.0.0.0/0", gwlbe_blue),
        ("association.subnet-id", subnets["consumer-blue-a"], "0.0.0.0/0", igw),
        ("association.gateway-id", igw, "192.168.2.0/24", gwlbe_blue),
    ]:
        got = via(filter_name, value, dest)
        if got != [want]:
            problems.append("route tables with %s=%s route %s to %s, want [%s]" % (filter_name, value, dest, got, want))

    counts["problems"] = len(problems)
    print(json.dumps(counts))
    for p in problems:
        print("PROBLEM", p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
