#!/usr/bin/env python3
"""ClientToken idempotency through gwlbctl's AWS API with boto3 (Debian's
python3-boto3): each create that takes a ClientToken, called twice with the
same token and parameters, returns the same resource; called with the same
token and other parameters it fails with IdempotentParameterMismatch and
HTTP 400. Prints one JSON line with the ids; exits 1 naming every problem."""

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

    # Debian's botocore predates CreateRouteTable's ClientToken: load the
    # supplemented models, as boto3_topology.py does.
    data = tempfile.mkdtemp()
    gwlbapi_models.write_data_path(args.supplement, data)
    os.environ["AWS_DATA_PATH"] = data
    import boto3
    import botocore.exceptions

    session = boto3.session.Session(region_name="us-east-1", aws_access_key_id="AKIDEXAMPLE",
                                    aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    elbv2 = session.client("elbv2", endpoint_url=args.endpoint)
    ec2 = session.client("ec2", endpoint_url=args.endpoint)
    problems = []

    def twice(what, call, ident, **params):
        first, second = call(**params), call(**params)
        if ident(first) != ident(second):
            problems.append("%s: the retry returned %s, the first call %s" % (what, ident(second), ident(first)))
        if first.get("ClientToken") != params["ClientToken"]:
            problems.append("%s: ClientToken %r in the answer, want %r" % (what, first.get("ClientToken"), params["ClientToken"]))
        return ident(first)

    def mismatch(what, call, **params):
        try:
            call(**params)
        except botocore.exceptions.ClientError as e:
            code = e.response["Error"]["Code"]
            status = e.response["ResponseMetadata"]["HTTPStatusCode"]
            if code != "IdempotentParameterMismatch" or status != 400:
                problems.append("%s: %s HTTP %d, want IdempotentParameterMismatch HTTP 400" % (what, code, status))
            return
        problems.append("%s: succeeded, want IdempotentParameterMismatch" % what)

    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    lb = elbv2.create_load_balancer(Name="gwlb", Type="gateway", Subnets=[subnet])["LoadBalancers"][0]["LoadBalancerArn"]
    svc = twice("CreateVpcEndpointServiceConfiguration", ec2.create_vpc_endpoint_service_configuration,
                lambda r: r["ServiceConfiguration"]["ServiceId"],
                GatewayLoadBalancerArns=[lb], AcceptanceRequired=True, ClientToken="boto3-svc")
    name = ec2.describe_vpc_endpoint_service_configurations(ServiceIds=[svc])["ServiceConfigurations"][0]["ServiceName"]
    consumer = ec2.create_vpc(CidrBlock="192.168.0.0/16")["Vpc"]["VpcId"]
    csub = ec2.create_subnet(VpcId=consumer, CidrBlock="192.168.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    ep = twice("CreateVpcEndpoint", ec2.create_vpc_endpoint, lambda r: r["VpcEndpoint"]["VpcEndpointId"],
               VpcEndpointType="GatewayLoadBalancer", VpcId=consumer, ServiceName=name, SubnetIds=[csub], ClientToken="boto3-ep")
    rtb = twice("CreateRouteTable", ec2.create_route_table, lambda r: r["RouteTable"]["RouteTableId"],
                VpcId=consumer, ClientToken="boto3-rtb")

    mismatch("CreateVpcEndpointServiceConfiguration", ec2.create_vpc_endpoint_service_configuration,
             GatewayLoadBalancerArns=[lb], AcceptanceRequired=False, ClientToken="boto3-svc")
    mismatch("CreateVpcEndpoint", ec2.create_vpc_endpoint, VpcEndpointType="GatewayLoadBalancer", VpcId=consumer,
             ServiceName=name, SubnetIds=[csub], ClientToken="boto3-ep", IpAddressType="ipv4")
    mismatch("CreateRouteTable", ec2.create_route_table, VpcId=vpc, ClientToken="boto3-rtb")

    print(json.dumps({"service": svc, "endpoint": ep, "routeTable": rtb}))
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
