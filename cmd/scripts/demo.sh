#!/usr/bin/env bash
# Scripted provisioning walk-through of gwlbctl's control plane (what
# `make demo` runs until the forwarder's demo replaces it). It uses the
# binary `make build` produced (bin/gwlbctl, or $GWLBCTL) and a temporary
# state file, provisions the worked example topology with `apply`, then
# works with it the way the AWS CLI is used: tables, --query, endpoint
# acceptance, target health, and an error with its exit code.
# Non-interactive; safe to run anywhere (touches nothing but a temp dir).
set -euo pipefail

cd "$(dirname "$0")/../.."
gwlbctl=${GWLBCTL:-$PWD/bin/gwlbctl}
if [ ! -x "$gwlbctl" ]; then
  echo "demo: $gwlbctl not found; run 'make build' first (or 'make demo')." >&2
  exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/gwlbctl-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
export GWLBCTL_STATE=$work/state.json
export GWLBCTL_REGION=us-east-1 GWLBCTL_ACCOUNT=123456789012
export COLUMNS=${COLUMNS:-160}
unset GWLBCTL_OUTPUT GWLBCTL_CONFIG AWS_REGION AWS_DEFAULT_REGION
export XDG_CONFIG_HOME=$work/config # no user config file

if [ -t 1 ]; then bold=$'\e[1m'; dim=$'\e[2m'; off=$'\e[0m'; else bold= dim= off=; fi
step() { printf '\n%s== %s ==%s\n' "$bold" "$*" "$off"; }
show() { printf '%s$ gwlbctl %s%s\n' "$dim" "$*" "$off"; "$gwlbctl" "$@"; }

step "1. Plan the worked example topology (configs/topology.yaml), changing nothing"
show apply -f configs/topology.yaml --dry-run

step "2. Apply it: two AZs, a gateway load balancer, 2 appliances, an endpoint service, 2 endpoints"
show apply -f configs/topology.yaml

step "3. Apply again: nothing to do"
show apply -f configs/topology.yaml

step "4. What was built"
show elbv2 describe-load-balancers --output table
show elbv2 describe-target-groups --output table \
  --query 'TargetGroups[].{Name:TargetGroupName,Protocol:Protocol,Port:Port,TargetType:TargetType,HealthCheck:HealthCheckProtocol}'
show ec2 describe-vpcs --output table --query "Vpcs[].{VpcId:VpcId,Cidr:CidrBlock,Name:Tags[?Key=='Name']|[0].Value}"
show ec2 describe-vpc-endpoints --output table \
  --query 'VpcEndpoints[].{Id:VpcEndpointId,Vpc:VpcId,Subnet:SubnetIds[0],State:State}'

lb=$("$gwlbctl" elbv2 describe-load-balancers --names inspection-gwlb --query 'LoadBalancers[0].LoadBalancerArn' --output text)
tg=$("$gwlbctl" elbv2 describe-target-groups --names appliances --query 'TargetGroups[0].TargetGroupArn' --output text)
svc=$("$gwlbctl" ec2 describe-vpc-endpoint-service-configurations --query 'ServiceConfigurations[0].ServiceId' --output text)
svc_name=$("$gwlbctl" ec2 describe-vpc-endpoint-service-configurations --query 'ServiceConfigurations[0].ServiceName' --output text)
echo "load balancer: $lb"
echo "target group:  $tg"
echo "service:       $svc_name"

step "5. Target health (initial until the forwarder's health checker has run)"
show elbv2 describe-target-health --target-group-arn "$tg" --output table

step "6. Add a third appliance, the AWS CLI way"
show elbv2 register-targets --target-group-arn "$tg" --targets Id=10.0.1.11
show elbv2 describe-target-health --target-group-arn "$tg" \
  --query 'TargetHealthDescriptions[].[Target.Id,Target.AvailabilityZone,TargetHealth.State,TargetHealth.Reason]' --output text

step "7. A new consumer asks for an endpoint: pendingAcceptance until the provider accepts"
vpc=$("$gwlbctl" ec2 create-vpc --cidr-block 192.168.0.0/16 --query Vpc.VpcId --output text)
subnet=$("$gwlbctl" ec2 create-subnet --vpc-id "$vpc" --cidr-block 192.168.1.0/24 \
  --availability-zone us-east-1a --query Subnet.SubnetId --output text)
ep=$("$gwlbctl" ec2 create-vpc-endpoint --vpc-endpoint-type GatewayLoadBalancer \
  --service-name "$svc_name" --vpc-id "$vpc" --subnet-ids "$subnet" --query VpcEndpoint.VpcEndpointId --output text)
show ec2 describe-vpc-endpoint-connections --output table \
  --query 'VpcEndpointConnections[].{Endpoint:VpcEndpointId,State:VpcEndpointState,Owner:VpcEndpointOwner}'
show ec2 accept-vpc-endpoint-connections --service-id "$svc" --vpc-endpoint-ids "$ep"
show ec2 describe-vpc-endpoints --vpc-endpoint-ids "$ep" --query 'VpcEndpoints[0].State' --output text

step "8. Rules hold: a second listener is refused, with AWS's error code and exit status 254"
spare=$("$gwlbctl" elbv2 create-target-group --name spare --protocol GENEVE --port 6081 \
  --vpc-id "$("$gwlbctl" elbv2 describe-target-groups --names appliances --query 'TargetGroups[0].VpcId' --output text)" \
  --query 'TargetGroups[0].TargetGroupArn' --output text)
set +e
show elbv2 create-listener --load-balancer-arn "$lb" --default-actions Type=forward,TargetGroupArn="$spare"
status=$?
set -e
echo "exit status: $status"
[ "$status" -eq 254 ]

step "9. Turn cross-zone on and drain an appliance"
show elbv2 modify-load-balancer-attributes --load-balancer-arn "$lb" \
  --attributes Key=load_balancing.cross_zone.enabled,Value=true --output table
show elbv2 deregister-targets --target-group-arn "$tg" --targets Id=10.0.2.10
show elbv2 describe-target-health --target-group-arn "$tg" --output table

step "10. The state file: JSON with a schema version and a revision"
head -c 400 "$GWLBCTL_STATE"; echo " ..."
printf '\n%sDemo complete: the control plane provisioned a GWLB topology end to end.%s\n' "$bold" "$off"
