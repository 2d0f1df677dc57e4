#!/usr/bin/env python3
"""Pages every paged describe of gwlbctl's AWS API with boto3's own
paginators (Debian's python3-boto3), as the AWS CLI's --page-size,
--max-items and --starting-token do: PageSize pages must hold every item
of the unpaged call once and in order, and MaxItems must stop part-way
with a token that StartingToken resumes from. Every response is validated
against the service model. Prints one line per describe; exits 1 naming
every problem."""

import argparse
import json
import math
import os
import sys
import tempfile

import gwlbapi_models

# (service, operation, result key, the member naming an item, parameters
# from --params). The result keys are those of botocore's paginators.
PAGED = [
    ("elbv2", "describe_load_balancers", "LoadBalancers", "LoadBalancerArn", {}),
    ("elbv2", "describe_target_groups", "TargetGroups", "TargetGroupArn", {}),
    ("elbv2", "describe_listeners", "Listeners", "ListenerArn", {"ListenerArns": "listener_arns"}),
    ("ec2", "describe_vpcs", "Vpcs", "VpcId", {}),
    ("ec2", "describe_subnets", "Subnets", "SubnetId", {}),
    ("ec2", "describe_route_tables", "RouteTables", "RouteTableId", {}),
    ("ec2", "describe_internet_gateways", "InternetGateways", "InternetGatewayId", {}),
    ("ec2", "describe_vpc_endpoint_service_configurations", "ServiceConfigurations", "ServiceId", {}),
    ("ec2", "describe_vpc_endpoint_service_permissions", "AllowedPrincipals", "Principal", {"ServiceId": "service_id"}),
    ("ec2", "describe_vpc_endpoint_services", "ServiceDetails", "ServiceName", {}),
    ("ec2", "describe_vpc_endpoints", "VpcEndpoints", "VpcEndpointId", {}),
    ("ec2", "describe_vpc_endpoint_connections", "VpcEndpointConnections", "VpcEndpointId", {}),
    ("ec2", "describe_tags", "Tags", "ResourceId", {}),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--supplement", required=True)
    ap.add_argument("--params", required=True, help="JSON: service_id, listener_arns")
    ap.add_argument("--ec2-page", type=int, required=True)
    ap.add_argument("--elb-page", type=int, required=True)
    args = ap.parse_args()
    given = json.loads(args.params)

    data = tempfile.mkdtemp()
    gwlbapi_models.write_data_path(args.supplement, data)
    os.environ["AWS_DATA_PATH"] = data
    import boto3  # after AWS_DATA_PATH: the loader reads it at session creation

    session = boto3.session.Session(region_name="us-east-1", aws_access_key_id="AKIDEXAMPLE",
                                    aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    problems = []

    def check(http_response, parsed, model, **kwargs):
        if http_response.status_code >= 300:
            problems.append("%s: HTTP %d %s" % (model.name, http_response.status_code, parsed.get("Error")))
            return
        for p in gwlbapi_models.output_problems(model, parsed):
            problems.append("%s: %s" % (model.name, p))

    clients = {s: session.client(s, endpoint_url=args.endpoint) for s in ("elbv2", "ec2")}
    for c in clients.values():
        c.meta.events.register("after-call", check)

    for service, op, key, member, wanted in PAGED:
        client = clients[service]
        params = {k: given[v] for k, v in wanted.items()}
        size = args.elb_page if service == "elbv2" else args.ec2_page
        full = [x[member] for x in getattr(client, op)(**params)[key]]
        where = "%s %s" % (service, op)
        if len(full) <= size + 1:
            problems.append("%s: %d items, not more than a page of %d and one" % (where, len(full), size))
            continue
        paginator = client.get_paginator(op)

        # PageSize: every page full but the last, every item once.
        pages = list(paginator.paginate(PaginationConfig={"PageSize": size}, **params))
        got = [x[member] for p in pages for x in p[key]]
        counts = [len(p[key]) for p in pages]
        if got != full:
            problems.append("%s: pages of %d hold %s, want %s" % (where, size, got, full))
        if len(pages) != math.ceil(len(full) / size) or any(n != size for n in counts[:-1]):
            problems.append("%s: pages of %d items: %s for %d items" % (where, size, counts, len(full)))
        if op == "describe_vpc_endpoint_services":
            names = [n for p in pages for n in p["ServiceNames"]]
            if names != got:
                problems.append("%s: ServiceNames %s, ServiceDetails of %s" % (where, names, got))

        # MaxItems stops inside a page; StartingToken resumes after it.
        most = size + 1
        first = paginator.paginate(PaginationConfig={"PageSize": size, "MaxItems": most}, **params).build_full_result()
        token = first.get("NextToken")
        head = [x[member] for x in first.get(key, [])]
        if head != full[:most] or not token:
            problems.append("%s: MaxItems %d gave %s and token %r, want %s and a token" % (where, most, head, token, full[:most]))
            continue
        rest = paginator.paginate(PaginationConfig={"PageSize": size, "StartingToken": token}, **params).build_full_result()
        tail = [x[member] for x in rest.get(key, [])]
        if head + tail != full or rest.get("NextToken"):
            problems.append("%s: MaxItems %d then StartingToken gave %s + %s, want %s" % (where, most, head, tail, full))
        print("%s: %d items in pages %s; MaxItems %d resumed" % (where, len(full), counts, most))

    for p in problems:
        print("PROBLEM", p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
